"""Component A and B1: the versioned vision, objectives on the ISO 37101 matrix, delivery principles,
their adoption and the self-assessments against them, and Y.4904 maturity over time."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from cityhall.core.errors import ServiceError
from cityhall.operating import rules
from cityhall.operating.models import (
    DeliveryPrinciple,
    MaturityAssessment,
    Objective,
    ObjectiveCell,
    PrincipleAdoption,
    PrincipleAssessment,
    ProcurementNeed,
    Project,
    SourceMark,
    SustainabilityIssue,
    SustainabilityPurpose,
    Vision,
    VisionStatus,
)
from cityhall.operating.services._common import (
    User,
    audit,
    changed_fields,
    get_or_404,
    require,
    require_programme_office,
    today,
    user_or_none,
    validated,
)

Cell = tuple[int, int]  # (purpose number 1-6, issue number 1-12), in ISO 37101 clause order


# --- Vision --------------------------------------------------------------------------------


@transaction.atomic
def vision_draft(
    *,
    actor: User | None,
    title: str,
    statement: str,
    horizon_year: int | None = None,
    consultation_reference: str = "",
) -> Vision:
    """A new version of the vision, as a draft. Earlier versions stay as they were."""
    require_programme_office(actor)
    latest = Vision.objects.select_for_update().aggregate(latest=Max("version"))["latest"] or 0
    vision = Vision(
        version=latest + 1,
        title=title.strip(),
        statement=statement.strip(),
        horizon_year=horizon_year,
        consultation_reference=consultation_reference.strip(),
    )
    validated(vision)
    vision.save(force_insert=True)
    audit(actor, "vision.draft", vision, {"version": vision.version, "title": vision.title})
    return vision


@transaction.atomic
def vision_adopt(*, actor: User | None, vision_id: uuid.UUID, adopted_on: dt.date | None = None) -> Vision:
    """Adopt a draft; the version adopted before it becomes superseded."""
    require_programme_office(actor)
    vision = get_or_404(Vision.objects.select_for_update(), vision_id, _("vision"))
    if vision.status != VisionStatus.DRAFT:
        raise ServiceError(
            _("Version %(version)d is %(status)s; only a draft can be adopted. Draft a new version instead.")
            % {"version": vision.version, "status": vision.get_status_display().lower()},
            code="not_a_draft",
        )
    superseded = list(
        Vision.objects.select_for_update()
        .filter(status=VisionStatus.ADOPTED)
        .values_list("version", flat=True)
    )
    Vision.objects.filter(status=VisionStatus.ADOPTED).update(status=VisionStatus.SUPERSEDED)
    vision.status = VisionStatus.ADOPTED
    vision.adopted_on = adopted_on or today()
    vision.save(update_fields=["status", "adopted_on", "updated_at"])
    audit(actor, "vision.adopt", vision, {"version": vision.version, "supersedes": superseded})
    return vision


# --- Objectives ----------------------------------------------------------------------------


def _matrix_cells(cells: list[Cell]) -> list[tuple[SustainabilityPurpose, SustainabilityIssue]]:
    purposes = {purpose.order: purpose for purpose in SustainabilityPurpose.objects.all()}
    issues = {issue.order: issue for issue in SustainabilityIssue.objects.all()}
    if cells and (not purposes or not issues):
        raise ServiceError(
            _("The ISO 37101 matrix is not loaded yet. Run `cityhall operating load-matrix` first."),
            code="matrix_missing",
        )
    resolved = []
    for purpose_number, issue_number in cells:
        if purpose_number not in purposes:
            raise ServiceError(
                _("There is no ISO 37101 purpose number %(number)s: purposes are numbered 1 to %(count)d.")
                % {"number": purpose_number, "count": len(purposes)},
                code="unknown_cell",
            )
        if issue_number not in issues:
            raise ServiceError(
                _("There is no ISO 37101 issue number %(number)s: issues are numbered 1 to %(count)d.")
                % {"number": issue_number, "count": len(issues)},
                code="unknown_cell",
            )
        resolved.append((purposes[purpose_number], issues[issue_number]))
    return resolved


@transaction.atomic
def objective_create(
    *,
    actor: User | None,
    code: str,
    title: str,
    description: str = "",
    owner_department_id: uuid.UUID | None = None,
    order: int = 0,
    cells: list[Cell] | None = None,
) -> Objective:
    require_programme_office(actor)
    objective = Objective(
        code=code.strip(),
        title=title.strip(),
        description=description.strip(),
        owner_department_id=owner_department_id,
        order=order,
    )
    validated(objective)
    objective.save(force_insert=True)
    placed = _set_objective_cells(objective, cells or [])
    audit(actor, "objective.create", objective, {"code": objective.code, "cells": placed})
    return objective


def _set_objective_cells(objective: Objective, cells: list[Cell]) -> list[list[int]]:
    resolved = _matrix_cells(cells)
    objective.cells.all().delete()
    ObjectiveCell.objects.bulk_create(
        [ObjectiveCell(objective=objective, purpose=purpose, issue=issue) for purpose, issue in set(resolved)]
    )
    return sorted([purpose.order, issue.order] for purpose, issue in set(resolved))


@transaction.atomic
def objective_update(
    *,
    actor: User | None,
    objective_id: uuid.UUID,
    title: str | None = None,
    description: str | None = None,
    status: str | None = None,
    cells: list[Cell] | None = None,
) -> Objective:
    require_programme_office(actor)
    objective = get_or_404(Objective, objective_id, _("objective"))
    values = {
        name: value
        for name, value in (("title", title), ("description", description), ("status", status))
        if value is not None
    }
    changed = changed_fields(objective, values)
    validated(objective)
    if changed:
        objective.save(update_fields=[*changed, "updated_at"])
    data: dict[str, object] = {"changed": changed}
    if cells is not None:
        data["cells"] = _set_objective_cells(objective, cells)
    audit(actor, "objective.update", objective, data)
    return objective


# --- Delivery principles -------------------------------------------------------------------


@transaction.atomic
def principle_create(
    *,
    actor: User | None,
    code: str,
    heading: str,
    title: str,
    text: str = "",
    source_reference: str = "",
    mark: str = SourceMark.LOCAL,
) -> DeliveryPrinciple:
    require_programme_office(actor)
    order = (DeliveryPrinciple.objects.aggregate(last=Max("order"))["last"] or 0) + 1
    principle = DeliveryPrinciple(
        code=code.strip(),
        heading=heading,
        title=title.strip(),
        text=text.strip(),
        source_reference=source_reference.strip(),
        mark=mark,
        order=order,
    )
    validated(principle)
    principle.save(force_insert=True)
    audit(actor, "principle.create", principle, {"code": principle.code, "heading": heading})
    return principle


@transaction.atomic
def principle_adopt(
    *,
    actor: User | None,
    principle_id: uuid.UUID,
    adopted_on: dt.date,
    adopted_by_id: uuid.UUID | None = None,
    evidence: str = "",
) -> PrincipleAdoption:
    require_programme_office(actor)
    principle = get_or_404(DeliveryPrinciple, principle_id, _("delivery principle"))
    adoption = PrincipleAdoption.objects.filter(principle=principle).first() or PrincipleAdoption(
        principle=principle
    )
    adoption.adopted_on = adopted_on
    adoption.adopted_by_id = adopted_by_id
    adoption.evidence = evidence.strip()
    validated(adoption)
    adoption.save()
    audit(
        actor,
        "principle.adopt",
        principle,
        {"adopted_on": adopted_on, "adopted_by": adopted_by_id, "code": principle.code},
    )
    return adoption


def missing_principles(*, project: Project | None = None, need: ProcurementNeed | None = None) -> list[str]:
    """Codes of adopted principles that the project (or procurement need) was not assessed against."""
    assessed = PrincipleAssessment.objects.filter(project=project) if project else None
    if need is not None:
        assessed = PrincipleAssessment.objects.filter(procurement_need=need)
    done = set(assessed.values_list("principle_id", flat=True)) if assessed is not None else set()
    return [
        code
        for principle_id, code in DeliveryPrinciple.objects.filter(adoption__isnull=False).values_list(
            "id", "code"
        )
        if principle_id not in done
    ]


@transaction.atomic
def principle_assess(
    *,
    actor: User | None,
    principle_id: uuid.UUID,
    score: int,
    rationale: str,
    project_id: uuid.UUID | None = None,
    procurement_need_id: uuid.UUID | None = None,
    evidence: str = "",
    assessed_on: dt.date | None = None,
) -> PrincipleAssessment:
    """Self-assess a project or a procurement need against one adopted principle (replaces the last one)."""
    if (project_id is None) == (procurement_need_id is None):
        raise ServiceError(
            _("Assess either a project or a procurement need, not both or neither."), code="invalid"
        )
    principle = get_or_404(DeliveryPrinciple.objects.select_related("adoption"), principle_id, _("principle"))
    if not hasattr(principle, "adoption"):
        raise ServiceError(
            _("Principle %(code)s is not adopted by the city; assess against the adopted principles.")
            % {"code": principle.code},
            code="not_adopted",
        )
    if project_id is not None:
        project = get_or_404(Project, project_id, _("project"))
        if actor is not None:
            require(
                rules.can_work_on_project(
                    actor, owner_id=project.owner_id, department_id=project.department_id
                ),
                _(
                    "Only the programme office, the project's owner or its department can assess this "
                    "project."
                ),
            )
        subject: dict[str, Any] = {"project": project}
    else:
        require_programme_office(actor)
        subject = {
            "procurement_need": get_or_404(ProcurementNeed, procurement_need_id, _("procurement need"))
        }
    assessment = PrincipleAssessment.objects.filter(
        principle=principle, **subject
    ).first() or PrincipleAssessment(principle=principle, **subject)
    assessment.score = score
    assessment.rationale = rationale.strip()
    assessment.evidence = evidence.strip()
    assessment.assessed_on = assessed_on or today()
    assessment.assessed_by = user_or_none(actor)
    validated(assessment)
    assessment.save()
    audit(
        actor,
        "principle.assess",
        assessment,
        {"principle": principle.code, "score": score, **{key: value.pk for key, value in subject.items()}},
    )
    return assessment


# --- Maturity (ITU-T Y.4904) ---------------------------------------------------------------


@transaction.atomic
def maturity_assess(
    *,
    actor: User | None,
    dimension: str,
    level: int,
    evidence: str,
    assessed_on: dt.date | None = None,
) -> MaturityAssessment:
    require_programme_office(actor)
    assessment = MaturityAssessment(
        dimension=dimension,
        level=level,
        evidence=evidence.strip(),
        assessed_on=assessed_on or today(),
        assessed_by=user_or_none(actor),
    )
    validated(assessment)
    assessment.save(force_insert=True)
    audit(actor, "maturity.assess", assessment, {"dimension": dimension, "level": level})
    return assessment
