"""Reads for B7: the roadmap (programmes, projects, milestones, dependencies) and what each project
touches: principles (its self-assessments), benefits (downstream on the benefit map) and risks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from cityhall.operating import charts, graph
from cityhall.operating.models import (
    Benefit,
    BenefitLink,
    BenefitMapNode,
    Milestone,
    PrincipleAssessment,
    Programme,
    Project,
    ProjectDependency,
    Risk,
)


def programme_list() -> QuerySet[Programme]:
    projects = Project.objects.select_related("department", "owner").prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("due_on")),
        Prefetch("dependencies", queryset=ProjectDependency.objects.select_related("depends_on")),
    )
    return Programme.objects.select_related("department", "owner", "governance_body").prefetch_related(
        Prefetch("projects", queryset=projects), "objectives"
    )


def project_list() -> QuerySet[Project]:
    return Project.objects.select_related("programme", "department", "owner")


def roadmap_groups(programmes: list[Programme]) -> list[charts.TimelineGroup]:
    return [
        charts.TimelineGroup(
            label=f"{programme.code} {programme.title}",
            starts_on=programme.starts_on,
            ends_on=programme.ends_on,
            bars=tuple(
                charts.TimelineBar(
                    key=str(project.pk),
                    label=f"{project.code} {project.title}",
                    starts_on=project.starts_on,
                    ends_on=project.ends_on,
                    status=project.status,
                    milestones=tuple(
                        charts.TimelineMilestone(m.title, m.due_on, m.completed_on is not None)
                        for m in project.milestones.all()
                    ),
                    depends_on=tuple(str(d.depends_on_id) for d in project.dependencies.all()),
                )
                for project in programme.projects.all()
            ),
        )
        for programme in programmes
    ]


@dataclass(frozen=True, slots=True)
class ProjectLinks:
    project: Project
    assessments: list[PrincipleAssessment]
    missing_principles: list[str]
    benefits: list[Benefit]
    risks: list[Risk]
    depends_on: list[Project]
    dependents: list[Project]
    milestones: list[Milestone]


def project_detail(project: Project, *, missing_principles: list[str]) -> ProjectLinks:
    """Everything a project touches."""
    node = BenefitMapNode.objects.filter(project=project).first()
    benefits: list[Benefit] = []
    if node is not None:
        edges = list(BenefitLink.objects.values_list("from_node_id", "to_node_id"))
        reachable = graph.downstream(edges, node.pk)
        benefits = list(Benefit.objects.filter(map_node__pk__in=reachable).order_by("code"))
    return ProjectLinks(
        project=project,
        assessments=list(PrincipleAssessment.objects.filter(project=project).select_related("principle")),
        missing_principles=missing_principles,
        benefits=benefits,
        risks=list(project.risks.order_by("code")),
        depends_on=[
            d.depends_on
            for d in ProjectDependency.objects.filter(project=project).select_related("depends_on")
        ],
        dependents=[
            d.project for d in ProjectDependency.objects.filter(depends_on=project).select_related("project")
        ],
        milestones=list(project.milestones.order_by("due_on")),
    )


def overdue_milestones(*, today: dt.date) -> QuerySet[Milestone]:
    return Milestone.objects.filter(completed_on__isnull=True, due_on__lt=today).select_related("project")
