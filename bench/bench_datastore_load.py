"""datastore_load: a 1,000,000-row CSV loaded into the DataStore, against a plain PostgreSQL COPY.

Budget (ARCHITECTURE.md): DataStore CSV ingest at >= 50 % of the speed of a plain PostgreSQL COPY
of the same file. The plain COPY streams the file into a table with the same column types; the
DataStore load is the whole task (UTF-8 check, type inference, frictionless on the first rows,
COPY into a new table, primary key on _id, ANALYZE, atomic swap). SQLite rows/s are reported too.
Once per database, for information: frictionless validating the whole file (not part of a load:
the database checks every row's types while loading), and a few queries on the loaded table.

The measuring runs in `bench/datastore_load_driver.py`, a separate process on a fresh database.
`BENCH_DATASTORE_ROWS` (default 1,000,000) and `BENCH_DATASTORE_ROUNDS` (default 2) change the size.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from bench.harness import (
    BENCH_DATABASE_NAME,
    POSTGRESQL,
    REPO_DIR,
    BenchDatabase,
    BenchmarkError,
    database,
    measure_each,
    postgres_database,
    postgres_server_version,
    workspace,
)
from bench.load import LoadSettings

NAME = "datastore_load"
DESCRIPTION = "1,000,000-row CSV into the DataStore vs a plain PostgreSQL COPY; SQLite rows/s"
BUDGET_RATIO = 0.5
ROWS = int(os.environ.get("BENCH_DATASTORE_ROWS", "1000000"))
ROUNDS = int(os.environ.get("BENCH_DATASTORE_ROUNDS", "2"))
MARKER = "BENCH_JSON "


def run(load: LoadSettings, databases: Sequence[str]) -> dict[str, Any]:
    measured = measure_each(NAME, databases, measure)
    return {
        "description": DESCRIPTION,
        "budget": {"ratio_to_plain_copy_min": BUDGET_RATIO, "rows": ROWS},
        "databases": measured,
        "within_budget": all(result.get("within_budget", True) for result in measured.values()),
    }


def measure(vendor: str) -> dict[str, Any]:
    with workspace(vendor) as workdir, own_database(vendor, workdir) as bench_database:
        env = {
            **{k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DEBUG", "CACHE_URL"}},
            "DATABASE_URL": bench_database.url,
            "CITYHALL_VAR_DIR": str(workdir / "var"),
            "TASKS_BACKEND": "database",
            "LOG_LEVEL": "WARNING",
        }
        print(f"bench: {NAME}: {vendor}: {ROWS} rows x {ROUNDS} rounds", flush=True)
        completed = subprocess.run(
            [sys.executable, "-m", "bench.datastore_load_driver", "--rows", str(ROWS),
             "--rounds", str(ROUNDS), "--workdir", str(workdir), "--full-frictionless"],
            cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=7200, check=False,
        )  # fmt: skip
        lines = [line for line in completed.stdout.splitlines() if line.startswith(MARKER)]
        if completed.returncode != 0 or not lines:
            raise BenchmarkError(f"The driver failed ({completed.returncode}):\n{completed.stderr[-3000:]}")
        result: dict[str, Any] = json.loads(lines[-1][len(MARKER) :])
        if vendor == POSTGRESQL:
            result["server_version"] = postgres_server_version(bench_database.url)
            result["within_budget"] = result["ratio_to_plain_copy_median"] >= BUDGET_RATIO
    return result


@contextlib.contextmanager
def own_database(vendor: str, workdir: Path) -> Iterator[BenchDatabase]:
    """A database of its own on PostgreSQL, so another benchmark's `cityhall_bench` is left alone."""
    if vendor != POSTGRESQL:
        with database(vendor, workdir) as bench_database:
            yield bench_database
        return
    with postgres_database(f"{BENCH_DATABASE_NAME}_datastore") as url:
        yield BenchDatabase(POSTGRESQL, url)


def summary_lines(result: dict[str, Any]) -> list[str]:
    lines = []
    for vendor, figures in result["databases"].items():
        if "skipped" in figures:
            lines.append(f"{vendor:<10} skipped: {figures['skipped']}")
            continue
        lines.append(
            f"{vendor:<10} {figures['rows']:,} rows ({figures['file_bytes'] / 1e6:.0f} MB): DataStore load "
            f"{figures['datastore_rows_per_s_median']:,} rows/s (median of {len(figures['rounds'])})"
        )
        if "ratio_to_plain_copy_median" in figures:
            verdict = "within budget" if figures["within_budget"] else "OVER BUDGET"
            lines.append(
                f"{vendor:<10} plain COPY {figures['plain_copy_rows_per_s_median']:,} rows/s; "
                f"ratio {figures['ratio_to_plain_copy_median']:.2f} (budget >= {BUDGET_RATIO}) {verdict}"
            )
        for number, row in enumerate(figures["rounds"], start=1):
            phases = ", ".join(f"{k} {v:.2f} s" for k, v in row["datastore"]["phases_s"].items())
            lines.append(f"{vendor:<10} round {number}: {row['datastore']['seconds']:.2f} s ({phases})")
        if "frictionless_whole_file" in figures:
            whole = figures["frictionless_whole_file"]
            lines.append(
                f"{vendor:<10} frictionless on the whole file (information): {whole['seconds']:.1f} s, "
                f"{whole['rows_per_s']:,} rows/s"
            )
        queries = ", ".join(f"{k} {v}" for k, v in figures["queries_on_loaded_table"].items())
        lines.append(f"{vendor:<10} queries: {queries}")
    return lines
