"""What other apps may know about the operating model: frozen summaries for their pages."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HeadlineIndicator:
    """One headline city indicator as the public dashboard shows it."""

    id: uuid.UUID
    code: str
    name: str
    unit: str
    latest_value: float | None
    latest_period: str
    previous_value: float | None
    higher_is_better: bool
    target_value: float | None
    target_year: int | None
    maturity_level: int | None
    series: tuple[tuple[str, float], ...]

    @property
    def trend(self) -> str:
        """better, worse or steady against the previous period (empty when unknown)."""
        if self.latest_value is None or self.previous_value is None:
            return ""
        if self.latest_value == self.previous_value:
            return "steady"
        improved = (self.latest_value > self.previous_value) == self.higher_is_better
        return "better" if improved else "worse"


@dataclass(frozen=True, slots=True)
class BenefitProgress:
    """One benefit's progress from its baseline towards its target."""

    id: uuid.UUID
    code: str
    title: str
    kind: str
    stakeholder_group: str
    unit: str
    baseline_value: float | None
    target_value: float | None
    latest_value: float | None
    latest_period: str
    progress: str
    percent: float | None
    is_disbenefit: bool
