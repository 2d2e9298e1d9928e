"""The datastore module as other apps see it. Import from here and from contracts, nothing else."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any

from cityhall.catalog.contracts import CkanActionError
from cityhall.datastore import ckan, selectors, services
from cityhall.datastore.contracts import LoadStatus

DATASTORE_ACTIONS: frozenset[str] = frozenset(ckan.ACTIONS)
# Read actions: CKAN allows them over GET (side_effect_free).
DATASTORE_READ_ACTIONS: frozenset[str] = frozenset(
    {"datastore_search", "datastore_search_sql", "datastore_info"}
)


def datastore_load(*, resource_id: uuid.UUID, actor: Any) -> None:
    """Queue a load of the resource's CSV or XLSX file into its table (after the caller commits)."""
    services.datastore_load(resource_id=resource_id, actor=actor)


def datastore_status(resource_id: uuid.UUID) -> LoadStatus | None:
    """The latest load of the resource (state, progress, errors with row and column), or None."""
    return selectors.load_status(resource_id)


def datastore_active(resource_id: uuid.UUID) -> bool:
    return bool(selectors.active_ids([resource_id]))


def datastore_active_ids(resource_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """The resources among these that have a queryable table (one query)."""
    return selectors.active_ids(resource_ids)


def datastore_drop(*, resource_id: uuid.UUID) -> None:
    """Remove the resource's table, if it has one."""
    services.datastore_drop(resource_id=resource_id)


def datastore_preview(resource_id: uuid.UUID, rows: int = 10) -> tuple[list[str], list[list[str]]] | None:
    """Column names and the first rows as text, or None when the resource has no table."""
    return selectors.preview(resource_id, rows)


def ckan_datastore_action(name: str, data: dict[str, Any], user: Any) -> dict[str, Any]:
    """Run a CKAN datastore_* action; returns CKAN's `result` or raises CkanActionError."""
    action = ckan.ACTIONS.get(name)
    if action is None:
        raise CkanActionError("Bad request", f"Bad request: Action name not known: {name}", status=400)
    return action(data, user)


def demo_load(log: Callable[[str], None]) -> None:
    """Load this module's part of the demo city (safe to run again)."""
    from cityhall.datastore.demo import demo_load as load

    load(log)
