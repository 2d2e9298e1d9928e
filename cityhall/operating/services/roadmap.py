"""B7: programmes, projects, milestones and dependencies; the project lifecycle and its gates."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from cityhall.core.errors import ServiceError
from cityhall.operating import graph, rules
from cityhall.operating.models import (
    CheckpointReview,
    Milestone,
    Objective,
    Programme,
    Project,
    ProjectDependency,
    ProjectStatus,
)
from cityhall.operating.services._common import (
    User,
    audit,
    get_or_404,
    lock_graph,
    require,
    require_programme_office,
    today,
    validated,
)
from cityhall.operating.services.strategy import missing_principles

# Which status may follow which. Going live is not the end: a project closes only after a review (C3).
NEXT_STATUSES: dict[str, set[str]] = {
    ProjectStatus.PROPOSED: {ProjectStatus.APPROVED, ProjectStatus.CANCELLED},
    ProjectStatus.APPROVED: {ProjectStatus.IN_DELIVERY, ProjectStatus.CANCELLED},
    ProjectStatus.IN_DELIVERY: {ProjectStatus.LIVE, ProjectStatus.CANCELLED},
    ProjectStatus.LIVE: {ProjectStatus.CLOSED},
    ProjectStatus.CLOSED: set(),
    ProjectStatus.CANCELLED: set(),
}


@transaction.atomic
def programme_create(
    *,
    actor: User | None,
    code: str,
    title: str,
    starts_on: dt.date,
    ends_on: dt.date,
    description: str = "",
    owner_id: uuid.UUID | None = None,
    department_id: uuid.UUID | None = None,
    governance_body_id: uuid.UUID | None = None,
    objective_ids: list[uuid.UUID] | None = None,
    budget: Decimal | None = None,
    currency: str = "EUR",
    status: str = "planned",
) -> Programme:
    require_programme_office(actor)
    if ends_on < starts_on:
        raise ServiceError(_("A programme cannot end before it starts."), code="invalid_dates")
    programme = Programme(
        code=code.strip(),
        title=title.strip(),
        description=description.strip(),
        owner_id=owner_id,
        department_id=department_id,
        governance_body_id=governance_body_id,
        starts_on=starts_on,
        ends_on=ends_on,
        budget=budget,
        currency=currency.upper(),
        status=status,
    )
    validated(programme)
    programme.save(force_insert=True)
    if objective_ids:
        objectives = list(Objective.objects.filter(pk__in=objective_ids))
        if len(objectives) != len(set(objective_ids)):
            raise ServiceError(_("One of the objectives named does not exist."), code="unknown_objective")
        programme.objectives.set(objectives)
    audit(actor, "programme.create", programme, {"code": programme.code, "objectives": objective_ids or []})
    return programme


@transaction.atomic
def project_create(
    *,
    actor: User | None,
    programme_id: uuid.UUID,
    code: str,
    title: str,
    starts_on: dt.date,
    ends_on: dt.date,
    description: str = "",
    phase: str = "foundation",
    owner_id: uuid.UUID | None = None,
    department_id: uuid.UUID | None = None,
    budget: Decimal | None = None,
) -> Project:
    require_programme_office(actor)
    programme = get_or_404(Programme, programme_id, _("programme"))
    if ends_on < starts_on:
        raise ServiceError(_("A project cannot end before it starts."), code="invalid_dates")
    project = Project(
        programme=programme,
        code=code.strip(),
        title=title.strip(),
        description=description.strip(),
        phase=phase,
        starts_on=starts_on,
        ends_on=ends_on,
        owner_id=owner_id,
        department_id=department_id,
        budget=budget,
    )
    validated(project)
    project.save(force_insert=True)
    audit(actor, "project.create", project, {"code": project.code, "programme": programme.code})
    return project


@transaction.atomic
def project_set_status(
    *, actor: User | None, project_id: uuid.UUID, status: str, on: dt.date | None = None
) -> Project:
    """Move a project on. Approval needs a self-assessment against every adopted principle; closing
    needs a checkpoint review after go-live (a project is not done at technical go-live)."""
    require_programme_office(actor)
    project = get_or_404(Project.objects.select_for_update(), project_id, _("project"))
    if status not in NEXT_STATUSES.get(project.status, set()):
        allowed = ", ".join(str(ProjectStatus(s).label) for s in sorted(NEXT_STATUSES[project.status])) or "—"
        raise ServiceError(
            _("Project %(code)s is %(current)s; it can move only to: %(allowed)s.")
            % {"code": project.code, "current": project.get_status_display().lower(), "allowed": allowed},
            code="invalid_transition",
        )
    if status == ProjectStatus.APPROVED:
        missing = missing_principles(project=project)
        if missing:
            raise ServiceError(
                _(
                    "Project %(code)s has not been assessed against the adopted principle(s) %(missing)s. "
                    "Assess it against each one before approving it."
                )
                % {"code": project.code, "missing": ", ".join(missing)},
                code="principles_not_assessed",
            )
    fields = ["status", "updated_at"]
    if status == ProjectStatus.LIVE:
        project.went_live_on = on or today()
        fields.append("went_live_on")
    if status == ProjectStatus.CLOSED:
        reviewed = CheckpointReview.objects.filter(
            project=project, reviewed_on__gte=project.went_live_on or project.starts_on
        ).exists()
        if not reviewed:
            raise ServiceError(
                _(
                    "Project %(code)s went live but has had no checkpoint review since; review its benefits "
                    "before closing it."
                )
                % {"code": project.code},
                code="review_needed",
            )
    previous = project.status
    project.status = status
    project.save(update_fields=fields)
    audit(actor, "project.status", project, {"from": previous, "to": status})
    return project


@transaction.atomic
def project_dependency_add(
    *, actor: User | None, project_id: uuid.UUID, depends_on_id: uuid.UUID
) -> ProjectDependency:
    require_programme_office(actor)
    project = get_or_404(Project, project_id, _("project"))
    depends_on = get_or_404(Project, depends_on_id, _("project"))
    lock_graph("operating.project_dependencies")
    edges = list(ProjectDependency.objects.values_list("project_id", "depends_on_id"))
    cycle = graph.cycle_if_added(edges, project.pk, depends_on.pk)
    if cycle is not None:
        codes = dict(Project.objects.filter(pk__in=cycle).values_list("pk", "code"))
        raise ServiceError(
            _("%(project)s cannot depend on %(other)s: that would make a loop (%(loop)s).")
            % {
                "project": project.code,
                "other": depends_on.code,
                "loop": " → ".join(codes[node] for node in cycle),
            },
            code="cycle",
        )
    dependency, created = ProjectDependency.objects.get_or_create(project=project, depends_on=depends_on)
    if created:
        audit(actor, "project.depend", project, {"depends_on": depends_on.code})
    return dependency


@transaction.atomic
def milestone_create(*, actor: User | None, project_id: uuid.UUID, title: str, due_on: dt.date) -> Milestone:
    require_programme_office(actor)
    project = get_or_404(Project, project_id, _("project"))
    milestone = Milestone(project=project, title=title.strip(), due_on=due_on)
    validated(milestone)
    milestone.save(force_insert=True)
    audit(actor, "milestone.create", milestone, {"project": project.code, "due_on": due_on})
    return milestone


@transaction.atomic
def milestone_complete(
    *, actor: User | None, milestone_id: uuid.UUID, completed_on: dt.date | None = None
) -> Milestone:
    milestone = get_or_404(Milestone.objects.select_related("project"), milestone_id, _("milestone"))
    if actor is not None:
        require(
            rules.can_work_on_project(
                actor, owner_id=milestone.project.owner_id, department_id=milestone.project.department_id
            ),
            _(
                "Only the programme office, the project's owner or its department can complete its "
                "milestones."
            ),
        )
    milestone.completed_on = completed_on or today()
    milestone.save(update_fields=["completed_on", "updated_at"])
    audit(actor, "milestone.complete", milestone, {"completed_on": milestone.completed_on})
    return milestone
