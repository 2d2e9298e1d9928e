"""Freedom of information under /api/v1/foi/: the public disclosure log; residents' requests and their
replies; staff answers, clarifications, extensions and the holiday calendar."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from cityhall.accounts.contracts import AccessChannel, Permission
from cityhall.accounts.facade import departments, departments_with_permission
from cityhall.core.api import ERROR_RESPONSES
from cityhall.core.errors import ApiError
from cityhall.foi import selectors, services
from cityhall.foi.contracts import ADMIN_STATES, OUTCOMES, FoiState, MessageKind
from cityhall.foi.models import FoiRequest, Holiday

router = Router(tags=["Freedom of information"])


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


class AttachmentOut(Schema):
    document_id: uuid.UUID
    title: str
    url: str
    verify_url: str
    sha256: str
    signed: bool


class MessageOut(Schema):
    kind: MessageKind
    from_authority: bool
    text: str
    state_after: FoiState
    sent_at: dt.datetime
    attachments: list[AttachmentOut]


class FoiRequestOut(Schema):
    id: uuid.UUID
    reference: str
    title: str
    state: FoiState
    display_status: str = Field(
        ...,
        description=(
            "The state, or waiting_response_overdue / waiting_response_very_overdue past the deadlines."
        ),
    )
    overdue: bool
    sent_on: dt.date
    due_on: dt.date
    very_late_on: dt.date
    extension_days: int
    department_id: uuid.UUID | None


class FoiRequestDetailOut(FoiRequestOut):
    body: str
    messages: list[MessageOut]


def _one(found: FoiRequest | None) -> FoiRequest:
    if found is None:
        raise ApiError(404, "not_found", "There is no such freedom-of-information request.")
    selectors.annotate([found])
    return found


class _Annotated:
    """A queryset whose pages come annotated with display_status and overdue."""

    def __init__(self, queryset: Any) -> None:
        self.queryset = queryset

    def __getitem__(self, window: slice) -> list[FoiRequest]:
        return selectors.annotate(list(self.queryset[window]))

    def count(self) -> int:
        return int(self.queryset.count())


# --- Public --------------------------------------------------------------------------------------


@router.get(
    "/requests",
    response={200: list[FoiRequestOut], **ERROR_RESPONSES},
    auth=None,
    summary="The disclosure log: every public request (requesters are never shown)",
)
@paginate
def disclosure_log(request: HttpRequest, q: str = "", state: str = "") -> Any:
    if state and state != "overdue" and state not in FoiState.values:
        raise ApiError(400, "bad_request", "state must be a known FOI state or overdue.")
    return _Annotated(selectors.disclosure_log(query=q[:200], state=state))


@router.get(
    "/requests/{uuid:request_id}",
    response={200: FoiRequestDetailOut, **ERROR_RESPONSES},
    auth=None,
    summary="One public request with its correspondence and released documents",
)
def request_detail(request: HttpRequest, request_id: uuid.UUID) -> Any:
    return _one(selectors.public_request(request_id))


# --- Residents --------------------------------------------------------------------------------------


class AskIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    body: str = Field(..., min_length=1, max_length=20000)
    department_id: uuid.UUID | None = None


@router.post("/requests", response={201: FoiRequestDetailOut, **ERROR_RESPONSES}, summary="Make a request")
def request_file(request: HttpRequest, payload: AskIn) -> Status[Any]:
    filed = services.foi_request_file(actor=_user(request), **payload.model_dump())
    return Status(201, _one(selectors.request_for(filed.pk, user=_user(request))))


@router.get("/mine", response={200: list[FoiRequestOut], **ERROR_RESPONSES}, summary="My requests")
@paginate
def my_requests(request: HttpRequest) -> Any:
    return selectors.my_requests(_user(request))


class TextIn(Schema):
    text: str = Field(..., min_length=1, max_length=20000)


class WithdrawIn(Schema):
    reason: str = Field("", max_length=2000)


def _own(request: HttpRequest, request_id: uuid.UUID) -> Any:
    return _one(selectors.request_for(request_id, user=_user(request)) or selectors.staff_request(request_id))


@router.post(
    "/requests/{uuid:request_id}/clarify",
    response={200: FoiRequestDetailOut, **ERROR_RESPONSES},
    summary="Answer the city's question (the requester)",
)
def request_clarify(request: HttpRequest, request_id: uuid.UUID, payload: TextIn) -> Any:
    services.foi_request_clarify(actor=_user(request), request_id=request_id, text=payload.text)
    return _own(request, request_id)


@router.post(
    "/requests/{uuid:request_id}/withdraw",
    response={200: FoiRequestDetailOut, **ERROR_RESPONSES},
    summary="Withdraw a request (the requester)",
)
def request_withdraw(request: HttpRequest, request_id: uuid.UUID, payload: WithdrawIn) -> Any:
    services.foi_request_withdraw(actor=_user(request), request_id=request_id, reason=payload.reason)
    return _own(request, request_id)


@router.post(
    "/requests/{uuid:request_id}/review",
    response={200: FoiRequestDetailOut, **ERROR_RESPONSES},
    summary="Ask for an internal review (the requester)",
)
def request_review(request: HttpRequest, request_id: uuid.UUID, payload: TextIn) -> Any:
    services.foi_request_review(actor=_user(request), request_id=request_id, text=payload.text)
    return _own(request, request_id)


# --- Staff ---------------------------------------------------------------------------------------


def _require_staff(request: HttpRequest) -> Any:
    user = _user(request)
    if not services.can_handle(user):
        raise ApiError(
            403, "permission_denied", "Only staff who answer freedom-of-information requests can do this."
        )
    return user


class StaffRequestOut(FoiRequestOut):
    requester_email: str | None = Field(None, alias="requester.email")
    hidden: bool


@router.get(
    "/staff/requests",
    response={200: list[StaffRequestOut], **ERROR_RESPONSES},
    summary="Open requests to answer, most urgent first",
)
@paginate
def staff_queue(request: HttpRequest, overdue: bool = False) -> Any:
    user = _require_staff(request)
    handled = departments_with_permission(user, Permission.HANDLE_FOI_REQUESTS)
    every = handled == frozenset(d.id for d in departments())
    queryset = selectors.staff_queue(
        departments=None if every else handled, overdue_only=overdue
    ).select_related("requester")
    return _Annotated(queryset)


class StaffDetailOut(FoiRequestDetailOut):
    requester_email: str | None = Field(None, alias="requester.email")
    hidden: bool


@router.get(
    "/staff/requests/{uuid:request_id}",
    response={200: StaffDetailOut, **ERROR_RESPONSES},
    summary="A request with its requester (the read is logged for them)",
)
def staff_detail(request: HttpRequest, request_id: uuid.UUID) -> Any:
    user = _require_staff(request)
    found = _one(selectors.staff_request(request_id))
    services.foi_requester_read(actor=user, request=found, channel=AccessChannel.API)
    return found


class RespondIn(Schema):
    outcome: FoiState = Field(..., description="successful, partially_successful, rejected or not_held.")
    text: str = Field(..., min_length=1, max_length=50000)
    document_ids: list[uuid.UUID] = Field(
        default_factory=list, description="Documents already in the registry to release."
    )


@router.post(
    "/requests/{uuid:request_id}/respond",
    response={200: StaffDetailOut, **ERROR_RESPONSES},
    summary="Answer a request or an internal review",
)
def request_respond(request: HttpRequest, request_id: uuid.UUID, payload: RespondIn) -> Any:
    if payload.outcome not in OUTCOMES:
        raise ApiError(
            400, "invalid_outcome", "outcome must be successful, partially_successful, rejected or not_held."
        )
    services.foi_request_respond(
        actor=_user(request),
        request_id=request_id,
        outcome=payload.outcome,
        text=payload.text,
        document_ids=payload.document_ids,
    )
    return _one(selectors.staff_request(request_id))


@router.post(
    "/requests/{uuid:request_id}/ask-clarification",
    response={200: StaffDetailOut, **ERROR_RESPONSES},
    summary="Ask the requester a question (the deadline stops)",
)
def request_ask_clarification(request: HttpRequest, request_id: uuid.UUID, payload: TextIn) -> Any:
    services.foi_request_ask_clarification(actor=_user(request), request_id=request_id, text=payload.text)
    return _one(selectors.staff_request(request_id))


class ExtendIn(Schema):
    days: int = Field(..., ge=1, le=60)
    reason: str = Field(..., min_length=1, max_length=2000)


@router.post(
    "/requests/{uuid:request_id}/extend",
    response={200: StaffDetailOut, **ERROR_RESPONSES},
    summary="Extend the deadline by working days",
)
def request_extend(request: HttpRequest, request_id: uuid.UUID, payload: ExtendIn) -> Any:
    services.foi_request_extend(
        actor=_user(request), request_id=request_id, days=payload.days, reason=payload.reason
    )
    return _one(selectors.staff_request(request_id))


class StateIn(Schema):
    state: FoiState = Field(..., description=", ".join(ADMIN_STATES))
    note: str = Field(..., min_length=1, max_length=2000)


@router.post(
    "/requests/{uuid:request_id}/state",
    response={200: StaffDetailOut, **ERROR_RESPONSES},
    summary="Record a staff-only outcome (handled by post, vexatious, not FOI, ...)",
)
def request_set_state(request: HttpRequest, request_id: uuid.UUID, payload: StateIn) -> Any:
    services.foi_request_set_state(
        actor=_user(request), request_id=request_id, state=payload.state, note=payload.note
    )
    return _one(selectors.staff_request(request_id))


class HolidayOut(Schema):
    day: dt.date
    name: str


class HolidayIn(Schema):
    day: dt.date
    name: str = Field(..., min_length=1, max_length=200)


@router.get(
    "/holidays",
    response={200: list[HolidayOut], **ERROR_RESPONSES},
    auth=None,
    summary="The holiday calendar used for deadlines",
)
@paginate
def holiday_list(request: HttpRequest) -> Any:
    return Holiday.objects.order_by("day")


@router.post("/holidays", response={201: HolidayOut, **ERROR_RESPONSES}, summary="Add a holiday")
def holiday_add(request: HttpRequest, payload: HolidayIn) -> Status[Holiday]:
    return Status(201, services.holiday_add(actor=_user(request), day=payload.day, name=payload.name))
