"""Permission rules: who may do what, and where. One place; a test per role covers it."""

from __future__ import annotations

import uuid
from typing import Any

from cityhall.accounts.contracts import ROLE_PERMISSIONS, STAFF_ROLES, Permission, Role
from cityhall.accounts.models import Department, RoleAssignment

_CACHE_ATTR = "_cityhall_role_assignments"


def _assignments(user: Any) -> list[tuple[Role, uuid.UUID | None]]:
    """The user's (role, department) pairs, loaded once per user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = [
            (Role(role), department_id)
            for role, department_id in RoleAssignment.objects.filter(user_id=user.pk).values_list(
                "role", "department_id"
            )
        ]
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_cached_roles(user: Any) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def department_lineage(department_id: uuid.UUID) -> set[uuid.UUID]:
    """The department and every department it is part of."""
    lineage: set[uuid.UUID] = set()
    current: uuid.UUID | None = department_id
    while current is not None and current not in lineage:
        lineage.add(current)
        current = Department.objects.filter(pk=current).values_list("parent_id", flat=True).first()
    return lineage


def user_roles(user: Any) -> frozenset[Role]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    return frozenset({Role.RESIDENT, *(role for role, _ in _assignments(user))})


def user_permissions(user: Any, *, department_id: uuid.UUID | None = None) -> frozenset[Permission]:
    """What the user may do; with department_id, only what applies to that department."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    granted: set[Permission] = set(ROLE_PERMISSIONS[Role.RESIDENT])
    lineage = department_lineage(department_id) if department_id else None
    for role, assigned_department in _assignments(user):
        applies = lineage is None or assigned_department is None or assigned_department in lineage
        if applies:
            granted |= ROLE_PERMISSIONS[role]
    return frozenset(granted)


def user_has_permission(user: Any, permission: Permission, *, department_id: uuid.UUID | None = None) -> bool:
    if permission in ROLE_PERMISSIONS[Role.RESIDENT]:
        # Every active account is a resident everywhere: no need to read its other roles.
        return bool(getattr(user, "is_authenticated", False) and user.is_active)
    return permission in user_permissions(user, department_id=department_id)


def is_staff_member(user: Any) -> bool:
    """Anyone with a staff role, and any superuser (say, from createsuperuser): they work at AAL2."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return any(role in STAFF_ROLES for role in user_roles(user))


def can_access_staff_area(user: Any) -> bool:
    return user_has_permission(user, Permission.ACCESS_STAFF_AREA)


def can_manage_users(user: Any) -> bool:
    return user_has_permission(user, Permission.MANAGE_USERS)


def can_manage_departments(user: Any) -> bool:
    return user_has_permission(user, Permission.MANAGE_DEPARTMENTS)


def can_view_audit_log(user: Any) -> bool:
    return user_has_permission(user, Permission.VIEW_AUDIT_LOG)


def can_revoke_api_token(user: Any, *, token_owner_id: uuid.UUID) -> bool:
    return user.is_authenticated and (user.pk == token_owner_id or can_manage_users(user))
