"""The harvest staff pages and the quality page in headless Chromium: axe-core finds nothing, and
a source is added and run without JavaScript."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import User
from cityhall.catalog.models import Dataset
from cityhall.dcat import services
from cityhall.dcat.facade import demo_load
from cityhall.dcat.fetch import Fetched
from cityhall.dcat.models import HarvestSource
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def publisher(make_user: Callable[..., User], settings: Any) -> User:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    department = DepartmentFactory(slug="open-data", name="Open Data Office")
    demo_load(lambda line: None)
    return make_user(Role.DATA_PUBLISHER, department=department)


def sign_in_as(page: Any, live_server: Any, user: User) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def broken_source(url: str, **kwargs: Any) -> Fetched:
    return Fetched(url=url, content=b"this is { not turtle", content_type="text/turtle")


def test_the_harvest_pages_are_accessible(
    publisher: User, page: Any, assert_accessible: Callable[[Any], None], live_server: Any
) -> None:
    sign_in_as(page, live_server, publisher)
    source = HarvestSource.objects.get()
    run = source.runs.get()
    failed = services.harvest_run(source_id=source.pk, fetcher=broken_source)
    dataset = Dataset.objects.filter(harvest_source=source.slug).first()
    assert dataset is not None
    for path in (
        "/staff/harvest/",
        f"/staff/harvest/{source.pk}/",
        f"/staff/harvest/runs/{run.pk}/",
        f"/staff/harvest/runs/{failed.pk}/",
        f"/staff/dcat/quality/{dataset.pk}/",
    ):
        page.goto(path)
        assert page.locator("h1").count() == 1, path
        assert_accessible(page)


def test_a_source_is_added_without_javascript(
    publisher: User, page_without_javascript: Any, live_server: Any
) -> None:
    page = page_without_javascript
    sign_in_as(page, live_server, publisher)
    page.goto("/staff/harvest/")
    page.get_by_label("Name").fill("Neighbouring town")
    page.get_by_label("Address").fill("https://data.town.example/")
    page.get_by_label("CKAN site (Action API)").check()
    page.get_by_label("Harvest every (hours)").fill("48")
    page.get_by_role("button", name="Add source").click()
    page.wait_for_load_state()

    assert page.locator("h1").inner_text() == "Neighbouring town"
    assert HarvestSource.objects.filter(slug="neighbouring-town", interval_hours=48).exists()
