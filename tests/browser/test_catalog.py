"""The catalog pages in headless Chromium: axe-core finds nothing on the public and staff pages, and
search with facets, the dataset page and publishing work without JavaScript."""

# The catalog fixtures are imported by name, so test arguments of the same name look redefined.
# ruff: noqa: F811

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from cityhall.catalog.models import Dataset, DatasetState
from tests.catalog.conftest import (  # noqa: F401 - fixtures
    make_dataset,
    media_root,
    publisher,
    publisher_department,
)

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in_as(page: Any, live_server: Any, user: Any) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


@pytest.fixture
def catalog(make_dataset: Callable[..., Dataset]) -> Dataset:
    make_dataset(title="Tree inventory", keywords=["trees"], themes=["ENVI", "REGI"])
    return make_dataset(
        title="Air quality hourly",
        keywords=["air quality", "pm10"],
        csv=True,
        title_translations={"es": "Calidad del aire"},
        description_translations={"es": "Lecturas por hora."},
    )


def test_public_catalog_pages_are_accessible(
    page: Any, assert_accessible: Callable[[Any], None], catalog: Dataset
) -> None:
    page.goto("/dataset/")
    assert page.get_by_role("heading", level=1).inner_text() == "Open data catalog"
    assert_accessible(page)
    page.get_by_role("link", name="Air quality hourly").click()
    page.wait_for_url(f"**/dataset/{catalog.name}")
    assert page.get_by_text("First rows of Readings").is_visible()
    assert_accessible(page)
    page.goto("/organization/")
    assert_accessible(page)
    page.goto("/organization/environment")
    assert_accessible(page)


def test_the_dataset_page_in_arabic_and_spanish_is_accessible(
    page: Any, assert_accessible: Callable[[Any], None], catalog: Dataset
) -> None:
    for language in ("es", "ar"):
        page.goto(f"/dataset/{catalog.name}")
        page.select_option("#language-select", language)
        page.locator("form.language-switcher button").click()
        page.wait_for_load_state()
        assert_accessible(page)
    assert page.locator("html").get_attribute("dir") == "rtl"


def test_search_and_facets_work_without_javascript(page_without_javascript: Any, catalog: Dataset) -> None:
    page = page_without_javascript
    page.goto("/dataset/")
    page.get_by_label("Search datasets").fill("air")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="1 dataset found").is_visible()
    page.goto("/dataset/")
    page.locator(".facets a", has_text="trees").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Tree inventory").is_visible()
    assert not page.get_by_role("link", name="Air quality hourly").is_visible()


def test_staff_pages_are_accessible_and_publishing_works_without_javascript(
    page_without_javascript: Any,
    page: Any,
    assert_accessible: Callable[[Any], None],
    live_server: Any,
    publisher: Any,
    make_dataset: Any,
) -> None:
    draft = make_dataset(state=DatasetState.DRAFT, csv=True)
    sign_in_as(page, live_server, publisher)
    for path in (
        "/staff/catalog/",
        "/staff/catalog/new/",
        f"/staff/catalog/{draft.pk}/",
        f"/staff/catalog/{draft.pk}/edit/",
        f"/staff/catalog/{draft.pk}/distributions/new/",
    ):
        page.goto(path)
        assert_accessible(page)
    page.goto("/staff/catalog/new/")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    assert_accessible(page)

    nojs = page_without_javascript
    sign_in_as(nojs, live_server, publisher)
    nojs.goto(f"/staff/catalog/{draft.pk}/")
    nojs.get_by_role("button", name="Publish").click()
    nojs.wait_for_load_state()
    assert "The dataset is published." in nojs.get_by_role("status").inner_text()
    draft.refresh_from_db()
    assert draft.state == DatasetState.PUBLISHED
