"""Component A and B1-B3: the versioned vision, objectives on the ISO 37101 matrix, principles and the
self-assessments against them, maturity over time, governance and stakeholders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from cityhall.core.errors import PermissionDeniedError, ServiceError
from cityhall.core.models import AuditEvent
from cityhall.operating import services
from cityhall.operating.models import MaturityAssessment, Vision, VisionStatus
from cityhall.operating.selectors.strategy import matrix_heat_map, maturity_overview
from tests.operating.conftest import adopt_principles

pytestmark = pytest.mark.django_db


def test_adopting_a_new_vision_supersedes_the_old_one(office: Any) -> None:
    first = services.vision_draft(actor=office, title="Aldermere 2030", statement="A connected city.")
    services.vision_adopt(actor=office, vision_id=first.pk, adopted_on=dt.date(2022, 1, 1))
    second = services.vision_draft(actor=office, title="Aldermere 2035", statement="A green, open city.")
    assert second.version == 2
    services.vision_adopt(actor=office, vision_id=second.pk)
    first.refresh_from_db()
    assert first.status == VisionStatus.SUPERSEDED
    assert Vision.objects.get(status=VisionStatus.ADOPTED) == second
    event = AuditEvent.objects.filter(action="operating.vision.adopt").last()
    assert event is not None and event.data["supersedes"] == [1]


def test_only_a_draft_can_be_adopted(office: Any) -> None:
    vision = services.vision_draft(actor=office, title="Aldermere 2035", statement="A green city.")
    services.vision_adopt(actor=office, vision_id=vision.pk)
    with pytest.raises(ServiceError, match="only a draft can be adopted"):
        services.vision_adopt(actor=office, vision_id=vision.pk)


def test_objectives_sit_on_the_iso37101_matrix_and_make_a_heat_map(reference: None, office: Any) -> None:
    services.objective_create(actor=office, code="O1", title="Halve emissions", cells=[(2, 11), (4, 10)])
    services.objective_create(actor=office, code="O2", title="Cleaner mobility", cells=[(2, 11)])
    heat = matrix_heat_map()
    assert heat.total == 3
    mobility = next(cells for issue, cells in heat.rows if issue.order == 11)
    cell = mobility[1]  # purpose 2
    assert (cell.count, cell.level, cell.names) == (2, 4, ("O1", "O2"))


def test_a_cell_outside_the_matrix_is_named(reference: None, office: Any) -> None:
    with pytest.raises(ServiceError, match="no ISO 37101 issue number 13: issues are numbered 1 to 12"):
        services.objective_create(actor=office, code="O1", title="Halve emissions", cells=[(2, 13)])


def test_cells_need_the_matrix_loaded(office: Any) -> None:
    with pytest.raises(ServiceError, match="cityhall operating load-matrix"):
        services.objective_create(actor=office, code="O1", title="Halve emissions", cells=[(1, 1)])


def test_only_adopted_principles_can_be_assessed(make_project: Callable[..., Any]) -> None:
    project = make_project()
    adopted, not_adopted = (
        adopt_principles("A1")[0],
        services.principle_create(actor=None, code="L1", heading="digital", title="Local"),
    )
    with pytest.raises(ServiceError, match="L1 is not adopted"):
        services.principle_assess(
            actor=None, principle_id=not_adopted.pk, project_id=project.pk, score=2, rationale="x"
        )
    assessment = services.principle_assess(
        actor=None, principle_id=adopted.pk, project_id=project.pk, score=1, rationale="Partly."
    )
    again = services.principle_assess(
        actor=None, principle_id=adopted.pk, project_id=project.pk, score=3, rationale="Fully now."
    )
    assert again.pk == assessment.pk and again.score == 3


def test_an_assessment_needs_a_rationale_and_a_score_of_0_to_3(make_project: Callable[..., Any]) -> None:
    project = make_project()
    principle = adopt_principles("A2")[0]
    with pytest.raises(ServiceError, match="Rationale: This field cannot be blank"):
        services.principle_assess(
            actor=None, principle_id=principle.pk, project_id=project.pk, score=2, rationale=" "
        )
    with pytest.raises(ServiceError, match="Score"):
        services.principle_assess(
            actor=None, principle_id=principle.pk, project_id=project.pk, score=4, rationale="x"
        )


def test_maturity_is_tracked_over_time(office: Any) -> None:
    services.maturity_assess(
        actor=office, dimension="data", level=1, evidence="No inventory.", assessed_on=dt.date(2023, 1, 1)
    )
    services.maturity_assess(
        actor=office, dimension="data", level=3, evidence="Catalog live.", assessed_on=dt.date(2025, 1, 1)
    )
    row = next(row for row in maturity_overview() if row.dimension == "data")
    assert [a.level for a in row.history] == [1, 3]
    assert row.latest is not None and row.latest.level == 3
    with pytest.raises(ServiceError, match="Level"):
        services.maturity_assess(actor=office, dimension="data", level=6, evidence="x")
    assert MaturityAssessment.objects.count() == 2


def test_stakeholders_are_placed_on_the_interest_and_influence_grid(office: Any) -> None:
    chamber = services.stakeholder_create(
        actor=office, name="Chamber", kind="business", interest=4, influence=5
    )
    meetup = services.stakeholder_create(actor=office, name="Meetup", kind="other", interest=5, influence=1)
    assert chamber.engagement_approach == "Manage closely"
    assert meetup.engagement_approach == "Keep informed"
    with pytest.raises(ServiceError, match="from 1 \\(low\\) to 5 \\(high\\), not 7"):
        services.stakeholder_create(actor=office, name="X", kind="other", interest=7, influence=1)


def test_an_engagement_closes_the_loop(office: Any) -> None:
    group = services.stakeholder_create(
        actor=office, name="Cyclists", kind="resident_group", interest=5, influence=2
    )
    activity = services.engagement_activity_create(
        actor=office,
        title="Route survey",
        method="survey",
        held_on=dt.date(2025, 5, 1),
        stakeholder_ids=[group.pk],
        consultation_reference="Consultation 12",
    )
    assert list(activity.stakeholders.all()) == [group]
    services.engagement_activity_respond(
        actor=office, activity_id=activity.pk, response="Riverside route first."
    )
    activity.refresh_from_db()
    assert activity.response == "Riverside route first."


@pytest.mark.parametrize(
    "write",
    [
        lambda user: services.vision_draft(actor=user, title="t", statement="s"),
        lambda user: services.governance_body_create(actor=user, name="Board", kind="board"),
        lambda user: services.maturity_assess(actor=user, dimension="data", level=2, evidence="e"),
    ],
)
def test_only_the_programme_office_changes_the_strategy(
    write: Callable[[Any], Any], make_user: Callable[..., Any]
) -> None:
    from cityhall.accounts.contracts import Role

    with pytest.raises(PermissionDeniedError, match="programme office"):
        write(make_user(Role.DEPARTMENT_STAFF))
