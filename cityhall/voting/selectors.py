"""Reads: public lists, results (raw and weighted), published ballots, explanations of MES shares."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from cityhall.voting import outcomes, raking
from cityhall.voting.contracts import OutcomeMethod, PollKind, ProcessState
from cityhall.voting.models import Budget, BudgetBallot, BudgetOutcome, Poll, PollBallot, Project, Question

RESULTS_CACHE_SECONDS = 600


def public_polls() -> QuerySet[Poll]:
    return Poll.objects.filter(published=True).select_related("district").order_by("-closes_at", "title")


def public_budgets() -> QuerySet[Budget]:
    return Budget.objects.filter(published=True).select_related("district").order_by("-closes_at", "title")


def public_poll(poll_id: uuid.UUID) -> Poll | None:
    return public_polls().filter(pk=poll_id).first()


def public_budget(budget_id: uuid.UUID) -> Budget | None:
    return public_budgets().filter(pk=budget_id).first()


def staff_polls() -> QuerySet[Poll]:
    return Poll.objects.select_related("district", "department").order_by("-created_at")


def staff_budgets() -> QuerySet[Budget]:
    return Budget.objects.select_related("district", "department").order_by("-created_at")


def poll_questions(poll: Poll) -> list[Question]:
    return list(poll.questions.prefetch_related("options"))


def budget_projects(budget: Budget) -> list[Project]:
    return list(budget.projects.select_related("district").order_by("position", "code"))


def split_state(items: list[Any]) -> dict[str, list[Any]]:
    groups: dict[str, list[Any]] = {"open": [], "scheduled": [], "closed": []}
    for item in items:
        state = item.state
        if state == ProcessState.OPEN:
            groups["open"].append(item)
        elif state == ProcessState.SCHEDULED:
            groups["scheduled"].append(item)
        elif state == ProcessState.CLOSED:
            groups["closed"].append(item)
    return groups


# --- Poll results --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OptionResult:
    code: str
    label: str
    count: int
    share: float  # of ballots
    weighted_share: float | None
    margin_of_error: float | None  # 95 %, from n_eff, for the weighted share (else the raw one)


@dataclass(frozen=True, slots=True)
class QuestionResult:
    id: str
    text: str
    kind: str
    profile_variable: str
    options: tuple[OptionResult, ...]


@dataclass(frozen=True, slots=True)
class Weighting:
    variables: dict[str, dict[str, float]]
    source: str
    n: int
    n_eff: float
    design_effect: float
    worst_margin_of_error: float  # p = 0.5 with n_eff
    converged: bool
    rounds: int
    trimmed: int
    collapsed: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class PollResults:
    poll_id: str
    ballots: int
    questions: tuple[QuestionResult, ...]
    worst_margin_of_error: float | None  # unweighted, p = 0.5
    weighting: Weighting | None
    non_probability_sample: bool = True


def results_available(process: Poll | Budget) -> bool:
    return process.published and process.sealed_at is not None and process.closes_at <= timezone.now()


def poll_results(poll: Poll) -> PollResults:
    """Counts (and, for surveys with census margins, weighted shares) of a sealed poll; cached."""
    key = f"voting:poll-results:{poll.pk}:{poll.sealed_at.isoformat() if poll.sealed_at else ''}"
    cached = cache.get(key)
    if cached is not None:
        result: PollResults = cached
        return result
    questions = poll_questions(poll)
    answers = list(PollBallot.objects.filter(poll=poll).order_by("receipt").values_list("answers", flat=True))
    n = len(answers)
    weights: list[float] | None = None
    weighting: Weighting | None = None
    if poll.kind == PollKind.SURVEY and poll.margins and n:
        variable_of = {str(q.pk): q.profile_variable for q in questions if q.profile_variable}
        profiles = [
            {variable_of[qid]: codes[0] for qid, codes in ballot.items() if qid in variable_of and codes}
            for ballot in answers
        ]
        raked = raking.rake(profiles, poll.margins)
        weights = list(raked.weights)
        n_eff = raking.kish_effective_size(weights)
        weighting = Weighting(
            variables=raked.used_margins,
            source=poll.margins_source,
            n=n,
            n_eff=n_eff,
            design_effect=n / n_eff if n_eff else float("nan"),
            worst_margin_of_error=raking.margin_of_error(n_eff),
            converged=raked.converged,
            rounds=raked.rounds,
            trimmed=raked.trimmed,
            collapsed=raked.collapsed,
        )
    n_eff_for_moe = weighting.n_eff if weighting else float(n)
    total_weight = sum(weights) if weights else 0.0
    question_results = []
    for question in questions:
        qid = str(question.pk)
        option_results = []
        for option in question.options.all():
            chosen = [option.code in ballot.get(qid, []) for ballot in answers]
            count = sum(chosen)
            share = count / n if n else 0.0
            weighted = (
                sum(w for w, c in zip(weights, chosen, strict=True) if c) / total_weight
                if weights and total_weight
                else None
            )
            p = weighted if weighted is not None else share
            option_results.append(
                OptionResult(
                    code=option.code,
                    label=option.label,
                    count=count,
                    share=share,
                    weighted_share=weighted,
                    margin_of_error=raking.margin_of_error(n_eff_for_moe, p) if n else None,
                )
            )
        question_results.append(
            QuestionResult(
                qid, question.text, question.kind, question.profile_variable, tuple(option_results)
            )
        )
    result = PollResults(
        poll_id=str(poll.pk),
        ballots=n,
        questions=tuple(question_results),
        worst_margin_of_error=raking.margin_of_error(n) if n else None,
        weighting=weighting,
    )
    cache.set(key, result, RESULTS_CACHE_SECONDS)
    return result


def poll_ballots(poll: Poll) -> QuerySet[PollBallot]:
    """The published list of counted ballots, in receipt order (which says nothing about time)."""
    return PollBallot.objects.filter(poll=poll).order_by("receipt")


def budget_ballots(budget: Budget) -> QuerySet[BudgetBallot]:
    return BudgetBallot.objects.filter(budget=budget).order_by("receipt")


def normalise_receipt(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch in "0123456789abcdef")


def poll_ballot_by_receipt(poll: Poll, receipt: str) -> PollBallot | None:
    return PollBallot.objects.filter(poll=poll, receipt=normalise_receipt(receipt)).first()


def budget_ballot_by_receipt(budget: Budget, receipt: str) -> BudgetBallot | None:
    return BudgetBallot.objects.filter(budget=budget, receipt=normalise_receipt(receipt)).first()


# --- Budget results ------------------------------------------------------------------------


def parse_fraction(text: str) -> Fraction:
    return Fraction(text)


def budget_outcomes(budget: Budget) -> dict[str, BudgetOutcome]:
    return {o.method: o for o in BudgetOutcome.objects.filter(budget=budget)}


@dataclass(frozen=True, slots=True)
class ShareLine:
    project: Project
    paid: Fraction


@dataclass(frozen=True, slots=True)
class ShareExplanation:
    ballot: list[Project]
    share: Fraction
    lines: list[ShareLine]
    left: Fraction


def mes_outcome(outcome: BudgetOutcome) -> outcomes.MesOutcome:
    """Rebuild the stored MES outcome (exact values are stored as fractions in text)."""
    details = outcome.details
    rounds = tuple(
        outcomes.MesRound(
            code=r["project"],
            cost=r["cost"],
            supporters=r["supporters"],
            rho=parse_fraction(r["rho"]),
            paid_in_full=r["paid_in_full"],
            score=parse_fraction(r["score"]),
        )
        for r in details["rounds"]
    )
    return outcomes.MesOutcome(
        selected=tuple(outcome.selected),
        rounds=rounds,
        completion=tuple(details["completion"]),
        share_per_voter=parse_fraction(details["share_per_voter"]),
        base_share=parse_fraction(details["base_share"]),
        budget_increase_steps=details["budget_increase_steps"],
        utility=details["utility"],
        spent=details["spent"],
        unspent=details["unspent"],
    )


def share_explanation(budget: Budget, codes: list[str]) -> ShareExplanation | None:
    """How the share of a voter with this ballot was spent under MES."""
    stored = budget_outcomes(budget).get(OutcomeMethod.MES)
    if stored is None:
        return None
    mes = mes_outcome(stored)
    projects = {p.code: p for p in budget_projects(budget)}
    payments, left = outcomes.voter_share_spent(codes, mes)
    return ShareExplanation(
        ballot=[projects[c] for c in codes if c in projects],
        share=mes.share_per_voter,
        lines=[ShareLine(projects[p.code], p.paid) for p in payments],
        left=left,
    )


def money(value: Fraction | int | float, places: int = 2) -> str:
    """A money amount for people: exact fractions rounded to cents for display only."""
    return f"{float(value):,.{places}f}"


def ballot_count(*, process: Poll | Budget) -> int:
    if isinstance(process, Poll):
        return PollBallot.objects.filter(poll=process).count()
    return BudgetBallot.objects.filter(budget=process).count()
