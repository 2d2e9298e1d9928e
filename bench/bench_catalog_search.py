"""catalog_search: CKAN package_search over 100,000 datasets, with a query word and three facets.

Budget (ARCHITECTURE.md): catalog search over 100k datasets with 3 facets answers with p95 <= 50 ms,
on PostgreSQL and on SQLite. A fresh database is migrated and filled by `bench/catalog_data.py`
(100,000 datasets across 20 departments; `BENCH_CATALOG_DATASETS` for fewer), the server is started
like `make run`, and `GET /api/3/action/package_search?q=<word>&facet.field=["organization","tags",
"res_format"]` is measured for three query words (and one with a filter as well) by one client at a
time (what one caller waits); the budget is judged on each URL's p95. A run with 16 clients is kept
for information.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.harness import (
    POSTGRESQL,
    REPO_DIR,
    BenchmarkError,
    ServerConfig,
    cityhall_command,
    database,
    get_json,
    log_tail,
    measure_each,
    postgres_database,
    postgres_server_version,
    running_server,
    server_environment,
    workspace,
)
from bench.load import LoadSettings, Measurement, measure_interleaved

NAME = "catalog_search"
DESCRIPTION = "CKAN package_search over 100,000 datasets: a query word and three facets"
BUDGET_P95_MS = 50.0
FACETS = json.dumps(["organization", "tags", "res_format"])
QUERIES = {
    "budget": {"q": "budget"},
    "air": {"q": "air"},
    "bicycles": {"q": "bicycles"},
    "trees+fq": {"q": "trees", "fq": "res_format:CSV -organization:bench-department-03"},
}
FILL_TIMEOUT_S = 3600
# BENCH_CATALOG_DATABASE names it otherwise, so runs from two checkouts cannot drop each other's.
DATABASE_NAME = os.environ.get("BENCH_CATALOG_DATABASE", "cityhall_bench_catalog")


def datasets_wanted() -> int:
    return int(os.environ.get("BENCH_CATALOG_DATASETS", "100000"))


def endpoints() -> dict[str, str]:
    return {
        name: "/api/3/action/package_search?" + urlencode({**params, "facet.field": FACETS, "rows": 10})
        for name, params in QUERIES.items()
    }


def run(load: LoadSettings, databases: Sequence[str]) -> dict[str, Any]:
    measured = measure_each(NAME, databases, lambda vendor: measure_database(vendor, load))
    return {
        "description": DESCRIPTION,
        "tool": load.tool,
        "load": load.describe(),
        "server": ServerConfig(database_url="").describe(),
        "budget": {"single_client_p95_ms": BUDGET_P95_MS, "datasets": datasets_wanted()},
        "endpoints": endpoints(),
        "databases": measured,
        "within_budget": all(result.get("within_budget", True) for result in measured.values()),
    }


def prepare(config: ServerConfig, var_dir: Path) -> dict[str, Any]:
    env = server_environment(config, var_dir=var_dir)
    started = time.perf_counter()
    subprocess.run(
        [*cityhall_command(), "migrate", "--no-input", "-v0"], cwd=REPO_DIR, env=env, check=True, timeout=600
    )
    migrated_s = time.perf_counter() - started
    print(f"bench: {NAME}: filling the database with {datasets_wanted():,} datasets …", flush=True)
    done = subprocess.run(
        [sys.executable, "-m", "bench.catalog_data", "--datasets", str(datasets_wanted())],
        cwd=REPO_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=FILL_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        raise BenchmarkError(f"Filling the database failed:\n{done.stderr[-3000:]}")
    lines = [line for line in done.stdout.splitlines() if line.startswith("BENCH_JSON ")]
    if not lines:
        raise BenchmarkError(f"The data generator printed no report:\n{done.stdout[-2000:]}")
    report: dict[str, Any] = json.loads(lines[-1].removeprefix("BENCH_JSON "))
    report["timings"]["migrate_s"] = round(migrated_s, 2)
    print(f"bench: {NAME}: {report['datasets']:,} datasets written; timings {report['timings']}", flush=True)
    return report


@contextlib.contextmanager
def own_database(vendor: str, workdir: Path) -> Iterator[str]:
    """SQLite in the workspace; on PostgreSQL a database of this benchmark's own, so a benchmark of
    another module running at the same time cannot drop it."""
    if vendor == POSTGRESQL:
        with postgres_database(DATABASE_NAME) as url:
            yield url
    else:
        with database(vendor, workdir) as bench_database:
            yield bench_database.url


def measure_database(vendor: str, load: LoadSettings) -> dict[str, Any]:
    with workspace(f"{NAME}-{vendor}") as workdir, own_database(vendor, workdir) as url:
        config = ServerConfig(database_url=url)
        data = prepare(config, workdir / "var")
        version = postgres_server_version(url) if vendor == POSTGRESQL else None
        with running_server(config, workdir) as server:
            urls = {name: server.url(path) for name, path in endpoints().items()}
            counts = {name: check(url) for name, url in urls.items()}
            try:
                single = measure_interleaved(
                    urls, replace(load, connections=1), server_cpu=server.cpu_seconds
                )
                loaded = measure_interleaved(urls, load, server_cpu=server.cpu_seconds)
            except BenchmarkError as error:
                raise BenchmarkError(f"{error}\n{log_tail(server.log_path)}") from error
    return {
        "vendor": vendor,
        "server_version": version,
        "data": data,
        "matches": counts,
        **judge(single, loaded),
    }


def check(url: str) -> int:
    body = get_json(url)
    result = body.get("result") or {}
    if (
        not body.get("success")
        or not result.get("count")
        or set(result.get("facets", {})) != {"organization", "tags", "res_format"}
    ):
        raise BenchmarkError(f"package_search did not answer with matches and three facets: {body!r}"[:500])
    return int(result["count"])


def judge(single: dict[str, Measurement], loaded: dict[str, Measurement]) -> dict[str, Any]:
    p95 = {name: measurement.median_run.latency_ms.get("p95", 0.0) for name, measurement in single.items()}
    errors = sum(m.error_count for m in single.values()) + sum(m.error_count for m in loaded.values())
    return {
        "single_client": {name: measurement.as_dict() for name, measurement in single.items()},
        "sixteen_clients": {name: measurement.as_dict() for name, measurement in loaded.items()},
        "single_client_p95_ms": p95,
        "within_budget": errors == 0 and all(value <= BUDGET_P95_MS for value in p95.values()),
        "errors": errors,
    }


def summary_lines(result: dict[str, Any]) -> list[str]:
    lines = []
    for vendor, figures in result["databases"].items():
        if "skipped" in figures:
            lines.append(f"{vendor:<10} skipped: {figures['skipped']}")
            continue
        data = figures["data"]
        lines.append(
            f"{vendor:<10} {data['datasets']:,} datasets, {data['facet_rows']:,} facet rows; "
            f"fill {data['timings']}"
        )
        lines.append(f"{vendor:<10} matches per query: {figures['matches']}")
        for label, key in (("1 client", "single_client"), ("16 clients", "sixteen_clients")):
            for name, row in figures[key].items():
                latency = row["latency_ms"]
                lines.append(
                    f"{vendor:<10} {label:<10} {name:<9} {row['requests_per_s']:>8.1f} req/s  "
                    f"p50 {latency['p50']:>7.2f}  p95 {latency['p95']:>7.2f}  p99 {latency['p99']:>7.2f} ms  "
                    f"errors {row['errors']}"
                )
        verdict = "within budget" if figures["within_budget"] else "OVER BUDGET"
        lines.append(
            f"{vendor:<10} single-client p95 {figures['single_client_p95_ms']} "
            f"(budget ≤ {BUDGET_P95_MS} ms): {verdict}"
        )
    return lines
