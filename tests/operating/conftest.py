"""Fixtures of the operating-model tests: the reference data, the programme office, small builders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import User
from cityhall.operating import services
from cityhall.operating.models import Benefit, DeliveryPrinciple, Indicator, Programme, Project


@pytest.fixture
def reference(db: Any) -> None:
    """The seed rows (a transactional test elsewhere may have flushed them) and both shared CSV files."""
    services.reference_seed()
    services.iso37101_matrix_load(actor=None)
    services.u4ssc_kpis_load(actor=None)


@pytest.fixture
def office(make_user: Callable[..., User]) -> User:
    """Someone of the programme office: the administrator role holds manage_operating_model."""
    return make_user(Role.ADMINISTRATOR)


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


def last_year() -> int:
    return timezone.localdate().year - 1


@pytest.fixture
def programme(db: Any, today: dt.date) -> Programme:
    services.reference_seed()
    return services.programme_create(
        actor=None,
        code="P1",
        title="Green Mobility",
        starts_on=dt.date(today.year - 2, 1, 1),
        ends_on=dt.date(today.year + 2, 12, 31),
    )


@pytest.fixture
def make_project(programme: Programme, today: dt.date) -> Callable[..., Project]:
    counter = iter(range(1, 1000))

    def _make(**fields: Any) -> Project:
        number = next(counter)
        values: dict[str, Any] = {
            "programme_id": programme.pk,
            "code": f"PRJ-{number:02d}",
            "title": f"Project {number}",
            "starts_on": dt.date(today.year - 1, 1, 1),
            "ends_on": dt.date(today.year + 1, 6, 30),
            **fields,
        }
        return services.project_create(actor=None, **values)

    return _make


@pytest.fixture
def make_benefit(db: Any, today: dt.date) -> Callable[..., Benefit]:
    counter = iter(range(1, 1000))

    def _make(**fields: Any) -> Benefit:
        number = next(counter)
        values: dict[str, Any] = {
            "code": f"B{number:02d}",
            "title": f"Benefit {number}",
            "kind": "social",
            "stakeholder_group": "residents",
            "measure": "Hours saved a year",
            "unit": "hours",
            "baseline_value": 0.0,
            "baseline_date": dt.date(today.year - 4, 1, 1),
            "target_value": 10.0,
            "target_date": dt.date(today.year + 4, 12, 31),
            **fields,
        }
        return services.benefit_create(actor=None, **values)

    return _make


def adopt_principles(*codes: str) -> list[DeliveryPrinciple]:
    services.reference_seed()
    adopted = []
    for code in codes:
        principle = DeliveryPrinciple.objects.get(code=code)
        services.principle_adopt(actor=None, principle_id=principle.pk, adopted_on=dt.date(2024, 1, 1))
        adopted.append(principle)
    return adopted


def assess_all(project: Project) -> None:
    for principle in DeliveryPrinciple.objects.filter(adoption__isnull=False):
        services.principle_assess(
            actor=None,
            principle_id=principle.pk,
            project_id=project.pk,
            score=2,
            rationale="Checked at the gate.",
        )


def kpi(code: str, part: str = "") -> Indicator:
    return Indicator.objects.get(framework__code="u4ssc", code=code, part=part)


def configured_kpi(code: str, part: str = "", *, unit: str = "%", **fields: Any) -> Indicator:
    indicator = kpi(code, part)
    return services.indicator_configure(actor=None, indicator_id=indicator.pk, unit=unit, **fields)
