"""Who works where: the departments a user may act for, a department's staff, API token callers."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Q

from cityhall.accounts import rules
from cityhall.accounts.contracts import ROLE_PERMISSIONS, ApiCaller, Permission, Role, UserSummary
from cityhall.accounts.models import Department, RoleAssignment, User
from cityhall.accounts.services import api_token_resolve


def _roles_granting(permission: Permission) -> set[Role]:
    return {role for role, granted in ROLE_PERMISSIONS.items() if permission in granted}


def departments_with_permission(user: Any, permission: Permission) -> frozenset[uuid.UUID]:
    """Every department where the user holds the permission (a department role covers its sub-departments)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    granting = _roles_granting(permission)
    parents: dict[uuid.UUID, uuid.UUID | None] = dict(Department.objects.values_list("id", "parent_id"))
    if Role.RESIDENT in granting:
        return frozenset(parents)
    assigned = {department for role, department in rules._assignments(user) if role in granting}
    if None in assigned:
        return frozenset(parents)
    covered = set()
    for department_id in parents:
        current: uuid.UUID | None = department_id
        seen: set[uuid.UUID] = set()
        while current is not None and current not in seen:
            if current in assigned:
                covered.add(department_id)
                break
            seen.add(current)
            current = parents.get(current)
    return frozenset(covered)


def users_with_permission(permission: Permission, *, department_id: uuid.UUID) -> list[UserSummary]:
    """Active accounts holding the permission for that department, by name (for assigning work)."""
    granting = _roles_granting(permission) - {Role.RESIDENT}
    lineage = rules.department_lineage(department_id)
    user_ids = (
        RoleAssignment.objects.filter(role__in=granting)
        .filter(Q(department__isnull=True) | Q(department_id__in=lineage))
        .values("user_id")
    )
    users = User.objects.filter(pk__in=user_ids, is_active=True).prefetch_related("role_assignments")
    summaries = [
        UserSummary(
            id=user.pk,
            email=user.email,
            display_name=user.get_full_name(),
            roles=frozenset({Role.RESIDENT, *(Role(a.role) for a in user.role_assignments.all())}),
            is_staff_member=True,
        )
        for user in users
    ]
    return sorted(summaries, key=lambda summary: summary.display_name.lower())


def user_for_api_token(secret: str) -> ApiCaller:
    """The caller behind an API token secret; raises ApiError(401) saying why a token is refused."""
    token = api_token_resolve(secret)
    return ApiCaller(token_id=token.pk, user=token.user)
