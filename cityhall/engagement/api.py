"""Civic engagement under /api/v1/engagement/: consultations (questions, answers, comments, the
"you said, we did" report) and calls for proposals (proposals, supports, the city's responses).

Reads of public processes need no token; taking part needs the participant's token; running
processes needs an engagement manager's or moderator's token. Everything the pages do is here too.
"""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from cityhall.accounts.contracts import AssuranceLevel
from cityhall.core.api import ERROR_RESPONSES, ErrorOut
from cityhall.core.errors import ApiError, FieldError
from cityhall.engagement import selectors, services
from cityhall.engagement.contracts import (
    ConsultationPhase,
    Outcome,
    ProcessKind,
    QuestionKind,
    ThresholdBasis,
)
from cityhall.engagement.models import Comment, Consultation, Proposal, ProposalProcess

router = Router(tags=["Civic engagement"])

ERRORS: dict[int, type[Schema]] = {**ERROR_RESPONSES, 409: ErrorOut}


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"There is no public {what} with this id.")


def _level_name(level: int) -> str:
    return AssuranceLevel(level).name.lower()


LEVEL_DESCRIPTION = "Minimum assurance level: account, email_verified or verified_resident."


def _level(value: str, location: str) -> AssuranceLevel:
    try:
        return AssuranceLevel[value.upper()]
    except KeyError as error:
        raise ApiError(
            422,
            "validation_error",
            "eligibility must be account, email_verified or verified_resident.",
            [FieldError(location=location, message="Use account, email_verified or verified_resident.")],
        ) from error


# --- Schemas --------------------------------------------------------------------------------


class ConsultationOut(Schema):
    id: uuid.UUID
    slug: str
    title: str
    summary: str
    phase: str = Field(..., description="draft, open, closed or report (report published).")
    eligibility: str = Field(..., description=LEVEL_DESCRIPTION)
    closes_on: dt.date | None
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None
    report_published_at: dt.datetime | None
    html_url: str

    @staticmethod
    def resolve_eligibility(obj: Consultation | dict[str, Any]) -> str:
        if isinstance(obj, dict):  # the detail view passes a prepared dict
            return str(obj["eligibility"])
        return _level_name(obj.eligibility)

    @staticmethod
    def resolve_html_url(obj: Consultation | dict[str, Any]) -> str:
        if isinstance(obj, dict):
            return str(obj["html_url"])
        return services.consultation_url(obj)


class QuestionOut(Schema):
    id: int
    position: int
    kind: str = Field(..., description="text, single, multiple or scale.")
    text: str
    help_text: str
    required: bool
    options: list[str] = Field(..., description="Choices; answers give their 0-based index.")
    scale_min: int
    scale_max: int
    scale_min_label: str
    scale_max_label: str


class DocumentOut(Schema):
    title: str
    url: str


class ReportItemOut(Schema):
    theme: str
    submissions: int
    outcome: str
    response: str
    decision_id: uuid.UUID | None = Field(None, description="The decision in /api/v1/decisions/ it led to.")
    change_url: str


class QuestionResultOut(Schema):
    question_id: int
    answered: int
    option_counts: list[int] = Field(
        ..., description="Answers per choice, aligned with the question's options."
    )
    scale_counts: dict[str, int] = Field(..., description="Answers per point of the scale.")
    scale_mean: float | None


class ConsultationDetailOut(ConsultationOut):
    body: str
    questions: list[QuestionOut]
    documents: list[DocumentOut]
    responses: int | None = Field(None, description="Number of participants, once the consultation closed.")
    results: list[QuestionResultOut] = Field(..., description="Totals, once the consultation closed.")
    report_summary: str
    report: list[ReportItemOut] = Field(..., description="“You said, we did”, once published.")


def _detail(consultation: Consultation) -> dict[str, Any]:
    data: dict[str, Any] = ConsultationOut.from_orm(consultation).model_dump()
    data.update(
        body=consultation.body,
        questions=list(consultation.questions.all()),
        documents=list(consultation.documents.all()),
        responses=None,
        results=[],
        report_summary="",
        report=[],
    )
    if consultation.phase in (ConsultationPhase.CLOSED, ConsultationPhase.REPORT):
        total, results = selectors.consultation_results(consultation)
        data["responses"] = total
        data["results"] = [
            {
                "question_id": r.question.pk,
                "answered": r.answered,
                "option_counts": [count for _label, count in r.option_counts],
                "scale_counts": {str(point): count for point, count in r.scale_counts},
                "scale_mean": r.scale_mean,
            }
            for r in results
        ]
    if consultation.phase == ConsultationPhase.REPORT:
        data["report_summary"] = consultation.report_summary
        data["report"] = list(consultation.report_items.all())
    return data


class CommentOut(Schema):
    id: uuid.UUID
    author: str = Field(..., description="The author's first name; never an email address.")
    body: str
    created_at: dt.datetime

    @staticmethod
    def resolve_author(obj: Comment) -> str:
        return selectors.author_name(obj.author)


class ProcessOut(Schema):
    id: uuid.UUID
    slug: str
    title: str
    summary: str
    status: str = Field(..., description="draft, open or closed.")
    eligibility: str = Field(..., description=LEVEL_DESCRIPTION)
    threshold_basis: str = Field(..., description="absolute, or share (percent of the eligible register).")
    threshold_value: Decimal
    eligible_at_opening: int | None = Field(None, description="The eligible register, frozen at opening.")
    supports_needed: int | None = Field(
        None, description="Supports that qualify a proposal (frozen at opening)."
    )
    window_end: dt.date | None
    response_days: int
    supports_per_person: int
    proposals_per_person: int
    accumulate_beyond: bool
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None
    html_url: str

    @staticmethod
    def resolve_eligibility(obj: ProposalProcess) -> str:
        return _level_name(obj.eligibility)

    @staticmethod
    def resolve_html_url(obj: ProposalProcess) -> str:
        return services.process_url(obj)


class ProposalOut(Schema):
    id: uuid.UUID
    process_id: uuid.UUID
    title: str
    summary: str
    body: str
    author: str = Field(..., description="The author's first name.")
    status: str = Field(..., description="open, qualified, answered or expired.")
    supports_count: int
    created_at: dt.datetime
    qualified_at: dt.datetime | None
    response_due: dt.date | None
    response_outcome: str
    response_text: str
    response_decision_id: uuid.UUID | None
    responded_at: dt.datetime | None
    html_url: str

    @staticmethod
    def resolve_author(obj: Proposal) -> str:
        return selectors.author_name(obj.author)

    @staticmethod
    def resolve_html_url(obj: Proposal) -> str:
        return services.proposal_url(obj)


class ProcessRefOut(Schema):
    kind: str
    id: uuid.UUID
    title: str
    url: str
    status: str


class EligibilityOut(Schema):
    ok: bool
    reason: str


# --- Public reads ---------------------------------------------------------------------------


@router.get(
    "/consultations",
    response={200: list[ConsultationOut], **ERRORS},
    auth=None,
    summary="Public consultations (open, closed, with report), newest first",
)
@paginate
def consultation_list(request: HttpRequest, phase: str = "") -> Any:
    consultations = selectors.public_consultations()
    if phase:
        if phase not in selectors.PUBLIC_PHASES:
            raise ApiError(400, "bad_request", "phase must be open, closed or report.")
        consultations = consultations.filter(phase=phase)
    return consultations


@router.get(
    "/consultations/{uuid:consultation_id}",
    response={200: ConsultationDetailOut, **ERRORS},
    auth=None,
    summary="One consultation: questions, documents, results once closed, and its report",
)
def consultation_detail(request: HttpRequest, consultation_id: uuid.UUID) -> Any:
    consultation = selectors.public_consultations().filter(pk=consultation_id).first()
    if consultation is None:
        raise _not_found("consultation")
    return _detail(consultation)


@router.get(
    "/consultations/{uuid:consultation_id}/comments",
    response={200: list[CommentOut], **ERRORS},
    auth=None,
    summary="Visible comments on a consultation, oldest first",
)
@paginate
def consultation_comments(request: HttpRequest, consultation_id: uuid.UUID) -> Any:
    consultation = selectors.public_consultations().filter(pk=consultation_id).first()
    if consultation is None:
        raise _not_found("consultation")
    return selectors.visible_comments(consultation=consultation)


@router.get(
    "/processes",
    response={200: list[ProcessOut], **ERRORS},
    auth=None,
    summary="Public calls for proposals, with their rules and frozen thresholds",
)
@paginate
def process_list(request: HttpRequest) -> Any:
    return selectors.public_processes()


@router.get(
    "/processes/{uuid:process_id}/proposals",
    response={200: list[ProposalOut], **ERRORS},
    auth=None,
    summary="Proposals of a call, most supported first; filter by status or words",
)
@paginate
def proposal_list(request: HttpRequest, process_id: uuid.UUID, status: str = "", q: str = "") -> Any:
    process = selectors.public_processes().filter(pk=process_id).first()
    if process is None:
        raise _not_found("call for proposals")
    if status and status not in selectors.PUBLIC_PROPOSAL_STATUSES:
        raise ApiError(400, "bad_request", "status must be open, qualified, answered or expired.")
    return selectors.public_proposals(process, status=status, query=q[:100]).select_related(
        "author", "process"
    )


@router.get(
    "/proposals/{uuid:proposal_id}",
    response={200: ProposalOut, **ERRORS},
    auth=None,
    summary="One proposal with its supports and the city's response",
)
def proposal_detail(request: HttpRequest, proposal_id: uuid.UUID) -> Any:
    proposal = selectors.public_proposal(proposal_id)
    if proposal is None:
        raise _not_found("proposal")
    return proposal


@router.get(
    "/proposals/{uuid:proposal_id}/comments",
    response={200: list[CommentOut], **ERRORS},
    auth=None,
    summary="Visible comments on a proposal, oldest first",
)
@paginate
def proposal_comments(request: HttpRequest, proposal_id: uuid.UUID) -> Any:
    proposal = selectors.public_proposal(proposal_id)
    if proposal is None:
        raise _not_found("proposal")
    return selectors.visible_comments(proposal=proposal)


@router.get(
    "/refs",
    response={200: list[ProcessRefOut], **ERRORS},
    auth=None,
    summary="Consultations, calls and proposals by title, to link decisions and documents to them",
)
def process_refs(request: HttpRequest, q: str = "", limit: int = 20) -> Any:
    return selectors.process_refs(query=q[:100], limit=limit)


# --- Taking part ----------------------------------------------------------------------------


@router.get(
    "/eligibility",
    response={200: EligibilityOut, **ERRORS},
    summary="May the token's owner take part in this consultation or call? If not, why and what to do",
)
def eligibility(request: HttpRequest, kind: str, id: uuid.UUID) -> Any:
    if kind == ProcessKind.CONSULTATION:
        target: Any = selectors.public_consultations().filter(pk=id).first()
    elif kind == ProcessKind.PROPOSALS:
        target = selectors.public_processes().filter(pk=id).first()
    else:
        raise ApiError(400, "bad_request", "kind must be consultation or proposals.")
    if target is None:
        raise _not_found(kind)
    result = services.eligibility_check(_user(request), target.eligibility)
    return {"ok": result.ok, "reason": result.reason}


class AnswerIn(Schema):
    question_id: int
    text: str | None = Field(None, max_length=services.TEXT_ANSWER_MAX, description="For text questions.")
    choices: list[int] | None = Field(None, description="0-based option indexes (one for single).")
    value: int | None = Field(None, description="For scale questions, within scale_min..scale_max.")


class ResponseIn(Schema):
    answers: list[AnswerIn] = Field(..., max_length=200)


class ResponseOut(Schema):
    id: int
    consultation_id: uuid.UUID
    assurance_level: str
    created_at: dt.datetime


def _answer_value(answer: AnswerIn) -> Any:
    if answer.value is not None:
        return answer.value
    if answer.choices is not None:
        return answer.choices
    return answer.text


@router.post(
    "/consultations/{uuid:consultation_id}/responses",
    response={201: ResponseOut, **ERRORS},
    summary="Answer a consultation (once per participant; all answers or none are saved)",
)
def consultation_answer(request: HttpRequest, consultation_id: uuid.UUID, payload: ResponseIn) -> Any:
    answers = {answer.question_id: _answer_value(answer) for answer in payload.answers}
    try:
        response = services.consultation_answer(
            user=_user(request), consultation_id=consultation_id, answers=answers
        )
    except services.AnswersInvalidError as error:
        index = {answer.question_id: n for n, answer in enumerate(payload.answers)}
        raise ApiError(
            400,
            error.code,
            error.message,
            [
                FieldError(
                    location=f"body.payload.answers.{index[qid]}" if qid in index else f"question.{qid}",
                    message=message,
                )
                for qid, message in error.problems.items()
            ],
        ) from error
    return Status(
        201,
        {
            "id": response.pk,
            "consultation_id": response.consultation_id,
            "assurance_level": _level_name(response.assurance_level),
            "created_at": response.created_at,
        },
    )


class CommentIn(Schema):
    body: str = Field(..., max_length=services.COMMENT_MAX)


@router.post(
    "/consultations/{uuid:consultation_id}/comments",
    response={201: CommentOut, **ERRORS},
    summary="Comment on an open consultation",
)
def consultation_comment(request: HttpRequest, consultation_id: uuid.UUID, payload: CommentIn) -> Any:
    comment = services.comment_create(user=_user(request), consultation_id=consultation_id, body=payload.body)
    return Status(201, comment)


class ProposalIn(Schema):
    title: str = Field(..., max_length=150)
    summary: str = Field(..., max_length=500)
    body: str = Field("", max_length=10000)


@router.post(
    "/processes/{uuid:process_id}/proposals",
    response={201: ProposalOut, **ERRORS},
    summary="Make a proposal in an open call",
)
def proposal_create(request: HttpRequest, process_id: uuid.UUID, payload: ProposalIn) -> Any:
    proposal = services.proposal_create(user=_user(request), process_id=process_id, **payload.model_dump())
    return Status(201, Proposal.objects.select_related("author", "process").get(pk=proposal.pk))


class SupportOut(Schema):
    proposal_id: uuid.UUID
    supports_count: int
    status: str


@router.post(
    "/proposals/{uuid:proposal_id}/supports",
    response={201: SupportOut, **ERRORS},
    summary="Support a proposal (once per person; a duplicate answers 409 and counts nothing)",
)
def proposal_support(request: HttpRequest, proposal_id: uuid.UUID) -> Any:
    proposal = services.proposal_support(user=_user(request), proposal_id=proposal_id)
    return Status(
        201,
        {"proposal_id": proposal.pk, "supports_count": proposal.supports_count, "status": proposal.status},
    )


@router.post(
    "/proposals/{uuid:proposal_id}/comments",
    response={201: CommentOut, **ERRORS},
    summary="Comment on a proposal of an open call",
)
def proposal_comment(request: HttpRequest, proposal_id: uuid.UUID, payload: CommentIn) -> Any:
    comment = services.comment_create(user=_user(request), proposal_id=proposal_id, body=payload.body)
    return Status(201, comment)


# --- Staff ----------------------------------------------------------------------------------


class ConsultationIn(Schema):
    title: str = Field(..., max_length=200)
    summary: str = Field(..., max_length=500)
    body: str = ""
    slug: str = Field("", max_length=80)
    eligibility: str = Field("email_verified", description=LEVEL_DESCRIPTION)
    closes_on: dt.date | None = None
    department_id: uuid.UUID | None = None


class StaffConsultationOut(ConsultationOut):
    pass


@router.post(
    "/consultations",
    response={201: StaffConsultationOut, **ERRORS},
    summary="Create a draft consultation (engagement managers)",
)
def consultation_create(request: HttpRequest, payload: ConsultationIn) -> Any:
    data = payload.model_dump()
    data["eligibility"] = _level(data["eligibility"], "body.payload.eligibility")
    return Status(201, services.consultation_create(actor=_user(request), **data))


class QuestionIn(Schema):
    kind: QuestionKind
    text: str = Field(..., max_length=500)
    help_text: str = Field("", max_length=500)
    required: bool = False
    options: list[str] = Field(default_factory=list, max_length=50)
    scale_min: int = 1
    scale_max: int = 5
    scale_min_label: str = Field("", max_length=100)
    scale_max_label: str = Field("", max_length=100)


@router.post(
    "/consultations/{uuid:consultation_id}/questions",
    response={201: QuestionOut, **ERRORS},
    summary="Add a question to a draft consultation",
)
def question_add(request: HttpRequest, consultation_id: uuid.UUID, payload: QuestionIn) -> Any:
    question = services.question_add(
        actor=_user(request),
        consultation_id=consultation_id,
        data=services.QuestionInput(**payload.model_dump()),
    )
    return Status(201, question)


class DocumentIn(Schema):
    title: str = Field(..., max_length=200)
    url: str = Field(..., max_length=500)


@router.post(
    "/consultations/{uuid:consultation_id}/documents",
    response={201: DocumentOut, **ERRORS},
    summary="Link a document to a draft or open consultation",
)
def document_add(request: HttpRequest, consultation_id: uuid.UUID, payload: DocumentIn) -> Any:
    document = services.document_add(
        actor=_user(request), consultation_id=consultation_id, title=payload.title, url=payload.url
    )
    return Status(201, document)


class PhaseIn(Schema):
    phase: str = Field(..., description="open (from draft) or closed (from open).")


@router.post(
    "/consultations/{uuid:consultation_id}/phase",
    response={200: StaffConsultationOut, **ERRORS},
    summary="Open or close a consultation (audited)",
)
def consultation_phase(request: HttpRequest, consultation_id: uuid.UUID, payload: PhaseIn) -> Any:
    if payload.phase not in (ConsultationPhase.OPEN, ConsultationPhase.CLOSED):
        raise ApiError(
            422,
            "validation_error",
            "phase must be open or closed; the report phase comes with publishing the report.",
            [FieldError(location="body.payload.phase", message="Use open or closed.")],
        )
    return services.consultation_phase_set(
        actor=_user(request), consultation_id=consultation_id, phase=ConsultationPhase(payload.phase)
    )


class ReportItemIn(Schema):
    theme: str = Field(..., max_length=300)
    submissions: int = Field(0, ge=0)
    outcome: Outcome
    response: str = Field(..., max_length=5000)
    decision_id: uuid.UUID | None = None
    change_url: str = Field("", max_length=500)


@router.post(
    "/consultations/{uuid:consultation_id}/report-items",
    response={201: ReportItemOut, **ERRORS},
    summary="Add a “you said, we did” line to a closed consultation's report",
)
def report_item_add(request: HttpRequest, consultation_id: uuid.UUID, payload: ReportItemIn) -> Any:
    item = services.report_item_add(
        actor=_user(request),
        consultation_id=consultation_id,
        data=services.ReportItemInput(**payload.model_dump()),
    )
    return Status(201, item)


class ReportIn(Schema):
    summary: str = Field(..., max_length=10000)


@router.post(
    "/consultations/{uuid:consultation_id}/report",
    response={200: StaffConsultationOut, **ERRORS},
    summary="Publish the report; participants are told by email unless they opted out",
)
def report_publish(request: HttpRequest, consultation_id: uuid.UUID, payload: ReportIn) -> Any:
    return services.consultation_report_publish(
        actor=_user(request), consultation_id=consultation_id, summary=payload.summary
    )


class HideIn(Schema):
    reason: str = Field(..., max_length=500, description="Recorded in the audit log.")


class HiddenOut(Schema):
    id: uuid.UUID
    hidden: bool
    reason: str


@router.post(
    "/comments/{uuid:comment_id}/hide",
    response={200: HiddenOut, **ERRORS},
    summary="Hide an abusive comment with a recorded reason (moderators)",
)
def comment_hide(request: HttpRequest, comment_id: uuid.UUID, payload: HideIn) -> Any:
    comment = services.comment_hide(actor=_user(request), comment_id=comment_id, reason=payload.reason)
    return {"id": comment.pk, "hidden": True, "reason": comment.hidden_reason}


@router.post(
    "/proposals/{uuid:proposal_id}/hide",
    response={200: HiddenOut, **ERRORS},
    summary="Hide a spam or abusive proposal with a recorded reason (moderators)",
)
def proposal_hide(request: HttpRequest, proposal_id: uuid.UUID, payload: HideIn) -> Any:
    proposal = services.proposal_hide(actor=_user(request), proposal_id=proposal_id, reason=payload.reason)
    return {"id": proposal.pk, "hidden": True, "reason": proposal.hidden_reason}


class ProcessIn(Schema):
    title: str = Field(..., max_length=200)
    summary: str = Field(..., max_length=500)
    body: str = ""
    slug: str = Field("", max_length=80)
    eligibility: str = Field("email_verified", description=LEVEL_DESCRIPTION)
    threshold_basis: ThresholdBasis = ThresholdBasis.ABSOLUTE
    threshold_value: Decimal = Field(..., max_digits=9, decimal_places=2)
    window_end: dt.date | None = None
    response_days: int = 90
    supports_per_person: int = Field(0, ge=0, le=1000)
    proposals_per_person: int = Field(0, ge=0, le=1000)
    accumulate_beyond: bool = False
    department_id: uuid.UUID | None = None


@router.post(
    "/processes",
    response={201: ProcessOut, **ERRORS},
    summary="Create a draft call for proposals with its threshold and rules",
)
def process_create(request: HttpRequest, payload: ProcessIn) -> Any:
    data = payload.model_dump()
    data["eligibility"] = _level(data["eligibility"], "body.payload.eligibility")
    return Status(
        201,
        services.proposal_process_create(actor=_user(request), data=services.ProposalProcessInput(**data)),
    )


class ProcessActionIn(Schema):
    action: str = Field(
        ..., description="open (freezes the threshold) or close (expires what did not qualify)."
    )


@router.post(
    "/processes/{uuid:process_id}/status",
    response={200: ProcessOut, **ERRORS},
    summary="Open or close a call for proposals (audited)",
)
def process_status(request: HttpRequest, process_id: uuid.UUID, payload: ProcessActionIn) -> Any:
    if payload.action == "open":
        return services.proposal_process_open(actor=_user(request), process_id=process_id)
    if payload.action == "close":
        return services.proposal_process_close(actor=_user(request), process_id=process_id)
    raise ApiError(
        422,
        "validation_error",
        "action must be open or close.",
        [FieldError(location="body.payload.action", message="Use open or close.")],
    )


class ProposalResponseIn(Schema):
    outcome: Outcome
    text: str = Field(..., max_length=10000)
    decision_id: uuid.UUID | None = Field(None, description="The decision it led to, in /api/v1/decisions/.")


@router.post(
    "/proposals/{uuid:proposal_id}/response",
    response={200: ProposalOut, **ERRORS},
    summary="Publish the city's official response; the author and supporters are told",
)
def proposal_respond(request: HttpRequest, proposal_id: uuid.UUID, payload: ProposalResponseIn) -> Any:
    proposal = services.proposal_respond(
        actor=_user(request), proposal_id=proposal_id, **payload.model_dump()
    )
    return Proposal.objects.select_related("author", "process").get(pk=proposal.pk)
