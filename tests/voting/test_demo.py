"""The demo loads once (safe to run twice): an open poll, a closed weighted survey, an open budget, and
a closed budget with 15 projects, 500 ballots and both outcomes."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cityhall.accounts.facade import accounts_demo_load
from cityhall.core.demo import demo_load as place_demo_load
from cityhall.voting.contracts import ProcessState
from cityhall.voting.demo import CLOSED_BUDGET, CLOSED_SURVEY, OPEN_POLL
from cityhall.voting.facade import demo_load, voting_processes
from cityhall.voting.models import Budget, BudgetBallot, Poll, PollBallot
from cityhall.voting.selectors import poll_results


@pytest.mark.django_db
def test_the_voting_demo_loads_once_with_results() -> None:
    lines: list[str] = []
    place_demo_load(lines.append)
    accounts_demo_load(lines.append)
    demo_load(lines.append)
    counts = (
        Poll.objects.count(),
        Budget.objects.count(),
        PollBallot.objects.count(),
        BudgetBallot.objects.count(),
    )
    demo_load(lines.append)
    assert (
        Poll.objects.count(),
        Budget.objects.count(),
        PollBallot.objects.count(),
        BudgetBallot.objects.count(),
    ) == counts
    assert Poll.objects.get(title=OPEN_POLL).state == ProcessState.OPEN
    survey = Poll.objects.get(title=CLOSED_SURVEY)
    assert survey.sealed_at is not None
    results = poll_results(survey)
    assert results.ballots == 320 and results.weighting is not None and results.weighting.converged
    budget = Budget.objects.get(title=CLOSED_BUDGET)
    assert budget.projects.count() == 15
    assert BudgetBallot.objects.filter(budget=budget).count() == 500
    outcomes = {o.method: o for o in budget.outcomes.all()}
    assert set(outcomes) == {"greedy", "mes"}
    assert outcomes["greedy"].selected != outcomes["mes"].selected  # the demo shows the difference
    assert all(o.details["spent"] <= 1_000_000 for o in outcomes.values())
    assert len(voting_processes()) == 4
    for url in (
        reverse("voting:budget_results", args=[budget.pk]),
        reverse("voting:budget_shares", args=[budget.pk]),
        reverse("voting:poll_results", args=[survey.pk]),
    ):
        assert Client().get(url).status_code == 200
