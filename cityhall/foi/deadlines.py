"""FOI deadlines, as Alaveteli computes them (engagement-methods.md §9).

- `FOI_REPLY_LATE_AFTER_DAYS` (20) and `FOI_REPLY_VERY_LATE_AFTER_DAYS` (40), counted from the date
  the request was last sent; `FOI_WORKING_OR_CALENDAR_DAYS` is "working" (default) or "calendar".
- Working days: step forward one day at a time, counting only days that are not a Saturday, a Sunday
  or a `Holiday` row.
- Calendar days: add the days, then move forward to the next working day.
- A request is overdue from the day after the due date (dates compared, not times).
The settings are read when used, so each installation (jurisdiction) sets its own periods.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from cityhall.foi.models import Holiday

WORKING = "working"
CALENDAR = "calendar"


def reply_late_after_days() -> int:
    return int(getattr(settings, "FOI_REPLY_LATE_AFTER_DAYS", 20))


def reply_very_late_after_days() -> int:
    return int(getattr(settings, "FOI_REPLY_VERY_LATE_AFTER_DAYS", 40))


def max_extension_days() -> int:
    return int(getattr(settings, "FOI_MAX_EXTENSION_DAYS", 20))


def day_mode() -> str:
    mode = str(getattr(settings, "FOI_WORKING_OR_CALENDAR_DAYS", WORKING))
    return mode if mode in (WORKING, CALENDAR) else WORKING


def holidays_between(start: dt.date, end: dt.date) -> frozenset[dt.date]:
    return frozenset(Holiday.objects.filter(day__gte=start, day__lte=end).values_list("day", flat=True))


def is_working_day(day: dt.date, holidays: frozenset[dt.date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def _horizon(start: dt.date, days: int) -> dt.date:
    # Generous: every week has 5 working days, and a year has at most a few dozen holidays.
    return start + dt.timedelta(days=days * 2 + 60)


def add_working_days(start: dt.date, days: int, holidays: frozenset[dt.date] | None = None) -> dt.date:
    if holidays is None:
        holidays = holidays_between(start, _horizon(start, days))
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day, holidays):
            counted += 1
    return day


def add_calendar_days(start: dt.date, days: int, holidays: frozenset[dt.date] | None = None) -> dt.date:
    if holidays is None:
        holidays = holidays_between(start, _horizon(start, days))
    day = start + dt.timedelta(days=days)
    while not is_working_day(day, holidays):
        day += dt.timedelta(days=1)
    return day


def add_days(start: dt.date, days: int) -> dt.date:
    return add_calendar_days(start, days) if day_mode() == CALENDAR else add_working_days(start, days)


@dataclass(frozen=True, slots=True)
class Deadlines:
    due_on: dt.date
    very_late_on: dt.date


def deadlines(sent_on: dt.date, *, extension_days: int = 0) -> Deadlines:
    """The due date (late after) and the very-late date of a request last sent on `sent_on`."""
    return Deadlines(
        due_on=add_days(sent_on, reply_late_after_days() + extension_days),
        very_late_on=add_days(sent_on, reply_very_late_after_days() + extension_days),
    )


def is_overdue(due_on: dt.date, today: dt.date) -> bool:
    """Overdue from the day after the due date."""
    return today > due_on
