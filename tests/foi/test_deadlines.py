"""Working-day deadlines with weekends and the holiday calendar, as Alaveteli counts them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from cityhall.foi import deadlines
from cityhall.foi.models import Holiday

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 3, 2)


def test_working_days_skip_weekends() -> None:
    assert deadlines.add_working_days(MONDAY, 1) == dt.date(2026, 3, 3)
    assert deadlines.add_working_days(MONDAY, 5) == dt.date(2026, 3, 9)  # over one weekend
    assert deadlines.add_working_days(MONDAY, 20) == dt.date(2026, 3, 30)


def test_a_request_sent_on_a_saturday_counts_from_monday() -> None:
    assert deadlines.add_working_days(dt.date(2026, 3, 7), 1) == dt.date(2026, 3, 9)


def test_holidays_are_not_working_days() -> None:
    Holiday.objects.create(day=dt.date(2026, 3, 4), name="City day")
    Holiday.objects.create(day=dt.date(2026, 3, 5), name="Bridge day")
    assert deadlines.add_working_days(MONDAY, 5) == dt.date(2026, 3, 11)


def test_default_deadlines_are_20_and_40_working_days() -> None:
    found = deadlines.deadlines(MONDAY)
    assert (found.due_on, found.very_late_on) == (dt.date(2026, 3, 30), dt.date(2026, 4, 27))


@override_settings(FOI_REPLY_LATE_AFTER_DAYS=10, FOI_REPLY_VERY_LATE_AFTER_DAYS=15)
def test_the_periods_are_configurable() -> None:
    found = deadlines.deadlines(MONDAY)
    assert (found.due_on, found.very_late_on) == (dt.date(2026, 3, 16), dt.date(2026, 3, 23))


@override_settings(FOI_WORKING_OR_CALENDAR_DAYS="calendar")
def test_calendar_days_end_on_the_next_working_day() -> None:
    Holiday.objects.create(day=dt.date(2026, 3, 23), name="Holiday Monday")
    # 20 calendar days from Monday 2 March is Sunday 22 March; Monday 23 is a holiday: Tuesday 24.
    assert deadlines.deadlines(MONDAY).due_on == dt.date(2026, 3, 24)


def test_overdue_from_the_day_after_the_due_date() -> None:
    due = dt.date(2026, 3, 30)
    assert not deadlines.is_overdue(due, due)
    assert deadlines.is_overdue(due, due + dt.timedelta(days=1))
