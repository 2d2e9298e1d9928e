"""alert_fanout: from an approved alert to every targeted delivery enqueued, and send throughput.

Budget (ARCHITECTURE.md): 100,000 area subscribers matched and enqueued within 10 s. Also
measured, for information: messages per second per task worker through the local test SMS
gateway (cityhall.notifications.testgateway), with one worker, and on PostgreSQL with two.

The measuring runs in `bench/alert_fanout_driver.py`, a separate process on a fresh database.
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

NAME = "alert_fanout"
DESCRIPTION = "100k area subscribers: approval to every delivery enqueued; SMS sends/s per worker"
BUDGET_SECONDS = 10.0
SUBSCRIBERS = int(os.environ.get("BENCH_ALERT_SUBSCRIBERS", "100000"))
SEND_SECONDS = float(os.environ.get("BENCH_ALERT_SEND_SECONDS", "20"))
MARKER = "BENCH_JSON "


def run(load: LoadSettings, databases: Sequence[str]) -> dict[str, Any]:
    measured = measure_each(NAME, databases, measure)
    return {
        "description": DESCRIPTION,
        "budget": {"approval_to_all_enqueued_max_s": BUDGET_SECONDS, "subscribers": SUBSCRIBERS},
        "databases": measured,
        "within_budget": all(result.get("within_budget", True) for result in measured.values()),
    }


def measure(vendor: str) -> dict[str, Any]:
    workers = ["1", "2"] if vendor == POSTGRESQL else ["1"]
    with workspace(vendor) as workdir, own_database(vendor, workdir) as bench_database:
        env = {
            **{k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DEBUG", "CACHE_URL"}},
            "DATABASE_URL": bench_database.url,
            "CITYHALL_VAR_DIR": str(workdir / "var"),
            "TASKS_BACKEND": "database",
            "LOG_LEVEL": "WARNING",
            "NOTIFY_SMS_PER_SECOND": "0",  # measure the platform, not a contracted provider rate
        }
        print(f"bench: {NAME}: {vendor}: {SUBSCRIBERS} subscribers", flush=True)
        completed = subprocess.run(
            [sys.executable, "-m", "bench.alert_fanout_driver", "--subscribers", str(SUBSCRIBERS),
             "--send-seconds", str(SEND_SECONDS), "--workers", *workers],
            cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=3600, check=False,
        )  # fmt: skip
        lines = [line for line in completed.stdout.splitlines() if line.startswith(MARKER)]
        if completed.returncode != 0 or not lines:
            raise BenchmarkError(f"The driver failed ({completed.returncode}):\n{completed.stderr[-3000:]}")
        result: dict[str, Any] = json.loads(lines[-1][len(MARKER) :])
        if vendor == POSTGRESQL:
            result["server_version"] = postgres_server_version(bench_database.url)
    worst = max(result[s]["approval_to_all_enqueued_s"] for s in ("whole_city", "flood_three_districts"))
    result["within_budget"] = worst <= BUDGET_SECONDS
    return result


@contextlib.contextmanager
def own_database(vendor: str, workdir: Path) -> Iterator[BenchDatabase]:
    """A database of its own on PostgreSQL, so another benchmark's `cityhall_bench` is left alone."""
    if vendor != POSTGRESQL:
        with database(vendor, workdir) as bench_database:
            yield bench_database
        return
    with postgres_database(f"{BENCH_DATABASE_NAME}_alerts") as url:
        yield BenchDatabase(POSTGRESQL, url)


def summary_lines(result: dict[str, Any]) -> list[str]:
    lines = []
    for vendor, figures in result["databases"].items():
        if "skipped" in figures:
            lines.append(f"{vendor:<10} skipped: {figures['skipped']}")
            continue
        for scenario in ("whole_city", "flood_three_districts"):
            row = figures[scenario]
            lines.append(
                f"{vendor:<10} {scenario:<22} targeted {row['targeted']:>6}"
                f"  approve {row['approve_and_publish_s']:.2f} s"
                f"  target {row['target_s']:.2f} s  plan+enqueue {row['plan_and_enqueue_s']:.2f} s"
                f"  = {row['approval_to_all_enqueued_s']:.2f} s (budget {BUDGET_SECONDS:.0f} s)"
            )
        for row in figures["throughput"]:
            lines.append(
                f"{vendor:<10} sending with {row['workers']} worker(s): {row['messages_per_s']} msg/s"
                f" ({row['messages_per_s_per_worker']} per worker, {row['messages']} in {row['seconds']} s)"
            )
        verdict = "within budget" if figures["within_budget"] else "OVER BUDGET"
        lines.append(f"{vendor:<10} {verdict}")
    return lines
