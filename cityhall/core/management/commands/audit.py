from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cityhall.core.audit import audit_verify


class Command(BaseCommand):
    help = "Audit log tools. `cityhall audit verify` walks the hash chain and names the first broken link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        result = audit_verify()
        if not result.ok:
            raise CommandError(
                f"Audit chain broken at event #{result.first_bad_seq}: {result.reason}. "
                f"{result.checked} events before it are intact."
            )
        self.stdout.write(f"Audit chain intact: {result.checked} events verified.")
