"""Reads for component A and B1-B3: vision, objectives and their heat map, principles, maturity,
governance bodies, stakeholders, engagement."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from cityhall.operating.models import (
    BenefitCell,
    DeliveryPrinciple,
    EngagementActivity,
    GovernanceBody,
    MaturityAssessment,
    MaturityDimension,
    Objective,
    ObjectiveCell,
    PrincipleAssessment,
    Stakeholder,
    SustainabilityIssue,
    SustainabilityPurpose,
    Vision,
    VisionStatus,
)


def current_vision() -> Vision | None:
    return Vision.objects.filter(status=VisionStatus.ADOPTED).first()


def vision_versions() -> QuerySet[Vision]:
    return Vision.objects.order_by("-version")


def objective_list(*, active_only: bool = True) -> QuerySet[Objective]:
    objectives = Objective.objects.select_related("owner_department").prefetch_related(
        Prefetch("cells", queryset=ObjectiveCell.objects.select_related("purpose", "issue"))
    )
    return objectives.filter(status="active") if active_only else objectives


@dataclass(frozen=True, slots=True)
class HeatCell:
    count: int
    level: int  # 0 (none) to 4 (the most), for the colour class
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class HeatMap:
    purposes: list[SustainabilityPurpose]
    rows: list[tuple[SustainabilityIssue, list[HeatCell]]]  # one row per issue, a cell per purpose
    total: int
    of: str  # "objectives" or "benefits"


def matrix_heat_map(*, of: str = "objectives") -> HeatMap:
    """How many objectives (or benefits) sit in each ISO 37101 (purpose, issue) cell. Three queries."""
    purposes = list(SustainabilityPurpose.objects.all())
    issues = list(SustainabilityIssue.objects.all())
    names: dict[tuple[int, int], list[str]] = defaultdict(list)
    if of == "benefits":
        for purpose_id, issue_id, code in BenefitCell.objects.exclude(
            benefit__status="abandoned"
        ).values_list("purpose_id", "issue_id", "benefit__code"):
            names[(purpose_id, issue_id)].append(code)
    else:
        for purpose_id, issue_id, code in ObjectiveCell.objects.filter(
            objective__status="active"
        ).values_list("purpose_id", "issue_id", "objective__code"):
            names[(purpose_id, issue_id)].append(code)
    highest = max((len(codes) for codes in names.values()), default=0)

    def level(count: int) -> int:
        if count == 0 or highest == 0:
            return 0
        return max(1, min(4, round(4 * count / highest)))

    rows = [
        (
            issue,
            [
                HeatCell(
                    count=len(names[(purpose.pk, issue.pk)]),
                    level=level(len(names[(purpose.pk, issue.pk)])),
                    names=tuple(sorted(names[(purpose.pk, issue.pk)])),
                )
                for purpose in purposes
            ],
        )
        for issue in issues
    ]
    return HeatMap(purposes=purposes, rows=rows, total=sum(len(v) for v in names.values()), of=of)


def principle_register() -> QuerySet[DeliveryPrinciple]:
    return DeliveryPrinciple.objects.select_related("adoption", "adoption__adopted_by")


def adopted_principles() -> QuerySet[DeliveryPrinciple]:
    return DeliveryPrinciple.objects.filter(adoption__isnull=False)


def assessments_of(
    *, project_id: uuid.UUID | None = None, procurement_need_id: uuid.UUID | None = None
) -> QuerySet[PrincipleAssessment]:
    assessments = PrincipleAssessment.objects.select_related("principle", "assessed_by")
    if project_id is not None:
        return assessments.filter(project_id=project_id)
    return assessments.filter(procurement_need_id=procurement_need_id)


@dataclass(frozen=True, slots=True)
class MaturityRow:
    dimension: str
    label: str
    latest: MaturityAssessment | None
    history: list[MaturityAssessment]


def maturity_overview() -> list[MaturityRow]:
    """Each Y.4904 dimension with its latest level and its history, oldest first. One query."""
    by_dimension: dict[str, list[MaturityAssessment]] = defaultdict(list)
    for assessment in MaturityAssessment.objects.order_by("assessed_on"):
        by_dimension[assessment.dimension].append(assessment)
    return [
        MaturityRow(
            dimension=dimension.value,
            label=str(dimension.label),
            latest=by_dimension[dimension.value][-1] if by_dimension[dimension.value] else None,
            history=by_dimension[dimension.value],
        )
        for dimension in MaturityDimension
    ]


def governance_bodies() -> QuerySet[GovernanceBody]:
    return GovernanceBody.objects.select_related("department", "senior_owner")


def stakeholder_register() -> QuerySet[Stakeholder]:
    return Stakeholder.objects.order_by("-influence", "-interest", "name")


def engagement_activities() -> QuerySet[EngagementActivity]:
    return EngagementActivity.objects.select_related("programme", "project").prefetch_related("stakeholders")
