"""CSV in and out. In: every bad row is named and nothing is written. Out: spreadsheet-safe cells."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.utils.translation import gettext as _

from cityhall.core.csvsafe import safe_cell
from cityhall.core.errors import ServiceError

MAX_IMPORT_ROWS = 100_000
MAX_REPORTED_ROW_ERRORS = 20


class CsvImportError(ServiceError):
    """One or more rows are bad; each is named by its line in the file. Nothing was imported."""

    code = "bad_rows"

    def __init__(self, row_errors: list[tuple[int, str]]) -> None:
        self.row_errors = row_errors
        shown = row_errors[:MAX_REPORTED_ROW_ERRORS]
        details = " ".join(
            _("Row %(row)d: %(problem)s") % {"row": row, "problem": problem} for row, problem in shown
        )
        more = len(row_errors) - len(shown)
        summary = _(
            "The file has %(count)d bad row(s); nothing was imported. Fix them and import the file again."
        ) % {"count": len(row_errors)}
        if more:
            details += " " + _("…and %(more)d more.") % {"more": more}
        super().__init__(f"{summary} {details}", code=self.code)


def decode_upload(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ServiceError(
            _("The file is not UTF-8 text. Save it as “CSV UTF-8” and import it again."), code="bad_encoding"
        ) from error


def read_rows(text: str, *, required: list[str], optional: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each data row; the header is line 1. Checks the header first."""
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in reader.fieldnames or []]
    if not header:
        raise ServiceError(
            _("The file is empty: it needs a header row and at least one data row."), code="empty"
        )
    reader.fieldnames = header
    missing = [name for name in required if name not in header]
    if missing:
        raise ServiceError(
            _("The header row lacks the column(s) %(missing)s. Expected columns: %(expected)s.")
            % {"missing": ", ".join(missing), "expected": ", ".join(required + optional)},
            code="bad_header",
        )
    unknown = [name for name in header if name not in required and name not in optional]
    if unknown:
        raise ServiceError(
            _("The header row has unknown column(s) %(unknown)s. Expected columns: %(expected)s.")
            % {"unknown": ", ".join(unknown), "expected": ", ".join(required + optional)},
            code="bad_header",
        )
    count = 0
    for row in reader:
        count += 1
        if count > MAX_IMPORT_ROWS:
            raise ServiceError(
                _("The file has more than %(limit)d rows; split it into smaller files.")
                % {"limit": MAX_IMPORT_ROWS},
                code="too_many_rows",
            )
        if None in row:  # more cells than header columns
            yield reader.line_num, {"__extra__": "1"}
            continue
        yield reader.line_num, {key: (value or "").strip() for key, value in row.items()}
    if count == 0:
        raise ServiceError(_("The file has a header row but no data rows."), code="empty")


def parse_number(text: str) -> float:
    cleaned = text.strip().replace("\u202f", "").replace(" ", "")
    if not cleaned:
        raise ValueError(_("the value is empty"))
    try:
        number = float(cleaned)
    except ValueError as error:
        raise ValueError(
            _("“%(value)s” is not a number (use a dot for decimals, no thousands separators)")
            % {"value": text}
        ) from error
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(_("“%(value)s” is not a finite number") % {"value": text})
    return number


def csv_cell(value: Any) -> Any:
    """Numbers stay numbers; text that a spreadsheet would run as a formula becomes plain text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    return safe_cell(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """Stream CSV lines, for a StreamingHttpResponse."""
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])
