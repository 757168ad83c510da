"""bulk_insert: many rows of one model, in as few statements as the database allows.

bulk_create builds and adapts every value of every object in Python; for the 10,000-pair share that costs six
times the insert itself. Here each *distinct* value is adapted once, by its own model field (so UUIDs, times and
JSON are stored exactly as the ORM stores them). On SQLite the rows go in one executemany (a loop inside the
library, no round trips); on PostgreSQL through COPY, since executemany there is one statement per row.
No signals, no save(), no defaults: the caller passes every column.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connections, router
from django.db.models import Field, Model


def bulk_insert(model: type[Model], fields: Sequence[str], rows: Iterable[Sequence]) -> None:
    connection = connections[router.db_for_write(model)]
    columns: list[Field] = []
    for name in fields:
        column = model._meta.get_field(name)
        assert isinstance(column, Field) and column.column, f"{name} is not a column of {model.__name__}"
        columns.append(column)
    adapted: list[dict] = [{} for _ in columns]

    def adapt(index: int, value):
        cache = adapted[index]
        try:
            return cache[value]
        except KeyError:
            cache[value] = columns[index].get_db_prep_save(value, connection)
            return cache[value]
        except TypeError:  # unhashable, such as a dict for a JSON column: adapt it every time
            return columns[index].get_db_prep_save(value, connection)

    prepared = [tuple(adapt(i, v) for i, v in enumerate(row)) for row in rows]
    if not prepared:
        return
    quote = connection.ops.quote_name
    head = "INSERT INTO {} ({}) VALUES ".format(
        quote(model._meta.db_table), ", ".join(quote(str(c.column)) for c in columns)
    )
    row = "({})".format(", ".join(["%s"] * len(columns)))
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.executemany(head + row, prepared)
            return
        # COPY streams the rows in one command: the fastest way PostgreSQL offers to load many rows.
        copy_sql = "COPY {} ({}) FROM STDIN".format(
            quote(model._meta.db_table), ", ".join(quote(str(c.column)) for c in columns)
        )
        with cursor.cursor.copy(copy_sql) as copy:
            for values in prepared:
                copy.write_row(values)
