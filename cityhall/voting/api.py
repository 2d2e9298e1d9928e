"""/api/v1/voting/: polls and participatory budgets. Public reads (results only after closing, with
every counted ballot for a recount), ballots with an API token, and staff management."""

import datetime as dt
import uuid
from dataclasses import asdict
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from cityhall.accounts.contracts import AssuranceLevel
from cityhall.core.api import ERROR_RESPONSES, ErrorOut
from cityhall.core.errors import ApiError
from cityhall.voting import opendata, selectors, services
from cityhall.voting.contracts import (
    BallotChannel,
    MesUtility,
    PollKind,
    ProcessState,
    QuestionKind,
    VoteRule,
)
from cityhall.voting.models import Budget, BudgetBallot, Poll, PollBallot, Project, Question

router = Router(tags=["Polls and participatory budgeting"])

ERRORS: dict[int, type[Schema]] = {**ERROR_RESPONSES, 409: ErrorOut}


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _poll(poll_id: uuid.UUID) -> Poll:
    poll = selectors.public_poll(poll_id)
    if poll is None:
        raise ApiError(404, "not_found", "There is no published poll with this id.")
    return poll


def _budget(budget_id: uuid.UUID) -> Budget:
    budget = selectors.public_budget(budget_id)
    if budget is None:
        raise ApiError(404, "not_found", "There is no published participatory budget with this id.")
    return budget


def _require_results(process: Poll | Budget) -> None:
    if process.state == ProcessState.CLOSED and process.sealed_at is None:
        services.process_seal(process=process)
    if not selectors.results_available(process):
        raise ApiError(
            409, "results_not_published", "Results are published once voting closes; try again then."
        )


# --- Schemas --------------------------------------------------------------------------------


class OptionOut(Schema):
    code: str
    label: str


class QuestionOut(Schema):
    id: uuid.UUID
    text: str
    kind: str
    min_choices: int
    max_choices: int
    profile_variable: str = Field(..., description="Census variable this profile question measures, if any.")
    options: list[OptionOut]

    @staticmethod
    def resolve_options(obj: Question) -> list[Any]:
        return list(obj.options.all())


class ProcessFields(Schema):
    id: uuid.UUID
    title: str
    description: str
    state: str = Field(..., description="draft, scheduled, open or closed")
    opens_at: dt.datetime
    closes_at: dt.datetime
    min_assurance: int = Field(..., description="0 account, 1 email verified, 2 verified resident")
    district: str | None = Field(None, description="Slug of the only district whose residents may vote.")
    results_published: bool

    @staticmethod
    def resolve_district(obj: Poll | Budget) -> str | None:
        return obj.district.slug if obj.district_id and obj.district else None

    @staticmethod
    def resolve_results_published(obj: Poll | Budget) -> bool:
        return selectors.results_available(obj)


class PollOut(ProcessFields):
    kind: str
    questions: list[QuestionOut]

    @staticmethod
    def resolve_questions(obj: Poll) -> list[Any]:
        return selectors.poll_questions(obj)


class ProjectOut(Schema):
    code: str
    title: str
    description: str
    cost: int
    district: str | None

    @staticmethod
    def resolve_district(obj: Project) -> str | None:
        return obj.district.slug if obj.district_id and obj.district else None


class BudgetOut(ProcessFields):
    total: int
    currency: str
    vote_rule: str = Field(..., description="knapsack or approval")
    min_projects: int
    max_projects: int | None
    min_spend_percent: int
    mes_utility: str
    projects: list[ProjectOut]

    @staticmethod
    def resolve_projects(obj: Budget) -> list[Any]:
        return selectors.budget_projects(obj)


class PollBallotIn(Schema):
    answers: dict[str, list[str]] = Field(..., description="Question id → chosen option codes.")
    lives_in_district: bool = Field(False, description="Required true for a district-only poll.")


class BudgetBallotIn(Schema):
    projects: list[str] = Field(..., description="Codes of the projects you support.")
    lives_in_district: bool = False


class ReceiptOut(Schema):
    receipt: str = Field(..., description="Published with your ballot after closing. Shown only now.")
    nonce: str = Field(..., description="receipt = SHA-256(canonical_json({process, ballot}) || nonce).")
    ballot: dict[str, Any]


class PollBallotOut(Schema):
    receipt: str
    answers: dict[str, list[str]]


class BudgetBallotOut(Schema):
    receipt: str
    projects: list[str]


class OptionResultOut(Schema):
    code: str
    label: str
    count: int
    share: float
    weighted_share: float | None
    margin_of_error: float | None = Field(None, description="95 %, from n_eff for weighted shares.")


class QuestionResultOut(Schema):
    id: str
    text: str
    kind: str
    profile_variable: str
    options: list[OptionResultOut]


class WeightingOut(Schema):
    variables: dict[str, dict[str, float]]
    source: str
    n: int
    n_eff: float
    design_effect: float
    worst_margin_of_error: float
    converged: bool
    rounds: int
    trimmed: int
    collapsed: list[list[str]]


class PollResultsOut(Schema):
    poll_id: str
    ballots: int
    non_probability_sample: bool
    worst_margin_of_error: float | None
    weighting: WeightingOut | None
    questions: list[QuestionResultOut]


class OutcomeOut(Schema):
    method: str
    selected: list[str]
    details: dict[str, Any]


class BudgetResultsOut(Schema):
    budget_id: uuid.UUID
    outcomes: list[OutcomeOut]


# --- Public reads -------------------------------------------------------------------------


@router.get(
    "/polls", response={200: list[PollOut], **ERRORS}, auth=None, summary="Published polls and surveys"
)
@paginate
def poll_list(request: HttpRequest) -> Any:
    return selectors.public_polls().prefetch_related("questions__options")


@router.get(
    "/polls/{uuid:poll_id}",
    response={200: PollOut, **ERRORS},
    auth=None,
    summary="One poll with its questions",
)
def poll_detail(request: HttpRequest, poll_id: uuid.UUID) -> Any:
    return _poll(poll_id)


@router.get(
    "/polls/{uuid:poll_id}/results",
    response={200: PollResultsOut, **ERRORS},
    auth=None,
    summary="Results after closing: counts, and for surveys weighted shares with n_eff and margins of error",
)
def poll_results(request: HttpRequest, poll_id: uuid.UUID) -> Any:
    poll = _poll(poll_id)
    _require_results(poll)
    return asdict(selectors.poll_results(poll))


@router.get(
    "/polls/{uuid:poll_id}/ballots",
    response={200: list[PollBallotOut], **ERRORS},
    auth=None,
    summary="Every counted ballot with its receipt (after closing), in receipt order",
)
@paginate
def poll_ballots(request: HttpRequest, poll_id: uuid.UUID) -> Any:
    poll = _poll(poll_id)
    _require_results(poll)
    return selectors.poll_ballots(poll)


@router.get(
    "/polls/{uuid:poll_id}/ballots/{receipt}",
    response={200: PollBallotOut, **ERRORS},
    auth=None,
    summary="Find a counted ballot by its receipt (after closing)",
)
def poll_ballot(request: HttpRequest, poll_id: uuid.UUID, receipt: str) -> PollBallot:
    poll = _poll(poll_id)
    _require_results(poll)
    found = selectors.poll_ballot_by_receipt(poll, receipt)
    if found is None:
        raise ApiError(404, "not_found", "No counted ballot has this receipt. Check that it is complete.")
    return found


@router.get(
    "/budgets",
    response={200: list[BudgetOut], **ERRORS},
    auth=None,
    summary="Published participatory budgets",
)
@paginate
def budget_list(request: HttpRequest) -> Any:
    return selectors.public_budgets()


@router.get(
    "/budgets/{uuid:budget_id}",
    response={200: BudgetOut, **ERRORS},
    auth=None,
    summary="One budget with its projects",
)
def budget_detail(request: HttpRequest, budget_id: uuid.UUID) -> Any:
    return _budget(budget_id)


@router.get(
    "/budgets/{uuid:budget_id}/results",
    response={200: BudgetResultsOut, **ERRORS},
    auth=None,
    summary="Outcomes by greedy and by the Method of Equal Shares, with every step (after closing)",
)
def budget_results(request: HttpRequest, budget_id: uuid.UUID) -> Any:
    budget = _budget(budget_id)
    _require_results(budget)
    stored = selectors.budget_outcomes(budget)
    return {
        "budget_id": budget.pk,
        "outcomes": [
            {"method": m, "selected": o.selected, "details": o.details} for m, o in sorted(stored.items())
        ],
    }


@router.get(
    "/budgets/{uuid:budget_id}/ballots",
    response={200: list[BudgetBallotOut], **ERRORS},
    auth=None,
    summary="Every counted ballot with its receipt (after closing), in receipt order",
)
@paginate
def budget_ballots(request: HttpRequest, budget_id: uuid.UUID) -> Any:
    budget = _budget(budget_id)
    _require_results(budget)
    return selectors.budget_ballots(budget)


@router.get(
    "/budgets/{uuid:budget_id}/ballots/{receipt}",
    response={200: BudgetBallotOut, **ERRORS},
    auth=None,
    summary="Find a counted ballot by its receipt (after closing)",
)
def budget_ballot(request: HttpRequest, budget_id: uuid.UUID, receipt: str) -> BudgetBallot:
    budget = _budget(budget_id)
    _require_results(budget)
    found = selectors.budget_ballot_by_receipt(budget, receipt)
    if found is None:
        raise ApiError(404, "not_found", "No counted ballot has this receipt. Check that it is complete.")
    return found


@router.get(
    "/budgets/{uuid:budget_id}/pabulib",
    response={200: None, **ERRORS},
    auth=None,
    summary="Every ballot as a Pabulib .pb file (text/plain) for an independent recount (after closing)",
)
def budget_pabulib(request: HttpRequest, budget_id: uuid.UUID) -> HttpResponse:
    budget = _budget(budget_id)
    _require_results(budget)
    response = HttpResponse(opendata.budget_pabulib(budget), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="budget-{budget.pk}.pb"'
    return response


# --- Voting -------------------------------------------------------------------------------


@router.post(
    "/polls/{uuid:poll_id}/ballots",
    response={201: ReceiptOut, **ERRORS},
    summary="Cast your ballot (one per person; it cannot be changed). Keep the receipt and nonce.",
)
def poll_vote(request: HttpRequest, poll_id: uuid.UUID, payload: PollBallotIn) -> Status[Any]:
    cast = services.poll_ballot_cast(
        voter=_user(request),
        poll_id=poll_id,
        answers=payload.answers,
        lives_in_district=payload.lives_in_district,
        channel=BallotChannel.API,
    )
    return Status(201, {"receipt": cast.receipt, "nonce": cast.nonce, "ballot": cast.ballot})


@router.post(
    "/budgets/{uuid:budget_id}/ballots",
    response={201: ReceiptOut, **ERRORS},
    summary="Cast your budget ballot (one per person; it cannot be changed). Keep the receipt and nonce.",
)
def budget_vote(request: HttpRequest, budget_id: uuid.UUID, payload: BudgetBallotIn) -> Status[Any]:
    cast = services.budget_ballot_cast(
        voter=_user(request),
        budget_id=budget_id,
        projects=payload.projects,
        lives_in_district=payload.lives_in_district,
        channel=BallotChannel.API,
    )
    return Status(201, {"receipt": cast.receipt, "nonce": cast.nonce, "ballot": cast.ballot})


# --- Staff ----------------------------------------------------------------------------------


class OptionIn(Schema):
    code: str = Field(..., max_length=50, pattern=r"^[-a-zA-Z0-9_]+$")
    label: str = Field(..., max_length=300)


class QuestionIn(Schema):
    text: str = Field(..., max_length=500)
    kind: QuestionKind = QuestionKind.SINGLE
    min_choices: int = Field(1, ge=0)
    max_choices: int = Field(1, ge=1)
    profile_variable: str = Field("", max_length=50)
    options: list[OptionIn]


class PollCreateIn(Schema):
    title: str = Field(..., max_length=200)
    description: str = ""
    kind: PollKind = PollKind.POLL
    opens_at: dt.datetime
    closes_at: dt.datetime
    min_assurance: AssuranceLevel = AssuranceLevel.EMAIL_VERIFIED
    district: str = Field("", description="Slug of the only district whose residents may vote.")
    department_id: uuid.UUID | None = None
    questions: list[QuestionIn] = Field(default_factory=list)
    publish: bool = Field(False, description="Publish at once (it then opens at opens_at).")


class ProjectIn(Schema):
    code: str = Field(..., max_length=20, pattern=r"^[-a-zA-Z0-9_]+$")
    title: str = Field(..., max_length=200)
    cost: int = Field(..., gt=0)
    description: str = ""
    district: str = ""


class BudgetCreateIn(Schema):
    title: str = Field(..., max_length=200)
    description: str = ""
    total: int = Field(..., gt=0)
    currency: str = Field("EUR", max_length=3)
    vote_rule: VoteRule = VoteRule.KNAPSACK
    min_projects: int = Field(1, ge=1)
    max_projects: int | None = Field(None, ge=1)
    min_spend_percent: int = Field(0, ge=0, le=100)
    mes_utility: MesUtility = MesUtility.COST
    opens_at: dt.datetime
    closes_at: dt.datetime
    min_assurance: AssuranceLevel = AssuranceLevel.EMAIL_VERIFIED
    district: str = ""
    department_id: uuid.UUID | None = None
    projects: list[ProjectIn] = Field(default_factory=list)
    publish: bool = False


class MarginsIn(Schema):
    csv: str = Field(..., description="variable,category,share per line; each variable's shares add up to 1.")
    source: str = Field(..., max_length=300)


@router.post(
    "/polls", response={201: PollOut, **ERRORS}, summary="Create a poll or survey (engagement staff)"
)
def poll_create(request: HttpRequest, payload: PollCreateIn) -> Status[Any]:
    poll = services.poll_create(
        actor=_user(request),
        title=payload.title,
        description=payload.description,
        kind=payload.kind,
        opens_at=payload.opens_at,
        closes_at=payload.closes_at,
        min_assurance=payload.min_assurance,
        district_slug=payload.district,
        department_id=payload.department_id,
        questions=[
            services.QuestionInput(
                text=q.text,
                options=[(o.code, o.label) for o in q.options],
                kind=q.kind,
                min_choices=q.min_choices,
                max_choices=q.max_choices,
                profile_variable=q.profile_variable,
            )
            for q in payload.questions
        ],
    )
    if payload.publish:
        services.process_publish(actor=_user(request), process=poll)
    return Status(201, poll)


@router.post(
    "/polls/{uuid:poll_id}/margins",
    response={200: PollOut, **ERRORS},
    summary="Set the census margins a survey is weighted to (engagement staff)",
)
def poll_margins(request: HttpRequest, poll_id: uuid.UUID, payload: MarginsIn) -> Any:
    return services.poll_margins_set(
        actor=_user(request), poll_id=poll_id, csv_text=payload.csv, source=payload.source
    )


@router.post(
    "/budgets",
    response={201: BudgetOut, **ERRORS},
    summary="Create a participatory budget (engagement staff)",
)
def budget_create(request: HttpRequest, payload: BudgetCreateIn) -> Status[Any]:
    budget = services.budget_create(
        actor=_user(request),
        title=payload.title,
        description=payload.description,
        total=payload.total,
        currency=payload.currency,
        vote_rule=payload.vote_rule,
        min_projects=payload.min_projects,
        max_projects=payload.max_projects,
        min_spend_percent=payload.min_spend_percent,
        mes_utility=payload.mes_utility,
        opens_at=payload.opens_at,
        closes_at=payload.closes_at,
        min_assurance=payload.min_assurance,
        district_slug=payload.district,
        department_id=payload.department_id,
        projects=[
            services.ProjectInput(p.code, p.title, p.cost, p.description, p.district)
            for p in payload.projects
        ],
    )
    if payload.publish:
        services.process_publish(actor=_user(request), process=budget)
    return Status(201, budget)
