"""Engagement in headless Chromium with the demo loaded: every resident and staff page passes axe-core,
and a resident answers a consultation and supports a proposal with JavaScript turned off."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from cityhall.accounts.facade import accounts_demo_load
from cityhall.accounts.models import User
from cityhall.engagement.facade import demo_load as engagement_demo_load
from cityhall.engagement.models import Comment, Consultation, ConsultationResponse, Proposal, Support

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(db: Any, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    accounts_demo_load(lambda line: None)
    engagement_demo_load(lambda line: None)


def sign_in_as(page: Any, live_server: Any, email: str) -> None:
    client = Client()
    client.force_login(User.objects.get(email=email))
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def _paths() -> dict[str, str]:
    open_one = Consultation.objects.get(slug="greener-market-square")
    answered = Proposal.objects.get(status="answered")
    return {
        "open": f"/participate/consultations/{open_one.slug}/",
        "report": "/participate/consultations/riverside-cycle-route/",
        "process": "/participate/proposals/ideas-for-aldermere-2027/",
        "proposal": f"/participate/proposals/ideas-for-aldermere-2027/{answered.pk}/",
    }


def test_the_resident_pages_are_accessible(
    demo: None, page: Any, assert_accessible: Callable[[Any], None], live_server: Any
) -> None:
    paths = _paths()
    for path in ("/participate/", "/participate/consultations/", "/participate/proposals/", *paths.values()):
        page.goto(path)
        assert page.get_by_role("heading", level=1).is_visible(), path
        assert_accessible(page)
    sign_in_as(page, live_server, "resident@demo.example")
    for path in (
        paths["open"],
        paths["process"],
        "/participate/proposals/ideas-for-aldermere-2027/new/",
        "/participate/settings/",
    ):
        page.goto(path)
        assert_accessible(page)
    page.goto(paths["open"])
    page.get_by_role("button", name="Send my answers").click()  # nothing filled in: errors shown
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    assert_accessible(page)


def test_the_staff_pages_are_accessible(
    demo: None, page: Any, assert_accessible: Callable[[Any], None], live_server: Any
) -> None:
    sign_in_as(page, live_server, "moderator@demo.example")
    consultation = Consultation.objects.get(slug="riverside-cycle-route")
    proposal = Proposal.objects.filter(status="qualified").first()
    assert proposal is not None
    for path in (
        "/staff/engagement/",
        "/staff/engagement/consultations/new/",
        "/staff/engagement/processes/new/",
        f"/staff/engagement/consultations/{consultation.pk}/",
        f"/staff/engagement/consultations/{Consultation.objects.get(slug='greener-market-square').pk}/",
        f"/staff/engagement/processes/{proposal.process_id}/",
        f"/staff/engagement/proposals/{proposal.pk}/",
        "/staff/engagement/comments/",
    ):
        page.goto(path)
        assert page.get_by_role("heading", level=1).is_visible(), path
        assert_accessible(page)


def test_a_resident_takes_part_without_javascript(
    demo: None, page_without_javascript: Any, live_server: Any
) -> None:
    page = page_without_javascript
    sign_in_as(page, live_server, "resident@demo.example")
    page.goto(_paths()["open"])
    page.get_by_label("3", exact=True).check()
    page.get_by_label("Trees and shade").check()
    page.get_by_label("Meeting people").check()
    page.get_by_role("button", name="Send my answers").click()
    assert page.get_by_text("Thank you: your answers are saved.").is_visible()
    resident = User.objects.get(email="resident@demo.example")
    assert ConsultationResponse.objects.filter(user=resident).count() == 1
    page.get_by_label("Your comment").fill("I would love a fountain.")
    page.get_by_role("button", name="Publish comment").click()
    assert Comment.objects.filter(author=resident).count() == 1
    page.goto(_paths()["process"])
    target = Proposal.objects.get(title="Night buses on weekends")
    assert target.status == "qualified"  # already at its threshold: no support button
    open_one = Proposal.objects.filter(status="open").order_by("-supports_count").first()
    assert open_one is not None
    page.get_by_role("button", name=f"Support “{open_one.title}”").click()
    assert page.get_by_text("Thank you: your support is counted.").is_visible()
    assert Support.objects.filter(user=resident, proposal=open_one).exists()


def test_staff_print_verification_letters_in_bulk(
    demo: None, page: Any, assert_accessible: Callable[[Any], None], live_server: Any
) -> None:
    sign_in_as(page, live_server, "staff@demo.example")
    page.goto("/staff/residents/codes/")
    assert_accessible(page)
    page.get_by_label("One resident per line: email; postal address").fill(
        "resident@demo.example; 4 Mill Lane, Aldermere\nparticipant01@demo.example; 9 Quay Street, Aldermere"
    )
    page.get_by_role("button", name="Make the letters").click()
    assert page.get_by_role("heading", name="2 letters to print").is_visible()
    assert page.locator("code.secret").count() == 2
    assert_accessible(page)
