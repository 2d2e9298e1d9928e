"""Fill a Cityhall database with 100,000 generated datasets for the catalog search benchmark.

Run as `python -m bench.catalog_data --datasets 100000` with DATABASE_URL (and CITYHALL_VAR_DIR) set;
the database must be migrated. Datasets (titles and descriptions from a fixed vocabulary, keywords,
themes, licences, one link distribution each, across 20 departments) are written with bulk_create,
and their search entries and facets through the catalog's own index functions (FTS5 triggers on
SQLite; the tsvector computed in batches on PostgreSQL). Deterministic. Prints one `BENCH_JSON {...}`
line with the counts and how long each step took.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import random
import time
from typing import Any

BATCH = 5_000
# Real catalogs' text follows Zipf's law: a few words ("data", "city") are everywhere, most are rare.
# The topic words (WORDS) sit at ranks 41-140 of a 3,000-word vocabulary, so one of them matches
# roughly 1-5 % of the datasets, as a query word typically does; the bench reports the exact counts.
COMMON = [
    "data",
    "city",
    "the",
    "of",
    "and",
    "per",
    "by",
    "year",
    "month",
    "monthly",
    "annual",
    "daily",
    "district",
    "public",
    "service",
    "services",
    "total",
    "number",
    "list",
    "map",
    "register",
    "statistics",
    "report",
    "open",
    "council",
    "department",
    "area",
    "local",
    "municipal",
    "results",
    "for",
    "in",
    "on",
    "with",
    "from",
    "to",
    "all",
    "new",
]
WORDS = [
    "air",
    "quality",
    "budget",
    "traffic",
    "trees",
    "parking",
    "noise",
    "waste",
    "recycling",
    "water",
    "energy",
    "permits",
    "population",
    "schools",
    "libraries",
    "housing",
    "bicycles",
    "buses",
    "streetlights",
    "potholes",
    "parks",
    "playgrounds",
    "elections",
    "contracts",
    "grants",
    "tourism",
    "museums",
    "sports",
    "health",
    "clinics",
    "emergency",
    "shelters",
    "flooding",
    "weather",
    "climate",
    "emissions",
    "solar",
    "heating",
    "buildings",
    "roads",
    "bridges",
    "sewers",
    "rivers",
    "wildlife",
    "allotments",
    "markets",
    "licences",
    "taxes",
    "salaries",
    "procurement",
    "meetings",
    "decisions",
    "complaints",
    "requests",
    "satisfaction",
    "survey",
    "census",
    "income",
    "employment",
    "business",
    "startups",
    "wifi",
    "broadband",
    "cameras",
    "sensors",
    "counters",
    "footfall",
    "events",
    "festivals",
    "cemeteries",
    "crime",
    "fire",
    "ambulance",
    "police",
    "graffiti",
    "litter",
    "dogs",
    "cats",
    "cycling",
    "walking",
    "accidents",
    "speed",
    "trams",
    "ferries",
    "taxis",
    "toilets",
    "benches",
    "fountains",
    "bins",
    "lighting",
    "snow",
    "salt",
]
THEMES = ["AGRI", "ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL", "JUST", "REGI", "SOCI", "TECH", "TRAN"]
LICENSES = ["CC-BY-4.0", "CC0-1.0", "ODbL-1.0", "CC-BY-SA-4.0"]
FORMATS = ["CSV", "JSON", "XLSX", "GEOJSON", "PDF"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=100_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    print("BENCH_JSON " + json.dumps(fill(args.datasets)), flush=True)


TOPICS = frozenset(WORDS)


def vocabulary_ranked(rng: random.Random) -> list[str]:
    """3,000 words by frequency rank: common words, then the topics, then made-up rare words."""
    syllables = ["ka", "lo", "mi", "ne", "ra", "su", "ti", "vo", "ze", "pa", "do", "gu"]
    rare: list[str] = []
    while len(rare) < 3000 - len(COMMON) - len(WORDS):
        word = "".join(rng.choices(syllables, k=rng.randint(2, 4)))
        if word not in rare:
            rare.append(word)
    return [*COMMON, *WORDS, *rare]


def fill(count: int) -> dict[str, Any]:
    from django.db import transaction
    from django.utils import timezone

    from cityhall.accounts.models import Department
    from cityhall.catalog import search_index
    from cityhall.catalog.models import Dataset, Distribution, SearchEntry, SearchFacet

    rng = random.Random(20260101)
    vocabulary = vocabulary_ranked(rng)
    weights = list(itertools.accumulate(1.0 / rank for rank in range(1, len(vocabulary) + 1)))
    timings: dict[str, float] = {}
    started = time.perf_counter()
    departments = [
        Department.objects.get_or_create(
            slug=f"bench-department-{i:02d}", defaults={"name": f"Department {i:02d}"}
        )[0]
        for i in range(20)
    ]
    now = timezone.now()
    written = 0
    for offset in range(0, count, BATCH):
        size = min(BATCH, count - offset)
        datasets = []
        distributions = []
        for index in range(offset, offset + size):
            words = list(dict.fromkeys(rng.choices(vocabulary, cum_weights=weights, k=27)))
            dataset = Dataset(
                name=f"dataset-{index:06d}",
                identifier=f"https://bench.example/dataset/{index}",
                title=" ".join(words[:5]).capitalize(),
                description=" ".join(words[5:]) + ".",
                department=rng.choice(departments),
                themes=rng.sample(THEMES, rng.randint(1, 2)),
                keywords=[word for word in words if word in TOPICS][:3] or words[:1],
                license_id=rng.choice(LICENSES),
                state="published",
                private=rng.random() < 0.02,
                issued=now,
                metadata_modified=now - dt.timedelta(minutes=index),
                version_number=1,
            )
            datasets.append(dataset)
            format_ = rng.choice(FORMATS)
            distributions.append(
                Distribution(
                    dataset=dataset,
                    name=f"{words[0]} data",
                    url=f"https://files.bench.example/{index}.{format_.lower()}",
                    format=format_,
                    media_type="text/csv" if format_ == "CSV" else "application/octet-stream",
                )
            )
        with transaction.atomic():
            Dataset.objects.bulk_create(datasets)
            Distribution.objects.bulk_create(distributions)
            pairs = {
                dataset.pk: search_index.facet_values(dataset, [distribution])
                for dataset, distribution in zip(datasets, distributions, strict=True)
            }
            terms = search_index.term_ids(set().union(*pairs.values()))
            entries = [
                SearchEntry(
                    dataset=dataset,
                    **search_index.entry_values(dataset, [distribution]),
                    facet_terms=sorted(terms[pair] for pair in pairs[dataset.pk]),
                )
                for dataset, distribution in zip(datasets, distributions, strict=True)
            ]
            SearchEntry.objects.bulk_create(entries)
            created = {entry.dataset_id: entry for entry in SearchEntry.objects.filter(dataset__in=datasets)}
            SearchFacet.objects.bulk_create(
                [
                    SearchFacet(entry=created[dataset_id], term_id=terms[pair])
                    for dataset_id, dataset_pairs in pairs.items()
                    for pair in dataset_pairs
                ],
                batch_size=BATCH,
            )
            search_index.refresh_vectors([entry.pk for entry in created.values()])
        written += size
        print(f"bench: catalog: {written:,} datasets written", flush=True)
    timings["fill_s"] = round(time.perf_counter() - started, 2)
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings["analyze_s"] = round(time.perf_counter() - started, 2)
    return {"datasets": count, "facet_rows": SearchFacet.objects.count(), "timings": timings}


if __name__ == "__main__":
    main()
