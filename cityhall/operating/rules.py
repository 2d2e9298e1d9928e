"""Who may do what in the operating model. One place; tests/operating/test_permissions.py covers each role."""

from __future__ import annotations

import uuid
from typing import Any

from cityhall.accounts.contracts import Permission
from cityhall.accounts.facade import user_has_permission


def can_manage_operating_model(user: Any) -> bool:
    """The smart-city programme office: vision, roadmap, benefit map, registers, reviews."""
    return user_has_permission(user, Permission.MANAGE_OPERATING_MODEL)


def can_view_internal_records(user: Any) -> bool:
    """Risks, stakeholders, assets and assessments are for city staff, not published."""
    return user_has_permission(user, Permission.ACCESS_STAFF_AREA)


def can_work_on_benefit(user: Any, *, owner_id: Any, owner_department_id: uuid.UUID | None) -> bool:
    """Record measurements and delivery actions: the programme office, the benefit's owner, or staff
    of the owning department."""
    return _office_owner_or_department_staff(user, owner_id=owner_id, department_id=owner_department_id)


def can_work_on_project(user: Any, *, owner_id: Any, department_id: uuid.UUID | None) -> bool:
    """Self-assess a project against the principles, tick off milestones: the programme office, the
    project's owner, or staff of its department."""
    return _office_owner_or_department_staff(user, owner_id=owner_id, department_id=department_id)


def _office_owner_or_department_staff(user: Any, *, owner_id: Any, department_id: uuid.UUID | None) -> bool:
    if can_manage_operating_model(user):
        return True
    if not can_view_internal_records(user):
        return False
    if owner_id is not None and getattr(user, "pk", None) == owner_id:
        return True
    # A department role covers that department (and those inside it); a city-wide role covers all.
    return department_id is not None and user_has_permission(
        user, Permission.ACCESS_STAFF_AREA, department_id=department_id
    )


def can_record_indicator_value(user: Any, *, responsible_department_id: uuid.UUID | None) -> bool:
    """The programme office, or a data publisher for the department responsible for the indicator."""
    if can_manage_operating_model(user):
        return True
    if responsible_department_id is None:
        return False
    return user_has_permission(user, Permission.PUBLISH_DATASETS, department_id=responsible_department_id)
