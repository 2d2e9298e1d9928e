"""Council decisions in headless Chromium with the demo council loaded: every public and clerk page
passes axe-core, search works without JavaScript, and a roll call is recorded through the browser."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from cityhall.accounts.facade import accounts_demo_load
from cityhall.accounts.models import User
from cityhall.core.demo import demo_load as place_demo_load
from cityhall.decisions import services
from cityhall.decisions.facade import demo_load as decisions_demo_load
from cityhall.decisions.models import Decision, Meeting

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def council(db: Any, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for load in (place_demo_load, accounts_demo_load, decisions_demo_load):
        load(lambda line: None)


def sign_in_as(page: Any, live_server: Any, email: str) -> None:
    client = Client()
    client.force_login(User.objects.get(email=email))
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_every_public_decisions_page_is_accessible(
    council: None, page: Any, assert_accessible: Callable[[Any], None]
) -> None:
    decision = Decision.objects.get(title="Protected cycle lanes on Harbour Road")
    meeting = Meeting.objects.filter(status="held").order_by("starts_at").first()
    assert meeting is not None
    for path in (
        "/decisions/",
        "/decisions/?q=flood+wall&sort=relevance",
        "/decisions/bodies/council/",
        "/decisions/meetings/",
        f"/decisions/meetings/{meeting.pk}/",
        f"/decisions/{decision.pk}/",
        "/decisions/data/",
    ):
        page.goto(path)
        assert page.locator("h1").count() == 1, path
        assert_accessible(page)


def test_search_works_without_javascript(council: None, page_without_javascript: Any) -> None:
    page = page_without_javascript
    page.goto("/decisions/")
    page.get_by_label("Words to look for").fill("flood wall")
    page.get_by_role("button", name="Search").click()
    assert page.get_by_role("link", name="Riverside flood wall (option B)", exact=False).count() >= 1
    page.get_by_role("link", name="Riverside flood wall (option B)", exact=False).first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Riverside flood wall (option B)"
    assert page.get_by_role("cell", name="Helen Okafor").is_visible()


def test_the_clerk_pages_are_accessible_and_a_roll_call_is_recorded(
    council: None, page: Any, assert_accessible: Callable[[Any], None], live_server: Any
) -> None:
    sign_in_as(page, live_server, "clerk@demo.example")
    motion = Decision.objects.get(title="Longer library opening hours")
    services.decision_transition(actor=None, decision_id=motion.pk, to_status="voting")
    assert motion.meeting is not None
    for path in (
        "/staff/decisions/",
        f"/staff/decisions/meetings/{motion.meeting.pk}/",
        f"/staff/decisions/{motion.pk}/",
    ):
        page.goto(path)
        assert page.locator("h1").count() == 1, path
        assert_accessible(page)
    for name in ("Helen Okafor", "Rahul Mehta", "Sofia Lindqvist", "Owen Price"):
        page.get_by_label(name).select_option("yes")
    page.get_by_label("Tomás Ferreira").select_option("no")
    page.get_by_role("button", name="Save and close the vote").click()
    assert page.get_by_text("The vote is closed and the result recorded.").is_visible()
    assert_accessible(page)
    motion.refresh_from_db()
    assert (motion.status, motion.votes_yes, motion.votes_no) == ("adopted", 4, 1)
