"""Open data: bodies, memberships, meetings, decisions and votes as JSON and CSV.

Votes in JSON follow the Open Civic Data VoteEvent shape (motion_text, start_date, result, counts,
votes with option), so Councilmatic-style tools can read them. Drafts are never exported.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from cityhall.core.csvsafe import csv_text
from cityhall.decisions.contracts import PUBLIC_STATUSES, VoteOption
from cityhall.decisions.models import Body, Decision, Meeting, Membership, Vote

TABLES = ("bodies", "memberships", "meetings", "decisions", "votes")
FORMATS = {"json": "application/json", "csv": "text/csv; charset=utf-8"}


def absolute(path: str) -> str:
    return f"{settings.CITYHALL_BASE_URL}{path}"


def _date(value: Any) -> str:
    return value.isoformat() if value else ""


def bodies() -> tuple[list[str], Iterator[list[Any]]]:
    header = ["id", "slug", "name", "kind", "description"]
    rows = ([str(b.pk), b.slug, b.name, b.kind, b.description] for b in Body.objects.order_by("slug"))
    return header, rows


def memberships() -> tuple[list[str], Iterator[list[Any]]]:
    header = ["body", "member_id", "name", "affiliation", "role", "start_date", "end_date"]
    rows = (
        [
            m.body.slug,
            str(m.member_id),
            m.member.name,
            m.member.affiliation,
            m.role,
            _date(m.start_on),
            _date(m.end_on),
        ]
        for m in Membership.objects.select_related("body", "member").order_by(
            "body__slug", "member__name", "start_on"
        )
    )
    return header, rows


def meetings() -> tuple[list[str], Iterator[list[Any]]]:
    header = ["id", "body", "title", "start", "location", "status", "url"]
    rows = (
        [
            str(m.pk),
            m.body.slug,
            m.title,
            m.starts_at.isoformat(),
            m.location,
            m.status,
            absolute(reverse("decisions:meeting", args=[m.pk])),
        ]
        for m in Meeting.objects.select_related("body").order_by("starts_at").iterator(chunk_size=2000)
    )
    return header, rows


def _public_decisions() -> Any:
    return Decision.objects.filter(status__in=PUBLIC_STATUSES).select_related("body").order_by("serial")


def decisions() -> tuple[list[str], Iterator[list[Any]]]:
    header = [
        "id",
        "reference",
        "body",
        "meeting_id",
        "kind",
        "title",
        "status",
        "decided_on",
        "result",
        "yes",
        "no",
        "abstain",
        "absent",
        "url",
    ]
    rows = (
        [
            str(d.pk),
            d.reference,
            d.body.slug,
            str(d.meeting_id or ""),
            d.kind,
            d.title,
            d.status,
            _date(d.decided_on),
            d.result,
            d.votes_yes,
            d.votes_no,
            d.votes_abstain,
            d.votes_absent,
            absolute(reverse("decisions:decision", args=[d.pk])),
        ]
        for d in _public_decisions().iterator(chunk_size=2000)
    )
    return header, rows


def votes() -> tuple[list[str], Iterator[list[Any]]]:
    header = ["decision_id", "reference", "member_id", "member_name", "option"]
    rows = (
        [str(v.decision_id), v.decision.reference, str(v.member_id), v.member.name, v.option]
        for v in Vote.objects.filter(decision__status__in=PUBLIC_STATUSES)
        .select_related("decision", "member")
        .order_by("decision__serial", "member__name")
        .iterator(chunk_size=2000)
    )
    return header, rows


def vote_events() -> list[dict[str, Any]]:
    """Every roll call of a decided motion as an Open Civic Data VoteEvent."""
    by_decision: dict[Any, list[Vote]] = {}
    for vote in Vote.objects.filter(decision__status__in=PUBLIC_STATUSES).select_related("member"):
        by_decision.setdefault(vote.decision_id, []).append(vote)
    events = []
    for decision in _public_decisions().filter(pk__in=list(by_decision)).select_related("meeting"):
        events.append(
            {
                "identifier": decision.reference,
                "motion_text": decision.title,
                "motion_classification": [decision.kind],
                "start_date": decision.meeting.starts_at.isoformat() if decision.meeting else "",
                "result": decision.result,
                "organization": decision.body.name,
                "counts": [
                    {
                        "option": option,
                        "value": sum(1 for v in by_decision[decision.pk] if v.option == option),
                    }
                    for option in VoteOption.values
                ],
                "votes": [
                    {"voter_name": v.member.name, "voter_id": str(v.member_id), "option": v.option}
                    for v in sorted(by_decision[decision.pk], key=lambda v: v.member.name)
                ],
                "sources": [{"url": absolute(reverse("decisions:decision", args=[decision.pk]))}],
            }
        )
    return events


TABLE_BUILDERS = {
    "bodies": bodies,
    "memberships": memberships,
    "meetings": meetings,
    "decisions": decisions,
    "votes": votes,
}


def table_csv(name: str) -> str:
    header, rows = TABLE_BUILDERS[name]()
    return csv_text(header, rows)


def table_json(name: str) -> bytes:
    if name == "votes":
        payload: Any = {"vote_events": vote_events()}
    else:
        header, rows = TABLE_BUILDERS[name]()
        payload = {name: [dict(zip(header, row, strict=True)) for row in rows]}
    payload["generated_at"] = timezone.now().isoformat()
    return json.dumps(payload, ensure_ascii=False, indent=1).encode()


def catalog_files() -> list[tuple[str, bytes, str, str]]:
    """(name, content, media type, format) of every export, for the open-data catalog."""
    files = []
    for name in TABLES:
        files.append((f"{name}.csv", table_csv(name).encode(), "text/csv", "CSV"))
        files.append((f"{name}.json", table_json(name), "application/json", "JSON"))
    return files
