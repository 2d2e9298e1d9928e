"""The FOI demo: ten requests in varied states, overdue ones among them, loaded once."""

from __future__ import annotations

import pytest

from cityhall.accounts.facade import accounts_demo_load
from cityhall.foi import selectors
from cityhall.foi.facade import demo_load
from cityhall.foi.models import FoiRequest

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once() -> None:
    accounts_demo_load(lambda line: None)
    demo_load(lambda line: None)
    requests = selectors.annotate(list(FoiRequest.objects.all()))
    states = {r.state for r in requests}
    assert len(requests) == 10
    assert {
        "waiting_response",
        "waiting_clarification",
        "successful",
        "partially_successful",
        "rejected",
    } <= states
    assert {"not_held", "internal_review", "user_withdrawn"} <= states
    assert sum(1 for r in requests if r.overdue) == 2  # type: ignore[attr-defined]
    demo_load(lambda line: None)
    assert FoiRequest.objects.count() == 10
