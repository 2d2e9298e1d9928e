"""voting: secret-ballot casting throughput through the real HTTP server, with the one-ballot guarantee
under concurrent retries; and the Method of Equal Shares on 200 projects and 50,000 voters.

Budgets (ARCHITECTURE.md): poll ballots >= 500 ballots/s, zero double votes under concurrent retries.

Ballots: `POST /api/v1/voting/polls/{id}/ballots` on `cityhall up --no-demo` (gunicorn 2x4, the task
worker) over a fresh PostgreSQL database of its own. Each request carries the API token of a different
resident (BENCH_VOTING_VOTERS accounts, seeded with bulk inserts, not measured); every 10th request
replays the token of an earlier voter, as a client retrying would, and must be refused (409).
Each ballot comes on a connection of its own (`Connection: close`), as from residents who each vote
once, or through a reverse proxy that opens a connection per request: 16 keep-alive connections
opened in one burst are taken unevenly by gunicorn's workers (measured: all 16 on one worker gave
297 requests/s, 8 and 8 gave 471 on the same server), which measures that accept race, not casting. After the
runs the database is checked: roll rows = box rows = distinct voters, and every 2xx the clients saw
is one stored ballot; then the poll is closed and sealed, the roll and box are checked against the
digests the seal wrote to the audit chain, and the whole chain is verified.

MES: in this process, on a seeded random instance (200 projects, 50,000 approval ballots of 1 to 10
projects with skewed popularity, budget 5,000,000): pure MES, and MES with completion (budget increase
in steps of 1 % of the budget, then greedy), for cost and approval utilities; greedy for reference.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from bench.harness import (
    POSTGRESQL,
    REPO_DIR,
    BenchmarkError,
    DatabaseUnavailableError,
    Server,
    ServerConfig,
    postgres_admin_url,
    running_server,
    server_environment,
    workspace,
)
from bench.load import REQUEST_TIMEOUT_S, RUN_GRACE_S, WRK, WRK_SCRIPT, LoadResult, LoadSettings, parse_report

NAME = "voting"
DESCRIPTION = (
    "Secret ballots cast per second through POST /api/v1/voting/polls/{id}/ballots (PostgreSQL), with "
    "replayed voters refused and the one-ballot check; Method of Equal Shares on 200 projects x 50,000 voters"
)
DATABASE_NAME = os.environ.get("BENCH_VOTING_DATABASE", "cityhall_bench_voting")
DROP_TIMEOUT = "30s"
BUDGET_BALLOTS_PER_S = 500
VOTERS = int(os.environ.get("BENCH_VOTING_VOTERS", "40000"))
REPLAY_EVERY = 10
SERVICE_VOTERS = int(os.environ.get("BENCH_VOTING_SERVICE_VOTERS", "6000"))
MES_PROJECTS = int(os.environ.get("BENCH_MES_PROJECTS", "200"))
MES_VOTERS = int(os.environ.get("BENCH_MES_VOTERS", "50000"))
SERVER = ServerConfig(database_url="")

SEED = """
import json, os, hashlib, secrets, datetime as dt, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from django.utils import timezone
from allauth.account.models import EmailAddress
from cityhall.accounts.models import ApiToken, User
from cityhall.voting import services
from cityhall.voting.contracts import QuestionKind
count = int(os.environ["BENCH_VOTERS"])
now = timezone.now()
poll = services.poll_create(
    actor=None, title="Bench poll",
    opens_at=now - dt.timedelta(hours=1), closes_at=now + dt.timedelta(days=1),
    questions=[
        services.QuestionInput(text="Yes or no?", options=[("yes", "Yes"), ("no", "No")]),
        services.QuestionInput(text="Pick up to two", options=[("a", "A"), ("b", "B"), ("c", "C")],
                               kind=QuestionKind.MULTIPLE, min_choices=1, max_choices=2),
    ],
)
services.process_publish(actor=None, process=poll)
users = User.objects.bulk_create(
    [User(email=f"voter{n}@bench.example", password="!") for n in range(count)], batch_size=5000)
EmailAddress.objects.bulk_create(
    [EmailAddress(user=u, email=u.email, primary=True, verified=True) for u in users], batch_size=5000)
secrets_list = ["chk_" + secrets.token_urlsafe(30) for _ in users]
ApiToken.objects.bulk_create(
    [ApiToken(user=u, name="bench", prefix=s[:10], secret_hash=hashlib.sha256(s.encode()).hexdigest(),
              expires_at=now + dt.timedelta(days=30)) for u, s in zip(users, secrets_list)], batch_size=5000)
questions = [str(q.pk) for q in poll.questions.order_by("position")]
print("SEED_JSON " + json.dumps({"poll": str(poll.pk), "questions": questions, "tokens": secrets_list}))
"""


def run(load: LoadSettings, databases: Sequence[str]) -> dict[str, Any]:
    mes = measure_mes()
    measured: dict[str, Any] = {}
    for vendor in databases:
        if vendor != POSTGRESQL:
            measured[vendor] = {"vendor": vendor, "skipped": "the ballot budget is set for PostgreSQL"}
            continue
        try:
            measured[vendor] = measure_ballots(load)
        except DatabaseUnavailableError as error:
            print(f"bench: {NAME}: skipping {vendor}: {error}")
            measured[vendor] = {"vendor": vendor, "skipped": str(error)}
    return {
        "description": DESCRIPTION,
        "tool": load.tool,
        "load": load.describe(),
        "server": SERVER.describe(),
        "budget": {"ballots_per_s_min": BUDGET_BALLOTS_PER_S, "double_votes": 0},
        "databases": measured,
        "mes": mes,
        "within_budget": all(result.get("within_budget", True) for result in measured.values()),
    }


@contextlib.contextmanager
def bench_database(name: str) -> Iterator[str]:
    """Like harness.postgres_database, but the final drop gives up after DROP_TIMEOUT: DROP DATABASE
    waits for every session of the server to acknowledge it, and one stuck session elsewhere must not
    keep this benchmark from reporting. A leftover is dropped at the next run."""
    admin_url = postgres_admin_url()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    parts = urlsplit(admin_url)
    try:
        yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))
    finally:
        try:
            with psycopg.connect(admin_url, autocommit=True) as connection:
                connection.execute(sql.SQL("SET statement_timeout = {}").format(sql.Literal(DROP_TIMEOUT)))
                connection.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
        except psycopg.Error as error:
            print(
                f"bench: {NAME}: could not drop {name} ({str(error).strip()}); it is dropped next run",
                flush=True,
            )


def seed(config: ServerConfig, workdir: Path) -> dict[str, Any]:
    env = server_environment(config, var_dir=workdir / "var")
    env["BENCH_VOTERS"] = str(VOTERS)
    done = subprocess.run(
        [sys.executable, "-c", SEED],
        cwd=REPO_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("SEED_JSON ")]
    if done.returncode != 0 or not lines:
        raise BenchmarkError(f"Seeding the voters failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(lines[-1].removeprefix("SEED_JSON "))
    return result


SEAL = """
import json, os, uuid, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from cityhall.core.audit import audit_verify
from cityhall.core.models import AuditEvent
from cityhall.voting import services
from cityhall.voting.models import Poll
poll = Poll.objects.get(pk=uuid.UUID(os.environ["BENCH_POLL"]))
services.process_close_now(actor=None, process=poll)
poll.refresh_from_db()
services.process_seal(process=poll)
event = AuditEvent.objects.get(action="poll.sealed", object_id=str(poll.pk))
chain = audit_verify()
print("SEAL_JSON " + json.dumps({
    "sealed_ballots": event.data["ballots"], "sealed_roll": event.data["roll"],
    "seal_check_problems": services.process_seal_check(process=poll),
    "audit_chain_ok": chain.ok, "audit_events_checked": chain.checked,
}))
"""


def seal_and_check(config: ServerConfig, workdir: Path, poll_id: str) -> dict[str, Any]:
    """Close and seal the poll (one audit event with the roll and box digests), then check the live
    roll and box against that event and verify the whole audit chain."""
    env = server_environment(config, var_dir=workdir / "var")
    env["BENCH_POLL"] = poll_id
    done = subprocess.run(
        [sys.executable, "-c", SEAL],
        cwd=REPO_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("SEAL_JSON ")]
    if done.returncode != 0 or not lines:
        raise BenchmarkError(f"Sealing the poll failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(lines[-1].removeprefix("SEAL_JSON "))
    return result


def _lua(text: str) -> str:
    return json.dumps(text)  # a JSON string literal is a valid Lua string literal for these characters


def ballot_script(seeded: dict[str, Any], workdir: Path, threads: int, suffix: str) -> Path:
    yes_no, pick = seeded["questions"]
    bodies = [
        json.dumps({"answers": {yes_no: [first], pick: second}})
        for first in ("yes", "no")
        for second in (["a"], ["b", "c"], ["a", "c"])
    ]
    tokens = ",\n".join(_lua(token) for token in seeded["tokens"])
    script = workdir / f"wrk_voting_{suffix}.lua"
    script.write_text(
        "-- One ballot per token; every REPLAY-th request replays an earlier voter (must get 409).\n"
        'wrk.method = "POST"\n'
        f"local tokens = {{\n{tokens}\n}}\n"
        f"local bodies = {{ {', '.join(_lua(b) for b in bodies)} }}\n"
        f"local threads = {threads}\n"
        f"local replay_every = {REPLAY_EVERY}\n"
        "local counter = 0\n"
        "local next_voter = 0\n"
        "local thread_index = 0\n"
        "local made = 0\n"
        "function setup(thread)\n"
        '  thread:set("assigned_index", made)\n'
        "  made = made + 1\n"
        "end\n"
        "function init(args)\n"
        "  thread_index = assigned_index or 0\n"
        "end\n"
        "request = function()\n"
        "  counter = counter + 1\n"
        "  local voter\n"
        "  if counter % replay_every == 0 and next_voter > 1 then\n"
        "    voter = math.random(0, next_voter - 1)\n"
        "  else\n"
        "    voter = next_voter\n"
        "    next_voter = next_voter + 1\n"
        "  end\n"
        "  local token = tokens[((voter * threads + thread_index) % #tokens) + 1]\n"
        '  local headers = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json",\n'
        '                   ["Connection"] = "close"}\n'
        "  return wrk.format(nil, nil, headers, bodies[(counter % #bodies) + 1])\n"
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


def measure_ballots(load: LoadSettings) -> dict[str, Any]:
    if load.tool != WRK:
        raise BenchmarkError("The ballot benchmark needs wrk (it sends a different token with each POST).")
    with workspace(NAME) as workdir, bench_database(DATABASE_NAME) as url:
        config = replace(SERVER, database_url=url)
        with running_server(config, workdir) as server:
            print(f"bench: {NAME}: server at {server.base_url}; seeding {VOTERS:,} voters", flush=True)
            started = time.monotonic()
            seeded = seed(config, workdir)
            seed_seconds = time.monotonic() - started
            endpoint = server.url(f"/api/v1/voting/polls/{seeded['poll']}/ballots")
            runs = []
            for round_number in range(1, load.rounds + 1):
                # Each round, and its warm-up, gets its own slice of voters, so only the deliberate
                # replays are repeat voters.
                size = len(seeded["tokens"]) // load.rounds
                tokens = seeded["tokens"][(round_number - 1) * size : round_number * size]
                warm = len(tokens) // 5
                scripts = [
                    ballot_script({**seeded, "tokens": part}, workdir, load.threads, suffix)
                    for part, suffix in ((tokens[:warm], "warm"), (tokens[warm:], "run"))
                ]
                print(f"bench:   round {round_number}/{load.rounds}: POST ballots", flush=True)
                runs.append(measure_round(server, endpoint, load, scripts[0], scripts[1]))
            time.sleep(1)  # requests cut off at the end of a run may still commit
            check = database_check(url, seeded["poll"])
            seal = seal_and_check(config, workdir, seeded["poll"])
        result = ballots_result(runs, check, seed_seconds)
        result["seal"] = seal
        result["within_budget"] = (
            result["within_budget"]
            and not seal["seal_check_problems"]
            and seal["audit_chain_ok"]
            and seal["sealed_roll"] == check["distinct_voters"]
        )
        result["service_layer"] = measure_service_layer(url)
        # Printed before the database is dropped, which can wait on other sessions of the server.
        print(f"bench: {NAME}: ballots: {json.dumps(result)}", flush=True)
    return result


def measure_service_layer(url: str) -> dict[str, Any]:
    """The same guarantee without HTTP: services.poll_ballot_cast from 8 threads, in another process."""
    env = {**os.environ, "DATABASE_URL": url, "TASKS_BACKEND": "immediate", "LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "bench.voting_service_driver", "--voters", str(SERVICE_VOTERS)]
    print(f"bench: {NAME}: service layer, {SERVICE_VOTERS:,} voters", flush=True)
    done = subprocess.run(
        command, cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=1200, check=False
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("SERVICE_JSON ")]
    if done.returncode != 0 or not lines:
        return {"error": done.stderr[-2000:]}
    result: dict[str, Any] = json.loads(lines[-1].removeprefix("SERVICE_JSON "))
    return result


def ballots_result(runs: list[dict[str, Any]], check: dict[str, int], seed_seconds: float) -> dict[str, Any]:
    measured = [run["measured"] for run in runs]
    ordered = sorted(measured, key=lambda r: r.requests_per_s)
    median = ordered[len(ordered) // 2]
    seen_2xx = sum(run["accepted"] for run in runs)
    refused = sum(run["refused"] for run in runs)
    ballots_per_s = median.requests_per_s * (1 - 1 / REPLAY_EVERY)
    double_votes = check["box_rows"] - check["distinct_voters"]
    return {
        "vendor": POSTGRESQL,
        "endpoint": "POST /api/v1/voting/polls/{id}/ballots",
        "layer": (
            f"real HTTP server (cityhall up: gunicorn {SERVER.workers}x{SERVER.threads} gthread), "
            "wrk, one connection per ballot"
        ),
        "seed_seconds": round(seed_seconds, 1),
        "voters_seeded": VOTERS,
        "replay_every": REPLAY_EVERY,
        "requests_per_s_median": round(median.requests_per_s, 1),
        "ballots_per_s_median": round(ballots_per_s, 1),
        "latency_ms_median_run": median.latency_ms,
        "rounds_requests_per_s": [round(r.requests_per_s, 1) for r in measured],
        "server_cpu_ms_per_request": median.server_cpu_ms_per_request,
        "client_saw_2xx": seen_2xx,
        "client_saw_refusals": refused,
        "database": check,
        "double_votes": double_votes,
        "stored_minus_client_2xx": check["box_rows"] - seen_2xx,
        "within_budget": ballots_per_s >= BUDGET_BALLOTS_PER_S
        and double_votes == 0
        and check["box_rows"] == check["roll_rows"],
    }


def measure_round(
    server: Server, endpoint: str, load: LoadSettings, warmup_script: Path, script: Path
) -> dict[str, Any]:
    results = []
    if load.warmup_s > 0:
        results.append(run_wrk(endpoint, load, load.warmup_s, warmup_script))
    before = server.cpu_seconds()
    measured = run_wrk(endpoint, load, load.duration_s, script)
    after = server.cpu_seconds()
    if before is not None and after is not None:
        measured = replace(measured, server_cpu_s=after - before)
    results.append(measured)
    total = sum(r.requests for r in results)
    refused = sum(r.errors.get("status", 0) for r in results)
    return {"measured": measured, "accepted": total - refused, "refused": refused}


def database_check(url: str, poll_id: str) -> dict[str, int]:
    with psycopg.connect(url) as connection:
        roll = connection.execute(
            "SELECT count(*) FROM voting_pollvoter WHERE poll_id = %s", (poll_id,)
        ).fetchone()
        box = connection.execute(
            "SELECT count(*) FROM voting_pollballot WHERE poll_id = %s", (poll_id,)
        ).fetchone()
        distinct = connection.execute(
            "SELECT count(DISTINCT voter_key) FROM voting_pollvoter WHERE poll_id = %s", (poll_id,)
        ).fetchone()
    return {
        "roll_rows": int(roll[0]) if roll else 0,
        "box_rows": int(box[0]) if box else 0,
        "distinct_voters": int(distinct[0]) if distinct else 0,
    }


def measure_mes() -> dict[str, Any]:
    from cityhall.voting.outcomes import PbInstance, PbProject, greedy, method_of_equal_shares

    rng = random.Random(50_000)
    projects = tuple(PbProject(f"P{i:03d}", rng.randint(10, 400) * 1000) for i in range(MES_PROJECTS))
    codes = [p.code for p in projects]
    popularity = [rng.random() ** 2 for _ in codes]
    ballots = tuple(
        frozenset(rng.choices(codes, popularity, k=rng.randint(1, 10))) for _ in range(MES_VOTERS)
    )
    instance = PbInstance(budget=5_000_000, projects=projects, ballots=ballots)
    result: dict[str, Any] = {
        "projects": MES_PROJECTS,
        "voters": MES_VOTERS,
        "approvals": sum(len(b) for b in ballots),
        "budget": instance.budget,
    }
    started = time.perf_counter()
    chosen = greedy(instance)
    result["greedy"] = {"seconds": round(time.perf_counter() - started, 3), "selected": len(chosen.selected)}
    for utility in ("cost", "approval"):
        for complete in (False, True):
            started = time.perf_counter()
            outcome = method_of_equal_shares(instance, utility=utility, complete=complete)
            seconds = time.perf_counter() - started
            key = f"mes_{utility}_{'with_completion' if complete else 'pure'}"
            result[key] = {
                "seconds": round(seconds, 3),
                "selected": len(outcome.selected),
                "mes_rounds": len(outcome.rounds),
                "budget_increase_steps": outcome.budget_increase_steps,
                "completion_projects": len(outcome.completion),
                "spent": outcome.spent,
            }
            print(f"bench: {NAME}: {key}: {seconds:.2f} s", flush=True)
    return result


def summary_lines(result: dict[str, Any]) -> list[str]:
    lines = []
    for vendor, row in result["databases"].items():
        if "skipped" in row:
            lines.append(f"{vendor}: skipped ({row['skipped']})")
            continue
        lines.append(
            f"{vendor}: {row['ballots_per_s_median']} ballots/s (requests {row['requests_per_s_median']}/s, "
            f"1 in {row['replay_every']} a replay), p99 {row['latency_ms_median_run'].get('p99')} ms; "
            f"stored {row['database']['box_rows']} ballots, roll {row['database']['roll_rows']}, "
            f"double votes {row['double_votes']}, client 2xx {row['client_saw_2xx']}"
        )
        seal = row.get("seal", {})
        if seal:
            lines.append(
                f"{vendor} sealed: roll {seal['sealed_roll']}, ballots {seal['sealed_ballots']}, "
                f"seal check problems {len(seal['seal_check_problems'])}, "
                f"audit chain ok {seal['audit_chain_ok']}"
            )
        service = row.get("service_layer", {})
        if "ballots_per_s" in service:
            lines.append(
                f"{vendor} service layer ({service['threads']} threads): "
                f"{service['ballots_per_s']} ballots/s, double votes {service['double_votes']}"
            )
    mes = result["mes"]
    for key in (
        "greedy",
        "mes_cost_pure",
        "mes_cost_with_completion",
        "mes_approval_pure",
        "mes_approval_with_completion",
    ):
        lines.append(f"{key} ({mes['projects']} projects, {mes['voters']:,} voters): {mes[key]['seconds']} s")
    return lines
