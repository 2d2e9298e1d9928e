"""City indicators: local indicators, settings of loaded ones, values (entered or imported), their
verification, targets with Y.4904 bands, and the summaries the public dashboard reads."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.core.errors import ServiceError
from cityhall.core.models import District
from cityhall.core.taskqueue import enqueue_on_commit
from cityhall.operating import rules
from cityhall.operating.csvio import CsvImportError, parse_number, read_rows
from cityhall.operating.models import (
    Indicator,
    IndicatorFramework,
    IndicatorKind,
    IndicatorSummary,
    IndicatorTarget,
    IndicatorTheme,
    IndicatorValue,
    VerificationStatus,
)
from cityhall.operating.periods import PeriodError, period_for, units_match
from cityhall.operating.services._common import (
    User,
    audit,
    audit_named,
    changed_fields,
    get_or_404,
    require,
    require_programme_office,
    today,
    user_or_none,
    validated,
)

SERIES_LENGTH = 12
IMPORT_REQUIRED = ["code", "period", "value", "unit"]
IMPORT_OPTIONAL = ["part", "framework", "district", "source_name", "source_url", "evidence"]


# --- Indicators ----------------------------------------------------------------------------


@transaction.atomic
def indicator_create(
    *,
    actor: User | None,
    code: str,
    name: str,
    unit: str,
    theme_id: uuid.UUID | None = None,
    frequency: str = "annual",
    higher_is_better: bool = True,
    responsible_department_id: uuid.UUID | None = None,
    description: str = "",
    is_headline: bool = False,
) -> Indicator:
    """A local indicator (the city's own measure, outside the standard frameworks)."""
    require_programme_office(actor)
    framework = IndicatorFramework.objects.get(code="local")
    if theme_id is not None and not IndicatorTheme.objects.filter(pk=theme_id).exists():
        raise ServiceError(_("There is no indicator theme with that id."), code="unknown_theme")
    indicator = Indicator(
        framework=framework,
        theme_id=theme_id,
        code=code.strip(),
        name=name.strip(),
        kind=IndicatorKind.LOCAL,
        unit=unit.strip(),
        frequency=frequency,
        higher_is_better=higher_is_better,
        responsible_department_id=responsible_department_id,
        description=description.strip(),
        is_headline=is_headline,
    )
    validated(indicator)
    indicator.save(force_insert=True)
    audit(actor, "indicator.create", indicator, {"code": indicator.code})
    return indicator


@transaction.atomic
def indicator_configure(
    *,
    actor: User | None,
    indicator_id: uuid.UUID,
    unit: str | None = None,
    frequency: str | None = None,
    higher_is_better: bool | None = None,
    responsible_department_id: uuid.UUID | None = None,
    is_headline: bool | None = None,
    description: str | None = None,
) -> Indicator:
    """How the city measures a (loaded) indicator. The unit cannot change once values are recorded."""
    require_programme_office(actor)
    indicator = get_or_404(Indicator.objects.select_for_update(), indicator_id, _("indicator"))
    values: dict[str, Any] = {
        name: value
        for name, value in (
            ("unit", unit.strip() if unit is not None else None),
            ("frequency", frequency),
            ("higher_is_better", higher_is_better),
            ("responsible_department_id", responsible_department_id),
            ("is_headline", is_headline),
            ("description", description),
        )
        if value is not None
    }
    has_values = indicator.values.exists()
    if has_values and "unit" in values and not units_match(values["unit"], indicator.unit):
        raise ServiceError(
            _(
                "%(code)s already has values in “%(unit)s”; its unit cannot change. Create a local "
                "indicator instead."
            )
            % {"code": indicator.key, "unit": indicator.unit},
            code="unit_locked",
        )
    if has_values and "frequency" in values and values["frequency"] != indicator.frequency:
        raise ServiceError(
            _("%(code)s already has values; how often it is measured cannot change.")
            % {"code": indicator.key},
            code="frequency_locked",
        )
    changed = changed_fields(indicator, values)
    validated(indicator)
    if changed:
        indicator.save(update_fields=[*changed, "updated_at"])
    audit(actor, "indicator.configure", indicator, {"changed": {name: values[name] for name in changed}})
    return indicator


# --- Values --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ValueInput:
    indicator: Indicator
    district: District | None
    period: str
    period_start: dt.date
    period_end: dt.date
    value: float
    unit: str
    source_name: str
    source_url: str
    evidence: str


def _check_value(
    indicator: Indicator, *, period: str, value: float, unit: str, district: District | None, **extra: str
) -> ValueInput:
    """The value, checked: unit, period length, a period that has begun. Raises ValueError with why."""
    if not indicator.unit:
        raise ValueError(
            _("%(code)s has no unit yet; the programme office sets it before values are recorded")
            % {"code": indicator.key}
        )
    if not units_match(unit, indicator.unit):
        raise ValueError(
            _("the value is in “%(given)s”, but %(code)s is measured in “%(expected)s”; convert it first")
            % {"given": unit, "code": indicator.key, "expected": indicator.unit}
        )
    try:
        parsed = period_for(period, frequency=indicator.frequency, today=today(), what=indicator.key)
    except PeriodError as error:
        raise ValueError(str(error).rstrip(".")) from error
    source_url = extra.get("source_url", "")
    if source_url:
        try:
            URLValidator(schemes=["http", "https"])(source_url)
        except ValidationError as error:
            raise ValueError(
                _("the source address “%(url)s” is not a web address (http:// or https://)")
                % {"url": source_url}
            ) from error
    return ValueInput(
        indicator=indicator,
        district=district,
        period=parsed.label,
        period_start=parsed.start,
        period_end=parsed.end,
        value=value,
        unit=indicator.unit,
        source_name=extra.get("source_name", ""),
        source_url=source_url,
        evidence=extra.get("evidence", ""),
    )


def _require_can_record(actor: User | None, indicators: Iterable[Indicator]) -> None:
    if actor is None:
        return
    for indicator in indicators:
        require(
            rules.can_record_indicator_value(
                actor, responsible_department_id=indicator.responsible_department_id
            ),
            _(
                "You cannot record values for %(code)s: that needs the programme office or a data publisher "
                "of the department responsible for it."
            )
            % {"code": indicator.key},
        )


def _write_values(actor: User | None, inputs: list[ValueInput], *, verification: str) -> tuple[int, int]:
    """Insert new values and replace those of the same period; returns (created, replaced)."""
    indicator_ids = {item.indicator.pk for item in inputs}
    existing = {
        (row.indicator_id, row.district_id, row.period): row
        for row in IndicatorValue.objects.filter(
            indicator_id__in=indicator_ids, period__in={i.period for i in inputs}
        )
    }
    recorder = user_or_none(actor)
    new: list[IndicatorValue] = []
    replaced: list[IndicatorValue] = []
    for item in inputs:
        key = (item.indicator.pk, item.district.pk if item.district else None, item.period)
        row = existing.get(key)
        if row is None:
            row = IndicatorValue(indicator=item.indicator, district=item.district, period=item.period)
            new.append(row)
        else:
            replaced.append(row)
        row.period_start, row.period_end = item.period_start, item.period_end
        row.value, row.unit = item.value, item.unit
        row.source_name, row.source_url, row.evidence = item.source_name, item.source_url, item.evidence
        row.verification, row.verified_by, row.verified_at = verification, None, None
        row.recorded_by = recorder
    IndicatorValue.objects.bulk_create(new, batch_size=1000)
    now = timezone.now()
    for row in replaced:
        row.updated_at = now
    IndicatorValue.objects.bulk_update(
        replaced,
        [
            "period_start",
            "period_end",
            "value",
            "unit",
            "source_name",
            "source_url",
            "evidence",
            "verification",
            "verified_by",
            "verified_at",
            "recorded_by",
            "updated_at",
        ],
        batch_size=1000,
    )
    for indicator_id in indicator_ids:
        indicator_summary_refresh(indicator_id=indicator_id)
        _after_values_changed(indicator_id)
    return len(new), len(replaced)


def _after_values_changed(indicator_id: uuid.UUID) -> None:
    from cityhall.operating.tasks import benefits_sync_from_indicator

    enqueue_on_commit(benefits_sync_from_indicator, indicator_id=str(indicator_id))


@transaction.atomic
def indicator_value_record(
    *,
    actor: User | None,
    indicator_id: uuid.UUID,
    period: str,
    value: float,
    unit: str,
    district_slug: str = "",
    source_name: str = "",
    source_url: str = "",
    evidence: str = "",
) -> IndicatorValue:
    """Record (or correct) the value of one period. Checks the unit and the period."""
    indicator = get_or_404(Indicator.objects.select_for_update(), indicator_id, _("indicator"))
    _require_can_record(actor, [indicator])
    district = _district(district_slug) if district_slug else None
    try:
        item = _check_value(
            indicator,
            period=period,
            value=value,
            unit=unit,
            district=district,
            source_name=source_name.strip(),
            source_url=source_url.strip(),
            evidence=evidence.strip(),
        )
    except ValueError as error:
        raise ServiceError(_capitalised(str(error)) + ".", code="invalid_value") from error
    created, _replaced = _write_values(actor, [item], verification=VerificationStatus.UNVERIFIED)
    row = IndicatorValue.objects.get(indicator=indicator, district=district, period=item.period)
    audit(
        actor,
        "indicator_value.record" if created else "indicator_value.correct",
        row,
        {
            "indicator": indicator.key,
            "period": row.period,
            "value": row.value,
            "district": district_slug or None,
        },
    )
    return row


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _district(slug: str) -> District:
    district = District.objects.filter(slug=slug.strip()).first()
    if district is None:
        raise ServiceError(_("There is no district “%(slug)s”.") % {"slug": slug}, code="unknown_district")
    return district


@dataclass(frozen=True, slots=True)
class ImportReport:
    rows: int
    created: int
    replaced: int
    indicators: int


@transaction.atomic
def indicator_values_import(*, actor: User | None, text: str, file_name: str = "") -> ImportReport:
    """Import values from CSV (code, period, value, unit; optional part, framework, district, source_name,
    source_url, evidence). Every row is checked first; one bad row and nothing is imported."""
    rows = list(read_rows(text, required=IMPORT_REQUIRED, optional=IMPORT_OPTIONAL))
    indicators: dict[tuple[str, str], list[Indicator]] = {}
    for indicator in Indicator.objects.select_related("framework"):
        indicators.setdefault((indicator.code, indicator.part), []).append(indicator)
    districts = {district.slug: district for district in District.objects.all()}
    errors: list[tuple[int, str]] = []
    inputs: list[ValueInput] = []
    seen: dict[tuple[Any, ...], int] = {}
    for line, row in rows:
        if "__extra__" in row:
            errors.append((line, _("the row has more cells than the header")))
            continue
        try:
            item = _import_row(row, indicators, districts)
        except ValueError as error:
            errors.append((line, str(error)))
            continue
        key = (item.indicator.pk, item.district.pk if item.district else None, item.period)
        if key in seen:
            errors.append((line, _("repeats the value of row %(row)d") % {"row": seen[key]}))
            continue
        seen[key] = line
        inputs.append(item)
    if errors:
        raise CsvImportError(errors)
    touched = {item.indicator.pk: item.indicator for item in inputs}
    _require_can_record(actor, touched.values())
    # Lock the indicators written, so their summaries are rebuilt from a consistent set of values.
    list(Indicator.objects.select_for_update().filter(pk__in=touched).values_list("pk", flat=True))
    created, replaced = _write_values(actor, inputs, verification=VerificationStatus.UNVERIFIED)
    report = ImportReport(rows=len(inputs), created=created, replaced=replaced, indicators=len(touched))
    audit_named(
        actor,
        "indicator_value.import",
        object_type="operating.indicatorvalue",
        data={
            "file": file_name,
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "rows": len(inputs),
            "created": created,
            "replaced": replaced,
            "indicators": sorted(indicator.key for indicator in touched.values()),
        },
    )
    return report


def _import_row(
    row: dict[str, str],
    indicators: dict[tuple[str, str], list[Indicator]],
    districts: dict[str, District],
) -> ValueInput:
    candidates = indicators.get((row["code"], row.get("part", "")), [])
    if row.get("framework"):
        candidates = [i for i in candidates if i.framework.code == row["framework"]]
    if not candidates:
        parts = sorted(part for (code, part) in indicators if code == row["code"] and part)
        if parts and not row.get("part"):
            raise ValueError(
                _("%(code)s has parts (%(parts)s); say which one in the part column")
                % {"code": row["code"], "parts": ", ".join(parts)}
            )
        raise ValueError(_("there is no indicator with the code “%(code)s”") % {"code": row["code"]})
    if len(candidates) > 1:
        raise ValueError(
            _("the code “%(code)s” is used by several frameworks; name one in the framework column")
            % {"code": row["code"]}
        )
    district = None
    if row.get("district"):
        district = districts.get(row["district"])
        if district is None:
            raise ValueError(_("there is no district “%(slug)s”") % {"slug": row["district"]})
    return _check_value(
        candidates[0],
        period=row["period"],
        value=parse_number(row["value"]),
        unit=row["unit"],
        district=district,
        source_name=row.get("source_name", ""),
        source_url=row.get("source_url", ""),
        evidence=row.get("evidence", ""),
    )


@transaction.atomic
def indicator_value_verify(*, actor: User | None, value_id: uuid.UUID, verification: str) -> IndicatorValue:
    require_programme_office(actor)
    row = get_or_404(IndicatorValue.objects.select_related("indicator"), value_id, _("indicator value"))
    if verification not in VerificationStatus.values:
        raise ServiceError(
            _("Verification must be one of %(choices)s.") % {"choices": ", ".join(VerificationStatus.values)},
            code="invalid",
        )
    row.verification = verification
    row.verified_by = user_or_none(actor)
    row.verified_at = timezone.now()
    row.save(update_fields=["verification", "verified_by", "verified_at", "updated_at"])
    indicator_summary_refresh(indicator_id=row.indicator_id)
    _after_values_changed(row.indicator_id)
    audit(
        actor, "indicator_value.verify", row, {"verification": verification, "indicator": row.indicator.key}
    )
    return row


def indicator_summary_refresh(*, indicator_id: uuid.UUID) -> IndicatorSummary:
    """Rebuild one indicator's summary from its newest city-wide values (not rejected ones).

    Reads at most SERIES_LENGTH rows through the (indicator, -period_end) index, plus a count.
    """
    city_values = IndicatorValue.objects.filter(indicator_id=indicator_id, district__isnull=True).exclude(
        verification=VerificationStatus.REJECTED
    )
    newest = list(
        city_values.order_by("-period_end").values_list("period", "value", "verification")[:SERIES_LENGTH]
    )
    summary = IndicatorSummary.objects.filter(indicator_id=indicator_id).first() or IndicatorSummary(
        indicator_id=indicator_id
    )
    summary.value_count = city_values.count()
    summary.series = [[period, value] for period, value, _v in reversed(newest)]
    summary.latest_period = newest[0][0] if newest else ""
    summary.latest_value = newest[0][1] if newest else None
    summary.latest_verification = newest[0][2] if newest else ""
    summary.previous_value = newest[1][1] if len(newest) > 1 else None
    summary.save()
    return summary


# --- Targets -------------------------------------------------------------------------------


@transaction.atomic
def indicator_target_set(
    *,
    actor: User | None,
    indicator_id: uuid.UUID,
    target_value: float,
    target_year: int,
    objective_id: uuid.UUID | None = None,
    level_bands: list[float] | None = None,
) -> IndicatorTarget:
    """A target for a year, optionally with the Y.4904 bands (values from which levels 2 to 5 start)."""
    require_programme_office(actor)
    indicator = get_or_404(Indicator, indicator_id, _("indicator"))
    bands = list(level_bands or [])
    if len(bands) > 4:
        raise ServiceError(
            _("Give at most four band values: where levels 2, 3, 4 and 5 start."), code="invalid"
        )
    ordered = sorted(bands) if indicator.higher_is_better else sorted(bands, reverse=True)
    if bands != ordered:
        raise ServiceError(
            _(
                "The level bands must run from level 2 to level 5 in the direction that is better for "
                "%(code)s."
            )
            % {"code": indicator.key},
            code="invalid_bands",
        )
    target = IndicatorTarget.objects.filter(
        indicator=indicator, target_year=target_year
    ).first() or IndicatorTarget(indicator=indicator, target_year=target_year)
    target.target_value = target_value
    target.objective_id = objective_id
    padded = [*bands, None, None, None, None][:4]
    target.level_2_from, target.level_3_from, target.level_4_from, target.level_5_from = padded
    validated(target)
    target.save()
    audit(
        actor,
        "indicator_target.set",
        target,
        {"indicator": indicator.key, "year": target_year, "value": target_value, "bands": bands},
    )
    return target
