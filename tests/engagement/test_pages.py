"""Resident pages under /participate/ and staff pages under /staff/engagement/ (no JavaScript needed)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from cityhall.accounts.contracts import AssuranceLevel, Role
from cityhall.accounts.models import User
from cityhall.core.models import AuditEvent
from cityhall.engagement import services
from cityhall.engagement.contracts import ConsultationPhase, Outcome, ProposalStatus
from cityhall.engagement.models import (
    Comment,
    Consultation,
    ConsultationResponse,
    Proposal,
    ProposalProcess,
    Support,
)
from tests.engagement.conftest import make_consultation, make_process

pytestmark = pytest.mark.django_db


def page_answers(consultation: Consultation, **overrides: Any) -> dict[str, Any]:
    text, single, multiple, scale = consultation.questions.all()
    data: dict[str, Any] = {
        f"q_{text.pk}": "More shade",
        f"q_{single.pk}": "1",
        f"q_{multiple.pk}": ["0", "1"],
        f"q_{scale.pk}": "5",
    }
    data.update(overrides)
    return data


def test_anyone_can_read_the_participation_pages(
    consultation: Consultation, process: ProposalProcess
) -> None:
    client = Client()
    for url in ("/participate/", "/participate/consultations/", "/participate/proposals/"):
        assert client.get(url).status_code == 200
    page = client.get(f"/participate/consultations/{consultation.slug}/").content.decode()
    assert consultation.title in page and "Sign in or create an account to take part." in page
    assert client.get(f"/participate/proposals/{process.slug}/").status_code == 200


def test_a_draft_consultation_is_not_public(manager: User) -> None:
    draft = make_consultation(manager, phase="draft")
    assert Client().get(f"/participate/consultations/{draft.slug}/").status_code == 404


def test_a_resident_answers_through_the_page(
    consultation: Consultation, resident: User, signed_in_client: Callable[[User], Client]
) -> None:
    client = signed_in_client(resident)
    response = client.post(
        f"/participate/consultations/{consultation.slug}/answer/", page_answers(consultation)
    )
    assert response.status_code == 302
    assert ConsultationResponse.objects.filter(user=resident).count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "You have answered this consultation" in page


def test_a_bad_scale_answer_is_shown_next_to_its_question(
    consultation: Consultation, resident: User, signed_in_client: Callable[[User], Client]
) -> None:
    scale = consultation.questions.get(kind="scale")
    text = consultation.questions.get(kind="text")
    data = page_answers(consultation, **{f"q_{scale.pk}": "9", f"q_{text.pk}": ""})
    response = signed_in_client(resident).post(
        f"/participate/consultations/{consultation.slug}/answer/", data
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "This question needs an answer." in page
    assert "Pick from the choices shown." in page
    assert not ConsultationResponse.objects.exists()


def test_an_ineligible_resident_sees_why_and_cannot_post(
    manager: User, resident: User, signed_in_client: Callable[[User], Client]
) -> None:
    consultation = make_consultation(manager, eligibility=AssuranceLevel.VERIFIED_RESIDENT)
    client = signed_in_client(resident)
    page = client.get(f"/participate/consultations/{consultation.slug}/").content.decode()
    assert "Verify that you live in the city" in page and "Send my answers" not in page
    response = client.post(
        f"/participate/consultations/{consultation.slug}/answer/", page_answers(consultation)
    )
    assert response.status_code == 403
    assert not ConsultationResponse.objects.exists()


def test_commenting_on_a_closed_consultation_through_the_page_is_refused(
    manager: User, resident: User, signed_in_client: Callable[[User], Client]
) -> None:
    consultation = make_consultation(manager, phase="closed")
    response = signed_in_client(resident).post(
        f"/participate/consultations/{consultation.slug}/comments/", {"body": "Late"}
    )
    assert response.status_code == 409
    assert "Comments are closed" in response.content.decode()
    assert not Comment.objects.exists()


def test_proposing_and_supporting_through_the_pages(
    process: ProposalProcess,
    resident: User,
    make_user: Callable[..., User],
    signed_in_client: Callable[[User], Client],
) -> None:
    response = signed_in_client(resident).post(
        f"/participate/proposals/{process.slug}/new/",
        {"title": "Night buses", "summary": "Buses after midnight on weekends."},
    )
    proposal = Proposal.objects.get()
    assert response["Location"] == f"/participate/proposals/{process.slug}/{proposal.pk}/"
    supporter = signed_in_client(make_user())
    supporter.post(f"/participate/proposals/{process.slug}/{proposal.pk}/support/")
    again = supporter.post(f"/participate/proposals/{process.slug}/{proposal.pk}/support/", follow=True)
    assert "You already support this proposal" in again.content.decode()
    assert Support.objects.count() == 1


def test_anonymous_supports_are_sent_to_sign_in(process: ProposalProcess, resident: User) -> None:
    proposal = services.proposal_create(user=resident, process_id=process.pk, title="T", summary="S")
    response = Client().post(f"/participate/proposals/{process.slug}/{proposal.pk}/support/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Support.objects.exists()


def test_residents_can_opt_out_of_emails(resident: User, signed_in_client: Callable[[User], Client]) -> None:
    client = signed_in_client(resident)
    assert client.get("/participate/settings/").status_code == 200
    client.post("/participate/settings/", {})
    assert services.wants_email([resident.pk]) == set()
    client.post("/participate/settings/", {"email_updates": "on"})
    assert services.wants_email([resident.pk]) == {resident.pk}


# --- Staff ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/staff/engagement/", "/staff/engagement/consultations/new/", "/staff/engagement/comments/"]
)
def test_residents_and_other_staff_are_turned_away(
    url: str, resident: User, make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    assert signed_in_client(resident).get(url).status_code == 403
    assert signed_in_client(make_user(Role.DATA_PUBLISHER)).get(url).status_code == 403


def test_a_manager_runs_a_consultation_from_the_staff_pages(
    manager: User, resident: User, signed_in_client: Callable[[User], Client]
) -> None:
    client = signed_in_client(manager)
    assert client.get("/staff/engagement/").status_code == 200
    response = client.post(
        "/staff/engagement/consultations/new/",
        {"title": "Library hours", "summary": "When should the library open?", "eligibility": "1"},
    )
    consultation = Consultation.objects.get()
    url = f"/staff/engagement/consultations/{consultation.pk}/"
    assert response["Location"] == url
    client.post(
        url,
        {
            "form": "question",
            "question-kind": "scale",
            "question-text": "Sundays?",
            "question-required": "on",
            "question-scale_min": "1",
            "question-scale_max": "5",
        },
    )
    client.post(f"{url}phase/", {"phase": "open"})
    consultation.refresh_from_db()
    assert consultation.phase == ConsultationPhase.OPEN
    services.consultation_answer(
        user=resident, consultation_id=consultation.pk, answers={consultation.questions.get().pk: 4}
    )
    client.post(f"{url}phase/", {"phase": "closed"})
    client.post(
        url,
        {
            "form": "report_item",
            "report_item-theme": "Open on Sundays",
            "report_item-submissions": "1",
            "report_item-outcome": "accepted",
            "report_item-response": "From May, 10:00 to 16:00.",
        },
    )
    response = client.post(url, {"form": "publish", "publish-summary": "Thank you."})
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.phase == ConsultationPhase.REPORT
    public = Client().get(f"/participate/consultations/{consultation.slug}/").content.decode()
    assert "You said, we did" in public and "From May, 10:00 to 16:00." in public
    assert "Average: 4.0" in public


def test_a_staff_form_error_is_shown_and_nothing_changes(
    manager: User, signed_in_client: Callable[[User], Client]
) -> None:
    consultation = make_consultation(manager)
    response = signed_in_client(manager).post(
        f"/staff/engagement/consultations/{consultation.pk}/",
        {"form": "question", "question-kind": "text", "question-text": "Late"},
    )
    assert response.status_code == 400
    assert "only be changed while the consultation is a draft" in response.content.decode()
    assert consultation.questions.count() == 4


def test_a_moderator_hides_a_comment_from_the_moderation_page(
    consultation: Consultation, manager: User, resident: User, signed_in_client: Callable[[User], Client]
) -> None:
    comment = services.comment_create(user=resident, consultation_id=consultation.pk, body="Rude words")
    client = signed_in_client(manager)
    assert "Rude words" in client.get("/staff/engagement/comments/").content.decode()
    client.post(f"/staff/engagement/comments/{comment.pk}/hide/", {"reason": ""})
    comment.refresh_from_db()
    assert comment.hidden_at is None
    client.post(f"/staff/engagement/comments/{comment.pk}/hide/", {"reason": "Abusive"})
    comment.refresh_from_db()
    assert comment.hidden_reason == "Abusive"
    assert (
        "Rude words" not in Client().get(f"/participate/consultations/{consultation.slug}/").content.decode()
    )


def test_a_manager_opens_a_call_and_responds_to_a_proposal(
    manager: User, make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    client = signed_in_client(manager)
    client.post(
        "/staff/engagement/processes/new/",
        {
            "title": "Ideas",
            "summary": "Your ideas",
            "eligibility": "1",
            "threshold_basis": "absolute",
            "threshold_value": "1",
            "response_days": "30",
            "supports_per_person": "0",
            "proposals_per_person": "0",
        },
    )
    process = ProposalProcess.objects.get()
    client.post(f"/staff/engagement/processes/{process.pk}/", {"action": "open"})
    process.refresh_from_db()
    assert process.supports_needed == 1
    proposal = services.proposal_create(
        user=make_user(), process_id=process.pk, title="Benches", summary="More"
    )
    services.proposal_support(user=make_user(), proposal_id=proposal.pk)
    staff_home = client.get("/staff/engagement/").content.decode()
    assert "Benches" in staff_home
    client.post(
        f"/staff/engagement/proposals/{proposal.pk}/",
        {"form": "respond", "respond-outcome": Outcome.PARTLY_ACCEPTED, "respond-text": "Five benches."},
    )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ANSWERED
    public = Client().get(f"/participate/proposals/{process.slug}/{proposal.pk}/").content.decode()
    assert "Five benches." in public and "Partly accepted" in public
    assert AuditEvent.objects.filter(action="proposal.respond").count() == 1


def test_a_share_threshold_shows_its_frozen_denominator(
    manager: User, make_user: Callable[..., User]
) -> None:
    for _ in range(10):
        make_user()
    process = make_process(manager, threshold_basis="share", threshold_value=Decimal("20"))
    page = Client().get(f"/participate/proposals/{process.slug}/").content.decode()
    assert "A proposal qualifies with 3 supports." in page  # 11 accounts with the manager: ceil(2.2)
    assert "20.00% of the 11 eligible residents" in page
