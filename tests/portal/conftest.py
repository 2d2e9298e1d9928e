from __future__ import annotations

from collections.abc import Callable

import pytest

from cityhall.accounts.models import User


@pytest.fixture
def resident(make_user: Callable[..., User]) -> User:
    return make_user()
