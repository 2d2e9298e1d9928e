"""The benchmark harness: a database, a server started like `make run`, and the results file.

A benchmark opens `database(...)`, then `running_server(...)` on it, drives load at the server with
`bench.load.measure` from a separate process, and returns a dict that `write_result` stores in
`bench/results/<name>.json` next to the machine it ran on.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"

LOOPBACK = "127.0.0.1"
SQLITE = "sqlite"
POSTGRESQL = "postgresql"
DATABASE_VENDORS = (SQLITE, POSTGRESQL)

BENCH_DATABASE_NAME = "cityhall_bench"
# Trust authentication on the local server; the first role that connects wins.
POSTGRES_ADMIN_URLS = (
    f"postgres://postgres@{LOOPBACK}:5432/postgres",
    f"postgres://root@{LOOPBACK}:5432/postgres",
)

# Settings in the caller's shell that would change what is measured (or break plain HTTP on
# 127.0.0.1); a benchmark that wants one sets it in ServerConfig.extra_env, so the results show it.
CALLER_SETTINGS_DROPPED = frozenset(
    {"REDIS_URL", "DEBUG", "HTTPS", "ALLOWED_HOSTS", "DB_CONN_MAX_AGE", "WEB_WORKERS", "WEB_THREADS"}
)

SERVER_START_TIMEOUT_S = 180.0
SERVER_STOP_TIMEOUT_S = 40.0
LOG_TAIL_LINES = 40


class BenchmarkError(RuntimeError):
    """The benchmark could not run: a server did not start, a tool failed, an answer was wrong."""


class DatabaseUnavailableError(BenchmarkError):
    """The database server a benchmark asked for is not there (the benchmark skips it)."""


# --- Databases ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchDatabase:
    vendor: str
    url: str


@contextlib.contextmanager
def database(vendor: str, workdir: Path) -> Iterator[BenchDatabase]:
    """A fresh, empty database of that vendor, gone again when the block ends."""
    if vendor == SQLITE:
        yield BenchDatabase(SQLITE, f"sqlite:///{workdir / 'cityhall.sqlite3'}")
    elif vendor == POSTGRESQL:
        with postgres_database(BENCH_DATABASE_NAME) as url:
            yield BenchDatabase(POSTGRESQL, url)
    else:
        raise BenchmarkError(f"Unknown database {vendor!r}; use one of {', '.join(DATABASE_VENDORS)}.")


@contextlib.contextmanager
def postgres_database(name: str) -> Iterator[str]:
    """Create database `name` (dropping any leftover first), yield its URL, drop it afterwards."""
    admin_url = postgres_admin_url()
    _postgres_recreate(admin_url, name)
    try:
        yield _with_path(admin_url, name)
    finally:
        _postgres_drop(admin_url, name)


def postgres_admin_url() -> str:
    """The first of BENCH_POSTGRES_ADMIN_URL or POSTGRES_ADMIN_URLS that accepts a connection."""
    candidates = [os.environ["BENCH_POSTGRES_ADMIN_URL"]] if "BENCH_POSTGRES_ADMIN_URL" in os.environ else []
    candidates = candidates or list(POSTGRES_ADMIN_URLS)
    failures = []
    for url in candidates:
        try:
            with psycopg.connect(url, connect_timeout=5):
                return url
        except psycopg.Error as error:
            failures.append(f"{url}: {str(error).strip()}")
    raise DatabaseUnavailableError("PostgreSQL is not reachable. Tried " + "; ".join(failures))


def _postgres_recreate(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _postgres_drop(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _with_path(url: str, database_name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database_name}", parts.query, parts.fragment))


def postgres_server_version(url: str) -> str:
    with psycopg.connect(url) as connection:
        row = connection.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "unknown"


# --- The server -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ServerConfig:
    """What `cityhall up` is started with; the defaults are those of `make run` (minus the demo)."""

    database_url: str
    workers: int = field(default_factory=lambda: int(os.environ.get("BENCH_WEB_WORKERS", "2")))
    threads: int = field(default_factory=lambda: int(os.environ.get("BENCH_WEB_THREADS", "4")))
    tasks_backend: str = "database"
    log_level: str = "WARNING"
    extra_env: dict[str, str] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        return {
            "command": "cityhall up --no-demo",
            "workers": self.workers,
            "threads": self.threads,
            "worker_class": "gthread",
            "tasks_backend": self.tasks_backend,
            "log_level": self.log_level,
            "extra_env": dict(self.extra_env),
        }


@dataclass(frozen=True)
class Server:
    base_url: str
    log_path: Path
    process_group: int

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def cpu_seconds(self) -> float | None:
        """CPU time used so far by `up`, gunicorn, its workers and the task worker (Linux only)."""
        return process_group_cpu_seconds(self.process_group)


@contextlib.contextmanager
def running_server(config: ServerConfig, workdir: Path) -> Iterator[Server]:
    """`cityhall up` in its own process group and var dir; the whole group is stopped afterwards."""
    port = free_port()
    env = server_environment(config, var_dir=workdir / "var")
    log_path = workdir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*cityhall_command(), "up", "--no-demo", *server_arguments(config, port)],
            cwd=REPO_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(f"http://{LOOPBACK}:{port}", log_path, process.pid)
    try:
        wait_until_ready(process, server)
        yield server
    finally:
        stop_process_group(process)


def cityhall_command() -> list[str]:
    """The `cityhall` script next to this interpreter, as `make run` uses it."""
    script = Path(sys.executable).with_name("cityhall")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cityhall.cli"]


def server_arguments(config: ServerConfig, port: int) -> list[str]:
    return [
        "--host", LOOPBACK, "--port", str(port),
        "--workers", str(config.workers), "--threads", str(config.threads),
    ]  # fmt: skip


def server_environment(config: ServerConfig, var_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in CALLER_SETTINGS_DROPPED}
    env.update(
        {
            "CITYHALL_VAR_DIR": str(var_dir),
            "DATABASE_URL": config.database_url,
            "TASKS_BACKEND": config.tasks_backend,
            "LOG_LEVEL": config.log_level,
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(config.extra_env)
    return env


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def wait_until_ready(process: subprocess.Popen[bytes], server: Server) -> None:
    """Poll GET /ping until it answers 200; fail early if the server exits."""
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchmarkError(
                f"The server exited with status {process.returncode} before answering /ping.\n"
                + log_tail(server.log_path)
            )
        if _answers(server.url("/ping")):
            return
        time.sleep(0.25)
    raise BenchmarkError(
        f"The server did not answer /ping within {SERVER_START_TIMEOUT_S:.0f} s.\n"
        + log_tail(server.log_path)
    )


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the group (`up`, gunicorn and the worker), then SIGKILL whatever is left."""
    _signal_group(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=SERVER_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        _signal_group(process.pid, signal.SIGKILL)
        process.wait()
    # gunicorn workers may outlive a master that was stopped the hard way.
    _signal_group(process.pid, signal.SIGKILL)


def _signal_group(group_id: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group_id, signum)


def process_group_cpu_seconds(group_id: int) -> float | None:
    """User + system CPU of the group's live processes and of the children they have reaped.

    Reaped children count through their parent's cutime/cstime, so gunicorn workers recycled by
    --max-requests during a run are not lost. None where /proc is not available.
    """
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    ticks = 0
    for stat_file in proc.glob("[0-9]*/stat"):
        fields = _stat_fields(stat_file)
        if fields and int(fields[2]) == group_id:
            ticks += sum(int(value) for value in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def _stat_fields(stat_file: Path) -> list[str]:
    """/proc/<pid>/stat after the command name: state, ppid, pgrp, ... (empty if it is gone)."""
    try:
        return stat_file.read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def log_tail(log_path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = log_path.read_text(errors="replace")
    except OSError:
        return "(no server log)"
    return "--- server log (tail) ---\n" + "\n".join(text.splitlines()[-lines:])


def get_json(url: str) -> dict[str, Any]:
    """One GET, checked: a benchmark of an endpoint that fails would measure nothing useful."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            body = json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise BenchmarkError(f"GET {url} answered {error.code}: {error.read()[:500]!r}") from error
    if not isinstance(body, dict):
        raise BenchmarkError(f"GET {url} did not answer a JSON object: {body!r}")
    return body


def measure_each(
    name: str, databases: Iterable[str], measure: Callable[[str], dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Run `measure(vendor)` on each database; one that cannot be reached is recorded as skipped, with why."""
    results: dict[str, dict[str, Any]] = {}
    for vendor in databases:
        try:
            results[vendor] = measure(vendor)
        except DatabaseUnavailableError as error:
            print(f"bench: {name}: skipping {vendor}: {error}")
            results[vendor] = {"vendor": vendor, "skipped": str(error)}
    return results


@contextlib.contextmanager
def workspace(prefix: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix=f"cityhall-bench-{prefix}-") as path:
        yield Path(path)


# --- Results --------------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    return {
        "nproc": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gb": _memory_gb(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_gb() -> float | None:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    return None


def git_revision() -> dict[str, Any]:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=REPO_DIR, capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()

    try:
        return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain"))}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def write_result(name: str, body: dict[str, Any], load_average_before: tuple[float, float, float]) -> Path:
    """bench/results/<name>.json: what ran, where, when, and the benchmark's own figures.

    The load average from before the run tells whether something else was busy on the machine.
    """
    RESULTS_DIR.mkdir(exist_ok=True)
    document = {
        "benchmark": name,
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            **machine_info(),
            "load_average_before": [round(value, 2) for value in load_average_before],
        },
        "git": git_revision(),
        **body,
    }
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path
