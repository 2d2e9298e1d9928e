"""/api/v1/decisions/: public reads, the clerk's writes, and bad input in the one error shape."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import User
from cityhall.decisions.models import Decision, Vote
from tests.decisions.conftest import Council

pytestmark = pytest.mark.django_db

API = "/api/v1/decisions"


def test_public_search_is_paginated(motion: Decision) -> None:
    body = Client().get(f"{API}/", {"q": "harbour", "page_size": 5}).json()
    assert body["count"] == 1 and body["items"][0]["reference"] == motion.reference
    assert body["items"][0]["body_name"] == "City Council"
    assert Client().get(f"{API}/", {"q": "harbour", "body": "nope"}).json()["error"]["code"] == "bad_request"


def test_public_detail_bodies_and_meetings(council: Council, motion: Decision) -> None:
    assert Client().get(f"{API}/{motion.pk}").json()["title"] == motion.title
    members = Client().get(f"{API}/bodies/council").json()["members"]
    assert sorted(m["name"] for m in members) == ["Ana", "Ben", "Cy"]
    meeting = Client().get(f"{API}/meetings/{council.meeting.pk}").json()
    assert [d["id"] for d in meeting["decisions"]] == [str(motion.pk)]


def test_the_clerk_runs_a_roll_call(
    council: Council, motion: Decision, clerk: User, api_client: Callable[[User], Client]
) -> None:
    client = api_client(clerk)
    opened = client.post(
        f"{API}/{motion.pk}/transition", {"to_status": "voting"}, content_type="application/json"
    )
    assert opened.status_code == 200 and opened.json()["status"] == "voting"
    votes = [{"member_id": str(m.pk), "option": "yes"} for m in council.members]
    assert (
        client.post(f"{API}/{motion.pk}/votes", {"votes": votes}, content_type="application/json").status_code
        == 200
    )
    closed = client.post(f"{API}/{motion.pk}/close-vote", {}, content_type="application/json").json()
    assert (closed["status"], closed["result"], closed["votes_yes"]) == ("adopted", "pass", 3)
    assert len(closed["votes"]) == 3


def test_a_non_member_vote_is_a_400_and_nothing_is_written(
    council: Council, open_vote: Decision, clerk: User, api_client: Callable[[User], Client]
) -> None:
    votes = [
        {"member_id": str(council.members[0].pk), "option": "yes"},
        {"member_id": str(council.outsider.pk), "option": "no"},
    ]
    response = api_client(clerk).post(
        f"{API}/{open_vote.pk}/votes", {"votes": votes}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_a_member"
    assert Vote.objects.count() == 0


def test_an_invalid_transition_is_a_400(
    motion: Decision, clerk: User, api_client: Callable[[User], Client]
) -> None:
    response = api_client(clerk).post(
        f"{API}/{motion.pk}/transition", {"to_status": "draft"}, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_transition"


def test_an_unknown_option_is_a_422(
    open_vote: Decision, council: Council, clerk: User, api_client: Callable[[User], Client]
) -> None:
    votes = [{"member_id": str(council.members[0].pk), "option": "maybe"}]
    response = api_client(clerk).post(
        f"{API}/{open_vote.pk}/votes", {"votes": votes}, content_type="application/json"
    )
    assert response.status_code == 422


def test_residents_cannot_write(
    council: Council, make_user: Callable[..., User], api_client: Callable[[User], Client]
) -> None:
    response = api_client(make_user(Role.RESIDENT)).post(
        f"{API}/", {"body_id": str(council.body.pk), "title": "Mine"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_writes_need_a_token(council: Council) -> None:
    response = Client().post(
        f"{API}/", {"body_id": str(council.body.pk), "title": "X"}, content_type="application/json"
    )
    assert response.status_code == 401
