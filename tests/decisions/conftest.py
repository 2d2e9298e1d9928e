"""Fixtures of the decisions tests: a clerk, a council with members and terms, a meeting, a motion."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import User
from cityhall.decisions import services
from cityhall.decisions.models import Body, Decision, Meeting, Member

MEETING_DAY = dt.date(2026, 3, 10)


@pytest.fixture
def clerk(make_user: Callable[..., User]) -> User:
    return make_user(Role.COUNCIL_CLERK)


@dataclass
class Council:
    body: Body
    members: list[Member]
    former: Member  # term ended before the meeting
    outsider: Member  # sits on another body only
    meeting: Meeting


@pytest.fixture
def council(db: Any, clerk: User, department: Any) -> Council:
    body = services.body_create(
        actor=clerk, slug="council", name="City Council", kind="council", department_id=department.pk
    )
    board = services.body_create(actor=clerk, slug="board", name="Harbour Board", kind="board")
    members = [
        services.member_create(actor=clerk, name=name, affiliation="Independent")
        for name in ("Ana", "Ben", "Cy")
    ]
    for member in members:
        services.membership_add(
            actor=clerk, body_id=body.pk, member_id=member.pk, start_on=dt.date(2024, 1, 1)
        )
    former = services.member_create(actor=clerk, name="Dee Former")
    services.membership_add(
        actor=clerk,
        body_id=body.pk,
        member_id=former.pk,
        start_on=dt.date(2022, 1, 1),
        end_on=dt.date(2025, 12, 31),
    )
    outsider = services.member_create(actor=clerk, name="Eve Outsider")
    services.membership_add(
        actor=clerk, body_id=board.pk, member_id=outsider.pk, start_on=dt.date(2024, 1, 1)
    )
    starts = timezone.make_aware(dt.datetime.combine(MEETING_DAY, dt.time(18, 0)))
    meeting = services.meeting_create(actor=clerk, body_id=body.pk, title="Council, March", starts_at=starts)
    return Council(body=body, members=members, former=former, outsider=outsider, meeting=meeting)


@pytest.fixture
def motion(council: Council, clerk: User) -> Decision:
    return services.decision_create(
        actor=clerk,
        body_id=council.body.pk,
        meeting_id=council.meeting.pk,
        title="Protected cycle lanes on Harbour Road",
        text="The council resolves to build protected cycle lanes along Harbour Road by 2027.",
        submit=True,
    )


@pytest.fixture
def open_vote(motion: Decision, clerk: User) -> Decision:
    return services.decision_transition(actor=clerk, decision_id=motion.pk, to_status="voting")
