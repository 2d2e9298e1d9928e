"""Polls and budgets in headless Chromium with the demo loaded: every page passes axe-core, a resident
votes without JavaScript and keeps a receipt, the knapsack total updates with JavaScript, and the
staff pages are accessible."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from cityhall.accounts.facade import accounts_demo_load
from cityhall.accounts.models import User
from cityhall.core.demo import demo_load as place_demo_load
from cityhall.voting import services
from cityhall.voting.contracts import VoteRule
from cityhall.voting.demo import CLOSED_BUDGET, CLOSED_SURVEY, OPEN_POLL
from cityhall.voting.facade import demo_load as voting_demo_load
from cityhall.voting.models import Budget, BudgetBallot, Poll, PollBallot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def voting_city(db: Any, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for load in (place_demo_load, accounts_demo_load, voting_demo_load):
        load(lambda line: None)


def sign_in_as(page: Any, live_server: Any, email: str) -> None:
    client = Client()
    client.force_login(User.objects.get(email=email))
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_the_public_voting_pages_are_accessible(
    voting_city: None, page: Any, assert_accessible: Callable[[Any], None]
) -> None:
    poll = Poll.objects.get(title=OPEN_POLL)
    survey = Poll.objects.get(title=CLOSED_SURVEY)
    budget = Budget.objects.get(title=CLOSED_BUDGET)
    receipt = BudgetBallot.objects.filter(budget=budget).order_by("receipt").first()
    assert receipt is not None
    for path in (
        "/participate/polls/",
        f"/participate/polls/{poll.pk}/",
        f"/participate/polls/{survey.pk}/results/",
        "/participate/budgets/",
        f"/participate/budgets/{budget.pk}/",
        f"/participate/budgets/{budget.pk}/results/",
        f"/participate/budgets/{budget.pk}/results/equal-shares/?receipt={receipt.receipt}",
    ):
        page.goto(path)
        assert page.locator("h1").count() == 1, path
        assert_accessible(page)
    assert page.get_by_text("Your ballot was counted").count() == 1


def test_a_resident_votes_without_javascript_and_gets_a_receipt(
    voting_city: None,
    page_without_javascript: Any,
    live_server: Any,
) -> None:
    page = page_without_javascript
    page.set_default_timeout(15_000)
    sign_in_as(page, live_server, "resident@demo.example")
    poll = Poll.objects.get(title=OPEN_POLL)
    first, second = list(poll.questions.order_by("position"))
    page.goto(f"/participate/polls/{poll.pk}/")  # axe needs JavaScript: the ballot pages are checked below
    page.check(f"input[name='q_{first.pk}'][value='no']")
    page.click("button:has-text('Cast my ballot')")
    page.wait_for_selector(".error-summary")  # question 2 unanswered: nothing counted
    assert PollBallot.objects.filter(poll=poll).count() == 0
    page.check(f"input[name='q_{first.pk}'][value='no']")
    page.check(f"input[name='q_{second.pk}'][value='trees']")
    page.click("button:has-text('Cast my ballot')")
    page.wait_for_selector("#receipt")
    stored = PollBallot.objects.get(poll=poll)
    assert page.inner_text("#receipt").strip() == stored.receipt


def test_the_knapsack_ballot_shows_its_running_total_with_javascript(
    voting_city: None, page: Any, live_server: Any, assert_accessible: Callable[[Any], None]
) -> None:
    now = timezone.now()
    budget = services.budget_create(
        actor=None,
        title="Street furniture",
        total=100_000,
        vote_rule=VoteRule.KNAPSACK,
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=3),
        projects=[
            services.ProjectInput("F1", "Benches", 40_000),
            services.ProjectInput("F2", "Bins", 30_000),
            services.ProjectInput("F3", "Planters", 50_000),
        ],
    )
    services.process_publish(actor=None, process=budget)
    sign_in_as(page, live_server, "resident@demo.example")
    page.goto(f"/participate/budgets/{budget.pk}/")
    page.get_by_label("Benches", exact=False).check()
    page.get_by_label("Planters", exact=False).check()
    assert page.locator("#running-total").inner_text() == "90,000 / 100,000 EUR"
    page.get_by_label("Bins", exact=False).check()
    assert page.locator(".running-total.over-budget").count() == 1
    assert_accessible(page)
    page.get_by_role("button", name="Cast my ballot").click()
    assert page.get_by_text("more than the budget").count() == 1
    assert BudgetBallot.objects.filter(budget=budget).count() == 0
    assert_accessible(page)
    page.get_by_label("Bins", exact=False).uncheck()
    page.get_by_role("button", name="Cast my ballot").click()
    page.get_by_role("heading", name="Your ballot is cast").wait_for()
    assert BudgetBallot.objects.filter(budget=budget).count() == 1
    assert_accessible(page)
    poll = Poll.objects.get(title=OPEN_POLL)
    page.goto(f"/participate/polls/{poll.pk}/")
    assert page.get_by_role("button", name="Cast my ballot").count() == 1
    assert_accessible(page)


def test_the_staff_voting_pages_are_accessible(
    voting_city: None, page: Any, live_server: Any, assert_accessible: Callable[[Any], None]
) -> None:
    sign_in_as(page, live_server, "moderator@demo.example")
    poll = Poll.objects.get(title=CLOSED_SURVEY)
    budget = Budget.objects.get(title=CLOSED_BUDGET)
    for path in (
        "/staff/voting/",
        "/staff/voting/polls/new/",
        "/staff/voting/budgets/new/",
        f"/staff/voting/polls/{poll.pk}/",
        f"/staff/voting/budgets/{budget.pk}/",
    ):
        page.goto(path)
        assert page.locator("h1").count() == 1, path
        assert_accessible(page)
