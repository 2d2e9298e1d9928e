"""/api/v1/operating/: the ISO 37106 operating model.

Public reads (vision, objectives, roadmap, benefit map and benefits, indicators, dashboard,
procurement releases, the architecture registers) need no token. Internal registers (risks,
stakeholders, engagement, assets) need a staff token. Every write goes to one service function, which
checks permission and writes the audit row.
"""

import uuid
from typing import Any

from django.http import HttpRequest
from ninja import File, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from cityhall.core.api import ERROR_RESPONSES
from cityhall.core.errors import ApiError, FieldError, NotFoundError, PermissionDeniedError
from cityhall.operating import rules, services
from cityhall.operating.api.schemas import (
    ActionIn,
    ActionOut,
    ActionStatusIn,
    ApiServiceIn,
    ApiServiceOut,
    AssessmentIn,
    AssessmentOut,
    BenefitIn,
    BenefitMapOut,
    BenefitOut,
    BenefitUpdateIn,
    ChecklistReviewIn,
    ChecklistReviewOut,
    ClauseCheckIn,
    ClauseCheckOut,
    CompleteIn,
    ContractIn,
    ContractOut,
    DashboardOut,
    DataAssetIn,
    DataAssetOut,
    DependencyIn,
    DependencyOut,
    DueReviewOut,
    EngagementIn,
    EngagementOut,
    GovernanceBodyIn,
    GovernanceBodyOut,
    HeatMapOut,
    ImportOut,
    IndicatorConfigureIn,
    IndicatorIn,
    IndicatorOut,
    IndicatorValueIn,
    IndicatorValueOut,
    InteropCellIn,
    InteropCellOut,
    InteropDomainIn,
    InteropDomainOut,
    InteropMatrixOut,
    ItSystemIn,
    ItSystemOut,
    LinkIn,
    LinkOut,
    MaturityIn,
    MaturityOut,
    MeasurementIn,
    MeasurementOut,
    MilestoneIn,
    MilestoneOut,
    NeedIn,
    NeedOut,
    NodeIn,
    NodeOut,
    ObjectiveIn,
    ObjectiveOut,
    PrincipleAdoptIn,
    PrincipleIn,
    PrincipleOut,
    ProgrammeIn,
    ProgrammeOut,
    ProjectIn,
    ProjectOut,
    ReviewIn,
    ReviewOut,
    RiskAreaOut,
    RiskIn,
    RiskOut,
    RiskReviewIn,
    RiskReviewOut,
    StakeholderIn,
    StakeholderOut,
    StatusIn,
    SupplierIn,
    SupplierOut,
    SupplierRatingIn,
    TargetIn,
    TargetOut,
    TermIn,
    TermOut,
    TrajectoryIn,
    TrajectoryPointOut,
    VerifyIn,
    VisionAdoptIn,
    VisionIn,
    VisionOut,
)
from cityhall.operating.csvio import CsvImportError, decode_upload
from cityhall.operating.models import (
    Benefit,
    BenefitLink,
    BenefitMapNode,
    Indicator,
    IndicatorValue,
    Milestone,
    ProjectDependency,
)
from cityhall.operating.selectors import (
    architecture,
    benefits,
    dashboard,
    indicators,
    procurement,
    risks,
    roadmap,
    strategy,
)
from cityhall.operating.services._common import today

router = Router(tags=["operating"])
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _require_staff(request: HttpRequest) -> Any:
    user = _user(request)
    if not rules.can_view_internal_records(user):
        raise PermissionDeniedError("Only city staff can read this register.")
    return user


def _read_upload(file: UploadedFile) -> str:
    if file.size and file.size > MAX_UPLOAD_BYTES:
        raise ApiError(413, "body_too_large", "The file is larger than 10 MB; split it into smaller files.")
    return decode_upload(file.read())


def _import_error(error: CsvImportError) -> ApiError:
    return ApiError(
        400,
        error.code,
        error.message,
        [FieldError(location=f"file.row {row}", message=problem) for row, problem in error.row_errors],
    )


# --- Dashboard -----------------------------------------------------------------------------


@router.get(
    "/dashboard", response={200: DashboardOut, **ERROR_RESPONSES}, auth=None, summary="The city dashboard"
)
def dashboard_read(request: HttpRequest) -> dict[str, Any]:
    page = dashboard.dashboard()
    return {
        "vision_title": page.vision_title,
        "vision_statement": page.vision_statement,
        "indicators": [
            {**{field: getattr(h, field) for field in h.__dataclass_fields__}, "trend": h.trend}
            for h in page.indicators
        ],
        "benefits": page.benefits,
        "projects": [{"status": s, "label": label, "count": n} for s, label, n in page.projects_by_status],
    }


# --- Vision, objectives, principles, maturity ----------------------------------------------


@router.get(
    "/vision", response={200: VisionOut, **ERROR_RESPONSES}, auth=None, summary="The adopted city vision"
)
def vision_read(request: HttpRequest) -> Any:
    vision = strategy.current_vision()
    if vision is None:
        raise NotFoundError("The city has not adopted a vision yet.")
    return vision


@router.post(
    "/visions", response={201: VisionOut, **ERROR_RESPONSES}, summary="Draft a new version of the vision"
)
def vision_draft(request: HttpRequest, payload: VisionIn) -> Status[Any]:
    return Status(201, services.vision_draft(actor=_user(request), **payload.dict()))


@router.post(
    "/visions/{vision_id}/adopt", response={200: VisionOut, **ERROR_RESPONSES}, summary="Adopt a draft vision"
)
def vision_adopt(request: HttpRequest, vision_id: uuid.UUID, payload: VisionAdoptIn) -> Any:
    return services.vision_adopt(actor=_user(request), vision_id=vision_id, adopted_on=payload.adopted_on)


@router.get(
    "/objectives", response={200: list[ObjectiveOut], **ERROR_RESPONSES}, auth=None, summary="City objectives"
)
@paginate
def objective_list(request: HttpRequest) -> Any:
    return strategy.objective_list()


@router.post("/objectives", response={201: ObjectiveOut, **ERROR_RESPONSES}, summary="Add a city objective")
def objective_create(request: HttpRequest, payload: ObjectiveIn) -> Status[Any]:
    data = payload.dict()
    data["cells"] = [(cell["purpose"], cell["issue"]) for cell in data["cells"]]
    return Status(201, services.objective_create(actor=_user(request), **data))


@router.get(
    "/matrix",
    response={200: HeatMapOut, **ERROR_RESPONSES},
    auth=None,
    summary="Objectives (or benefits) per ISO 37101 purpose × issue cell",
)
def matrix_read(request: HttpRequest, of: str = "objectives") -> dict[str, Any]:
    heat = strategy.matrix_heat_map(of="benefits" if of == "benefits" else "objectives")
    return {
        "of": heat.of,
        "purposes": [purpose.name for purpose in heat.purposes],
        "issues": [issue.name for issue, _cells in heat.rows],
        "cells": [
            {"purpose": purpose.order, "issue": issue.order, "count": cell.count, "codes": list(cell.names)}
            for issue, cells in heat.rows
            for purpose, cell in zip(heat.purposes, cells, strict=True)
            if cell.count
        ],
    }


@router.get(
    "/principles",
    response={200: list[PrincipleOut], **ERROR_RESPONSES},
    auth=None,
    summary="Delivery principles and their adoption",
)
@paginate
def principle_list(request: HttpRequest) -> Any:
    return strategy.principle_register()


@router.post(
    "/principles", response={201: PrincipleOut, **ERROR_RESPONSES}, summary="Add a delivery principle"
)
def principle_create(request: HttpRequest, payload: PrincipleIn) -> Status[Any]:
    return Status(201, services.principle_create(actor=_user(request), **payload.dict()))


@router.post(
    "/principles/{principle_id}/adopt",
    response={200: PrincipleOut, **ERROR_RESPONSES},
    summary="Record the city's adoption of a principle",
)
def principle_adopt(request: HttpRequest, principle_id: uuid.UUID, payload: PrincipleAdoptIn) -> Any:
    adoption = services.principle_adopt(actor=_user(request), principle_id=principle_id, **payload.dict())
    return adoption.principle


@router.post(
    "/principles/{principle_id}/assessments",
    response={200: AssessmentOut, **ERROR_RESPONSES},
    summary="Self-assess a project or procurement need against an adopted principle",
)
def principle_assess(request: HttpRequest, principle_id: uuid.UUID, payload: AssessmentIn) -> Any:
    return services.principle_assess(actor=_user(request), principle_id=principle_id, **payload.dict())


@router.get(
    "/maturity",
    response={200: list[MaturityOut], **ERROR_RESPONSES},
    auth=None,
    summary="Y.4904 maturity self-assessments over time",
)
@paginate
def maturity_list(request: HttpRequest) -> Any:
    from cityhall.operating.models import MaturityAssessment

    return MaturityAssessment.objects.order_by("dimension", "-assessed_on")


@router.post(
    "/maturity", response={201: MaturityOut, **ERROR_RESPONSES}, summary="Record a maturity assessment"
)
def maturity_assess(request: HttpRequest, payload: MaturityIn) -> Status[Any]:
    return Status(201, services.maturity_assess(actor=_user(request), **payload.dict()))


# --- Governance and stakeholders -----------------------------------------------------------


@router.get(
    "/governance-bodies",
    response={200: list[GovernanceBodyOut], **ERROR_RESPONSES},
    auth=None,
    summary="Governance bodies",
)
@paginate
def governance_body_list(request: HttpRequest) -> Any:
    return strategy.governance_bodies()


@router.post(
    "/governance-bodies",
    response={201: GovernanceBodyOut, **ERROR_RESPONSES},
    summary="Add a governance body",
)
def governance_body_create(request: HttpRequest, payload: GovernanceBodyIn) -> Status[Any]:
    return Status(201, services.governance_body_create(actor=_user(request), **payload.dict()))


@router.get(
    "/stakeholders",
    response={200: list[StakeholderOut], **ERROR_RESPONSES},
    summary="Stakeholder register (staff)",
)
@paginate
def stakeholder_list(request: HttpRequest) -> Any:
    _require_staff(request)
    return strategy.stakeholder_register()


@router.post("/stakeholders", response={201: StakeholderOut, **ERROR_RESPONSES}, summary="Add a stakeholder")
def stakeholder_create(request: HttpRequest, payload: StakeholderIn) -> Status[Any]:
    return Status(201, services.stakeholder_create(actor=_user(request), **payload.dict()))


@router.get(
    "/engagements",
    response={200: list[EngagementOut], **ERROR_RESPONSES},
    summary="Engagement activities (staff)",
)
@paginate
def engagement_list(request: HttpRequest) -> Any:
    _require_staff(request)
    return strategy.engagement_activities()


@router.post("/engagements", response={201: EngagementOut, **ERROR_RESPONSES}, summary="Record an engagement")
def engagement_create(request: HttpRequest, payload: EngagementIn) -> Status[Any]:
    return Status(201, services.engagement_activity_create(actor=_user(request), **payload.dict()))


# --- Roadmap -------------------------------------------------------------------------------


@router.get(
    "/programmes", response={200: list[ProgrammeOut], **ERROR_RESPONSES}, auth=None, summary="Programmes"
)
@paginate
def programme_list(request: HttpRequest) -> Any:
    return roadmap.programme_list()


@router.post("/programmes", response={201: ProgrammeOut, **ERROR_RESPONSES}, summary="Add a programme")
def programme_create(request: HttpRequest, payload: ProgrammeIn) -> Status[Any]:
    return Status(201, services.programme_create(actor=_user(request), **payload.dict()))


@router.get("/projects", response={200: list[ProjectOut], **ERROR_RESPONSES}, auth=None, summary="Projects")
@paginate
def project_list(request: HttpRequest) -> Any:
    return roadmap.project_list()


@router.post("/projects", response={201: ProjectOut, **ERROR_RESPONSES}, summary="Add a project")
def project_create(request: HttpRequest, payload: ProjectIn) -> Status[Any]:
    return Status(201, services.project_create(actor=_user(request), **payload.dict()))


@router.post(
    "/projects/{project_id}/status",
    response={200: ProjectOut, **ERROR_RESPONSES},
    summary="Move a project on",
)
def project_status(request: HttpRequest, project_id: uuid.UUID, payload: StatusIn) -> Any:
    return services.project_set_status(
        actor=_user(request), project_id=project_id, status=payload.status, on=payload.on
    )


@router.get(
    "/projects/{project_id}/dependencies",
    response={200: list[DependencyOut], **ERROR_RESPONSES},
    auth=None,
    summary="What a project depends on",
)
def dependency_list(request: HttpRequest, project_id: uuid.UUID) -> Any:
    return list(ProjectDependency.objects.filter(project_id=project_id))


@router.post(
    "/projects/{project_id}/dependencies",
    response={201: DependencyOut, **ERROR_RESPONSES},
    summary="Make a project depend on another (no loops)",
)
def dependency_add(request: HttpRequest, project_id: uuid.UUID, payload: DependencyIn) -> Status[Any]:
    return Status(
        201,
        services.project_dependency_add(
            actor=_user(request), project_id=project_id, depends_on_id=payload.depends_on_id
        ),
    )


@router.get(
    "/projects/{project_id}/milestones",
    response={200: list[MilestoneOut], **ERROR_RESPONSES},
    auth=None,
    summary="A project's milestones",
)
def milestone_list(request: HttpRequest, project_id: uuid.UUID) -> Any:
    return list(Milestone.objects.filter(project_id=project_id).order_by("due_on"))


@router.post(
    "/projects/{project_id}/milestones",
    response={201: MilestoneOut, **ERROR_RESPONSES},
    summary="Add a milestone",
)
def milestone_create(request: HttpRequest, project_id: uuid.UUID, payload: MilestoneIn) -> Status[Any]:
    return Status(
        201, services.milestone_create(actor=_user(request), project_id=project_id, **payload.dict())
    )


@router.post(
    "/milestones/{milestone_id}/complete",
    response={200: MilestoneOut, **ERROR_RESPONSES},
    summary="Mark a milestone reached",
)
def milestone_complete(request: HttpRequest, milestone_id: uuid.UUID, payload: CompleteIn) -> Any:
    return services.milestone_complete(
        actor=_user(request), milestone_id=milestone_id, completed_on=payload.completed_on
    )


@router.get(
    "/projects/{project_id}/assessments",
    response={200: list[AssessmentOut], **ERROR_RESPONSES},
    auth=None,
    summary="A project's self-assessments against the principles",
)
def project_assessments(request: HttpRequest, project_id: uuid.UUID) -> Any:
    return list(strategy.assessments_of(project_id=project_id))


# --- Benefit map and benefits --------------------------------------------------------------


@router.get(
    "/benefit-map", response={200: BenefitMapOut, **ERROR_RESPONSES}, auth=None, summary="The benefit map"
)
def benefit_map_read(request: HttpRequest) -> dict[str, Any]:
    return {
        "nodes": list(BenefitMapNode.objects.order_by("kind", "label")),
        "links": list(BenefitLink.objects.order_by("created_at")),
    }


@router.post(
    "/benefit-map/nodes",
    response={201: NodeOut, **ERROR_RESPONSES},
    summary="Put an enabler, output, outcome, project or objective on the map",
)
def node_create(request: HttpRequest, payload: NodeIn) -> Status[Any]:
    return Status(201, services.benefit_map_node_create(actor=_user(request), **payload.dict()))


@router.post(
    "/benefit-map/links",
    response={201: LinkOut, **ERROR_RESPONSES},
    summary="Link two nodes with a typed effect (no loops, left to right)",
)
def link_create(request: HttpRequest, payload: LinkIn) -> Status[Any]:
    return Status(201, services.benefit_link_create(actor=_user(request), **payload.dict()))


@router.delete(
    "/benefit-map/links/{link_id}",
    response={204: None, **ERROR_RESPONSES},
    summary="Remove a link from the map",
)
def link_delete(request: HttpRequest, link_id: uuid.UUID) -> Status[None]:
    services.benefit_link_delete(actor=_user(request), link_id=link_id)
    return Status(204, None)


@router.get(
    "/benefits",
    response={200: list[BenefitOut], **ERROR_RESPONSES},
    auth=None,
    summary="Benefits and their progress (public ones)",
)
@paginate
def benefit_list(request: HttpRequest) -> Any:
    return benefits.benefit_list(public_only=True)


@router.post(
    "/benefits", response={201: BenefitOut, **ERROR_RESPONSES}, summary="Add a benefit (or dis-benefit)"
)
def benefit_create(request: HttpRequest, payload: BenefitIn) -> Status[Any]:
    data = payload.dict()
    data["cells"] = [(cell["purpose"], cell["issue"]) for cell in data["cells"]]
    return Status(201, services.benefit_create(actor=_user(request), **data))


def _benefit(code: str, *, public_only: bool) -> Benefit:
    benefit = benefits.benefit_by_code(code, public_only=public_only)
    if benefit is None:
        raise NotFoundError(f"There is no benefit {code}.")
    return benefit


@router.patch(
    "/benefits/{code}",
    response={200: BenefitOut, **ERROR_RESPONSES},
    summary="Change a benefit's status or target",
)
def benefit_update(request: HttpRequest, code: str, payload: BenefitUpdateIn) -> Any:
    benefit = _benefit(code, public_only=False)
    return services.benefit_update(
        actor=_user(request), benefit_id=benefit.pk, **payload.dict(exclude_unset=True)
    )


@router.put(
    "/benefits/{code}/trajectory",
    response={200: list[TrajectoryPointOut], **ERROR_RESPONSES},
    summary="Set the planned path from baseline to target",
)
def trajectory_set(request: HttpRequest, code: str, payload: TrajectoryIn) -> Any:
    benefit = _benefit(code, public_only=False)
    return services.benefit_trajectory_set(
        actor=_user(request),
        benefit_id=benefit.pk,
        points=[(point.on, point.planned_value) for point in payload.points],
    )


@router.get(
    "/benefits/{code}/measurements",
    response={200: list[MeasurementOut], **ERROR_RESPONSES},
    auth=None,
    summary="A benefit's measurements",
)
@paginate
def measurement_list(request: HttpRequest, code: str) -> Any:
    return _benefit(code, public_only=True).measurements.order_by("period_end")


@router.post(
    "/benefits/{code}/measurements",
    response={201: MeasurementOut, **ERROR_RESPONSES},
    summary="Record a measurement (in the benefit's unit and period)",
)
def measurement_record(request: HttpRequest, code: str, payload: MeasurementIn) -> Status[Any]:
    benefit = _benefit(code, public_only=False)
    return Status(
        201,
        services.benefit_measurement_record(actor=_user(request), benefit_id=benefit.pk, **payload.dict()),
    )


@router.post(
    "/benefits/{code}/measurements/import",
    response={200: ImportOut, **ERROR_RESPONSES},
    summary="Import measurements from CSV (period, value, unit[, source_reference, evidence]); all or "
    "nothing",
)
def measurement_import(request: HttpRequest, code: str, file: UploadedFile = File(...)) -> Any:  # noqa: B008
    benefit = _benefit(code, public_only=False)
    try:
        return services.benefit_measurements_import(
            actor=_user(request), benefit_id=benefit.pk, text=_read_upload(file), file_name=file.name or ""
        )
    except CsvImportError as error:
        raise _import_error(error) from error


@router.post(
    "/measurements/{measurement_id}/verify",
    response={200: MeasurementOut, **ERROR_RESPONSES},
    summary="Confirm a measurement against its evidence",
)
def measurement_verify(request: HttpRequest, measurement_id: uuid.UUID) -> Any:
    return services.benefit_measurement_verify(actor=_user(request), measurement_id=measurement_id)


@router.post(
    "/reviews",
    response={201: ReviewOut, **ERROR_RESPONSES},
    summary="Record a checkpoint review of a benefit, project or programme",
)
def review_record(request: HttpRequest, payload: ReviewIn) -> Status[Any]:
    return Status(201, services.checkpoint_review_record(actor=_user(request), **payload.dict()))


@router.post(
    "/benefits/{code}/actions",
    response={201: ActionOut, **ERROR_RESPONSES},
    summary="Add a delivery action with its owner",
)
def action_create(request: HttpRequest, code: str, payload: ActionIn) -> Status[Any]:
    benefit = _benefit(code, public_only=False)
    return Status(
        201, services.delivery_action_create(actor=_user(request), benefit_id=benefit.pk, **payload.dict())
    )


@router.post(
    "/actions/{action_id}/status",
    response={200: ActionOut, **ERROR_RESPONSES},
    summary="Complete or drop an action",
)
def action_status(request: HttpRequest, action_id: uuid.UUID, payload: ActionStatusIn) -> Any:
    return services.delivery_action_set_status(
        actor=_user(request), action_id=action_id, status=payload.status, on=payload.on
    )


# --- Indicators ----------------------------------------------------------------------------


@router.get(
    "/indicators",
    response={200: list[IndicatorOut], **ERROR_RESPONSES},
    auth=None,
    summary="City indicators (U4SSC, ISO 37120, local) with their latest value",
)
@paginate
def indicator_list(request: HttpRequest, framework: str | None = None, reported: bool = False) -> Any:
    return indicators.indicator_list(framework=framework, reported_only=reported)


@router.post("/indicators", response={201: IndicatorOut, **ERROR_RESPONSES}, summary="Add a local indicator")
def indicator_create(request: HttpRequest, payload: IndicatorIn) -> Status[Any]:
    return Status(201, services.indicator_create(actor=_user(request), **payload.dict()))


@router.patch(
    "/indicators/{indicator_id}",
    response={200: IndicatorOut, **ERROR_RESPONSES},
    summary="Set how the city measures an indicator (unit, frequency, headline)",
)
def indicator_configure(request: HttpRequest, indicator_id: uuid.UUID, payload: IndicatorConfigureIn) -> Any:
    return services.indicator_configure(
        actor=_user(request), indicator_id=indicator_id, **payload.dict(exclude_unset=True)
    )


@router.get(
    "/indicators/{indicator_id}/values",
    response={200: list[IndicatorValueOut], **ERROR_RESPONSES},
    auth=None,
    summary="An indicator's values, oldest first",
)
@paginate
def indicator_values(request: HttpRequest, indicator_id: uuid.UUID, district: str | None = None) -> Any:
    values = IndicatorValue.objects.filter(indicator_id=indicator_id).select_related("district")
    values = values.filter(district__slug=district) if district else values.filter(district__isnull=True)
    return values.exclude(verification="rejected").order_by("period_end")


@router.post(
    "/indicators/{indicator_id}/values",
    response={201: IndicatorValueOut, **ERROR_RESPONSES},
    summary="Record (or correct) a value, in the indicator's unit and period",
)
def indicator_value_record(
    request: HttpRequest, indicator_id: uuid.UUID, payload: IndicatorValueIn
) -> Status[Any]:
    data = payload.dict()
    data["district_slug"] = data.pop("district")
    return Status(
        201, services.indicator_value_record(actor=_user(request), indicator_id=indicator_id, **data)
    )


@router.post(
    "/indicator-values/import",
    response={200: ImportOut, **ERROR_RESPONSES},
    summary="Import values from CSV (code, period, value, unit[, part, framework, district, source_name, "
    "source_url, evidence]); all or nothing",
)
def indicator_values_import(request: HttpRequest, file: UploadedFile = File(...)) -> Any:  # noqa: B008
    try:
        return services.indicator_values_import(
            actor=_user(request), text=_read_upload(file), file_name=file.name or ""
        )
    except CsvImportError as error:
        raise _import_error(error) from error


@router.post(
    "/indicator-values/{value_id}/verify",
    response={200: IndicatorValueOut, **ERROR_RESPONSES},
    summary="Set a value's verification status",
)
def indicator_value_verify(request: HttpRequest, value_id: uuid.UUID, payload: VerifyIn) -> Any:
    return services.indicator_value_verify(
        actor=_user(request), value_id=value_id, verification=payload.verification
    )


@router.get(
    "/indicators/{indicator_id}/targets",
    response={200: list[TargetOut], **ERROR_RESPONSES},
    auth=None,
    summary="An indicator's targets with Y.4904 level bands",
)
def target_list(request: HttpRequest, indicator_id: uuid.UUID) -> Any:
    indicator = Indicator.objects.filter(pk=indicator_id).first()
    if indicator is None:
        raise NotFoundError("There is no indicator with that id.")
    return list(indicator.targets.order_by("target_year"))


@router.post(
    "/indicators/{indicator_id}/targets",
    response={200: TargetOut, **ERROR_RESPONSES},
    summary="Set the target of a year, with the Y.4904 bands",
)
def target_set(request: HttpRequest, indicator_id: uuid.UUID, payload: TargetIn) -> Any:
    return services.indicator_target_set(actor=_user(request), indicator_id=indicator_id, **payload.dict())


# --- Risks ---------------------------------------------------------------------------------


@router.get("/risks", response={200: list[RiskOut], **ERROR_RESPONSES}, summary="The risk register (staff)")
@paginate
def risk_list(request: HttpRequest, open_only: bool = False) -> Any:
    _require_staff(request)
    return risks.risk_register(open_only=open_only)


@router.post("/risks", response={201: RiskOut, **ERROR_RESPONSES}, summary="Add a risk")
def risk_create(request: HttpRequest, payload: RiskIn) -> Status[Any]:
    return Status(201, services.risk_create(actor=_user(request), **payload.dict()))


@router.post(
    "/risks/{risk_id}/reviews", response={201: RiskReviewOut, **ERROR_RESPONSES}, summary="Review a risk"
)
def risk_review(request: HttpRequest, risk_id: uuid.UUID, payload: RiskReviewIn) -> Status[Any]:
    return Status(201, services.risk_review(actor=_user(request), risk_id=risk_id, **payload.dict()))


@router.get(
    "/risk-areas",
    response={200: list[RiskAreaOut], **ERROR_RESPONSES},
    summary="The key-risk checklist (staff)",
)
def risk_area_list(request: HttpRequest) -> Any:
    _require_staff(request)
    return list(risks.checklist())


@router.post(
    "/risk-areas/{area_id}/reviews",
    response={201: ChecklistReviewOut, **ERROR_RESPONSES},
    summary="Review one key-risk area",
)
def risk_area_review(request: HttpRequest, area_id: uuid.UUID, payload: ChecklistReviewIn) -> Status[Any]:
    return Status(
        201, services.checklist_review_record(actor=_user(request), area_id=area_id, **payload.dict())
    )


@router.get(
    "/reviews/overdue",
    response={200: list[DueReviewOut], **ERROR_RESPONSES},
    summary="Reviews that have fallen due (staff)",
)
def overdue_list(request: HttpRequest) -> Any:
    _require_staff(request)
    return risks.overdue_reviews(today=today())


# --- Architecture --------------------------------------------------------------------------


@router.get(
    "/interoperability",
    response={200: InteropMatrixOut, **ERROR_RESPONSES},
    auth=None,
    summary="The interoperability matrix: layers × domains",
)
def interoperability_read(request: HttpRequest) -> dict[str, Any]:
    matrix = architecture.interoperability_matrix()
    return {
        "layers": [layer for layer, _label, _cells in matrix.rows],
        "domains": matrix.domains,
        "cells": [cell for _layer, _label, cells in matrix.rows for cell in cells if cell is not None],
    }


@router.post(
    "/interoperability/domains",
    response={201: InteropDomainOut, **ERROR_RESPONSES},
    summary="Add a domain (column) to the matrix",
)
def interoperability_domain_create(request: HttpRequest, payload: InteropDomainIn) -> Status[Any]:
    return Status(201, services.interoperability_domain_create(actor=_user(request), **payload.dict()))


@router.put(
    "/interoperability/cells",
    response={200: InteropCellOut, **ERROR_RESPONSES},
    summary="Record one cell: barrier, standard, status",
)
def interoperability_cell_set(request: HttpRequest, payload: InteropCellIn) -> Any:
    return services.interoperability_cell_set(actor=_user(request), **payload.dict())


@router.get("/glossary", response={200: list[TermOut], **ERROR_RESPONSES}, auth=None, summary="The glossary")
@paginate
def term_list(request: HttpRequest) -> Any:
    return architecture.glossary()


@router.post("/glossary", response={201: TermOut, **ERROR_RESPONSES}, summary="Add a glossary term")
def term_create(request: HttpRequest, payload: TermIn) -> Status[Any]:
    return Status(201, services.term_create(actor=_user(request), **payload.dict()))


@router.get(
    "/it-systems",
    response={200: list[ItSystemOut], **ERROR_RESPONSES},
    summary="IT systems inventory (staff)",
)
@paginate
def it_system_list(request: HttpRequest) -> Any:
    _require_staff(request)
    return architecture.it_systems()


@router.post("/it-systems", response={201: ItSystemOut, **ERROR_RESPONSES}, summary="Add an IT system")
def it_system_create(request: HttpRequest, payload: ItSystemIn) -> Status[Any]:
    return Status(201, services.it_system_create(actor=_user(request), **payload.dict()))


@router.get(
    "/data-assets",
    response={200: list[DataAssetOut], **ERROR_RESPONSES},
    summary="Data asset inventory (staff)",
)
@paginate
def data_asset_list(request: HttpRequest) -> Any:
    _require_staff(request)
    return architecture.data_assets()


@router.post("/data-assets", response={201: DataAssetOut, **ERROR_RESPONSES}, summary="Add a data asset")
def data_asset_create(request: HttpRequest, payload: DataAssetIn) -> Status[Any]:
    return Status(201, services.data_asset_create(actor=_user(request), **payload.dict()))


@router.get(
    "/apis",
    response={200: list[ApiServiceOut], **ERROR_RESPONSES},
    auth=None,
    summary="The API and service registry, with Cityhall's own APIs",
)
@paginate
def api_service_list(request: HttpRequest) -> Any:
    return architecture.api_registry()


@router.post("/apis", response={201: ApiServiceOut, **ERROR_RESPONSES}, summary="Register an API or service")
def api_service_create(request: HttpRequest, payload: ApiServiceIn) -> Status[Any]:
    return Status(201, services.api_service_create(actor=_user(request), **payload.dict()))


@router.post(
    "/apis/sync",
    response={200: list[ApiServiceOut], **ERROR_RESPONSES},
    summary="List Cityhall's own APIs in the registry (from its OpenAPI document)",
)
def api_registry_sync(request: HttpRequest) -> Any:
    synced = services.api_registry_sync(actor=_user(request))
    return list(architecture.api_registry().filter(pk__in=[service.pk for service in synced]))


# --- Procurement ---------------------------------------------------------------------------


@router.get(
    "/procurement/releases",
    auth=None,
    summary="OCDS 1.1 release package of the city's smart-city procurement",
    response={200: dict[str, Any], **ERROR_RESPONSES},
)
def ocds_releases(request: HttpRequest) -> dict[str, Any]:
    return procurement.ocds_release_package(uri=request.build_absolute_uri())


@router.get(
    "/procurement/needs",
    response={200: list[NeedOut], **ERROR_RESPONSES},
    auth=None,
    summary="Procurement needs",
)
@paginate
def need_list(request: HttpRequest) -> Any:
    return procurement.needs()


@router.post(
    "/procurement/needs", response={201: NeedOut, **ERROR_RESPONSES}, summary="Add a procurement need"
)
def need_create(request: HttpRequest, payload: NeedIn) -> Status[Any]:
    return Status(201, services.procurement_need_create(actor=_user(request), **payload.dict()))


@router.post(
    "/procurement/needs/{need_id}/status",
    response={200: NeedOut, **ERROR_RESPONSES},
    summary="Move a procurement need on",
)
def need_status(request: HttpRequest, need_id: uuid.UUID, payload: StatusIn) -> Any:
    return services.procurement_need_set_status(actor=_user(request), need_id=need_id, status=payload.status)


@router.get(
    "/procurement/suppliers",
    response={200: list[SupplierOut], **ERROR_RESPONSES},
    auth=None,
    summary="Suppliers",
)
@paginate
def supplier_list(request: HttpRequest) -> Any:
    return procurement.suppliers()


@router.post(
    "/procurement/suppliers", response={201: SupplierOut, **ERROR_RESPONSES}, summary="Add a supplier"
)
def supplier_create(request: HttpRequest, payload: SupplierIn) -> Status[Any]:
    return Status(201, services.supplier_create(actor=_user(request), **payload.dict()))


@router.post(
    "/procurement/suppliers/{supplier_id}/rating",
    response={200: SupplierOut, **ERROR_RESPONSES},
    summary="Rate a supplier's performance",
)
def supplier_rate(request: HttpRequest, supplier_id: uuid.UUID, payload: SupplierRatingIn) -> Any:
    return services.supplier_rate(actor=_user(request), supplier_id=supplier_id, **payload.dict())


@router.post(
    "/procurement/contracts", response={201: ContractOut, **ERROR_RESPONSES}, summary="Add a contract"
)
def contract_create(request: HttpRequest, payload: ContractIn) -> Status[Any]:
    return Status(201, services.contract_create(actor=_user(request), **payload.dict()))


@router.post(
    "/procurement/contracts/{contract_id}/checklist",
    response={200: ClauseCheckOut, **ERROR_RESPONSES},
    summary="Answer one item of the smart-city contracting checklist",
)
def contract_clause(request: HttpRequest, contract_id: uuid.UUID, payload: ClauseCheckIn) -> Any:
    return services.contract_check_clause(actor=_user(request), contract_id=contract_id, **payload.dict())


@router.post(
    "/procurement/contracts/{contract_id}/status",
    response={200: ContractOut, **ERROR_RESPONSES},
    summary="Move a contract on (active needs the whole checklist answered)",
)
def contract_status(request: HttpRequest, contract_id: uuid.UUID, payload: StatusIn) -> Any:
    return services.contract_set_status(actor=_user(request), contract_id=contract_id, status=payload.status)
