"""A pure-Python load generator, used only when `wrk` is not available.

`python -m bench.loadgen --url URL --duration S --connections N` runs N processes, each with one
keep-alive connection in a closed loop (send, wait for the answer, send again), and prints one
`BENCH_JSON {...}` line in the same shape as bench/wrk_report.lua. It needs far more CPU per request
than wrk, so on a small machine it takes CPU from the server: compare figures of one tool only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

ERROR_KINDS = ("connect", "read", "write", "status", "timeout")


@dataclass
class ConnectionTally:
    requests: int = 0
    bytes: int = 0
    latencies_us: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ERROR_KINDS, 0))


def drive_connection(url: str, deadline: float, timeout_s: float) -> ConnectionTally:
    """One keep-alive connection sending GET url until `deadline` (time.monotonic())."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    tally = ConnectionTally()
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout_s)
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            connection.request("GET", target)
            response = connection.getresponse()
            body = response.read()
        except TimeoutError:
            tally.errors["timeout"] += 1
            connection.close()
            continue
        except ConnectionRefusedError:
            tally.errors["connect"] += 1
            connection.close()
            time.sleep(0.01)
            continue
        except (OSError, http.client.HTTPException):
            tally.errors["read"] += 1
            connection.close()
            continue
        tally.latencies_us.append((time.perf_counter() - started) * 1_000_000)
        tally.requests += 1
        tally.bytes += len(body)
        if response.status >= 400:
            tally.errors["status"] += 1
    connection.close()
    return tally


def percentile(sorted_values: list[float], percent: float) -> float:
    """Nearest-rank percentile of an already sorted list (0.0 when it is empty)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(percent / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def report(tallies: list[ConnectionTally], duration_us: float) -> dict[str, object]:
    latencies = sorted(value for tally in tallies for value in tally.latencies_us)
    return {
        "requests": sum(tally.requests for tally in tallies),
        "duration_us": round(duration_us),
        "bytes": sum(tally.bytes for tally in tallies),
        "errors": {kind: sum(tally.errors[kind] for tally in tallies) for kind in ERROR_KINDS},
        "latency_us": {
            "p50": percentile(latencies, 50),
            "p90": percentile(latencies, 90),
            "p95": percentile(latencies, 95),
            "p99": percentile(latencies, 99),
            "max": latencies[-1] if latencies else 0.0,
            "mean": sum(latencies) / len(latencies) if latencies else 0.0,
        },
    }


def generate_load(url: str, duration_s: float, connections: int, timeout_s: float) -> dict[str, object]:
    started = time.monotonic()
    deadline = started + duration_s
    with ProcessPoolExecutor(max_workers=connections) as pool:
        futures = [pool.submit(drive_connection, url, deadline, timeout_s) for _ in range(connections)]
        tallies = [future.result() for future in futures]
    return report(tallies, (time.monotonic() - started) * 1_000_000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--duration", type=float, required=True, help="seconds")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per request")
    args = parser.parse_args()
    summary = generate_load(args.url, args.duration, args.connections, args.timeout)
    print("BENCH_JSON " + json.dumps(summary))


if __name__ == "__main__":
    main()
