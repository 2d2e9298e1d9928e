"""datastore_create, datastore_upsert and datastore_delete: changing a table through the CKAN API.

Each call runs in one transaction with its audit row: a bad record anywhere rolls back the whole call.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.accounts.facade import audit_actor
from cityhall.core.audit import Actor, audit_record
from cityhall.datastore import naming, query, tabular
from cityhall.datastore.models import DataTable

# CKAN type names (and PostgreSQL's) to the DataStore's column types.
TYPE_NAMES = {
    "text": tabular.TEXT,
    "varchar": tabular.TEXT,
    "int": tabular.INTEGER,
    "int4": tabular.INTEGER,
    "int8": tabular.INTEGER,
    "integer": tabular.INTEGER,
    "bigint": tabular.INTEGER,
    "numeric": tabular.NUMERIC,
    "float": tabular.NUMERIC,
    "float8": tabular.NUMERIC,
    "double precision": tabular.NUMERIC,
    "bool": tabular.BOOLEAN,
    "boolean": tabular.BOOLEAN,
    "date": tabular.DATE,
    "timestamp": tabular.TIMESTAMP,
    "timestamptz": tabular.TIMESTAMPTZ,
}


class EditError(Exception):
    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


def _actor(user: Any) -> Actor:
    return Actor.system("datastore") if user is None else audit_actor(user)


def _parse_fields(fields: Any) -> list[tuple[str, str]]:
    if fields is None:
        return []
    if not isinstance(fields, list) or not all(
        isinstance(f, dict) and isinstance(f.get("id"), str) for f in fields
    ):
        raise EditError("fields", _('Give fields as a list of objects: [{"id": "name", "type": "text"}].'))
    parsed: list[tuple[str, str]] = []
    for item in fields:
        name = item["id"]
        type_name = str(item.get("type") or "text").strip().lower()
        if type_name not in TYPE_NAMES:
            raise EditError(
                "fields",
                _("The type %(type)s of field %(field)s is not supported.")
                % {"type": type_name, "field": name},
            )
        parsed.append((name, TYPE_NAMES[type_name]))
    problems = tabular.header_problems([name for name, _kind in parsed])
    if problems:
        raise EditError("fields", problems[0].message)
    return parsed


def _records(records: Any) -> list[dict[str, Any]]:
    if records is None:
        return []
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise EditError("records", _("Give records as a list of objects."))
    return records


def _stored(kind: str, value: Any, column: str, position: int) -> Any:
    if value is None or value == "":
        return None
    try:
        return query.typed_value(kind, value, column)
    except query.QueryError as error:
        raise EditError(
            "records", _("Record %(n)d: %(message)s") % {"n": position, "message": error.message}
        ) from error


def _insert(table: DataTable, records: list[dict[str, Any]]) -> None:
    kinds = dict(query.columns_of(table))
    for position, record in enumerate(records, start=1):
        unknown = [key for key in record if key not in kinds or key == "_id"]
        if unknown:
            raise EditError(
                "records",
                _("Record %(n)d has unknown fields: %(fields)s.")
                % {"n": position, "fields": ", ".join(unknown)},
            )
        names = list(record)
        values = [_stored(kinds[name], record[name], name, position) for name in names]
        columns = ", ".join(naming.quote(name) for name in names)
        with connection.cursor() as cursor:
            if names:
                placeholders = ", ".join(["%s"] * len(values))
                cursor.execute(
                    f"INSERT INTO {naming.quote(table.table_name)} ({columns}) VALUES ({placeholders})",  # noqa: S608
                    values,
                )
            else:
                cursor.execute(f"INSERT INTO {naming.quote(table.table_name)} DEFAULT VALUES")


def _recount(table: DataTable) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {naming.quote(table.table_name)}")  # noqa: S608
        table.row_count = int(cursor.fetchone()[0])
    table.loaded_at = timezone.now()
    table.save(update_fields=["row_count", "columns", "loaded_at", "updated_at"])


def datastore_create(*, resource_id: uuid.UUID, fields: Any, records: Any, actor: Any) -> dict[str, Any]:
    """Create the table (or add columns to it) and append records."""
    wanted = _parse_fields(fields)
    rows = _records(records)
    with transaction.atomic():
        table = DataTable.objects.select_for_update().filter(pk=resource_id).first()
        if table is None:
            if not wanted and rows:
                wanted = [(key, tabular.TEXT) for key in rows[0] if key != "_id"]
            if not wanted:
                raise EditError("fields", _("Missing value"))
            table = DataTable(
                resource_id=resource_id,
                table_name=naming.live_table(resource_id),
                columns=[{"id": n, "type": k} for n, k in wanted],
                source_name="datastore_create",
            )
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {naming.quote(table.table_name)}")
                cursor.execute(naming.create_table_sql(table.table_name, wanted))
            table.save(force_insert=True)
        else:
            existing = {c["id"]: c["type"] for c in table.columns}
            for name, kind in wanted:
                if name in existing and existing[name] != kind:
                    raise EditError(
                        "fields",
                        _("Field %(field)s is already %(old)s; it cannot become %(new)s.")
                        % {"field": name, "old": existing[name], "new": kind},
                    )
                if name not in existing:
                    with connection.cursor() as cursor:
                        cursor.execute(
                            f"ALTER TABLE {naming.quote(table.table_name)} "
                            f"ADD COLUMN {naming.quote(name)} {naming.column_sql_type(kind)}"
                        )
                    table.columns = [*table.columns, {"id": name, "type": kind}]
        _insert(table, rows)
        _recount(table)
        audit_record(
            actor=_actor(actor),
            action="datastore.create",
            object_type="catalog.resource",
            object_id=str(resource_id),
            data={"records": len(rows), "fields": [c["id"] for c in table.columns]},
        )
    return {
        "resource_id": str(resource_id),
        "fields": [{"id": c["id"], "type": c["type"]} for c in table.columns],
        "method": "insert",
    }


def datastore_upsert(
    *, resource_id: uuid.UUID, records: Any, method: str, dry_run: bool, actor: Any
) -> dict[str, Any]:
    """insert appends; update changes the rows named by _id; upsert updates those with an _id and
    appends those without (the DataStore has no other keys)."""
    if method not in {"insert", "update", "upsert"}:
        raise EditError("method", _("Use insert, update or upsert."))
    rows = _records(records)
    with transaction.atomic():
        table = DataTable.objects.select_for_update().filter(pk=resource_id).first()
        if table is None:
            raise EditError("resource_id", _("This resource has no DataStore table: create it first."))
        kinds = dict(query.columns_of(table))
        if method == "insert":
            _insert(table, rows)
        else:
            for position, record in enumerate(rows, start=1):
                if record.get("_id") in (None, ""):
                    if method == "update":
                        raise EditError(
                            "records", _("Record %(n)d needs an _id to update.") % {"n": position}
                        )
                    _insert(table, [record])  # upsert without a key: a new row
                    continue
                unknown = [key for key in record if key not in kinds]
                if unknown:
                    raise EditError(
                        "records",
                        _("Record %(n)d has unknown fields: %(fields)s.")
                        % {"n": position, "fields": ", ".join(unknown)},
                    )
                row_id = _stored(tabular.INTEGER, record["_id"], "_id", position)
                names = [key for key in record if key != "_id"]
                values = [_stored(kinds[name], record[name], name, position) for name in names]
                assignments = ", ".join(f"{naming.quote(name)} = %s" for name in names) or '"_id" = "_id"'
                with connection.cursor() as cursor:
                    cursor.execute(
                        f'UPDATE {naming.quote(table.table_name)} SET {assignments} WHERE "_id" = %s',  # noqa: S608
                        [*values, row_id],
                    )
                    updated = cursor.rowcount
                if not updated:
                    # _id is the DataStore's own row number: it is never chosen by the caller.
                    raise EditError(
                        "records",
                        _("Record %(n)d: there is no row with _id %(id)s.") % {"n": position, "id": row_id},
                    )
        _recount(table)
        audit_record(
            actor=_actor(actor),
            action="datastore.upsert",
            object_type="catalog.resource",
            object_id=str(resource_id),
            data={"records": len(rows), "method": method, "dry_run": dry_run},
        )
        if dry_run:
            transaction.set_rollback(True)
    return {"resource_id": str(resource_id), "method": method}


def datastore_delete(*, resource_id: uuid.UUID, filters: Any, actor: Any) -> dict[str, Any]:
    """Delete the rows matching filters, or the whole table when there are none."""
    parsed = query.as_json_object(filters, "filters") if filters is not None else None
    if parsed is not None and not isinstance(parsed, dict):
        raise EditError("filters", _('Give the filters as an object: {"column": value}.'))
    with transaction.atomic():
        table = DataTable.objects.select_for_update().filter(pk=resource_id).first()
        if table is None:
            raise EditError("resource_id", _("This resource has no DataStore table."))
        if parsed:
            try:
                where, args = query.where_clause(table, query.SearchParams(filters=parsed))
            except query.QueryError as error:
                raise EditError(error.field, error.message) from error
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {naming.quote(table.table_name)}{where}", args)  # noqa: S608
            _recount(table)
        else:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {naming.quote(table.table_name)}")
            table.delete()
        audit_record(
            actor=_actor(actor),
            action="datastore.delete",
            object_type="catalog.resource",
            object_id=str(resource_id),
            data={"filters": parsed or {}},
        )
    answer: dict[str, Any] = {"resource_id": str(resource_id)}
    if parsed:
        answer["filters"] = parsed
    return answer
