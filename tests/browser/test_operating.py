"""The operating model's pages in headless Chromium: axe-core finds nothing on any of them, the
dashboard works without JavaScript, and the snapshot report prints."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cityhall.accounts.contracts import Role
from cityhall.accounts.demo import demo_load as accounts_demo
from cityhall.accounts.models import User
from cityhall.core.demo import demo_load as place_demo
from cityhall.operating.demo import demo_load as operating_demo
from cityhall.operating.models import Contract, Indicator, Project, Risk
from tests.conftest import totp_code
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC_PAGES = [
    ("/city/", "How Aldermere is doing"),
    ("/city/vision/", "Vision and objectives"),
    ("/city/vision/?of=benefits", "Vision and objectives"),
    ("/city/roadmap/", "The smart-city roadmap"),
    ("/city/benefits/", "Benefits and how they are realised"),
    ("/city/benefits/B03/", "Time saved by residents"),
    ("/city/indicators/", "City indicators"),
    ("/city/snapshot/", "Aldermere: city snapshot"),
    ("/city/procurement/", "Smart-city procurement"),
    ("/city/architecture/", "Standards, terms and APIs"),
]


@pytest.fixture
def demo_city() -> None:
    place_demo(lambda line: None)
    accounts_demo(lambda line: None)
    operating_demo(lambda line: None)


def test_every_public_operating_page_is_accessible(
    page: Any, assert_accessible: Callable[[Any], None], demo_city: None
) -> None:
    indicator = Indicator.objects.get(code="EN:EN:AQ:1C", part="PM 2.5")
    for path, heading in [*PUBLIC_PAGES, (f"/city/indicators/{indicator.pk}/", "Air Pollution - PM 2.5")]:
        page.goto(path)
        assert page.get_by_role("heading", level=1).inner_text() == heading, path
        assert_accessible(page)


def test_the_charts_are_images_with_names(page: Any, demo_city: None) -> None:
    page.goto("/city/")
    charts = page.get_by_role("img")
    assert charts.count() >= 13  # twelve headline indicators and the benefit progress
    assert page.get_by_role("img", name="Progress of the city's benefits towards their targets").is_visible()
    page.goto("/city/roadmap/")
    assert page.get_by_role("img", name="The city's smart-city roadmap").is_visible()
    page.goto("/city/benefits/")
    assert page.get_by_role("img", name="Benefit map").is_visible()


def test_the_snapshot_prints_without_the_site_chrome(
    page: Any, assert_accessible: Callable[[Any], None], demo_city: None
) -> None:
    page.emulate_media(media="print")
    page.goto("/city/snapshot/")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".section-nav").is_visible()
    assert page.get_by_role("heading", level=1).is_visible()
    assert_accessible(page)
    assert len(page.pdf()) > 10_000


def test_the_dashboard_works_without_javascript(page_without_javascript: Any, demo_city: None) -> None:
    page = page_without_javascript
    page.goto("/city/")
    assert page.get_by_role("heading", level=1).inner_text() == "How Aldermere is doing"
    page.get_by_role("link", name="See the whole roadmap").click()
    page.wait_for_url("**/city/roadmap/")
    page.goto("/city/indicators/")
    page.get_by_label("Framework").select_option("iso37120")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/city/indicators/?framework=iso37120")


def sign_in_with_code(page: Any, user: User) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.get_by_label("Code").fill(totp_code())
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/")


def test_the_programme_office_pages_are_accessible(
    page: Any, assert_accessible: Callable[[Any], None], make_user: Callable[..., User], demo_city: None
) -> None:
    sign_in_with_code(page, make_user(Role.ADMINISTRATOR, email="office@example.org"))
    staff_pages = [
        "/staff/operating/",
        "/staff/operating/strategy/",
        f"/staff/operating/projects/{Project.objects.get(code='MOB-02').pk}/",
        "/staff/operating/benefit-map/",
        "/staff/operating/benefits/B03/",
        "/staff/operating/indicators/",
        "/staff/operating/risks/",
        f"/staff/operating/risks/{Risk.objects.get(code='R06').pk}/",
        "/staff/operating/checklist/",
        f"/staff/operating/contracts/{Contract.objects.order_by('reference').first().pk}/",  # type: ignore[union-attr]
        "/staff/operating/interoperability/",
        "/staff/operating/registers/stakeholders/",
    ]
    for path in staff_pages:
        page.goto(path)
        assert_accessible(page)


def test_a_bad_measurement_is_summarised_and_linked_to_its_field(
    page: Any, assert_accessible: Callable[[Any], None], make_user: Callable[..., User], demo_city: None
) -> None:
    sign_in_with_code(page, make_user(Role.ADMINISTRATOR, email="office@example.org"))
    page.goto("/staff/operating/benefits/B04/")
    form = page.locator("form", has=page.locator('input[name="form"][value="measurement"]'))
    form.get_by_label("Period").fill("2024-03")
    form.get_by_label("Value").fill("5")
    form.get_by_role("button", name="Save measurement").click()
    summary = page.get_by_role("alert")
    assert "is monthly, but benefit B04 is measured yearly" in summary.inner_text()
    assert_accessible(page)
