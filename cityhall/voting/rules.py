"""Who may do what with polls and budgets. One place; tests cover it per role."""

from __future__ import annotations

import uuid
from typing import Any

from cityhall.accounts.contracts import Permission
from cityhall.accounts.facade import user_has_permission


def can_manage_voting(user: Any, *, department_id: uuid.UUID | None = None) -> bool:
    """Engagement staff (moderators) run polls and budgets."""
    return bool(user_has_permission(user, Permission.MANAGE_ENGAGEMENT, department_id=department_id))


def can_vote(user: Any) -> bool:
    """Holding the permission to take part; each process adds its own eligibility (assurance, district)."""
    return bool(user_has_permission(user, Permission.PARTICIPATE))
