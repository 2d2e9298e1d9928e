"""Decisions under /api/v1/decisions/: public reads (search, bodies, meetings, decisions with votes)
and, for council clerks, recording bodies, members, meetings, motions, roll calls and outcomes."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from cityhall.core.api import ERROR_RESPONSES
from cityhall.core.errors import ApiError
from cityhall.decisions import selectors, services
from cityhall.decisions.contracts import (
    AttachmentRole,
    BodyKind,
    DecisionKind,
    DecisionStatus,
    LinkKind,
    MeetingStatus,
    MemberRole,
    VoteOption,
)
from cityhall.decisions.models import Body, Meeting, Membership

router = Router(tags=["Decisions"])


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


# --- Schemas --------------------------------------------------------------------------------------


class BodyOut(Schema):
    id: uuid.UUID
    slug: str
    name: str
    kind: BodyKind
    description: str


class MembershipOut(Schema):
    id: uuid.UUID
    member_id: uuid.UUID
    name: str = Field(..., alias="member.name")
    affiliation: str = Field(..., alias="member.affiliation")
    role: MemberRole
    start_on: dt.date
    end_on: dt.date | None


class BodyDetailOut(BodyOut):
    members: list[MembershipOut] = Field(..., description="Members whose term covers today.")


class MeetingOut(Schema):
    id: uuid.UUID
    body_id: uuid.UUID
    title: str
    starts_at: dt.datetime
    location: str
    status: MeetingStatus


class AgendaItemOut(Schema):
    id: uuid.UUID
    position: int
    title: str
    description: str


class AttachmentOut(Schema):
    id: uuid.UUID
    role: AttachmentRole
    document_id: uuid.UUID
    title: str
    url: str
    verify_url: str
    sha256: str
    signed: bool


class DecisionOut(Schema):
    id: uuid.UUID
    reference: str
    body_id: uuid.UUID
    body_name: str = Field(..., alias="body.name")
    meeting_id: uuid.UUID | None
    agenda_item_id: uuid.UUID | None
    kind: DecisionKind
    title: str
    status: DecisionStatus
    decided_on: dt.date | None
    result: str = Field(..., description="pass, fail, or empty while undecided (Open Civic Data).")
    votes_yes: int
    votes_no: int
    votes_abstain: int
    votes_absent: int


class MeetingDetailOut(MeetingOut):
    minutes: str
    items: list[AgendaItemOut]
    decisions: list[DecisionOut]
    attachments: list[AttachmentOut]


class VoteOut(Schema):
    member_id: uuid.UUID
    name: str = Field(..., alias="member.name")
    option: VoteOption


class LinkOut(Schema):
    id: uuid.UUID
    kind: LinkKind
    target_id: uuid.UUID
    title: str
    url: str


class DecisionDetailOut(DecisionOut):
    text: str
    votes: list[VoteOut]
    links: list[LinkOut]
    attachments: list[AttachmentOut]


# --- Public reads ------------------------------------------------------------------------------


@router.get(
    "/",
    response={200: list[DecisionOut], **ERROR_RESPONSES},
    auth=None,
    summary="Search decisions (all words, stemmed), newest first or by relevance",
    description="With words, `count` is exact up to 1,000; a search matching more says 1,001.",
)
@paginate
def decision_list(
    request: HttpRequest, q: str = "", body: str = "", status: str = "", sort: str = "newest"
) -> Any:
    if sort not in ("newest", "relevance"):
        raise ApiError(400, "bad_request", "sort must be newest or relevance.")
    if status and status not in selectors.visible_statuses(include_drafts=False):
        raise ApiError(400, "bad_request", "status must be a public decision status (not draft).")
    body_id = None
    if body:
        found = selectors.body_by_slug(body)
        if found is None:
            raise ApiError(400, "bad_request", f"There is no body “{body}”; see /api/v1/decisions/bodies.")
        body_id = found.pk
    return selectors.SearchResults(
        query=q[:200], body_id=body_id, status=status, relevance=sort == "relevance", include_drafts=False
    )


@router.get(
    "/bodies", response={200: list[BodyOut], **ERROR_RESPONSES}, auth=None, summary="Governing bodies"
)
@paginate
def body_list(request: HttpRequest) -> Any:
    return selectors.body_list()


@router.get(
    "/bodies/{slug}",
    response={200: BodyDetailOut, **ERROR_RESPONSES},
    auth=None,
    summary="A body with its members today",
)
def body_detail(request: HttpRequest, slug: str) -> Any:
    body = selectors.body_by_slug(slug)
    if body is None:
        raise ApiError(404, "not_found", "There is no body with this short name.")
    body.members = selectors.current_memberships(body)  # type: ignore[attr-defined]
    return body


@router.get(
    "/meetings",
    response={200: list[MeetingOut], **ERROR_RESPONSES},
    auth=None,
    summary="Meetings, newest first",
)
@paginate
def meeting_list(request: HttpRequest, body: str = "") -> Any:
    meetings = Meeting.objects.order_by("-starts_at")
    return meetings.filter(body__slug=body) if body else meetings


@router.get(
    "/meetings/{uuid:meeting_id}",
    response={200: MeetingDetailOut, **ERROR_RESPONSES},
    auth=None,
    summary="A meeting with its agenda, decisions and documents",
)
def meeting_detail(request: HttpRequest, meeting_id: uuid.UUID) -> Any:
    meeting = selectors.meeting_detail(meeting_id)
    if meeting is None:
        raise ApiError(404, "not_found", "There is no meeting with this id.")
    return meeting


@router.get(
    "/{uuid:decision_id}",
    response={200: DecisionDetailOut, **ERROR_RESPONSES},
    auth=None,
    summary="A decision with its roll-call votes, links and documents",
)
def decision_detail(request: HttpRequest, decision_id: uuid.UUID) -> Any:
    decision = selectors.decision_detail(decision_id)
    if decision is None:
        raise ApiError(404, "not_found", "There is no public decision with this id.")
    return decision


# --- Clerk's writes ----------------------------------------------------------------------------


class BodyIn(Schema):
    slug: str = Field(..., min_length=1, max_length=100, pattern=r"^[a-z0-9-]+$")
    name: str = Field(..., min_length=1, max_length=200)
    kind: BodyKind
    description: str = ""
    department_id: uuid.UUID | None = None


@router.post("/bodies", response={201: BodyOut, **ERROR_RESPONSES}, summary="Add a governing body")
def body_create(request: HttpRequest, payload: BodyIn) -> Status[Body]:
    return Status(201, services.body_create(actor=_user(request), **payload.model_dump()))


class MemberIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    affiliation: str = ""


class MemberOut(Schema):
    id: uuid.UUID
    name: str
    affiliation: str


@router.post(
    "/members", response={201: MemberOut, **ERROR_RESPONSES}, summary="Add a member (a person on bodies)"
)
def member_create(request: HttpRequest, payload: MemberIn) -> Status[Any]:
    return Status(201, services.member_create(actor=_user(request), **payload.model_dump()))


class MembershipIn(Schema):
    body_id: uuid.UUID
    member_id: uuid.UUID
    role: MemberRole = MemberRole.MEMBER
    start_on: dt.date
    end_on: dt.date | None = None


@router.post(
    "/memberships",
    response={201: MembershipOut, **ERROR_RESPONSES},
    summary="Record a member's term on a body",
)
def membership_add(request: HttpRequest, payload: MembershipIn) -> Status[Membership]:
    membership = services.membership_add(actor=_user(request), **payload.model_dump())
    return Status(201, Membership.objects.select_related("member").get(pk=membership.pk))


class MeetingIn(Schema):
    body_id: uuid.UUID
    title: str = Field(..., min_length=1, max_length=200)
    starts_at: dt.datetime
    location: str = ""


@router.post("/meetings", response={201: MeetingOut, **ERROR_RESPONSES}, summary="Schedule a meeting")
def meeting_create(request: HttpRequest, payload: MeetingIn) -> Status[Meeting]:
    return Status(201, services.meeting_create(actor=_user(request), **payload.model_dump()))


class MeetingPatchIn(Schema):
    status: MeetingStatus | None = None
    minutes: str | None = None


@router.patch(
    "/meetings/{uuid:meeting_id}",
    response={200: MeetingOut, **ERROR_RESPONSES},
    summary="Hold or cancel a meeting; record its minutes",
)
def meeting_update(request: HttpRequest, meeting_id: uuid.UUID, payload: MeetingPatchIn) -> Any:
    return services.meeting_update(actor=_user(request), meeting_id=meeting_id, **payload.model_dump())


class AgendaItemIn(Schema):
    title: str = Field(..., min_length=1, max_length=300)
    description: str = ""


@router.post(
    "/meetings/{uuid:meeting_id}/items",
    response={201: AgendaItemOut, **ERROR_RESPONSES},
    summary="Add an agenda item",
)
def agenda_item_add(request: HttpRequest, meeting_id: uuid.UUID, payload: AgendaItemIn) -> Status[Any]:
    return Status(
        201, services.agenda_item_add(actor=_user(request), meeting_id=meeting_id, **payload.model_dump())
    )


class DecisionIn(Schema):
    body_id: uuid.UUID
    title: str = Field(..., min_length=1, max_length=300)
    text: str = ""
    kind: DecisionKind = DecisionKind.MOTION
    meeting_id: uuid.UUID | None = None
    agenda_item_id: uuid.UUID | None = None
    submit: bool = Field(False, description="Submit now; otherwise the motion stays a draft (not public).")


def _staff_detail(decision_id: uuid.UUID) -> Any:
    return selectors.decision_detail(decision_id, include_drafts=True)


@router.post("/", response={201: DecisionDetailOut, **ERROR_RESPONSES}, summary="Record a motion")
def decision_create(request: HttpRequest, payload: DecisionIn) -> Status[Any]:
    decision = services.decision_create(actor=_user(request), **payload.model_dump())
    return Status(201, _staff_detail(decision.pk))


class TransitionIn(Schema):
    to_status: DecisionStatus
    note: str = Field("", max_length=500)


@router.post(
    "/{uuid:decision_id}/transition",
    response={200: DecisionDetailOut, **ERROR_RESPONSES},
    summary="Move a decision along its workflow (invalid moves answer 400 invalid_transition)",
)
def decision_transition(request: HttpRequest, decision_id: uuid.UUID, payload: TransitionIn) -> Any:
    services.decision_transition(actor=_user(request), decision_id=decision_id, **payload.model_dump())
    return _staff_detail(decision_id)


class VoteIn(Schema):
    member_id: uuid.UUID
    option: VoteOption


class RollCallIn(Schema):
    votes: list[VoteIn] = Field(..., min_length=1, max_length=500)


@router.post(
    "/{uuid:decision_id}/votes",
    response={200: DecisionDetailOut, **ERROR_RESPONSES},
    summary="Record (or correct) roll-call votes; all or nothing",
)
def votes_record(request: HttpRequest, decision_id: uuid.UUID, payload: RollCallIn) -> Any:
    services.votes_record(
        actor=_user(request), decision_id=decision_id, votes={v.member_id: v.option for v in payload.votes}
    )
    return _staff_detail(decision_id)


class CloseVoteIn(Schema):
    note: str = Field("", max_length=500)


@router.post(
    "/{uuid:decision_id}/close-vote",
    response={200: DecisionDetailOut, **ERROR_RESPONSES},
    summary="Close the roll call: count it and record the outcome",
)
def vote_close(request: HttpRequest, decision_id: uuid.UUID, payload: CloseVoteIn) -> Any:
    services.decision_vote_close(actor=_user(request), decision_id=decision_id, note=payload.note)
    return _staff_detail(decision_id)


class LinkIn(Schema):
    kind: LinkKind
    target_id: uuid.UUID
    title: str = Field("", max_length=300)
    url: str = Field("", max_length=500)


@router.post(
    "/{uuid:decision_id}/links",
    response={201: LinkOut, **ERROR_RESPONSES},
    summary="Link a decision to a consultation, proposal, emergency decision or project",
)
def link_add(request: HttpRequest, decision_id: uuid.UUID, payload: LinkIn) -> Status[Any]:
    return Status(
        201, services.decision_link_add(actor=_user(request), decision_id=decision_id, **payload.model_dump())
    )


class PublishOut(Schema):
    published: bool


@router.post(
    "/open-data/publish",
    response={200: PublishOut, **ERROR_RESPONSES},
    summary="Publish bodies, meetings, decisions and votes to the open-data catalog",
)
def open_data_publish(request: HttpRequest) -> Any:
    return {"published": services.open_data_publish(actor=_user(request))}
