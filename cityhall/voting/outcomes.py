"""Participatory budgeting outcomes: greedy (utilitarian) and the Method of Equal Shares (MES).

Pure functions over plain values, in exact arithmetic (integers and Fractions): floating-point ties
would change the winners (engagement-methods.md §3). The published tie-break order is: more votes,
then lower cost, then the project's position in the list (drawn and published before voting).

MES is the standard exact algorithm: each voter holds B/n; a project is affordable when its
supporters together hold its cost; its price per supporter rho is the smallest cap with
Σ min(b_i, rho) = cost, found by sorting the supporters by what they hold; the project with the lowest
rho/u(p) wins the round. Two things keep it fast on 50,000 voters without losing exactness:

- voters holding the same amount are interchangeable, so the algorithm keeps one "budget class" per
  distinct amount and sorts classes, not voters;
- what a voter holds only goes down, so a project's rho only goes up from round to round: last round's
  score is a lower bound, and a round stops evaluating projects once that bound is worse than the best
  found (lazy evaluation, as in the reference implementation on equalshares.net).

Completion ("exhaustion by budget increase", then greedy): MES is rerun with a larger virtual share per
voter, in steps, until the outcome would cost more than the budget; the last outcome that fits is kept,
and what is still unspent is filled greedily.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from math import gcd

import numpy as np

GREEDY = "greedy"
MES = "mes"
UTILITY_COST = "cost"
UTILITY_APPROVAL = "approval"


@dataclass(frozen=True, slots=True)
class PbProject:
    code: str
    cost: int  # whole currency units, > 0


@dataclass(frozen=True, slots=True)
class PbInstance:
    budget: int
    projects: tuple[PbProject, ...]  # in the published tie-break position order
    ballots: tuple[frozenset[str], ...]  # approval sets (knapsack ballots are approval sets too)

    def votes(self) -> dict[str, int]:
        counts = dict.fromkeys((p.code for p in self.projects), 0)
        for ballot in self.ballots:
            for code in ballot:
                if code in counts:
                    counts[code] += 1
        return counts

    def tie_break_order(self) -> list[str]:
        """The published order: more votes, then lower cost, then position."""
        votes = self.votes()
        position = {p.code: i for i, p in enumerate(self.projects)}
        return sorted(
            (p.code for p in self.projects),
            key=lambda code: (-votes[code], self._cost(code), position[code]),
        )

    def _cost(self, code: str) -> int:
        return next(p.cost for p in self.projects if p.code == code)


@dataclass(frozen=True, slots=True)
class GreedyStep:
    code: str
    votes: int
    cost: int
    selected: bool
    spent_after: int


@dataclass(frozen=True, slots=True)
class GreedyOutcome:
    selected: tuple[str, ...]
    spent: int
    steps: tuple[GreedyStep, ...]


@dataclass(frozen=True, slots=True)
class MesRound:
    code: str
    cost: int
    supporters: int
    rho: Fraction  # the most any supporter paid; those holding less paid all they had
    paid_in_full: int  # supporters who paid exactly rho
    score: Fraction  # rho / u(p)


@dataclass(frozen=True, slots=True)
class MesOutcome:
    selected: tuple[str, ...]  # in selection order: MES rounds, then completion
    rounds: tuple[MesRound, ...]  # the MES rounds of the kept run
    completion: tuple[str, ...]  # projects added greedily after MES
    share_per_voter: Fraction  # the (virtual) share each voter held in the kept run
    base_share: Fraction  # budget / number of voters
    budget_increase_steps: int  # how many increases the kept run used
    utility: str
    spent: int
    unspent: int
    voters_paid: Fraction = field(default=Fraction(0))  # money the voters' shares paid (kept run)


def greedy(instance: PbInstance) -> GreedyOutcome:
    """Order by votes (then the published tie-break), take each project that still fits."""
    votes = instance.votes()
    costs = {p.code: p.cost for p in instance.projects}
    spent = 0
    selected: list[str] = []
    steps: list[GreedyStep] = []
    for code in instance.tie_break_order():
        if votes[code] == 0:
            continue
        fits = spent + costs[code] <= instance.budget
        if fits:
            spent += costs[code]
            selected.append(code)
        steps.append(GreedyStep(code, votes[code], costs[code], fits, spent))
    return GreedyOutcome(tuple(selected), spent, tuple(steps))


class _Prepared:
    """Index form of an instance: project i has cost costs[i] and supporters (voter indices)."""

    def __init__(self, instance: PbInstance) -> None:
        order = instance.tie_break_order()
        self.rank = {code: i for i, code in enumerate(order)}
        self.codes = [p.code for p in instance.projects]
        self.costs = [p.cost for p in instance.projects]
        index = {code: i for i, code in enumerate(self.codes)}
        members: list[list[int]] = [[] for _ in self.codes]
        for voter, ballot in enumerate(instance.ballots):
            for code in ballot:
                if code in index:
                    members[index[code]].append(voter)
        self.supporters = [np.asarray(m, dtype=np.int64) for m in members]
        self.n = len(instance.ballots)
        self.budget = instance.budget


def _mes_run(prep: _Prepared, share: Fraction, utility: str) -> list[MesRound]:
    """One run of MES with every voter holding `share`. Returns the rounds in selection order.

    Amounts are kept exact as integer numerators over one common denominator `scale` (grown to the
    least common multiple whenever a price needs it): integer sums and comparisons are many times
    faster than Fraction objects and just as exact."""
    n = prep.n
    scale = share.denominator
    values: list[int] = [share.numerator]  # class id -> amount held, times `scale`
    class_of_value: dict[int, int] = {share.numerator: 0}
    voter_class = np.zeros(n, dtype=np.int64)
    candidates = [i for i in range(len(prep.codes)) if len(prep.supporters[i])]
    bound: dict[int, Fraction] = dict.fromkeys(candidates, Fraction(0))
    rounds: list[MesRound] = []

    def class_id(amount: int) -> int:
        found = class_of_value.get(amount)
        if found is None:
            found = len(values)
            values.append(amount)
            class_of_value[amount] = found
        return found

    while candidates:
        candidates.sort(key=lambda i: (bound[i], prep.rank[prep.codes[i]]))
        best: int | None = None
        best_key: tuple[Fraction, int] | None = None
        best_rho = Fraction(0)
        unaffordable: list[int] = []
        for i in candidates:
            key = (bound[i], prep.rank[prep.codes[i]])
            if best_key is not None and key > best_key:
                break  # a lower bound already worse than the best: so are all that follow
            classes, counts = np.unique(voter_class[prep.supporters[i]], return_counts=True)
            held = sorted(zip((values[c] for c in classes.tolist()), counts.tolist(), strict=True))
            cost = prep.costs[i]
            remaining = cost * scale
            if sum(amount * k for amount, k in held) < remaining:
                unaffordable.append(i)  # amounts only go down: never affordable again
                continue
            left = len(prep.supporters[i])
            rho = Fraction(0)
            for amount, k in held:
                if amount * left >= remaining:
                    rho = Fraction(remaining, scale * left)
                    break
                remaining -= amount * k
                left -= k
            score = rho if utility == UTILITY_APPROVAL else rho / cost
            bound[i] = score
            key = (score, prep.rank[prep.codes[i]])
            if best_key is None or key < best_key:
                best, best_key, best_rho = i, key, rho
        for i in unaffordable:
            candidates.remove(i)
        if best is None or best_key is None:
            break
        candidates.remove(best)
        if scale % best_rho.denominator:
            grow = best_rho.denominator // gcd(scale, best_rho.denominator)
            scale *= grow
            values = [v * grow for v in values]
            class_of_value = {v: c for c, v in enumerate(values)}
        price = best_rho.numerator * (scale // best_rho.denominator)
        members = prep.supporters[best]
        member_classes = voter_class[members]
        paid_in_full = 0
        for c in np.unique(member_classes).tolist():
            amount = values[c]
            pay = min(amount, price)
            mask = member_classes == c
            if pay == price:
                paid_in_full += int(mask.sum())
            voter_class[members[mask]] = class_id(amount - pay)
        rounds.append(
            MesRound(
                code=prep.codes[best],
                cost=prep.costs[best],
                supporters=len(members),
                rho=best_rho,
                paid_in_full=paid_in_full,
                score=best_key[0],
            )
        )
    return rounds


def method_of_equal_shares(
    instance: PbInstance,
    *,
    utility: str = UTILITY_COST,
    complete: bool = True,
    increment: Fraction | None = None,
    max_increases: int = 1000,
) -> MesOutcome:
    """MES with approval ballots; with `complete`, budget increase then greedy fill (published).

    `increment` is the step added to each voter's share; by default 1 % of the budget in all
    (budget / (100 n) per voter)."""
    prep = _Prepared(instance)
    budget = instance.budget
    if prep.n == 0:
        return MesOutcome((), (), (), Fraction(0), Fraction(0), 0, utility, 0, budget)
    base = Fraction(budget, prep.n)
    step = increment if increment is not None else Fraction(budget, 100 * prep.n)
    costs = dict(zip(prep.codes, prep.costs, strict=True))
    kept = _mes_run(prep, base, utility)
    kept_share, kept_steps = base, 0
    if complete and step > 0:
        funded_total = sum(c for i, c in enumerate(prep.costs) if len(prep.supporters[i]))
        for k in range(1, max_increases + 1):
            if sum(costs[r.code] for r in kept) == funded_total:
                break  # every supported project is in: nothing more to gain
            share = base + step * k
            trial = _mes_run(prep, share, utility)
            if sum(costs[r.code] for r in trial) > budget:
                break
            kept, kept_share, kept_steps = trial, share, k
    selected = [r.code for r in kept]
    spent = sum(costs[c] for c in selected)
    completion: list[str] = []
    if complete:
        votes = instance.votes()
        for code in instance.tie_break_order():
            if code in selected or votes[code] == 0:
                continue
            if spent + costs[code] <= budget:
                completion.append(code)
                spent += costs[code]
    voters_paid = sum((Fraction(r.cost) for r in kept), Fraction(0))
    return MesOutcome(
        selected=tuple(selected + completion),
        rounds=tuple(kept),
        completion=tuple(completion),
        share_per_voter=kept_share,
        base_share=base,
        budget_increase_steps=kept_steps,
        utility=utility,
        spent=spent,
        unspent=budget - spent,
        voters_paid=voters_paid,
    )


@dataclass(frozen=True, slots=True)
class SharePayment:
    code: str
    paid: Fraction


def voter_share_spent(ballot: Iterable[str], outcome: MesOutcome) -> tuple[list[SharePayment], Fraction]:
    """How one voter's share was spent: what they paid for each project, round by round, and what was
    left. Voters with the same ballot hold the same amounts, so the ballot is all that is needed."""
    approved = set(ballot)
    held = outcome.share_per_voter
    payments: list[SharePayment] = []
    for mes_round in outcome.rounds:
        if mes_round.code in approved:
            pay = min(held, mes_round.rho)
            held -= pay
            payments.append(SharePayment(mes_round.code, pay))
    return payments, held


# --- Pabulib .pb ---------------------------------------------------------------------------------


def _cell(value: object) -> str:
    """Pabulib cells are ;-separated and one line each: keep the separators out of free text."""
    return str(value).replace(";", ",").replace("\r", " ").replace("\n", " ")


def pabulib_text(
    *,
    meta: dict[str, object],
    projects: Sequence[dict[str, object]],
    votes: Sequence[Sequence[str]],
) -> str:
    """A Pabulib file: META, PROJECTS, VOTES. `projects` rows need project_id and cost; the other
    keys of the first row give the extra columns. Voter ids are 1..n in the order given (callers pass
    ballots in a published, person-free order)."""
    lines = ["META", "key;value"]
    lines += [f"{_cell(k)};{_cell(v)}" for k, v in meta.items()]
    columns = ["project_id", "cost"] + [
        k for k in (projects[0] if projects else {}) if k not in {"project_id", "cost"}
    ]
    lines += ["PROJECTS", ";".join(columns)]
    lines += [";".join(_cell(row.get(c, "")) for c in columns) for row in projects]
    lines += ["VOTES", "voter_id;vote"]
    lines += [f"{number};{','.join(vote)}" for number, vote in enumerate(votes, start=1)]
    return "\n".join(lines) + "\n"


def pabulib_parse(text: str) -> tuple[dict[str, str], list[dict[str, str]], list[dict[str, str]]]:
    """Read a Pabulib file back (for recount tests and for re-users): meta, projects, votes."""
    section = ""
    header: list[str] = []
    meta: dict[str, str] = {}
    projects: list[dict[str, str]] = []
    votes: list[dict[str, str]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.upper() in {"META", "PROJECTS", "VOTES"}:
            section, header = line.upper(), []
            continue
        cells = line.split(";")
        if not header:
            header = [c.strip() for c in cells]
            continue
        row = dict(zip(header, (c.strip() for c in cells), strict=False))
        if section == "META":
            meta[row["key"]] = row.get("value", "")
        elif section == "PROJECTS":
            projects.append(row)
        elif section == "VOTES":
            votes.append(row)
    return meta, projects, votes


def instance_from_pabulib(text: str) -> PbInstance:
    meta, projects, votes = pabulib_parse(text)
    return PbInstance(
        budget=int(float(meta["budget"].replace(",", "."))),
        projects=tuple(PbProject(p["project_id"], int(float(p["cost"].replace(",", ".")))) for p in projects),
        ballots=tuple(frozenset(c for c in v.get("vote", "").split(",") if c) for v in votes),
    )
