"""CKAN's datastore_* actions: the `result` object CKAN returns, or CKAN's error (CkanActionError).

The catalog's /api/3/action/<name> dispatcher wraps the result in CKAN's envelope.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from cityhall.catalog.contracts import CkanActionError
from cityhall.core.errors import PermissionDeniedError, ServiceError
from cityhall.datastore import catalog_link, editing, query, selectors, sqlguard
from cityhall.datastore.models import DataTable

ACTION_PATH = "/api/3/action/"


def _validation(field: str, message: str) -> CkanActionError:
    return CkanActionError("Validation Error", message, status=409, fields={field: [message]})


def _not_found(resource_id: Any) -> CkanActionError:
    return CkanActionError(
        "Not Found Error", _('Not found: Resource "%(id)s" was not found.') % {"id": resource_id}, status=404
    )


def _denied(resource_id: Any) -> CkanActionError:
    return CkanActionError(
        "Authorization Error",
        _("Access denied: User not authorized to read resource %(id)s") % {"id": resource_id},
        status=403,
    )


def _resource_id(data: dict[str, Any], *keys: str) -> uuid.UUID:
    raw = next((data[key] for key in keys if data.get(key) not in (None, "")), None)
    if raw is None:
        raise _validation(keys[0], _("Missing value"))
    resource_id = selectors.as_uuid(raw)
    if resource_id is None:
        raise _not_found(raw)
    return resource_id


def _readable_table(data: dict[str, Any], user: Any, *keys: str) -> DataTable:
    resource_id = _resource_id(data, *keys)
    ref = catalog_link.resource_ref(resource_id)
    table = selectors.table_for(resource_id)
    if ref is None or table is None:
        raise _not_found(resource_id)
    if not catalog_link.can_read(user, resource_id):
        raise _denied(resource_id)
    return table


def _field_dicts(fields: list[tuple[str, str]]) -> list[dict[str, Any]]:
    return [{"id": name, "type": kind} for name, kind in fields]


def datastore_search(data: dict[str, Any], user: Any) -> dict[str, Any]:
    table = _readable_table(data, user, "resource_id", "id")
    try:
        params, result = selectors.search(table, data)
    except query.QueryError as error:
        raise _validation(error.field, error.message) from error
    records_format = str(data.get("records_format") or "objects")
    if records_format not in {"objects", "lists", "csv", "tsv"}:
        raise _validation("records_format", _("Use objects, lists, csv or tsv."))
    resource_id = str(table.resource_id)
    answer: dict[str, Any] = {
        "include_total": params.include_total,
        "resource_id": resource_id,
        "fields": _field_dicts(result.fields),
        "records_format": records_format,
        "limit": result.limit,
    }
    if records_format == "objects":
        answer["records"] = selectors.records(result.fields, result.rows)
    elif records_format == "lists":
        answer["records"] = selectors.record_lists(result.fields, result.rows)
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="," if records_format == "csv" else "\t", lineterminator="\n")
        writer.writerows(selectors.record_lists(result.fields, result.rows))
        answer["records"] = buffer.getvalue()
    if params.filters:
        answer["filters"] = params.filters
    if params.q:
        answer["q"] = params.q
    if params.sort:
        answer["sort"] = params.sort
    if params.distinct:
        answer["distinct"] = True
    if data.get("offset") not in (None, ""):
        answer["offset"] = result.offset
    if result.total is not None:
        answer["total"] = result.total
        answer["total_was_estimated"] = False
    links = {"resource_id": resource_id}
    answer["_links"] = {
        "start": ACTION_PATH + "datastore_search?" + urlencode(links),
        "next": ACTION_PATH
        + "datastore_search?"
        + urlencode({"offset": result.offset + result.limit, **links}),
    }
    return answer


def datastore_search_sql(data: dict[str, Any], user: Any) -> dict[str, Any]:
    sql = data.get("sql")
    if not isinstance(sql, str) or not sql.strip():
        raise _validation("sql", _("Missing value"))
    try:
        result = selectors.run_sql(sql, may_read=lambda resource_id: catalog_link.can_read(user, resource_id))
    except sqlguard.UnsafeQueryError as error:
        if error.denied:
            raise CkanActionError(
                "Authorization Error", _("Access denied: %(reason)s") % {"reason": error.message}, status=403
            ) from error
        raise _validation("query", error.message) from error
    answer: dict[str, Any] = {
        "sql": sql,
        "fields": _field_dicts(result.columns),
        "records": selectors.records(result.columns, result.rows),
    }
    if result.truncated:
        answer["records_truncated"] = True
    return answer


_NATIVE = {"text": "text", "int": "int8", "numeric": "numeric", "bool": "bool", "date": "date"}


def datastore_info(data: dict[str, Any], user: Any) -> dict[str, Any]:
    table = _readable_table(data, user, "id", "resource_id")
    size, index_size = selectors.table_size(table)
    return {
        "meta": {
            "id": str(table.resource_id),
            "count": table.row_count,
            "table_type": "BASE TABLE",
            "size": size,
            "idx_size": index_size,
            "db_size": None,
            "aliases": [],
        },
        "fields": [
            {
                "id": column["id"],
                "type": column["type"],
                "schema": {
                    "native_type": _NATIVE.get(column["type"], column["type"]),
                    "notnull": False,
                    "index_name": None,
                    "is_index": False,
                    "uniquekey": False,
                },
            }
            for column in table.columns
        ],
    }


def _edit_call(
    data: dict[str, Any], user: Any, call: Callable[[uuid.UUID], dict[str, Any]]
) -> dict[str, Any]:
    resource_id = _resource_id(data, "resource_id", "id")
    if catalog_link.resource_ref(resource_id) is None:
        raise _not_found(resource_id)
    if not catalog_link.can_edit(user, resource_id):
        raise CkanActionError(
            "Authorization Error",
            _("Access denied: User not authorized to edit resource %(id)s") % {"id": resource_id},
            status=403,
        )
    try:
        return call(resource_id)
    except editing.EditError as error:
        raise _validation(error.field, error.message) from error
    except PermissionDeniedError as error:
        raise CkanActionError("Authorization Error", error.message, status=403) from error
    except ServiceError as error:
        raise _validation("resource_id", error.message) from error


def datastore_create(data: dict[str, Any], user: Any) -> dict[str, Any]:
    return _edit_call(
        data,
        user,
        lambda rid: editing.datastore_create(
            resource_id=rid, fields=data.get("fields"), records=data.get("records"), actor=user
        ),
    )


def datastore_upsert(data: dict[str, Any], user: Any) -> dict[str, Any]:
    return _edit_call(
        data,
        user,
        lambda rid: editing.datastore_upsert(
            resource_id=rid,
            records=data.get("records"),
            method=str(data.get("method") or "upsert"),
            dry_run=query.as_bool(data.get("dry_run"), "dry_run", False),
            actor=user,
        ),
    )


def datastore_delete(data: dict[str, Any], user: Any) -> dict[str, Any]:
    return _edit_call(
        data,
        user,
        lambda rid: editing.datastore_delete(resource_id=rid, filters=data.get("filters"), actor=user),
    )


ACTIONS: dict[str, Callable[[dict[str, Any], Any], dict[str, Any]]] = {
    "datastore_search": datastore_search,
    "datastore_search_sql": datastore_search_sql,
    "datastore_info": datastore_info,
    "datastore_create": datastore_create,
    "datastore_upsert": datastore_upsert,
    "datastore_delete": datastore_delete,
}
