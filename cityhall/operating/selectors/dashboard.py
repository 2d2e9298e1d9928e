"""The public city dashboard: a fixed, small number of queries whatever the number of stored values.

Headline indicators come from `IndicatorSummary` rows (kept in step by the services that write
values), benefits from the progress fields on `Benefit`. Nothing here reads the values tables.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from cityhall.operating.contracts import BenefitProgress, HeadlineIndicator
from cityhall.operating.models import (
    Benefit,
    Indicator,
    IndicatorTarget,
    Project,
    ProjectStatus,
    Vision,
    VisionStatus,
)
from cityhall.operating.scoring import maturity_level


@dataclass(frozen=True, slots=True)
class Dashboard:
    vision_title: str
    vision_statement: str
    indicators: list[HeadlineIndicator]
    benefits: list[BenefitProgress]
    projects_by_status: list[tuple[str, str, int]]  # (status, label, count)


def choose_target(targets: list[IndicatorTarget], year: int) -> IndicatorTarget | None:
    """The nearest target from this year on; else the last one set."""
    ahead = [target for target in targets if target.target_year >= year]
    if ahead:
        return min(ahead, key=lambda target: target.target_year)
    return max(targets, key=lambda target: target.target_year) if targets else None


def headline_indicators(*, year: int | None = None) -> list[HeadlineIndicator]:
    """Two queries: the headline indicators with their summaries, then their targets."""
    year = year or timezone.localdate().year
    indicators = list(
        Indicator.objects.filter(is_headline=True)
        .select_related("summary")
        .only(
            "id",
            "code",
            "part",
            "name",
            "unit",
            "higher_is_better",
            "order",
            "summary__latest_value",
            "summary__latest_period",
            "summary__previous_value",
            "summary__series",
        )
        .order_by("order", "code", "part")
    )
    targets: dict[object, list[IndicatorTarget]] = {}
    for row in IndicatorTarget.objects.filter(indicator__is_headline=True):
        targets.setdefault(row.indicator_id, []).append(row)
    headlines = []
    for indicator in indicators:
        summary = getattr(indicator, "summary", None)
        latest = summary.latest_value if summary else None
        target = choose_target(targets.get(indicator.pk, []), year)
        headlines.append(
            HeadlineIndicator(
                id=indicator.pk,
                code=indicator.key,
                name=indicator.name,
                unit=indicator.unit,
                latest_value=latest,
                latest_period=summary.latest_period if summary else "",
                previous_value=summary.previous_value if summary else None,
                higher_is_better=indicator.higher_is_better,
                target_value=target.target_value if target else None,
                target_year=target.target_year if target else None,
                maturity_level=maturity_level(latest, target, higher_is_better=indicator.higher_is_better),
                series=tuple(
                    (str(period), float(value)) for period, value in (summary.series if summary else [])
                ),
            )
        )
    return headlines


def percent_of_the_way(baseline: float | None, target: float | None, latest: float | None) -> float | None:
    if baseline is None or target is None or latest is None or target == baseline:
        return None
    return round((latest - baseline) / (target - baseline) * 100, 1)


def benefit_progress(*, public_only: bool = True) -> list[BenefitProgress]:
    """One query: the benefits with their kept-in-step progress fields."""
    benefits = Benefit.objects.exclude(status="abandoned").order_by("code")
    if public_only:
        benefits = benefits.filter(is_public=True)
    rows = benefits.only(
        "id",
        "code",
        "title",
        "kind",
        "stakeholder_group",
        "unit",
        "baseline_value",
        "target_value",
        "latest_value",
        "latest_period",
        "progress",
        "is_disbenefit",
    )
    return [
        BenefitProgress(
            id=benefit.pk,
            code=benefit.code,
            title=benefit.title,
            kind=benefit.kind,
            stakeholder_group=benefit.stakeholder_group,
            unit=benefit.unit,
            baseline_value=benefit.baseline_value,
            target_value=benefit.target_value,
            latest_value=benefit.latest_value,
            latest_period=benefit.latest_period,
            progress=benefit.progress,
            percent=percent_of_the_way(benefit.baseline_value, benefit.target_value, benefit.latest_value),
            is_disbenefit=benefit.is_disbenefit,
        )
        for benefit in rows
    ]


def dashboard(*, today: dt.date | None = None) -> Dashboard:
    """Five queries in all."""
    today = today or timezone.localdate()
    vision = Vision.objects.filter(status=VisionStatus.ADOPTED).only("title", "statement").first()
    counts = dict(Project.objects.values_list("status").annotate(count=Count("id")).order_by())
    return Dashboard(
        vision_title=vision.title if vision else "",
        vision_statement=vision.statement if vision else "",
        indicators=headline_indicators(year=today.year),
        benefits=benefit_progress(public_only=True),
        projects_by_status=[
            (status.value, str(status.label), counts.get(status.value, 0))
            for status in ProjectStatus
            if counts.get(status.value)
        ],
    )
