"""datastore_search: CKAN's parameters turned into one safe, parameterised SELECT.

Every column name is checked against the table's known columns and quoted; every value is a query
parameter. A bad parameter raises QueryError naming the parameter, which becomes CKAN's
"Validation Error" (409) or the native API's 400.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from cityhall.datastore import naming, tabular
from cityhall.datastore.models import DataTable

_SORT_ITEM = re.compile(
    r"^\s*(?P<name>\"[^\"]+\"|[^\s\"]+)(?:\s+(?P<dir>asc|desc))?(?:\s+nulls\s+(?P<nulls>first|last))?\s*$",
    re.I,
)
_RANGE_OPERATORS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


class QueryError(Exception):
    """A parameter is wrong: `field` names it (CKAN puts it under that key)."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass(frozen=True, slots=True)
class SearchParams:
    filters: dict[str, Any] = field(default_factory=dict)
    q: str | dict[str, str] | None = None
    fields: list[str] | None = None
    sort: str | None = None
    limit: int = 100
    offset: int = 0
    include_total: bool = True
    distinct: bool = False


@dataclass(frozen=True, slots=True)
class SearchResult:
    fields: list[tuple[str, str]]  # (id, CKAN type) of the returned columns
    rows: list[tuple[Any, ...]]
    total: int | None
    limit: int
    offset: int


def columns_of(table: DataTable) -> list[tuple[str, str]]:
    """Every column in table order, _id first, with its type."""
    return [("_id", tabular.INTEGER)] + [(c["id"], c["type"]) for c in table.columns]


# --- Parsing CKAN's loose parameters (strings from GET, JSON from POST) ---------------------


def as_bool(value: Any, name: str, default: bool) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "1", "yes", "on"}:
        return True
    if text in {"false", "0", "no", "off"}:
        return False
    raise QueryError(name, _("Use true or false."))


def as_int(value: Any, name: str, default: int, *, minimum: int = 0) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(str(value).strip()) if not isinstance(value, int) or isinstance(value, bool) else value
    except ValueError as error:
        raise QueryError(name, _("Give a whole number.")) from error
    if isinstance(number, bool) or number < minimum:
        raise QueryError(name, _("Give a whole number of at least %(min)d.") % {"min": minimum})
    return number


def as_json_object(value: Any, name: str) -> Any:
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if text[0] in "{[":
            try:
                return json.loads(text)
            except json.JSONDecodeError as error:
                raise QueryError(
                    name, _("This is not valid JSON: %(error)s.") % {"error": error.msg}
                ) from error
    return value


def as_field_list(value: Any, name: str) -> list[str] | None:
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, str):
        parsed = as_json_object(value, name)
        value = parsed if isinstance(parsed, list) else [part.strip() for part in value.split(",")]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise QueryError(name, _("Give a list of column names."))
    return [item.strip() for item in value if item.strip()]


def search_params(data: dict[str, Any], *, rows_max: int) -> SearchParams:
    filters = as_json_object(data.get("filters"), "filters") or {}
    if not isinstance(filters, dict):
        raise QueryError("filters", _('Give the filters as an object: {"column": value}.'))
    q = as_json_object(data.get("q"), "q")
    if q is not None and not isinstance(q, str | dict):
        raise QueryError("q", _('Give q as text or as an object {"column": "text"}.'))
    if q is None and data.get("full_text"):
        q = str(data["full_text"])
    sort = data.get("sort")
    if isinstance(sort, list):
        sort = ", ".join(str(item) for item in sort)
    limit = min(as_int(data.get("limit"), "limit", 100), rows_max)
    return SearchParams(
        filters=filters,
        q=q if q != "" else None,
        fields=as_field_list(data.get("fields"), "fields"),
        sort=str(sort) if sort else None,
        limit=limit,
        offset=as_int(data.get("offset"), "offset", 0),
        include_total=as_bool(data.get("include_total"), "include_total", True),
        distinct=as_bool(data.get("distinct"), "distinct", False),
    )


# --- Building the SELECT --------------------------------------------------------------------


def typed_value(kind: str, value: Any, column: str) -> Any:
    if value is None:
        return None
    if isinstance(value, bool) and kind == tabular.BOOLEAN:
        return value if naming.is_postgres() else int(value)
    text = str(value).strip() if not isinstance(value, str) else value
    if kind == tabular.TEXT:
        return text
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and kind in {tabular.INTEGER, tabular.NUMERIC}
    ):
        return value
    try:
        converted = tabular.convert(kind, text)
    except ValueError as error:
        raise QueryError(
            "filters",
            _("%(value)r is not a valid %(type)s for column %(column)s.")
            % {"value": value, "type": kind, "column": column},
        ) from error
    if kind == tabular.BOOLEAN and not naming.is_postgres():
        return int(converted)
    if kind == tabular.NUMERIC:
        return Decimal(text) if naming.is_postgres() else converted
    if naming.is_postgres() and kind == tabular.DATE:
        return dt.date.fromisoformat(text)
    if naming.is_postgres() and kind in {tabular.TIMESTAMP, tabular.TIMESTAMPTZ}:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return converted


def where_clause(table: DataTable, params: SearchParams) -> tuple[str, list[Any]]:
    kinds = dict(columns_of(table))
    clauses: list[str] = []
    args: list[Any] = []
    for name, wanted in params.filters.items():
        if name not in kinds:
            raise QueryError("filters", _("There is no column %(column)s.") % {"column": name})
        column = naming.quote(name)
        kind = kinds[name]
        if isinstance(wanted, dict):
            if not wanted or not set(wanted) <= set(_RANGE_OPERATORS):
                raise QueryError(
                    "filters", _("Use gt, gte, lt or lte in a range filter on %(column)s.") % {"column": name}
                )
            for operator, bound in wanted.items():
                clauses.append(f"{column} {_RANGE_OPERATORS[operator]} %s")
                args.append(typed_value(kind, bound, name))
        elif isinstance(wanted, list):
            if not wanted:
                clauses.append("1 = 0")
                continue
            values = [typed_value(kind, value, name) for value in wanted]
            clauses.append(f"{column} IN ({', '.join(['%s'] * len(values))})")
            args.extend(values)
        elif wanted is None:
            clauses.append(f"{column} IS NULL")
        else:
            clauses.append(f"{column} = %s")
            args.append(typed_value(kind, wanted, name))
    if params.q:
        like = "ILIKE" if naming.is_postgres() else "LIKE"
        escape = " ESCAPE '\\'"
        cast = "::text" if naming.is_postgres() else ""
        if isinstance(params.q, dict):
            for name, text in params.q.items():
                if name not in kinds:
                    raise QueryError("q", _("There is no column %(column)s.") % {"column": name})
                clauses.append(f"{naming.quote(name)}{cast} {like} %s{escape}")
                args.append(_like_pattern(str(text)))
        else:
            searchable = [naming.quote(name) for name, _kind in columns_of(table)[1:]]
            for word in str(params.q).split():
                alternatives = [f"{column}{cast} {like} %s{escape}" for column in searchable]
                clauses.append("(" + " OR ".join(alternatives) + ")")
                args.extend([_like_pattern(word)] * len(alternatives))
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", args


def _like_pattern(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def order_by(table: DataTable, sort: str | None) -> str:
    if not sort:
        return ' ORDER BY "_id"'
    kinds = dict(columns_of(table))
    parts = []
    for item in sort.split(","):
        match = _SORT_ITEM.match(item)
        if not match:
            raise QueryError("sort", _("Write sort as 'column', 'column desc' or 'a, b desc'."))
        name = match.group("name").strip('"')
        if name not in kinds:
            raise QueryError("sort", _("There is no column %(column)s to sort by.") % {"column": name})
        direction = (match.group("dir") or "asc").upper()
        nulls = match.group("nulls")
        parts.append(f"{naming.quote(name)} {direction}" + (f" NULLS {nulls.upper()}" if nulls else ""))
    return " ORDER BY " + ", ".join(parts)


def selected_fields(table: DataTable, params: SearchParams) -> list[tuple[str, str]]:
    columns = columns_of(table)
    if params.fields is None:
        return columns
    kinds = dict(columns)
    unknown = [name for name in params.fields if name not in kinds]
    if unknown:
        raise QueryError("fields", _("There is no column %(column)s.") % {"column": ", ".join(unknown)})
    return [(name, kinds[name]) for name in params.fields]


def search(table: DataTable, params: SearchParams) -> SearchResult:
    selected = selected_fields(table, params)
    where, args = where_clause(table, params)
    order = order_by(table, params.sort)
    source = naming.quote(table.table_name)
    select_list = ", ".join(naming.quote(name) for name, _kind in selected)
    distinct = "DISTINCT " if params.distinct else ""
    if params.distinct and not params.sort:
        order = ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {distinct}{select_list} FROM {source}{where}{order} LIMIT %s OFFSET %s",  # noqa: S608
            [*args, params.limit, params.offset],
        )
        rows = [tuple(row) for row in cursor.fetchall()]
        total = None
        if params.include_total:
            if params.distinct:
                cursor.execute(
                    f"SELECT COUNT(*) FROM (SELECT DISTINCT {select_list} FROM {source}{where}) AS d",  # noqa: S608
                    args,
                )
            elif not where:
                cursor.execute(f"SELECT COUNT(*) FROM {source}")  # noqa: S608
            else:
                cursor.execute(f"SELECT COUNT(*) FROM {source}{where}", args)  # noqa: S608
            total = int(cursor.fetchone()[0])
    return SearchResult(fields=selected, rows=rows, total=total, limit=params.limit, offset=params.offset)


def iter_rows(
    table: DataTable, params: SearchParams, *, max_rows: int, batch: int = 5_000
) -> Iterator[tuple[Any, ...]]:
    """Every matching row (for downloads), fetched in batches; keyset on _id when not sorted."""
    selected = selected_fields(table, params)
    where, args = where_clause(table, params)
    source = naming.quote(table.table_name)
    names = [name for name, _kind in selected]
    select_list = ", ".join(naming.quote(name) for name in ["_id", *names])
    sent = 0
    skip = params.offset
    remaining = max_rows if params.limit <= 0 else min(max_rows, params.limit)
    last_id: int | None = None
    while remaining > 0:
        size = min(batch, remaining)
        with connection.cursor() as cursor:
            if params.sort:
                order = order_by(table, params.sort) + ', "_id"'
                cursor.execute(
                    f"SELECT {select_list} FROM {source}{where}{order} LIMIT %s OFFSET %s",  # noqa: S608
                    [*args, size, skip + sent],
                )
            else:
                keyset = ""
                extra: list[Any] = []
                if last_id is not None:
                    keyset = (" AND " if where else " WHERE ") + '"_id" > %s'
                    extra = [last_id]
                offset = skip if last_id is None else 0
                cursor.execute(
                    f'SELECT {select_list} FROM {source}{where}{keyset} ORDER BY "_id" LIMIT %s OFFSET %s',  # noqa: S608
                    [*args, *extra, size, offset],
                )
            rows = cursor.fetchall()
        if not rows:
            return
        for row in rows:
            yield tuple(row[1:])
        last_id = rows[-1][0]
        sent += len(rows)
        remaining -= len(rows)
        if len(rows) < size:
            return


def json_value(kind: str, value: Any) -> Any:
    """A stored value as CKAN shows it in JSON."""
    if value is None:
        return None
    if kind == tabular.BOOLEAN:
        return bool(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and kind == tabular.INTEGER else float(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return value.astimezone(dt.UTC).isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
