"""The permission matrix: one test per role, through the rules and through HTTP."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from cityhall.accounts import rules
from cityhall.accounts.contracts import Permission as P
from cityhall.accounts.contracts import Role
from cityhall.accounts.models import Department, RoleAssignment, User

pytestmark = pytest.mark.django_db

BASE = {P.PARTICIPATE, P.MANAGE_OWN_API_TOKENS}
STAFF = BASE | {P.ACCESS_STAFF_AREA}

EXPECTED = {
    Role.RESIDENT: BASE,
    Role.DEPARTMENT_STAFF: STAFF
    | {P.HANDLE_SERVICE_REQUESTS, P.EDIT_CITY_INFORMATION, P.SIGN_DOCUMENTS, P.EXCHANGE_PERSONAL_DATA},
    Role.MODERATOR: STAFF | {P.MODERATE_CONTRIBUTIONS, P.MANAGE_ENGAGEMENT},
    Role.DATA_PUBLISHER: STAFF | {P.PUBLISH_DATASETS},
    Role.EMERGENCY_MANAGER: STAFF | {P.AUTHOR_ALERTS, P.APPROVE_ALERTS, P.MANAGE_INCIDENTS},
    Role.COUNCIL_CLERK: STAFF | {P.MANAGE_DECISIONS, P.HANDLE_FOI_REQUESTS, P.SIGN_DOCUMENTS},
    Role.ADMINISTRATOR: STAFF
    | {
        P.MANAGE_USERS,
        P.MANAGE_DEPARTMENTS,
        P.VIEW_AUDIT_LOG,
        P.EDIT_CITY_INFORMATION,
        P.MANAGE_OPERATING_MODEL,
    },
}

# What each role gets from three guarded entry points: staff area, audit log API, department API.
HTTP_EXPECTED = {
    Role.RESIDENT: (403, 403, 403),
    Role.DEPARTMENT_STAFF: (200, 403, 403),
    Role.MODERATOR: (200, 403, 403),
    Role.DATA_PUBLISHER: (200, 403, 403),
    Role.EMERGENCY_MANAGER: (200, 403, 403),
    Role.COUNCIL_CLERK: (200, 403, 403),
    Role.ADMINISTRATOR: (200, 200, 201),
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_holds_exactly_its_permissions(role: Role, make_user: Callable[..., User]) -> None:
    user = make_user(role)
    assert rules.user_permissions(user) == EXPECTED[role]


@pytest.mark.parametrize("role", list(Role))
def test_each_role_meets_the_guarded_entry_points(
    role: Role,
    make_user: Callable[..., User],
    signed_in_client: Callable[[User], Client],
    api_client: Callable[[User], Client],
) -> None:
    user = make_user(role)
    staff_page = signed_in_client(user).get("/staff/").status_code
    api = api_client(user)
    audit_api = api.get("/api/v1/audit/events").status_code
    department_api = api.post(
        "/api/v1/accounts/departments",
        {"slug": f"new-{role.value.replace('_', '-')}", "name": "New department"},
        content_type="application/json",
    ).status_code
    assert (staff_page, audit_api, department_api) == HTTP_EXPECTED[role]


def test_anonymous_visitors_hold_no_permission() -> None:
    from django.contrib.auth.models import AnonymousUser

    assert rules.user_permissions(AnonymousUser()) == frozenset()


def test_a_disabled_account_holds_no_permission(make_user: Callable[..., User]) -> None:
    user = make_user(Role.ADMINISTRATOR)
    user.is_active = False
    assert rules.user_permissions(user) == frozenset()


def test_a_departments_role_reaches_the_units_inside_it_but_not_its_siblings(
    make_user: Callable[..., User],
) -> None:
    works = Department.objects.create(slug="works", name="Works")
    roads = Department.objects.create(slug="roads", name="Roads", parent=works)
    parks = Department.objects.create(slug="parks", name="Parks")
    publisher = make_user(Role.DATA_PUBLISHER, department=works)

    assert rules.user_has_permission(publisher, P.PUBLISH_DATASETS, department_id=works.pk)
    assert rules.user_has_permission(publisher, P.PUBLISH_DATASETS, department_id=roads.pk)
    assert not rules.user_has_permission(publisher, P.PUBLISH_DATASETS, department_id=parks.pk)


def test_a_city_wide_role_reaches_every_department(make_user: Callable[..., User]) -> None:
    parks = Department.objects.create(slug="parks", name="Parks")
    admin = make_user(Role.ADMINISTRATOR)
    assert rules.user_has_permission(admin, P.MANAGE_DEPARTMENTS, department_id=parks.pk)


def test_only_the_administrator_role_opens_the_admin_site(make_user: Callable[..., User]) -> None:
    admin = make_user(Role.ADMINISTRATOR)
    clerk = make_user(Role.COUNCIL_CLERK)
    admin.refresh_from_db()
    clerk.refresh_from_db()
    assert admin.is_staff and admin.is_superuser
    assert not clerk.is_staff and not clerk.is_superuser


def test_role_changes_are_audited(make_user: Callable[..., User]) -> None:
    from cityhall.core.models import AuditEvent

    user = make_user(Role.MODERATOR)
    event = AuditEvent.objects.filter(action="role.assign", object_id=str(user.pk)).get()
    assert event.data["role"] == "moderator"


def test_the_role_command_gives_and_takes_a_role(make_user: Callable[..., User]) -> None:
    from django.core.management import call_command

    user = make_user(email="new.clerk@example.org")
    Department.objects.create(slug="clerk", name="Clerk's Office")
    call_command("role", "assign", "--user", user.email, "--role", "council_clerk", "--department", "clerk")
    assert rules.user_has_permission(user, P.MANAGE_DECISIONS)
    call_command("role", "revoke", "--user", user.email, "--role", "council_clerk", "--department", "clerk")
    rules.forget_cached_roles(user)
    assert not rules.user_has_permission(user, P.MANAGE_DECISIONS)


def test_the_role_command_names_an_unknown_department(make_user: Callable[..., User]) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    user = make_user()
    with pytest.raises(CommandError, match="no department with the slug 'nowhere'"):
        call_command("role", "assign", "--user", user.email, "--role", "moderator", "--department", "nowhere")
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_a_superuser_without_a_role_still_needs_a_second_factor(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    user = make_user()
    User.objects.filter(pk=user.pk).update(is_superuser=True, is_staff=True)
    user.refresh_from_db()
    response = signed_in_client(user).get("/account/tokens/")
    assert response["Location"] == "/accounts/2fa/totp/activate/"
