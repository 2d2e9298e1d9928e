"""Reading a tabular file before it is loaded: encoding, dialect, header, column types, frictionless.

Everything here reads the file; nothing writes to the database. Row numbers follow frictionless:
the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from cityhall.datastore.contracts import LoadProblem

CHUNK_BYTES = 8 * 1024 * 1024
UTF8_BOM = codecs.BOM_UTF8
DELIMITERS = (",", ";", "\t", "|")
MAX_LABEL_BYTES = 63
INT64_MAX = 2**63 - 1

# Internal column types and their names on the CKAN surface.
TEXT, INTEGER, NUMERIC, BOOLEAN, DATE, TIMESTAMP, TIMESTAMPTZ = (
    "text",
    "int",
    "numeric",
    "bool",
    "date",
    "timestamp",
    "timestamptz",
)
COLUMN_TYPES = (TEXT, INTEGER, NUMERIC, BOOLEAN, DATE, TIMESTAMP, TIMESTAMPTZ)

_INTEGER = re.compile(r"^-?(0|[1-9][0-9]{0,18})$")
_NUMERIC = re.compile(r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]{1,3})?$|^-?\.[0-9]+$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_TIMESTAMP = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?$")
_TIMESTAMPTZ = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:?[0-9]{2})$"
)
TRUE_VALUES = frozenset({"true", "True", "TRUE"})
FALSE_VALUES = frozenset({"false", "False", "FALSE"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class FileProblemError(Exception):
    """The file cannot be loaded; carries every problem found (row and column where they apply)."""

    def __init__(self, problems: list[LoadProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems[:3]))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class TableFile:
    """A UTF-8 CSV file ready to load (an XLSX upload is converted into one first)."""

    path: Path
    delimiter: str
    header: list[str]
    bom: bool
    size: int


# --- Values ---------------------------------------------------------------------------------


def _valid_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _valid_timestamp(value: str) -> bool:
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def value_fits(kind: str, value: str) -> bool:
    """Whether a non-empty text value is a valid value of the column type."""
    if kind == TEXT:
        return True
    if kind == INTEGER:
        return bool(_INTEGER.match(value)) and abs(int(value)) <= INT64_MAX
    if kind == NUMERIC:
        return bool(_NUMERIC.match(value))
    if kind == BOOLEAN:
        return value in TRUE_VALUES or value in FALSE_VALUES
    if kind == DATE:
        return bool(_DATE.match(value)) and _valid_date(value)
    if kind == TIMESTAMP:
        return bool(_TIMESTAMP.match(value)) and _valid_timestamp(value)
    if kind == TIMESTAMPTZ:
        return bool(_TIMESTAMPTZ.match(value)) and _valid_timestamp(value)
    return False


def convert(kind: str, value: str) -> Any:
    """The Python value stored for a text value (None for an empty cell); ValueError if it does not fit."""
    if value == "":
        return None
    if kind == TEXT:
        return value
    if not value_fits(kind, value):
        raise ValueError(value)
    if kind == INTEGER:
        return int(value)
    if kind == NUMERIC:
        try:
            return float(Decimal(value))
        except InvalidOperation as error:  # pragma: no cover - the pattern already checked it
            raise ValueError(value) from error
    if kind == BOOLEAN:
        return value in TRUE_VALUES
    if kind == TIMESTAMPTZ:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed.astimezone(dt.UTC).isoformat()
    return value  # dates and timestamps are stored as ISO 8601 text on SQLite


# Narrowest first: a column gets the first type every sampled value fits.
_CANDIDATES = (INTEGER, NUMERIC, BOOLEAN, DATE, TIMESTAMP, TIMESTAMPTZ)


def infer_types(rows: list[list[str]], width: int) -> list[str]:
    """Column types from sampled rows. Code-like columns (leading zeros) stay text; empty ones too."""
    kinds: list[str] = []
    for index in range(width):
        values = [row[index] for row in rows if index < len(row) and row[index] != ""]
        kind = TEXT
        if values:
            for candidate in _CANDIDATES:
                if all(value_fits(candidate, value) for value in values):
                    kind = candidate
                    break
        kinds.append(kind)
    return kinds


# --- The file -------------------------------------------------------------------------------


def xlsx_to_csv(path: Path, workdir: Path) -> Path:
    """The first worksheet of a workbook as a UTF-8 CSV (values, not formulas; dates in ISO 8601)."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise FileProblemError(
            [
                LoadProblem(
                    None, None, _("The file is not a readable XLSX workbook: %(error)s.") % {"error": error}
                )
            ]
        ) from error
    target = workdir / "sheet.csv"
    try:
        sheet = workbook.worksheets[0]
        with target.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            for row in sheet.iter_rows(values_only=True):
                writer.writerow([_cell_text(value) for value in row])
    finally:
        workbook.close()
    return target


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def check_utf8(path: Path, *, max_bytes: int | None = None) -> LoadProblem | None:
    """The first byte that is not UTF-8, as a problem with its row and column; None if all is UTF-8
    (or the first max_bytes are)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as handle:
        while chunk := handle.read(
            CHUNK_BYTES if max_bytes is None else min(CHUNK_BYTES, max_bytes - offset)
        ):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                return encoding_problem(path, offset + error.start)
            offset += len(chunk)
            if max_bytes is not None and offset >= max_bytes:
                return None
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            return encoding_problem(path, offset - (len(error.object) - error.start))
    return None


def encoding_problem(path: Path, offset: int) -> LoadProblem:
    with path.open("rb") as handle:
        prefix = handle.read(offset + 1)
    bad = prefix[offset : offset + 1]
    row = prefix.count(b"\n", 0, offset) + 1
    line_start = prefix.rfind(b"\n", 0, offset) + 1
    line = prefix[line_start:offset].decode("utf-8", errors="replace").lstrip("\ufeff")
    header = _header_line(path)
    delimiter = sniff_delimiter(header)
    fields_before = next(csv.reader([line], delimiter=delimiter), [""])
    position = max(1, len(fields_before))
    labels = next(csv.reader([header], delimiter=delimiter), [])
    column = labels[position - 1].strip() if position <= len(labels) else None
    return LoadProblem(
        row,
        column,
        _(
            "The file is not valid UTF-8: byte 0x%(byte)s in row %(row)d, column %(column)s cannot be "
            "read. Save the file as 'CSV UTF-8' and upload it again."
        )
        % {"byte": bad.hex(), "row": row, "column": column or position},
    )


def _header_line(path: Path) -> str:
    with path.open("rb") as handle:
        raw = handle.readline(1024 * 1024)
    return raw.decode("utf-8", errors="replace").lstrip("\ufeff").rstrip("\r\n")


def sniff_delimiter(header_line: str) -> str:
    """The delimiter used in the header row: the most frequent of , ; tab | outside quotes."""
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    counts = {delimiter: unquoted.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def header_problems(labels: list[str]) -> list[LoadProblem]:
    problems: list[LoadProblem] = []
    seen: dict[str, int] = {}
    for position, label in enumerate(labels, start=1):
        where = {"position": position, "label": label}
        if not label:
            problems.append(
                LoadProblem(1, None, _("Column %(position)d has no name in the header row: name it.") % where)
            )
            continue
        if label.startswith("_"):
            problems.append(
                LoadProblem(
                    1,
                    label,
                    _("Column %(position)d is named '%(label)s': names may not start with '_'.") % where,
                )
            )
        if '"' in label or _CONTROL.search(label):
            problems.append(
                LoadProblem(
                    1,
                    label,
                    _("Column %(position)d's name contains a double quote or a control character: rename it.")
                    % where,
                )
            )
        if len(label.encode("utf-8")) > MAX_LABEL_BYTES:
            problems.append(
                LoadProblem(
                    1, label, _("Column %(position)d's name is longer than 63 bytes: shorten it.") % where
                )
            )
        folded = label.lower()
        if folded in seen:
            problems.append(
                LoadProblem(
                    1,
                    label,
                    _(
                        "Columns %(first)d and %(position)d are both named '%(label)s': "
                        "give each a different name."
                    )
                    % {**where, "first": seen[folded]},
                )
            )
        else:
            seen[folded] = position
    return problems


def open_table(path: Path, *, file_format: str, workdir: Path, check_encoding: bool = True) -> TableFile:
    """Check encoding and header of an uploaded file and describe it; raises FileProblemError.
    With check_encoding=False only the first megabyte is checked: the loader checks the rest as it
    streams the file."""
    if not path.is_file():
        raise FileProblemError([LoadProblem(None, None, _("The uploaded file is missing: upload it again."))])
    if file_format.upper() in {"XLSX", "XLSM"} or path.suffix.lower() in {".xlsx", ".xlsm"}:
        path = xlsx_to_csv(path, workdir)
    size = path.stat().st_size
    if size == 0:
        raise FileProblemError(
            [LoadProblem(None, None, _("The file is empty: it needs a header row and data rows."))]
        )
    problem = check_utf8(path, max_bytes=None if check_encoding else 1024 * 1024)
    if problem is not None:
        raise FileProblemError([problem])
    with path.open("rb") as handle:
        bom = handle.read(3) == UTF8_BOM
    header_line = _header_line(path)
    delimiter = sniff_delimiter(header_line)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        labels = next(csv.reader(handle, delimiter=delimiter), [])
    labels = [label.strip() for label in labels]
    if not any(labels):
        raise FileProblemError([LoadProblem(1, None, _("The first row is empty: it must name the columns."))])
    problems = header_problems(labels)
    if problems:
        raise FileProblemError(problems)
    return TableFile(path=path, delimiter=delimiter, header=labels, bom=bom, size=size)


def sample_rows(table: TableFile, limit: int) -> list[list[str]]:
    rows: list[list[str]] = []
    try:
        for _number, row in iter_rows(table):
            rows.append(row)
            if len(rows) >= limit:
                break
    except UnicodeDecodeError as error:
        problem = check_utf8(table.path)
        raise FileProblemError([problem] if problem else []) from error
    return rows


def iter_rows(table: TableFile) -> Iterator[tuple[int, list[str]]]:
    """Data rows with their row number (the header is row 1), parsed by a real CSV reader."""
    with table.path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=table.delimiter)
        next(reader, None)
        for row in reader:
            yield reader.line_num, row


def frictionless_check(
    table: TableFile, kinds: list[str], *, limit_rows: int, limit_errors: int = 100
) -> list[LoadProblem]:
    """Validate the file's first rows with frictionless against the inferred schema."""
    from frictionless import Dialect, Resource, Schema, fields, formats

    makers: dict[str, Any] = {
        TEXT: lambda name: fields.StringField(name=name),
        INTEGER: lambda name: fields.IntegerField(name=name),
        NUMERIC: lambda name: fields.NumberField(name=name),
        BOOLEAN: lambda name: fields.BooleanField(
            name=name, true_values=sorted(TRUE_VALUES), false_values=sorted(FALSE_VALUES)
        ),
        DATE: lambda name: fields.DateField(name=name),
        TIMESTAMP: lambda name: fields.DatetimeField(name=name, format="any"),
        TIMESTAMPTZ: lambda name: fields.DatetimeField(name=name, format="any"),
    }
    schema = Schema(fields=[makers[kind](name) for name, kind in zip(table.header, kinds, strict=True)])
    resource = Resource(
        path=table.path.name,
        basepath=str(table.path.parent),
        format="csv",
        encoding="utf-8-sig" if table.bom else "utf-8",
        dialect=Dialect(controls=[formats.CsvControl(delimiter=table.delimiter)]),
        schema=schema,
    )
    report = resource.validate(limit_rows=limit_rows or None, limit_errors=limit_errors)
    problems: list[LoadProblem] = []
    for row_number, field_name, message in report.flatten(["rowNumber", "fieldName", "message"]):
        problems.append(LoadProblem(row_number, field_name or None, str(message)))
    return problems


def workdir() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="cityhall-datastore-")


def read_chunks(table: TableFile) -> Iterator[bytes]:
    """The file's bytes in chunks, without a UTF-8 byte order mark."""
    with table.path.open("rb") as handle:
        first = True
        while chunk := handle.read(CHUNK_BYTES):
            if first and table.bom:
                chunk = chunk[len(UTF8_BOM) :]
            first = False
            yield chunk
