"""/api/v1/voting/: public reads, ballots with a token, staff management, the one error shape."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cityhall.accounts.assurance import resident_verify_in_person, user_assurance_level
from cityhall.accounts.contracts import AssuranceLevel, Role
from cityhall.accounts.levels import level_note
from cityhall.accounts.models import User
from cityhall.voting.models import Budget, BudgetBallot, Poll, PollBallot
from cityhall.voting.outcomes import instance_from_pabulib
from tests.voting.conftest import answers_for, close, window

pytestmark = pytest.mark.django_db
BASE = "/api/v1/voting"


def test_polls_are_listed_publicly_with_their_questions(poll: Poll, make_poll: Callable[..., Poll]) -> None:
    make_poll(publish=False, title="A draft")
    body = Client().get(f"{BASE}/polls").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["title"] == poll.title and item["state"] == "open" and not item["results_published"]
    assert [o["code"] for o in item["questions"][0]["options"]] == ["yes", "no", "unsure"]


def test_a_resident_votes_through_the_api_and_a_second_ballot_is_a_409(
    poll: Poll, resident: User, api_client: Callable[[User], Client]
) -> None:
    client = api_client(resident)
    url = f"{BASE}/polls/{poll.pk}/ballots"
    response = client.post(url, {"answers": answers_for(poll)}, content_type="application/json")
    assert response.status_code == 201
    assert len(response.json()["receipt"]) == 64
    again = client.post(url, {"answers": answers_for(poll, "no")}, content_type="application/json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_voted"
    assert PollBallot.objects.count() == 1


def test_voting_needs_a_token(poll: Poll) -> None:
    response = Client().post(
        f"{BASE}/polls/{poll.pk}/ballots", {"answers": answers_for(poll)}, content_type="application/json"
    )
    assert response.status_code == 401
    assert PollBallot.objects.count() == 0


def test_bad_budget_ballots_through_the_api(
    budget: Budget, resident: User, api_client: Callable[[User], Client]
) -> None:
    client = api_client(resident)
    url = f"{BASE}/budgets/{budget.pk}/ballots"
    over = client.post(url, {"projects": ["A1", "A2", "A3"]}, content_type="application/json")
    assert over.status_code == 400 and over.json()["error"]["code"] == "over_budget"
    malformed = client.post(url, {"projects": "A1"}, content_type="application/json")
    assert malformed.status_code == 422
    assert BudgetBallot.objects.count() == 0
    assert client.post(url, {"projects": ["A1"]}, content_type="application/json").status_code == 201


def test_a_closed_poll_refuses_ballots_and_publishes_results_and_ballots(
    poll: Poll, resident: User, api_client: Callable[[User], Client]
) -> None:
    client = api_client(resident)
    cast = client.post(
        f"{BASE}/polls/{poll.pk}/ballots", {"answers": answers_for(poll)}, content_type="application/json"
    ).json()
    early = Client().get(f"{BASE}/polls/{poll.pk}/results")
    assert early.status_code == 409 and early.json()["error"]["code"] == "results_not_published"
    close(poll)
    late = client.post(
        f"{BASE}/polls/{poll.pk}/ballots", {"answers": answers_for(poll)}, content_type="application/json"
    )
    assert late.status_code == 409 and late.json()["error"]["code"] == "voting_closed"
    results = Client().get(f"{BASE}/polls/{poll.pk}/results").json()
    assert results["ballots"] == 1 and results["non_probability_sample"] is True
    assert results["questions"][0]["options"][0]["count"] == 1
    ballots = Client().get(f"{BASE}/polls/{poll.pk}/ballots").json()
    assert ballots["items"] == [{"receipt": cast["receipt"], "answers": cast["ballot"]["answers"]}]
    found = Client().get(f"{BASE}/polls/{poll.pk}/ballots/{cast['receipt']}")
    assert found.status_code == 200
    assert Client().get(f"{BASE}/polls/{poll.pk}/ballots/{'0' * 64}").status_code == 404


def test_budget_results_and_pabulib_through_the_api(
    budget: Budget, make_user: Callable[..., User], api_client: Callable[[User], Client]
) -> None:
    for codes in (["A1", "A2"], ["A1"], ["B1"]):
        api_client(make_user()).post(
            f"{BASE}/budgets/{budget.pk}/ballots", {"projects": codes}, content_type="application/json"
        )
    close(budget)
    results = Client().get(f"{BASE}/budgets/{budget.pk}/results").json()
    methods = {o["method"]: o["selected"] for o in results["outcomes"]}
    assert methods["greedy"] == ["A1", "A2"]
    assert set(methods) == {"greedy", "mes"}
    pb = Client().get(f"{BASE}/budgets/{budget.pk}/pabulib")
    assert pb.status_code == 200 and pb["Content-Type"].startswith("text/plain")
    assert len(instance_from_pabulib(pb.content.decode()).ballots) == 3


def test_staff_create_and_publish_through_the_api(
    make_user: Callable[..., User], api_client: Callable[[User], Client]
) -> None:
    client = api_client(make_user(Role.MODERATOR))
    times = {k: v.isoformat() for k, v in window().items()}
    response = client.post(
        f"{BASE}/budgets",
        {
            "title": "Park budget",
            "total": 1000,
            "vote_rule": "approval",
            "min_projects": 1,
            "max_projects": 2,
            "projects": [
                {"code": "P1", "title": "Benches", "cost": 300},
                {"code": "P2", "title": "Lights", "cost": 800},
            ],
            "publish": True,
            **times,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["state"] == "open" and len(response.json()["projects"]) == 2
    poll = client.post(
        f"{BASE}/polls",
        {
            "title": "Quick poll",
            "questions": [
                {"text": "OK?", "options": [{"code": "y", "label": "Yes"}, {"code": "n", "label": "No"}]}
            ],
            **times,
        },
        content_type="application/json",
    )
    assert poll.status_code == 201 and poll.json()["state"] == "draft"


def test_residents_cannot_create_through_the_api(
    resident: User, api_client: Callable[[User], Client]
) -> None:
    times = {k: v.isoformat() for k, v in window().items()}
    response = api_client(resident).post(
        f"{BASE}/polls", {"title": "Mine", **times}, content_type="application/json"
    )
    assert response.status_code == 403
    assert Poll.objects.count() == 0


def test_the_level_read_with_the_token_decides_who_may_vote(
    make_poll: Callable[..., Poll], resident: User, moderator: User, api_client: Callable[[User], Client]
) -> None:
    """The token lookup reads the owner's assurance level in the same statement; a poll for verified
    residents refuses an email-verified account through the API, and takes its ballot once verified."""
    poll = make_poll(min_assurance=AssuranceLevel.VERIFIED_RESIDENT)
    client = api_client(resident)
    url = f"{BASE}/polls/{poll.pk}/ballots"
    refused = client.post(url, {"answers": answers_for(poll)}, content_type="application/json")
    assert refused.status_code == 403
    assert "verified resident" in refused.json()["error"]["message"].lower()
    resident_verify_in_person(actor=moderator, user=resident, document="ID card")
    accepted = client.post(url, {"answers": answers_for(poll)}, content_type="application/json")
    assert accepted.status_code == 201
    assert PollBallot.objects.filter(poll=poll).count() == 1


def test_an_api_ballot_asks_the_database_for_the_voters_level_only_with_the_token(
    poll: Poll, resident: User, api_client: Callable[[User], Client]
) -> None:
    client = api_client(resident)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            f"{BASE}/polls/{poll.pk}/ballots", {"answers": answers_for(poll)}, content_type="application/json"
        )
    assert response.status_code == 201
    level_reads = [q["sql"] for q in queries.captured_queries if "account_emailaddress" in q["sql"]]
    assert len(level_reads) == 1 and "accounts_apitoken" in level_reads[0]


def test_a_noted_level_is_forgotten_when_the_resident_is_verified(resident: User, moderator: User) -> None:
    level_note(resident, AssuranceLevel.EMAIL_VERIFIED)
    assert user_assurance_level(resident) == AssuranceLevel.EMAIL_VERIFIED
    resident_verify_in_person(actor=moderator, user=resident, document="ID card")
    assert user_assurance_level(resident) == AssuranceLevel.VERIFIED_RESIDENT
