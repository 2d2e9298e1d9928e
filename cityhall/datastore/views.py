"""DataStore pages: a table's load status and preview, and query results as CSV or JSON files."""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cityhall.accounts.contracts import Permission
from cityhall.accounts.facade import user_has_permission
from cityhall.core.csvsafe import safe_cell
from cityhall.core.errors import ApiError
from cityhall.datastore import catalog_link, conf, query, selectors, tabular
from cityhall.datastore.contracts import LoadState


def _caller(request: HttpRequest) -> Any:
    from cityhall.datastore.api import caller

    try:
        return caller(request)
    except ApiError as error:
        raise Http404(error.message) from error


class _Echo:
    """A file-like object whose write returns the line, for a streamed csv.writer."""

    def write(self, value: str) -> str:
        return value


@require_GET
def download(request: HttpRequest, resource_id: uuid.UUID, file_format: str) -> HttpResponseBase:
    """Query results (the same filters, q, fields and sort as a search) as a file."""
    if file_format not in {"csv", "json"}:
        raise Http404
    table = selectors.table_for(resource_id)
    if table is None or not catalog_link.can_read(_caller(request), resource_id):
        raise Http404(_("This resource has no DataStore table you can read."))
    data: dict[str, Any] = {key: request.GET.get(key) for key in ("filters", "q", "fields", "sort", "offset")}
    data["limit"] = request.GET.get("limit") or conf.download_rows_max()
    data["include_total"] = "false"
    maximum = conf.download_rows_max()
    try:
        params = query.search_params(data, rows_max=maximum)
        fields = query.selected_fields(table, params)
        query.where_clause(table, params)  # checks filters and q before the response starts
        query.order_by(table, params.sort)
    except query.QueryError as error:
        return HttpResponse(
            f"{error.field}: {error.message}\n", status=400, content_type="text/plain; charset=utf-8"
        )
    rows = query.iter_rows(table, params, max_rows=maximum)
    stem = f"{table.source_name.rsplit('.', 1)[0] or 'data'}"[:80] or "data"
    if file_format == "csv":
        bom = request.GET.get("bom", "").lower() in {"1", "true", "yes"}
        response = StreamingHttpResponse(
            _csv_lines(fields, rows, bom=bom), content_type="text/csv; charset=utf-8"
        )
    else:
        response = StreamingHttpResponse(_json_chunks(fields, rows), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{_ascii(stem)}.{file_format}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _ascii(name: str) -> str:
    cleaned = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in name)
    return cleaned or "data"


def _csv_lines(fields: list[tuple[str, str]], rows: Iterator[tuple[Any, ...]], *, bom: bool) -> Iterator[str]:
    writer = csv.writer(_Echo())
    if bom:
        yield "\ufeff"
    yield writer.writerow([safe_cell(name) for name, _kind in fields])
    kinds = [kind for _name, kind in fields]
    for row in rows:
        # Text cells that a spreadsheet would run as a formula are made plain; typed numbers stay numbers.
        yield writer.writerow(
            [
                safe_cell(value)
                if kind == tabular.TEXT
                else ("" if value is None else query.json_value(kind, value))
                for kind, value in zip(kinds, row, strict=True)
            ]
        )


def _json_chunks(fields: list[tuple[str, str]], rows: Iterator[tuple[Any, ...]]) -> Iterator[str]:
    yield '{"fields": ' + json.dumps([{"id": n, "type": k} for n, k in fields]) + ', "records": ['
    names = [name for name, _kind in fields]
    kinds = [kind for _name, kind in fields]
    first = True
    for row in rows:
        record = {n: query.json_value(k, v) for n, k, v in zip(names, kinds, row, strict=True)}
        yield ("" if first else ", ") + json.dumps(record, cls=DjangoJSONEncoder, ensure_ascii=False)
        first = False
    yield "]}\n"


@require_GET
def table_page(request: HttpRequest, resource_id: uuid.UUID) -> HttpResponse:
    """A resource's load status (refreshing itself while loading) and its first rows."""
    status = selectors.load_status(resource_id)
    if status is None or not catalog_link.can_read(_caller(request), resource_id):
        raise Http404(_("This resource has never been loaded into the DataStore."))
    preview = selectors.preview(resource_id, 20) if status.datastore_active else None
    return render(
        request,
        "datastore/table.html",
        {
            "status": status,
            "preview": preview,
            "loading": status.state in {LoadState.QUEUED, LoadState.RUNNING},
            "resource_id": resource_id,
        },
    )


STAFF_LOADS_SHOWN = 50


@login_required
@require_GET
def staff_loads(request: HttpRequest) -> HttpResponse:
    """Data publishers: the latest loads of the resources they may edit, failures first to see."""
    if not user_has_permission(request.user, Permission.PUBLISH_DATASETS):
        raise PermissionDenied
    allowed: dict[uuid.UUID, bool] = {}
    rows = []
    for status in selectors.recent_loads(limit=4 * STAFF_LOADS_SHOWN):
        if status.resource_id not in allowed:
            allowed[status.resource_id] = catalog_link.can_edit(request.user, status.resource_id)
        if allowed[status.resource_id]:
            rows.append(status)
        if len(rows) >= STAFF_LOADS_SHOWN:
            break
    return render(request, "datastore/staff/loads.html", {"loads": rows})
