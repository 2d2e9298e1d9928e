"""Pure arithmetic of progress: a benefit against its planned path, a KPI against its Y.4904 bands."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Protocol

from cityhall.operating.models import ProgressStatus

# Behind plan by more than this share of the baseline-to-target distance is "off track".
AT_RISK_TOLERANCE = 0.10


class Planned(Protocol):
    baseline_value: float | None
    baseline_date: dt.date | None
    target_value: float | None
    target_date: dt.date | None
    higher_is_better: bool


class Banded(Protocol):
    level_2_from: float | None
    level_3_from: float | None
    level_4_from: float | None
    level_5_from: float | None


def planned_value_on(
    benefit: Planned, on: dt.date, points: list[tuple[dt.date, float]] | None = None
) -> float | None:
    """The planned value on a date: straight lines through baseline, trajectory points and target."""
    if benefit.baseline_value is None or benefit.baseline_date is None:
        return None
    path = [(benefit.baseline_date, benefit.baseline_value)]
    if points is None:
        points = [(p.on, p.planned_value) for p in benefit.trajectory.all()]  # type: ignore[attr-defined]
    path += points
    if benefit.target_value is not None and benefit.target_date is not None:
        path.append((benefit.target_date, benefit.target_value))
    path.sort()
    if on <= path[0][0]:
        return path[0][1]
    for (start, start_value), (end, end_value) in itertools.pairwise(path):
        if start <= on <= end:
            span = (end - start).days or 1
            return start_value + (end_value - start_value) * (on - start).days / span
    return path[-1][1]


def progress_of(
    benefit: Planned,
    latest_value: float | None,
    latest_end: dt.date | None,
    points: list[tuple[dt.date, float]] | None = None,
) -> str:
    if latest_value is None or latest_end is None:
        return ProgressStatus.NO_DATA
    if benefit.target_value is None or benefit.baseline_value is None:
        return ProgressStatus.NO_TARGET
    sign = 1 if benefit.higher_is_better else -1
    if sign * (latest_value - benefit.target_value) >= 0:
        return ProgressStatus.ACHIEVED
    planned = planned_value_on(benefit, latest_end, points)
    assert planned is not None
    shortfall = sign * (planned - latest_value)
    if shortfall <= 0:
        return ProgressStatus.ON_TRACK
    distance = abs(benefit.target_value - benefit.baseline_value) or 1.0
    return ProgressStatus.AT_RISK if shortfall / distance <= AT_RISK_TOLERANCE else ProgressStatus.OFF_TRACK


def maturity_level(value: float | None, target: Banded | None, *, higher_is_better: bool) -> int | None:
    """Y.4904 level of a KPI: 1 once a value exists, higher as the value passes each band."""
    if value is None:
        return None
    level = 1
    if target is None:
        return level
    for index, band in enumerate(
        (target.level_2_from, target.level_3_from, target.level_4_from, target.level_5_from), start=2
    ):
        if band is None:
            continue
        if (value >= band) if higher_is_better else (value <= band):
            level = index
    return level
