"""Writes of the engagement module: every change goes through one function here.

Residents answer, comment, propose and support; eligibility is a minimum assurance level per process
(accounts decides the level). Staff actions are permission-checked and audited in the same transaction;
notifications go out after commit, through tasks that are safe to run twice.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cityhall.accounts import facade as accounts
from cityhall.accounts.contracts import AssuranceLevel, Permission
from cityhall.core.audit import audit_record
from cityhall.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from cityhall.core.taskqueue import enqueue_on_commit
from cityhall.engagement.contracts import (
    ConsultationPhase,
    EligibilityResult,
    Outcome,
    ProposalProcessStatus,
    ProposalStatus,
    QuestionKind,
    SupportChannel,
    ThresholdBasis,
)
from cityhall.engagement.models import (
    Answer,
    Comment,
    Consultation,
    ConsultationDocument,
    ConsultationResponse,
    ParticipantSettings,
    Proposal,
    ProposalProcess,
    Question,
    ReportItem,
    Support,
)

TEXT_ANSWER_MAX = 5000
COMMENT_MAX = 2000
# Spam controls; a city may change them in settings (read at call time).
COMMENTS_PER_WINDOW = 10
COMMENT_WINDOW_SECONDS = 600
PROPOSALS_PER_DAY = 3


# --- Eligibility ----------------------------------------------------------------------------


def _eligibility(user: Any, level: AssuranceLevel | int) -> tuple[EligibilityResult, AssuranceLevel | None]:
    """The result, and the person's assurance level when they are eligible (looked up once)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return EligibilityResult(False, _("Sign in or create an account to take part.")), None
    if not user.is_active:
        return EligibilityResult(False, _("This account is disabled, so it cannot take part.")), None
    if not accounts.user_has_permission(user, Permission.PARTICIPATE):
        return EligibilityResult(False, _("This account may not take part in city processes.")), None
    current = accounts.user_assurance_level(user)
    if current >= level:
        return EligibilityResult(True, ""), AssuranceLevel(current)
    try:  # accounts words the refusal and says how to reach the level
        accounts.require_assurance(user, AssuranceLevel(level))
    except PermissionDeniedError as error:
        return EligibilityResult(False, error.message), None
    return EligibilityResult(True, ""), AssuranceLevel(current)  # pragma: no cover - verified meanwhile


def eligibility_check(user: Any, level: AssuranceLevel | int) -> EligibilityResult:
    """May `user` take part in a process that asks for `level`? The reason says what to do if not."""
    return _eligibility(user, level)[0]


def _require_eligible(user: Any, level: int) -> AssuranceLevel:
    result, current = _eligibility(user, level)
    if not result.ok or current is None:
        raise PermissionDeniedError(result.reason)
    return current


def _require(user: Any, permission: Permission, message: str, department_id: uuid.UUID | None = None) -> None:
    if not accounts.user_has_permission(user, permission, department_id=department_id):
        raise PermissionDeniedError(message)


def _require_manager(user: Any, department_id: uuid.UUID | None = None) -> None:
    _require(
        user,
        Permission.MANAGE_ENGAGEMENT,
        _("Only engagement managers (moderators) can run consultations and calls for proposals."),
        department_id,
    )


def _audit(
    actor: Any, action: str, object_type: str, object_id: Any, data: dict[str, Any] | None = None
) -> None:
    audit_record(
        actor=accounts.audit_actor(actor, system="engagement"),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        data=data or {},
    )


def _rate_limit(key: str, *, limit: int, seconds: int, message: str) -> None:
    """Count an attempt; refuse (HTTP 429) past the limit. Checked before anything is written."""
    cache_key = f"engagement:rate:{key}"
    cache.add(cache_key, 0, timeout=seconds)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=seconds)
        count = 1
    if count > limit:
        raise ServiceError(message, code="rate_limited", status=429)


def _clean_text(value: str, *, name: str, max_length: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ServiceError(_("Write the %(name)s: it is empty.") % {"name": name}, code="required")
    if len(text) > max_length:
        raise ServiceError(
            _("The %(name)s is %(length)d characters long; shorten it to at most %(max)d.")
            % {"name": name, "length": len(text), "max": max_length},
            code="too_long",
        )
    return text


def _unique_slug(model: Any, title: str, slug: str = "") -> str:
    base = slugify(slug or title)[:80] or "process"
    candidate, number = base, 2
    while model.objects.filter(slug=candidate).exists():
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def absolute_url(path: str) -> str:
    return f"{settings.CITYHALL_BASE_URL}{path}"


def consultation_url(consultation: Consultation) -> str:
    return absolute_url(reverse("engagement:consultation", args=[consultation.slug]))


def proposal_url(proposal: Proposal) -> str:
    return absolute_url(reverse("engagement:proposal", args=[proposal.process.slug, proposal.pk]))


def process_url(process: ProposalProcess) -> str:
    return absolute_url(reverse("engagement:process", args=[process.slug]))


# --- Consultations: staff -------------------------------------------------------------------


def _locked_consultation(consultation_id: uuid.UUID) -> Consultation:
    consultation = Consultation.objects.select_for_update().filter(pk=consultation_id).first()
    if consultation is None:
        raise NotFoundError(_("There is no consultation with this id."))
    return consultation


@transaction.atomic
def consultation_create(
    *,
    actor: Any,
    title: str,
    summary: str,
    body: str = "",
    slug: str = "",
    eligibility: AssuranceLevel = AssuranceLevel.EMAIL_VERIFIED,
    closes_on: dt.date | None = None,
    department_id: uuid.UUID | None = None,
) -> Consultation:
    _require_manager(actor, department_id)
    consultation = Consultation.objects.create(
        slug=_unique_slug(Consultation, title, slug),
        title=_clean_text(title, name=_("title"), max_length=200),
        summary=_clean_text(summary, name=_("summary"), max_length=500),
        body=body.strip(),
        eligibility=AssuranceLevel(eligibility),
        closes_on=closes_on,
        department_id=department_id,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _audit(actor, "consultation.create", "consultation", consultation.pk, {"title": consultation.title})
    return consultation


@transaction.atomic
def consultation_edit(
    *,
    actor: Any,
    consultation_id: uuid.UUID,
    title: str,
    summary: str,
    body: str,
    eligibility: AssuranceLevel,
    closes_on: dt.date | None,
) -> Consultation:
    consultation = _locked_consultation(consultation_id)
    _require_manager(actor, consultation.department_id)
    if consultation.phase != ConsultationPhase.DRAFT:
        raise ServiceError(
            _("Only a draft consultation can be edited: residents have already seen this one."),
            code="wrong_phase",
        )
    consultation.title = _clean_text(title, name=_("title"), max_length=200)
    consultation.summary = _clean_text(summary, name=_("summary"), max_length=500)
    consultation.body = body.strip()
    consultation.eligibility = AssuranceLevel(eligibility)
    consultation.closes_on = closes_on
    consultation.save(update_fields=["title", "summary", "body", "eligibility", "closes_on", "updated_at"])
    _audit(actor, "consultation.edit", "consultation", consultation.pk)
    return consultation


def _require_draft(consultation: Consultation, what: str) -> None:
    if consultation.phase != ConsultationPhase.DRAFT:
        raise ServiceError(
            _("%(what)s can only be changed while the consultation is a draft.") % {"what": what},
            code="wrong_phase",
        )


@dataclass(frozen=True, slots=True)
class QuestionInput:
    kind: QuestionKind
    text: str
    help_text: str = ""
    required: bool = False
    options: Sequence[str] = ()
    scale_min: int = 1
    scale_max: int = 5
    scale_min_label: str = ""
    scale_max_label: str = ""


@transaction.atomic
def question_add(*, actor: Any, consultation_id: uuid.UUID, data: QuestionInput) -> Question:
    consultation = _locked_consultation(consultation_id)
    _require_manager(actor, consultation.department_id)
    _require_draft(consultation, _("Questions"))
    kind = QuestionKind(data.kind)
    options = [option.strip() for option in data.options if option.strip()]
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and len(options) < 2:
        raise ServiceError(_("A choice question needs at least two choices, one per line."), code="options")
    if kind == QuestionKind.SCALE and not data.scale_min < data.scale_max:
        raise ServiceError(
            _("The lowest point of the scale must be below the highest, for example 1 to 5."), code="scale"
        )
    if kind == QuestionKind.SCALE and data.scale_max - data.scale_min > 10:
        raise ServiceError(_("A scale can have at most 11 points."), code="scale")
    position = consultation.questions.count() + 1
    question = Question.objects.create(
        consultation=consultation,
        position=position,
        kind=kind,
        text=_clean_text(data.text, name=_("question"), max_length=500),
        help_text=data.help_text.strip()[:500],
        required=data.required,
        options=options if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) else [],
        scale_min=data.scale_min if kind == QuestionKind.SCALE else 1,
        scale_max=data.scale_max if kind == QuestionKind.SCALE else 5,
        scale_min_label=data.scale_min_label.strip()[:100],
        scale_max_label=data.scale_max_label.strip()[:100],
    )
    _audit(actor, "consultation.question_add", "consultation", consultation.pk, {"question": question.pk})
    return question


@transaction.atomic
def document_add(*, actor: Any, consultation_id: uuid.UUID, title: str, url: str) -> ConsultationDocument:
    consultation = _locked_consultation(consultation_id)
    _require_manager(actor, consultation.department_id)
    if consultation.phase not in (ConsultationPhase.DRAFT, ConsultationPhase.OPEN):
        raise ServiceError(
            _("Documents can be added while the consultation is a draft or open."), code="wrong_phase"
        )
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as error:
        raise ServiceError(
            _("Give the document's full address, starting with https://."), code="url"
        ) from error
    document = ConsultationDocument.objects.create(
        consultation=consultation,
        title=_clean_text(title, name=_("document title"), max_length=200),
        url=url,
        position=consultation.documents.count() + 1,
    )
    _audit(actor, "consultation.document_add", "consultation", consultation.pk, {"url": url})
    return document


_NEXT_PHASE = {
    ConsultationPhase.DRAFT: ConsultationPhase.OPEN,
    ConsultationPhase.OPEN: ConsultationPhase.CLOSED,
}


@transaction.atomic
def consultation_phase_set(
    *, actor: Any, consultation_id: uuid.UUID, phase: ConsultationPhase
) -> Consultation:
    """Open a draft or close an open consultation (the report phase comes with report publishing)."""
    consultation = _locked_consultation(consultation_id)
    _require_manager(actor, consultation.department_id)
    current = ConsultationPhase(consultation.phase)
    if _NEXT_PHASE.get(current) != phase:
        raise ServiceError(
            _("A consultation in phase “%(current)s” cannot move to “%(phase)s”.")
            % {"current": current.label, "phase": ConsultationPhase(phase).label},
            code="wrong_phase",
        )
    now = timezone.now()
    if phase == ConsultationPhase.OPEN:
        if not consultation.questions.exists():
            raise ServiceError(
                _("Add at least one question before opening the consultation."), code="no_questions"
            )
        consultation.opened_at = now
    else:
        consultation.closed_at = now
    consultation.phase = phase
    consultation.save(update_fields=["phase", "opened_at", "closed_at", "updated_at"])
    _audit(actor, f"consultation.{phase}", "consultation", consultation.pk, {"from": str(current)})
    return consultation


@dataclass(frozen=True, slots=True)
class ReportItemInput:
    theme: str
    outcome: Outcome
    response: str
    submissions: int = 0
    decision_id: uuid.UUID | None = None
    change_url: str = ""


def _decision_exists(decision_id: uuid.UUID) -> bool | None:
    """True/False when the decisions module answers; None when it is not there (yet)."""
    try:
        from cityhall.decisions import facade as decisions
    except ImportError:  # pragma: no cover - the module is always installed today
        return None
    lookup = getattr(decisions, "decision_ref", None)
    if lookup is None:
        return None
    return lookup(decision_id) is not None


def _check_decision(decision_id: uuid.UUID | None) -> None:
    if decision_id is not None and _decision_exists(decision_id) is False:
        raise ServiceError(
            _("There is no decision with the id %(id)s. Pick one from the list of decisions.")
            % {"id": decision_id},
            code="decision_unknown",
        )


@transaction.atomic
def report_item_add(*, actor: Any, consultation_id: uuid.UUID, data: ReportItemInput) -> ReportItem:
    consultation = _locked_consultation(consultation_id)
    _require_manager(actor, consultation.department_id)
    if consultation.phase != ConsultationPhase.CLOSED:
        raise ServiceError(
            _("Write the report once the consultation is closed and before it is published."),
            code="wrong_phase",
        )
    _check_decision(data.decision_id)
    if data.change_url:
        try:
            URLValidator(schemes=["http", "https"])(data.change_url)
        except ValidationError as error:
            raise ServiceError(
                _("Give the full address of the changed plan, starting with https://."), code="url"
            ) from error
    if data.submissions < 0:
        raise ServiceError(_("The number of submissions cannot be negative."), code="submissions")
    item = ReportItem.objects.create(
        consultation=consultation,
        position=consultation.report_items.count() + 1,
        theme=_clean_text(data.theme, name=_("theme"), max_length=300),
        submissions=data.submissions,
        outcome=Outcome(data.outcome),
        response=_clean_text(data.response, name=_("response"), max_length=5000),
        decision_id=data.decision_id,
        change_url=data.change_url,
    )
    _audit(actor, "consultation.report_item_add", "consultation", consultation.pk, {"item": item.pk})
    return item


@transaction.atomic
def consultation_report_publish(*, actor: Any, consultation_id: uuid.UUID, summary: str) -> Consultation:
    """Publish "you said, we did": the consultation moves to the report phase; participants are told."""
    consultation = _locked_consultation(consultation_id)
    _require_manager(actor, consultation.department_id)
    if consultation.phase != ConsultationPhase.CLOSED:
        raise ServiceError(_("Only a closed consultation can get its report published."), code="wrong_phase")
    if not consultation.report_items.exists():
        raise ServiceError(
            _("Add at least one “you said, we did” line before publishing the report."), code="report_empty"
        )
    consultation.report_summary = _clean_text(summary, name=_("report summary"), max_length=10000)
    consultation.report_published_at = timezone.now()
    consultation.phase = ConsultationPhase.REPORT
    consultation.save(update_fields=["report_summary", "report_published_at", "phase", "updated_at"])
    _audit(actor, "consultation.report_publish", "consultation", consultation.pk)
    from cityhall.engagement import tasks

    enqueue_on_commit(tasks.consultation_report_notify, consultation_id=str(consultation.pk))
    return consultation


# --- Consultations: residents ---------------------------------------------------------------


class AnswersInvalidError(ServiceError):
    """Some answers are wrong; `problems` maps each question id to what is wrong with its answer."""

    def __init__(self, problems: dict[int, str]) -> None:
        super().__init__(
            _("%(count)d answer(s) need attention: %(first)s")
            % {"count": len(problems), "first": next(iter(problems.values()))},
            code="answers_invalid",
        )
        self.problems = problems


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple):
        return not [v for v in value if str(v).strip()]
    return False


def _clean_answer(question: Question, value: Any) -> tuple[dict[str, Any] | None, str]:
    """(fields for Answer, '') or (None, problem). A blank optional answer gives ({}, '')."""
    if _is_blank(value):
        if question.required:
            return None, _("This question needs an answer.")
        return {}, ""
    kind = QuestionKind(question.kind)
    if kind == QuestionKind.TEXT:
        text = str(value).strip()
        if len(text) > TEXT_ANSWER_MAX:
            return None, _("Shorten the answer to at most %(max)d characters.") % {"max": TEXT_ANSWER_MAX}
        return {"text": text}, ""
    if kind == QuestionKind.SCALE:
        number = _as_int(value)
        if number is None or not question.scale_min <= number <= question.scale_max:
            return None, _("Pick a number from %(low)d to %(high)d.") % {
                "low": question.scale_min,
                "high": question.scale_max,
            }
        return {"scale_value": number}, ""
    values = list(value) if isinstance(value, list | tuple) else [value]
    if kind == QuestionKind.SINGLE and len(values) != 1:
        return None, _("Pick only one of the choices.")
    picked = [_as_int(v) for v in values if str(v).strip()]
    if any(index is None or not 0 <= index < len(question.options) for index in picked):
        return None, _("Pick from the choices shown.")
    return {"choices": sorted({index for index in picked if index is not None})}, ""


@transaction.atomic
def consultation_answer(
    *, user: Any, consultation_id: uuid.UUID, answers: Mapping[int, Any]
) -> ConsultationResponse:
    """Store one participant's answers, all or nothing. One response per participant."""
    consultation = Consultation.objects.filter(pk=consultation_id).first()
    if consultation is None:
        raise NotFoundError(_("There is no consultation with this id."))
    if consultation.phase != ConsultationPhase.OPEN:
        raise ServiceError(
            _("This consultation is not open for answers (it is “%(phase)s”).")
            % {"phase": ConsultationPhase(consultation.phase).label},
            code="not_open",
            status=409,
        )
    level = _require_eligible(user, consultation.eligibility)
    questions = list(consultation.questions.all())
    known = {question.pk for question in questions}
    unknown = [key for key in answers if key not in known]
    if unknown:
        raise ServiceError(
            _("Question %(id)s is not part of this consultation.") % {"id": unknown[0]},
            code="unknown_question",
        )
    problems: dict[int, str] = {}
    cleaned: list[tuple[Question, dict[str, Any]]] = []
    for question in questions:
        fields, problem = _clean_answer(question, answers.get(question.pk))
        if fields is None:
            problems[question.pk] = problem
        elif fields:
            cleaned.append((question, fields))
    if problems:
        raise AnswersInvalidError(problems)
    if not cleaned:
        raise ServiceError(_("Answer at least one question before sending."), code="no_answers")
    if ConsultationResponse.objects.filter(consultation=consultation, user=user).exists():
        raise _already_answered()
    try:
        with transaction.atomic():
            response = ConsultationResponse.objects.create(
                consultation=consultation, user=user, assurance_level=level
            )
    except IntegrityError as error:  # a concurrent second submission
        raise _already_answered() from error
    Answer.objects.bulk_create([Answer(response=response, question=q, **fields) for q, fields in cleaned])
    return response


def _already_answered() -> ServiceError:
    return ServiceError(
        _("You have already answered this consultation; each participant answers once."),
        code="already_answered",
        status=409,
    )


@transaction.atomic
def comment_create(
    *, user: Any, body: str, consultation_id: uuid.UUID | None = None, proposal_id: uuid.UUID | None = None
) -> Comment:
    if (consultation_id is None) == (proposal_id is None):
        raise ServiceError(_("Comment on either a consultation or a proposal."), code="target")
    consultation = proposal = None
    if consultation_id is not None:
        consultation = Consultation.objects.filter(pk=consultation_id).first()
        if consultation is None:
            raise NotFoundError(_("There is no consultation with this id."))
        if consultation.phase != ConsultationPhase.OPEN:
            raise ServiceError(
                _("Comments are closed: this consultation is “%(phase)s”.")
                % {"phase": ConsultationPhase(consultation.phase).label},
                code="not_open",
                status=409,
            )
        level = consultation.eligibility
    else:
        proposal = Proposal.objects.select_related("process").filter(pk=str(proposal_id)).first()
        if proposal is None or proposal.status == ProposalStatus.HIDDEN:
            raise NotFoundError(_("There is no proposal with this id."))
        if proposal.process.status != ProposalProcessStatus.OPEN:
            raise ServiceError(
                _("Comments are closed: this call for proposals is not open."), code="not_open", status=409
            )
        level = proposal.process.eligibility
    _require_eligible(user, level)
    text = _clean_text(body, name=_("comment"), max_length=COMMENT_MAX)
    _rate_limit(
        f"comment:{user.pk}",
        limit=getattr(settings, "ENGAGEMENT_COMMENTS_PER_WINDOW", COMMENTS_PER_WINDOW),
        seconds=COMMENT_WINDOW_SECONDS,
        message=_("You have written many comments in a short time. Wait ten minutes and try again."),
    )
    return Comment.objects.create(consultation=consultation, proposal=proposal, author=user, body=text)


@transaction.atomic
def comment_hide(*, actor: Any, comment_id: uuid.UUID, reason: str) -> Comment:
    _require(actor, Permission.MODERATE_CONTRIBUTIONS, _("Only moderators can hide comments."))
    comment = Comment.objects.select_for_update().filter(pk=comment_id).first()
    if comment is None:
        raise NotFoundError(_("There is no comment with this id."))
    why = _clean_text(reason, name=_("reason"), max_length=500)
    if comment.hidden_at is not None:
        raise ServiceError(_("This comment is already hidden."), code="already_hidden")
    comment.hidden_at = timezone.now()
    comment.hidden_by = actor
    comment.hidden_reason = why
    comment.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "updated_at"])
    _audit(actor, "comment.hide", "engagement_comment", comment.pk, {"reason": why})
    return comment


# --- Calls for proposals: staff -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProposalProcessInput:
    title: str
    summary: str
    threshold_value: Decimal
    threshold_basis: ThresholdBasis = ThresholdBasis.ABSOLUTE
    body: str = ""
    slug: str = ""
    eligibility: AssuranceLevel = AssuranceLevel.EMAIL_VERIFIED
    window_end: dt.date | None = None
    response_days: int = 90
    supports_per_person: int = 0
    proposals_per_person: int = 0
    accumulate_beyond: bool = False
    department_id: uuid.UUID | None = None


@transaction.atomic
def proposal_process_create(*, actor: Any, data: ProposalProcessInput) -> ProposalProcess:
    _require_manager(actor, data.department_id)
    value = Decimal(data.threshold_value)
    if value <= 0:
        raise ServiceError(_("The threshold must be more than zero."), code="threshold")
    if data.threshold_basis == ThresholdBasis.SHARE and value > 100:
        raise ServiceError(_("A share threshold is a percentage from 0.01 to 100."), code="threshold")
    if data.threshold_basis == ThresholdBasis.ABSOLUTE and value != value.to_integral_value():
        raise ServiceError(_("A number of supports is a whole number."), code="threshold")
    if not 1 <= data.response_days <= 365:
        raise ServiceError(_("Give the city 1 to 365 days to respond."), code="response_days")
    process = ProposalProcess.objects.create(
        slug=_unique_slug(ProposalProcess, data.title, data.slug),
        title=_clean_text(data.title, name=_("title"), max_length=200),
        summary=_clean_text(data.summary, name=_("summary"), max_length=500),
        body=data.body.strip(),
        eligibility=AssuranceLevel(data.eligibility),
        threshold_basis=ThresholdBasis(data.threshold_basis),
        threshold_value=value,
        window_end=data.window_end,
        response_days=data.response_days,
        supports_per_person=data.supports_per_person,
        proposals_per_person=data.proposals_per_person,
        accumulate_beyond=data.accumulate_beyond,
        department_id=data.department_id,
    )
    _audit(actor, "proposal_process.create", "proposal_process", process.pk, {"title": process.title})
    return process


def _locked_process(process_id: uuid.UUID) -> ProposalProcess:
    process = ProposalProcess.objects.select_for_update().filter(pk=process_id).first()
    if process is None:
        raise NotFoundError(_("There is no call for proposals with this id."))
    return process


@transaction.atomic
def proposal_process_open(*, actor: Any, process_id: uuid.UUID) -> ProposalProcess:
    """Open the call. A share threshold is turned into a number of supports now, and frozen."""
    process = _locked_process(process_id)
    _require_manager(actor, process.department_id)
    if process.status != ProposalProcessStatus.DRAFT:
        raise ServiceError(_("Only a draft call for proposals can be opened."), code="wrong_status")
    if process.window_end is not None and process.window_end < timezone.localdate():
        raise ServiceError(_("The support window ends in the past; move its end date first."), code="window")
    if process.threshold_basis == ThresholdBasis.SHARE:
        eligible = accounts.users_at_assurance_count(AssuranceLevel(process.eligibility))
        process.eligible_at_opening = eligible
        process.supports_needed = max(1, math.ceil(eligible * process.threshold_value / 100))
    else:
        process.supports_needed = int(process.threshold_value)
    process.status = ProposalProcessStatus.OPEN
    process.opened_at = timezone.now()
    process.save(
        update_fields=["eligible_at_opening", "supports_needed", "status", "opened_at", "updated_at"]
    )
    _audit(
        actor,
        "proposal_process.open",
        "proposal_process",
        process.pk,
        {"supports_needed": process.supports_needed, "eligible_at_opening": process.eligible_at_opening},
    )
    return process


@transaction.atomic
def proposal_process_close(*, actor: Any, process_id: uuid.UUID) -> ProposalProcess:
    """Close the call: proposals that did not qualify expire; qualified ones still get their response."""
    process = _locked_process(process_id)
    _require_manager(actor, process.department_id)
    if process.status != ProposalProcessStatus.OPEN:
        raise ServiceError(_("Only an open call for proposals can be closed."), code="wrong_status")
    process.status = ProposalProcessStatus.CLOSED
    process.closed_at = timezone.now()
    process.save(update_fields=["status", "closed_at", "updated_at"])
    expired = process.proposals.filter(status=ProposalStatus.OPEN).update(
        status=ProposalStatus.EXPIRED, updated_at=timezone.now()
    )
    _audit(actor, "proposal_process.close", "proposal_process", process.pk, {"expired": expired})
    return process


@transaction.atomic
def proposal_respond(
    *,
    actor: Any,
    proposal_id: uuid.UUID,
    outcome: Outcome,
    text: str,
    decision_id: uuid.UUID | None = None,
) -> Proposal:
    """The city's official response; the author and supporters are told."""
    proposal = Proposal.objects.select_for_update().select_related("process").filter(pk=proposal_id).first()
    if proposal is None:
        raise NotFoundError(_("There is no proposal with this id."))
    _require_manager(actor, proposal.process.department_id)
    if proposal.status not in (ProposalStatus.QUALIFIED, ProposalStatus.OPEN, ProposalStatus.EXPIRED):
        raise ServiceError(
            _("This proposal is “%(status)s” and cannot get a response.")
            % {"status": ProposalStatus(proposal.status).label},
            code="wrong_status",
        )
    _check_decision(decision_id)
    proposal.response_outcome = Outcome(outcome)
    proposal.response_text = _clean_text(text, name=_("response"), max_length=10000)
    proposal.response_decision_id = decision_id
    proposal.responded_at = timezone.now()
    proposal.responded_by = actor
    proposal.status = ProposalStatus.ANSWERED
    proposal.save(
        update_fields=[
            "response_outcome",
            "response_text",
            "response_decision_id",
            "responded_at",
            "responded_by",
            "status",
            "updated_at",
        ]
    )
    _audit(
        actor,
        "proposal.respond",
        "proposal",
        proposal.pk,
        {"outcome": str(outcome), "decision_id": str(decision_id) if decision_id else None},
    )
    from cityhall.engagement import tasks

    enqueue_on_commit(tasks.proposal_answered_notify, proposal_id=str(proposal.pk))
    return proposal


@transaction.atomic
def proposal_hide(*, actor: Any, proposal_id: uuid.UUID, reason: str) -> Proposal:
    _require(actor, Permission.MODERATE_CONTRIBUTIONS, _("Only moderators can hide proposals."))
    proposal = Proposal.objects.select_for_update().filter(pk=proposal_id).first()
    if proposal is None:
        raise NotFoundError(_("There is no proposal with this id."))
    why = _clean_text(reason, name=_("reason"), max_length=500)
    if proposal.status == ProposalStatus.HIDDEN:
        raise ServiceError(_("This proposal is already hidden."), code="already_hidden")
    previous = proposal.status
    proposal.status = ProposalStatus.HIDDEN
    proposal.hidden_reason = why
    proposal.save(update_fields=["status", "hidden_reason", "updated_at"])
    _audit(actor, "proposal.hide", "proposal", proposal.pk, {"reason": why, "status_before": previous})
    return proposal


# --- Proposals: residents -------------------------------------------------------------------


def _require_open_process(process: ProposalProcess) -> None:
    if process.status != ProposalProcessStatus.OPEN:
        raise ServiceError(
            _("This call for proposals is not open (it is “%(status)s”).")
            % {"status": ProposalProcessStatus(process.status).label},
            code="not_open",
            status=409,
        )
    if process.window_end is not None and timezone.localdate() > process.window_end:
        raise ServiceError(
            _("This call for proposals ended on %(date)s.") % {"date": process.window_end.isoformat()},
            code="window_ended",
            status=409,
        )


@transaction.atomic
def proposal_create(
    *, user: Any, process_id: uuid.UUID, title: str, summary: str, body: str = ""
) -> Proposal:
    process = ProposalProcess.objects.filter(pk=process_id).first()
    if process is None:
        raise NotFoundError(_("There is no call for proposals with this id."))
    _require_open_process(process)
    _require_eligible(user, process.eligibility)
    clean_title = _clean_text(title, name=_("title"), max_length=150)
    clean_summary = _clean_text(summary, name=_("summary"), max_length=500)
    clean_body = _clean_text(body, name=_("description"), max_length=10000, required=False)
    if process.proposals_per_person:
        mine = Proposal.objects.filter(process=process, author=user).exclude(status=ProposalStatus.WITHDRAWN)
        if mine.count() >= process.proposals_per_person:
            raise ServiceError(
                _("Each person may make %(count)d proposal(s) in this call, and you have made them.")
                % {"count": process.proposals_per_person},
                code="proposal_limit",
            )
    _rate_limit(
        f"proposal:{user.pk}",
        limit=getattr(settings, "ENGAGEMENT_PROPOSALS_PER_DAY", PROPOSALS_PER_DAY),
        seconds=24 * 3600,
        message=_("You have made several proposals today. Wait until tomorrow to make another."),
    )
    return Proposal.objects.create(
        process=process, author=user, title=clean_title, summary=clean_summary, body=clean_body
    )


@transaction.atomic
def proposal_withdraw(*, user: Any, proposal_id: uuid.UUID) -> Proposal:
    proposal = Proposal.objects.select_for_update().filter(pk=proposal_id).first()
    if proposal is None:
        raise NotFoundError(_("There is no proposal with this id."))
    if proposal.author_id != getattr(user, "pk", None):
        raise PermissionDeniedError(_("Only the author can withdraw a proposal."))
    if proposal.status != ProposalStatus.OPEN:
        raise ServiceError(
            _("Only a proposal that is still collecting supports can be withdrawn."), code="wrong_status"
        )
    proposal.status = ProposalStatus.WITHDRAWN
    proposal.save(update_fields=["status", "updated_at"])
    return proposal


def _already_supported() -> ServiceError:
    return ServiceError(
        _("You already support this proposal; each person supports a proposal once."),
        code="already_supported",
        status=409,
    )


def proposal_support(
    *, user: Any, proposal_id: uuid.UUID, channel: SupportChannel = SupportChannel.WEB
) -> Proposal:
    """Add one support. The proposal row is locked, so counting and the threshold crossing are exact;
    the unique constraint makes a duplicate (even a concurrent one) fail without counting twice."""
    try:
        with transaction.atomic():
            return _support(user=user, proposal_id=proposal_id, channel=channel)
    except IntegrityError as error:  # the duplicate lost the race at the unique constraint
        if Support.objects.filter(proposal_id=proposal_id, user_id=user.pk).exists():
            raise _already_supported() from error
        raise


def _support(*, user: Any, proposal_id: uuid.UUID, channel: SupportChannel) -> Proposal:
    # Lock the proposal row only (not its call): supports of different proposals run in parallel.
    proposal = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("process")
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None or proposal.status == ProposalStatus.HIDDEN:
        raise NotFoundError(_("There is no proposal with this id."))
    process = proposal.process
    _require_open_process(process)
    level = _require_eligible(user, process.eligibility)
    supportable = {ProposalStatus.OPEN} | ({ProposalStatus.QUALIFIED} if process.accumulate_beyond else set())
    if proposal.status not in supportable:
        message = (
            _("This proposal already has the supports it needs and is waiting for the city's response.")
            if proposal.status == ProposalStatus.QUALIFIED
            else _("This proposal is “%(status)s” and cannot be supported.")
            % {"status": ProposalStatus(proposal.status).label}
        )
        raise ServiceError(message, code="not_supportable", status=409)
    if Support.objects.filter(proposal=proposal, user=user).exists():
        raise _already_supported()
    if process.supports_per_person:
        given = Support.objects.filter(proposal__process=process, user=user).count()
        if given >= process.supports_per_person:
            raise ServiceError(
                _("You have used all %(count)d supports you may give in this call.")
                % {"count": process.supports_per_person},
                code="support_limit",
            )
    Support.objects.create(
        proposal=proposal, user=user, created_at=timezone.now(), assurance_level=level, channel=channel
    )
    Proposal.objects.filter(pk=proposal.pk).update(
        supports_count=F("supports_count") + 1, updated_at=timezone.now()
    )
    proposal.supports_count += 1  # exact: the row is locked until this transaction ends
    needed = process.supports_needed or 0
    if proposal.status == ProposalStatus.OPEN and needed and proposal.supports_count >= needed:
        now = timezone.now()
        proposal.status = ProposalStatus.QUALIFIED
        proposal.qualified_at = now
        proposal.response_due = timezone.localdate(now) + dt.timedelta(days=process.response_days)
        proposal.save(update_fields=["status", "qualified_at", "response_due", "updated_at"])
        _audit(
            None,
            "proposal.qualified",
            "proposal",
            proposal.pk,
            {
                "supports": proposal.supports_count,
                "needed": needed,
                "response_due": proposal.response_due.isoformat(),
            },
        )
        from cityhall.engagement import tasks

        enqueue_on_commit(tasks.proposal_qualified_notify, proposal_id=str(proposal.pk))
    return proposal


# --- Settings and notifications -------------------------------------------------------------


def participant_settings_set(*, user: Any, email_updates: bool) -> ParticipantSettings:
    record, _created = ParticipantSettings.objects.update_or_create(
        user=user, defaults={"email_updates": email_updates}
    )
    return record


def wants_email(user_ids: Sequence[Any]) -> set[Any]:
    opted_out = set(
        ParticipantSettings.objects.filter(user_id__in=user_ids, email_updates=False).values_list(
            "user_id", flat=True
        )
    )
    return {user_id for user_id in user_ids if user_id not in opted_out}


def _send(user_ids: Sequence[Any], *, subject: str, lines: list[str], purpose: str) -> int:
    from django.contrib.auth import get_user_model

    lines = [
        *lines,
        "",
        _("You can stop these emails on %(url)s") % {"url": absolute_url(reverse("engagement:settings"))},
    ]
    recipients = wants_email(list(dict.fromkeys(user_ids)))
    emails = (
        get_user_model()
        .objects.filter(pk__in=recipients, is_active=True)
        .values_list("email", flat=True)
        .order_by("pk")
    )
    count = 0
    for email in emails:
        from cityhall.notifications.facade import email_queue

        email_queue(to=email, subject=subject, body_text="\n".join(lines), purpose=purpose)
        count += 1
    return count


@transaction.atomic
def proposal_qualified_notify(*, proposal_id: uuid.UUID) -> int:
    """Tell the author and supporters that the proposal qualified. Runs once per proposal."""
    proposal = Proposal.objects.select_for_update().select_related("process").filter(pk=proposal_id).first()
    if proposal is None or proposal.qualified_at is None or proposal.qualified_notified_at is not None:
        return 0
    proposal.qualified_notified_at = timezone.now()
    proposal.save(update_fields=["qualified_notified_at", "updated_at"])
    supporters = list(proposal.supports.values_list("user_id", flat=True))
    due = proposal.response_due.isoformat() if proposal.response_due else ""
    return _send(
        [proposal.author_id, *supporters],
        subject=_("“%(title)s” reached its threshold") % {"title": proposal.title},
        lines=[
            _("The proposal “%(title)s” has %(count)d supports and qualified.")
            % {"title": proposal.title, "count": proposal.supports_count},
            _("The city will respond by %(date)s.") % {"date": due},
            proposal_url(proposal),
        ],
        purpose="engagement.proposal_qualified",
    )


@transaction.atomic
def proposal_answered_notify(*, proposal_id: uuid.UUID) -> int:
    proposal = Proposal.objects.select_for_update().select_related("process").filter(pk=proposal_id).first()
    if proposal is None or proposal.responded_at is None or proposal.response_notified_at is not None:
        return 0
    proposal.response_notified_at = timezone.now()
    proposal.save(update_fields=["response_notified_at", "updated_at"])
    supporters = list(proposal.supports.values_list("user_id", flat=True))
    return _send(
        [proposal.author_id, *supporters],
        subject=_("The city responded to “%(title)s”") % {"title": proposal.title},
        lines=[
            _("The city's response to “%(title)s”: %(outcome)s.")
            % {"title": proposal.title, "outcome": Outcome(proposal.response_outcome).label},
            "",
            proposal.response_text,
            "",
            proposal_url(proposal),
        ],
        purpose="engagement.proposal_answered",
    )


@transaction.atomic
def consultation_report_notify(*, consultation_id: uuid.UUID) -> int:
    """Tell everyone who answered or commented that the "you said, we did" report is out."""
    consultation = Consultation.objects.select_for_update().filter(pk=consultation_id).first()
    if consultation is None or consultation.report_published_at is None or consultation.report_notified_at:
        return 0
    consultation.report_notified_at = timezone.now()
    consultation.save(update_fields=["report_notified_at", "updated_at"])
    participants = list(consultation.responses.values_list("user_id", flat=True)) + list(
        consultation.comments.values_list("author_id", flat=True)
    )
    return _send(
        participants,
        subject=_("What happened to your input on “%(title)s”") % {"title": consultation.title},
        lines=[
            _("The city published what it heard in the consultation “%(title)s” and what it did.")
            % {"title": consultation.title},
            consultation_url(consultation),
        ],
        purpose="engagement.report_published",
    )
