"""/api/v1/engagement/: public reads without a token, taking part with the participant's token, running
processes with a manager's token; every refusal in the one error shape, with nothing written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cityhall.accounts.contracts import AssuranceLevel
from cityhall.accounts.models import User
from cityhall.engagement import services
from cityhall.engagement.contracts import ProposalStatus
from cityhall.engagement.models import Comment, Consultation, ConsultationResponse, ProposalProcess, Support
from tests.engagement.conftest import make_consultation

pytestmark = pytest.mark.django_db

BASE = "/api/v1/engagement"


def post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(f"{BASE}{url}", body or {}, content_type="application/json")


def api_answers(consultation: Consultation, **overrides: Any) -> dict[str, Any]:
    text, single, multiple, scale = consultation.questions.all()
    answers = [
        {"question_id": text.pk, "text": "More shade"},
        {"question_id": single.pk, "choices": [1]},
        {"question_id": multiple.pk, "choices": [0, 2]},
        {"question_id": scale.pk, "value": overrides.get("scale", 3)},
    ]
    return {"answers": answers}


def test_public_lists_need_no_token(
    consultation: Consultation, process: ProposalProcess, resident: User
) -> None:
    services.proposal_create(
        user=resident, process_id=process.pk, title="Night buses", summary="After midnight"
    )
    client = Client()
    consultations = client.get(f"{BASE}/consultations").json()
    assert consultations["count"] == 1 and consultations["items"][0]["eligibility"] == "email_verified"
    detail = client.get(f"{BASE}/consultations/{consultation.pk}").json()
    assert [q["kind"] for q in detail["questions"]] == ["text", "single", "multiple", "scale"]
    assert detail["results"] == [] and detail["responses"] is None  # totals only once closed
    processes = client.get(f"{BASE}/processes").json()
    assert processes["items"][0]["supports_needed"] == 3
    proposals = client.get(f"{BASE}/processes/{process.pk}/proposals").json()
    assert proposals["items"][0]["author"] == "Rosa" and "email" not in proposals["items"][0]


def test_answering_with_a_token(
    consultation: Consultation, resident: User, api_client: Callable[[User], Client]
) -> None:
    response = post(
        api_client(resident), f"/consultations/{consultation.pk}/responses", api_answers(consultation)
    )
    assert response.status_code == 201, response.content
    assert response.json()["assurance_level"] == "email_verified"
    again = post(
        api_client(resident), f"/consultations/{consultation.pk}/responses", api_answers(consultation)
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_answered"
    assert ConsultationResponse.objects.count() == 1


def test_an_out_of_range_scale_names_the_answer(
    consultation: Consultation, resident: User, api_client: Callable[[User], Client]
) -> None:
    response = post(
        api_client(resident),
        f"/consultations/{consultation.pk}/responses",
        api_answers(consultation, scale=11),
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "answers_invalid"
    assert error["fields"] == [
        {"location": "body.payload.answers.3", "message": "Pick a number from 1 to 5."}
    ]
    assert not ConsultationResponse.objects.exists()


def test_answering_a_closed_consultation_is_a_conflict(
    manager: User, resident: User, api_client: Callable[[User], Client]
) -> None:
    consultation = make_consultation(manager, phase="closed")
    response = post(
        api_client(resident), f"/consultations/{consultation.pk}/responses", api_answers(consultation)
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "not_open"
    assert not ConsultationResponse.objects.exists()


def test_an_ineligible_participant_gets_the_reason(
    manager: User, resident: User, api_client: Callable[[User], Client]
) -> None:
    consultation = make_consultation(manager, eligibility=AssuranceLevel.VERIFIED_RESIDENT)
    client = api_client(resident)
    check = client.get(f"{BASE}/eligibility?kind=consultation&id={consultation.pk}").json()
    assert check["ok"] is False and "Verify that you live in the city" in check["reason"]
    response = post(client, f"/consultations/{consultation.pk}/responses", api_answers(consultation))
    assert response.status_code == 403 and "Verify that you live" in response.json()["error"]["message"]
    assert not ConsultationResponse.objects.exists()


def test_taking_part_needs_a_token(consultation: Consultation) -> None:
    response = post(Client(), f"/consultations/{consultation.pk}/responses", api_answers(consultation))
    assert response.status_code == 401
    assert not ConsultationResponse.objects.exists()


def test_supporting_twice_through_the_api_counts_once(
    process: ProposalProcess,
    resident: User,
    make_user: Callable[..., User],
    api_client: Callable[[User], Client],
) -> None:
    created = post(
        api_client(resident), f"/processes/{process.pk}/proposals", {"title": "Trees", "summary": "More"}
    )
    assert created.status_code == 201
    proposal_id = created.json()["id"]
    client = api_client(make_user())
    first = post(client, f"/proposals/{proposal_id}/supports")
    assert first.status_code == 201 and first.json()["supports_count"] == 1
    second = post(client, f"/proposals/{proposal_id}/supports")
    assert second.status_code == 409 and second.json()["error"]["code"] == "already_supported"
    assert Support.objects.count() == 1


def test_the_comment_rate_limit_answers_429(
    consultation: Consultation, resident: User, api_client: Callable[[User], Client], settings: Any
) -> None:
    settings.ENGAGEMENT_COMMENTS_PER_WINDOW = 1
    client = api_client(resident)
    assert post(client, f"/consultations/{consultation.pk}/comments", {"body": "First"}).status_code == 201
    limited = post(client, f"/consultations/{consultation.pk}/comments", {"body": "Second"})
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limited"
    assert Comment.objects.count() == 1


def test_a_manager_runs_a_consultation_and_a_call_through_the_api(
    manager: User, make_user: Callable[..., User], api_client: Callable[[User], Client]
) -> None:
    staff = api_client(manager)
    created = post(
        staff, "/consultations", {"title": "Bus routes", "summary": "Which routes?", "eligibility": "account"}
    )
    assert created.status_code == 201, created.content
    consultation_id = created.json()["id"]
    question = post(
        staff,
        f"/consultations/{consultation_id}/questions",
        {"kind": "single", "text": "Which first?", "required": True, "options": ["Line 1", "Line 2"]},
    )
    assert question.status_code == 201
    assert post(staff, f"/consultations/{consultation_id}/phase", {"phase": "open"}).json()["phase"] == "open"
    bad_phase = post(staff, f"/consultations/{consultation_id}/phase", {"phase": "report"})
    assert bad_phase.status_code == 422
    answer = post(
        api_client(make_user()),
        f"/consultations/{consultation_id}/responses",
        {"answers": [{"question_id": question.json()["id"], "choices": [1]}]},
    )
    assert answer.status_code == 201
    post(staff, f"/consultations/{consultation_id}/phase", {"phase": "closed"})
    item = post(
        staff,
        f"/consultations/{consultation_id}/report-items",
        {"theme": "Line 2", "submissions": 1, "outcome": "accepted", "response": "Line 2 first, from March."},
    )
    assert item.status_code == 201
    assert (
        post(staff, f"/consultations/{consultation_id}/report", {"summary": "Thanks"}).json()["phase"]
        == "report"
    )
    public = Client().get(f"{BASE}/consultations/{consultation_id}").json()
    assert public["report"][0]["response"] == "Line 2 first, from March."
    assert public["results"][0]["option_counts"] == [0, 1]

    process = post(staff, "/processes", {"title": "Ideas", "summary": "Yours", "threshold_value": "1"})
    assert process.status_code == 201, process.content
    opened = post(staff, f"/processes/{process.json()['id']}/status", {"action": "open"})
    assert opened.json()["supports_needed"] == 1
    proposal = services.proposal_create(
        user=make_user(), process_id=opened.json()["id"], title="T", summary="S"
    )
    answered = post(
        staff, f"/proposals/{proposal.pk}/response", {"outcome": "not_accepted", "text": "No budget."}
    )
    assert answered.status_code == 200 and answered.json()["status"] == ProposalStatus.ANSWERED


def test_residents_cannot_use_staff_operations(
    consultation: Consultation, resident: User, api_client: Callable[[User], Client]
) -> None:
    client = api_client(resident)
    refused = post(client, "/consultations", {"title": "Mine", "summary": "Mine"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"
    comment = services.comment_create(user=resident, consultation_id=consultation.pk, body="Hello")
    hide = post(client, f"/comments/{comment.pk}/hide", {"reason": "Because"})
    assert hide.status_code == 403
    assert Consultation.objects.count() == 1


def test_refs_for_the_decisions_module(consultation: Consultation, process: ProposalProcess) -> None:
    refs = Client().get(f"{BASE}/refs?q=Market").json()
    assert [(r["kind"], r["id"]) for r in refs] == [("consultation", str(consultation.pk))]


def test_list_endpoints_use_a_bounded_number_of_queries(
    process: ProposalProcess, make_user: Callable[..., User], django_assert_max_num_queries: Any
) -> None:
    for number in range(15):
        services.proposal_create(user=make_user(), process_id=process.pk, title=f"P{number}", summary="S")
    with django_assert_max_num_queries(4):
        response = Client().get(f"{BASE}/processes/{process.pk}/proposals?page_size=50")
    assert response.json()["count"] == 15
