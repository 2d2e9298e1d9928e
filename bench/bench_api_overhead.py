"""api_overhead: what django-ninja costs, per request, against a bare Django view.

Budget (ARCHITECTURE.md): any API endpoint reaches >= 0.5 of a bare Django view's requests/s on the
same server. `GET /ping` (bare view) and `GET /api/v1/ping` (ninja) both answer {"status": "ok"}
without touching anything; `GET /api/v1/health` (database + task queue) is measured for information.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bench.harness import (
    POSTGRESQL,
    BenchmarkError,
    Server,
    ServerConfig,
    database,
    get_json,
    measure_each,
    postgres_server_version,
    running_server,
    workspace,
)
from bench.load import LoadSettings, Measurement, measure_interleaved

NAME = "api_overhead"
DESCRIPTION = "requests/s of GET /api/v1/ping (django-ninja) vs GET /ping (bare Django view)"
BUDGET_MIN_RATIO = 0.5

BARE = "bare"
API = "api"
HEALTH = "health"
ENDPOINTS = {BARE: "/ping", API: "/api/v1/ping", HEALTH: "/api/v1/health"}
SERVER_DEFAULTS = ServerConfig(database_url="")


def run(load: LoadSettings, databases: Sequence[str]) -> dict[str, Any]:
    measured = measure_each(NAME, databases, lambda vendor: measure_database(vendor, load))
    return {
        "description": DESCRIPTION,
        "tool": load.tool,
        "load": load.describe(),
        "server": SERVER_DEFAULTS.describe(),
        "budget": {"api_to_bare_min_ratio": BUDGET_MIN_RATIO},
        "endpoints": ENDPOINTS,
        "databases": measured,
        "within_budget": all(result.get("within_budget", True) for result in measured.values()),
    }


def measure_database(vendor: str, load: LoadSettings) -> dict[str, Any]:
    with (
        workspace(vendor) as workdir,
        database(vendor, workdir) as bench_database,
        running_server(ServerConfig(database_url=bench_database.url), workdir) as server,
    ):
        reported_vendor = check_endpoints(server, expected_vendor=vendor)
        version = postgres_server_version(bench_database.url) if vendor == POSTGRESQL else None
        print(f"bench: {NAME}: {vendor}: server at {server.base_url}", flush=True)
        urls = {name: server.url(path) for name, path in ENDPOINTS.items()}
        results = measure_interleaved(urls, load, server_cpu=server.cpu_seconds)
    return {
        "vendor": reported_vendor,
        "server_version": version,
        **compare(results),
    }


def check_endpoints(server: Server, *, expected_vendor: str) -> str:
    """Every endpoint answers 200 with status ok, and the server uses the database asked for."""
    for path in ENDPOINTS.values():
        body = get_json(server.url(path))
        if body.get("status") != "ok":
            raise BenchmarkError(f"GET {path} answered {body!r}, not status ok.")
    reported = str(get_json(server.url(ENDPOINTS[HEALTH]))["database"]["vendor"])
    if reported != expected_vendor:
        raise BenchmarkError(f"The server reports database {reported!r}, not {expected_vendor!r}.")
    return reported


def compare(results: dict[str, Measurement]) -> dict[str, Any]:
    ratio = ratio_to_bare(results, API)
    cpu_ratio = cpu_implied_ratio(results[BARE], results[API])
    return {
        "endpoints": {name: result.as_dict() for name, result in results.items()},
        "ratio_api_to_bare": round(ratio, 3),
        "cpu_implied_ratio_api_to_bare": None if cpu_ratio is None else round(cpu_ratio, 3),
        "ratio_health_to_bare": round(ratio_to_bare(results, HEALTH), 3),
        "within_budget": ratio >= BUDGET_MIN_RATIO,
        "errors": sum(result.error_count for result in results.values()),
    }


def ratio_to_bare(results: dict[str, Measurement], name: str) -> float:
    bare = results[BARE].requests_per_s
    return results[name].requests_per_s / bare if bare else 0.0


def cpu_implied_ratio(bare: Measurement, api: Measurement) -> float | None:
    """bare CPU per request / api CPU per request: the requests/s ratio a CPU-bound server reaches.

    It barely moves when other work shares the machine, so it checks the measured ratio.
    """
    bare_cpu, api_cpu = bare.server_cpu_ms_per_request, api.server_cpu_ms_per_request
    if bare_cpu is None or not api_cpu:
        return None
    return bare_cpu / api_cpu


def summary_lines(result: dict[str, Any]) -> list[str]:
    lines = []
    for vendor, figures in result["databases"].items():
        if "skipped" in figures:
            lines.append(f"{vendor:<10} skipped: {figures['skipped']}")
            continue
        lines.extend(endpoint_line(vendor, name, row) for name, row in figures["endpoints"].items())
        verdict = "within budget" if figures["within_budget"] else "OVER BUDGET"
        lines.append(
            f"{vendor:<10} api/bare = {figures['ratio_api_to_bare']:.2f} "
            f"(budget >= {BUDGET_MIN_RATIO}): {verdict}; "
            f"by server CPU per request: {figures['cpu_implied_ratio_api_to_bare']}"
        )
    return lines


def endpoint_line(vendor: str, name: str, row: dict[str, Any]) -> str:
    latency = row["latency_ms"]
    return (
        f"{vendor:<10} {name:<7} {row['requests_per_s']:>8.1f} req/s  p50 {latency['p50']:>6.2f}  "
        f"p95 {latency['p95']:>6.2f}  p99 {latency['p99']:>7.2f} ms  "
        f"cpu {row['server_cpu_ms_per_request']} ms/req  errors {row['errors']}"
    )
