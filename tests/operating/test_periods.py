"""Periods and units: how a measurement says when and in what."""

from __future__ import annotations

import datetime as dt

import pytest

from cityhall.operating.periods import PeriodError, normalise_unit, parse_period, period_for, units_match

TODAY = dt.date(2026, 5, 10)


@pytest.mark.parametrize(
    ("label", "frequency", "start", "end"),
    [
        ("2024", "annual", dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
        ("2024-Q2", "quarterly", dt.date(2024, 4, 1), dt.date(2024, 6, 30)),
        ("2024-q4", "quarterly", dt.date(2024, 10, 1), dt.date(2024, 12, 31)),
        ("2024-02", "monthly", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("2024-03-15", "daily", dt.date(2024, 3, 15), dt.date(2024, 3, 15)),
    ],
)
def test_periods_are_read_as_people_write_them(
    label: str, frequency: str, start: dt.date, end: dt.date
) -> None:
    period = parse_period(label)
    assert (period.frequency, period.start, period.end) == (frequency, start, end)


@pytest.mark.parametrize("label", ["24", "2024-13", "2024/03", "2024-Q5", "March 2024", ""])
def test_unreadable_periods_say_how_to_write_one(label: str) -> None:
    with pytest.raises(PeriodError, match="write a year"):
        parse_period(label)


def test_an_impossible_day_is_refused() -> None:
    with pytest.raises(PeriodError, match="not a real date"):
        parse_period("2023-02-30")


def test_a_period_of_the_wrong_length_says_how_long_it_should_be() -> None:
    with pytest.raises(
        PeriodError, match=r"“2024-03” is monthly, but X is measured yearly: write the period like 2024"
    ):
        period_for("2024-03", frequency="annual", today=TODAY, what="X")


def test_a_period_that_has_not_started_is_refused() -> None:
    with pytest.raises(PeriodError, match="has not started yet"):
        period_for("2027", frequency="annual", today=TODAY, what="X")
    assert period_for("2026", frequency="annual", today=TODAY, what="X").label == "2026"


def test_units_match_across_spelling_and_case() -> None:
    assert units_match("percent", "%")
    assert units_match(" Per  Cent ", "%")
    assert units_match("µg/m³", "µg/m³")
    assert not units_match("km", "%")
    assert normalise_unit("Tonnes") == "t"
