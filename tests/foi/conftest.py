from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import Department, User
from cityhall.foi import services
from cityhall.foi.models import FoiRequest


@pytest.fixture
def officer(make_user: Callable[..., User], department: Department) -> User:
    return make_user(Role.COUNCIL_CLERK, department=department)


@pytest.fixture
def requester(make_user: Callable[..., User]) -> User:
    return make_user(email="asker@example.org")


@pytest.fixture
def foi_request(requester: User, department: Department, db: Any) -> FoiRequest:
    return services.foi_request_file(
        actor=requester,
        title="Tree felling contracts 2025",
        body="Please send the contracts for tree felling signed in 2025.",
        department_id=department.pk,
    )


def monday() -> dt.date:
    return dt.date(2026, 3, 2)
