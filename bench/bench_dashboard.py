"""dashboard: the public city dashboard over 1,000,000 stored indicator values.

Budget (ARCHITECTURE.md): the KPI dashboard over 1M measurements answers within 200 ms. A fresh
database is migrated and filled by `bench/operating_data.py` (the U4SSC KPIs as daily indicators,
city-wide and for six districts, ~1,000,000 values written with bulk_create on SQLite and COPY on
PostgreSQL, then the summaries rebuilt through the service), the server is started like `make run`,
and `GET /city/` (the HTML page) and `GET /api/v1/operating/dashboard` (the same data as JSON) are
measured twice: by one client at a time (what one resident waits) and by 16 concurrent clients.
The budget is judged on the p95 latency of the single client; the loaded run is for information.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

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
    postgres_server_version,
    running_server,
    server_environment,
    workspace,
)
from bench.load import LoadSettings, Measurement, measure_interleaved

NAME = "dashboard"
DESCRIPTION = "GET /city/ and /api/v1/operating/dashboard over 1,000,000 stored indicator values"
BUDGET_P95_MS = 200.0
VALUES = 1_000_000
ENDPOINTS = {"page": "/city/", "api": "/api/v1/operating/dashboard"}
FILL_TIMEOUT_S = 3600


def run(load: LoadSettings, databases: Sequence[str]) -> dict[str, Any]:
    measured = measure_each(NAME, databases, lambda vendor: measure_database(vendor, load))
    return {
        "description": DESCRIPTION,
        "tool": load.tool,
        "load": load.describe(),
        "server": ServerConfig(database_url="").describe(),
        "budget": {"single_client_p95_ms": BUDGET_P95_MS, "values": VALUES},
        "endpoints": ENDPOINTS,
        "databases": measured,
        "within_budget": all(result.get("within_budget", True) for result in measured.values()),
    }


def prepare(config: ServerConfig, var_dir: Path) -> dict[str, Any]:
    """Migrate and fill the database in the same environment the server will run in."""
    env = server_environment(config, var_dir=var_dir)
    started = time.perf_counter()
    subprocess.run(
        [*cityhall_command(), "migrate", "--no-input", "-v0"], cwd=REPO_DIR, env=env, check=True, timeout=600
    )
    migrated_s = time.perf_counter() - started
    print(f"bench: {NAME}: filling the database with {VALUES:,} values …", flush=True)
    done = subprocess.run(
        [sys.executable, "-m", "bench.operating_data", "--values", str(VALUES)],
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
    print(f"bench: {NAME}: {report['values']:,} values written; timings {report['timings']}", flush=True)
    return report


def measure_database(vendor: str, load: LoadSettings) -> dict[str, Any]:
    with workspace(f"{NAME}-{vendor}") as workdir, database(vendor, workdir) as bench_database:
        config = ServerConfig(database_url=bench_database.url)
        data = prepare(config, workdir / "var")
        version = postgres_server_version(bench_database.url) if vendor == POSTGRESQL else None
        with running_server(config, workdir) as server:
            check(server.url(ENDPOINTS["api"]))
            urls = {name: server.url(path) for name, path in ENDPOINTS.items()}
            try:
                one_client = replace(load, connections=1)
                single = measure_interleaved(urls, one_client, server_cpu=server.cpu_seconds)
                loaded = measure_interleaved(urls, load, server_cpu=server.cpu_seconds)
            except BenchmarkError as error:
                raise BenchmarkError(f"{error}\n{log_tail(server.log_path)}") from error
    return {"vendor": vendor, "server_version": version, "data": data, **judge(single, loaded)}


def check(url: str) -> None:
    body = get_json(url)
    if len(body.get("indicators", [])) != 12 or not body["indicators"][0]["series"]:
        raise BenchmarkError(
            f"The dashboard did not show the 12 headline indicators with values: {body!r}"[:500]
        )


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
            f"{vendor:<10} {data['values']:,} values ({data['indicators']} indicators × "
            f"{data['areas']} areas × "
            f"{data['days']} days); fill {data['timings']}"
        )
        for label, key in (("1 client", "single_client"), ("16 clients", "sixteen_clients")):
            for name, row in figures[key].items():
                latency = row["latency_ms"]
                lines.append(
                    f"{vendor:<10} {label:<10} {name:<5} {row['requests_per_s']:>8.1f} req/s  "
                    f"p50 {latency['p50']:>7.2f}  "
                    f"p95 {latency['p95']:>7.2f}  p99 {latency['p99']:>7.2f} ms  errors {row['errors']}"
                )
        verdict = "within budget" if figures["within_budget"] else "OVER BUDGET"
        lines.append(
            f"{vendor:<10} single-client p95 {figures['single_client_p95_ms']} "
            f"(budget ≤ {BUDGET_P95_MS} ms): {verdict}"
        )
    return lines
