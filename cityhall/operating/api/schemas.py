"""Input and output schemas of /api/v1/operating/: one input and one output schema per operation."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from ninja import Field, Schema


def _slug(department: Any) -> str | None:
    return department.slug if department is not None else None


# --- Outputs -------------------------------------------------------------------------------


class CellOut(Schema):
    purpose: int = Field(..., description="ISO 37101 purpose number, 1 to 6.")
    issue: int = Field(..., description="ISO 37101 issue number, 1 to 12.")


class VisionOut(Schema):
    id: uuid.UUID
    version: int
    title: str
    statement: str
    horizon_year: int | None
    status: str
    adopted_on: dt.date | None
    consultation_reference: str


class ObjectiveOut(Schema):
    id: uuid.UUID
    code: str
    title: str
    description: str
    status: str
    owner_department: str | None
    cells: list[CellOut]

    @staticmethod
    def resolve_owner_department(obj: Any) -> str | None:
        return _slug(obj.owner_department)

    @staticmethod
    def resolve_cells(obj: Any) -> list[dict[str, int]]:
        return [{"purpose": cell.purpose.order, "issue": cell.issue.order} for cell in obj.cells.all()]


class HeatCellOut(Schema):
    purpose: int
    issue: int
    count: int
    codes: list[str]


class HeatMapOut(Schema):
    of: str
    purposes: list[str]
    issues: list[str]
    cells: list[HeatCellOut]


class PrincipleOut(Schema):
    id: uuid.UUID
    code: str
    heading: str
    title: str
    text: str
    source_reference: str
    mark: str
    adopted_on: dt.date | None

    @staticmethod
    def resolve_adopted_on(obj: Any) -> dt.date | None:
        adoption = getattr(obj, "adoption", None)
        return adoption.adopted_on if adoption else None


class AssessmentOut(Schema):
    id: uuid.UUID
    principle: str
    project_id: uuid.UUID | None
    procurement_need_id: uuid.UUID | None
    score: int
    rationale: str
    evidence: str
    assessed_on: dt.date

    @staticmethod
    def resolve_principle(obj: Any) -> str:
        return str(obj.principle.code)


class MaturityOut(Schema):
    id: uuid.UUID
    dimension: str
    level: int
    assessed_on: dt.date
    evidence: str


class GovernanceBodyOut(Schema):
    id: uuid.UUID
    name: str
    kind: str
    terms_of_reference: str
    meeting_frequency: str
    established_on: dt.date | None
    is_cross_sector: bool
    department: str | None

    @staticmethod
    def resolve_department(obj: Any) -> str | None:
        return _slug(obj.department)


class StakeholderOut(Schema):
    id: uuid.UUID
    name: str
    kind: str
    group: str
    interest: int
    influence: int
    engagement_approach: str
    notes: str


class EngagementOut(Schema):
    id: uuid.UUID
    title: str
    method: str
    held_on: dt.date
    consultation_reference: str
    participants: int | None
    summary: str
    response: str
    stakeholders: list[uuid.UUID]

    @staticmethod
    def resolve_stakeholders(obj: Any) -> list[uuid.UUID]:
        return [stakeholder.pk for stakeholder in obj.stakeholders.all()]


class MilestoneOut(Schema):
    id: uuid.UUID
    title: str
    due_on: dt.date
    completed_on: dt.date | None


class ProjectOut(Schema):
    id: uuid.UUID
    programme: str
    code: str
    title: str
    description: str
    phase: str
    status: str
    starts_on: dt.date
    ends_on: dt.date
    went_live_on: dt.date | None
    budget: Decimal | None
    department: str | None

    @staticmethod
    def resolve_programme(obj: Any) -> str:
        return str(obj.programme.code)

    @staticmethod
    def resolve_department(obj: Any) -> str | None:
        return _slug(obj.department)


class ProgrammeOut(Schema):
    id: uuid.UUID
    code: str
    title: str
    description: str
    status: str
    starts_on: dt.date
    ends_on: dt.date
    budget: Decimal | None
    currency: str
    department: str | None
    objectives: list[str]

    @staticmethod
    def resolve_department(obj: Any) -> str | None:
        return _slug(obj.department)

    @staticmethod
    def resolve_objectives(obj: Any) -> list[str]:
        return [objective.code for objective in obj.objectives.all()]


class DependencyOut(Schema):
    project: uuid.UUID
    depends_on: uuid.UUID

    @staticmethod
    def resolve_project(obj: Any) -> uuid.UUID:
        return obj.project_id

    @staticmethod
    def resolve_depends_on(obj: Any) -> uuid.UUID:
        return obj.depends_on_id


class NodeOut(Schema):
    id: uuid.UUID
    kind: str
    label: str
    description: str
    project_id: uuid.UUID | None
    benefit_id: uuid.UUID | None
    objective_id: uuid.UUID | None


class LinkOut(Schema):
    id: uuid.UUID
    from_node: uuid.UUID
    to_node: uuid.UUID
    effect: str
    confidence: str
    rationale: str

    @staticmethod
    def resolve_from_node(obj: Any) -> uuid.UUID:
        return obj.from_node_id

    @staticmethod
    def resolve_to_node(obj: Any) -> uuid.UUID:
        return obj.to_node_id


class BenefitMapOut(Schema):
    nodes: list[NodeOut]
    links: list[LinkOut]


class BenefitOut(Schema):
    id: uuid.UUID
    code: str
    title: str
    description: str
    kind: str
    value_type: str
    is_disbenefit: bool
    stakeholder_group: str
    owner_department: str | None
    indicator: str | None
    computed_from: str
    measure: str
    unit: str
    frequency: str
    higher_is_better: bool
    baseline_value: float | None
    baseline_date: dt.date | None
    baseline_source: str
    target_value: float | None
    target_date: dt.date | None
    cash_value: Decimal | None
    currency: str
    confidence: str
    status: str
    latest_value: float | None
    latest_period: str
    progress: str

    @staticmethod
    def resolve_owner_department(obj: Any) -> str | None:
        return _slug(obj.owner_department)

    @staticmethod
    def resolve_indicator(obj: Any) -> str | None:
        return obj.indicator.key if obj.indicator_id else None


class MeasurementOut(Schema):
    id: uuid.UUID
    period: str
    period_start: dt.date
    period_end: dt.date
    value: float
    unit: str
    source: str
    source_reference: str
    evidence: str
    verified: bool

    @staticmethod
    def resolve_verified(obj: Any) -> bool:
        return obj.verified_at is not None


class TrajectoryPointOut(Schema):
    on: dt.date
    planned_value: float


class ReviewOut(Schema):
    id: uuid.UUID
    benefit_id: uuid.UUID | None
    project_id: uuid.UUID | None
    programme_id: uuid.UUID | None
    reviewed_on: dt.date
    reviewer_name: str
    is_independent: bool
    rag: str
    findings: str
    next_review_due: dt.date | None


class ActionOut(Schema):
    id: uuid.UUID
    benefit_id: uuid.UUID
    review_id: uuid.UUID | None
    title: str
    kind: str
    owner_id: uuid.UUID | None
    owner_department_id: uuid.UUID | None
    due_on: dt.date | None
    status: str
    completed_on: dt.date | None


class IndicatorOut(Schema):
    id: uuid.UUID
    framework: str
    theme: str | None
    code: str
    part: str
    name: str
    kind: str
    unit: str
    sdg_goals: list[int]
    evaluation_level: str
    frequency: str
    higher_is_better: bool
    is_headline: bool
    latest_value: float | None
    latest_period: str

    @staticmethod
    def resolve_framework(obj: Any) -> str:
        return str(obj.framework.code)

    @staticmethod
    def resolve_theme(obj: Any) -> str | None:
        return obj.theme.name if obj.theme_id else None

    @staticmethod
    def resolve_latest_value(obj: Any) -> float | None:
        summary = getattr(obj, "summary", None)
        return summary.latest_value if summary else None

    @staticmethod
    def resolve_latest_period(obj: Any) -> str:
        summary = getattr(obj, "summary", None)
        return summary.latest_period if summary else ""


class IndicatorValueOut(Schema):
    id: uuid.UUID
    indicator_id: uuid.UUID
    district: str | None
    period: str
    period_start: dt.date
    period_end: dt.date
    value: float
    unit: str
    source_name: str
    source_url: str
    evidence: str
    verification: str

    @staticmethod
    def resolve_district(obj: Any) -> str | None:
        return obj.district.slug if obj.district_id else None


class TargetOut(Schema):
    id: uuid.UUID
    indicator_id: uuid.UUID
    objective_id: uuid.UUID | None
    target_value: float
    target_year: int
    level_bands: list[float]

    @staticmethod
    def resolve_level_bands(obj: Any) -> list[float]:
        return obj.bands()


class ImportOut(Schema):
    rows: int
    created: int
    replaced: int


class HeadlineOut(Schema):
    id: uuid.UUID
    code: str
    name: str
    unit: str
    latest_value: float | None
    latest_period: str
    previous_value: float | None
    trend: str
    target_value: float | None
    target_year: int | None
    maturity_level: int | None
    series: list[tuple[str, float]]


class BenefitProgressOut(Schema):
    id: uuid.UUID
    code: str
    title: str
    kind: str
    stakeholder_group: str
    unit: str
    baseline_value: float | None
    target_value: float | None
    latest_value: float | None
    latest_period: str
    progress: str
    percent: float | None


class ProjectCountOut(Schema):
    status: str
    label: str
    count: int


class DashboardOut(Schema):
    vision_title: str
    vision_statement: str
    indicators: list[HeadlineOut]
    benefits: list[BenefitProgressOut]
    projects: list[ProjectCountOut]


class RiskOut(Schema):
    id: uuid.UUID
    code: str
    title: str
    description: str
    area: str | None
    likelihood: int
    impact: int
    score: int
    rag: str
    status: str
    mitigation: str
    raised_on: dt.date
    next_review_due: dt.date
    overdue: bool
    projects: list[str]
    benefits: list[str]
    principles: list[str]

    @staticmethod
    def resolve_area(obj: Any) -> str | None:
        return obj.area.code if obj.area_id else None

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        from django.utils import timezone

        return bool(obj.next_review_due < timezone.localdate() and obj.status != "closed")

    @staticmethod
    def resolve_projects(obj: Any) -> list[str]:
        return [project.code for project in obj.projects.all()]

    @staticmethod
    def resolve_benefits(obj: Any) -> list[str]:
        return [benefit.code for benefit in obj.benefits.all()]

    @staticmethod
    def resolve_principles(obj: Any) -> list[str]:
        return [principle.code for principle in obj.principles.all()]


class RiskReviewOut(Schema):
    id: uuid.UUID
    risk_id: uuid.UUID
    reviewed_on: dt.date
    likelihood: int
    impact: int
    notes: str
    next_review_due: dt.date


class RiskAreaOut(Schema):
    id: uuid.UUID
    code: str
    heading: str
    question: str
    mark: str
    review_interval_days: int
    next_review_due: dt.date | None
    items: list[str]

    @staticmethod
    def resolve_items(obj: Any) -> list[str]:
        return [item.text for item in obj.items.all()]


class ChecklistReviewOut(Schema):
    id: uuid.UUID
    area_id: uuid.UUID
    reviewed_on: dt.date
    rag: str
    findings: str
    next_review_due: dt.date


class DueReviewOut(Schema):
    kind: str
    label: str
    due_on: dt.date | None
    days_overdue: int
    object_id: str


class InteropCellOut(Schema):
    id: uuid.UUID
    layer: str
    domain_id: uuid.UUID
    barrier: str
    standard: str
    status: str
    notes: str


class InteropDomainOut(Schema):
    id: uuid.UUID
    name: str
    description: str
    order: int


class InteropMatrixOut(Schema):
    layers: list[str]
    domains: list[InteropDomainOut]
    cells: list[InteropCellOut]


class TermOut(Schema):
    id: uuid.UUID
    label: str
    language: str
    definition: str
    alt_labels: list[str]
    sccm_concept: str
    broader_id: uuid.UUID | None
    source: str


class ItSystemOut(Schema):
    id: uuid.UUID
    name: str
    description: str
    capability: str
    department: str | None
    hosting: str
    lifecycle: str
    open_standards: str
    supplier_id: uuid.UUID | None

    @staticmethod
    def resolve_department(obj: Any) -> str | None:
        return _slug(obj.department)


class DataAssetOut(Schema):
    id: uuid.UUID
    name: str
    description: str
    department: str | None
    system_id: uuid.UUID | None
    classification: str
    contains_personal_data: bool
    quality: int | None
    sharing: str
    sccm_concept: str
    catalog_datasets: list[str]

    @staticmethod
    def resolve_department(obj: Any) -> str | None:
        return _slug(obj.department)


class ApiServiceOut(Schema):
    id: uuid.UUID
    name: str
    description: str
    base_url: str
    specification_url: str
    standards: str
    status: str
    is_cityhall: bool
    operation_count: int
    reuse_count: int

    @staticmethod
    def resolve_reuse_count(obj: Any) -> int:
        return int(getattr(obj, "reuse_count", 0))


class SupplierOut(Schema):
    id: uuid.UUID
    name: str
    identifier_scheme: str
    identifier: str
    country: str
    is_sme: bool
    website: str
    performance_rating: int | None


class NeedOut(Schema):
    id: uuid.UUID
    reference: str
    title: str
    description: str
    outcomes_sought: str
    category: str
    status: str
    estimated_value: Decimal | None
    currency: str
    needed_by: dt.date | None
    is_e_procurement: bool
    departments: list[str]

    @staticmethod
    def resolve_departments(obj: Any) -> list[str]:
        return [department.slug for department in obj.departments.all()]


class ClauseCheckOut(Schema):
    item: str
    status: str
    evidence: str


class ContractOut(Schema):
    id: uuid.UUID
    need_id: uuid.UUID
    supplier_id: uuid.UUID
    reference: str
    title: str
    value: Decimal
    currency: str
    signed_on: dt.date | None
    starts_on: dt.date
    ends_on: dt.date
    status: str
    checklist: list[ClauseCheckOut]

    @staticmethod
    def resolve_checklist(obj: Any) -> list[dict[str, str]]:
        return [
            {"item": check.item, "status": check.status, "evidence": check.evidence}
            for check in obj.clause_checks.all()
        ]


# --- Inputs --------------------------------------------------------------------------------


class CellIn(Schema):
    purpose: int = Field(..., ge=1, description="ISO 37101 purpose number, 1 to 6.")
    issue: int = Field(..., ge=1, description="ISO 37101 issue number, 1 to 12.")


class VisionIn(Schema):
    title: str = Field(..., min_length=1, max_length=300)
    statement: str = Field(..., min_length=1)
    horizon_year: int | None = Field(None, ge=2000, le=2200)
    consultation_reference: str = Field("", max_length=500)


class VisionAdoptIn(Schema):
    adopted_on: dt.date | None = None


class ObjectiveIn(Schema):
    code: str = Field(..., min_length=1, max_length=20)
    title: str = Field(..., min_length=1, max_length=300)
    description: str = ""
    owner_department_id: uuid.UUID | None = None
    order: int = Field(0, ge=0)
    cells: list[CellIn] = Field(default_factory=list)


class PrincipleIn(Schema):
    code: str = Field(..., min_length=1, max_length=20)
    heading: str
    title: str = Field(..., min_length=1, max_length=300)
    text: str = ""
    source_reference: str = Field("", max_length=300)


class PrincipleAdoptIn(Schema):
    adopted_on: dt.date
    adopted_by_id: uuid.UUID | None = None
    evidence: str = ""


class AssessmentIn(Schema):
    project_id: uuid.UUID | None = None
    procurement_need_id: uuid.UUID | None = None
    score: int = Field(..., ge=0, le=3)
    rationale: str = Field(..., min_length=1)
    evidence: str = ""
    assessed_on: dt.date | None = None


class MaturityIn(Schema):
    dimension: str
    level: int = Field(..., ge=1, le=5)
    evidence: str = Field(..., min_length=1)
    assessed_on: dt.date | None = None


class GovernanceBodyIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: str
    terms_of_reference: str = ""
    senior_owner_id: uuid.UUID | None = None
    department_id: uuid.UUID | None = None
    meeting_frequency: str = Field("", max_length=100)
    established_on: dt.date | None = None
    is_cross_sector: bool = False


class StakeholderIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: str
    group: str = "residents"
    interest: int = Field(..., ge=1, le=5)
    influence: int = Field(..., ge=1, le=5)
    notes: str = ""


class EngagementIn(Schema):
    title: str = Field(..., min_length=1, max_length=300)
    method: str
    held_on: dt.date
    stakeholder_ids: list[uuid.UUID] = Field(default_factory=list)
    programme_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None
    consultation_reference: str = Field("", max_length=500)
    participants: int | None = Field(None, ge=0)
    summary: str = ""
    response: str = ""


class ProgrammeIn(Schema):
    code: str = Field(..., min_length=1, max_length=20)
    title: str = Field(..., min_length=1, max_length=300)
    description: str = ""
    starts_on: dt.date
    ends_on: dt.date
    owner_id: uuid.UUID | None = None
    department_id: uuid.UUID | None = None
    governance_body_id: uuid.UUID | None = None
    objective_ids: list[uuid.UUID] = Field(default_factory=list)
    budget: Decimal | None = Field(None, ge=0)
    currency: str = Field("EUR", min_length=3, max_length=3)


class ProjectIn(Schema):
    programme_id: uuid.UUID
    code: str = Field(..., min_length=1, max_length=20)
    title: str = Field(..., min_length=1, max_length=300)
    description: str = ""
    phase: str = "foundation"
    starts_on: dt.date
    ends_on: dt.date
    owner_id: uuid.UUID | None = None
    department_id: uuid.UUID | None = None
    budget: Decimal | None = Field(None, ge=0)


class StatusIn(Schema):
    status: str
    on: dt.date | None = None


class DependencyIn(Schema):
    depends_on_id: uuid.UUID


class MilestoneIn(Schema):
    title: str = Field(..., min_length=1, max_length=300)
    due_on: dt.date


class CompleteIn(Schema):
    completed_on: dt.date | None = None


class NodeIn(Schema):
    kind: str = Field(..., description="enabler, project, output, outcome or objective")
    label: str = Field("", max_length=200, description="For an enabler, output or outcome.")
    description: str = ""
    project_id: uuid.UUID | None = Field(None, description="For a project node.")
    objective_id: uuid.UUID | None = Field(None, description="For an objective node.")


class LinkIn(Schema):
    from_node_id: uuid.UUID
    to_node_id: uuid.UUID
    effect: str = Field(..., description="increases, decreases, enables or part_of")
    confidence: str = "medium"
    rationale: str = ""


class BenefitIn(Schema):
    code: str = Field(..., min_length=1, max_length=20)
    title: str = Field(..., min_length=1, max_length=300)
    description: str = ""
    kind: str
    value_type: str = "non_cash"
    is_disbenefit: bool = False
    stakeholder_group: str
    owner_id: uuid.UUID | None = None
    owner_department_id: uuid.UUID | None = None
    indicator_id: uuid.UUID | None = None
    computed_from: str = ""
    measure: str = Field(..., min_length=1, max_length=300)
    unit: str = Field(..., max_length=50)
    frequency: str = "annual"
    higher_is_better: bool = True
    baseline_value: float | None = None
    baseline_date: dt.date | None = None
    baseline_source: str = ""
    target_value: float | None = None
    target_date: dt.date | None = None
    cash_value: Decimal | None = None
    currency: str = Field("EUR", min_length=3, max_length=3)
    confidence: str = "medium"
    cells: list[CellIn] = Field(default_factory=list)
    is_public: bool = True


class BenefitUpdateIn(Schema):
    status: str | None = None
    confidence: str | None = None
    owner_id: uuid.UUID | None = None
    owner_department_id: uuid.UUID | None = None
    target_value: float | None = None
    target_date: dt.date | None = None
    is_public: bool | None = None


class TrajectoryIn(Schema):
    points: list[TrajectoryPointOut]


class MeasurementIn(Schema):
    period: str = Field(..., description="2024, 2024-Q2, 2024-03 or 2024-03-15, as the benefit is measured.")
    value: float
    unit: str
    source_reference: str = ""
    evidence: str = ""


class ReviewIn(Schema):
    benefit_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None
    programme_id: uuid.UUID | None = None
    reviewed_on: dt.date | None = None
    reviewer_name: str = Field(..., min_length=1, max_length=200)
    is_independent: bool = False
    rag: str
    findings: str = Field(..., min_length=1)
    next_review_due: dt.date | None = None


class ActionIn(Schema):
    title: str = Field(..., min_length=1, max_length=300)
    kind: str = "business_change"
    owner_id: uuid.UUID | None = None
    owner_department_id: uuid.UUID | None = None
    due_on: dt.date | None = None
    review_id: uuid.UUID | None = None


class ActionStatusIn(Schema):
    status: str
    on: dt.date | None = None


class IndicatorIn(Schema):
    code: str = Field(..., min_length=1, max_length=40)
    name: str = Field(..., min_length=1, max_length=300)
    unit: str = Field(..., min_length=1, max_length=50)
    theme_id: uuid.UUID | None = None
    frequency: str = "annual"
    higher_is_better: bool = True
    responsible_department_id: uuid.UUID | None = None
    description: str = ""
    is_headline: bool = False


class IndicatorConfigureIn(Schema):
    unit: str | None = Field(None, max_length=50)
    frequency: str | None = None
    higher_is_better: bool | None = None
    responsible_department_id: uuid.UUID | None = None
    is_headline: bool | None = None
    description: str | None = None


class IndicatorValueIn(Schema):
    period: str = Field(
        ..., description="2024, 2024-Q2, 2024-03 or 2024-03-15, as the indicator is measured."
    )
    value: float
    unit: str
    district: str = Field("", description="A district slug; leave empty for the whole city.")
    source_name: str = Field("", max_length=300)
    source_url: str = Field("", max_length=500)
    evidence: str = ""


class VerifyIn(Schema):
    verification: str = Field(
        ..., description="unverified, self_verified, independently_verified or rejected"
    )


class TargetIn(Schema):
    target_value: float
    target_year: int = Field(..., ge=2000, le=2200)
    objective_id: uuid.UUID | None = None
    level_bands: list[float] = Field(default_factory=list, description="Where levels 2, 3, 4 and 5 start.")


class RiskIn(Schema):
    code: str = Field(..., min_length=1, max_length=20)
    title: str = Field(..., min_length=1, max_length=300)
    description: str = ""
    area_id: uuid.UUID | None = None
    likelihood: int = Field(..., ge=1, le=5)
    impact: int = Field(..., ge=1, le=5)
    owner_id: uuid.UUID | None = None
    owner_department_id: uuid.UUID | None = None
    mitigation: str = ""
    raised_on: dt.date | None = None
    next_review_due: dt.date
    project_ids: list[uuid.UUID] = Field(default_factory=list)
    benefit_ids: list[uuid.UUID] = Field(default_factory=list)
    principle_ids: list[uuid.UUID] = Field(default_factory=list)


class RiskReviewIn(Schema):
    likelihood: int = Field(..., ge=1, le=5)
    impact: int = Field(..., ge=1, le=5)
    notes: str = Field(..., min_length=1)
    next_review_due: dt.date
    reviewed_on: dt.date | None = None
    status: str | None = None
    mitigation: str | None = None


class ChecklistReviewIn(Schema):
    rag: str
    findings: str = Field(..., min_length=1)
    reviewed_on: dt.date | None = None
    next_review_due: dt.date | None = None


class InteropDomainIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    order: int = Field(0, ge=0)


class InteropCellIn(Schema):
    layer: str
    domain_id: uuid.UUID
    status: str
    barrier: str = ""
    standard: str = Field("", max_length=300)
    notes: str = ""


class TermIn(Schema):
    label: str = Field(..., min_length=1, max_length=200)
    definition: str = Field(..., min_length=1)
    language: str = Field("en", max_length=10)
    alt_labels: list[str] = Field(default_factory=list)
    sccm_concept: str = ""
    broader_id: uuid.UUID | None = None
    source: str = Field("", max_length=300)


class ItSystemIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    capability: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    department_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    supplier_id: uuid.UUID | None = None
    hosting: str = "on_premises"
    lifecycle: str = "live"
    open_standards: str = Field("", max_length=300)


class DataAssetIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    classification: str
    sharing: str
    description: str = ""
    department_id: uuid.UUID | None = None
    steward_id: uuid.UUID | None = None
    system_id: uuid.UUID | None = None
    contains_personal_data: bool = False
    quality: int | None = Field(None, ge=1, le=5)
    sccm_concept: str = ""
    catalog_datasets: list[str] = Field(default_factory=list)


class ApiServiceIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    base_url: str = Field(..., min_length=1, max_length=500)
    description: str = ""
    department_id: uuid.UUID | None = None
    specification_url: str = Field("", max_length=500)
    standards: str = Field("", max_length=300)
    status: str = "live"
    used_by_ids: list[uuid.UUID] = Field(default_factory=list)


class SupplierIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    identifier_scheme: str = Field("", max_length=40)
    identifier: str = Field("", max_length=100)
    country: str = Field("", max_length=2)
    is_sme: bool = False
    website: str = ""


class SupplierRatingIn(Schema):
    rating: int = Field(..., ge=1, le=5)
    notes: str = ""


class NeedIn(Schema):
    reference: str = Field(..., min_length=1, max_length=40)
    title: str = Field(..., min_length=1, max_length=300)
    category: str = Field(..., description="goods, works or services")
    description: str = ""
    outcomes_sought: str = ""
    department_ids: list[uuid.UUID] = Field(default_factory=list)
    project_id: uuid.UUID | None = None
    estimated_value: Decimal | None = Field(None, ge=0)
    currency: str = Field("EUR", min_length=3, max_length=3)
    needed_by: dt.date | None = None
    is_e_procurement: bool = True


class ContractIn(Schema):
    need_id: uuid.UUID
    supplier_id: uuid.UUID
    reference: str = Field(..., min_length=1, max_length=40)
    title: str = Field(..., min_length=1, max_length=300)
    value: Decimal = Field(..., ge=0)
    currency: str = Field("EUR", min_length=3, max_length=3)
    signed_on: dt.date | None = None
    starts_on: dt.date
    ends_on: dt.date


class ClauseCheckIn(Schema):
    item: str = Field(..., description="open_data, open_standards, exit_and_lock_in or intellectual_property")
    status: str = Field(..., description="met, partly_met, not_met or not_applicable")
    evidence: str = ""
