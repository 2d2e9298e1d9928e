"""Service requests and the portal in headless Chromium: every new public page passes axe-core with zero
violations; reporting works without JavaScript; the optional map fills the coordinates; staff pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core import signing
from django.test import Client

from cityhall.accounts.contracts import Role
from cityhall.accounts.facade import accounts_demo_load
from cityhall.accounts.models import Department, User
from cityhall.core.demo import demo_load as place_demo_load
from cityhall.portal.facade import portal_demo_load
from cityhall.servicerequests.contracts import Status
from cityhall.servicerequests.facade import demo_load as servicerequests_demo_load
from cityhall.servicerequests.models import ServiceRequest, ServiceRequestFollower
from cityhall.servicerequests.services import FOLLOW_SALT, UNFOLLOW_SALT, questionnaire_token

pytestmark = pytest.mark.django_db(transaction=True)

OLD_TOWN = ("48.012", "11.001")


@pytest.fixture
def demo_city(db: Any, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # demo accounts, quickly
    for load in (place_demo_load, accounts_demo_load, servicerequests_demo_load, portal_demo_load):
        load(lambda line: None)


def sign_in_as(page: Any, live_server: Any, user: User) -> None:
    """Reuse a server-side session in the browser (staff sign-in with TOTP is tested in test_pages)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def a_request(status: Status | None = None, **filters: Any) -> ServiceRequest:
    requests = ServiceRequest.objects.filter(**filters)
    if status is not None:
        requests = requests.filter(status=status)
    found = requests.order_by("-requested_at").first()
    assert found is not None
    return found


PUBLIC_PAGES = [
    "/",
    "/info/",
    "/info/bin-collection-days/",
    "/help/",
    "/help/create-an-account/",
    "/services/",
    "/services/register-a-birth/",
    "/life-events/moving-to-the-city/",
    "/new-residents/",
    "/search/?q=bin",
    "/search/?q=zzzz",
    "/report/",
    "/report/POTHOLE/",
    "/requests/",
    "/requests/?status=open&service_code=POTHOLE",
    "/developers/open311/",
]


def test_every_new_public_page_is_accessible(
    demo_city: None, page: Any, assert_accessible: Callable[[Any], None]
) -> None:
    for path in PUBLIC_PAGES:
        page.goto(path)
        assert page.get_by_role("heading", level=1).count() == 1, path
        assert_accessible(page)


def test_request_pages_are_accessible(
    demo_city: None, page: Any, assert_accessible: Callable[[Any], None]
) -> None:
    from django.utils import timezone

    for item in (
        a_request(Status.IN_PROGRESS),
        a_request(Status.DUPLICATE),
        a_request(is_open=True, expected_at__lt=timezone.now()),  # overdue
    ):
        page.goto(f"/requests/{item.reference}/")
        assert_accessible(page)


def test_the_pages_in_arabic_and_spanish_are_accessible(
    demo_city: None, page: Any, assert_accessible: Callable[[Any], None], live_server: Any
) -> None:
    for language in ("ar", "es"):
        page.context.add_cookies(
            [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        )
        for path in ("/info/bin-collection-days/", "/services/", "/report/POTHOLE/", "/new-residents/"):
            page.goto(path)
            assert page.locator("html").get_attribute("lang") == language
            assert_accessible(page)


def test_report_a_problem_step_by_step_with_nearby_reports(
    demo_city: None, page: Any, assert_accessible: Callable[[Any], None]
) -> None:
    near = a_request(is_open=True, service_type__code="POTHOLE")
    page.goto("/report/POTHOLE/")
    page.get_by_label("Latitude").fill(str(near.latitude))
    page.get_by_label("Longitude").fill(str(near.longitude))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/report/POTHOLE/?**")
    assert page.get_by_role("heading", name="Already reported nearby").is_visible()
    assert page.get_by_text(near.reference).first.is_visible()
    assert_accessible(page)
    page.get_by_label("What is the problem?").fill("A new hole next to the old one")
    page.get_by_label("How big is it?").select_option("M")
    page.get_by_label("Your email").last.fill("walker@example.org")
    page.get_by_role("button", name="Send the report").click()
    page.wait_for_url("**/requests/*-*/")
    assert "Thank you" in page.get_by_role("status").inner_text()
    assert_accessible(page)
    assert ServiceRequest.objects.filter(email="walker@example.org").exists()


def test_mistakes_in_a_report_are_summarised_and_linked(
    demo_city: None, page: Any, assert_accessible: Callable[[Any], None]
) -> None:
    page.goto(f"/report/POTHOLE/?lat={OLD_TOWN[0]}&long={OLD_TOWN[1]}")
    page.get_by_label("Latitude").fill("95")
    page.get_by_label("What is the problem?").fill("<b>bold</b>")
    page.get_by_role("button", name="Send the report").click()
    summary = page.get_by_role("alert")
    assert "There is a problem" in summary.inner_text()
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id").startswith("id_")


def test_reporting_works_without_javascript(demo_city: None, page_without_javascript: Any) -> None:
    page = page_without_javascript
    page.goto("/report/STREETLIGHT/")
    page.get_by_label("Address or place").fill("Mill Street 12, Old Town")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("What is wrong?").select_option("off")
    page.get_by_label("What is the problem?").fill("Dark all week")
    page.get_by_role("button", name="Send the report").click()
    page.wait_for_url("**/requests/*-*/")
    assert ServiceRequest.objects.filter(address="Mill Street 12, Old Town").exists()


def test_following_confirming_and_stopping(
    demo_city: None, page: Any, assert_accessible: Callable[[Any], None]
) -> None:
    item = a_request(is_open=True)
    page.goto(f"/requests/{item.reference}/")
    page.get_by_label("Your email").fill("fan@example.org")
    page.get_by_role("button", name="Follow this request").click()
    assert "Check your email" in page.get_by_role("status").inner_text()
    follower = ServiceRequestFollower.objects.get(email="fan@example.org")
    page.goto(f"/requests/follow/{signing.dumps({'f': str(follower.pk)}, salt=FOLLOW_SALT)}/")
    assert_accessible(page)
    page.get_by_role("button", name="Yes, send me updates").click()
    page.goto(f"/requests/unfollow/{signing.dumps({'f': str(follower.pk)}, salt=UNFOLLOW_SALT)}/")
    assert_accessible(page)


def test_the_was_it_fixed_page(demo_city: None, page: Any, assert_accessible: Callable[[Any], None]) -> None:
    item = a_request(Status.RESOLVED)
    page.goto(f"/requests/fixed/{questionnaire_token(item)}/")
    assert_accessible(page)
    page.get_by_role("button", name="No, it is not fixed: reopen it").click()
    page.wait_for_url(f"**/requests/{item.reference}/")
    item.refresh_from_db()
    assert item.status == Status.ACKNOWLEDGED


def test_the_optional_map_fills_the_coordinates(
    demo_city: None, page: Any, assert_accessible: Callable[[Any], None], live_server: Any, settings: Any
) -> None:
    # A "tile server" on the test server itself: every tile is the favicon. No network is used.
    settings.MAP_TILE_URL = f"{live_server.url}/static/web/favicon.svg?{{z}}/{{x}}/{{y}}"
    page.goto("/report/POTHOLE/")
    map_element = page.locator(".map")
    map_element.wait_for(state="visible")
    assert page.locator(".map img.tile").count() > 0
    box = map_element.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2 + 20, box["y"] + box["height"] / 2)
    assert page.get_by_label("Latitude").input_value() != ""
    assert page.get_by_label("Longitude").input_value() != ""
    assert_accessible(page)
    page.goto("/requests/")
    page.locator(".map .pin").first.wait_for()
    assert_accessible(page)


def test_a_residents_checklist(
    demo_city: None, page: Any, assert_accessible: Callable[[Any], None], live_server: Any
) -> None:
    resident = User.objects.get(email="resident@demo.example")
    sign_in_as(page, live_server, resident)
    page.goto("/new-residents/")
    page.get_by_label("Register your address").check()
    page.get_by_role("button", name="Save my checklist").click()
    assert "Your checklist is saved" in page.get_by_role("status").inner_text()
    assert page.get_by_label("Register your address").is_checked()
    assert_accessible(page)
    page.goto("/requests/mine/")
    assert_accessible(page)


def test_staff_pages_are_accessible(
    demo_city: None, page: Any, assert_accessible: Callable[[Any], None], live_server: Any
) -> None:
    staff = User.objects.get(email="staff@demo.example")
    sign_in_as(page, live_server, staff)
    page.goto("/staff/requests/")
    assert_accessible(page)
    first = page.locator("input[name=selected]").first
    first.check()
    page.get_by_label("New status").select_option("scheduled")
    page.get_by_role("button", name="Apply to selected").click()
    assert "1 requests updated." in page.get_by_role("status").inner_text()
    item = ServiceRequest.objects.filter(
        department__slug__in=["roads", "public-works", "parks", "waste"]
    ).first()
    assert item is not None
    page.goto(f"/staff/requests/{item.reference}/")
    assert_accessible(page)
    for path in (
        "/staff/requests/new/",
        "/staff/requests/new/POTHOLE/",
        "/staff/requests/channels/",
        "/staff/pages/",
    ):
        page.goto(path)
        assert_accessible(page)


def test_the_page_editor_is_accessible(
    demo_city: None, page: Any, assert_accessible: Callable[[Any], None], live_server: Any, make_user: Any
) -> None:
    editor = make_user(Role.DEPARTMENT_STAFF, Department.objects.get(slug="clerk"))
    sign_in_as(page, live_server, editor)
    page.goto("/staff/pages/")
    page.get_by_role("link", name="Bin collection days").click()
    assert page.get_by_role("heading", name="Readability: Easy to read").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Spanish").click()
    assert page.get_by_label("Title").input_value() == "Días de recogida de basura"
    assert_accessible(page)


@pytest.fixture
def searchable_city(demo_city: None) -> None:
    from cityhall.catalog.facade import demo_load as catalog_demo_load
    from cityhall.decisions.facade import demo_load as decisions_demo_load
    from cityhall.engagement.facade import demo_load as engagement_demo_load

    for load in (catalog_demo_load, decisions_demo_load, engagement_demo_load):
        load(lambda line: None)


def test_site_search_leads_to_a_dataset_a_decision_and_a_consultation(
    searchable_city: None, page: Any, assert_accessible: Callable[[Any], None], live_server: Any
) -> None:
    page.goto("/search/?q=park")
    for heading in ("Datasets", "Decisions", "Consultations and proposals"):
        section = page.locator("section").filter(has=page.get_by_role("heading", level=2, name=heading))
        assert section.get_by_role("link").count() >= 1, heading
    assert_accessible(page)
    page.get_by_role("link", name="Datasets").first.click()  # the contents list jumps to the section
    assert page.url.endswith("#results-dataset")
    first = page.locator("#results-dataset ~ ul a").first
    title = first.inner_text()
    first.click()
    assert page.get_by_role("heading", level=1).inner_text() == title
    for language in ("ar", "es"):
        page.context.add_cookies(
            [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        )
        page.goto("/search/?q=park")
        assert page.locator("section h2").count() == 3
        assert_accessible(page)
