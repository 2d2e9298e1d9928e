"""Reads for component C: the benefit map, benefit records with their measurements and trajectory,
checkpoint reviews and delivery actions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from cityhall.operating import charts, graph
from cityhall.operating.models import (
    NODE_STAGE,
    Benefit,
    BenefitLink,
    BenefitMapNode,
    BenefitMeasurement,
    CheckpointReview,
    DeliveryAction,
    LinkEffect,
    NodeKind,
)
from cityhall.operating.scoring import planned_value_on

MAP_COLUMNS = [
    (0, NodeKind.ENABLER),
    (1, NodeKind.OUTPUT),
    (2, NodeKind.OUTCOME),
    (3, NodeKind.BENEFIT),
    (4, NodeKind.OBJECTIVE),
]


def map_column_titles() -> list[str]:
    return [_("Enablers and projects"), _("Outputs"), _("Outcomes"), _("Benefits"), _("Objectives")]


@dataclass(frozen=True, slots=True)
class BenefitMap:
    nodes: list[BenefitMapNode]
    links: list[BenefitLink]
    placed: list[charts.MapNode]
    drawn_links: list[charts.MapLink]


def benefit_map() -> BenefitMap:
    """The whole map laid out in columns by stage, rows ordered to cut crossings. Two queries."""
    nodes = list(
        BenefitMapNode.objects.select_related("benefit", "project", "objective").order_by("kind", "label")
    )
    links = list(BenefitLink.objects.select_related("from_node", "to_node").order_by("from_node__label"))
    edges = [(link.from_node_id, link.to_node_id) for link in links]
    layout = graph.layered_layout(
        {node.pk: NODE_STAGE[NodeKind(node.kind)] for node in nodes}, edges, [node.pk for node in nodes]
    )
    placed = [
        charts.MapNode(
            key=str(node.pk),
            label=node.label,
            kind=node.kind,
            column=layout[node.pk].column,
            row=layout[node.pk].row,
        )
        for node in nodes
    ]
    drawn = [
        charts.MapLink(
            source=str(link.from_node_id),
            target=str(link.to_node_id),
            effect=link.effect,
            effect_label=f"{link.from_node.label} {LinkEffect(link.effect).label} {link.to_node.label}",
        )
        for link in links
    ]
    return BenefitMap(nodes=nodes, links=links, placed=placed, drawn_links=drawn)


def benefit_list(*, public_only: bool = False) -> QuerySet[Benefit]:
    benefits = Benefit.objects.select_related("owner_department", "indicator", "owner")
    return benefits.filter(is_public=True) if public_only else benefits


def benefit_by_code(code: str, *, public_only: bool = False) -> Benefit | None:
    return benefit_list(public_only=public_only).filter(code=code).first()


@dataclass(frozen=True, slots=True)
class BenefitDetail:
    benefit: Benefit
    measurements: list[BenefitMeasurement]
    trajectory: list[tuple[dt.date, float]]
    planned_by_period: dict[str, float]
    reviews: list[CheckpointReview]
    actions: list[DeliveryAction]
    upstream: list[BenefitLink]
    downstream: list[BenefitLink]
    chart: charts.SafeString


def benefit_detail(benefit: Benefit) -> BenefitDetail:
    measurements = list(benefit.measurements.select_related("verified_by").order_by("period_end"))
    trajectory = [(point.on, point.planned_value) for point in benefit.trajectory.all()]
    planned = {
        m.period: value
        for m in measurements
        if (value := planned_value_on(benefit, m.period_end, trajectory)) is not None
    }
    planned_points: list[charts.Point] = []
    if benefit.baseline_value is not None and benefit.baseline_date is not None:
        planned_points.append((benefit.baseline_date.isoformat()[:4], benefit.baseline_value))
        planned_points += [(on.isoformat()[:4], value) for on, value in trajectory]
        if benefit.target_value is not None and benefit.target_date is not None:
            planned_points.append((benefit.target_date.isoformat()[:4], benefit.target_value))
    points: list[charts.Point] = [(m.period, m.value) for m in measurements]
    if benefit.frequency != "annual":
        planned_points = [
            (m.period, value) for m in measurements if (value := planned.get(m.period)) is not None
        ]
    node = getattr(benefit, "map_node", None)
    chart = charts.line_chart(
        chart_id=f"benefit-{benefit.code}",
        title=_("%(title)s: measured values and plan") % {"title": benefit.title},
        desc=_(
            "Measured values in %(unit)s (solid line), the planned path (dotted) and the target %(target)s "
            "(dashed). The table below lists the same values."
        )
        % {"unit": benefit.unit, "target": charts.format_value(benefit.target_value)},
        points=points,
        planned=_dedupe(planned_points),
        target=benefit.target_value,
    )
    return BenefitDetail(
        benefit=benefit,
        measurements=measurements,
        trajectory=trajectory,
        planned_by_period=planned,
        reviews=list(benefit.reviews.order_by("-reviewed_on")),
        actions=list(
            benefit.actions.select_related("owner", "owner_department").order_by("status", "due_on")
        ),
        upstream=list(BenefitLink.objects.filter(to_node=node).select_related("from_node")) if node else [],
        downstream=list(BenefitLink.objects.filter(from_node=node).select_related("to_node")) if node else [],
        chart=chart,
    )


def _dedupe(points: list[charts.Point]) -> list[charts.Point]:
    seen: dict[str, float] = {}
    for label, value in points:
        seen[label] = value
    return sorted(seen.items())


def open_actions() -> QuerySet[DeliveryAction]:
    return DeliveryAction.objects.filter(status="open").select_related("benefit", "owner", "owner_department")


def reviews_list() -> QuerySet[CheckpointReview]:
    return CheckpointReview.objects.select_related("benefit", "project", "programme").prefetch_related(
        Prefetch("actions", queryset=DeliveryAction.objects.order_by("due_on"))
    )
