"""decisions: full-text decision search over 100,000 decisions, SQLite FTS5 and PostgreSQL tsvector.

Budget (issue 7): decision search over 100,000 decisions answers with p95 <= 50 ms. A fresh database
is migrated and filled by `bench/decisions_data.py` (100,000 decisions with words that are rare, 1 %,
10 % or in every decision; the index is filled in one statement, then one decision is recorded
through the service to show the index follows each write), the server is started like `make run`,
and the public search API `GET /api/v1/decisions/?q=...` is measured per query shape, plus the HTML
search page, by one client at a time (what one resident waits; the budget is judged on this) and by
4 at once (information: the 2-core server is then saturated and latency is mostly queueing).
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

NAME = "decisions"
# BENCH_DECISIONS_DATABASE names the PostgreSQL database (created and dropped by the run).
DATABASE_NAME = os.environ.get("BENCH_DECISIONS_DATABASE", "cityhall_bench_decisions")
DESCRIPTION = (
    "Decision search (GET /api/v1/decisions/?q=...) over 100,000 decisions, SQLite FTS5 and PostgreSQL"
)
BUDGET_P95_MS = 50.0
DECISIONS = int(os.environ.get("BENCH_DECISIONS", "100000"))
LOADED_CONNECTIONS = 4
COUNT_LIMIT = 1000  # cityhall.decisions.search.COUNT_LIMIT
FILL_TIMEOUT_S = 3600
API = "/api/v1/decisions/"
QUERIES = {
    "rare_word": f"{API}?q=zeppelin&page_size=20",  # 10 decisions
    "one_percent": f"{API}?q=aqueduct&page_size=20",  # 1,000
    "ten_percent": f"{API}?q=library&page_size=20",  # 10,000
    "every_decision": f"{API}?q=proposal&page_size=20",  # all 100,000
    "three_words": f"{API}?q=cycle+lanes+harbour&page_size=20",
    "rare_pair": f"{API}?q=approves+rejects&page_size=20",  # two common words, never together: 0
    "by_relevance": f"{API}?q=library&sort=relevance&page_size=20",
    "with_filters": f"{API}?q=aqueduct&body=planning&status=adopted&page_size=20",
    "page_two": f"{API}?q=library&page=2&page_size=20",
    "html_page": "/decisions/?q=flood+defences",
}
# Measured alongside, not judged: the server's floor on this machine at this moment.
BASELINE = {"baseline_ping": "/api/v1/ping"}


def run(load: LoadSettings, databases: Sequence[str]) -> dict[str, Any]:
    measured = measure_each(NAME, databases, lambda vendor: measure_database(vendor, load))
    return {
        "description": DESCRIPTION,
        "tool": load.tool,
        "load": load.describe(),
        "server": ServerConfig(database_url="").describe(),
        "budget": {"single_client_p95_ms": BUDGET_P95_MS, "decisions": DECISIONS},
        "queries": QUERIES,
        "baseline": BASELINE,
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
    print(f"bench: {NAME}: writing {DECISIONS:,} decisions …", flush=True)
    done = subprocess.run(
        [sys.executable, "-m", "bench.decisions_data", "--decisions", str(DECISIONS)],
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
    print(f"bench: {NAME}: {report['decisions']:,} decisions; timings {report['timings']}", flush=True)
    return report


def check(server: Any) -> dict[str, int]:
    """Each query answers with the number of decisions the data was built to have."""
    counts = {}
    for name, path in QUERIES.items():
        if not path.startswith(API):
            continue
        body = get_json(server.url(path))
        if "count" not in body:
            raise BenchmarkError(f"{name}: no count in {body!r}"[:500])
        counts[name] = body["count"]
    expected = {
        "rare_word": DECISIONS // 10_000,
        "one_percent": DECISIONS // 100,
        "ten_percent": DECISIONS // 10,
        "rare_pair": 0,
    }
    for name, exact in expected.items():
        value = min(exact, COUNT_LIMIT + 1)  # totals are exact up to the limit, then "more than"
        if counts[name] != value:
            raise BenchmarkError(f"{name}: {counts[name]} decisions found, {value} expected")
    return counts


@contextlib.contextmanager
def own_database(vendor: str, workdir: Path) -> Iterator[str]:
    """A fresh database; on PostgreSQL one of this benchmark's own, so that other benchmarks running
    at the same time (each recreating the shared `cityhall_bench`) cannot drop it mid-run."""
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
            counts = check(server)
            urls = {name: server.url(path) for name, path in {**QUERIES, **BASELINE}.items()}
            try:
                single = measure_interleaved(
                    urls, replace(load, connections=1), server_cpu=server.cpu_seconds
                )
                loaded = measure_interleaved(
                    urls, replace(load, connections=LOADED_CONNECTIONS), server_cpu=server.cpu_seconds
                )
            except BenchmarkError as error:
                raise BenchmarkError(f"{error}\n{log_tail(server.log_path)}") from error
    return {
        "vendor": vendor,
        "server_version": version,
        "data": data,
        "counts": counts,
        **judge(single, loaded),
    }


def judge(single: dict[str, Measurement], loaded: dict[str, Measurement]) -> dict[str, Any]:
    p95 = {
        name: m.median_run.latency_ms.get("p95", 0.0) for name, m in single.items() if name not in BASELINE
    }
    errors = sum(m.error_count for m in single.values()) + sum(m.error_count for m in loaded.values())
    return {
        "single_client": {name: m.as_dict() for name, m in single.items()},
        "four_clients": {name: m.as_dict() for name, m in loaded.items()},
        "single_client_p95_ms": p95,
        "worst_p95_ms": max(p95.values()),
        "within_budget": errors == 0 and all(value <= BUDGET_P95_MS for value in p95.values()),
        "errors": errors,
    }


def summary_lines(result: dict[str, Any]) -> list[str]:
    lines = []
    for vendor, figures in result["databases"].items():
        if "skipped" in figures:
            lines.append(f"{vendor:<10} skipped: {figures['skipped']}")
            continue
        lines.append(
            f"{vendor:<10} {figures['data']['decisions']:,} decisions; fill {figures['data']['timings']}"
        )
        for label, key in (("1 client", "single_client"), ("4 clients", "four_clients")):
            for name, row in figures[key].items():
                latency = row["latency_ms"]
                lines.append(
                    f"{vendor:<10} {label:<9} {name:<15} {row['requests_per_s']:>7.1f} req/s  "
                    f"p50 {latency['p50']:>7.2f}  p95 {latency['p95']:>7.2f}  p99 {latency['p99']:>7.2f} ms  "
                    f"errors {row['errors']}"
                )
        verdict = "within budget" if figures["within_budget"] else "OVER BUDGET"
        worst = figures["worst_p95_ms"]
        lines.append(f"{vendor:<10} worst single-client p95 {worst} ms (budget ≤ {BUDGET_P95_MS}): {verdict}")
    return lines
