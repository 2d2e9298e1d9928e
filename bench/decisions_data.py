"""Fill a Cityhall database with 100,000 council decisions for the decision-search benchmark.

Run as `python -m bench.decisions_data --decisions 100000` with DATABASE_URL (and CITYHALL_VAR_DIR)
set; the database must be migrated. It makes three bodies and 600 meetings through the services,
writes the decisions with `bulk_create` in batches (titles and texts drawn from a fixed vocabulary
so that words are rare, medium or common on purpose), fills the full-text index in one statement
(`search.rebuild`), then records one more decision through the service to show that the index is
kept up to date row by row, on PostgreSQL runs `VACUUM ANALYZE` on the two tables (the state
autovacuum keeps a live database in), and prints one `BENCH_JSON {...}` line with counts and timings.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import time
from typing import Any

BATCH = 10_000
# How often each probe word occurs, by construction: in every Nth decision.
PROBES = {"zeppelin": 10_000, "aqueduct": 100, "library": 10}
TOPICS = [
    "cycle lanes", "bus priority", "street lighting", "flood defences", "school meals", "park benches",
    "tree planting", "waste collection", "parking charges", "housing grants", "noise limits", "tram stops",
    "public toilets", "swimming pool", "market stalls", "snow clearing", "youth centre", "care homes",
    "solar panels", "heat pumps", "bridge repairs", "road resurfacing", "speed limits", "dog parks",
]  # fmt: skip
PLACES = [
    "Harbour Road", "Old Town", "Riverside", "North Hill", "Eastfield", "Westbrook", "Station Square",
    "Mill Lane", "Castle Street", "Ferry Terminal", "Market Place", "Canal Walk", "Tannery Yard",
]  # fmt: skip
VERBS = ["approves", "rejects", "defers", "funds", "reviews", "extends", "pilots", "replaces"]
STATUSES = ["adopted"] * 6 + ["rejected"] * 2 + ["withdrawn", "adjourned", "referred", "submitted"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=100_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    print("BENCH_JSON " + json.dumps(fill(args.decisions)), flush=True)


def fill(count: int) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.utils import timezone

    from cityhall.decisions import search, services
    from cityhall.decisions.models import Counter, Decision

    rng = random.Random(37106)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    bodies = [
        services.body_create(actor=None, slug=slug, name=name, kind=kind)
        for slug, name, kind in (
            ("council", "City Council", "council"),
            ("planning", "Planning Committee", "committee"),
            ("harbour", "Harbour Board", "board"),
        )
    ]
    start = timezone.now() - dt.timedelta(days=3650)
    meetings = [
        services.meeting_create(
            actor=None,
            body_id=bodies[n % 3].pk,
            title=f"Meeting {n + 1}",
            starts_at=start + dt.timedelta(days=n * 6),
        )
        for n in range(600)
    ]
    timings["bodies_and_meetings_s"] = round(time.perf_counter() - started, 2)

    started = time.perf_counter()
    written = 0
    while written < count:
        rows = []
        for number in range(written + 1, min(count, written + BATCH) + 1):
            meeting = meetings[number % len(meetings)]
            topic, place, verb = rng.choice(TOPICS), rng.choice(PLACES), rng.choice(VERBS)
            extra = [word for word, every in PROBES.items() if number % every == 0]
            status = rng.choice(STATUSES)
            rows.append(
                Decision(
                    serial=number,
                    reference=f"B-{number:06d}",
                    body_id=meeting.body_id,
                    meeting=meeting,
                    kind="motion",
                    title=f"The {bodies[number % 3].name.lower()} {verb} {topic} in {place}",
                    text=(
                        f"The body {verb} the proposal on {topic} for {place}, with a budget of "
                        f"{rng.randint(10, 900) * 1000} and a report within {rng.randint(2, 12)} months. "
                        + " ".join(extra)
                    ),
                    status=status,
                    decided_on=meeting.starts_at.date() if status in ("adopted", "rejected") else None,
                    result={"adopted": "pass", "rejected": "fail"}.get(status, ""),
                )
            )
        with transaction.atomic():
            Decision.objects.bulk_create(rows, batch_size=2000)
        written += len(rows)
    Counter.objects.update_or_create(name="decision", defaults={"last": count})
    timings["decisions_s"] = round(time.perf_counter() - started, 2)

    started = time.perf_counter()
    with transaction.atomic():
        indexed = search.rebuild()
    timings["index_rebuild_s"] = round(time.perf_counter() - started, 2)

    # One more through the service: the index follows each write, no rebuild needed.
    started = time.perf_counter()
    fresh = services.decision_create(
        actor=None,
        body_id=bodies[0].pk,
        title="Quokka sanctuary on North Hill",
        text="A new park.",
        submit=True,
    )
    timings["one_decision_create_s"] = round(time.perf_counter() - started, 4)

    # The steady state autovacuum keeps a live database in: visibility map and hint bits set and
    # statistics current, so the measurement does not pay for (or race) the first vacuum of a bulk load.
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE decisions_decision")
            cursor.execute(f"VACUUM ANALYZE {search.POSTGRES_TABLE}")
    timings["vacuum_analyze_s"] = round(time.perf_counter() - started, 2)
    found = search.search("quokka", statuses=["submitted"])
    assert found.ids == [fresh.pk], "the new decision is not in the index"
    return {
        "decisions": Decision.objects.count(),
        "indexed_rows": indexed,
        "probe_words": {word: count // every for word, every in PROBES.items()},
        "timings": timings,
    }


if __name__ == "__main__":
    main()
