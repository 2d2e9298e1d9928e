"""`cityhall operating ...`: load the shared reference data, import values, list what is overdue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cityhall.core.errors import ServiceError
from cityhall.operating import services
from cityhall.operating.csvio import CsvImportError, decode_upload
from cityhall.operating.models import Indicator
from cityhall.operating.selectors.risks import overdue_reviews
from cityhall.operating.services._common import today


class Command(BaseCommand):
    help = (
        "Operating model tools: load-kpis (the 91 U4SSC KPIs), load-matrix (ISO 37101), load-reference "
        "(both), import-values FILE, refresh-summaries, sync-apis, overdue."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action",
            choices=[
                "load-kpis",
                "load-matrix",
                "load-reference",
                "import-values",
                "refresh-summaries",
                "sync-apis",
                "overdue",
            ],
        )
        parser.add_argument(
            "file", nargs="?", help="The CSV file (import-values), or the reference file to load."
        )

    def handle(self, *args: Any, action: str, file: str | None, **options: Any) -> None:
        path = Path(file) if file else None
        try:
            if action in {"load-kpis", "load-reference"}:
                report = services.u4ssc_kpis_load(actor=None, path=path if action == "load-kpis" else None)
                self.stdout.write(
                    f"U4SSC KPIs: {report.total} rows ({report.created} new, {report.updated} updated)."
                )
            if action in {"load-matrix", "load-reference"}:
                report = services.iso37101_matrix_load(
                    actor=None, path=path if action == "load-matrix" else None
                )
                self.stdout.write(
                    f"ISO 37101 matrix: {report.total} rows ({report.created} new, {report.updated} updated)."
                )
            if action == "import-values":
                if path is None:
                    raise CommandError("Give the CSV file to import: cityhall operating import-values FILE.")
                if not path.is_file():
                    raise CommandError(f"There is no file {path}.")
                result = services.indicator_values_import(
                    actor=None, text=decode_upload(path.read_bytes()), file_name=path.name
                )
                self.stdout.write(
                    f"Imported {result.rows} values ({result.created} new, {result.replaced} replaced) "
                    f"for {result.indicators} indicators."
                )
            if action == "refresh-summaries":
                ids = list(Indicator.objects.values_list("pk", flat=True))
                for indicator_id in ids:
                    services.indicator_summary_refresh(indicator_id=indicator_id)
                self.stdout.write(f"Refreshed the summaries of {len(ids)} indicators.")
            if action == "sync-apis":
                synced = services.api_registry_sync(actor=None)
                self.stdout.write(f"{len(synced)} Cityhall APIs are listed in the registry.")
            if action == "overdue":
                due = overdue_reviews(today=today())
                for item in due:
                    when = item.due_on.isoformat() if item.due_on else "never reviewed"
                    self.stdout.write(f"{item.kind:<14} {when:<14} {item.days_overdue:>4} days  {item.label}")
                self.stdout.write(f"{len(due)} reviews are due.")
        except CsvImportError as error:
            lines = [f"  row {row}: {problem}" for row, problem in error.row_errors]
            raise CommandError(error.message.split(" Row ")[0] + "\n" + "\n".join(lines)) from error
        except ServiceError as error:
            raise CommandError(error.message) from error
