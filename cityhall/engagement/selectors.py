"""Reads of the engagement module, each a bounded number of queries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from cityhall.engagement.contracts import (
    ConsultationPhase,
    ProcessKind,
    ProcessRef,
    ProposalProcessStatus,
    ProposalStatus,
    QuestionKind,
)
from cityhall.engagement.models import (
    Comment,
    Consultation,
    ConsultationResponse,
    Proposal,
    ProposalProcess,
    Question,
    ReportItem,
    Support,
)
from cityhall.engagement.services import consultation_url, process_url, proposal_url

PUBLIC_PHASES = (ConsultationPhase.OPEN, ConsultationPhase.CLOSED, ConsultationPhase.REPORT)
PUBLIC_PROPOSAL_STATUSES = (
    ProposalStatus.OPEN,
    ProposalStatus.QUALIFIED,
    ProposalStatus.ANSWERED,
    ProposalStatus.EXPIRED,
)


# --- Consultations --------------------------------------------------------------------------


def public_consultations() -> QuerySet[Consultation]:
    return Consultation.objects.filter(phase__in=PUBLIC_PHASES).order_by("-opened_at", "-created_at")


def public_consultation(slug: str) -> Consultation | None:
    return public_consultations().filter(slug=slug).first()


def staff_consultations() -> QuerySet[Consultation]:
    return Consultation.objects.annotate(response_count=Count("responses")).order_by("-created_at")


def questions_of(consultation: Consultation) -> list[Question]:
    return list(consultation.questions.all())


def visible_comments(
    *, consultation: Consultation | None = None, proposal: Proposal | None = None
) -> QuerySet[Comment]:
    comments = Comment.objects.select_related("author").filter(hidden_at__isnull=True)
    if consultation is not None:
        return comments.filter(consultation=consultation)
    return comments.filter(proposal=proposal)


def has_answered(consultation: Consultation, user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return ConsultationResponse.objects.filter(consultation=consultation, user=user).exists()


def report_items(consultation: Consultation) -> list[ReportItem]:
    return list(consultation.report_items.all())


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    option_counts: list[tuple[str, int]] = field(default_factory=list)
    scale_counts: list[tuple[int, int]] = field(default_factory=list)
    scale_mean: float | None = None


def consultation_results(consultation: Consultation) -> tuple[int, list[QuestionResult]]:
    """Totals per question (never who answered what). Free-text answers are counted, not shown."""
    from cityhall.engagement.models import Answer

    questions = questions_of(consultation)
    total = consultation.responses.count()
    answers = Answer.objects.filter(question__consultation=consultation).values_list(
        "question_id", "choices", "scale_value"
    )
    by_question: dict[int, list[tuple[Any, Any]]] = {}
    for question_id, choices, scale_value in answers:
        by_question.setdefault(question_id, []).append((choices, scale_value))
    results = []
    for question in questions:
        rows = by_question.get(question.pk, [])
        result = QuestionResult(question=question, answered=len(rows))
        if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            counts = [0] * len(question.options)
            for choices, _scale in rows:
                for index in choices or []:
                    if 0 <= index < len(counts):
                        counts[index] += 1
            result.option_counts = list(zip(question.options, counts, strict=True))
        elif question.kind == QuestionKind.SCALE:
            values = [scale for _choices, scale in rows if scale is not None]
            result.scale_counts = [
                (point, values.count(point)) for point in range(question.scale_min, question.scale_max + 1)
            ]
            result.scale_mean = round(sum(values) / len(values), 2) if values else None
        results.append(result)
    return total, results


def moderation_queue(limit: int = 100) -> QuerySet[Comment]:
    return Comment.objects.select_related("author", "consultation", "proposal").order_by("-created_at")[
        :limit
    ]


# --- Calls for proposals --------------------------------------------------------------------


def public_processes() -> QuerySet[ProposalProcess]:
    return ProposalProcess.objects.exclude(status=ProposalProcessStatus.DRAFT).order_by("-opened_at")


def public_process(slug: str) -> ProposalProcess | None:
    return public_processes().filter(slug=slug).first()


def public_proposals(process: ProposalProcess, *, status: str = "", query: str = "") -> QuerySet[Proposal]:
    proposals = Proposal.objects.filter(process=process, status__in=PUBLIC_PROPOSAL_STATUSES)
    if status in PUBLIC_PROPOSAL_STATUSES:
        proposals = proposals.filter(status=status)
    if query:
        proposals = proposals.filter(Q(title__icontains=query) | Q(summary__icontains=query))
    return proposals.order_by("-supports_count", "created_at")


def public_proposal(proposal_id: uuid.UUID) -> Proposal | None:
    return (
        Proposal.objects.select_related("process", "author")
        .filter(pk=proposal_id, status__in=PUBLIC_PROPOSAL_STATUSES)
        .first()
    )


def supported_ids(user: Any, process: ProposalProcess) -> set[uuid.UUID]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(
        Support.objects.filter(user=user, proposal__process=process).values_list("proposal_id", flat=True)
    )


def awaiting_response() -> QuerySet[Proposal]:
    """Qualified proposals the city still owes a response, the earliest deadline first."""
    return (
        Proposal.objects.select_related("process")
        .filter(status=ProposalStatus.QUALIFIED)
        .order_by("response_due", "qualified_at")
    )


def is_overdue(proposal: Proposal) -> bool:
    return bool(proposal.response_due and timezone.localdate() > proposal.response_due)


def staff_processes() -> QuerySet[ProposalProcess]:
    return ProposalProcess.objects.annotate(proposal_count=Count("proposals")).order_by("-created_at")


def author_name(user: Any) -> str:
    """What the public sees of an author: the first name, never the email address."""
    name = (getattr(user, "full_name", "") or "").strip()
    return name.split(" ")[0] if name else str(_anonymous())


def _anonymous() -> str:
    from django.utils.translation import gettext

    return gettext("A resident")


# --- References for other modules -----------------------------------------------------------


def consultation_ref(consultation: Consultation) -> ProcessRef:
    return ProcessRef(
        kind=ProcessKind.CONSULTATION,
        id=consultation.pk,
        title=consultation.title,
        url=consultation_url(consultation),
        status=consultation.phase,
    )


def process_ref_of(process: ProposalProcess) -> ProcessRef:
    return ProcessRef(
        kind=ProcessKind.PROPOSALS,
        id=process.pk,
        title=process.title,
        url=process_url(process),
        status=process.status,
    )


def proposal_ref(proposal: Proposal) -> ProcessRef:
    return ProcessRef(
        kind=ProcessKind.PROPOSAL,
        id=proposal.pk,
        title=proposal.title,
        url=proposal_url(proposal),
        status=proposal.status,
    )


def process_refs(*, query: str = "", limit: int = 20) -> list[ProcessRef]:
    """Public consultations, calls for proposals and proposals whose title matches, newest first."""
    limit = max(1, min(limit, 200))
    text = query.strip()
    consultations = public_consultations()
    processes = public_processes()
    proposals = Proposal.objects.select_related("process").filter(status__in=PUBLIC_PROPOSAL_STATUSES)
    if text:
        consultations = consultations.filter(title__icontains=text)
        processes = processes.filter(title__icontains=text)
        proposals = proposals.filter(title__icontains=text)
    rows: list[tuple[Any, ProcessRef]] = []
    rows += [(c.created_at, consultation_ref(c)) for c in consultations.order_by("-created_at")[:limit]]
    rows += [(p.created_at, process_ref_of(p)) for p in processes.order_by("-created_at")[:limit]]
    rows += [(p.created_at, proposal_ref(p)) for p in proposals.order_by("-created_at")[:limit]]
    rows.sort(key=lambda row: row[0], reverse=True)
    return [ref for _at, ref in rows[:limit]]


def process_ref(kind: str, object_id: uuid.UUID) -> ProcessRef | None:
    if kind == ProcessKind.CONSULTATION:
        consultation = public_consultations().filter(pk=object_id).first()
        return consultation_ref(consultation) if consultation else None
    if kind == ProcessKind.PROPOSALS:
        process = public_processes().filter(pk=object_id).first()
        return process_ref_of(process) if process else None
    if kind == ProcessKind.PROPOSAL:
        proposal = public_proposal(object_id)
        return proposal_ref(proposal) if proposal else None
    return None


def decision_ref(decision_id: uuid.UUID | None) -> Any:
    """The decisions module's reference for a linked decision, or None (also when that module is absent)."""
    if decision_id is None:
        return None
    try:
        from cityhall.decisions import facade as decisions
    except ImportError:  # pragma: no cover
        return None
    lookup = getattr(decisions, "decision_ref", None)
    return lookup(decision_id) if lookup else None


def decision_choices(query: str = "", limit: int = 50) -> list[Any]:
    try:
        from cityhall.decisions import facade as decisions
    except ImportError:  # pragma: no cover
        return []
    lookup = getattr(decisions, "decision_refs", None)
    return list(lookup(query=query, limit=limit)) if lookup else []


def decisions_about(kind: str, object_id: uuid.UUID) -> list[Any]:
    """Decisions the decisions module links to this consultation or proposal (empty if it cannot say)."""
    try:
        from cityhall.decisions import facade as decisions
    except ImportError:  # pragma: no cover
        return []
    lookup = getattr(decisions, "decisions_concerning", None)
    return list(lookup(kind, object_id)) if lookup else []
