"""Sealed results are published to the open data catalog (one dataset per vote, refreshed in place)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cityhall.accounts.models import Department, User
from cityhall.voting import services
from cityhall.voting.models import Budget, Poll
from tests.voting.conftest import answers_for, close

pytestmark = pytest.mark.django_db


def test_a_sealed_poll_is_published_to_the_catalog(
    make_poll: Callable[..., Poll], resident: User, department: Department
) -> None:
    poll = make_poll(department_id=department.pk)
    services.poll_ballot_cast(voter=resident, poll_id=poll.pk, answers=answers_for(poll))
    close(poll)
    services.process_seal(process=poll)
    reference = services.catalog_publish(kind="poll", process_id=poll.pk)
    assert reference
    poll.refresh_from_db()
    assert poll.catalog_dataset == reference
    assert services.catalog_publish(kind="poll", process_id=poll.pk) == reference  # refreshed, not duplicated


def test_a_sealed_budget_is_published_with_its_pabulib_file(
    make_budget: Callable[..., Budget], resident: User, department: Department
) -> None:
    budget = make_budget(department_id=department.pk)
    services.budget_ballot_cast(voter=resident, budget_id=budget.pk, projects=["A1"])
    close(budget)
    services.process_seal(process=budget)
    assert services.catalog_publish(kind="budget", process_id=budget.pk)


def test_nothing_is_published_before_sealing_or_without_a_department(poll: Poll) -> None:
    assert services.catalog_publish(kind="poll", process_id=poll.pk) == ""
    close(poll)
    services.process_seal(process=poll)
    assert services.catalog_publish(kind="poll", process_id=poll.pk) == ""  # no department to publish for
