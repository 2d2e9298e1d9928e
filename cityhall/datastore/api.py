"""DataStore under /api/v1/catalog/datastore/: search, SQL, table info, load status and loads.

The same queries as CKAN's datastore_search and datastore_search_sql, in the platform's own shapes
and error body. Public resources are readable without a token; private ones need the token of
someone the catalog lets read them. Query results download as CSV or JSON from /data/datastore/.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from cityhall.accounts.facade import user_for_api_token
from cityhall.core.api import ERROR_RESPONSES
from cityhall.core.errors import ApiError, FieldError, PermissionDeniedError, ServiceError
from cityhall.datastore import catalog_link, query, selectors, services, sqlguard
from cityhall.datastore.contracts import LoadStatus
from cityhall.datastore.models import DataTable

router = Router(tags=["DataStore"])


def caller(request: HttpRequest) -> Any:
    """The token's owner, the signed-in user, or None (anonymous)."""
    header = request.headers.get("Authorization", "").strip()
    if header:
        scheme, _sep, rest = header.partition(" ")
        secret = rest.strip() if rest and scheme.lower() in {"bearer", "token"} else header
        return user_for_api_token(secret).user
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def readable_table(request: HttpRequest, resource_id: uuid.UUID) -> DataTable:
    table = selectors.table_for(resource_id)
    if table is None or not catalog_link.can_read(caller(request), resource_id):
        raise ApiError(404, "not_found", _("This resource has no DataStore table you can read."))
    return table


def _query_error(error: query.QueryError) -> ApiError:
    return ApiError(
        400,
        "invalid_query",
        error.message,
        [FieldError(location=f"query.{error.field}", message=error.message)],
    )


# --- Schemas --------------------------------------------------------------------------------


class FieldOut(Schema):
    id: str
    type: str = Field(..., description="text, int, numeric, bool, date, timestamp or timestamptz.")


class SearchIn(Schema):
    filters: str | None = Field(
        None, description='JSON object: {"column": value}, a list of values, or {"gte": x}.'
    )
    q: str | None = Field(None, description="Text searched in every column (case-insensitive).")
    fields: str | None = Field(None, description="Comma-separated columns to return (default: all).")
    sort: str | None = Field(None, description="'column', 'column desc' or 'a, b desc'.")
    limit: int = Field(100, ge=0)
    offset: int = Field(0, ge=0)
    include_total: bool = True


class SearchOut(Schema):
    resource_id: uuid.UUID
    fields: list[FieldOut]
    records: list[dict[str, Any]]
    total: int | None
    limit: int
    offset: int
    download_csv: str
    download_json: str


class SqlIn(Schema):
    sql: str = Field(
        ..., description="One SELECT over DataStore tables; name a table by its resource id in double quotes."
    )


class SqlOut(Schema):
    fields: list[FieldOut]
    records: list[dict[str, Any]]
    records_truncated: bool


class TableOut(Schema):
    resource_id: uuid.UUID
    table_name: str
    fields: list[FieldOut]
    row_count: int
    loaded_at: dt.datetime | None
    source_name: str


class ProblemOut(Schema):
    row: int | None
    column: str | None
    message: str


class StatusOut(Schema):
    resource_id: uuid.UUID
    state: str = Field(..., description="queued, running, done or failed.")
    rows_loaded: int
    rows_total: int | None
    bytes_done: int
    bytes_total: int | None
    percent: int | None
    errors: list[ProblemOut]
    warnings: list[ProblemOut]
    queued_at: dt.datetime | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    datastore_active: bool


def status_out(status: LoadStatus) -> dict[str, Any]:
    return {
        "resource_id": status.resource_id,
        "state": status.state,
        "rows_loaded": status.rows_loaded,
        "rows_total": status.rows_total,
        "bytes_done": status.bytes_done,
        "bytes_total": status.bytes_total,
        "percent": status.percent,
        "errors": [{"row": p.row, "column": p.column, "message": p.message} for p in status.errors],
        "warnings": [{"row": p.row, "column": p.column, "message": p.message} for p in status.warnings],
        "queued_at": status.queued_at,
        "started_at": status.started_at,
        "finished_at": status.finished_at,
        "datastore_active": status.datastore_active,
    }


def download_links(resource_id: uuid.UUID, data: dict[str, Any]) -> tuple[str, str]:
    kept = {k: v for k, v in data.items() if k in {"filters", "q", "fields", "sort"} and v not in (None, "")}
    suffix = ("?" + urlencode(kept)) if kept else ""
    return (
        reverse("datastore:download", kwargs={"resource_id": resource_id, "file_format": "csv"}) + suffix,
        reverse("datastore:download", kwargs={"resource_id": resource_id, "file_format": "json"}) + suffix,
    )


# --- Operations -----------------------------------------------------------------------------


@router.get(
    "/sql",
    response={200: SqlOut, **ERROR_RESPONSES},
    auth=None,
    summary="Run one read-only SELECT over DataStore tables",
)
def sql_run(request: HttpRequest, params: Query[SqlIn]) -> dict[str, Any]:
    user = caller(request)
    try:
        result = selectors.run_sql(
            params.sql, may_read=lambda resource_id: catalog_link.can_read(user, resource_id)
        )
    except sqlguard.UnsafeQueryError as error:
        if error.denied:
            raise ApiError(403, "permission_denied", error.message) from error
        raise ApiError(
            400, "invalid_query", error.message, [FieldError(location="query.sql", message=error.message)]
        ) from error
    return {
        "fields": [{"id": name, "type": kind} for name, kind in result.columns],
        "records": selectors.records(result.columns, result.rows),
        "records_truncated": result.truncated,
    }


@router.get(
    "/{resource_id}",
    response={200: TableOut, **ERROR_RESPONSES},
    auth=None,
    summary="A resource's DataStore table: columns and row count",
)
def table_show(request: HttpRequest, resource_id: uuid.UUID) -> dict[str, Any]:
    table = readable_table(request, resource_id)
    return {
        "resource_id": table.resource_id,
        "table_name": table.table_name,
        "fields": [{"id": "_id", "type": "int"}]
        + [{"id": c["id"], "type": c["type"]} for c in table.columns],
        "row_count": table.row_count,
        "loaded_at": table.loaded_at,
        "source_name": table.source_name,
    }


@router.get(
    "/{resource_id}/search",
    response={200: SearchOut, **ERROR_RESPONSES},
    auth=None,
    summary="Search a resource's table: filters, q, fields, sort, limit, offset",
)
def table_search(request: HttpRequest, resource_id: uuid.UUID, params: Query[SearchIn]) -> dict[str, Any]:
    table = readable_table(request, resource_id)
    data = params.dict()
    try:
        _params, result = selectors.search(table, data)
    except query.QueryError as error:
        raise _query_error(error) from error
    csv_link, json_link = download_links(resource_id, data)
    return {
        "resource_id": resource_id,
        "fields": [{"id": name, "type": kind} for name, kind in result.fields],
        "records": selectors.records(result.fields, result.rows),
        "total": result.total,
        "limit": result.limit,
        "offset": result.offset,
        "download_csv": csv_link,
        "download_json": json_link,
    }


@router.get(
    "/{resource_id}/status",
    response={200: StatusOut, **ERROR_RESPONSES},
    auth=None,
    summary="Progress and problems of the latest load",
)
def load_status(request: HttpRequest, resource_id: uuid.UUID) -> dict[str, Any]:
    status = selectors.load_status(resource_id)
    if status is None or not catalog_link.can_read(caller(request), resource_id):
        raise ApiError(404, "not_found", _("This resource has never been loaded into the DataStore."))
    return status_out(status)


@router.post(
    "/{resource_id}/load",
    response={202: StatusOut, **ERROR_RESPONSES},
    summary="Load (or reload) the resource's file into its table, as a background task",
)
def load_start(request: HttpRequest, resource_id: uuid.UUID) -> Status[dict[str, Any]]:
    try:
        services.datastore_load(resource_id=resource_id, actor=request.auth)  # type: ignore[attr-defined]
    except PermissionDeniedError as error:
        raise ApiError(403, "permission_denied", error.message) from error
    except ServiceError as error:
        raise ApiError(error.status, error.code, error.message) from error
    status = selectors.load_status(resource_id)
    assert status is not None
    return Status(202, status_out(status))
