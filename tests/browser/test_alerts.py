"""The public alert pages in headless Chromium: axe-core finds nothing, they work without
JavaScript, and with JavaScript the alerts page updates itself (Server-Sent Events)."""

# The alerts fixtures are imported by name, so test arguments of the same name look redefined.
# ruff: noqa: F811

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail

from cityhall.alerts import services
from cityhall.alerts.models import Alert, Place, Subscription
from tests.alerts.conftest import (  # noqa: F401 - fixtures
    _alerts_settings,
    _templates,
    city,
    emergency_department,
    managers,
    publish,
)
from tests.alerts.support import texts

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fast_live_updates(settings: Any) -> None:
    settings.ALERTS_LIVE_RETRY_MS = 300


def test_the_alerts_page_and_an_alert_are_accessible(
    page: Any, assert_accessible: Callable[[Any], None], publish: Callable[..., Alert]
) -> None:
    alert = publish()
    page.goto("/alerts/")
    assert page.get_by_role("heading", level=1).inner_text() == "Alerts and warnings"
    assert_accessible(page)
    page.get_by_role("link", name="Flood warning for Riverside").click()
    page.wait_for_url(f"**/alerts/{alert.pk}/")
    assert page.get_by_text("Keep away from the riverbank.").first.is_visible()
    assert_accessible(page)


def test_the_alerts_page_in_arabic_is_accessible(
    page: Any, assert_accessible: Callable[[Any], None], publish: Callable[..., Alert]
) -> None:
    publish(infos=(texts("en"), texts("ar")))
    page.goto("/alerts/")
    page.select_option("#language-select", "ar")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.get_by_text("تحذير من الفيضان في ضفة النهر").is_visible()
    assert_accessible(page)


def test_the_alerts_page_updates_itself_when_an_alert_is_published(
    page: Any, publish: Callable[..., Alert]
) -> None:
    page.goto("/alerts/")
    assert page.get_by_text("There are no alerts in force right now.").is_visible()
    publish()
    page.get_by_role("link", name="Flood warning for Riverside").wait_for(timeout=10_000)
    assert "Alerts updated at" in page.locator("#live-status").inner_text()


def test_the_alerts_work_without_javascript(
    page_without_javascript: Any, publish: Callable[..., Alert], city: None
) -> None:
    page = page_without_javascript
    alert = publish()
    page.goto("/alerts/")
    page.get_by_role("link", name="Flood warning for Riverside").click()
    page.wait_for_url(f"**/alerts/{alert.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Flood warning for Riverside"
    Place.objects.create(name="Mill Lane", search_name="mill lane", latitude=47.985, longitude=11.001)
    page.goto("/alerts/subscribe/")
    page.get_by_label("Email address, mobile number or webhook address").fill("nojs@example.org")
    page.get_by_label("Address or place").fill("Mill Lane")
    page.get_by_role("button", name="Subscribe").click()
    page.wait_for_url("**/alerts/subscribe/sent/")
    assert Subscription.objects.get().place_text == "Mill Lane"


def test_subscribing_confirming_and_unsubscribing_are_accessible(
    page: Any, assert_accessible: Callable[[Any], None], city: None, run_tasks: Callable[[], None]
) -> None:
    page.goto("/alerts/subscribe/")
    assert_accessible(page)
    page.get_by_role("button", name="Subscribe").click()  # nothing filled in
    summary = page.get_by_role("alert")
    assert "There is a problem" in summary.inner_text()
    assert_accessible(page)

    page.get_by_label("Email address, mobile number or webhook address").fill("rosa@example.org")
    page.get_by_label("The whole city").check()
    page.get_by_role("button", name="Subscribe").click()
    page.wait_for_url("**/alerts/subscribe/sent/")
    assert_accessible(page)

    run_tasks()
    confirm = re.search(r"/alerts/subscriptions/confirm/\S+/", mail.outbox[-1].body)
    assert confirm is not None
    page.goto(confirm.group(0))
    assert_accessible(page)
    page.get_by_role("button", name="Yes, send me alerts").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Subscription confirmed"
    assert_accessible(page)

    subscription = Subscription.objects.get()
    page.goto(f"/alerts/subscriptions/unsubscribe/{services.unsubscribe_token(subscription.pk)}/")
    assert_accessible(page)
    page.get_by_role("button", name="Unsubscribe").click()
    assert page.get_by_role("heading", level=1).inner_text() == "You are unsubscribed"
    assert_accessible(page)
