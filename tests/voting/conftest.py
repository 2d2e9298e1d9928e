"""Open polls and budgets to vote in, made through the services as staff would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from cityhall.accounts.contracts import AssuranceLevel, Role
from cityhall.accounts.models import User
from cityhall.voting import services
from cityhall.voting.contracts import BallotChannel, PollKind, QuestionKind, VoteRule
from cityhall.voting.models import Budget, Poll, PollBallot, PollVoter


@pytest.fixture
def moderator(make_user: Callable[..., User]) -> User:
    return make_user(Role.MODERATOR)


@pytest.fixture
def resident(make_user: Callable[..., User]) -> User:
    return make_user()


def window(*, opened_hours_ago: float = 1, closes_in_hours: float = 24) -> dict[str, dt.datetime]:
    now = timezone.now()
    return {
        "opens_at": now - dt.timedelta(hours=opened_hours_ago),
        "closes_at": now + dt.timedelta(hours=closes_in_hours),
    }


@pytest.fixture
def make_poll(moderator: User) -> Callable[..., Poll]:
    def _make(*, publish: bool = True, kind: PollKind = PollKind.POLL, **fields: Any) -> Poll:
        args: dict[str, Any] = {
            "title": "Should Market Square be car-free on Saturdays?",
            "questions": [
                services.QuestionInput(
                    text="Car-free Saturdays on Market Square?",
                    options=[("yes", "Yes"), ("no", "No"), ("unsure", "Not sure")],
                ),
                services.QuestionInput(
                    text="What should replace parking?",
                    options=[("market", "Market stalls"), ("trees", "Trees"), ("bikes", "Bike racks")],
                    kind=QuestionKind.MULTIPLE,
                    min_choices=1,
                    max_choices=2,
                ),
            ],
            **window(),
        }
        args.update(fields)
        poll = services.poll_create(actor=moderator, kind=kind, **args)
        if publish:
            services.process_publish(actor=moderator, process=poll)
        return poll

    return _make


@pytest.fixture
def poll(make_poll: Callable[..., Poll]) -> Poll:
    return make_poll()


def answers_for(poll: Poll, first: str = "yes", second: tuple[str, ...] = ("trees",)) -> dict[str, list[str]]:
    one, two = list(poll.questions.order_by("position"))
    return {str(one.pk): [first], str(two.pk): list(second)}


@pytest.fixture
def make_budget(moderator: User) -> Callable[..., Budget]:
    def _make(*, publish: bool = True, **fields: Any) -> Budget:
        args: dict[str, Any] = {
            "title": "Neighbourhood budget 2026",
            "total": 100,
            "vote_rule": VoteRule.KNAPSACK,
            "projects": [
                services.ProjectInput(code, f"Project {code}", 40) for code in ("A1", "A2", "A3", "B1")
            ],
            "min_assurance": AssuranceLevel.EMAIL_VERIFIED,
            **window(),
        }
        args.update(fields)
        budget = services.budget_create(actor=moderator, **args)
        if publish:
            services.process_publish(actor=moderator, process=budget)
        return budget

    return _make


@pytest.fixture
def budget(make_budget: Callable[..., Budget]) -> Budget:
    return make_budget()


def close(process: Poll | Budget) -> None:
    """Move the window into the past (as if the closing time had come)."""
    type(process).objects.filter(pk=process.pk).update(
        opens_at=timezone.now() - dt.timedelta(days=2), closes_at=timezone.now() - dt.timedelta(minutes=1)
    )
    process.refresh_from_db()


def stale_ballot_after_close_and_seal(poll: Poll, moderator: User, voter: User) -> Exception:
    """A ballot whose window check passed (as in a request in flight), stored only after staff closed and
    sealed the vote: what _cast raises."""
    stale = Poll.objects.get(pk=poll.pk)
    content = services.poll_answers_validate(stale, answers_for(stale))
    services.process_close_now(actor=moderator, process=poll)
    assert services.process_seal(process=Poll.objects.get(pk=poll.pk))
    try:
        services._cast(
            voter=voter,
            process=stale,
            roll=PollVoter,
            box=PollBallot,
            ballot={"answers": content},
            channel=BallotChannel.WEB,
        )
    except Exception as error:  # the caller asserts what it is
        return error
    raise AssertionError("the stale ballot was stored")
