"""Reads of the FOI module: the disclosure log, a requester's requests, the staff queue."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from cityhall.foi.contracts import CLOCK_RUNNING, DisplayStatus, FoiRequestRef, FoiState
from cityhall.foi.models import FoiAttachment, FoiMessage, FoiRequest

PUBLIC_HIDDEN_FIELDS = ("requester",)


def display_status(request: FoiRequest, *, today: dt.date | None = None) -> str:
    """The state, or Alaveteli's overdue forms of it once the authority is past the deadlines."""
    today = today or timezone.localdate()
    if request.state in CLOCK_RUNNING:
        if today > request.very_late_on:
            return DisplayStatus.WAITING_RESPONSE_VERY_OVERDUE
        if today > request.due_on:
            return DisplayStatus.WAITING_RESPONSE_OVERDUE
    return request.state


def display_label(status: str) -> str:
    if status in DisplayStatus.values:
        return str(DisplayStatus(status).label)
    return str(FoiState(status).label) if status in FoiState.values else status


def is_overdue(request: FoiRequest, *, today: dt.date | None = None) -> bool:
    return display_status(request, today=today) in DisplayStatus.values


def annotate(requests: list[FoiRequest], *, today: dt.date | None = None) -> list[FoiRequest]:
    """Attach display_status/display_label/overdue to each request, for pages and the API."""
    today = today or timezone.localdate()
    for request in requests:
        status = display_status(request, today=today)
        request.display_status = status  # type: ignore[attr-defined]
        request.display_label = display_label(status)  # type: ignore[attr-defined]
        request.overdue = status in DisplayStatus.values  # type: ignore[attr-defined]
    return requests


def _with_messages(requests: QuerySet[FoiRequest]) -> QuerySet[FoiRequest]:
    return requests.prefetch_related(
        Prefetch(
            "messages",
            queryset=FoiMessage.objects.order_by("sent_at", "created_at").prefetch_related(
                Prefetch("attachments", queryset=FoiAttachment.objects.order_by("created_at"))
            ),
        )
    )


def disclosure_log(*, query: str = "", state: str = "") -> QuerySet[FoiRequest]:
    """The public archive: every request not hidden, newest first; requesters are never shown."""
    requests = FoiRequest.objects.filter(hidden=False).select_related("department").order_by("-created_at")
    if query:
        for word in query.split()[:8]:
            requests = requests.filter(
                Q(title__icontains=word) | Q(body__icontains=word) | Q(reference__iexact=word)
            )
    if state == "overdue":
        requests = requests.filter(state__in=CLOCK_RUNNING, due_on__lt=timezone.localdate())
    elif state:
        requests = requests.filter(state=state)
    return requests


def public_request(request_id: uuid.UUID) -> FoiRequest | None:
    return _with_messages(
        FoiRequest.objects.filter(pk=request_id, hidden=False).select_related("department")
    ).first()


def request_for(request_id: uuid.UUID, *, user: Any) -> FoiRequest | None:
    """A request as its requester sees it (hidden ones too)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return _with_messages(
        FoiRequest.objects.filter(pk=request_id, requester=user).select_related("department")
    ).first()


def my_requests(user: Any) -> list[FoiRequest]:
    return annotate(list(FoiRequest.objects.filter(requester=user).order_by("-created_at")))


def staff_request(request_id: uuid.UUID) -> FoiRequest | None:
    return _with_messages(
        FoiRequest.objects.filter(pk=request_id).select_related("department", "requester")
    ).first()


def staff_queue(
    *, departments: frozenset[uuid.UUID] | None, open_only: bool = True, overdue_only: bool = False
) -> QuerySet[FoiRequest]:
    """Requests to answer, the most urgent first; `departments=None` means every department."""
    requests = FoiRequest.objects.select_related("department").order_by("due_on", "created_at")
    if departments is not None:
        requests = requests.filter(Q(department_id__in=departments) | Q(department__isnull=True))
    if open_only:
        requests = requests.filter(
            state__in=[
                *CLOCK_RUNNING,
                FoiState.WAITING_CLARIFICATION,
                FoiState.REQUIRES_ADMIN,
                FoiState.ATTENTION_REQUESTED,
                FoiState.ERROR_MESSAGE,
            ]
        )
    if overdue_only:
        requests = requests.filter(state__in=CLOCK_RUNNING, due_on__lt=timezone.localdate())
    return requests


def request_ref(request: FoiRequest) -> FoiRequestRef:
    from django.urls import reverse

    return FoiRequestRef(
        id=request.pk,
        reference=request.reference,
        title=request.title,
        state=request.state,
        display_status=display_status(request),
        due_on=request.due_on,
        url=reverse("foi:request", args=[request.pk]),
    )
