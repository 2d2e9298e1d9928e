"""One row by a unique key, for the few reads on every request of a hot path (the API token behind each
API call, the poll behind each ballot).

`Model.objects.get()` builds its SQL anew on every call: for a token with its user that is ~0.3 ms of
CPU, three times the round trip itself, and at hundreds of calls a second on two cores it is what the
server spends most on. Here the statement is built once per model, key and joined relation, from the
models' own metadata, and each row is turned into instances with `Model.from_db` and the fields' own
database converters, as the ORM does. Use it only where a profile shows the ORM's compile cost; the
ORM stays the way to read everything else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import ForeignKey, Model

M = TypeVar("M", bound=Model)

Converter = Callable[[Any, Any, Any], Any]


@dataclass(frozen=True)
class _Part:
    model: type[Model]
    attnames: tuple[str, ...]
    converters: tuple[tuple[int, Any, tuple[Converter, ...]], ...]  # (column index, column, converters)
    start: int
    stop: int
    relation: ForeignKey[Any, Any] | None  # how it hangs off the main row; None for the main model


@dataclass(frozen=True)
class _Plan:
    sql: str
    parts: tuple[_Part, ...]
    key_fields: tuple[Any, ...]
    extra: tuple[str, ...]


@lru_cache(maxsize=64)
def _plan(
    model: type[Model],
    keys: tuple[str, ...],
    related: tuple[str, ...],
    extra: tuple[tuple[str, str], ...],
    vendor: str,
) -> _Plan:
    quote = connection.ops.quote_name
    parts: list[_Part] = []
    columns: list[str] = []
    joins: list[str] = []
    sources: list[tuple[type[Model], str, ForeignKey[Any, Any] | None]] = [(model, "t0", None)]
    for number, name in enumerate(related, start=1):
        foreign_key = model._meta.get_field(name)
        if not isinstance(foreign_key, ForeignKey):
            raise TypeError(f"{model.__name__}.{name} is not a foreign key")
        target: type[Model] = foreign_key.related_model
        alias = f"t{number}"
        kind = "LEFT JOIN" if foreign_key.null else "JOIN"
        joins.append(
            f"{kind} {quote(target._meta.db_table)} {alias} "
            f"ON {alias}.{quote(str(foreign_key.target_field.column))} = t0.{quote(str(foreign_key.column))}"
        )
        sources.append((target, alias, foreign_key))
    for source, alias, relation in sources:
        fields = source._meta.concrete_fields
        start = len(columns)
        columns.extend(f"{alias}.{quote(str(field.column))}" for field in fields)
        converters = []
        for index, field in enumerate(fields):
            # As the ORM's compiler does: a foreign key converts as the field it points to.
            column = field.get_col(field.model._meta.db_table)
            found = (*connection.ops.get_db_converters(column), *column.get_db_converters(connection))
            if found:
                converters.append((index, column, found))
        parts.append(
            _Part(
                model=source,
                attnames=tuple(field.attname for field in fields),
                converters=tuple(converters),
                start=start,
                stop=len(columns),
                relation=relation,
            )
        )
    columns.extend(f"({expression})" for _name, expression in extra)
    key_fields: tuple[Any, ...] = tuple(model._meta.get_field(key) for key in keys)
    where = " AND ".join(f"t0.{quote(str(field.column))} = %s" for field in key_fields)
    # Names come from the models; the key values are parameters.
    sql = f"SELECT {', '.join(columns)} FROM {quote(model._meta.db_table)} t0 {' '.join(joins)} WHERE {where}"  # noqa: S608
    return _Plan(sql=sql, parts=tuple(parts), key_fields=key_fields, extra=tuple(name for name, _ in extra))


def _instance(part: _Part, row: Sequence[Any], db: BaseDatabaseWrapper) -> Model | None:
    values = list(row[part.start : part.stop])
    for index, column, converters in part.converters:
        for converter in converters:
            values[index] = converter(values[index], column, db)
    if part.relation is not None and all(value is None for value in values):
        return None  # nothing joined (a null foreign key)
    return part.model.from_db(db.alias, part.attnames, values)


def row_get(model: type[M], *, related: Sequence[str] = (), **unique: Any) -> M | None:
    """The instance of `model` whose columns equal `unique` (which must identify at most one row),
    with the foreign keys named in `related` joined and cached as select_related would; None if
    there is none. Values are prepared by the fields, as a filter would."""
    found = row_get_with(model, related=related, extra={}, **unique)
    return None if found is None else found[0]


def row_get_with(
    model: type[M], *, extra: Mapping[str, str], related: Sequence[str] = (), **unique: Any
) -> tuple[M, dict[str, Any]] | None:
    """row_get, and the values of `extra`: SQL expressions (constants, no parameters) read in the same
    statement, which may use the main row as `t0` and the joined ones as `t1`, `t2`… in `related`
    order. For a fact about the row that would otherwise cost a round trip of its own."""
    db = connections[DEFAULT_DB_ALIAS]  # once: each use of `connection` looks up the thread's
    plan = _plan(model, tuple(unique), tuple(related), tuple(extra.items()), db.vendor)
    parameters = [
        field.get_db_prep_value(field.get_prep_value(unique[field.name]), db) for field in plan.key_fields
    ]
    with db.cursor() as cursor:
        cursor.execute(plan.sql, parameters)
        row = cursor.fetchone()
    if row is None:
        return None
    main, *joined = plan.parts
    instance: Any = _instance(main, row, db)
    for part in joined:
        relation: Any = part.relation
        relation.set_cached_value(instance, _instance(part, row, db))
    extras = dict(zip(plan.extra, row[len(row) - len(plan.extra) :], strict=True))
    return instance, extras
