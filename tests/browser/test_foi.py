"""Freedom of information in headless Chromium with the demo requests loaded: public, resident and
staff pages pass axe-core; a resident asks without JavaScript; overdue requests are flagged to staff."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from cityhall.accounts.facade import accounts_demo_load
from cityhall.accounts.models import User
from cityhall.core.demo import demo_load as place_demo_load
from cityhall.foi.facade import demo_load as foi_demo_load
from cityhall.foi.models import FoiRequest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def foi_desk(db: Any, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for load in (place_demo_load, accounts_demo_load, foi_demo_load):
        load(lambda line: None)


def sign_in_as(page: Any, live_server: Any, email: str) -> None:
    client = Client()
    client.force_login(User.objects.get(email=email))
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_the_public_foi_pages_are_accessible(
    foi_desk: None, page: Any, assert_accessible: Callable[[Any], None]
) -> None:
    answered = FoiRequest.objects.get(state="partially_successful")
    for path in ("/foi/", "/foi/log/", "/foi/log/?state=overdue", f"/foi/requests/{answered.pk}/"):
        page.goto(path)
        assert page.locator("h1").count() == 1, path
        assert_accessible(page)
    page.goto("/foi/log/?state=overdue")
    assert page.get_by_text("Very long overdue").count() == 1


def test_a_resident_asks_without_javascript(
    foi_desk: None, page_without_javascript: Any, assert_accessible: Callable[[Any], None], live_server: Any
) -> None:
    page = page_without_javascript
    sign_in_as(page, live_server, "resident@demo.example")
    page.goto("/foi/ask/")
    page.get_by_role("button", name="Send the request").click()
    assert page.get_by_role("alert").is_visible()  # the error summary names the empty fields
    page.get_by_label("Summary").fill("Bench repairs in parks")
    page.get_by_label("Your request").fill("How many park benches were repaired in 2025?")
    page.get_by_role("button", name="Send the request").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Bench repairs in parks"
    page.goto("/foi/mine/")
    assert page.get_by_role("link", name="Bench repairs in parks", exact=False).is_visible()


def test_the_staff_pages_are_accessible_and_flag_overdue_requests(
    foi_desk: None, page: Any, assert_accessible: Callable[[Any], None], live_server: Any
) -> None:
    sign_in_as(page, live_server, "clerk@demo.example")
    page.goto("/staff/foi/")
    assert page.get_by_text("2 requests are past their deadline.").is_visible()
    assert_accessible(page)
    overdue = FoiRequest.objects.get(title="Cost of the Harbour Road consultation")
    page.goto(f"/staff/foi/{overdue.pk}/")
    assert page.get_by_text("(overdue)").is_visible()
    assert_accessible(page)
    page.get_by_label("Outcome").select_option("successful")
    page.get_by_label("Answer", exact=True).fill("The consultation cost 48,200, all paid to one supplier.")
    page.get_by_role("button", name="Send the answer").click()
    assert page.get_by_text("The answer is sent and published.").is_visible()
