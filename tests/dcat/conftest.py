from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import Department, User
from tests.dcat.support import FakeSite
from tests.factories import DepartmentFactory


@pytest.fixture
def site(settings: Any) -> Iterator[FakeSite]:
    """A local HTTP server playing the harvested site; loopback addresses are allowed for it."""
    settings.HARVEST_ALLOW_PRIVATE_ADDRESSES = True
    with FakeSite() as fake:
        yield fake


@pytest.fixture
def open_data(db: Any) -> Department:
    return DepartmentFactory(slug="open-data", name="Open Data Office")


@pytest.fixture
def publisher(make_user: Callable[..., User], open_data: Department) -> User:
    return make_user(Role.DATA_PUBLISHER, department=open_data)


@pytest.fixture
def media_root(tmp_path: Any, settings: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
