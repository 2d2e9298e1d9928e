"""Component D: the risk register and the key-risk checklist, each reviewed on a schedule."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.utils.translation import gettext as _

from cityhall.core.errors import ServiceError
from cityhall.operating import rules
from cityhall.operating.models import (
    Benefit,
    ChecklistReview,
    DeliveryPrinciple,
    Project,
    Risk,
    RiskArea,
    RiskReview,
    RiskStatus,
)
from cityhall.operating.services._common import (
    User,
    audit,
    get_or_404,
    require,
    require_programme_office,
    today,
    user_or_none,
    validated,
)


def _check_scores(likelihood: int, impact: int) -> None:
    for label, score in ((_("Likelihood"), likelihood), (_("Impact"), impact)):
        if not 1 <= score <= 5:
            raise ServiceError(
                _("%(what)s is scored from 1 (lowest) to 5 (highest), not %(score)s.")
                % {"what": label, "score": score},
                code="invalid_score",
            )


def _linked(
    model: type[Project] | type[Benefit] | type[DeliveryPrinciple], ids: list[uuid.UUID], what: str
) -> list:
    found = list(model.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ServiceError(
            _("One of the %(what)s named does not exist.") % {"what": what}, code="unknown_link"
        )
    return found


@transaction.atomic
def risk_create(
    *,
    actor: User | None,
    code: str,
    title: str,
    likelihood: int,
    impact: int,
    next_review_due: dt.date,
    description: str = "",
    area_id: uuid.UUID | None = None,
    owner_id: uuid.UUID | None = None,
    owner_department_id: uuid.UUID | None = None,
    mitigation: str = "",
    raised_on: dt.date | None = None,
    project_ids: list[uuid.UUID] | None = None,
    benefit_ids: list[uuid.UUID] | None = None,
    principle_ids: list[uuid.UUID] | None = None,
) -> Risk:
    require_programme_office(actor)
    _check_scores(likelihood, impact)
    risk = Risk(
        code=code.strip(),
        title=title.strip(),
        description=description.strip(),
        area_id=area_id,
        likelihood=likelihood,
        impact=impact,
        owner_id=owner_id,
        owner_department_id=owner_department_id,
        mitigation=mitigation.strip(),
        raised_on=raised_on or today(),
        next_review_due=next_review_due,
    )
    validated(risk)
    risk.save(force_insert=True)
    risk.projects.set(_linked(Project, project_ids or [], _("projects")))
    risk.benefits.set(_linked(Benefit, benefit_ids or [], _("benefits")))
    risk.principles.set(_linked(DeliveryPrinciple, principle_ids or [], _("principles")))
    audit(
        actor,
        "risk.create",
        risk,
        {
            "code": risk.code,
            "score": risk.score,
            "projects": project_ids or [],
            "benefits": benefit_ids or [],
        },
    )
    return risk


@transaction.atomic
def risk_review(
    *,
    actor: User | None,
    risk_id: uuid.UUID,
    likelihood: int,
    impact: int,
    notes: str,
    next_review_due: dt.date,
    reviewed_on: dt.date | None = None,
    status: str | None = None,
    mitigation: str | None = None,
) -> RiskReview:
    """Review a risk: new scores, notes, and when it is next due. The owner may review their own risk."""
    risk = get_or_404(Risk.objects.select_for_update(), risk_id, _("risk"))
    if actor is not None:
        require(
            rules.can_work_on_project(actor, owner_id=risk.owner_id, department_id=risk.owner_department_id),
            _("Only the programme office, the risk's owner or staff of its department can review it."),
        )
    _check_scores(likelihood, impact)
    on = reviewed_on or today()
    if next_review_due <= on:
        raise ServiceError(_("The next review must fall after this one."), code="invalid_date")
    if status is not None and status not in RiskStatus.values:
        raise ServiceError(_("Unknown risk status “%(status)s”.") % {"status": status}, code="invalid")
    review = RiskReview(
        risk=risk,
        reviewed_on=on,
        reviewer=user_or_none(actor),
        likelihood=likelihood,
        impact=impact,
        notes=notes.strip(),
        next_review_due=next_review_due,
    )
    validated(review)
    review.save(force_insert=True)
    before = {"likelihood": risk.likelihood, "impact": risk.impact, "status": risk.status}
    risk.likelihood, risk.impact, risk.next_review_due = likelihood, impact, next_review_due
    fields = ["likelihood", "impact", "next_review_due", "updated_at"]
    if status is not None:
        risk.status = status
        fields.append("status")
    if mitigation is not None:
        risk.mitigation = mitigation.strip()
        fields.append("mitigation")
    risk.save(update_fields=fields)
    audit(
        actor,
        "risk.review",
        risk,
        {
            "before": before,
            "likelihood": likelihood,
            "impact": impact,
            "status": risk.status,
            "next": next_review_due,
        },
    )
    return review


@transaction.atomic
def checklist_review_record(
    *,
    actor: User | None,
    area_id: uuid.UUID,
    rag: str,
    findings: str,
    reviewed_on: dt.date | None = None,
    next_review_due: dt.date | None = None,
) -> ChecklistReview:
    """Review one key-risk area; it falls due again after its interval unless a date is given."""
    require_programme_office(actor)
    area = get_or_404(RiskArea.objects.select_for_update(), area_id, _("key-risk area"))
    on = reviewed_on or today()
    due = next_review_due or on + dt.timedelta(days=area.review_interval_days)
    if due <= on:
        raise ServiceError(_("The next review must fall after this one."), code="invalid_date")
    review = ChecklistReview(
        area=area,
        reviewed_on=on,
        reviewer=user_or_none(actor),
        rag=rag,
        findings=findings.strip(),
        next_review_due=due,
    )
    validated(review)
    review.save(force_insert=True)
    area.next_review_due = due
    area.save(update_fields=["next_review_due", "updated_at"])
    audit(actor, "checklist.review", area, {"rag": rag, "next": due, "reviewed_on": on})
    return review


@transaction.atomic
def risk_area_schedule(
    *,
    actor: User | None,
    area_id: uuid.UUID,
    review_interval_days: int,
    next_review_due: dt.date | None = None,
) -> RiskArea:
    require_programme_office(actor)
    area = get_or_404(RiskArea.objects.select_for_update(), area_id, _("key-risk area"))
    if review_interval_days < 1:
        raise ServiceError(
            _("Review at least every so many days: give a number of 1 or more."), code="invalid"
        )
    area.review_interval_days = review_interval_days
    if next_review_due is not None:
        area.next_review_due = next_review_due
    area.save(update_fields=["review_interval_days", "next_review_due", "updated_at"])
    audit(
        actor,
        "checklist.schedule",
        area,
        {"interval_days": review_interval_days, "next": area.next_review_due},
    )
    return area
