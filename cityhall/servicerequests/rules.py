"""Who may work a request: named rules over the accounts facade's permissions."""

from __future__ import annotations

import uuid
from typing import Any

from cityhall.accounts.contracts import Permission
from cityhall.accounts.facade import departments_with_permission, user_has_permission


def can_handle_requests(user: Any, *, department_id: uuid.UUID) -> bool:
    """Department staff work the requests routed to their department (and its sub-departments)."""
    return user_has_permission(user, Permission.HANDLE_SERVICE_REQUESTS, department_id=department_id)


def can_work_any_queue(user: Any) -> bool:
    return user_has_permission(user, Permission.HANDLE_SERVICE_REQUESTS)


def handled_departments(user: Any) -> frozenset[uuid.UUID]:
    return departments_with_permission(user, Permission.HANDLE_SERVICE_REQUESTS)


def can_report(user: Any) -> bool:
    """Anyone may report, signed in or not; a signed-in account must be allowed to take part."""
    if not getattr(user, "is_authenticated", False):
        return True
    return user_has_permission(user, Permission.PARTICIPATE)


def can_record_for_residents(user: Any) -> bool:
    """Any staff member can record a request for a resident at a counter or on the phone."""
    return user_has_permission(user, Permission.ACCESS_STAFF_AREA)
