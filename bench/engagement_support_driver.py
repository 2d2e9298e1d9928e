"""Supports per second at the service layer: `services.proposal_support` from N threads, each with its own
database connection, on a fresh migrated database (DATABASE_URL). Every 10th attempt retries an earlier
(person, proposal) pair and must be refused. Two shapes: supports spread over many proposals, and every
thread on one "hot" proposal (its row lock serialises them). Prints `SUPPORT_JSON {...}`.

Run by bench_engagement.py in its own process: `python -m bench.engagement_support_driver --people 4000`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import threading
import time
from decimal import Decimal
from typing import Any


def drive(
    pairs: list[Any], thread_count: int, support: Any, service_error: Any
) -> tuple[dict[str, Any], float]:
    """Every pair once, from `thread_count` threads; every 10th attempt retries an earlier pair."""
    lock = threading.Lock()
    state: dict[str, Any] = {"next": 0, "accepted": 0, "refused": 0, "other": 0, "attempts": 0}
    rng = random.Random(11)

    def worker() -> None:
        from django.db import connection as thread_connection

        while True:
            with lock:
                state["attempts"] += 1
                if state["attempts"] % 10 == 0 and state["next"] > 1:
                    person, proposal = pairs[rng.randrange(state["next"])]
                else:
                    if state["next"] >= len(pairs):
                        break
                    person, proposal = pairs[state["next"]]
                    state["next"] += 1
            try:
                support(user=person, proposal_id=proposal.pk)
                outcome = "accepted"
            except service_error as error:
                outcome = "refused" if error.code == "already_supported" else "other"
            with lock:
                state[outcome] += 1
        thread_connection.close()

    threads = [threading.Thread(target=worker) for _ in range(thread_count)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return state, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=4000)
    parser.add_argument("--proposals", type=int, default=50)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count, Sum

    from cityhall.accounts.contracts import Role
    from cityhall.accounts.models import User
    from cityhall.accounts.services import role_assign
    from cityhall.core.errors import ServiceError
    from cityhall.engagement import services
    from cityhall.engagement.models import Proposal, Support

    call_command("migrate", verbosity=0)
    manager = User.objects.create_user("manager@bench.example", None)
    role_assign(actor=None, user=manager, role=Role.MODERATOR, department=None)
    unusable = "!"  # an unusable password: these accounts never sign in
    people = User.objects.bulk_create(
        [User(email=f"p{n}@bench.example", password=unusable) for n in range(args.people)], batch_size=5000
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, primary=True, verified=True) for u in people], batch_size=5000
    )
    people = list(
        User.objects.filter(email__startswith="p", email__endswith="@bench.example").order_by("email")
    )
    results = {}
    for shape, proposal_count, threshold in (
        ("spread", args.proposals, args.people // 4),
        ("hot", 1, args.people * 2),
    ):
        process = services.proposal_process_create(
            actor=manager,
            data=services.ProposalProcessInput(
                title=f"Bench {shape}",
                summary="Bench",
                threshold_value=Decimal(threshold),
                slug=f"bench-{shape}",
            ),
        )
        services.proposal_process_open(actor=manager, process_id=process.pk)
        proposals = [
            Proposal.objects.create(process=process, author=people[n], title=f"P{n}", summary="S")
            for n in range(proposal_count)
        ]
        pairs = [(person, proposals[n % proposal_count]) for n, person in enumerate(people)]
        connection.close()
        state, seconds = drive(pairs, args.threads, services.proposal_support, ServiceError)
        stored = Support.objects.filter(proposal__process=process).count()
        counted = (
            Proposal.objects.filter(process=process).aggregate(total=Sum("supports_count"))["total"] or 0
        )
        doubles = (
            Support.objects.filter(proposal__process=process)
            .values("proposal_id", "user_id")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .count()
        )
        results[shape] = {
            "proposals": proposal_count,
            "threads": args.threads,
            "seconds": round(seconds, 2),
            "attempts": state["attempts"] - 1,
            "accepted": state["accepted"],
            "refused_retries": state["refused"],
            "other_errors": state["other"],
            "supports_per_s": round(state["accepted"] / seconds, 1),
            "stored_supports": stored,
            "sum_of_counters": counted,
            "double_supports": doubles,
        }
    print("SUPPORT_JSON " + json.dumps(results), flush=True)


if __name__ == "__main__":
    main()
