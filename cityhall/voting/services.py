"""Writes: polls and budgets (staff), casting secret ballots (residents), sealing after close.

Casting writes the roll row and the box row in one transaction; the roll's unique constraint on
(process, voter key) is what makes one ballot per voter hold under concurrent requests: a second
insert waits for the first transaction and then fails, and its whole transaction (box row and all)
rolls back.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import hashlib
import hmac
import secrets
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.accounts.contracts import AssuranceLevel, Permission
from cityhall.accounts.facade import audit_actor, user_has_permission
from cityhall.core.audit import Actor, audit_record
from cityhall.core.canonical import canonical_json
from cityhall.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from cityhall.core.models import AuditEvent, District
from cityhall.core.rows import row_get
from cityhall.core.taskqueue import enqueue_on_commit
from cityhall.engagement import facade as engagement_facade
from cityhall.voting import outcomes, rules
from cityhall.voting.contracts import (
    BallotChannel,
    OutcomeMethod,
    PollKind,
    ProcessState,
    QuestionKind,
    VoteRule,
)
from cityhall.voting.models import (
    Budget,
    BudgetBallot,
    BudgetOutcome,
    BudgetVoter,
    Option,
    Poll,
    PollBallot,
    PollVoter,
    Project,
    Question,
)
from cityhall.voting.raking import parse_margins_csv

P = TypeVar("P", Poll, Budget)


@dataclass(frozen=True, slots=True)
class CastReceipt:
    """What the voter keeps: the receipt (published after close with the ballot) and the nonce that,
    with their own choices, recomputes it: SHA-256(canonical_json(ballot) ‖ nonce)."""

    receipt: str
    nonce: str
    ballot: dict[str, Any]


# --- Eligibility ---------------------------------------------------------------------------


def _voter_key(process_id: uuid.UUID, user: Any) -> str:
    """A keyed hash of (process, account): unique per process, not comparable across processes."""
    pepper = (getattr(settings, "VOTING_ROLL_PEPPER", "") or settings.SECRET_KEY).encode()
    message = f"voting-roll|{process_id}|{user.pk}".encode()
    return hmac.new(pepper, message, hashlib.sha256).hexdigest()


def _require_assurance(user: Any, level: AssuranceLevel) -> None:
    """The engagement module's eligibility check, shared by every participation process."""
    result = engagement_facade.eligibility_check(user, level)
    if not result.ok:
        raise PermissionDeniedError(result.reason)


def process_eligibility(*, user: Any, process: Poll | Budget, lives_in_district: bool) -> None:
    """Raise PermissionDeniedError, saying what to do, unless the user may vote in the process."""
    if user is None or not user.is_authenticated:
        raise PermissionDeniedError(_("Sign in to vote."))
    if not user_has_permission(user, Permission.PARTICIPATE):
        raise PermissionDeniedError(_("Your account may not take part in votes."))
    _require_assurance(user, AssuranceLevel(process.min_assurance))
    if process.district_id and not lives_in_district:
        district = process.district.name if process.district else ""
        raise PermissionDeniedError(
            _("Only residents of %(district)s may vote here. Confirm that you live there to vote.")
            % {"district": district}
        )


# How long a worker process reuses a published poll or budget it read for a ballot.
PUBLISHED_PROCESS_SECONDS = 2.0
_published_read: dict[tuple[type[Model], uuid.UUID], tuple[float, Poll | Budget]] = {}


def _published(model: type[P], process_id: uuid.UUID) -> P | None:
    """The published poll or budget a ballot is for, read from the database at most every
    PUBLISHED_PROCESS_SECONDS per worker process (a copy each time; None if there is none).

    Safe to reuse because nothing a ballot reads of it changes once it is published (questions, ballot
    rules, who may vote, the opening time; there is no unpublishing), except the closing time and the
    seal, and those the ballot re-checks in the database in the transaction that stores it (_cast).
    A vote closed early in the meantime is refused there with the same message. Under hundreds of
    ballots a second this saves a query per ballot; row_get builds the read's SQL once."""
    key = (model, process_id)
    now = time.monotonic()
    found = _published_read.get(key)
    if found is None or found[0] <= now:
        process = row_get(model, id=process_id, published=True)
        if process is None:
            return None
        if len(_published_read) >= 1000:  # votes are few; this only bounds the memory
            _published_read.clear()
        found = (now + PUBLISHED_PROCESS_SECONDS, process)
        _published_read[key] = found
    return copy.copy(found[1])  # type: ignore[return-value]


def _check_window(process: Poll | Budget) -> None:
    state = process.state
    if state == ProcessState.SCHEDULED:
        raise ServiceError(
            _("Voting has not started yet. It opens on %(when)s.")
            % {"when": timezone.localtime(process.opens_at).strftime("%Y-%m-%d %H:%M")},
            code="not_open_yet",
            status=409,
        )
    if state == ProcessState.CLOSED:
        raise ServiceError(
            _("Voting closed on %(when)s; no more ballots are accepted.")
            % {"when": timezone.localtime(process.closes_at).strftime("%Y-%m-%d %H:%M")},
            code="voting_closed",
            status=409,
        )
    if state != ProcessState.OPEN:
        raise NotFoundError(_("There is no open vote at this address."))


# --- Casting -------------------------------------------------------------------------------


def _receipt(process_id: uuid.UUID, ballot: dict[str, Any]) -> tuple[str, str]:
    nonce = secrets.token_hex(16)  # 128 random bits
    digest = hashlib.sha256(canonical_json({"process": str(process_id), "ballot": ballot}) + nonce.encode())
    return digest.hexdigest(), nonce


def receipt_for(*, process_id: uuid.UUID, ballot: dict[str, Any], nonce: str) -> str:
    """Recompute a receipt from a ballot and its nonce (what a voter or an auditor does)."""
    data = canonical_json({"process": str(process_id), "ballot": ballot}) + nonce.encode()
    return hashlib.sha256(data).hexdigest()


def _already_voted() -> ServiceError:
    return ServiceError(
        _("You have already voted here. Each person has one ballot, and it cannot be changed."),
        code="already_voted",
        status=409,
    )


def _cast(
    *,
    voter: Any,
    process: Poll | Budget,
    roll: type[PollVoter] | type[BudgetVoter],
    box: type[PollBallot] | type[BudgetBallot],
    ballot: dict[str, Any],
    channel: BallotChannel,
    demo_key: str = "",
) -> CastReceipt:
    kind = "poll" if isinstance(process, Poll) else "budget"
    key = _voter_key(process.pk, voter) if voter is not None else demo_key
    receipt, nonce = _receipt(process.pk, ballot)
    # No audit row per ballot: the roll is the record of who voted, and sealing writes one audit event
    # with the roll and box counts and digests (see process_seal). A per-ballot event would take the
    # audit chain's head lock and so serialise every ballot cast on the platform.
    voted_on = timezone.localdate()
    try:
        if connection.vendor == "postgresql":
            stored = _cast_statement(
                process=process,
                roll=roll,
                box=box,
                kind=kind,
                key=key,
                channel=channel,
                voted_on=voted_on,
                receipt=receipt,
                ballot=ballot,
            )
        else:
            with transaction.atomic():
                stored = _window_still_open(process)
                if stored:
                    roll.objects.create(**{kind: process}, voter_key=key, channel=channel, voted_on=voted_on)
                    box.objects.create(**{kind: process}, receipt=receipt, **ballot)
    except IntegrityError as error:
        if roll.objects.filter(**{kind: process}, voter_key=key).exists():
            raise _already_voted() from error
        raise
    if not stored:
        try:
            process.refresh_from_db(fields=["closes_at", "sealed_at"])
        except type(process).DoesNotExist:
            raise NotFoundError(_("There is no open vote at this address.")) from None
        _check_window(process)  # says when it closed
        raise NotFoundError(_("There is no open vote at this address."))
    return CastReceipt(receipt=receipt, nonce=nonce, ballot=ballot)


def _window_still_open(process: Poll | Budget) -> bool:
    """SQLite, in the ballot's transaction: the vote is still open and not sealed. The window was
    checked before, but closing early or sealing may have happened since; SQLite runs one writing
    transaction at a time, so reading inside it holds until the ballot commits."""
    return (
        type(process)
        .objects.filter(pk=process.pk, sealed_at__isnull=True, closes_at__gt=timezone.now())
        .exists()
    )


def _cast_statement(
    *,
    process: Poll | Budget,
    roll: type[PollVoter] | type[BudgetVoter],
    box: type[PollBallot] | type[BudgetBallot],
    kind: str,
    key: str,
    channel: BallotChannel,
    voted_on: dt.date,
    receipt: str,
    ballot: dict[str, Any],
) -> bool:
    """PostgreSQL: the window check, the roll row and the box row as one statement, which outside a
    transaction is a transaction of its own: one round trip instead of five (BEGIN, check, two
    inserts, COMMIT), which is what bounds ballots per second on a busy server. The process row is
    locked FOR KEY SHARE until the ballot commits: ballots do not wait for each other, while closing
    early and sealing (FOR UPDATE) wait for the ballots in flight, and a ballot after them finds the
    window shut and stores nothing. A second ballot of the same voter breaks the roll's unique
    constraint and the whole statement, box row included, is undone. False: the window has shut."""
    db = connections[DEFAULT_DB_ALIAS]
    ((content_name, content),) = ballot.items()
    statement = _cast_sql(type(process), roll, box, kind, content_name)
    process_meta, roll_meta, box_meta = type(process)._meta, roll._meta, box._meta

    def value(meta: Any, name: str, raw: Any) -> Any:
        return meta.get_field(name).get_db_prep_save(raw, db)

    parameters = [
        value(process_meta, "id", process.pk),
        value(process_meta, "closes_at", timezone.now()),
        value(roll_meta, "id", uuid.uuid4()),
        value(roll_meta, "voter_key", key),
        value(roll_meta, "channel", channel),
        value(roll_meta, "voted_on", voted_on),
        value(box_meta, "id", uuid.uuid4()),
        value(box_meta, content_name, content),
        value(box_meta, "receipt", receipt),
    ]
    # Inside a caller's transaction (a test, a batch) a savepoint keeps a refused ballot from
    # spoiling the rest of it; outside one the statement commits by itself.
    nested = db.in_atomic_block or not db.get_autocommit()
    with transaction.atomic() if nested else contextlib.nullcontext(), db.cursor() as cursor:
        cursor.execute(statement, parameters)
        return bool(cursor.rowcount == 1)


@lru_cache(maxsize=8)
def _cast_sql(
    process_model: type[Poll] | type[Budget],
    roll: type[PollVoter] | type[BudgetVoter],
    box: type[PollBallot] | type[BudgetBallot],
    kind: str,
    content_name: str,
) -> str:
    """The statement of _cast_statement (PostgreSQL), built once from the models' names."""
    quote = connection.ops.quote_name
    process_meta, roll_meta, box_meta = process_model._meta, roll._meta, box._meta
    process_key = quote(process_meta.pk.column or "id")

    def column(meta: Any, name: str) -> str:
        return quote(meta.get_field(name).column)

    # Names come from the models; every value is a parameter.
    return (
        f"WITH open AS (SELECT {process_key} FROM {quote(process_meta.db_table)} "  # noqa: S608
        f"WHERE {process_key} = %s AND {column(process_meta, 'sealed_at')} IS NULL "
        f"AND {column(process_meta, 'closes_at')} > %s FOR KEY SHARE), "
        f"roll AS (INSERT INTO {quote(roll_meta.db_table)} ({column(roll_meta, 'id')}, "
        f"{column(roll_meta, kind)}, {column(roll_meta, 'voter_key')}, {column(roll_meta, 'channel')}, "
        f"{column(roll_meta, 'voted_on')}) SELECT %s, {process_key}, %s, %s, %s FROM open "
        f"RETURNING {column(roll_meta, kind)} AS process) "
        f"INSERT INTO {quote(box_meta.db_table)} ({column(box_meta, 'id')}, {column(box_meta, kind)}, "
        f"{column(box_meta, content_name)}, {column(box_meta, 'receipt')}) "
        "SELECT %s, process, %s, %s FROM roll"
    )


@dataclass(frozen=True, slots=True)
class _QuestionSpec:
    id: str
    text: str
    kind: str
    min_choices: int
    max_choices: int
    codes: frozenset[str]


@lru_cache(maxsize=256)
def _question_specs(poll_id: uuid.UUID, version: str) -> tuple[_QuestionSpec, ...]:
    """A poll's questions, cached per version (updated_at): published polls cannot change them."""
    return tuple(
        _QuestionSpec(
            str(q.pk),
            q.text,
            q.kind,
            q.min_choices,
            q.max_choices,
            frozenset(o.code for o in q.options.all()),
        )
        for q in Question.objects.filter(poll_id=poll_id).prefetch_related("options").order_by("position")
    )


def poll_answers_validate(poll: Poll, answers: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Every question answered within its bounds, with its own options; returns the canonical form."""
    questions = (
        _question_specs(poll.pk, poll.updated_at.isoformat())
        if poll.published
        else _question_specs.__wrapped__(poll.pk, "")
    )
    known = {q.id for q in questions}
    unknown = [key for key in answers if key not in known]
    if unknown:
        raise ServiceError(
            _("The ballot answers a question this poll does not have (%(id)s).") % {"id": unknown[0]},
            code="invalid_ballot",
        )
    result: dict[str, list[str]] = {}
    for number, question in enumerate(questions, start=1):
        chosen = list(dict.fromkeys(answers.get(question.id, [])))
        wrong = [c for c in chosen if c not in question.codes]
        if wrong:
            raise ServiceError(
                _("Question %(n)d has no option “%(code)s”. Choose among the options shown.")
                % {"n": number, "code": wrong[0]},
                code="invalid_ballot",
            )
        low, high = (
            (1, 1) if question.kind == QuestionKind.SINGLE else (question.min_choices, question.max_choices)
        )
        if len(chosen) < low:
            message = (
                _("Answer question %(n)d: “%(text)s”.")
                if low == 1
                else _("Question %(n)d, “%(text)s”, needs at least %(low)d choices.")
            )
            raise ServiceError(
                message % {"n": number, "text": question.text, "low": low}, code="invalid_ballot"
            )
        if len(chosen) > high:
            raise ServiceError(
                _("Question %(n)d, “%(text)s”, allows at most %(high)d choices; you chose %(count)d.")
                % {"n": number, "text": question.text, "high": high, "count": len(chosen)},
                code="invalid_ballot",
            )
        result[question.id] = sorted(chosen)
    return result


def poll_ballot_cast(
    *,
    voter: Any,
    poll_id: uuid.UUID,
    answers: Mapping[str, Sequence[str]],
    lives_in_district: bool = False,
    channel: BallotChannel = BallotChannel.WEB,
) -> CastReceipt:
    poll = _published(Poll, poll_id)
    if poll is None:
        raise NotFoundError(_("There is no poll at this address."))
    _check_window(poll)
    process_eligibility(user=voter, process=poll, lives_in_district=lives_in_district)
    # No "already voted" read first: the roll's unique constraint refuses a second ballot in _cast.
    content = poll_answers_validate(poll, answers)
    return _cast(
        voter=voter,
        process=poll,
        roll=PollVoter,
        box=PollBallot,
        ballot={"answers": content},
        channel=channel,
    )


def budget_projects_validate(budget: Budget, codes: Sequence[str]) -> list[str]:
    """The ballot rule of the budget: knapsack (within the budget, and at least the minimum share
    of it) or approval (between the fewest and the most projects). Returns the sorted codes."""
    projects = {p.code: p for p in budget.projects.all()}
    chosen = list(dict.fromkeys(codes))
    wrong = [c for c in chosen if c not in projects]
    if wrong:
        raise ServiceError(
            _("There is no project “%(code)s” in this budget. Choose among the projects listed.")
            % {"code": wrong[0]},
            code="invalid_ballot",
        )
    count = len(chosen)
    if count < max(1, budget.min_projects):
        raise ServiceError(
            _("Choose at least %(low)d project(s); you chose %(count)d.")
            % {"low": max(1, budget.min_projects), "count": count},
            code="too_few_projects",
        )
    if budget.max_projects is not None and count > budget.max_projects:
        raise ServiceError(
            _("Choose at most %(high)d projects; you chose %(count)d. Remove some and vote again.")
            % {"high": budget.max_projects, "count": count},
            code="too_many_projects",
        )
    if budget.vote_rule == VoteRule.KNAPSACK:
        spent = sum(projects[c].cost for c in chosen)
        if spent > budget.total:
            raise ServiceError(
                _(
                    "Your choice costs %(spent)s %(currency)s, more than the budget of %(total)s. "
                    "Remove projects until it fits."
                )
                % {"spent": f"{spent:,}", "currency": budget.currency, "total": f"{budget.total:,}"},
                code="over_budget",
            )
        least = budget.total * budget.min_spend_percent / 100
        if spent < least:
            raise ServiceError(
                _(
                    "Your choice costs %(spent)s %(currency)s; choose projects worth at least %(least)s "
                    "(%(pct)d %% of the budget)."
                )
                % {
                    "spent": f"{spent:,}",
                    "currency": budget.currency,
                    "least": f"{least:,.0f}",
                    "pct": budget.min_spend_percent,
                },
                code="under_minimum_spend",
            )
    return sorted(chosen)


def budget_ballot_cast(
    *,
    voter: Any,
    budget_id: uuid.UUID,
    projects: Sequence[str],
    lives_in_district: bool = False,
    channel: BallotChannel = BallotChannel.WEB,
) -> CastReceipt:
    budget = _published(Budget, budget_id)
    if budget is None:
        raise NotFoundError(_("There is no participatory budget at this address."))
    _check_window(budget)
    process_eligibility(user=voter, process=budget, lives_in_district=lives_in_district)
    # No "already voted" read first: the roll's unique constraint refuses a second ballot in _cast.
    codes = budget_projects_validate(budget, projects)
    return _cast(
        voter=voter,
        process=budget,
        roll=BudgetVoter,
        box=BudgetBallot,
        ballot={"projects": codes},
        channel=channel,
    )


def demo_ballots_add(*, process: Poll | Budget, ballots: Sequence[dict[str, Any]], voter_prefix: str) -> int:
    """Demo data only: ballots from synthetic voters (no accounts), validated like real ones."""
    added = 0
    for number, ballot in enumerate(ballots):
        key = hashlib.sha256(f"demo|{voter_prefix}|{number}".encode()).hexdigest()
        if isinstance(process, Poll):
            content: dict[str, Any] = {"answers": poll_answers_validate(process, ballot["answers"])}
            _cast(
                voter=None,
                process=process,
                roll=PollVoter,
                box=PollBallot,
                ballot=content,
                channel=BallotChannel.WEB,
                demo_key=key,
            )
        else:
            content = {"projects": budget_projects_validate(process, ballot["projects"])}
            _cast(
                voter=None,
                process=process,
                roll=BudgetVoter,
                box=BudgetBallot,
                ballot=content,
                channel=BallotChannel.WEB,
                demo_key=key,
            )
        added += 1
    return added


def has_voted(*, user: Any, process: Poll | Budget) -> bool:
    if user is None or not user.is_authenticated:
        return False
    key = _voter_key(process.pk, user)
    if isinstance(process, Poll):
        return PollVoter.objects.filter(poll=process, voter_key=key).exists()
    return BudgetVoter.objects.filter(budget=process, voter_key=key).exists()


# --- Sealing and outcomes ------------------------------------------------------------------


def _reshuffle(box: type[PollBallot] | type[BudgetBallot], kind: str, process: Poll | Budget) -> int:
    """Rewrite the box in a random order, in one transaction: the rows get new physical places and
    (on PostgreSQL) one shared transaction id, so neither matches the order of the roll any more."""
    rows = list(box.objects.filter(**{kind: process}))
    secrets.SystemRandom().shuffle(rows)
    box.objects.filter(**{kind: process}).delete()
    box.objects.bulk_create(rows, batch_size=2000)  # type: ignore[arg-type]
    return len(rows)


def _fraction(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}" if value.denominator != 1 else str(value.numerator)


def budget_instance(budget: Budget) -> outcomes.PbInstance:
    projects = tuple(outcomes.PbProject(p.code, p.cost) for p in budget.projects.order_by("position", "code"))
    ballots = tuple(
        frozenset(codes)
        for codes in BudgetBallot.objects.filter(budget=budget)
        .order_by("receipt")
        .values_list("projects", flat=True)
    )
    return outcomes.PbInstance(budget=budget.total, projects=projects, ballots=ballots)


def budget_outcomes_compute(budget: Budget) -> None:
    """Compute and store both outcomes (greedy and MES), with what the results pages publish."""
    instance = budget_instance(budget)
    votes = instance.votes()
    greedy = outcomes.greedy(instance)
    mes = outcomes.method_of_equal_shares(instance, utility=budget.mes_utility, complete=True)
    BudgetOutcome.objects.filter(budget=budget).delete()
    BudgetOutcome.objects.create(
        budget=budget,
        method=OutcomeMethod.GREEDY,
        selected=list(greedy.selected),
        details={
            "spent": greedy.spent,
            "unspent": budget.total - greedy.spent,
            "votes": votes,
            "tie_break": instance.tie_break_order(),
            "steps": [
                {
                    "project": s.code,
                    "votes": s.votes,
                    "cost": s.cost,
                    "selected": s.selected,
                    "spent_after": s.spent_after,
                }
                for s in greedy.steps
            ],
        },
    )
    BudgetOutcome.objects.create(
        budget=budget,
        method=OutcomeMethod.MES,
        selected=list(mes.selected),
        details={
            "spent": mes.spent,
            "unspent": mes.unspent,
            "votes": votes,
            "voters": len(instance.ballots),
            "tie_break": instance.tie_break_order(),
            "utility": mes.utility,
            "base_share": _fraction(mes.base_share),
            "share_per_voter": _fraction(mes.share_per_voter),
            "budget_increase_steps": mes.budget_increase_steps,
            "completion_rule": "budget increase in steps of 1% of the budget, then greedy",
            "rounds": [
                {
                    "project": r.code,
                    "cost": r.cost,
                    "supporters": r.supporters,
                    "rho": _fraction(r.rho),
                    "paid_in_full": r.paid_in_full,
                    "score": _fraction(r.score),
                }
                for r in mes.rounds
            ],
            "completion": list(mes.completion),
        },
    )


def _tally(process: Poll | Budget) -> dict[str, Any]:
    """The counts and SHA-256 digests of the roll and the box, as sealing records them in the audit
    chain: roll = the sorted voter keys, one per line; box = canonical_json([receipt, choices]) per
    ballot, one per line, sorted by receipt. Sorted in Python, so both databases give the same bytes.
    Neither digest carries a choice next to a voter."""
    kind = "poll" if isinstance(process, Poll) else "budget"
    roll_model: type[PollVoter] | type[BudgetVoter] = PollVoter if kind == "poll" else BudgetVoter
    box_model: type[PollBallot] | type[BudgetBallot] = PollBallot if kind == "poll" else BudgetBallot
    content = "answers" if kind == "poll" else "projects"
    keys = sorted(roll_model.objects.filter(**{kind: process}).values_list("voter_key", flat=True))
    ballots = sorted(box_model.objects.filter(**{kind: process}).values_list("receipt", content))
    roll_digest = hashlib.sha256()
    for key in keys:
        roll_digest.update(key.encode() + b"\n")
    box_digest = hashlib.sha256()
    for receipt, choices in ballots:
        box_digest.update(canonical_json([receipt, choices]) + b"\n")
    return {
        "ballots": len(ballots),
        "roll": len(keys),
        "roll_sha256": roll_digest.hexdigest(),
        "box_sha256": box_digest.hexdigest(),
    }


def process_seal_check(*, process: Poll | Budget) -> list[str]:
    """Compare the roll and the box now with what sealing recorded in the audit chain; the list of
    differences is empty when nothing was added, removed or changed since (`cityhall audit verify`
    checks the chain itself)."""
    kind = "poll" if isinstance(process, Poll) else "budget"
    event = (
        AuditEvent.objects.filter(action=f"{kind}.sealed", object_type=kind, object_id=str(process.pk))
        .order_by("-seq")
        .first()
    )
    if event is None:
        return ["the vote has not been sealed"]
    now = _tally(process)
    return [
        f"{name}: sealed {event.data.get(name)!r}, now {value!r}"
        for name, value in now.items()
        if event.data.get(name) != value
    ]


def process_seal(*, process: Poll | Budget) -> bool:
    """After closing, once: reshuffle the box, compute budget outcomes, publish the open data.
    Returns True when this call sealed it. Safe to call again, and from several workers."""
    if process.state != ProcessState.CLOSED or process.sealed_at is not None:
        return False
    kind = "poll" if isinstance(process, Poll) else "budget"
    model: type[Poll] | type[Budget] = type(process)
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=process.pk)
        if locked.sealed_at is not None:
            return False
        box: type[PollBallot] | type[BudgetBallot] = PollBallot if kind == "poll" else BudgetBallot
        _reshuffle(box, kind, locked)
        if isinstance(locked, Budget):
            budget_outcomes_compute(locked)
        locked.sealed_at = timezone.now()
        locked.save(update_fields=["sealed_at", "updated_at"])
        tally = _tally(locked)
        # The one audit event of the voting itself: who voted is the roll, what was voted the box.
        audit_record(
            actor=Actor.system("voting-seal"),
            action=f"{kind}.sealed",
            object_type=kind,
            object_id=str(locked.pk),
            data=tally,
        )
        from cityhall.voting import tasks

        enqueue_on_commit(tasks.catalog_publish, kind=kind, process_id=str(locked.pk))
    process.sealed_at = locked.sealed_at
    return True


def processes_seal_due() -> int:
    """Seal every published process whose window has closed (the scheduled job)."""
    sealed = 0
    now = timezone.now()
    for model in (Poll, Budget):
        for process in model.objects.filter(published=True, closes_at__lte=now, sealed_at__isnull=True):
            sealed += process_seal(process=process)
    return sealed


# --- Staff: polls --------------------------------------------------------------------------


def _require_manager(actor: Any) -> None:
    """actor=None is the platform itself (the demo loader, commands)."""
    if actor is not None and not rules.can_manage_voting(actor):
        raise PermissionDeniedError(_("Only engagement staff (moderators) can manage polls and budgets."))


def _check_dates(opens_at: dt.datetime, closes_at: dt.datetime) -> None:
    if closes_at <= opens_at:
        raise ServiceError(_("The closing time must be after the opening time."), code="invalid_window")


def _district(slug: str) -> District | None:
    if not slug:
        return None
    district = District.objects.filter(slug=slug).first()
    if district is None:
        raise ServiceError(_("There is no district “%(slug)s”.") % {"slug": slug}, code="unknown_district")
    return district


@dataclass(frozen=True, slots=True)
class QuestionInput:
    text: str
    options: Sequence[tuple[str, str]]  # (code, label)
    kind: QuestionKind = QuestionKind.SINGLE
    min_choices: int = 1
    max_choices: int = 1
    profile_variable: str = ""


@transaction.atomic
def poll_create(
    *,
    actor: Any,
    title: str,
    description: str = "",
    kind: PollKind = PollKind.POLL,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    min_assurance: AssuranceLevel = AssuranceLevel.EMAIL_VERIFIED,
    district_slug: str = "",
    department_id: uuid.UUID | None = None,
    questions: Sequence[QuestionInput] = (),
) -> Poll:
    _require_manager(actor)
    if not title.strip():
        raise ServiceError(_("Give the poll a title."), code="title_required")
    _check_dates(opens_at, closes_at)
    poll = Poll.objects.create(
        title=title.strip(),
        description=description.strip(),
        kind=kind,
        opens_at=opens_at,
        closes_at=closes_at,
        min_assurance=min_assurance,
        district=_district(district_slug),
        department_id=department_id,
        created_by=actor,
    )
    for question in questions:
        _question_add(poll, question)
    audit_record(actor=audit_actor(actor), action="poll.create", object_type="poll", object_id=str(poll.pk))
    return poll


def _editable(process: Poll | Budget) -> None:
    if process.published:
        raise ServiceError(
            _("This vote is published; its questions and rules can no longer change."), code="published"
        )


def _question_add(poll: Poll, data: QuestionInput) -> Question:
    if not data.text.strip():
        raise ServiceError(_("Write the question."), code="question_required")
    options = [(code.strip(), label.strip()) for code, label in data.options if label.strip()]
    if len(options) < 2:
        raise ServiceError(_("A question needs at least two options."), code="options_required")
    codes = [code for code, _label in options]
    if len(set(codes)) != len(codes):
        raise ServiceError(_("Two options have the same code; give each its own."), code="options_duplicate")
    if data.kind == QuestionKind.SINGLE:
        low, high = 1, 1
    else:
        low, high = data.min_choices, min(data.max_choices, len(options))
        if not 0 <= low <= high:
            raise ServiceError(
                _("The fewest choices must not exceed the most choices."), code="invalid_bounds"
            )
    question = Question.objects.create(
        poll=poll,
        position=poll.questions.count(),
        text=data.text.strip(),
        kind=data.kind,
        min_choices=low,
        max_choices=high,
        profile_variable=data.profile_variable.strip(),
    )
    Option.objects.bulk_create(
        [
            Option(question=question, position=i, code=code, label=label)
            for i, (code, label) in enumerate(options)
        ]
    )
    return question


@transaction.atomic
def poll_question_add(*, actor: Any, poll_id: uuid.UUID, data: QuestionInput) -> Question:
    _require_manager(actor)
    poll = Poll.objects.select_for_update().get(pk=poll_id)
    _editable(poll)
    question = _question_add(poll, data)
    audit_record(
        actor=audit_actor(actor), action="poll.question_add", object_type="poll", object_id=str(poll.pk)
    )
    return question


@transaction.atomic
def poll_margins_set(*, actor: Any, poll_id: uuid.UUID, csv_text: str, source: str) -> Poll:
    """Census margins for raking, as `variable,category,share` lines; each variable needs a profile
    question whose option codes are the categories."""
    _require_manager(actor)
    poll = Poll.objects.select_for_update().get(pk=poll_id)
    try:
        margins = parse_margins_csv(csv_text)
    except ValueError as error:
        raise ServiceError(str(error), code="invalid_margins") from error
    profile = {
        q.profile_variable: q for q in poll.questions.prefetch_related("options") if q.profile_variable
    }
    for variable, targets in margins.items():
        question = profile.get(variable)
        if question is None:
            raise ServiceError(
                _("No profile question measures “%(variable)s”. Add one, with that census variable, first.")
                % {"variable": variable},
                code="invalid_margins",
            )
        codes = {o.code for o in question.options.all()}
        missing = [c for c in targets if c not in codes]
        if missing:
            raise ServiceError(
                _("“%(category)s” is not an option code of the question on “%(variable)s”.")
                % {"category": missing[0], "variable": variable},
                code="invalid_margins",
            )
    if not source.strip() and margins:
        raise ServiceError(_("Say where the census margins come from."), code="source_required")
    poll.margins = margins
    poll.margins_source = source.strip()
    poll.save(update_fields=["margins", "margins_source", "updated_at"])
    audit_record(
        actor=audit_actor(actor), action="poll.margins_set", object_type="poll", object_id=str(poll.pk)
    )
    return poll


@transaction.atomic
def process_publish(*, actor: Any, process: Poll | Budget) -> None:
    """Make a draft visible (it opens at its opening time). Its questions or projects are then fixed."""
    _require_manager(actor)
    kind = "poll" if isinstance(process, Poll) else "budget"
    locked = type(process).objects.select_for_update().get(pk=process.pk)
    _editable(locked)
    if isinstance(locked, Poll) and not locked.questions.exists():
        raise ServiceError(_("Add at least one question before publishing."), code="no_questions")
    if isinstance(locked, Budget) and locked.projects.count() < 2:
        raise ServiceError(_("Add at least two projects before publishing."), code="no_projects")
    if locked.closes_at <= timezone.now():
        raise ServiceError(
            _("The closing time has passed; move it later before publishing."), code="invalid_window"
        )
    locked.published = True
    locked.save(update_fields=["published", "updated_at"])
    audit_record(
        actor=audit_actor(actor), action=f"{kind}.publish", object_type=kind, object_id=str(locked.pk)
    )
    process.published = True


@transaction.atomic
def process_close_now(*, actor: Any, process: Poll | Budget) -> None:
    """End voting early (for example after a fault); the closing time becomes now."""
    _require_manager(actor)
    kind = "poll" if isinstance(process, Poll) else "budget"
    locked = type(process).objects.select_for_update().get(pk=process.pk)
    if locked.state != ProcessState.OPEN:
        raise ServiceError(_("Only an open vote can be closed."), code="not_open")
    locked.closes_at = timezone.now()
    locked.save(update_fields=["closes_at", "updated_at"])
    audit_record(actor=audit_actor(actor), action=f"{kind}.close", object_type=kind, object_id=str(locked.pk))
    process.closes_at = locked.closes_at


# --- Staff: budgets ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProjectInput:
    code: str
    title: str
    cost: int
    description: str = ""
    district_slug: str = ""


@transaction.atomic
def budget_create(
    *,
    actor: Any,
    title: str,
    description: str = "",
    total: int,
    currency: str = "EUR",
    vote_rule: VoteRule = VoteRule.KNAPSACK,
    min_projects: int = 1,
    max_projects: int | None = None,
    min_spend_percent: int = 0,
    mes_utility: str = "cost",
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    min_assurance: AssuranceLevel = AssuranceLevel.EMAIL_VERIFIED,
    district_slug: str = "",
    department_id: uuid.UUID | None = None,
    projects: Sequence[ProjectInput] = (),
) -> Budget:
    _require_manager(actor)
    if not title.strip():
        raise ServiceError(_("Give the budget a title."), code="title_required")
    if total <= 0:
        raise ServiceError(_("The budget must be more than zero."), code="invalid_total")
    _check_dates(opens_at, closes_at)
    if max_projects is not None and max_projects < max(1, min_projects):
        raise ServiceError(_("The most projects must not be fewer than the fewest."), code="invalid_bounds")
    if not 0 <= min_spend_percent <= 100:
        raise ServiceError(
            _("The least share to spend is a percentage from 0 to 100."), code="invalid_bounds"
        )
    budget = Budget.objects.create(
        title=title.strip(),
        description=description.strip(),
        total=total,
        currency=currency.upper()[:3],
        vote_rule=vote_rule,
        min_projects=max(1, min_projects),
        max_projects=max_projects,
        min_spend_percent=min_spend_percent if vote_rule == VoteRule.KNAPSACK else 0,
        mes_utility=mes_utility,
        opens_at=opens_at,
        closes_at=closes_at,
        min_assurance=min_assurance,
        district=_district(district_slug),
        department_id=department_id,
        created_by=actor,
    )
    for project in projects:
        _project_add(budget, project)
    audit_record(
        actor=audit_actor(actor), action="budget.create", object_type="budget", object_id=str(budget.pk)
    )
    return budget


def _project_add(budget: Budget, data: ProjectInput) -> Project:
    code = data.code.strip()
    if not code or not data.title.strip():
        raise ServiceError(_("A project needs a code and a title."), code="project_invalid")
    if data.cost <= 0:
        raise ServiceError(
            _("Project %(code)s: the cost must be more than zero.") % {"code": code}, code="project_invalid"
        )
    if Project.objects.filter(budget=budget, code=code).exists():
        raise ServiceError(
            _("There is already a project with the code %(code)s.") % {"code": code}, code="project_duplicate"
        )
    return Project.objects.create(
        budget=budget,
        code=code,
        title=data.title.strip(),
        description=data.description.strip(),
        cost=data.cost,
        district=_district(data.district_slug),
        position=budget.projects.count(),
    )


@transaction.atomic
def budget_project_add(*, actor: Any, budget_id: uuid.UUID, data: ProjectInput) -> Project:
    _require_manager(actor)
    budget = Budget.objects.select_for_update().get(pk=budget_id)
    _editable(budget)
    project = _project_add(budget, data)
    audit_record(
        actor=audit_actor(actor), action="budget.project_add", object_type="budget", object_id=str(budget.pk)
    )
    return project


# --- Catalog -------------------------------------------------------------------------------


def catalog_publish(*, kind: str, process_id: uuid.UUID) -> str:
    """Publish the sealed results to the open data catalog when the catalog offers it. Returns the
    dataset reference, or "" when there is no catalog function or no department to publish for."""
    from cityhall.catalog import facade as catalog_facade

    publish = getattr(catalog_facade, "dataset_publish_generated", None)
    if publish is None:
        return ""
    from cityhall.catalog.contracts import GeneratedFile
    from cityhall.voting import opendata

    model: type[Poll] | type[Budget] = Poll if kind == "poll" else Budget
    process = model.objects.filter(pk=process_id, sealed_at__isnull=False).first()
    if process is None or process.department_id is None:
        return ""
    files = [
        GeneratedFile(name=f.name, content=f.content, media_type=f.media_type, format=f.format)
        for f in opendata.files_for(process)
    ]
    result = publish(
        source_key=f"voting:{kind}:{process.pk}",
        department_id=process.department_id,
        title=str(_("Results: %(title)s") % {"title": process.title}),
        description=opendata.dataset_description(process),
        keywords=["participation", "poll" if kind == "poll" else "participatory budgeting"],
        theme="GOVE",
        files=files,
        license_id="CC-BY-4.0",
    )
    reference = str(getattr(result, "id", "") or getattr(result, "slug", "") or result or "")[:200]
    if reference and reference != process.catalog_dataset:
        process.catalog_dataset = reference
        process.save(update_fields=["catalog_dataset", "updated_at"])
    return reference
