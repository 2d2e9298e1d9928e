"""open311: POST and search throughput of the Open311 GeoReport v2 endpoints on PostgreSQL.

Budgets (issue 4, ARCHITECTURE.md):
- `POST /open311/v2/requests.json`: >= 300 requests/s sustained, p99 <= 100 ms; reported with its ratio to
  the bare Django view `GET /ping` measured on the same server in the same rounds.
- `GET /open311/v2/requests.json` with filters over 1,000,000 stored requests: p95 <= 30 ms.

The server is `cityhall up --no-demo` as `make run` starts it (gunicorn 2x4, the task worker), on a
fresh PostgreSQL database of its own. Service types and an API key are made through the ORM; the
million requests are written with COPY (they are not what is measured). POSTs carry no email, so no
acknowledgement email is queued; the per-key POST limit is turned off for the run
(OPEN311_POSTS_PER_MINUTE=0), since one key drives all the load.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psycopg

from bench.harness import (
    POSTGRESQL,
    REPO_DIR,
    BenchmarkError,
    DatabaseUnavailableError,
    Server,
    ServerConfig,
    get_json,
    postgres_database,
    postgres_server_version,
    running_server,
    server_environment,
    workspace,
)
from bench.load import (
    REQUEST_TIMEOUT_S,
    RUN_GRACE_S,
    WRK,
    WRK_SCRIPT,
    LoadResult,
    LoadSettings,
    Measurement,
    measure,
    parse_report,
)

NAME = "open311"
DESCRIPTION = (
    "Open311 POST requests.json (req/s, p99, ratio to bare /ping) and GET requests.json with filters "
    "over 1,000,000 stored requests (p95), PostgreSQL"
)
DATABASE_NAME = "cityhall_bench_open311"
BUDGET_POST_REQUESTS_PER_S = 300
BUDGET_POST_P99_MS = 100.0
BUDGET_GET_P95_MS = 30.0
STORED_REQUESTS = int(os.environ.get("BENCH_OPEN311_ROWS", "1000000"))
# The GET budget is a latency: each shape is measured by one client (what one query takes) and, for
# information, by 4 at once (the 2-core test server is then saturated and latency is mostly queueing).
GET_CONNECTIONS = (1, int(os.environ.get("BENCH_OPEN311_GET_CONNECTIONS", "4")))
SERVER = ServerConfig(database_url="", extra_env={"OPEN311_POSTS_PER_MINUTE": "0"})
CITY_CENTRE = (47.9990, 11.0010)
SERVICE_CODES = [f"S{n:02d}" for n in range(1, 13)]
OPEN = ("submitted", "acknowledged", "in_progress", "scheduled")
CLOSED = ("resolved", "closed", "duplicate", "not_responsible")

SEED = """
import json, os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from cityhall.accounts.models import Department, User
from cityhall.accounts.services import api_token_create
from cityhall.core.demo import demo_load
from cityhall.servicerequests.contracts import Datatype
from cityhall.servicerequests.services import AttributeDraft, service_type_create
demo_load(lambda line: None)
department = Department.objects.create(slug="roads", name="Roads and Streets")
codes = json.loads(os.environ["BENCH_CODES"])
for number, code in enumerate(codes):
    questions = []
    if number == 0:
        questions = [AttributeDraft("SIZE", Datatype.SINGLEVALUELIST, "How big?", required=True,
                                    values=(("S", "Small"), ("L", "Large")))]
    service_type_create(actor=None, code=code, name=f"Service {code}", department_id=department.pk,
                        sla_hours=48, service_notice="Inspected within 2 working days.", attributes=questions)
user = User.objects.create_user("bench-client@example.org", None)
_token, secret = api_token_create(actor=None, user=user, name="bench")
print("SEED_JSON " + json.dumps({"api_key": secret, "department_id": str(department.pk)}))
"""


def run(load: LoadSettings, databases: Sequence[str]) -> dict[str, Any]:
    measured: dict[str, Any] = {}
    for vendor in databases:
        if vendor != POSTGRESQL:
            measured[vendor] = {"vendor": vendor, "skipped": "the Open311 budgets are set for PostgreSQL"}
            continue
        try:
            measured[vendor] = measure_postgresql(load)
        except DatabaseUnavailableError as error:
            print(f"bench: {NAME}: skipping {vendor}: {error}")
            measured[vendor] = {"vendor": vendor, "skipped": str(error)}
    return {
        "description": DESCRIPTION,
        "tool": load.tool,
        "load": load.describe(),
        "get_connections": list(GET_CONNECTIONS),
        "server": SERVER.describe(),
        "budget": {
            "post_requests_per_s_min": BUDGET_POST_REQUESTS_PER_S,
            "post_p99_ms_max": BUDGET_POST_P99_MS,
            "get_p95_ms_max": BUDGET_GET_P95_MS,
        },
        "stored_requests": STORED_REQUESTS,
        "databases": measured,
        "within_budget": all(result.get("within_budget", True) for result in measured.values()),
    }


def measure_postgresql(load: LoadSettings) -> dict[str, Any]:
    if load.tool != WRK:
        raise BenchmarkError("The Open311 POST benchmark needs wrk (it sends form-encoded POST bodies).")
    with workspace(NAME) as workdir, postgres_database(DATABASE_NAME) as url:
        config = replace(SERVER, database_url=url)
        with running_server(config, workdir) as server:
            print(f"bench: {NAME}: server at {server.base_url}", flush=True)
            seed = seed_service_types(config, workdir)
            check_post(server, seed["api_key"])
            post_results = measure_post(server, load, seed["api_key"], workdir)
            print(f"bench: {NAME}: writing {STORED_REQUESTS:,} requests with COPY", flush=True)
            started = time.monotonic()
            copy_requests(url, seed["department_id"], STORED_REQUESTS)
            copy_seconds = time.monotonic() - started
            get_results = measure_get(server, load)
        version = postgres_server_version_safe(url)
    post = post_results["post"]
    bare = post_results["bare"]
    post_p99 = post.median_run.latency_ms["p99"]
    one_client = {name: by_connections[1] for name, by_connections in get_results.items()}
    get_rows = {
        name: {
            "requests_per_answer": rows,
            "by_connections": {
                str(connections): by_connections[connections][0].as_dict() for connections in GET_CONNECTIONS
            },
            "p95_ms_one_client": result.median_run.latency_ms["p95"],
            "within_budget": result.median_run.latency_ms["p95"] <= BUDGET_GET_P95_MS,
        }
        for name, by_connections in get_results.items()
        for result, rows in [by_connections[1]]
    }
    worst_get_p95 = max(result.median_run.latency_ms["p95"] for result, _rows in one_client.values())
    post_ok = post.requests_per_s >= BUDGET_POST_REQUESTS_PER_S and post_p99 <= BUDGET_POST_P99_MS
    get_ok = worst_get_p95 <= BUDGET_GET_P95_MS
    return {
        "vendor": POSTGRESQL,
        "server_version": version,
        "post": {
            "endpoint": "POST /open311/v2/requests.json",
            **post.as_dict(),
            "bare": bare.as_dict(),
            "ratio_post_to_bare": round(post.requests_per_s / bare.requests_per_s, 3)
            if bare.requests_per_s
            else None,
            "within_budget": post_ok,
        },
        "get": {
            "endpoint": "GET /open311/v2/requests.json",
            "stored_requests": STORED_REQUESTS,
            "copy_seconds": round(copy_seconds, 1),
            "connections": list(GET_CONNECTIONS),
            "budget_judged_on": "p95 with one client",
            "queries": get_rows,
            "worst_p95_ms": worst_get_p95,
            "within_budget": get_ok,
        },
        "within_budget": post_ok and get_ok,
        "errors": post.error_count
        + bare.error_count
        + sum(result.error_count for runs in get_results.values() for result, _rows in runs.values()),
    }


def postgres_server_version_safe(url: str) -> str | None:
    try:
        return postgres_server_version(url)
    except psycopg.Error:
        return None


# --- Seeding --------------------------------------------------------------------------------


def seed_service_types(config: ServerConfig, workdir: Path) -> dict[str, str]:
    env = server_environment(config, var_dir=workdir / "var")
    env["BENCH_CODES"] = json.dumps(SERVICE_CODES)
    done = subprocess.run(
        [sys.executable, "-c", SEED],
        cwd=REPO_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("SEED_JSON ")]
    if done.returncode != 0 or not lines:
        raise BenchmarkError(f"Seeding the service types failed:\n{done.stderr[-3000:]}")
    seed: dict[str, str] = json.loads(lines[-1].removeprefix("SEED_JSON "))
    return seed


def copy_requests(url: str, department_id: str, count: int) -> None:
    """`count` requests over the last 365 days, 12 types, every status, written with COPY."""
    rng = random.Random(311)
    now = dt.datetime.now(dt.UTC)
    with psycopg.connect(url) as connection:
        types = dict(connection.execute("SELECT code, id FROM servicerequests_servicetype").fetchall())
        type_ids = [types[code] for code in SERVICE_CODES]
        columns = (
            "id, created_at, updated_at, reference, service_type_id, department_id, status, "
            "status_notes, description, latitude, longitude, address, address_id, zipcode, attributes, "
            "media_url, channel, email, first_name, last_name, phone, device_id, account_id, "
            "requested_at, expected_at, closed_at, idempotency_fingerprint, questionnaire_answer, "
            "reopened_count"
        )
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY servicerequests_servicerequest ({columns}) FROM STDIN") as copy,
        ):
            for number in range(count):
                requested = now - dt.timedelta(seconds=rng.uniform(60, 365 * 86400))
                status = rng.choice(OPEN) if rng.random() < 0.35 else rng.choice(CLOSED)
                closed = requested + dt.timedelta(days=rng.uniform(0.1, 10)) if status in CLOSED else None
                reference = f"{number:010d}"
                copy.write_row(
                    (
                        uuid.uuid4(), requested, closed or requested, f"{reference[:5]}-{reference[5:]}",
                        type_ids[number % len(type_ids)], department_id, status, "",
                        "Deep hole near the bus stop", CITY_CENTRE[0] + rng.uniform(-0.03, 0.03),
                        CITY_CENTRE[1] + rng.uniform(-0.06, 0.06), "", "", "", "{}", "", "api",
                        "", "", "", "", "", "", requested, requested + dt.timedelta(hours=48), closed,
                        "", "", 0,
                    )
                )  # fmt: skip
        connection.execute("ANALYZE servicerequests_servicerequest")
        connection.commit()


# --- Load -----------------------------------------------------------------------------------


def post_bodies(api_key: str, count: int = 50) -> list[str]:
    rng = random.Random(7)
    bodies = []
    for number in range(count):
        form = {
            "api_key": api_key,
            "service_code": SERVICE_CODES[number % len(SERVICE_CODES)],
            "lat": f"{CITY_CENTRE[0] + rng.uniform(-0.02, 0.02):.6f}",
            "long": f"{CITY_CENTRE[1] + rng.uniform(-0.05, 0.05):.6f}",
            "description": "Deep hole near the bus stop, getting worse",
            "address_string": "Mill Street 12, Old Town",
        }
        if form["service_code"] == SERVICE_CODES[0]:
            form["attribute[SIZE]"] = "L"
        bodies.append(urlencode(form))
    return bodies


def _lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def post_script(api_key: str, workdir: Path) -> Path:
    bodies = ",\n  ".join(_lua_string(body) for body in post_bodies(api_key))
    script = workdir / "wrk_open311_post.lua"
    script.write_text(
        "-- POST form-encoded Open311 reports, a different body each time; then the standard report.\n"
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"\n'
        f"local bodies = {{\n  {bodies}\n}}\n"
        "local counter = 0\n"
        "request = function()\n"
        "  counter = counter + 1\n"
        "  return wrk.format(nil, nil, nil, bodies[(counter % #bodies) + 1])\n"
        "end\n" + WRK_SCRIPT.read_text()
    )
    return script


def run_wrk(url: str, load: LoadSettings, duration_s: int, script: Path) -> LoadResult:
    command = [
        WRK,
        f"--threads={load.threads}",
        f"--connections={load.connections}",
        f"--duration={duration_s}s",
        f"--timeout={REQUEST_TIMEOUT_S}s",
        f"--script={script}",
        url,
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, check=False, timeout=duration_s + RUN_GRACE_S
    )
    if done.returncode != 0:
        raise BenchmarkError(
            f"{' '.join(command)} failed with status {done.returncode}:\n{done.stderr[-2000:]}"
        )
    return parse_report(url, WRK, done.stdout)


def measure_script(url: str, load: LoadSettings, script: Path, server: Server) -> LoadResult:
    if load.warmup_s > 0:
        run_wrk(url, load, load.warmup_s, script)
    before = server.cpu_seconds()
    result = run_wrk(url, load, load.duration_s, script)
    after = server.cpu_seconds()
    if before is None or after is None:
        return result
    return replace(result, server_cpu_s=after - before)


def check_post(server: Server, api_key: str) -> None:
    import urllib.request

    body = post_bodies(api_key, 1)[0].encode()
    request = urllib.request.Request(
        server.url("/open311/v2/requests.json"),
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = json.loads(response.read())
    if not answer or "service_request_id" not in answer[0]:
        raise BenchmarkError(f"POST requests.json answered {answer!r}")


def measure_post(server: Server, load: LoadSettings, api_key: str, workdir: Path) -> dict[str, Measurement]:
    """The bare view and the POST, round after round, so a busy moment hurts both alike."""
    script = post_script(api_key, workdir)
    get_json(server.url("/ping"))
    runs: dict[str, list[LoadResult]] = {"bare": [], "post": []}
    for round_number in range(1, load.rounds + 1):
        print(f"bench:   round {round_number}/{load.rounds}: GET /ping", flush=True)
        runs["bare"].append(measure(server.url("/ping"), load, server.cpu_seconds))
        print(f"bench:   round {round_number}/{load.rounds}: POST /open311/v2/requests.json", flush=True)
        runs["post"].append(measure_script(server.url("/open311/v2/requests.json"), load, script, server))
    return {name: Measurement(tuple(results)) for name, results in runs.items()}


def get_queries() -> dict[str, str]:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)

    def w3c(moment: dt.datetime) -> str:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    return {
        "one_type_open_page_of_100": urlencode({"service_code": "S03", "status": "open", "page_size": 100}),
        "two_types_last_7_days_page_of_100": urlencode(
            {
                "service_code": "S05,S07",
                "start_date": w3c(now - dt.timedelta(days=7)),
                "end_date": w3c(now),
                "page_size": 100,
            }
        ),
        "closed_one_day_in_march": urlencode(
            {
                "status": "closed",
                "start_date": w3c(now - dt.timedelta(days=200)),
                "end_date": w3c(now - dt.timedelta(days=199)),
            }
        ),
        "one_type_one_week_page_3": urlencode(
            {
                "service_code": "S11",
                "start_date": w3c(now - dt.timedelta(days=60)),
                "end_date": w3c(now - dt.timedelta(days=53)),
                "page": 3,
                "page_size": 50,
            }
        ),
        "ten_ids": urlencode(
            {"service_request_id": ",".join(f"{n:05d}-{n * 37 % 99999:05d}" for n in range(1, 11))}
        ),
        "one_type_open_default_page": urlencode({"service_code": "S01", "status": "open"}),
        "no_filter_default_page": "",
        "one_type_open_page_of_1000": urlencode({"service_code": "S01", "status": "open", "page_size": 1000}),
    }


def measure_get(server: Server, load: LoadSettings) -> dict[str, dict[int, tuple[Measurement, int]]]:
    """Each query shape on its own, by one client, then by several at once."""
    import urllib.request

    results: dict[str, dict[int, tuple[Measurement, int]]] = {}
    for name, query in get_queries().items():
        url = server.url("/open311/v2/requests.json" + (f"?{query}" if query else ""))
        with urllib.request.urlopen(url, timeout=30) as response:
            rows = len(json.loads(response.read()))
        results[name] = {}
        for connections in GET_CONNECTIONS:
            print(
                f"bench:   GET {name} ({rows} requests per answer), {connections} connection(s)", flush=True
            )
            settings = replace(load, connections=connections, rounds=1)
            results[name][connections] = (Measurement((measure(url, settings, server.cpu_seconds),)), rows)
    return results


# --- Report ---------------------------------------------------------------------------------


def summary_lines(result: dict[str, Any]) -> list[str]:
    lines = []
    for vendor, figures in result["databases"].items():
        if "skipped" in figures:
            lines.append(f"{vendor:<10} skipped: {figures['skipped']}")
            continue
        post, get = figures["post"], figures["get"]
        verdict = "within budget" if post["within_budget"] else "OVER BUDGET"
        lines.append(
            f"{vendor:<10} POST requests.json {post['requests_per_s']:>7.1f} req/s  "
            f"p50 {post['latency_ms']['p50']:.1f}  p99 {post['latency_ms']['p99']:.1f} ms  "
            f"(bare /ping {post['bare']['requests_per_s']:.1f} req/s, ratio {post['ratio_post_to_bare']})  "
            f"errors {post['errors']}  {verdict}"
        )
        for name, row in get["queries"].items():
            figures_by = "  ".join(
                f"{connections} conn: {figures['requests_per_s']:.0f} req/s "
                f"p50 {figures['latency_ms']['p50']:.1f} p95 {figures['latency_ms']['p95']:.1f} ms"
                for connections, figures in row["by_connections"].items()
            )
            flag = "" if row["within_budget"] else "  OVER BUDGET"
            lines.append(
                f"{vendor:<10} GET {name:<34} ({row['requests_per_answer']:>4}/answer)  {figures_by}{flag}"
            )
        verdict = "within budget" if get["within_budget"] else "OVER BUDGET"
        lines.append(
            f"{vendor:<10} GET over {get['stored_requests']:,} requests, one client: "
            f"worst p95 {get['worst_p95_ms']:.1f} ms: {verdict}"
        )
    return lines
