from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from cityhall.core.taskqueue import run_worker


class Command(BaseCommand):
    help = "Run the background task worker for the configured backend (database or RQ)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--burst", action="store_true", help="Stop when no task is waiting.")
        parser.add_argument("--queue", action="append", dest="queues", help="Queue to work (repeatable).")

    def handle(self, *args: Any, burst: bool, queues: list[str] | None, **options: Any) -> None:
        self.stderr.write(f"Task worker starting ({settings.TASKS_BACKEND} backend).")
        run_worker(burst=burst, queues=queues)
