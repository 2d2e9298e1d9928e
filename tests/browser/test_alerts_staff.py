"""The emergency managers' pages in headless Chromium with the demo city's flood loaded: every staff
page passes axe-core, and a flooding report is escalated into an incident through the browser."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from cityhall.accounts.facade import accounts_demo_load
from cityhall.accounts.models import User
from cityhall.alerts.facade import demo_load as alerts_demo_load
from cityhall.alerts.models import Alert, Incident
from cityhall.core.demo import demo_load as place_demo_load
from cityhall.servicerequests.facade import demo_load as servicerequests_demo_load
from cityhall.servicerequests.models import ServiceRequest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def flooded_city(db: Any, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for load in (
        place_demo_load,
        accounts_demo_load,
        servicerequests_demo_load,
        alerts_demo_load,
    ):
        load(lambda line: None)


def sign_in_as(page: Any, live_server: Any, email: str) -> None:
    client = Client()
    client.force_login(User.objects.get(email=email))
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_the_emergency_managers_pages_are_accessible(
    flooded_city: None, page: Any, assert_accessible: Callable[[Any], None], live_server: Any
) -> None:
    sign_in_as(page, live_server, "emergency@demo.example")
    alert = Alert.objects.order_by("-created_at").first()
    incident = Incident.objects.first()
    assert alert is not None and incident is not None
    for path in (
        "/staff/alerts/",
        "/staff/alerts/new/",
        f"/staff/alerts/{alert.pk}/",
        "/staff/incidents/",
        f"/staff/incidents/{incident.pk}/",
    ):
        page.goto(path)
        assert page.locator("h1").count() == 1, path
        assert_accessible(page)


def test_a_flooding_report_is_escalated_from_the_browser(
    flooded_city: None, page: Any, assert_accessible: Callable[[Any], None], live_server: Any
) -> None:
    report = ServiceRequest.objects.filter(
        service_type__code="DRAIN", department__slug="public-works"
    ).first()
    assert report is not None
    sign_in_as(page, live_server, "staff@demo.example")
    page.goto(f"/staff/requests/{report.reference}/")
    assert_accessible(page)
    page.get_by_label("How serious is it?").select_option("severe")
    page.get_by_role("button", name="Escalate to an incident").click()
    incident = Incident.objects.get(source_service_request=report.pk)
    assert incident.code in page.get_by_role("status").inner_text()
    assert page.get_by_role("link", name="Open the incident").count() == 1
    assert_accessible(page)
