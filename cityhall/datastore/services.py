"""DataStore writes: asking for a load, running it, dropping a table.

A load never touches the live table until it has fully succeeded: the file goes into a new table,
which then replaces the live one in one transaction (drop + rename + registry), so readers see the old
data or the new data, never a half-loaded table. A failed load leaves the previous table as it was.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.accounts.facade import audit_actor
from cityhall.core.audit import Actor, audit_record
from cityhall.core.errors import NotFoundError, PermissionDeniedError
from cityhall.core.taskqueue import enqueue_on_commit
from cityhall.datastore import catalog_link, conf, naming, tabular
from cityhall.datastore.contracts import LoadProblem, LoadState
from cityhall.datastore.models import DataTable, LoadJob
from cityhall.datastore.tabular import FileProblemError, TableFile

log = logging.getLogger(__name__)

TABULAR_FORMATS = frozenset({"CSV", "TSV", "XLSX", "XLSM", "TEXT/CSV"})
SQLITE_BATCH_ROWS = 5_000
PROGRESS_EVERY_SECONDS = 1.0


def _actor(user: Any) -> Actor:
    return Actor.system("datastore") if user is None else audit_actor(user)


def _problem_dicts(problems: list[LoadProblem]) -> list[dict[str, Any]]:
    return [{"row": p.row, "column": p.column, "message": p.message} for p in problems]


# --- Asking for a load ----------------------------------------------------------------------


def datastore_load(*, resource_id: uuid.UUID, actor: Any) -> LoadJob:
    """Queue a load of the resource's file (the actor needs edit rights; None = the platform)."""
    if actor is not None and not catalog_link.can_edit(actor, resource_id):
        raise PermissionDeniedError(_("You may not load this resource into the DataStore."))
    if catalog_link.resource_ref(resource_id) is None:
        raise NotFoundError(_("There is no resource with this id."))
    from cityhall.datastore.tasks import datastore_load_run

    with transaction.atomic():
        job = LoadJob.objects.create(resource_id=resource_id, requested_by=_actor(actor).ref[:80])
        audit_record(
            actor=_actor(actor),
            action="datastore.load",
            object_type="catalog.resource",
            object_id=str(resource_id),
            data={"job": str(job.pk)},
        )
        enqueue_on_commit(datastore_load_run, job_id=str(job.pk))
    return job


# --- Running a load -------------------------------------------------------------------------


class ColumnMismatchError(Exception):
    """A value later in the file does not fit the type guessed from the first rows."""

    def __init__(self, index: int, row: int | None, value: str) -> None:
        super().__init__(value)
        self.index = index
        self.row = row
        self.value = value


def load_job_run(*, job_id: uuid.UUID) -> str:
    """Run one queued load to the end. Idempotent: a finished job is not run again."""
    job = LoadJob.objects.filter(pk=job_id).first()
    if job is None or job.state in {LoadState.DONE, LoadState.FAILED}:
        return "skipped"
    job.state = LoadState.RUNNING
    job.started_at = timezone.now()
    job.errors = []
    job.warnings = []
    job.rows_loaded = 0
    job.bytes_done = 0
    job.save(
        update_fields=["state", "started_at", "errors", "warnings", "rows_loaded", "bytes_done", "updated_at"]
    )
    try:
        _load(job)
    except FileProblemError as problem:
        _fail(job, problem.problems)
    except Exception:
        log.exception("datastore load %s failed", job.pk)
        _fail(
            job,
            [
                LoadProblem(
                    None,
                    None,
                    _(
                        "The load stopped because of an error on our side; the previous data is unchanged. "
                        "Try again later."
                    ),
                )
            ],
        )
    return str(job.state)


def _fail(job: LoadJob, problems: list[LoadProblem]) -> None:
    job.state = LoadState.FAILED
    job.errors = _problem_dicts(problems[:100])
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "errors", "warnings", "finished_at", "updated_at"])


def _load(job: LoadJob) -> None:
    ref = catalog_link.resource_ref(job.resource_id)
    if ref is None:
        raise FileProblemError([LoadProblem(None, None, _("The resource no longer exists."))])
    if not ref.file_path:
        raise FileProblemError(
            [
                LoadProblem(
                    None,
                    None,
                    _(
                        "Only uploaded files can be loaded; this resource links to %(url)s. "
                        "Upload the file instead."
                    )
                    % {"url": ref.url},
                )
            ]
        )
    file_format = (ref.format or "").upper()
    path = Path(ref.file_path)
    if file_format not in TABULAR_FORMATS and path.suffix.lower() not in {".csv", ".tsv", ".xlsx", ".xlsm"}:
        raise FileProblemError(
            [
                LoadProblem(
                    None,
                    None,
                    _("Only CSV and XLSX files can be loaded into the DataStore, not %(format)s.")
                    % {"format": ref.format or path.suffix},
                )
            ]
        )
    if not path.is_file():
        raise FileProblemError([LoadProblem(None, None, _("The uploaded file is missing: upload it again."))])
    size = path.stat().st_size
    limit = conf.max_file_bytes()
    if size > limit:
        raise FileProblemError(
            [
                LoadProblem(
                    None,
                    None,
                    _(
                        "The file is %(size)s bytes, over the DataStore limit of %(limit)s bytes. "
                        "Split it into smaller files or ask an administrator to raise DATASTORE_MAX_BYTES."
                    )
                    % {"size": f"{size:,}", "limit": f"{limit:,}"},
                )
            ]
        )
    postgres = naming.is_postgres()
    with tabular.workdir() as tmp, ThreadPoolExecutor(max_workers=1) as pool:
        # PostgreSQL: the encoding is checked while the file streams into COPY (one read, not two).
        table = tabular.open_table(
            path, file_format=file_format, workdir=Path(tmp), check_encoding=not postgres
        )
        job.bytes_total = table.size
        job.save(update_fields=["bytes_total", "updated_at"])
        kinds = tabular.infer_types(tabular.sample_rows(table, conf.infer_rows()), len(table.header))
        # frictionless is pure Python: on PostgreSQL it runs beside COPY (the database parses the
        # file on its own core) and its verdict is awaited before the new table replaces the old.
        # SQLite's loader is Python too, so there it runs first.
        pending = pool.submit(tabular.frictionless_check, table, list(kinds), limit_rows=conf.validate_rows())
        if not postgres and pending.result():
            raise FileProblemError(pending.result())
        try:
            _load_attempts(job, table, kinds, source_name=path.name, validated=pending.result)
        except FileProblemError as error:
            # All of the first rows' problems say more than the database's first complaint.
            if pending.result():
                raise FileProblemError(pending.result()) from error
            raise


def _load_attempts(
    job: LoadJob,
    table: TableFile,
    kinds: list[str],
    *,
    source_name: str,
    validated: Callable[[], list[LoadProblem]],
) -> None:
    """Load; when a later value breaks a guessed type, load that column as text and try again."""
    warnings: list[LoadProblem] = []
    for _attempt in range(len(kinds) + 1):
        try:
            _load_into_new_table(job, table, kinds, warnings, source_name=source_name, validated=validated)
            return
        except ColumnMismatchError as mismatch:
            name = table.header[mismatch.index]
            if kinds[mismatch.index] == tabular.TEXT:
                raise FileProblemError(
                    [
                        LoadProblem(
                            mismatch.row,
                            name,
                            _("This value cannot be stored: %(value)r.") % {"value": mismatch.value},
                        )
                    ]
                ) from mismatch
            warnings.append(
                LoadProblem(
                    mismatch.row,
                    name,
                    _(
                        "Column '%(column)s' looked like %(type)s in the first rows, but row %(row)s has "
                        "%(value)r: the column was loaded as text."
                    )
                    % {
                        "column": name,
                        "type": kinds[mismatch.index],
                        "row": mismatch.row,
                        "value": mismatch.value,
                    },
                )
            )
            kinds[mismatch.index] = tabular.TEXT
            job.warnings = _problem_dicts(warnings)
            job.save(update_fields=["warnings", "updated_at"])


def _load_into_new_table(
    job: LoadJob,
    table: TableFile,
    kinds: list[str],
    warnings: list[LoadProblem],
    *,
    source_name: str,
    validated: Callable[[], list[LoadProblem]],
) -> None:
    columns = list(zip(table.header, kinds, strict=True))
    staging = naming.staging_table(job.resource_id, job.pk)
    if naming.is_postgres():
        with transaction.atomic():
            rows = _copy_postgres(job, table, staging, columns)
            problems = validated()
            if problems:
                raise FileProblemError(problems)
            _swap(job, staging, columns, rows, table, warnings, source_name=source_name)
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {naming.quote(staging)}")
        cursor.execute(naming.create_table_sql(staging, columns))
    try:
        rows = _insert_sqlite(job, table, staging, columns)
        with transaction.atomic():
            _swap(job, staging, columns, rows, table, warnings, source_name=source_name)
    except BaseException:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {naming.quote(staging)}")
        raise


def _swap(
    job: LoadJob,
    staging: str,
    columns: list[tuple[str, str]],
    rows: int,
    table: TableFile,
    warnings: list[LoadProblem],
    *,
    source_name: str,
) -> None:
    """Replace the live table by the new one, in the caller's transaction."""
    live = naming.live_table(job.resource_id)
    DataTable.objects.select_for_update().filter(pk=job.resource_id).first()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {naming.quote(live)}")
        cursor.execute(f"ALTER TABLE {naming.quote(staging)} RENAME TO {naming.quote(live)}")
    now = timezone.now()
    DataTable.objects.update_or_create(
        resource_id=job.resource_id,
        defaults={
            "table_name": live,
            "columns": [{"id": name, "type": kind} for name, kind in columns],
            "row_count": rows,
            "source_name": source_name[:255],
            "source_bytes": table.size,
            "loaded_at": now,
        },
    )
    job.state = LoadState.DONE
    job.rows_loaded = rows
    job.bytes_done = table.size
    job.finished_at = now
    job.warnings = _problem_dicts(warnings)
    job.save(update_fields=["state", "rows_loaded", "bytes_done", "finished_at", "warnings", "updated_at"])


# PostgreSQL --------------------------------------------------------------------------------

_COPY_CONTEXT = re.compile(r"line (\d+)(?:, column ([^:]+))?")


@contextmanager
def _progress_reporter(job: LoadJob) -> Iterator[Any]:
    """Progress on its own connection, so it is visible while the load's transaction is open."""
    import psycopg

    try:
        side = psycopg.connect(**connection.get_connection_params(), autocommit=True)
    except psycopg.Error:  # pragma: no cover - progress is a nicety; the load goes on without it
        side = None
    last = 0.0

    def report(bytes_done: int, rows: int = 0) -> None:
        nonlocal last
        now = time.monotonic()
        if side is None or now - last < PROGRESS_EVERY_SECONDS:
            return
        last = now
        with contextlib.suppress(psycopg.Error):
            side.execute(
                "UPDATE datastore_loadjob SET bytes_done = %s, rows_loaded = %s WHERE id = %s",
                (bytes_done, rows, job.pk),
            )

    try:
        yield report
    finally:
        if side is not None:
            side.close()


def _copy_postgres(job: LoadJob, table: TableFile, staging: str, columns: list[tuple[str, str]]) -> int:
    import psycopg

    delimiter = {"\t": "E'\\t'", ",": "','", ";": "';'", "|": "'|'"}[table.delimiter]
    names = ", ".join(naming.quote(name) for name, _kind in columns)
    statement = (
        f"COPY {naming.quote(staging)} ({names}) FROM STDIN "
        f"WITH (FORMAT csv, HEADER true, DELIMITER {delimiter}, ENCODING 'UTF8')"
    )
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        cursor.execute(f"DROP TABLE IF EXISTS {naming.quote(staging)}")
        cursor.execute(naming.create_table_sql(staging, columns))
        done = 0
        # A failure rolls back the caller's transaction, and with it the new table. PostgreSQL
        # checks the UTF-8 of every byte itself (ENCODING 'UTF8'); a bad byte is located below.
        try:
            with _progress_reporter(job) as report, cursor.copy(statement) as copy:
                for chunk in tabular.read_chunks(table):
                    copy.write(chunk)
                    done += len(chunk)
                    report(done)
            rows = cursor.rowcount
        except psycopg.errors.CharacterNotInRepertoire as error:
            raise _encoding_problem(error, table) from error
        except psycopg.errors.DataError as error:
            raise _copy_problem(error, table, columns) from error
        # Building the index also records the row count for the planner; autovacuum analyzes later.
        cursor.execute(f'ALTER TABLE {naming.quote(staging)} ADD PRIMARY KEY ("_id")')
    return int(rows)


def _encoding_problem(error: Any, table: TableFile) -> FileProblemError:
    """Where PostgreSQL found a byte that is not UTF-8: it names the line, the file gives the byte."""
    match = _COPY_CONTEXT.search(error.diag.context or "")
    line = int(match.group(1)) if match else 1
    offset = 0
    with table.path.open("rb") as handle:
        for _number in range(line - 1):
            offset += len(handle.readline())
        text = handle.readline()
    try:
        text.decode("utf-8")
    except UnicodeDecodeError as bad:
        return FileProblemError([tabular.encoding_problem(table.path, offset + bad.start)])
    problem = tabular.check_utf8(table.path)  # NUL bytes and the like: fall back to a full scan
    detail = (error.diag.message_primary or str(error)).strip()
    return FileProblemError([problem or LoadProblem(line, None, detail)])


def _copy_problem(error: Any, table: TableFile, columns: list[tuple[str, str]]) -> Exception:
    context = (error.diag.context or "").strip().splitlines()
    match = _COPY_CONTEXT.search(context[0]) if context else None
    row = int(match.group(1)) if match else None
    column = match.group(2) if match and match.group(2) else None
    detail = (error.diag.message_primary or str(error)).strip()
    names = [name for name, _kind in columns]
    if error.sqlstate != "22P04" and column in names:
        index = names.index(column)
        value_match = re.search(r': "(.*)"$', context[0], re.DOTALL) if context else None
        value = value_match.group(1) if value_match else detail
        return ColumnMismatchError(index, row, value)
    message = _("Row %(row)s could not be loaded: %(detail)s.") % {
        "row": row if row else "?",
        "detail": detail,
    }
    if "extra data after last expected column" in detail:
        message = _("Row %(row)s has more cells than the header has columns (%(count)d).") % {
            "row": row,
            "count": len(names),
        }
    elif "missing data for column" in detail:
        message = _("Row %(row)s has fewer cells than the header has columns: %(column)s is missing.") % {
            "row": row,
            "column": column or "?",
        }
    return FileProblemError([LoadProblem(row, column if column in names else None, message)])


# SQLite ------------------------------------------------------------------------------------


def _insert_sqlite(job: LoadJob, table: TableFile, staging: str, columns: list[tuple[str, str]]) -> int:
    width = len(columns)
    kinds = [kind for _name, kind in columns]
    names = [name for name, _kind in columns]
    statement = (
        f"INSERT INTO {naming.quote(staging)} ({', '.join(naming.quote(n) for n in names)}) "  # noqa: S608
        f"VALUES ({', '.join('?' * width)})"
    )
    connection.ensure_connection()
    raw = connection.connection
    batch: list[list[Any]] = []
    rows = 0
    typed = [(index, kind) for index, kind in enumerate(kinds) if kind != tabular.TEXT]

    def flush() -> None:
        with transaction.atomic():
            raw.executemany(statement, batch)
        batch.clear()
        LoadJob.objects.filter(pk=job.pk).update(rows_loaded=rows, updated_at=timezone.now())

    for number, row in tabular.iter_rows(table):
        if len(row) != width:
            if not row or all(cell == "" for cell in row):
                raise FileProblemError(
                    [LoadProblem(number, None, _("Row %(row)d is blank: remove it.") % {"row": number})]
                )
            if len(row) > width:
                raise FileProblemError(
                    [
                        LoadProblem(
                            number,
                            None,
                            _("Row %(row)d has more cells than the header has columns (%(count)d).")
                            % {"row": number, "count": width},
                        )
                    ]
                )
            raise FileProblemError(
                [
                    LoadProblem(
                        number,
                        names[len(row)],
                        _("Row %(row)d has fewer cells than the header has columns: %(column)s is missing.")
                        % {"row": number, "column": names[len(row)]},
                    )
                ]
            )
        values: list[Any] = [cell if cell != "" else None for cell in row]
        for index, kind in typed:
            cell = row[index]
            if cell == "":
                continue
            try:
                values[index] = tabular.convert(kind, cell)
            except ValueError as error:
                raise ColumnMismatchError(index, number, cell) from error
        batch.append(values)
        rows += 1
        if len(batch) >= SQLITE_BATCH_ROWS:
            flush()
    if batch:
        flush()
    return rows


# --- Dropping -------------------------------------------------------------------------------


def datastore_drop(*, resource_id: uuid.UUID, actor: Any = None) -> bool:
    """Remove a resource's table; True if there was one."""
    with transaction.atomic():
        record = DataTable.objects.select_for_update().filter(pk=resource_id).first()
        if record is None:
            return False
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {naming.quote(record.table_name)}")
        record.delete()
        audit_record(
            actor=_actor(actor),
            action="datastore.drop",
            object_type="catalog.resource",
            object_id=str(resource_id),
        )
    return True
