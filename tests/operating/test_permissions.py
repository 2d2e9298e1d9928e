"""Who may do what in the operating model: a row per role, through HTTP, and the named rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cityhall.accounts.contracts import Role
from cityhall.operating import rules, services
from tests.factories import DepartmentFactory
from tests.operating.conftest import configured_kpi, last_year

pytestmark = pytest.mark.django_db
API = "/api/v1/operating"

# (add an objective, read the risk register, measure the department's benefit,
#  record a value of the department's indicator, open the programme office page)
EXPECTED = {
    Role.RESIDENT: (403, 403, 403, 403, 403),
    Role.DEPARTMENT_STAFF: (403, 200, 201, 403, 200),
    Role.MODERATOR: (403, 200, 201, 403, 200),
    Role.DATA_PUBLISHER: (403, 200, 201, 201, 200),
    Role.EMERGENCY_MANAGER: (403, 200, 201, 403, 200),
    Role.COUNCIL_CLERK: (403, 200, 201, 403, 200),
    Role.ADMINISTRATOR: (201, 200, 201, 201, 200),
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_meets_the_operating_entry_points(
    role: Role,
    reference: None,
    make_user: Callable[..., Any],
    api_client: Callable[[Any], Client],
    signed_in_client: Callable[[Any], Client],
    make_benefit: Callable[..., Any],
) -> None:
    works = DepartmentFactory(slug="works")
    make_benefit(unit="hours", owner_department_id=works.pk)
    indicator = configured_kpi("EC:ICT:ICT:1C", responsible_department_id=works.pk)
    # Staff roles work in the department; the administrator works city-wide.
    user = make_user(role, department=None if role == Role.ADMINISTRATOR else works)
    api = api_client(user)
    period = str(last_year())
    got = (
        api.post(
            f"{API}/objectives", {"code": "O1", "title": "t"}, content_type="application/json"
        ).status_code,
        api.get(f"{API}/risks").status_code,
        api.post(
            f"{API}/benefits/B01/measurements",
            {"period": period, "value": 1, "unit": "hours"},
            content_type="application/json",
        ).status_code,
        api.post(
            f"{API}/indicators/{indicator.pk}/values",
            {"period": period, "value": 80, "unit": "%"},
            content_type="application/json",
        ).status_code,
        signed_in_client(user).get("/staff/operating/").status_code,
    )
    assert got == EXPECTED[role]


def test_staff_of_another_department_cannot_measure_or_record(
    reference: None, make_user: Callable[..., Any], make_benefit: Callable[..., Any]
) -> None:
    works, parks = DepartmentFactory(slug="works"), DepartmentFactory(slug="parks")
    benefit = make_benefit(owner_department_id=works.pk)
    indicator = configured_kpi("EC:ICT:ICT:1C", responsible_department_id=works.pk)
    staff = make_user(Role.DEPARTMENT_STAFF, department=parks)
    publisher = make_user(Role.DATA_PUBLISHER, department=parks)
    assert not rules.can_work_on_benefit(staff, owner_id=benefit.owner_id, owner_department_id=works.pk)
    assert not rules.can_record_indicator_value(
        publisher, responsible_department_id=indicator.responsible_department_id
    )
    assert not rules.can_record_indicator_value(publisher, responsible_department_id=None)


def test_a_benefits_owner_may_work_on_it_wherever_they_sit(
    make_user: Callable[..., Any], make_benefit: Callable[..., Any]
) -> None:
    owner = make_user(Role.DEPARTMENT_STAFF, department=DepartmentFactory())
    benefit = make_benefit(owner_id=owner.pk)
    assert rules.can_work_on_benefit(owner, owner_id=benefit.owner_id, owner_department_id=None)
    resident = make_user()
    assert not rules.can_work_on_benefit(resident, owner_id=resident.pk, owner_department_id=None)


def test_a_department_role_reaches_the_units_inside_it(
    make_user: Callable[..., Any], make_benefit: Callable[..., Any], today: dt.date
) -> None:
    works = DepartmentFactory(slug="works")
    roads = DepartmentFactory(slug="roads", parent=works)
    benefit = make_benefit(owner_department_id=roads.pk)
    staff = make_user(Role.DEPARTMENT_STAFF, department=works)
    services.benefit_measurement_record(
        actor=staff, benefit_id=benefit.pk, period=str(last_year()), value=1, unit="hours"
    )


def test_only_the_administrator_holds_the_programme_office_permission(make_user: Callable[..., Any]) -> None:
    assert [role for role in Role if rules.can_manage_operating_model(make_user(role))] == [
        Role.ADMINISTRATOR
    ]
