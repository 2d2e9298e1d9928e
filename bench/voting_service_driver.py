"""Ballots per second at the service layer: `services.poll_ballot_cast` from N threads, each with its own
database connection, on a fresh migrated database (DATABASE_URL). Every 10th attempt replays an
earlier voter and must be refused. Prints one JSON line: `SERVICE_JSON {...}`.

Run by bench_voting.py in its own process: `python -m bench.voting_service_driver --voters 6000`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import threading
import time
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--voters", type=int, default=6000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--tag", default="svc", help="email prefix, so runs on one database do not collide")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from cityhall.accounts.models import User
    from cityhall.core.errors import ServiceError
    from cityhall.voting import services
    from cityhall.voting.models import PollBallot, PollVoter

    call_command("migrate", verbosity=0)
    now = timezone.now()
    poll = services.poll_create(
        actor=None,
        title="Service bench",
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=1),
        questions=[services.QuestionInput(text="Yes or no?", options=[("yes", "Yes"), ("no", "No")])],
    )
    services.process_publish(actor=None, process=poll)
    question = str(poll.questions.get().pk)
    users = User.objects.bulk_create(
        [
            User(email=f"{args.tag}{n}@{args.tag}.bench.example", password=make_password(None))
            for n in range(args.voters)
        ],
        batch_size=5000,
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, primary=True, verified=True) for u in users], batch_size=5000
    )
    users = list(User.objects.filter(email__endswith=f"@{args.tag}.bench.example").order_by("email"))
    connection.close()

    lock = threading.Lock()
    state: dict[str, Any] = {"next": 0, "accepted": 0, "refused": 0, "other": 0, "attempts": 0}
    rng = random.Random(7)

    def worker() -> None:
        from django.db import connection as thread_connection

        while True:
            with lock:
                state["attempts"] += 1
                if state["attempts"] % 10 == 0 and state["next"] > 1:
                    voter = users[rng.randrange(state["next"])]
                else:
                    if state["next"] >= len(users):
                        break
                    voter = users[state["next"]]
                    state["next"] += 1
            try:
                services.poll_ballot_cast(
                    voter=voter, poll_id=poll.pk, answers={question: [rng.choice(["yes", "no"])]}
                )
                outcome = "accepted"
            except ServiceError as error:
                outcome = "refused" if error.code == "already_voted" else "other"
            with lock:
                state[outcome] += 1
        thread_connection.close()

    threads = [threading.Thread(target=worker) for _ in range(args.threads)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    roll = PollVoter.objects.filter(poll=poll).count()
    box = PollBallot.objects.filter(poll=poll).count()
    distinct = PollVoter.objects.filter(poll=poll).values("voter_key").distinct().count()
    result = {
        "layer": "service (services.poll_ballot_cast), in-process threads with their own connections",
        "threads": args.threads,
        "seconds": round(seconds, 2),
        "attempts": state["attempts"] - 1,
        "accepted": state["accepted"],
        "refused_replays": state["refused"],
        "other_errors": state["other"],
        "ballots_per_s": round(state["accepted"] / seconds, 1),
        "roll_rows": roll,
        "box_rows": box,
        "distinct_voters": distinct,
        "double_votes": box - distinct,
    }
    print("SERVICE_JSON " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
