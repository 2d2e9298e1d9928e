"""The voting module as other apps see it."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

from cityhall.voting import selectors
from cityhall.voting.contracts import VotingProcessRef


def demo_load(log: Callable[[str], None]) -> None:
    """Load this module's part of the demo city (safe to run again)."""
    from cityhall.voting.demo import demo_load as load

    load(log)


def voting_processes() -> list[VotingProcessRef]:
    """Every published poll and participatory budget, for listings in other modules."""
    refs = [
        VotingProcessRef(
            "poll",
            p.pk,
            p.title,
            reverse("voting:poll_detail", args=[p.pk]),
            str(p.state),
            p.opens_at,
            p.closes_at,
        )
        for p in selectors.public_polls()
    ]
    refs += [
        VotingProcessRef(
            "budget",
            b.pk,
            b.title,
            reverse("voting:budget_detail", args=[b.pk]),
            str(b.state),
            b.opens_at,
            b.closes_at,
        )
        for b in selectors.public_budgets()
    ]
    return refs
