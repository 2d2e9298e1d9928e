from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from cityhall.core.schedule import schedule_tick, schedules


class Command(BaseCommand):
    help = "Enqueue periodic tasks when they are due (retention, reminders). `--once` checks once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--interval", type=float, default=30.0, help="Seconds between checks.")

    def handle(self, *args: Any, once: bool, interval: float, **options: Any) -> None:
        names = ", ".join(s.name for s in schedules()) or "none"
        self.stderr.write(f"Scheduler starting; schedules: {names}.")
        while True:
            close_old_connections()
            for name in schedule_tick():
                self.stderr.write(f"Enqueued {name}.")
            if once:
                return
            time.sleep(interval)
