"""The catalog as the DataStore sees it: resources, and who may read or change them."""

from __future__ import annotations

import uuid
from typing import Any

from cityhall.catalog import facade as catalog_facade
from cityhall.catalog.contracts import ResourceRef


def resource_ref(resource_id: uuid.UUID) -> ResourceRef | None:
    return catalog_facade.resource_ref(resource_id)


def can_read(user: Any, resource_id: uuid.UUID) -> bool:
    return bool(catalog_facade.user_can_read_resource(user, resource_id))


def can_edit(user: Any, resource_id: uuid.UUID) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(catalog_facade.user_can_edit_resource(user, resource_id))
