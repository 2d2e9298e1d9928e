"""Background work for the portal. Each task is safe to run twice."""

from __future__ import annotations

from django_tasks import task

from cityhall.portal.search import search_rebuild


@task(queue_name="default")
def search_rebuild_task() -> int:
    """Rebuild the site-search index from every app's documents."""
    return search_rebuild()
