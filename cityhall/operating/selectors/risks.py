"""Reads for component D: the risk register, its five-by-five matrix, the key-risk checklist, and every
review that has fallen due (risks, key-risk areas, checkpoint reviews)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from cityhall.operating.models import (
    OPEN_RISK_STATUSES,
    ChecklistReview,
    CheckpointReview,
    Risk,
    RiskArea,
    RiskReview,
    risk_rag,
)


def risk_register(*, open_only: bool = False) -> QuerySet[Risk]:
    risks = Risk.objects.select_related("area", "owner", "owner_department").prefetch_related(
        "projects", "benefits", "principles"
    )
    return risks.filter(status__in=OPEN_RISK_STATUSES) if open_only else risks


def risk_reviews(risk: Risk) -> QuerySet[RiskReview]:
    return risk.reviews.select_related("reviewer")


def risk_matrix(risks: list[Risk]) -> list[tuple[int, list[tuple[str, list[Risk]]]]]:
    """Rows of impact 5 down to 1, each with five cells (likelihood 1 to 5): the cell's rating and its "
    "open risks."""
    grid: dict[tuple[int, int], list[Risk]] = {}
    for risk in risks:
        if risk.status in OPEN_RISK_STATUSES:
            grid.setdefault((risk.impact, risk.likelihood), []).append(risk)
    return [
        (
            impact,
            [
                (risk_rag(likelihood, impact), grid.get((impact, likelihood), []))
                for likelihood in range(1, 6)
            ],
        )
        for impact in range(5, 0, -1)
    ]


def checklist() -> QuerySet[RiskArea]:
    return RiskArea.objects.prefetch_related(
        "items",
        Prefetch(
            "reviews", queryset=ChecklistReview.objects.select_related("reviewer").order_by("-reviewed_on")
        ),
    )


@dataclass(frozen=True, slots=True)
class DueReview:
    kind: str  # "risk", "key_risk_area", "checkpoint"
    label: str
    due_on: dt.date | None
    days_overdue: int
    object_id: str


def overdue_reviews(*, today: dt.date) -> list[DueReview]:
    """Everything whose review has fallen due. A key-risk area never reviewed counts as due now."""
    due: list[DueReview] = []
    for risk in Risk.objects.filter(status__in=OPEN_RISK_STATUSES, next_review_due__lt=today).order_by(
        "next_review_due"
    ):
        due.append(
            DueReview(
                "risk",
                f"{risk.code} {risk.title}",
                risk.next_review_due,
                (today - risk.next_review_due).days,
                str(risk.pk),
            )
        )
    for area in RiskArea.objects.order_by("order"):
        if area.next_review_due is None or area.next_review_due < today:
            days = (today - area.next_review_due).days if area.next_review_due else 0
            due.append(
                DueReview(
                    "key_risk_area", f"{area.code} {area.heading}", area.next_review_due, days, str(area.pk)
                )
            )
    latest_by_scope: dict[str, CheckpointReview] = {}
    for review in CheckpointReview.objects.select_related("benefit", "project", "programme").order_by(
        "reviewed_on"
    ):
        scope = str(review.benefit_id or review.project_id or review.programme_id)
        latest_by_scope[scope] = review
    for review in latest_by_scope.values():
        if review.next_review_due is not None and review.next_review_due < today:
            subject = review.benefit or review.project or review.programme
            due.append(
                DueReview(
                    "checkpoint",
                    str(subject),
                    review.next_review_due,
                    (today - review.next_review_due).days,
                    str(review.pk),
                )
            )
    return sorted(due, key=lambda item: (-item.days_overdue, item.label))
