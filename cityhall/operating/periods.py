"""Reporting periods and units: the two things a measurement most often gets wrong.

A period is written the way people write it: `2024` (a year), `2024-Q2` (a quarter), `2024-03` (a
month) or `2024-03-15` (a day). Each indicator and benefit says how often it is measured, and a value
for a period of another length is refused with a message that says how to write it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

ANNUAL = "annual"
QUARTERLY = "quarterly"
MONTHLY = "monthly"
DAILY = "daily"

_PATTERNS = [
    (ANNUAL, re.compile(r"^(\d{4})$")),
    (QUARTERLY, re.compile(r"^(\d{4})-Q([1-4])$")),
    (MONTHLY, re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")),
    (DAILY, re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")),
]
EXAMPLES = {ANNUAL: "2024", QUARTERLY: "2024-Q2", MONTHLY: "2024-03", DAILY: "2024-03-15"}
FREQUENCY_WORDS = {
    ANNUAL: gettext_lazy("yearly"),
    QUARTERLY: gettext_lazy("quarterly"),
    MONTHLY: gettext_lazy("monthly"),
    DAILY: gettext_lazy("daily"),
}


class PeriodError(ValueError):
    """The period is unreadable, of the wrong length, or not over yet."""


@dataclass(frozen=True, slots=True)
class Period:
    label: str
    frequency: str
    start: dt.date
    end: dt.date


def parse_period(label: str) -> Period:
    text = label.strip().upper()
    for frequency, pattern in _PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        year = int(match.group(1))
        if frequency == ANNUAL:
            return Period(text, frequency, dt.date(year, 1, 1), dt.date(year, 12, 31))
        if frequency == QUARTERLY:
            quarter = int(match.group(2))
            first_month = 3 * (quarter - 1) + 1
            last_month = first_month + 2
            last_day = calendar.monthrange(year, last_month)[1]
            return Period(text, frequency, dt.date(year, first_month, 1), dt.date(year, last_month, last_day))
        if frequency == MONTHLY:
            month = int(match.group(2))
            last_day = calendar.monthrange(year, month)[1]
            return Period(text, frequency, dt.date(year, month, 1), dt.date(year, month, last_day))
        try:
            day = dt.date(year, int(match.group(2)), int(match.group(3)))
        except ValueError as error:
            raise PeriodError(_("“%(period)s” is not a real date.") % {"period": label}) from error
        return Period(text, frequency, day, day)
    raise PeriodError(
        _(
            "“%(period)s” is not a period Cityhall can read: write a year (2024), a quarter (2024-Q2), "
            "a month (2024-03) or a day (2024-03-15)."
        )
        % {"period": label}
    )


def period_for(label: str, *, frequency: str, today: dt.date, what: str) -> Period:
    """The period, checked against how often `what` is measured and against today's date."""
    period = parse_period(label)
    if period.frequency != frequency:
        raise PeriodError(
            _(
                "The period “%(period)s” is %(given)s, but %(what)s is measured %(expected)s: "
                "write the period like %(example)s."
            )
            % {
                "period": label.strip(),
                "given": FREQUENCY_WORDS[period.frequency],
                "what": what,
                "expected": FREQUENCY_WORDS[frequency],
                "example": EXAMPLES[frequency],
            }
        )
    if period.start > today:
        raise PeriodError(
            _("The period “%(period)s” has not started yet; record values for periods that have begun.")
            % {"period": label.strip()}
        )
    return period


# --- Units ---------------------------------------------------------------------------------

_UNIT_ALIASES = {
    "percent": "%",
    "per cent": "%",
    "pct": "%",
    "percentage": "%",
    "tonnes": "t",
    "tonne": "t",
    "metric tons": "t",
    "kilometres": "km",
    "kilometers": "km",
    "euro": "eur",
    "euros": "eur",
    "€": "eur",
}


def normalise_unit(unit: str) -> str:
    text = " ".join(unit.strip().casefold().split())
    return _UNIT_ALIASES.get(text, text)


def units_match(given: str, expected: str) -> bool:
    return normalise_unit(given) == normalise_unit(expected)
