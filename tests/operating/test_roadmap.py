"""B7: programmes, projects, milestones, dependencies and the gates of the project lifecycle."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from cityhall.core.errors import ServiceError
from cityhall.operating import charts, services
from cityhall.operating.models import ProjectDependency, ProjectStatus
from cityhall.operating.selectors.roadmap import programme_list, roadmap_groups
from tests.operating.conftest import adopt_principles, assess_all

pytestmark = pytest.mark.django_db


def test_a_project_cannot_end_before_it_starts(programme: Any) -> None:
    with pytest.raises(ServiceError, match="cannot end before it starts"):
        services.project_create(
            actor=None,
            programme_id=programme.pk,
            code="X",
            title="X",
            starts_on=dt.date(2025, 6, 1),
            ends_on=dt.date(2025, 1, 1),
        )


def test_approval_needs_an_assessment_against_every_adopted_principle(
    make_project: Callable[..., Any],
) -> None:
    project = make_project()
    adopt_principles("A1", "A2")
    with pytest.raises(
        ServiceError, match=r"PRJ-01 has not been assessed against the adopted principle\(s\) A1, A2"
    ):
        services.project_set_status(actor=None, project_id=project.pk, status="approved")
    assess_all(project)
    assert (
        services.project_set_status(actor=None, project_id=project.pk, status="approved").status == "approved"
    )


def test_the_lifecycle_moves_one_step_at_a_time(make_project: Callable[..., Any]) -> None:
    project = make_project()
    with pytest.raises(ServiceError, match="it can move only to: Approved, Cancelled"):
        services.project_set_status(actor=None, project_id=project.pk, status="live")


def test_a_live_project_closes_only_after_a_review(make_project: Callable[..., Any], today: dt.date) -> None:
    project = make_project()
    for status in ("approved", "in_delivery", "live"):
        services.project_set_status(actor=None, project_id=project.pk, status=status, on=today)
    project.refresh_from_db()
    assert project.went_live_on == today
    with pytest.raises(ServiceError, match="has had no checkpoint review since"):
        services.project_set_status(actor=None, project_id=project.pk, status="closed")
    services.checkpoint_review_record(
        actor=None,
        project_id=project.pk,
        reviewer_name="Audit office",
        rag="green",
        findings="Benefits on track.",
    )
    assert (
        services.project_set_status(actor=None, project_id=project.pk, status="closed").status
        == ProjectStatus.CLOSED
    )


def test_a_dependency_that_would_make_a_loop_is_refused_with_the_loop(
    make_project: Callable[..., Any],
) -> None:
    a, b, c = make_project(), make_project(), make_project()
    services.project_dependency_add(actor=None, project_id=a.pk, depends_on_id=b.pk)
    services.project_dependency_add(actor=None, project_id=b.pk, depends_on_id=c.pk)
    with pytest.raises(
        ServiceError,
        match=r"PRJ-03 cannot depend on PRJ-01: that would make a loop \(PRJ-03 → PRJ-01 → PRJ-02 → PRJ-03\)",
    ):
        services.project_dependency_add(actor=None, project_id=c.pk, depends_on_id=a.pk)
    assert ProjectDependency.objects.count() == 2
    with pytest.raises(ServiceError, match="loop"):
        services.project_dependency_add(actor=None, project_id=a.pk, depends_on_id=a.pk)


def test_milestones_are_reached(make_project: Callable[..., Any], today: dt.date) -> None:
    project = make_project()
    milestone = services.milestone_create(actor=None, project_id=project.pk, title="Pilot live", due_on=today)
    done = services.milestone_complete(actor=None, milestone_id=milestone.pk)
    assert done.completed_on == today


def test_the_timeline_is_drawn_as_accessible_svg(make_project: Callable[..., Any], today: dt.date) -> None:
    a, b = make_project(title="Bus <times> & signs"), make_project()
    services.project_dependency_add(actor=None, project_id=b.pk, depends_on_id=a.pk)
    services.milestone_create(actor=None, project_id=a.pk, title="Pilot", due_on=today)
    svg = charts.timeline(
        chart_id="roadmap",
        title="Roadmap",
        desc="Projects over time",
        groups=roadmap_groups(list(programme_list())),
        today=today,
    )
    assert (
        svg.startswith("<svg")
        and 'role="img"' in svg
        and 'aria-labelledby="roadmap-title roadmap-desc"' in svg
    )
    assert "Bus &lt;times&gt; &amp; signs" in svg
    assert svg.count('class="timeline-bar') == 2
    assert 'class="timeline-milestone' in svg and 'class="timeline-dependency"' in svg
    assert "style=" not in svg
