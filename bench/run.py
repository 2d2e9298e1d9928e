"""Run benchmarks: `python -m bench.run [name ...]` (all without names; `--list` shows them).

Every benchmark is a module `bench/bench_<name>.py` with NAME, DESCRIPTION,
`run(load, databases) -> dict` and `summary_lines(result) -> list[str]`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
from types import FrameType, ModuleType

from bench.harness import BENCH_DIR, DATABASE_VENDORS, BenchmarkError, write_result
from bench.load import AUTO, TOOLS, LoadSettings, choose_tool


def discover() -> dict[str, ModuleType]:
    modules = (importlib.import_module(f"bench.{path.stem}") for path in sorted(BENCH_DIR.glob("bench_*.py")))
    return {module.NAME: module for module in modules}


def parse_args(argv: list[str] | None, known: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="name", help=f"benchmarks to run: {', '.join(known)}")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument(
        "--tool", choices=TOOLS, default=AUTO, help="load generator (default: wrk if present)"
    )
    parser.add_argument("--duration", type=int, default=10, help="measured seconds per run (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="warm-up seconds before each run (default 2)")
    parser.add_argument(
        "--rounds", type=int, default=3, help="interleaved runs per URL; the median counts (3)"
    )
    parser.add_argument("--connections", type=int, default=16, help="open connections (default 16)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument(
        "--databases",
        default=",".join(DATABASE_VENDORS),
        help=f"comma-separated, from {', '.join(DATABASE_VENDORS)} (default: both)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a result misses its budget")
    return parser.parse_args(argv)


def selected_databases(text: str) -> tuple[str, ...]:
    vendors = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [vendor for vendor in vendors if vendor not in DATABASE_VENDORS]
    if unknown or not vendors:
        raise SystemExit(f"--databases takes {', '.join(DATABASE_VENDORS)}; got {text!r}.")
    return vendors


def run_one(module: ModuleType, load: LoadSettings, databases: tuple[str, ...]) -> bool:
    """Run, store and print one benchmark; True when it is within its budget."""
    print(f"bench: {module.NAME}: {module.DESCRIPTION}", flush=True)
    load_average_before = os.getloadavg()
    result = module.run(load, databases)
    path = write_result(module.NAME, result, load_average_before)
    for line in module.summary_lines(result):
        print(f"  {line}")
    print(f"bench: {module.NAME}: written to {path}", flush=True)
    return bool(result.get("within_budget", True))


def stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    # SystemExit unwinds the context managers, so servers and databases are cleaned up.
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    benchmarks = discover()
    args = parse_args(argv, sorted(benchmarks))
    if args.list:
        for name, module in sorted(benchmarks.items()):
            print(f"{name:<20} {module.DESCRIPTION}")
        return 0
    unknown = [name for name in args.names if name not in benchmarks]
    if unknown:
        print(f"Unknown benchmark(s): {', '.join(unknown)}. Known: {', '.join(sorted(benchmarks))}.")
        return 2
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    databases = selected_databases(args.databases)
    load = LoadSettings(
        tool=choose_tool(args.tool),
        duration_s=args.duration,
        warmup_s=args.warmup,
        connections=args.connections,
        threads=args.threads,
        rounds=args.rounds,
    )
    try:
        verdicts = [run_one(benchmarks[name], load, databases) for name in args.names or sorted(benchmarks)]
    except BenchmarkError as error:
        print(f"bench: failed: {error}", file=sys.stderr)
        return 2
    return 1 if args.strict and not all(verdicts) else 0


if __name__ == "__main__":
    sys.exit(main())
