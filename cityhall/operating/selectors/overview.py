"""The programme office's overview: what needs attention today."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cityhall.operating.models import DeliveryAction, Milestone, Project, ProjectStatus
from cityhall.operating.selectors.risks import DueReview, overdue_reviews


@dataclass(frozen=True, slots=True)
class Overview:
    due_reviews: list[DueReview]
    overdue_milestones: list[Milestone]
    overdue_actions: list[DeliveryAction]
    unassessed_projects: list[tuple[Project, int]]  # (project, number of adopted principles not assessed)


def overview(*, today: dt.date) -> Overview:
    from cityhall.operating.models import DeliveryPrinciple, PrincipleAssessment

    adopted = set(DeliveryPrinciple.objects.filter(adoption__isnull=False).values_list("pk", flat=True))
    assessed: dict[object, set[object]] = {}
    for project_id, principle_id in PrincipleAssessment.objects.filter(project__isnull=False).values_list(
        "project_id", "principle_id"
    ):
        assessed.setdefault(project_id, set()).add(principle_id)
    open_projects = Project.objects.exclude(
        status__in=[ProjectStatus.CLOSED, ProjectStatus.CANCELLED]
    ).order_by("code")
    unassessed = [
        (project, len(adopted - assessed.get(project.pk, set())))
        for project in open_projects
        if adopted - assessed.get(project.pk, set())
    ]
    return Overview(
        due_reviews=overdue_reviews(today=today),
        overdue_milestones=list(
            Milestone.objects.filter(completed_on__isnull=True, due_on__lt=today).select_related("project")
        ),
        overdue_actions=list(
            DeliveryAction.objects.filter(status="open", due_on__lt=today).select_related("benefit", "owner")
        ),
        unassessed_projects=unassessed,
    )
