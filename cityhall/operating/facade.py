"""The operating model as other apps see it. Import from here and from contracts, nothing else."""

from __future__ import annotations

from cityhall.operating.contracts import BenefitProgress, HeadlineIndicator
from cityhall.operating.demo import demo_load
from cityhall.operating.selectors.dashboard import benefit_progress, headline_indicators


def city_headlines() -> list[HeadlineIndicator]:
    """The city's headline indicators with their latest values (two queries)."""
    return headline_indicators()


def city_benefits() -> list[BenefitProgress]:
    """The published benefits and how far each has come towards its target (one query)."""
    return benefit_progress(public_only=True)


__all__ = [
    "BenefitProgress",
    "HeadlineIndicator",
    "city_benefits",
    "city_headlines",
    "demo_load",
]
