"""Component C: the benefit map (C1), benefit tracking against a trajectory (C2), checkpoint reviews
and the delivery actions that realise benefits after go-live (C3)."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.core.errors import ServiceError
from cityhall.operating import graph, rules
from cityhall.operating.csvio import CsvImportError, parse_number, read_rows
from cityhall.operating.models import (
    NODE_STAGE,
    ActionStatus,
    Benefit,
    BenefitCell,
    BenefitLink,
    BenefitMapNode,
    BenefitMeasurement,
    CheckpointReview,
    ComputedFrom,
    DeliveryAction,
    Indicator,
    IndicatorValue,
    MeasurementSource,
    NodeKind,
    Objective,
    Programme,
    Project,
    TrajectoryPoint,
    VerificationStatus,
)
from cityhall.operating.periods import Period, PeriodError, period_for, units_match
from cityhall.operating.scoring import progress_of
from cityhall.operating.services._common import (
    User,
    audit,
    changed_fields,
    get_or_404,
    lock_graph,
    map_node_for,
    require,
    require_programme_office,
    today,
    user_or_none,
    validated,
)
from cityhall.operating.services.strategy import Cell, _matrix_cells

MEASUREMENT_REQUIRED = ["period", "value", "unit"]
MEASUREMENT_OPTIONAL = ["source_reference", "evidence"]


# --- The benefit map -----------------------------------------------------------------------


@transaction.atomic
def benefit_map_node_create(
    *,
    actor: User | None,
    kind: str,
    label: str = "",
    description: str = "",
    project_id: uuid.UUID | None = None,
    objective_id: uuid.UUID | None = None,
) -> BenefitMapNode:
    """Put something on the map: an enabler, output or outcome by its label, or a project or objective
    (which appears once, under its own title). Benefits are on the map from the day they are created."""
    require_programme_office(actor)
    if kind == NodeKind.BENEFIT:
        raise ServiceError(
            _("Benefits appear on the map by themselves when they are created."), code="invalid_kind"
        )
    if kind == NodeKind.PROJECT:
        node = map_node_for(project=get_or_404(Project, project_id, _("project")))
    elif kind == NodeKind.OBJECTIVE:
        node = map_node_for(objective=get_or_404(Objective, objective_id, _("objective")))
    else:
        if not label.strip():
            raise ServiceError(_("Give the node a label."), code="invalid")
        node = BenefitMapNode(kind=kind, label=label.strip(), description=description.strip())
        validated(node)
        node.save(force_insert=True)
    audit(actor, "benefit_map.node_create", node, {"kind": kind, "label": node.label})
    return node


@transaction.atomic
def benefit_link_create(
    *,
    actor: User | None,
    from_node_id: uuid.UUID,
    to_node_id: uuid.UUID,
    effect: str,
    confidence: str = "medium",
    rationale: str = "",
) -> BenefitLink:
    """A typed edge, left to right, that keeps the map acyclic."""
    require_programme_office(actor)
    source = get_or_404(BenefitMapNode, from_node_id, _("benefit map node"))
    target = get_or_404(BenefitMapNode, to_node_id, _("benefit map node"))
    if source.pk == target.pk:
        raise ServiceError(_("A node cannot lead to itself."), code="cycle")
    if NODE_STAGE[NodeKind(target.kind)] < NODE_STAGE[NodeKind(source.kind)]:
        raise ServiceError(
            _(
                "“%(source)s” (%(source_kind)s) cannot lead to “%(target)s” (%(target_kind)s): the map "
                "runs from "
                "enablers and projects to outputs, outcomes, benefits and then objectives."
            )
            % {
                "source": source.label,
                "source_kind": source.get_kind_display().lower(),
                "target": target.label,
                "target_kind": target.get_kind_display().lower(),
            },
            code="backwards",
        )
    lock_graph("operating.benefit_map")
    edges = list(BenefitLink.objects.values_list("from_node_id", "to_node_id"))
    cycle = graph.cycle_if_added(edges, source.pk, target.pk)
    if cycle is not None:
        labels = dict(BenefitMapNode.objects.filter(pk__in=cycle).values_list("pk", "label"))
        raise ServiceError(
            _("Linking “%(source)s” to “%(target)s” would make a loop: %(loop)s. A benefit map has no loops.")
            % {"source": source.label, "target": target.label, "loop": " → ".join(labels[n] for n in cycle)},
            code="cycle",
        )
    if BenefitLink.objects.filter(from_node=source, to_node=target).exists():
        raise ServiceError(
            _("“%(source)s” already leads to “%(target)s”.")
            % {"source": source.label, "target": target.label},
            code="duplicate",
        )
    link = BenefitLink(
        from_node=source, to_node=target, effect=effect, confidence=confidence, rationale=rationale.strip()
    )
    validated(link)
    link.save(force_insert=True)
    audit(
        actor, "benefit_map.link_create", link, {"from": source.label, "to": target.label, "effect": effect}
    )
    return link


@transaction.atomic
def benefit_link_delete(*, actor: User | None, link_id: uuid.UUID) -> None:
    require_programme_office(actor)
    link = get_or_404(
        BenefitLink.objects.select_related("from_node", "to_node"), link_id, _("benefit map link")
    )
    audit(actor, "benefit_map.link_delete", link, {"from": link.from_node.label, "to": link.to_node.label})
    link.delete()


# --- Benefits ------------------------------------------------------------------------------


@transaction.atomic
def benefit_create(
    *,
    actor: User | None,
    code: str,
    title: str,
    kind: str,
    stakeholder_group: str,
    measure: str,
    unit: str,
    description: str = "",
    value_type: str = "non_cash",
    is_disbenefit: bool = False,
    owner_id: uuid.UUID | None = None,
    owner_department_id: uuid.UUID | None = None,
    indicator_id: uuid.UUID | None = None,
    computed_from: str = "",
    frequency: str = "annual",
    higher_is_better: bool = True,
    baseline_value: float | None = None,
    baseline_date: dt.date | None = None,
    baseline_source: str = "",
    target_value: float | None = None,
    target_date: dt.date | None = None,
    cash_value: Decimal | None = None,
    currency: str = "EUR",
    confidence: str = "medium",
    cells: list[Cell] | None = None,
    is_public: bool = True,
) -> Benefit:
    require_programme_office(actor)
    indicator = get_or_404(Indicator, indicator_id, _("indicator")) if indicator_id else None
    if target_value is not None and (baseline_value is None or baseline_date is None or target_date is None):
        raise ServiceError(
            _(
                "A target needs a baseline value, a baseline date and a target date: without them it "
                "cannot be tracked."
            ),
            code="target_needs_baseline",
        )
    if computed_from == ComputedFrom.DATASTORE:
        raise ServiceError(
            _(
                "The data catalog is not part of this installation yet, so a benefit cannot be computed "
                "from a "
                "DataStore query. Enter or import its measurements, or compute it from an indicator."
            ),
            code="catalog_missing",
        )
    if computed_from == ComputedFrom.INDICATOR:
        _check_computable(indicator, unit=unit, frequency=frequency)
    benefit = Benefit(
        code=code.strip(),
        title=title.strip(),
        description=description.strip(),
        kind=kind,
        value_type=value_type,
        is_disbenefit=is_disbenefit,
        stakeholder_group=stakeholder_group,
        owner_id=owner_id,
        owner_department_id=owner_department_id,
        indicator=indicator,
        measure=measure.strip(),
        unit=(indicator.unit if computed_from == ComputedFrom.INDICATOR and indicator else unit).strip(),
        frequency=frequency,
        higher_is_better=higher_is_better,
        computed_from=computed_from,
        baseline_value=baseline_value,
        baseline_date=baseline_date,
        baseline_source=baseline_source.strip(),
        target_value=target_value,
        target_date=target_date,
        cash_value=cash_value,
        currency=currency.upper(),
        confidence=confidence,
        is_public=is_public,
    )
    validated(benefit)
    benefit.save(force_insert=True)
    resolved = _matrix_cells(cells or [])
    BenefitCell.objects.bulk_create(
        [BenefitCell(benefit=benefit, purpose=p, issue=i) for p, i in set(resolved)]
    )
    map_node_for(benefit=benefit)
    audit(actor, "benefit.create", benefit, {"code": benefit.code, "kind": kind, "target": target_value})
    if computed_from == ComputedFrom.INDICATOR and indicator is not None:
        benefit_sync_from_indicator(benefit=benefit)
    return benefit


def _check_computable(indicator: Indicator | None, *, unit: str, frequency: str) -> None:
    if indicator is None:
        raise ServiceError(_("Choose the indicator the benefit is computed from."), code="indicator_needed")
    if unit and not units_match(unit, indicator.unit):
        raise ServiceError(
            _("The benefit is in “%(unit)s” but %(code)s is in “%(indicator_unit)s”; they must be the same.")
            % {"unit": unit, "code": indicator.key, "indicator_unit": indicator.unit},
            code="unit_mismatch",
        )
    if frequency != indicator.frequency:
        raise ServiceError(
            _("%(code)s is measured %(frequency)s; a benefit computed from it must be too.")
            % {"code": indicator.key, "frequency": indicator.get_frequency_display().lower()},
            code="frequency_mismatch",
        )


BENEFIT_NEXT_STATUSES = {
    "planned": {"realising", "abandoned"},
    "realising": {"realised", "abandoned"},
    "realised": {"realising"},
    "abandoned": set(),
}


@transaction.atomic
def benefit_update(
    *,
    actor: User | None,
    benefit_id: uuid.UUID,
    status: str | None = None,
    confidence: str | None = None,
    owner_id: uuid.UUID | None = None,
    owner_department_id: uuid.UUID | None = None,
    target_value: float | None = None,
    target_date: dt.date | None = None,
    is_public: bool | None = None,
) -> Benefit:
    require_programme_office(actor)
    benefit = get_or_404(Benefit.objects.select_for_update(), benefit_id, _("benefit"))
    if (
        status is not None
        and status != benefit.status
        and status not in BENEFIT_NEXT_STATUSES[benefit.status]
    ):
        raise ServiceError(
            _("Benefit %(code)s is %(current)s and cannot become %(status)s.")
            % {"code": benefit.code, "current": benefit.get_status_display().lower(), "status": status},
            code="invalid_transition",
        )
    values = {
        name: value
        for name, value in (
            ("status", status),
            ("confidence", confidence),
            ("owner_id", owner_id),
            ("owner_department_id", owner_department_id),
            ("target_value", target_value),
            ("target_date", target_date),
            ("is_public", is_public),
        )
        if value is not None
    }
    changed = changed_fields(benefit, values)
    validated(benefit)
    if changed:
        benefit.save(update_fields=[*changed, "updated_at"])
    if {"target_value", "target_date"} & set(changed):
        _refresh_progress(benefit)
    audit(actor, "benefit.update", benefit, {"changed": {name: values[name] for name in changed}})
    return benefit


@transaction.atomic
def benefit_trajectory_set(
    *, actor: User | None, benefit_id: uuid.UUID, points: list[tuple[dt.date, float]]
) -> list[TrajectoryPoint]:
    """The planned path from baseline to target (replaces the previous one)."""
    require_programme_office(actor)
    benefit = get_or_404(Benefit.objects.select_for_update(), benefit_id, _("benefit"))
    if benefit.baseline_date is None or benefit.target_date is None:
        raise ServiceError(
            _("Set the benefit's baseline and target before its trajectory."), code="target_needs_baseline"
        )
    dates = [on for on, _value in points]
    if len(set(dates)) != len(dates):
        raise ServiceError(_("The trajectory has two values for the same date."), code="duplicate")
    for on in dates:
        if not benefit.baseline_date < on <= benefit.target_date:
            raise ServiceError(
                _(
                    "Trajectory dates must fall after the baseline (%(baseline)s) and by the target "
                    "date (%(target)s); %(date)s does not."
                )
                % {"baseline": benefit.baseline_date, "target": benefit.target_date, "date": on},
                code="invalid_date",
            )
    benefit.trajectory.all().delete()
    created = TrajectoryPoint.objects.bulk_create(
        [TrajectoryPoint(benefit=benefit, on=on, planned_value=value) for on, value in sorted(points)]
    )
    _refresh_progress(benefit)
    audit(actor, "benefit.trajectory", benefit, {"points": [[on, value] for on, value in sorted(points)]})
    return created


# --- Measurements --------------------------------------------------------------------------


def _require_can_work_on(actor: User | None, benefit: Benefit) -> None:
    if actor is None:
        return
    require(
        rules.can_work_on_benefit(
            actor, owner_id=benefit.owner_id, owner_department_id=benefit.owner_department_id
        ),
        _("Only the programme office, the benefit's owner or staff of its department can do this."),
    )


def _checked_measurement(benefit: Benefit, *, period: str, unit: str) -> Period:
    if not units_match(unit, benefit.unit):
        raise ValueError(
            _(
                "the value is in “%(given)s”, but benefit %(code)s is measured in “%(expected)s”; "
                "convert it first"
            )
            % {"given": unit, "code": benefit.code, "expected": benefit.unit}
        )
    try:
        parsed = period_for(
            period,
            frequency=benefit.frequency,
            today=today(),
            what=_("benefit %(code)s") % {"code": benefit.code},
        )
    except PeriodError as error:
        raise ValueError(str(error).rstrip(".")) from error
    if benefit.baseline_date and parsed.end < benefit.baseline_date:
        raise ValueError(
            _(
                "the period %(period)s ends before the baseline date %(baseline)s; measure from the "
                "baseline on"
            )
            % {"period": parsed.label, "baseline": benefit.baseline_date}
        )
    return parsed


@transaction.atomic
def benefit_measurement_record(
    *,
    actor: User | None,
    benefit_id: uuid.UUID,
    period: str,
    value: float,
    unit: str,
    source_reference: str = "",
    evidence: str = "",
) -> BenefitMeasurement:
    """Record (or correct) the measurement of one period, in the benefit's unit."""
    benefit = get_or_404(Benefit.objects.select_for_update(), benefit_id, _("benefit"))
    _require_can_work_on(actor, benefit)
    if benefit.computed_from:
        raise ServiceError(
            _("Benefit %(code)s is computed from its indicator; record the indicator's value instead.")
            % {"code": benefit.code},
            code="computed",
        )
    try:
        parsed = _checked_measurement(benefit, period=period, unit=unit)
    except ValueError as error:
        raise ServiceError(str(error)[:1].upper() + str(error)[1:] + ".", code="invalid_value") from error
    measurement = BenefitMeasurement.objects.filter(benefit=benefit, period=parsed.label).first()
    previous = measurement.value if measurement else None
    measurement = measurement or BenefitMeasurement(benefit=benefit, period=parsed.label)
    measurement.period_start, measurement.period_end = parsed.start, parsed.end
    measurement.value, measurement.unit = value, benefit.unit
    measurement.source = MeasurementSource.MANUAL
    measurement.source_reference = source_reference.strip()
    measurement.evidence = evidence.strip()
    measurement.recorded_by = user_or_none(actor)
    measurement.verified_by, measurement.verified_at = None, None
    validated(measurement)
    measurement.save()
    _refresh_progress(benefit)
    audit(
        actor,
        "benefit_measurement.record",
        measurement,
        {"benefit": benefit.code, "period": parsed.label, "value": value, "previous": previous},
    )
    return measurement


@dataclass(frozen=True, slots=True)
class MeasurementImportReport:
    rows: int
    created: int
    replaced: int


@transaction.atomic
def benefit_measurements_import(
    *, actor: User | None, benefit_id: uuid.UUID, text: str, file_name: str = ""
) -> MeasurementImportReport:
    """Measurements of one benefit from CSV (period, value, unit; optional source_reference, evidence).
    Every row is checked first; one bad row and nothing is imported."""
    benefit = get_or_404(Benefit.objects.select_for_update(), benefit_id, _("benefit"))
    _require_can_work_on(actor, benefit)
    if benefit.computed_from:
        raise ServiceError(
            _("Benefit %(code)s is computed from its indicator; import the indicator's values instead.")
            % {"code": benefit.code},
            code="computed",
        )
    errors: list[tuple[int, str]] = []
    parsed_rows: list[tuple[Period, float, dict[str, str]]] = []
    seen: dict[str, int] = {}
    for line, row in read_rows(text, required=MEASUREMENT_REQUIRED, optional=MEASUREMENT_OPTIONAL):
        if "__extra__" in row:
            errors.append((line, _("the row has more cells than the header")))
            continue
        try:
            value = parse_number(row["value"])
            period = _checked_measurement(benefit, period=row["period"], unit=row["unit"])
        except ValueError as error:
            errors.append((line, str(error)))
            continue
        if period.label in seen:
            errors.append((line, _("repeats the period of row %(row)d") % {"row": seen[period.label]}))
            continue
        seen[period.label] = line
        parsed_rows.append((period, value, row))
    if errors:
        raise CsvImportError(errors)
    existing = {m.period: m for m in benefit.measurements.filter(period__in=seen)}
    recorder = user_or_none(actor)
    new, replaced = [], []
    for period, value, row in parsed_rows:
        measurement = existing.get(period.label)
        if measurement is None:
            measurement = BenefitMeasurement(benefit=benefit, period=period.label)
            new.append(measurement)
        else:
            replaced.append(measurement)
        measurement.period_start, measurement.period_end = period.start, period.end
        measurement.value, measurement.unit = value, benefit.unit
        measurement.source = MeasurementSource.CSV
        measurement.source_reference = row.get("source_reference") or file_name
        measurement.evidence = row.get("evidence", "")
        measurement.recorded_by = recorder
        measurement.verified_by, measurement.verified_at = None, None
        measurement.updated_at = timezone.now()
    BenefitMeasurement.objects.bulk_create(new, batch_size=1000)
    BenefitMeasurement.objects.bulk_update(
        replaced,
        [
            "period_start",
            "period_end",
            "value",
            "unit",
            "source",
            "source_reference",
            "evidence",
            "recorded_by",
            "verified_by",
            "verified_at",
            "updated_at",
        ],
        batch_size=1000,
    )
    _refresh_progress(benefit)
    audit(
        actor,
        "benefit_measurement.import",
        benefit,
        {
            "file": file_name,
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "rows": len(parsed_rows),
            "created": len(new),
            "replaced": len(replaced),
        },
    )
    return MeasurementImportReport(rows=len(parsed_rows), created=len(new), replaced=len(replaced))


@transaction.atomic
def benefit_measurement_verify(*, actor: User | None, measurement_id: uuid.UUID) -> BenefitMeasurement:
    """The programme office confirms a measurement against its evidence."""
    require_programme_office(actor)
    measurement = get_or_404(
        BenefitMeasurement.objects.select_related("benefit"), measurement_id, _("benefit measurement")
    )
    measurement.verified_by = user_or_none(actor)
    measurement.verified_at = timezone.now()
    measurement.save(update_fields=["verified_by", "verified_at", "updated_at"])
    audit(actor, "benefit_measurement.verify", measurement, {"benefit": measurement.benefit.code})
    return measurement


def benefit_sync_from_indicator(*, benefit: Benefit) -> int:
    """Copy the indicator's city-wide values (not rejected ones) into the benefit's measurements.

    Idempotent: running it twice leaves the same rows. Returns how many measurements changed.
    """
    if benefit.computed_from != ComputedFrom.INDICATOR or benefit.indicator_id is None:
        return 0
    values = IndicatorValue.objects.filter(indicator_id=benefit.indicator_id, district__isnull=True).exclude(
        verification=VerificationStatus.REJECTED
    )
    if benefit.baseline_date:
        values = values.filter(period_end__gte=benefit.baseline_date)
    existing = {m.period: m for m in benefit.measurements.all()}
    wanted = {}
    for value in values:
        wanted[value.period] = value
    changed = 0
    for period, value in wanted.items():
        measurement = existing.get(period)
        reference = f"indicator:{benefit.indicator_id}:{value.pk}"
        if measurement and measurement.value == value.value and measurement.source_reference == reference:
            continue
        measurement = measurement or BenefitMeasurement(benefit=benefit, period=period)
        measurement.period_start, measurement.period_end = value.period_start, value.period_end
        measurement.value, measurement.unit = value.value, benefit.unit
        measurement.source = MeasurementSource.INDICATOR
        measurement.source_reference = reference
        measurement.evidence = value.evidence
        measurement.save()
        changed += 1
    stale = [
        m.pk
        for period, m in existing.items()
        if period not in wanted and m.source == MeasurementSource.INDICATOR
    ]
    if stale:
        BenefitMeasurement.objects.filter(pk__in=stale).delete()
        changed += len(stale)
    if changed:
        _refresh_progress(benefit)
    return changed


# --- Progress against the trajectory -------------------------------------------------------


def _refresh_progress(benefit: Benefit) -> None:
    latest = benefit.measurements.order_by("-period_end").values_list("period", "value", "period_end").first()
    benefit.latest_period = latest[0] if latest else ""
    benefit.latest_value = latest[1] if latest else None
    benefit.progress = progress_of(benefit, benefit.latest_value, latest[2] if latest else None)
    benefit.save(update_fields=["latest_period", "latest_value", "progress", "updated_at"])


# --- Reviews and delivery actions ----------------------------------------------------------


@transaction.atomic
def checkpoint_review_record(
    *,
    actor: User | None,
    reviewer_name: str,
    rag: str,
    findings: str,
    benefit_id: uuid.UUID | None = None,
    project_id: uuid.UUID | None = None,
    programme_id: uuid.UUID | None = None,
    reviewed_on: dt.date | None = None,
    is_independent: bool = False,
    next_review_due: dt.date | None = None,
) -> CheckpointReview:
    require_programme_office(actor)
    scopes = [s for s in (benefit_id, project_id, programme_id) if s is not None]
    if len(scopes) != 1:
        raise ServiceError(
            _("A review covers one benefit, one project or one programme."), code="invalid_scope"
        )
    review = CheckpointReview(
        benefit=get_or_404(Benefit, benefit_id, _("benefit")) if benefit_id else None,
        project=get_or_404(Project, project_id, _("project")) if project_id else None,
        programme=get_or_404(Programme, programme_id, _("programme")) if programme_id else None,
        reviewed_on=reviewed_on or today(),
        reviewer_name=reviewer_name.strip(),
        is_independent=is_independent,
        rag=rag,
        findings=findings.strip(),
        next_review_due=next_review_due,
        recorded_by=user_or_none(actor),
    )
    if next_review_due is not None and next_review_due <= review.reviewed_on:
        raise ServiceError(_("The next review must fall after this one."), code="invalid_date")
    validated(review)
    review.save(force_insert=True)
    audit(
        actor,
        "checkpoint_review.record",
        review,
        {"scope": str(scopes[0]), "rag": rag, "independent": is_independent},
    )
    return review


@transaction.atomic
def delivery_action_create(
    *,
    actor: User | None,
    benefit_id: uuid.UUID,
    title: str,
    kind: str = "business_change",
    owner_id: uuid.UUID | None = None,
    owner_department_id: uuid.UUID | None = None,
    due_on: dt.date | None = None,
    review_id: uuid.UUID | None = None,
) -> DeliveryAction:
    benefit = get_or_404(Benefit, benefit_id, _("benefit"))
    _require_can_work_on(actor, benefit)
    if owner_id is None and owner_department_id is None:
        raise ServiceError(_("Say who owns the action: a person or a department."), code="owner_needed")
    action = DeliveryAction(
        benefit=benefit,
        review_id=review_id,
        title=title.strip(),
        kind=kind,
        owner_id=owner_id,
        owner_department_id=owner_department_id,
        due_on=due_on,
    )
    validated(action)
    action.save(force_insert=True)
    audit(actor, "delivery_action.create", action, {"benefit": benefit.code, "title": action.title})
    return action


@transaction.atomic
def delivery_action_set_status(
    *, actor: User | None, action_id: uuid.UUID, status: str, on: dt.date | None = None
) -> DeliveryAction:
    action = get_or_404(DeliveryAction.objects.select_related("benefit"), action_id, _("delivery action"))
    _require_can_work_on(actor, action.benefit)
    if status not in ActionStatus.values:
        raise ServiceError(_("Unknown action status “%(status)s”.") % {"status": status}, code="invalid")
    action.status = status
    action.completed_on = (on or today()) if status == ActionStatus.DONE else None
    action.save(update_fields=["status", "completed_on", "updated_at"])
    audit(actor, "delivery_action.status", action, {"status": status})
    return action
