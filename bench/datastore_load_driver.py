"""The measuring side of bench_datastore_load, run in its own process against a fresh database.

    python -m bench.datastore_load_driver --rows 1000000 --rounds 2 --workdir DIR

Writes a CSV of `rows` air-quality readings, then measures (round after round, interleaved):
- on PostgreSQL, a plain `COPY ... FROM STDIN` of the same file into a table with the same column
  types (what a DBA would do by hand), and the DataStore load of that file;
- on SQLite, the DataStore load.
The DataStore load is the whole task: UTF-8 check, header and type inference, frictionless on the
first DATASTORE_VALIDATE_ROWS rows, load into a new table, primary key, swap. Once, for information:
frictionless validating the whole file, and a few datastore_search / search_sql queries.

Prints one `BENCH_JSON {...}` line. Needs DATABASE_URL and CITYHALL_VAR_DIR in the environment.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPORT_MARKER = "BENCH_JSON "
HEADER = "station,measured_at,pm25,count,ok,district,note\n"
DISTRICTS = ["North", "South", "East", "West", "Harbour", "Old Town"]


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def write_csv(path: Path, rows: int) -> int:
    rng = random.Random(37120)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER)
        batch = []
        for number in range(rows):
            hour = number % 8760
            batch.append(
                f"AB{number % 500:03d},"
                f"2024-{1 + hour // 744 % 12:02d}-{1 + hour // 24 % 28:02d}T{hour % 24:02d}:00:00,"
                f"{rng.random() * 80:.2f},{rng.randint(0, 5000)},{'true' if number % 3 else 'false'},"
                f'{DISTRICTS[number % 6]},"reading {number}, sensor ok"\n'
            )
            if len(batch) >= 10_000:
                handle.write("".join(batch))
                batch.clear()
        handle.write("".join(batch))
    return path.stat().st_size


def plain_copy(path: Path) -> float:
    """COPY the file into a table with the same column types: the yardstick."""
    from django.db import connection

    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        cursor.execute("DROP TABLE IF EXISTS bench_plain_copy")
        cursor.execute(
            "CREATE TABLE bench_plain_copy (station text, measured_at timestamp, pm25 numeric, count bigint, "
            "ok boolean, district text, note text)"
        )
        started = time.perf_counter()
        with (
            path.open("rb") as handle,
            cursor.copy("COPY bench_plain_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
        ):
            while chunk := handle.read(8 * 1024 * 1024):
                copy.write(chunk)
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_plain_copy")
    return seconds


class Timer:
    """Wraps functions of the loader to time its phases (the loader itself is unchanged)."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = {}

    def wrap(self, owner: Any, name: str, label: str) -> None:
        original: Callable[..., Any] = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.totals[label] = self.totals.get(label, 0.0) + time.perf_counter() - started

        setattr(owner, name, timed)


def datastore_load(resource_id: uuid.UUID, timer: Timer) -> dict[str, Any]:
    from cityhall.datastore import services
    from cityhall.datastore.models import DataTable, LoadJob

    timer.totals.clear()
    job = LoadJob.objects.create(resource_id=resource_id, requested_by="system:bench")
    started = time.perf_counter()
    services.load_job_run(job_id=job.pk)
    seconds = time.perf_counter() - started
    job.refresh_from_db()
    if job.state != "done":
        raise SystemExit(f"The DataStore load failed: {job.errors}")
    table = DataTable.objects.get(pk=resource_id)
    return {
        "seconds": round(seconds, 3),
        "rows": table.row_count,
        "rows_per_s": round(table.row_count / seconds),
        "phases_s": {k: round(v, 3) for k, v in timer.totals.items()},
        "columns": table.columns,
    }


def queries(resource_id: uuid.UUID) -> dict[str, float]:
    from cityhall.datastore import facade

    rid = str(resource_id)
    shapes = {
        "search_first_page_with_total": {"resource_id": str(resource_id)},
        "search_filter_with_total": {"resource_id": str(resource_id), "filters": {"district": "Harbour"}},
        "search_keyset_page": {
            "resource_id": str(resource_id),
            "filters": {"_id": {"gt": 900000}},
            "limit": 100,
        },
        "search_q_full_scan": {
            "resource_id": str(resource_id),
            "q": "reading 424242",
            "include_total": False,
        },
    }
    timings: dict[str, float] = {}
    for name, data in shapes.items():
        started = time.perf_counter()
        facade.ckan_datastore_action("datastore_search", data, None)
        timings[name] = round((time.perf_counter() - started) * 1000, 1)
    started = time.perf_counter()
    facade.ckan_datastore_action(
        "datastore_search_sql",
        {"sql": f'SELECT district, AVG(pm25) AS mean FROM "{rid}" GROUP BY district'},  # noqa: S608
        None,
    )
    timings["sql_group_by"] = round((time.perf_counter() - started) * 1000, 1)
    return {k + "_ms": v for k, v in timings.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--full-frictionless", action="store_true")
    args = parser.parse_args()
    setup()

    from django.db import connection

    from cityhall.catalog import facade as catalog_facade
    from cityhall.catalog.contracts import ResourceRef
    from cityhall.datastore import conf, services, tabular

    csv_path = args.workdir / "readings.csv"
    generated = time.perf_counter()
    size = write_csv(csv_path, args.rows)
    generated = time.perf_counter() - generated
    resource_id = uuid.uuid4()
    ref = ResourceRef(
        id=resource_id, dataset_id=uuid.uuid4(), dataset_name="air", department_id=uuid.uuid4(),
        name="readings", format="CSV", media_type="text/csv", url="", file_path=str(csv_path), is_public=True,
    )  # fmt: skip
    # The bench has no catalog dataset: the DataStore sees this one resource.
    catalog_facade.resource_ref = lambda _id: ref  # type: ignore[assignment]
    catalog_facade.user_can_read_resource = lambda _user, _id: True  # type: ignore[assignment]
    timer = Timer()
    timer.wrap(tabular, "check_utf8", "utf8_check")
    timer.wrap(tabular, "sample_rows", "sample_for_types")
    timer.wrap(tabular, "frictionless_check", "frictionless_first_rows")
    timer.wrap(services, "_load_into_new_table", "load_and_swap")

    postgres = connection.vendor == "postgresql"
    rounds: list[dict[str, Any]] = []
    for _round in range(args.rounds):
        row: dict[str, Any] = {}
        if postgres:
            row["plain_copy_s"] = round(plain_copy(csv_path), 3)
        row["datastore"] = datastore_load(resource_id, timer)
        if postgres:
            row["ratio_to_plain_copy"] = round(row["plain_copy_s"] / row["datastore"]["seconds"], 3)
        rounds.append(row)
        print(f"bench: round {_round + 1}: {json.dumps(row)[:300]}", flush=True)

    result: dict[str, Any] = {
        "vendor": connection.vendor,
        "rows": args.rows,
        "file_bytes": size,
        "generate_csv_s": round(generated, 2),
        "validate_rows_setting": conf.validate_rows(),
        "infer_rows_setting": conf.infer_rows(),
        "rounds": rounds,
        "datastore_rows_per_s_median": round(statistics.median(r["datastore"]["rows_per_s"] for r in rounds)),
        "queries_on_loaded_table": queries(resource_id),
    }
    if postgres:
        copies = [r["plain_copy_s"] for r in rounds]
        result["plain_copy_rows_per_s_median"] = round(args.rows / statistics.median(copies))
        result["ratio_to_plain_copy_median"] = round(
            statistics.median(r["ratio_to_plain_copy"] for r in rounds), 3
        )
    if args.full_frictionless:
        table = tabular.open_table(csv_path, file_format="CSV", workdir=args.workdir)
        kinds = tabular.infer_types(tabular.sample_rows(table, conf.infer_rows()), len(table.header))
        started = time.perf_counter()
        problems = tabular.frictionless_check(table, kinds, limit_rows=0)
        seconds = time.perf_counter() - started
        result["frictionless_whole_file"] = {
            "seconds": round(seconds, 2),
            "rows_per_s": round(args.rows / seconds),
            "problems": len(problems),
        }
    print(REPORT_MARKER + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
