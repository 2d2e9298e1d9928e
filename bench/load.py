"""Load from a separate process: `wrk` when it is there, else bench/loadgen.py.

`measure(url, settings)` runs a warm-up (discarded), then the measured run, and returns a
`LoadResult`. `measure_interleaved(urls, settings)` repeats that for several URLs, round after
round (A B C, A B C, ...), so a noisy minute on the machine hurts every URL alike, and keeps the
median round of each. Both tools print one `BENCH_JSON {...}` line with the same fields.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from bench.harness import BENCH_DIR, BenchmarkError

WRK = "wrk"
PYTHON = "python"
AUTO = "auto"
TOOLS = (AUTO, WRK, PYTHON)

WRK_SCRIPT = BENCH_DIR / "wrk_report.lua"
REPORT_MARKER = "BENCH_JSON "
REQUEST_TIMEOUT_S = 5
# A run may take this much longer than its duration before it counts as hung.
RUN_GRACE_S = 60

# Reads the server's CPU seconds so far (see bench.harness.Server.cpu_seconds).
CpuClock = Callable[[], float | None]


@dataclass(frozen=True)
class LoadSettings:
    tool: str
    duration_s: int = 10
    warmup_s: int = 2
    connections: int = 16
    threads: int = 1
    rounds: int = 3

    def describe(self) -> dict[str, Any]:
        return {
            "tool": self.tool,
            "duration_s": self.duration_s,
            "warmup_s": self.warmup_s,
            "rounds": self.rounds,
            "connections": self.connections,
            "load_threads": self.threads if self.tool == WRK else self.connections,
        }


@dataclass(frozen=True)
class LoadResult:
    url: str
    tool: str
    requests: int
    duration_s: float
    latency_ms: dict[str, float]
    errors: dict[str, int]
    server_cpu_s: float | None = None

    @property
    def requests_per_s(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0

    @property
    def server_cpu_ms_per_request(self) -> float | None:
        if self.server_cpu_s is None or not self.requests:
            return None
        return self.server_cpu_s * 1000 / self.requests

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "tool": self.tool,
            "requests": self.requests,
            "duration_s": round(self.duration_s, 3),
            "requests_per_s": round(self.requests_per_s, 1),
            "latency_ms": self.latency_ms,
            "server_cpu_ms_per_request": _rounded(self.server_cpu_ms_per_request, 3),
            "errors": self.error_count,
            "errors_by_kind": self.errors,
        }


@dataclass(frozen=True)
class Measurement:
    """Several runs against one URL; its figures are those of the median run by requests/s."""

    runs: tuple[LoadResult, ...]

    @property
    def median_run(self) -> LoadResult:
        ordered = sorted(self.runs, key=lambda run: run.requests_per_s)
        return ordered[(len(ordered) - 1) // 2]

    @property
    def requests_per_s(self) -> float:
        return self.median_run.requests_per_s

    @property
    def error_count(self) -> int:
        return sum(run.error_count for run in self.runs)

    @property
    def server_cpu_ms_per_request(self) -> float | None:
        """Pooled over every round: the server's CPU cost of one request, whatever else runs."""
        cpu = [run.server_cpu_s for run in self.runs]
        requests = sum(run.requests for run in self.runs)
        if None in cpu or not requests:
            return None
        return sum(value for value in cpu if value is not None) * 1000 / requests

    def as_dict(self) -> dict[str, Any]:
        median = self.median_run
        return {
            "url": median.url,
            "tool": median.tool,
            "requests_per_s": round(median.requests_per_s, 1),
            "latency_ms": median.latency_ms,
            "server_cpu_ms_per_request": _rounded(self.server_cpu_ms_per_request, 3),
            "errors": self.error_count,
            "errors_by_kind": {
                kind: sum(run.errors.get(kind, 0) for run in self.runs) for kind in median.errors
            },
            "rounds_requests_per_s": [round(run.requests_per_s, 1) for run in self.runs],
            "median_run": {"requests": median.requests, "duration_s": round(median.duration_s, 3)},
        }


def choose_tool(requested: str) -> str:
    """`wrk` if asked for or available (installing it with apt-get when root), else Python."""
    if requested == PYTHON:
        return PYTHON
    if shutil.which(WRK) or _install_wrk():
        return WRK
    if requested == WRK:
        raise BenchmarkError("wrk was asked for but is not installed and could not be installed.")
    print("bench: wrk is not available; using the slower Python load generator.", file=sys.stderr)
    return PYTHON


def _install_wrk() -> bool:
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return False
    print("bench: wrk is missing; installing it with apt-get.", file=sys.stderr)
    if not _apt_get("install", "-y", "-q", WRK):
        _apt_get("update", "-q")  # a fresh machine may have no package lists yet
        _apt_get("install", "-y", "-q", WRK)
    return shutil.which(WRK) is not None


def _apt_get(*args: str) -> bool:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        done = subprocess.run(["apt-get", *args], env=env, capture_output=True, check=False, timeout=600)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def measure_interleaved(
    urls: dict[str, str], settings: LoadSettings, server_cpu: CpuClock | None = None
) -> dict[str, Measurement]:
    """Each named URL measured `settings.rounds` times, interleaved; errors in any round count."""
    runs: dict[str, list[LoadResult]] = {name: [] for name in urls}
    for round_number in range(1, settings.rounds + 1):
        for name, url in urls.items():
            print(f"bench:   round {round_number}/{settings.rounds}: GET {url}", flush=True)
            runs[name].append(measure(url, settings, server_cpu))
    return {name: Measurement(tuple(results)) for name, results in runs.items()}


def measure(url: str, settings: LoadSettings, server_cpu: CpuClock | None = None) -> LoadResult:
    """A discarded warm-up, then the measured run; `server_cpu` (if given) is read around it."""
    if settings.warmup_s > 0:
        run_tool(url, settings, settings.warmup_s)
    cpu_before = server_cpu() if server_cpu else None
    result = run_tool(url, settings, settings.duration_s)
    cpu_after = server_cpu() if server_cpu else None
    if cpu_before is None or cpu_after is None:
        return result
    return replace(result, server_cpu_s=cpu_after - cpu_before)


def run_tool(url: str, settings: LoadSettings, duration_s: int) -> LoadResult:
    command = tool_command(url, settings, duration_s)
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, check=False, timeout=duration_s + RUN_GRACE_S
        )
    except subprocess.TimeoutExpired as error:
        raise BenchmarkError(f"{settings.tool} did not finish: {' '.join(command)}") from error
    if done.returncode != 0:
        raise BenchmarkError(
            f"{' '.join(command)} failed with status {done.returncode}:\n{done.stderr[-2000:]}"
        )
    return parse_report(url, settings.tool, done.stdout)


def tool_command(url: str, settings: LoadSettings, duration_s: int) -> list[str]:
    if settings.tool == WRK:
        return [
            WRK,
            f"--threads={settings.threads}",
            f"--connections={settings.connections}",
            f"--duration={duration_s}s",
            f"--timeout={REQUEST_TIMEOUT_S}s",
            f"--script={WRK_SCRIPT}",
            url,
        ]
    return [
        sys.executable, "-m", "bench.loadgen",
        "--url", url,
        "--duration", str(duration_s),
        "--connections", str(settings.connections),
        "--timeout", str(REQUEST_TIMEOUT_S),
    ]  # fmt: skip


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def parse_report(url: str, tool: str, output: str) -> LoadResult:
    lines = [line for line in output.splitlines() if line.startswith(REPORT_MARKER)]
    if not lines:
        raise BenchmarkError(f"{tool} printed no {REPORT_MARKER.strip()} line:\n{output[-2000:]}")
    report = json.loads(lines[-1].removeprefix(REPORT_MARKER))
    return LoadResult(
        url=url,
        tool=tool,
        requests=int(report["requests"]),
        duration_s=report["duration_us"] / 1_000_000,
        latency_ms={name: round(value / 1000, 2) for name, value in report["latency_us"].items()},
        errors={kind: int(count) for kind, count in report["errors"].items()},
    )
