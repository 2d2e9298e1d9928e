"""Outcome methods on the fact sheet's worked example (engagement-methods.md §3), against a plain
voter-by-voter MES, and the Pabulib export read back for an independent recount."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from cityhall.voting.outcomes import (
    UTILITY_APPROVAL,
    UTILITY_COST,
    PbInstance,
    PbProject,
    greedy,
    instance_from_pabulib,
    method_of_equal_shares,
    pabulib_parse,
    pabulib_text,
    voter_share_spent,
)


def worked_example() -> PbInstance:
    projects = tuple(PbProject(code, 40) for code in ("A1", "A2", "A3", "B1"))
    ballots = (frozenset({"A1", "A2", "A3"}),) * 6 + (frozenset({"B1"}),) * 4
    return PbInstance(budget=100, projects=projects, ballots=ballots)


def test_greedy_on_the_worked_example_takes_a1_and_a2_and_skips_what_no_longer_fits() -> None:
    outcome = greedy(worked_example())
    assert outcome.selected == ("A1", "A2")
    assert outcome.spent == 80
    assert [(s.code, s.selected) for s in outcome.steps] == [
        ("A1", True),
        ("A2", True),
        ("A3", False),
        ("B1", False),
    ]


@pytest.mark.parametrize("utility", [UTILITY_COST, UTILITY_APPROVAL])
def test_mes_on_the_worked_example_gives_each_group_its_proportional_share(utility: str) -> None:
    outcome = method_of_equal_shares(worked_example(), utility=utility, complete=False)
    assert outcome.selected == ("A1", "B1")
    first, second = outcome.rounds
    assert (first.code, first.rho, first.supporters) == ("A1", Fraction(40, 6), 6)
    assert (second.code, second.rho, second.supporters) == ("B1", Fraction(10), 4)
    assert outcome.share_per_voter == 10
    assert outcome.unspent == 20


@pytest.mark.parametrize("utility", [UTILITY_COST, UTILITY_APPROVAL])
def test_mes_completion_on_the_worked_example_keeps_a1_b1_since_nothing_else_fits(utility: str) -> None:
    outcome = method_of_equal_shares(worked_example(), utility=utility, complete=True)
    assert outcome.selected == ("A1", "B1")
    assert outcome.completion == ()
    assert outcome.spent == 80


def test_each_voters_share_is_explained_exactly() -> None:
    outcome = method_of_equal_shares(worked_example(), complete=False)
    payments, left = voter_share_spent({"A1", "A2", "A3"}, outcome)
    assert [(p.code, p.paid) for p in payments] == [("A1", Fraction(20, 3))]
    assert left == Fraction(10, 3)
    payments, left = voter_share_spent({"B1"}, outcome)
    assert [(p.code, p.paid) for p in payments] == [("B1", Fraction(10))]
    assert left == 0


def test_completion_raises_the_shares_and_fills_greedily_what_mes_left_unspent() -> None:
    # Three projects, a cheap one everyone likes and two that only half can afford at first.
    projects = (PbProject("X", 60), PbProject("Y", 30), PbProject("Z", 10))
    ballots = (frozenset({"X", "Z"}),) * 5 + (frozenset({"Y", "Z"}),) * 5
    instance = PbInstance(budget=100, projects=projects, ballots=ballots)
    pure = method_of_equal_shares(instance, complete=False)
    assert set(pure.selected) == {"Z", "Y"}  # X-voters hold 5 x (10 - 1) = 45 < 60
    completed = method_of_equal_shares(instance, complete=True)
    assert set(completed.selected) == {"X", "Y", "Z"}
    assert completed.spent == 100
    assert completed.budget_increase_steps > 0


def reference_mes(instance: PbInstance, utility: str) -> list[str]:
    """The fact sheet's pseudocode, voter by voter, with no shortcuts."""
    n = len(instance.ballots)
    held = [Fraction(instance.budget, n)] * n
    order = {code: i for i, code in enumerate(instance.tie_break_order())}
    chosen: list[str] = []
    while True:
        best = None
        for project in instance.projects:
            if project.code in chosen:
                continue
            members = [i for i, b in enumerate(instance.ballots) if project.code in b]
            if not members or sum(held[i] for i in members) < project.cost:
                continue
            remaining = Fraction(project.cost)
            rho = Fraction(0)
            for k, i in enumerate(sorted(members, key=lambda i: held[i])):
                if held[i] >= remaining / (len(members) - k):
                    rho = remaining / (len(members) - k)
                    break
                remaining -= held[i]
            score = rho if utility == UTILITY_APPROVAL else rho / project.cost
            key = (score, order[project.code])
            if best is None or key < best[0]:
                best = (key, project.code, rho, members)
        if best is None:
            return chosen
        _key, code, rho, members = best
        chosen.append(code)
        for i in members:
            held[i] -= min(held[i], rho)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("utility", [UTILITY_COST, UTILITY_APPROVAL])
def test_the_fast_mes_selects_exactly_what_the_plain_algorithm_selects(seed: int, utility: str) -> None:
    rng = random.Random(seed)
    projects = tuple(PbProject(f"P{i}", rng.choice([5, 10, 15, 20, 35, 50])) for i in range(10))
    ballots = tuple(
        frozenset(rng.sample([p.code for p in projects], rng.randint(1, 4)))
        for _ in range(rng.randint(5, 40))
    )
    instance = PbInstance(budget=rng.choice([60, 100, 150]), projects=projects, ballots=ballots)
    fast = method_of_equal_shares(instance, utility=utility, complete=False)
    assert list(fast.selected) == reference_mes(instance, utility)


def test_pabulib_export_recounts_to_the_same_outcomes() -> None:
    instance = worked_example()
    text = pabulib_text(
        meta={
            "description": "Worked example",
            "country": "Examplia",
            "unit": "Example City",
            "instance": "2025",
            "num_projects": 4,
            "num_votes": 10,
            "budget": 100,
            "vote_type": "approval",
            "rule": "equalshares",
        },
        projects=[
            {"project_id": p.code, "cost": p.cost, "votes": 6, "name": f"Project; {p.code}"}
            for p in instance.projects
        ],
        votes=[sorted(b) for b in instance.ballots],
    )
    assert text.startswith("META\nkey;value\ndescription;Worked example\n")
    meta, projects, votes = pabulib_parse(text)
    assert meta["num_votes"] == "10"
    assert projects[0] == {"project_id": "A1", "cost": "40", "votes": "6", "name": "Project, A1"}
    assert votes[0] == {"voter_id": "1", "vote": "A1,A2,A3"}
    recount = instance_from_pabulib(text)
    assert greedy(recount).selected == ("A1", "A2")
    assert method_of_equal_shares(recount).selected == ("A1", "B1")


def test_a_decimal_comma_in_costs_is_read() -> None:
    text = "META\nkey;value\nbudget;100,0\nPROJECTS\nproject_id;cost\nA;40,0\nVOTES\nvoter_id;vote\n1;A\n"
    assert instance_from_pabulib(text).projects[0].cost == 40
