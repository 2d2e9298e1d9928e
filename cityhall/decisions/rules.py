"""Who may do what with bodies, meetings and decisions. One place; tests cover it per role."""

from __future__ import annotations

from typing import Any

from cityhall.accounts.contracts import Permission
from cityhall.accounts.facade import user_has_permission


def can_manage_decisions(user: Any) -> bool:
    """Council clerks record bodies, meetings, agendas, decisions and votes (city-wide)."""
    return bool(user_has_permission(user, Permission.MANAGE_DECISIONS))
