"""`cityhall census_import LOCATION`: load the census through the configured source (CSV by default)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cityhall.accounts.assurance import census_import_from
from cityhall.core.errors import ServiceError


class Command(BaseCommand):
    help = "Import census rows (full_name, birth_date, postcode) as keyed hashes; all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("location", help="What the CENSUS_SOURCE reads; for the CSV source, a file path.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            count = census_import_from(actor=None, location=options["location"])
        except (ServiceError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"{count} census rows imported."))
