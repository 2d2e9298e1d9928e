"""Reads for city indicators: lists, one indicator's values and targets, the open-data export, and the
U4SSC-style city snapshot."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.operating import charts
from cityhall.operating.models import (
    Indicator,
    IndicatorFramework,
    IndicatorTarget,
    IndicatorTheme,
    IndicatorValue,
    ThemeLevel,
    VerificationStatus,
)
from cityhall.operating.scoring import maturity_level
from cityhall.operating.selectors.dashboard import choose_target

EXPORT_COLUMNS = [
    "framework",
    "code",
    "part",
    "indicator",
    "district",
    "period",
    "period_start",
    "period_end",
    "value",
    "unit",
    "verification",
    "source_name",
    "source_url",
]


def indicator_list(*, framework: str | None = None, reported_only: bool = False) -> QuerySet[Indicator]:
    indicators = Indicator.objects.select_related("framework", "theme", "summary", "responsible_department")
    if framework:
        indicators = indicators.filter(framework__code=framework)
    if reported_only:
        indicators = indicators.filter(summary__value_count__gt=0)
    return indicators.order_by("framework__code", "order", "code", "part")


def frameworks() -> QuerySet[IndicatorFramework]:
    return IndicatorFramework.objects.order_by("code")


def themes_of(framework_code: str) -> QuerySet[IndicatorTheme]:
    return IndicatorTheme.objects.filter(framework__code=framework_code).select_related("parent")


@dataclass(frozen=True, slots=True)
class IndicatorDetail:
    indicator: Indicator
    values: list[IndicatorValue]
    district_values: list[IndicatorValue]
    targets: list[IndicatorTarget]
    target: IndicatorTarget | None
    level: int | None
    chart: charts.SafeString


def indicator_detail(indicator: Indicator, *, limit: int = 60) -> IndicatorDetail:
    """The newest city-wide values (oldest first, at most `limit`), the newest value per district."""
    city = (
        IndicatorValue.objects.filter(indicator=indicator, district__isnull=True)
        .exclude(verification=VerificationStatus.REJECTED)
        .order_by("-period_end")[:limit]
    )
    values = list(reversed(list(city)))
    latest_period = (
        IndicatorValue.objects.filter(indicator=indicator, district__isnull=False)
        .order_by("-period_end")
        .values_list("period", flat=True)
        .first()
    )
    district_values = (
        list(
            IndicatorValue.objects.filter(indicator=indicator, period=latest_period, district__isnull=False)
            .select_related("district")
            .order_by("district__name")
        )
        if latest_period
        else []
    )
    targets = list(indicator.targets.select_related("objective").order_by("target_year"))
    target = choose_target(targets, timezone.localdate().year)
    latest = values[-1].value if values else None
    chart = charts.line_chart(
        chart_id=f"indicator-{indicator.pk}",
        title=_("%(name)s over time") % {"name": indicator.name},
        desc=_(
            "City-wide values in %(unit)s by period (solid line) and the target (dashed). The table "
            "lists them."
        )
        % {"unit": indicator.unit or "—"},
        points=[(value.period, value.value) for value in values],
        target=target.target_value if target else None,
    )
    return IndicatorDetail(
        indicator=indicator,
        values=values,
        district_values=district_values,
        targets=targets,
        target=target,
        level=maturity_level(latest, target, higher_is_better=indicator.higher_is_better),
        chart=chart,
    )


def export_rows(*, framework: str | None = None, verified_only: bool = False) -> Iterator[list[Any]]:
    """Every value, oldest first per indicator, streamed in chunks (open data; rejected values left out)."""
    values = IndicatorValue.objects.exclude(verification=VerificationStatus.REJECTED)
    if framework:
        values = values.filter(indicator__framework__code=framework)
    if verified_only:
        values = values.filter(
            verification__in=[VerificationStatus.SELF_VERIFIED, VerificationStatus.INDEPENDENTLY_VERIFIED]
        )
    rows = values.order_by(
        "indicator__framework__code", "indicator__code", "indicator__part", "district__slug", "period_end"
    ).values_list(
        "indicator__framework__code",
        "indicator__code",
        "indicator__part",
        "indicator__name",
        "district__slug",
        "period",
        "period_start",
        "period_end",
        "value",
        "unit",
        "verification",
        "source_name",
        "source_url",
    )
    for row in rows.iterator(chunk_size=5000):
        (
            framework_code,
            code,
            part,
            name,
            district,
            period,
            start,
            end,
            value,
            unit,
            verification,
            source,
            url,
        ) = row
        yield [
            framework_code,
            code,
            part,
            name,
            district or "",
            period,
            start.isoformat(),
            end.isoformat(),
            value,
            unit,
            verification,
            source,
            url,
        ]


@dataclass(frozen=True, slots=True)
class SnapshotRow:
    indicator: Indicator
    latest_value: float | None
    latest_period: str
    target: IndicatorTarget | None
    level: int | None


@dataclass(frozen=True, slots=True)
class SnapshotSection:
    dimension: str
    sub_sections: list[tuple[str, list[SnapshotRow]]]  # (sub-dimension, rows)
    reported: int
    total: int


@dataclass(frozen=True, slots=True)
class Snapshot:
    generated_on: dt.date
    sections: list[SnapshotSection]
    reported: int
    total: int
    core_reported: int
    core_total: int


def city_snapshot() -> Snapshot:
    """The U4SSC KPIs by dimension and sub-dimension, with latest value, target and Y.4904 level.

    Three queries: indicators with summaries and themes, targets, the theme tree.
    """
    today = timezone.localdate()
    indicators = list(
        Indicator.objects.filter(framework__code="u4ssc")
        .select_related("summary", "theme", "theme__parent", "theme__parent__parent")
        .order_by("order", "code", "part")
    )
    targets: dict[Any, list[IndicatorTarget]] = defaultdict(list)
    for row in IndicatorTarget.objects.filter(indicator__framework__code="u4ssc"):
        targets[row.indicator_id].append(row)
    grouped: dict[str, dict[str, list[SnapshotRow]]] = {}
    for indicator in indicators:
        summary = getattr(indicator, "summary", None)
        latest = summary.latest_value if summary else None
        target = choose_target(targets[indicator.pk], today.year)
        theme = indicator.theme
        sub = theme.parent if theme and theme.level == ThemeLevel.CATEGORY else None
        dimension = sub.parent if sub else None
        grouped.setdefault(dimension.name if dimension else _("Other"), {}).setdefault(
            sub.name if sub else _("Other"), []
        ).append(
            SnapshotRow(
                indicator=indicator,
                latest_value=latest,
                latest_period=summary.latest_period if summary else "",
                target=target,
                level=maturity_level(latest, target, higher_is_better=indicator.higher_is_better),
            )
        )
    sections = []
    for dimension_name, subs in grouped.items():
        rows = [row for sub_rows in subs.values() for row in sub_rows]
        sections.append(
            SnapshotSection(
                dimension=dimension_name,
                sub_sections=list(subs.items()),
                reported=sum(1 for row in rows if row.latest_value is not None),
                total=len(rows),
            )
        )
    all_rows = [row for section in sections for _sub, rows in section.sub_sections for row in rows]
    core = [row for row in all_rows if row.indicator.kind == "core"]
    return Snapshot(
        generated_on=today,
        sections=sections,
        reported=sum(1 for row in all_rows if row.latest_value is not None),
        total=len(all_rows),
        core_reported=sum(1 for row in core if row.latest_value is not None),
        core_total=len(core),
    )
