"""Who may manage harvesting: data publishers (for their departments) and administrators."""

from __future__ import annotations

import uuid
from typing import Any

from cityhall.accounts.contracts import Permission, Role
from cityhall.accounts.facade import user_has_permission, user_roles


def is_administrator(user: Any) -> bool:
    return Role.ADMINISTRATOR in user_roles(user)


def can_see_harvesting(user: Any) -> bool:
    """Any data publisher (any department) or administrator may open the harvest pages."""
    return user_has_permission(user, Permission.PUBLISH_DATASETS) or is_administrator(user)


def can_manage_harvest(user: Any, department_id: uuid.UUID) -> bool:
    """Add or run a source that publishes into this department."""
    return is_administrator(user) or user_has_permission(
        user, Permission.PUBLISH_DATASETS, department_id=department_id
    )
