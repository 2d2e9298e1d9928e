"""The demo council loads, is realistic, and loads twice without change."""

from __future__ import annotations

import pytest

from cityhall.accounts.facade import accounts_demo_load
from cityhall.decisions.facade import demo_load
from cityhall.decisions.models import Body, Decision, Meeting, Vote

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once() -> None:
    accounts_demo_load(lambda line: None)
    lines: list[str] = []
    demo_load(lines.append)
    assert Body.objects.count() == 2 and Meeting.objects.count() == 6
    assert Meeting.objects.filter(items__isnull=False).distinct().count() == 6
    assert Decision.objects.filter(status="adopted").count() >= 5
    assert Decision.objects.filter(status="rejected").count() >= 2
    assert Vote.objects.count() > 30
    counts = (Body.objects.count(), Meeting.objects.count(), Decision.objects.count(), Vote.objects.count())
    demo_load(lines.append)
    assert (
        Body.objects.count(),
        Meeting.objects.count(),
        Decision.objects.count(),
        Vote.objects.count(),
    ) == counts
