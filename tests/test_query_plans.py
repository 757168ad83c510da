"""The list queries are served by their indexes, in order, on SQLite and PostgreSQL: a page reads its rows from an
index range instead of sorting every row (which is what made Images Shared with Me grow with its data)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ImageFactory, ImageMemberFactory

pytestmark = pytest.mark.django_db


def list_queries(client, url: str) -> tuple[str, list[str]]:
    """The SQL of the list's page of rows (the one query with ORDER BY and LIMIT that is not a count) and of its
    bounded counts (the list's total, the red dot), as the view ran them."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    ordered = [q["sql"] for q in captured.captured_queries if "ORDER BY" in q["sql"] and "LIMIT" in q["sql"]]
    pages = [sql for sql in ordered if not sql.startswith("SELECT COUNT(")]
    assert len(pages) == 1, pages
    return pages[0], [sql for sql in ordered if sql.startswith("SELECT COUNT(")]


def plan(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Tables this small are cheapest to scan; forbid that, to see which index the planner can use.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("EXPLAIN " + sql)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return "\n".join(" ".join(str(part) for part in row) for row in cursor.fetchall())


@pytest.mark.parametrize("status", ["accepted", "pending", "rejected"])
def test_shared_lists_read_their_page_from_the_member_index_without_sorting(owner, recipient, status):
    for image in ImageFactory.create_batch(3, project=owner.project):
        ImageMemberFactory(image=image, project=recipient.project, status=status)
    url = {"accepted": "sharing:shared_with_me", "pending": "sharing:shared_pending", "rejected": "sharing:shared_rejected"}
    page, counts = list_queries(recipient.client, reverse(url[status]))
    found = plan(page)
    assert "member_project_status_time" in found, found
    assert "TEMP B-TREE" not in found and "Sort" not in found, found
    # The list's total and the red dot's count stop at 1,001 rows of the same index, never the whole table.
    assert len(counts) == 2
    for count in counts:
        counted = plan(count)
        assert "member_project_status_time" in counted and "Seq Scan" not in counted, counted


def test_private_images_read_their_page_from_the_project_time_index_without_sorting(owner):
    ImageFactory.create_batch(3, project=owner.project)
    found = plan(list_queries(owner.client, reverse("images:private"))[0])
    assert "image_project_created" in found, found
    assert "TEMP B-TREE" not in found and "Sort" not in found, found
