"""engagement: supports per second at the service layer on PostgreSQL, with retried supports refused and
the count checked (stored rows = sum of the proposals' counters, zero double supports).

No budget is set for supports in ARCHITECTURE.md; the poll-ballot budget (>= 500/s, zero doubles under
concurrent retries) is the closest and is reported against. The driver runs in its own process
(`bench/engagement_support_driver.py`) on a fresh database `cityhall_bench_engagement`:
BENCH_ENGAGEMENT_PEOPLE residents (default 4,000, bulk-inserted, not measured), 8 threads; every 10th
attempt replays an earlier (person, proposal) pair. Two shapes: spread over 50 proposals, and one hot
proposal whose row lock serialises every support.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from bench.harness import POSTGRESQL, REPO_DIR, DatabaseUnavailableError, postgres_admin_url
from bench.load import LoadSettings

NAME = "engagement"
DESCRIPTION = (
    "Proposal supports per second (service layer, 8 threads, PostgreSQL), retries refused, counts exact"
)
DATABASE_NAME = "cityhall_bench_engagement"
PEOPLE = int(os.environ.get("BENCH_ENGAGEMENT_PEOPLE", "4000"))
REFERENCE_PER_S = 500


@contextlib.contextmanager
def bench_database(name: str) -> Iterator[str]:
    admin_url = postgres_admin_url()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    parts = urlsplit(admin_url)
    try:
        yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))
    finally:
        with contextlib.suppress(psycopg.Error), psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(sql.SQL("SET statement_timeout = '30s'"))
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def measure(url: str) -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": url, "TASKS_BACKEND": "database", "LOG_LEVEL": "WARNING"}
    env.pop("CACHE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "bench.engagement_support_driver", "--people", str(PEOPLE)],
        cwd=REPO_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("SUPPORT_JSON ")]
    if not lines:
        raise RuntimeError(f"the driver printed no result:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(lines[-1].removeprefix("SUPPORT_JSON "))
    return result


def run(load: LoadSettings, databases: Sequence[str]) -> dict[str, Any]:
    measured: dict[str, Any] = {}
    for vendor in databases:
        if vendor != POSTGRESQL:
            measured[vendor] = {
                "vendor": vendor,
                "skipped": "measured on PostgreSQL, where writers run in parallel",
            }
            continue
        try:
            with bench_database(DATABASE_NAME) as url:
                measured[vendor] = measure(url)
        except DatabaseUnavailableError as error:
            measured[vendor] = {"vendor": vendor, "skipped": str(error)}
    exact = all(
        shape["double_supports"] == 0
        and shape["stored_supports"] == shape["sum_of_counters"] == shape["accepted"]
        for row in measured.values()
        if "skipped" not in row
        for shape in row.values()
    )
    return {
        "description": DESCRIPTION,
        "people": PEOPLE,
        "reference": {"supports_per_s": REFERENCE_PER_S, "double_supports": 0},
        "databases": measured,
        "within_budget": exact,
    }


def summary_lines(result: dict[str, Any]) -> list[str]:
    lines = []
    for vendor, row in result["databases"].items():
        if "skipped" in row:
            lines.append(f"{vendor}: skipped ({row['skipped']})")
            continue
        for shape, numbers in row.items():
            lines.append(
                f"{vendor} {shape} ({numbers['proposals']} proposals): "
                f"{numbers['supports_per_s']} supports/s, "
                f"{numbers['accepted']} stored = counters {numbers['sum_of_counters']}, "
                f"{numbers['refused_retries']} retries refused, doubles {numbers['double_supports']}, "
                f"other errors {numbers['other_errors']}"
            )
    return lines
