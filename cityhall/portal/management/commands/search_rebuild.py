"""`cityhall search_rebuild`: rebuild the site-search index from every app's documents."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cityhall.portal.search import search_rebuild


class Command(BaseCommand):
    help = "Rebuild the site-search index (pages, services, service types, and what other apps publish)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{search_rebuild()} search entries.")
