"""Weighting survey answers to census margins by raking (iterative proportional fitting), with
weight trimming, Kish effective sample size and the 95 % margin of error (engagement-methods.md §6).

Pure functions over plain values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

TOLERANCE = 1e-6
MAX_ROUNDS = 50
TRIM_LOW = 0.2  # times the mean weight
TRIM_HIGH = 5.0
MAX_TRIM_CYCLES = 10
Z_95 = 1.96


@dataclass(frozen=True, slots=True)
class RakingResult:
    weights: tuple[float, ...]
    converged: bool  # every margin within the tolerance at the end
    rounds: int  # raking rounds in all (over the trim cycles)
    trimmed: int  # weights clipped in the last trim cycle
    collapsed: tuple[tuple[str, str], ...]  # (variable, category) with no respondents, dropped
    max_margin_error: float  # the largest |weighted share - target share| at the end
    used_margins: dict[str, dict[str, float]]  # targets after collapsing, renormalised to 1


def kish_effective_size(weights: Sequence[float]) -> float:
    """n_eff = (Σw)² / Σw²."""
    total = sum(weights)
    squares = sum(w * w for w in weights)
    return total * total / squares if squares else 0.0


def margin_of_error(n: float, p: float = 0.5, *, population: int | None = None) -> float:
    """1.96·√(p(1-p)/n), with the finite-population correction when the population is known."""
    if n <= 0:
        return math.nan
    moe = Z_95 * math.sqrt(p * (1 - p) / n)
    if population and population > 1 and population >= n:
        moe *= math.sqrt((population - n) / (population - 1))
    return moe


def _rake_once(
    profiles: Sequence[Mapping[str, str]],
    margins: Mapping[str, Mapping[str, float]],
    weights: list[float],
) -> tuple[int, float]:
    """Rake until the margins hold or MAX_ROUNDS pass; returns rounds and the worst margin error."""
    worst = math.inf
    for number in range(1, MAX_ROUNDS + 1):
        for variable, targets in margins.items():
            members = [i for i, p in enumerate(profiles) if p.get(variable) in targets]
            base = sum(weights[i] for i in members)
            for category, share in targets.items():
                in_category = [i for i in members if profiles[i][variable] == category]
                current = sum(weights[i] for i in in_category)
                if current > 0:
                    factor = share * base / current
                    for i in in_category:
                        weights[i] *= factor
        worst = _worst_margin(profiles, margins, weights)
        if worst <= TOLERANCE:
            return number, worst
    return MAX_ROUNDS, worst


def _worst_margin(
    profiles: Sequence[Mapping[str, str]], margins: Mapping[str, Mapping[str, float]], weights: list[float]
) -> float:
    worst = 0.0
    for variable, targets in margins.items():
        members = [i for i, p in enumerate(profiles) if p.get(variable) in targets]
        base = sum(weights[i] for i in members)
        if base <= 0:
            continue
        for category, share in targets.items():
            current = sum(weights[i] for i in members if profiles[i][variable] == category)
            worst = max(worst, abs(current / base - share))
    return worst


def _clip(weights: list[float], trim: tuple[float, float]) -> tuple[list[float], int]:
    """Clip to [low, high] times the mean, repeatedly (clipping moves the mean); returns how many moved."""
    n = len(weights)
    current = list(weights)
    moved: set[int] = set()
    for _round in range(100):
        mean = sum(current) / n
        low, high = trim[0] * mean, trim[1] * mean
        changed = [i for i, w in enumerate(current) if w < low * (1 - 1e-12) or w > high * (1 + 1e-12)]
        if not changed:
            break
        moved.update(changed)
        current = [min(max(w, low), high) for w in current]
    return current, len(moved)


def rake(
    profiles: Sequence[Mapping[str, str]],
    margins: Mapping[str, Mapping[str, float]],
    *,
    trim: tuple[float, float] = (TRIM_LOW, TRIM_HIGH),
) -> RakingResult:
    """Weights (mean 1) that make the weighted shares of each variable match the census margins.

    A respondent whose answer to a variable is not one of its categories ("prefer not to say") is
    left out of that variable's adjustment. Categories nobody answered are collapsed (dropped and the
    other targets renormalised), since weighting cannot create people who are not there."""
    collapsed: list[tuple[str, str]] = []
    used: dict[str, dict[str, float]] = {}
    for variable, targets in margins.items():
        present = {p.get(variable) for p in profiles}
        kept = {c: float(s) for c, s in targets.items() if c in present and float(s) > 0}
        collapsed += [(variable, c) for c in targets if c not in kept]
        total = sum(kept.values())
        if kept and total > 0:
            used[variable] = {c: s / total for c, s in kept.items()}
    n = len(profiles)
    weights = [1.0] * n
    if n == 0 or not used:
        return RakingResult(tuple(weights), True, 0, 0, tuple(collapsed), 0.0, used)
    rounds, worst = _rake_once(profiles, used, weights)
    trimmed = 0
    for _cycle in range(MAX_TRIM_CYCLES):
        clipped, count = _clip(weights, trim)
        if not count:
            break
        trimmed = count
        weights = clipped
        more, worst = _rake_once(profiles, used, weights)
        rounds += more
    else:
        # Raking keeps pulling weights past the bounds: the bounds win, and the margins are reported
        # as not met (converged = False) rather than silently kept with extreme weights.
        weights, count = _clip(weights, trim)
        if count:
            trimmed = count
            worst = _worst_margin(profiles, used, weights)
    mean = sum(weights) / n
    weights = [w / mean for w in weights]
    return RakingResult(
        weights=tuple(weights),
        converged=worst <= TOLERANCE,
        rounds=rounds,
        trimmed=trimmed,
        collapsed=tuple(collapsed),
        max_margin_error=worst,
        used_margins=used,
    )


def parse_margins_csv(text: str) -> dict[str, dict[str, float]]:
    """Margins typed or pasted as CSV: `variable,category,share` per line (share as 0.31 or 31 %).
    Raises ValueError with a whole sentence naming the line when a line is wrong."""
    margins: dict[str, dict[str, float]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.lower().replace(" ", "").startswith("variable,category"):
            continue
        cells = [c.strip() for c in line.split(",")]
        if len(cells) != 3 or not cells[0] or not cells[1]:
            raise ValueError(
                _("Line %(line)d: write variable,category,share (three values).") % {"line": number}
            )
        share_text = cells[2].rstrip("%").strip()
        try:
            share = float(share_text)
        except ValueError as error:
            raise ValueError(
                _("Line %(line)d: the share “%(share)s” is not a number.")
                % {"line": number, "share": cells[2]}
            ) from error
        if cells[2].endswith("%") or share > 1:
            share /= 100
        if not 0 <= share <= 1:
            raise ValueError(
                _("Line %(line)d: a share must be between 0 and 1 (or 0 %% and 100 %%).") % {"line": number}
            )
        margins.setdefault(cells[0], {})[cells[1]] = share
    for variable, targets in margins.items():
        total = sum(targets.values())
        if abs(total - 1) > 0.011:
            raise ValueError(
                _("The shares of “%(variable)s” add up to %(total).3f; they must add up to 1 (100 %%).")
                % {"variable": variable, "total": total}
            )
    return margins
