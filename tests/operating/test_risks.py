"""Component D: the risk register and the key-risk checklist, reviewed on a schedule, overdue flagged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command

from cityhall.accounts.contracts import Role
from cityhall.core.errors import PermissionDeniedError, ServiceError
from cityhall.operating import services
from cityhall.operating.models import RiskArea
from cityhall.operating.selectors.risks import overdue_reviews, risk_matrix, risk_register

pytestmark = pytest.mark.django_db


def test_a_risk_is_scored_linked_and_rated(
    make_project: Callable[..., Any], make_benefit: Callable[..., Any], today: dt.date
) -> None:
    project, benefit = make_project(), make_benefit()
    area = RiskArea.objects.get(code="D6")
    risk = services.risk_create(
        actor=None,
        code="R1",
        title="Supplier lock-in",
        area_id=area.pk,
        likelihood=3,
        impact=5,
        next_review_due=today + dt.timedelta(days=30),
        project_ids=[project.pk],
        benefit_ids=[benefit.pk],
    )
    assert (risk.score, risk.rag) == (15, "red")
    assert list(project.risks.all()) == [risk] and list(benefit.risks.all()) == [risk]
    matrix = dict(risk_matrix(list(risk_register())))
    rag, risks = matrix[5][2]
    assert rag == "red" and risks == [risk]


def test_scores_run_from_1_to_5(today: dt.date, db: Any) -> None:
    with pytest.raises(
        ServiceError, match="Likelihood is scored from 1 \\(lowest\\) to 5 \\(highest\\), not 0"
    ):
        services.risk_create(actor=None, code="R1", title="t", likelihood=0, impact=3, next_review_due=today)


def test_a_review_rescores_the_risk_and_sets_the_next_date(today: dt.date, db: Any) -> None:
    risk = services.risk_create(
        actor=None, code="R1", title="t", likelihood=4, impact=4, next_review_due=today
    )
    services.risk_review(
        actor=None,
        risk_id=risk.pk,
        likelihood=2,
        impact=4,
        notes="Second supplier found.",
        next_review_due=today + dt.timedelta(days=60),
        status="mitigating",
    )
    risk.refresh_from_db()
    assert (risk.likelihood, risk.status, risk.next_review_due) == (
        2,
        "mitigating",
        today + dt.timedelta(days=60),
    )
    with pytest.raises(ServiceError, match="must fall after this one"):
        services.risk_review(
            actor=None, risk_id=risk.pk, likelihood=2, impact=4, notes="x", next_review_due=today
        )


def test_the_owner_reviews_their_own_risk_and_others_may_not(
    today: dt.date, make_user: Callable[..., Any], department: Any
) -> None:
    owner = make_user(Role.DEPARTMENT_STAFF, department=department)
    stranger = make_user(Role.DEPARTMENT_STAFF, department=services_department())
    risk = services.risk_create(
        actor=None, code="R1", title="t", likelihood=4, impact=4, next_review_due=today, owner_id=owner.pk
    )
    services.risk_review(
        actor=owner,
        risk_id=risk.pk,
        likelihood=3,
        impact=4,
        notes="ok",
        next_review_due=today + dt.timedelta(days=9),
    )
    with pytest.raises(PermissionDeniedError):
        services.risk_review(
            actor=stranger,
            risk_id=risk.pk,
            likelihood=3,
            impact=4,
            notes="ok",
            next_review_due=today + dt.timedelta(days=9),
        )


def services_department() -> Any:
    from tests.factories import DepartmentFactory

    return DepartmentFactory()


def test_overdue_reviews_are_flagged(today: dt.date, make_benefit: Callable[..., Any]) -> None:
    services.reference_seed()
    services.risk_create(
        actor=None,
        code="R1",
        title="Late",
        likelihood=2,
        impact=2,
        next_review_due=today - dt.timedelta(days=5),
    )
    services.risk_create(
        actor=None,
        code="R2",
        title="Fine",
        likelihood=2,
        impact=2,
        next_review_due=today + dt.timedelta(days=5),
    )
    benefit = make_benefit()
    services.checkpoint_review_record(
        actor=None,
        benefit_id=benefit.pk,
        reviewer_name="x",
        rag="green",
        findings="f",
        reviewed_on=today - dt.timedelta(days=100),
        next_review_due=today - dt.timedelta(days=10),
    )
    for area in RiskArea.objects.exclude(code="D1"):
        services.checklist_review_record(actor=None, area_id=area.pk, rag="green", findings="fine")
    due = overdue_reviews(today=today)
    assert [(item.kind, item.days_overdue) for item in due] == [
        ("checkpoint", 10),
        ("risk", 5),
        ("key_risk_area", 0),
    ]
    assert due[2].label == "D1 Strategic clarity" and due[2].due_on is None


def test_a_checklist_review_falls_due_again_after_its_interval(today: dt.date, db: Any) -> None:
    services.reference_seed()
    area = RiskArea.objects.get(code="D2")
    services.risk_area_schedule(actor=None, area_id=area.pk, review_interval_days=30)
    review = services.checklist_review_record(
        actor=None, area_id=area.pk, rag="amber", findings="Owner changed."
    )
    area.refresh_from_db()
    assert review.next_review_due == area.next_review_due == today + dt.timedelta(days=30)


def test_the_overdue_command_lists_what_is_due(
    today: dt.date, db: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    services.reference_seed()
    services.risk_create(
        actor=None,
        code="R1",
        title="Late",
        likelihood=2,
        impact=2,
        next_review_due=today - dt.timedelta(days=3),
    )
    call_command("operating", "overdue")
    out = capsys.readouterr().out
    assert "R1 Late" in out and "10 reviews are due." in out  # one risk and nine never-reviewed areas
