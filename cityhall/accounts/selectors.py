"""Reads for accounts."""

from __future__ import annotations

from django.db.models import QuerySet

from cityhall.accounts import rules
from cityhall.accounts.contracts import DepartmentRef, UserSummary
from cityhall.accounts.models import ApiToken, Department, User


def api_tokens_of(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def department_list() -> QuerySet[Department]:
    return Department.objects.order_by("name")


def department_ref(department: Department) -> DepartmentRef:
    return DepartmentRef(
        id=department.pk,
        slug=department.slug,
        name=department.name,
        parent_id=department.parent_id,
        name_translations=dict(department.name_translations),
    )


def user_summary(user: User) -> UserSummary:
    return UserSummary(
        id=user.pk,
        email=user.email,
        display_name=user.get_full_name(),
        roles=rules.user_roles(user),
        is_staff_member=rules.is_staff_member(user),
    )
