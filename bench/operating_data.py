"""Fill a Cityhall database with a city's operating model and about 1,000,000 indicator values.

Run as `python -m bench.operating_data --values 1000000` with DATABASE_URL (and CITYHALL_VAR_DIR) set;
the database must be migrated. It loads the U4SSC KPIs from the shared reference data, makes every KPI
row a daily indicator with 12 headlines and targets, writes the values (city-wide and for six
districts) with `bulk_create` in large batches on SQLite and `COPY` on PostgreSQL, adds benefits
with measurements, rebuilds the indicator summaries through the service (as a write would), and
prints one `BENCH_JSON {...}` line with the counts and how long each step took.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import time
import zlib
from typing import Any

DISTRICTS = ["old-town", "riverside", "north-hill", "harbour", "eastfield", "westbrook"]
HEADLINES = 12
BATCH = 20_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", type=int, default=1_000_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    report = fill(args.values)
    print("BENCH_JSON " + json.dumps(report), flush=True)


def fill(target_values: int) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.utils import timezone

    from cityhall.core.demo import demo_load as place_demo_load
    from cityhall.core.models import District
    from cityhall.operating import services
    from cityhall.operating.models import Indicator

    timings: dict[str, float] = {}
    started = time.perf_counter()
    place_demo_load(lambda line: None)
    services.u4ssc_kpis_load(actor=None)
    services.iso37101_matrix_load(actor=None)
    indicators = list(Indicator.objects.filter(framework__code="u4ssc").order_by("order"))
    for index, indicator in enumerate(indicators):
        Indicator.objects.filter(pk=indicator.pk).update(
            unit="%", frequency="daily", is_headline=index < HEADLINES, higher_is_better=index % 3 != 0
        )
    indicators = list(Indicator.objects.filter(framework__code="u4ssc").order_by("order"))
    for indicator in indicators[:HEADLINES]:
        services.indicator_target_set(
            actor=None, indicator_id=indicator.pk, target_value=80, target_year=timezone.localdate().year + 4,
            level_bands=[20, 40, 60, 80] if indicator.higher_is_better else [80, 60, 40, 20],
        )  # fmt: skip
    districts = [None, *District.objects.filter(slug__in=DISTRICTS).values_list("pk", flat=True)]
    timings["reference_s"] = round(time.perf_counter() - started, 2)

    areas = len(districts)
    days = max(1, target_values // (len(indicators) * areas))
    first_day = timezone.localdate() - dt.timedelta(days=days)
    started = time.perf_counter()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            written = _copy_values(connection, indicators, districts, first_day, days)
        else:
            written = _bulk_values(indicators, districts, first_day, days)
    timings["values_s"] = round(time.perf_counter() - started, 2)

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings["analyze_s"] = round(time.perf_counter() - started, 2)

    started = time.perf_counter()
    for indicator in indicators:
        services.indicator_summary_refresh(indicator_id=indicator.pk)
    timings["summaries_s"] = round(time.perf_counter() - started, 2)
    timings["summary_per_indicator_ms"] = round(timings["summaries_s"] * 1000 / len(indicators), 2)

    started = time.perf_counter()
    measurements = _benefits(first_day, days)
    timings["benefits_s"] = round(time.perf_counter() - started, 2)
    return {
        "indicators": len(indicators),
        "areas": areas,
        "days": days,
        "values": written,
        "benefit_measurements": measurements,
        "timings": timings,
    }


def _rows(indicators: list[Any], districts: list[Any], first_day: dt.date, days: int) -> Any:
    from cityhall.core.ids import uuid7

    for indicator in indicators:
        for district in districts:
            for offset in range(days):
                day = first_day + dt.timedelta(days=offset)
                value = round(
                    40 + 30 * ((offset * 7 + zlib.crc32(indicator.code.encode()) % 13) % 100) / 100, 2
                )
                yield uuid7(), indicator.pk, district, day, value


def _bulk_values(indicators: list[Any], districts: list[Any], first_day: dt.date, days: int) -> int:
    from django.utils import timezone

    from cityhall.operating.models import IndicatorValue

    now = timezone.now()
    batch: list[IndicatorValue] = []
    written = 0
    for pk, indicator_id, district_id, day, value in _rows(indicators, districts, first_day, days):
        iso = day.isoformat()
        batch.append(
            IndicatorValue(
                id=pk, created_at=now, updated_at=now, indicator_id=indicator_id, district_id=district_id,
                period=iso, period_start=day, period_end=day, value=value, unit="%",
                verification="self_verified",
            )
        )  # fmt: skip
        if len(batch) >= BATCH:
            IndicatorValue.objects.bulk_create(batch, batch_size=BATCH)
            written += len(batch)
            batch = []
    IndicatorValue.objects.bulk_create(batch, batch_size=BATCH)
    return written + len(batch)


def _copy_values(
    connection: Any, indicators: list[Any], districts: list[Any], first_day: dt.date, days: int
) -> int:
    from django.utils import timezone

    now = timezone.now()
    columns = (
        "id, created_at, updated_at, indicator_id, district_id, period, period_start, period_end, "
        "value, unit, "
        "source_name, source_url, evidence, verification"
    )
    written = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY operating_indicatorvalue ({columns}) FROM STDIN") as copy:
            for pk, indicator_id, district_id, day, value in _rows(indicators, districts, first_day, days):
                copy.write_row(
                    (pk, now, now, indicator_id, district_id, day.isoformat(), day, day, value, "%",
                     "", "", "", "self_verified")
                )  # fmt: skip
                written += 1
    return written


def _benefits(first_day: dt.date, days: int) -> int:
    from django.utils import timezone

    from cityhall.operating import services

    today = timezone.localdate()
    total = 0
    for number in range(1, 11):
        benefit = services.benefit_create(
            actor=None, code=f"BB{number:02d}", title=f"Benefit {number}", kind="social",
            stakeholder_group="residents", measure="m", unit="hours", frequency="monthly",
            baseline_value=0, baseline_date=first_day, target_value=100,
            target_date=today + dt.timedelta(days=900),
        )  # fmt: skip
        months = sorted(
            {(first_day + dt.timedelta(days=offset)).strftime("%Y-%m") for offset in range(0, days, 28)}
        )
        rows = "period,value,unit\n" + "".join(
            f"{month},{index * 2},hours\n" for index, month in enumerate(months)
        )
        total += services.benefit_measurements_import(actor=None, benefit_id=benefit.pk, text=rows).rows
    return total


if __name__ == "__main__":
    main()
