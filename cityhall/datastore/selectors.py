"""DataStore reads: load status, tables, previews, searches and SQL queries."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import connection

from cityhall.datastore import conf, naming, query, sqlguard
from cityhall.datastore.contracts import LoadProblem, LoadState, LoadStatus
from cityhall.datastore.models import DataTable, LoadJob


def as_uuid(value: Any) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value).strip())
    except (ValueError, AttributeError):
        return None


def table_for(resource_id: uuid.UUID) -> DataTable | None:
    return DataTable.objects.filter(pk=resource_id).first()


def active_ids(resource_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    ids = [i for i in (as_uuid(r) for r in resource_ids) if i is not None]
    return set(DataTable.objects.filter(pk__in=ids).values_list("resource_id", flat=True))


def _problems(items: list[dict[str, Any]]) -> tuple[LoadProblem, ...]:
    return tuple(
        LoadProblem(item.get("row"), item.get("column"), str(item.get("message", ""))) for item in items
    )


def load_status(resource_id: uuid.UUID) -> LoadStatus | None:
    job = LoadJob.objects.filter(resource_id=resource_id).order_by("-created_at").first()
    table = table_for(resource_id)
    if job is None and table is None:
        return None
    columns = tuple((c["id"], c["type"]) for c in table.columns) if table else ()
    if job is None:
        assert table is not None
        return LoadStatus(
            resource_id=resource_id,
            state=LoadState.DONE,
            rows_loaded=table.row_count,
            rows_total=table.row_count,
            bytes_done=table.source_bytes or 0,
            bytes_total=table.source_bytes,
            finished_at=table.loaded_at,
            datastore_active=True,
            columns=columns,
        )
    return _job_status(job, table is not None, columns)


def _job_status(job: LoadJob, active: bool, columns: tuple[tuple[str, str], ...]) -> LoadStatus:
    return LoadStatus(
        resource_id=job.resource_id,
        state=job.state,
        rows_loaded=job.rows_loaded,
        rows_total=job.rows_loaded if job.state == LoadState.DONE else None,
        bytes_done=job.bytes_done,
        bytes_total=job.bytes_total,
        errors=_problems(job.errors),
        warnings=_problems(job.warnings),
        started_at=job.started_at,
        finished_at=job.finished_at,
        queued_at=job.created_at,
        datastore_active=active,
        columns=columns,
    )


def recent_loads(*, limit: int) -> list[LoadStatus]:
    """The latest load of each resource, newest first (two queries)."""
    jobs = list(LoadJob.objects.order_by("-created_at")[:limit])
    active = active_ids(job.resource_id for job in jobs)
    seen: set[uuid.UUID] = set()
    result = []
    for job in jobs:
        if job.resource_id in seen:
            continue
        seen.add(job.resource_id)
        result.append(_job_status(job, job.resource_id in active, ()))
    return result


def preview(resource_id: uuid.UUID, rows: int = 10) -> tuple[list[str], list[list[str]]] | None:
    table = table_for(resource_id)
    if table is None:
        return None
    result = query.search(table, query.SearchParams(limit=max(0, rows), include_total=False))
    names = [name for name, _kind in result.fields]
    kinds = [kind for _name, kind in result.fields]
    body = [
        [
            "" if value is None else str(query.json_value(kind, value))
            for kind, value in zip(kinds, row, strict=True)
        ]
        for row in result.rows
    ]
    return names, body


def search(table: DataTable, data: dict[str, Any]) -> tuple[query.SearchParams, query.SearchResult]:
    params = query.search_params(data, rows_max=conf.rows_max())
    return params, query.search(table, params)


def records(result_fields: list[tuple[str, str]], rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    names = [name for name, _kind in result_fields]
    kinds = [kind for _name, kind in result_fields]
    return [
        {name: query.json_value(kind, value) for name, kind, value in zip(names, kinds, row, strict=True)}
        for row in rows
    ]


def record_lists(result_fields: list[tuple[str, str]], rows: list[tuple[Any, ...]]) -> list[list[Any]]:
    kinds = [kind for _name, kind in result_fields]
    return [[query.json_value(kind, value) for kind, value in zip(kinds, row, strict=True)] for row in rows]


def run_sql(sql: str, *, may_read: Any) -> sqlguard.SqlResult:
    """Check and run a datastore_search_sql query; may_read(resource_id) decides access per table."""
    tokens = sqlguard.check_statement(sql)
    tables = dict(DataTable.objects.values_list("table_name", "resource_id"))
    by_resource = {resource_id: name for name, resource_id in tables.items()}
    rewritten = sqlguard.rewrite_resource_ids(tokens, by_resource.get)
    return sqlguard.run(
        rewritten,
        datastore_tables=tables,
        may_read=lambda table: bool(may_read(tables[table])),
        max_rows=conf.rows_max(),
        timeout_ms=conf.sql_timeout_ms(),
    )


def table_size(table: DataTable) -> tuple[int | None, int | None]:
    """(table bytes, index bytes) on PostgreSQL; (None, None) on SQLite."""
    if not naming.is_postgres():
        return None, None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_table_size(c.oid), pg_indexes_size(c.oid) FROM pg_class c "
            "WHERE c.relname = %s AND c.relnamespace = 'public'::regnamespace",
            [table.table_name],
        )
        row = cursor.fetchone()
    return (int(row[0]), int(row[1])) if row else (None, None)
