"""Concurrent duplicate ballots from one voter count exactly once: real threads, each with its own
database connection, on PostgreSQL (SQLite serialises writers, so the race cannot happen there)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from cityhall.accounts.models import User
from cityhall.core.errors import ServiceError
from cityhall.voting import services
from cityhall.voting.models import Budget, BudgetBallot, BudgetVoter, Poll, PollBallot, PollVoter
from tests.voting.conftest import answers_for, stale_ballot_after_close_and_seal

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs PostgreSQL (DATABASE_URL=postgres://...) for truly concurrent writers",
    ),
]

THREADS = 8


def race(attempt: Callable[[], Any]) -> tuple[list[Any], list[BaseException]]:
    """Start THREADS attempts at the same moment; each thread has its own connection."""
    barrier = threading.Barrier(THREADS)
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run() -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            outcome = attempt()
            with lock:
                results.append(outcome)
        except BaseException as error:
            with lock:
                errors.append(error)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def test_concurrent_duplicate_poll_ballots_count_exactly_once(poll: Poll, resident: User) -> None:
    assert connection.vendor == "postgresql"
    answers = answers_for(poll)
    results, errors = race(
        lambda: services.poll_ballot_cast(voter=resident, poll_id=poll.pk, answers=answers)
    )
    assert len(results) == 1
    assert len(errors) == THREADS - 1
    assert all(isinstance(e, ServiceError) and e.code == "already_voted" for e in errors), errors
    assert PollVoter.objects.filter(poll=poll).count() == 1
    assert PollBallot.objects.filter(poll=poll).count() == 1


def test_the_roll_constraint_alone_keeps_one_ballot_with_no_read_before_casting(
    poll: Poll, resident: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "has_voted", lambda **kwargs: pytest.fail("casting read the roll first"))
    answers = answers_for(poll)
    results, errors = race(
        lambda: services.poll_ballot_cast(voter=resident, poll_id=poll.pk, answers=answers)
    )
    assert len(results) == 1
    assert all(isinstance(e, ServiceError) and e.code == "already_voted" for e in errors), errors
    assert PollVoter.objects.filter(poll=poll).count() == 1
    assert PollBallot.objects.filter(poll=poll).count() == 1


def test_concurrent_duplicate_budget_ballots_count_exactly_once(budget: Budget, resident: User) -> None:
    results, errors = race(
        lambda: services.budget_ballot_cast(voter=resident, budget_id=budget.pk, projects=["A1", "B1"])
    )
    assert len(results) == 1
    assert all(isinstance(e, ServiceError) and e.code == "already_voted" for e in errors), errors
    assert BudgetVoter.objects.filter(budget=budget).count() == 1
    assert BudgetBallot.objects.filter(budget=budget).count() == 1


def test_concurrent_ballots_of_different_voters_all_count(poll: Poll, make_user: Callable[..., User]) -> None:
    voters = iter([make_user() for _ in range(THREADS)])
    lock = threading.Lock()

    def attempt() -> Any:
        with lock:
            voter = next(voters)
        return services.poll_ballot_cast(voter=voter, poll_id=poll.pk, answers=answers_for(poll))

    results, errors = race(attempt)
    assert errors == []
    assert len(results) == THREADS
    assert PollBallot.objects.filter(poll=poll).count() == THREADS


def test_a_stale_ballot_after_an_early_close_and_seal_is_refused_outside_a_transaction(
    poll: Poll, moderator: User, resident: User
) -> None:
    """The ballot's check and inserts are one statement committing by itself (no caller transaction,
    as in a web request): after a close and seal it stores nothing and says voting closed."""
    assert not connection.in_atomic_block and connection.get_autocommit()
    error = stale_ballot_after_close_and_seal(poll, moderator, resident)
    assert isinstance(error, ServiceError)
    assert error.code == "voting_closed"
    assert (PollVoter.objects.filter(poll=poll).count(), PollBallot.objects.filter(poll=poll).count()) == (
        0,
        0,
    )


def test_ballots_racing_an_early_close_and_seal_are_either_sealed_or_refused(
    poll: Poll, moderator: User, make_user: Callable[..., User]
) -> None:
    """Seven voters cast while staff close and seal: every ballot that was accepted is in the seal, and
    none lands after it (the seal's digests still match the roll and the box)."""
    voters = iter([make_user() for _ in range(THREADS - 1)])
    lock = threading.Lock()
    closer_taken = False

    def attempt() -> Any:
        nonlocal closer_taken
        with lock:
            closer = not closer_taken
            closer_taken = True
            voter = None if closer else next(voters)
        if closer:
            services.process_close_now(actor=moderator, process=Poll.objects.get(pk=poll.pk))
            return services.process_seal(process=Poll.objects.get(pk=poll.pk))
        return services.poll_ballot_cast(voter=voter, poll_id=poll.pk, answers=answers_for(poll))

    results, errors = race(attempt)
    assert all(isinstance(e, ServiceError) and e.code == "voting_closed" for e in errors), errors
    accepted = [r for r in results if isinstance(r, services.CastReceipt)]
    assert len(accepted) + len(errors) == THREADS - 1
    assert PollBallot.objects.filter(poll=poll).count() == PollVoter.objects.filter(poll=poll).count()
    assert PollBallot.objects.filter(poll=poll).count() == len(accepted)
    assert services.process_seal_check(process=Poll.objects.get(pk=poll.pk)) == []
