"""Tasks the task worker runs for sharing (Django's Tasks framework, django-tasks-db's `db_worker`, as for
OpenStack mode's background jobs)."""

from __future__ import annotations

from django.tasks import task

from sharing import expiry


@task()
def end_expired_shares() -> int:
    """Queued to run when shares expire (run_after their expiry): ends every share whose time has come, so a
    worker that was down catches up when it starts again."""
    return expiry.end_expired_shares()
