"""The DataStore table page in headless Chromium: axe-core finds nothing, with and without JavaScript."""

# The DataStore fixtures are imported by name, so test arguments of the same name look redefined.
# ruff: noqa: F811

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from cityhall.datastore.models import LoadJob
from tests.datastore.conftest import AIR_CSV, FakeCatalog, catalog, load, loaded  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_loaded_table_page_is_accessible(
    page: Any, assert_accessible: Callable[[Any], None], loaded: Callable[..., uuid.UUID]
) -> None:
    resource_id = loaded(AIR_CSV)

    page.goto(f"/data/datastore/{resource_id}/")

    assert page.get_by_role("status").inner_text().startswith("Loaded: 4 rows")
    assert page.get_by_role("table").locator("tbody tr").count() == 4
    assert_accessible(page)


def test_a_failed_load_lists_its_problems_accessibly_without_javascript(
    page_without_javascript: Any,
    assert_accessible: Callable[[Any], None],
    catalog: FakeCatalog,
    load: Callable[..., LoadJob],
    page: Any,
) -> None:
    resource_id = catalog.add(b"id,name\n1,a\n2,b,c\n")
    load(resource_id)

    page_without_javascript.goto(f"/data/datastore/{resource_id}/")
    content = page_without_javascript.content()
    assert "Problems found in the file" in content and "extra value" in content

    page.goto(f"/data/datastore/{resource_id}/")
    assert page.get_by_role("alert").inner_text() == "The file could not be loaded."
    assert_accessible(page)
