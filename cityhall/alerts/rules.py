"""Who may do what with alerts and incidents. One place; tests cover it per role."""

from __future__ import annotations

import uuid
from typing import Any

from cityhall.accounts.contracts import Permission
from cityhall.accounts.facade import user_has_permission


def can_author_alert(user: Any, *, department_id: uuid.UUID | None = None) -> bool:
    return bool(user_has_permission(user, Permission.AUTHOR_ALERTS, department_id=department_id))


def can_approve_alerts(user: Any, *, department_id: uuid.UUID | None = None) -> bool:
    """Holds the approver permission (for the alert's department); says nothing of whose alert."""
    return bool(user_has_permission(user, Permission.APPROVE_ALERTS, department_id=department_id))


def can_approve_alert(user: Any, *, author_id: uuid.UUID | None, department_id: uuid.UUID | None) -> bool:
    """The two-person rule: an approver, and not the one who submitted the message."""
    if not getattr(user, "is_authenticated", False) or author_id is None or user.pk == author_id:
        return False
    return can_approve_alerts(user, department_id=department_id)


def can_see_alert_drafts(user: Any) -> bool:
    return can_author_alert(user) or can_approve_alerts(user)


def can_manage_incidents(user: Any, *, department_id: uuid.UUID | None = None) -> bool:
    return bool(user_has_permission(user, Permission.MANAGE_INCIDENTS, department_id=department_id))


def can_escalate_to_incident(user: Any) -> bool:
    """Emergency managers, and the staff who handle the service request being escalated."""
    return can_manage_incidents(user) or bool(user_has_permission(user, Permission.HANDLE_SERVICE_REQUESTS))
