"""Reads of the decisions module: a bounded number of queries each."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from cityhall.decisions import search
from cityhall.decisions.contracts import PUBLIC_STATUSES, DecisionRef, DecisionStatus
from cityhall.decisions.models import (
    AgendaItem,
    Attachment,
    Body,
    Decision,
    DecisionLink,
    Meeting,
    Membership,
    StatusChange,
    Vote,
)
from cityhall.decisions.services import decision_url

MAX_PAGE_SIZE = 100


def visible_statuses(*, include_drafts: bool) -> frozenset[str]:
    return frozenset(DecisionStatus) if include_drafts else PUBLIC_STATUSES


# --- Bodies ------------------------------------------------------------------------------------


def body_list() -> QuerySet[Body]:
    return Body.objects.filter(active=True).select_related("department")


def body_by_slug(slug: str) -> Body | None:
    return Body.objects.filter(slug=slug).first()


def current_memberships(body: Body, *, on: dt.date | None = None) -> list[Membership]:
    on = on or timezone.localdate()
    return list(
        body.memberships.filter(start_on__lte=on)
        .filter(Q(end_on__isnull=True) | Q(end_on__gte=on))
        .select_related("member")
        .order_by("role", "member__name")
    )


def memberships_on(body_id: uuid.UUID, on: dt.date) -> list[Membership]:
    return list(
        Membership.objects.filter(body_id=body_id, start_on__lte=on)
        .filter(Q(end_on__isnull=True) | Q(end_on__gte=on))
        .select_related("member")
        .order_by("member__name")
    )


# --- Meetings ----------------------------------------------------------------------------------


def meeting_list(*, body: Body | None = None, limit: int = 100) -> list[Meeting]:
    meetings = Meeting.objects.select_related("body").order_by("-starts_at")
    if body is not None:
        meetings = meetings.filter(body=body)
    return list(meetings[:limit])


def meeting_detail(meeting_id: uuid.UUID, *, include_drafts: bool = False) -> Meeting | None:
    statuses = visible_statuses(include_drafts=include_drafts)
    return (
        Meeting.objects.select_related("body")
        .prefetch_related(
            Prefetch("items", queryset=AgendaItem.objects.order_by("position")),
            Prefetch("decisions", queryset=Decision.objects.filter(status__in=statuses).order_by("serial")),
            Prefetch("attachments", queryset=Attachment.objects.order_by("created_at")),
        )
        .filter(pk=meeting_id)
        .first()
    )


# --- Decisions ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DecisionPage:
    items: list[Decision]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def more_than_limit(self) -> bool:
        """The search matched more than the count limit; `total` then says limit + 1."""
        return self.total > search.COUNT_LIMIT

    @property
    def count_limit(self) -> int:
        return search.COUNT_LIMIT

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _search(
    *,
    query: str,
    body_id: uuid.UUID | None,
    status: str,
    relevance: bool,
    include_drafts: bool,
    offset: int,
    limit: int,
) -> tuple[list[Decision], int]:
    statuses = visible_statuses(include_drafts=include_drafts)
    if status:
        statuses = statuses & {status}
    if search.terms(query):
        found = search.search(
            query, statuses=statuses, body_id=body_id, relevance=relevance, limit=limit, offset=offset
        )
        by_id = {d.pk: d for d in Decision.objects.select_related("body").filter(pk__in=found.ids)}
        return [by_id[pk] for pk in found.ids if pk in by_id], found.total
    decisions = Decision.objects.filter(status__in=statuses)
    if body_id is not None:
        decisions = decisions.filter(body_id=body_id)
    items = list(decisions.select_related("body").order_by("-serial")[offset : offset + limit])
    total = len(items) if offset == 0 and len(items) < limit else decisions.count()
    return items, total


def decision_search(
    *,
    query: str = "",
    body_id: uuid.UUID | None = None,
    status: str = "",
    relevance: bool = False,
    include_drafts: bool = False,
    page: int = 1,
    page_size: int = 20,
) -> DecisionPage:
    """Full-text search (every word must match, stemmed) or, without words, the newest decisions."""
    page = max(1, page)
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    items, total = _search(
        query=query,
        body_id=body_id,
        status=status,
        relevance=relevance,
        include_drafts=include_drafts,
        offset=(page - 1) * page_size,
        limit=page_size,
    )
    return DecisionPage(items=items, total=total, page=page, page_size=page_size)


class SearchResults:
    """The search as a sliceable, countable sequence, so the API's pagination drives it (one query
    for the page and at most one for the count)."""

    def __init__(self, **criteria: Any) -> None:
        self.criteria = criteria
        self.total: int | None = None

    def __getitem__(self, window: slice) -> list[Decision]:
        offset = window.start or 0
        items, self.total = _search(
            **self.criteria, offset=offset, limit=(window.stop or offset + 20) - offset
        )
        return items

    def __len__(self) -> int:
        if self.total is None:
            self[0:1]
        assert self.total is not None
        return self.total


def decision_detail(decision_id: uuid.UUID, *, include_drafts: bool = False) -> Decision | None:
    return (
        Decision.objects.select_related("body", "meeting", "agenda_item")
        .prefetch_related(
            Prefetch("votes", queryset=Vote.objects.select_related("member").order_by("member__name")),
            Prefetch("links", queryset=DecisionLink.objects.order_by("kind", "title")),
            Prefetch("attachments", queryset=Attachment.objects.order_by("created_at")),
            Prefetch("history", queryset=StatusChange.objects.order_by("at", "pk")),
        )
        .filter(pk=decision_id, status__in=visible_statuses(include_drafts=include_drafts))
        .first()
    )


def feed_decisions(*, body: Body | None = None, limit: int = 50) -> list[Decision]:
    decisions = Decision.objects.filter(status__in=PUBLIC_STATUSES).select_related("body")
    if body is not None:
        decisions = decisions.filter(body=body)
    return list(decisions.order_by("-updated_at")[:limit])


def decisions_linked_to(kind: str, target_id: uuid.UUID) -> list[Decision]:
    return list(
        Decision.objects.filter(status__in=PUBLIC_STATUSES, links__kind=kind, links__target_id=target_id)
        .select_related("body")
        .order_by("-serial")
    )


def decision_ref_of(decision: Decision) -> DecisionRef:
    return DecisionRef(
        id=decision.pk,
        title=decision.title,
        url=decision_url(decision.pk),
        decided_on=decision.decided_on,
        status=decision.status,
        body_name=decision.body.name,
    )
