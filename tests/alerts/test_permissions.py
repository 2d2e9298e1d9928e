"""Who may do what with alerts and incidents: each rule per role, and the same through HTTP."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import User
from cityhall.alerts import rules, services
from cityhall.core.errors import PermissionDeniedError
from tests.alerts.support import alert_input

pytestmark = pytest.mark.django_db

MANAGER = {Role.EMERGENCY_MANAGER}
ESCALATE = {Role.EMERGENCY_MANAGER, Role.DEPARTMENT_STAFF}


@pytest.mark.parametrize("role", list(Role))
def test_the_alert_rules_per_role(role: Role, make_user: Callable[..., User]) -> None:
    user = make_user(role)
    assert rules.can_author_alert(user) is (role in MANAGER)
    assert rules.can_approve_alerts(user) is (role in MANAGER)
    assert rules.can_see_alert_drafts(user) is (role in MANAGER)
    assert rules.can_manage_incidents(user) is (role in MANAGER)
    assert rules.can_escalate_to_incident(user) is (role in ESCALATE)


def test_approving_needs_an_author_other_than_oneself(make_user: Callable[..., User]) -> None:
    one, other = make_user(Role.EMERGENCY_MANAGER), make_user(Role.EMERGENCY_MANAGER)
    assert rules.can_approve_alert(other, author_id=one.pk, department_id=None)
    assert not rules.can_approve_alert(one, author_id=one.pk, department_id=None)
    assert not rules.can_approve_alert(other, author_id=None, department_id=None)


def test_a_manager_of_another_department_cannot_approve_its_alerts(
    make_user: Callable[..., User], emergency_department: object, department: object
) -> None:
    author = make_user(Role.EMERGENCY_MANAGER, emergency_department)
    elsewhere = make_user(Role.EMERGENCY_MANAGER, department)
    assert not rules.can_approve_alert(elsewhere, author_id=author.pk, department_id=emergency_department.pk)  # type: ignore[attr-defined]


@pytest.mark.parametrize("role", [r for r in Role if r not in MANAGER])
def test_only_emergency_managers_write_alerts(role: Role, make_user: Callable[..., User], city: None) -> None:
    with pytest.raises(PermissionDeniedError):
        services.alert_create(actor=make_user(role), data=alert_input())


@pytest.mark.parametrize("role", list(Role))
def test_the_staff_alert_api_per_role(
    role: Role, make_user: Callable[..., User], api_client: Callable[[User], Client], city: None
) -> None:
    client = api_client(make_user(role))
    listed = client.get("/api/v1/alerts/manage")
    incidents = client.get("/api/v1/alerts/incidents")
    decisions = client.get("/api/v1/alerts/decisions")
    expected = 200 if role in MANAGER else 403
    assert (listed.status_code, incidents.status_code, decisions.status_code) == (expected,) * 3
    if expected == 403:
        assert listed.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize("role", list(Role))
def test_the_staff_alert_pages_per_role(
    role: Role, make_user: Callable[..., User], signed_in_client: Callable[[User], Client], city: None
) -> None:
    client = signed_in_client(make_user(role))
    expected = 200 if role in MANAGER else 403
    for path in ("/staff/alerts/", "/staff/alerts/new/", "/staff/incidents/"):
        assert client.get(path).status_code == expected, path


def test_anonymous_callers_are_refused_by_the_staff_api() -> None:
    assert Client().get("/api/v1/alerts/manage").status_code == 401
