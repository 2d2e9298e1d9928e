"""Fixtures for engagement: an engagement manager (moderator role), residents at each assurance level,
an open consultation with one question of each kind, and an open call for proposals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from allauth.account.models import EmailAddress

from cityhall.accounts.contracts import AssuranceLevel, Role
from cityhall.accounts.models import ResidentVerification, User
from cityhall.engagement import services
from cityhall.engagement.contracts import ConsultationPhase, QuestionKind, ThresholdBasis
from cityhall.engagement.models import Consultation, ProposalProcess


@pytest.fixture(autouse=True)
def _engagement_settings(settings: Any) -> None:
    settings.CITYHALL_BASE_URL = "https://aldermere.example"


@pytest.fixture
def manager(make_user: Callable[..., User]) -> User:
    return make_user(Role.MODERATOR, email="mona@aldermere.example", full_name="Mona Moderator")


@pytest.fixture
def resident(make_user: Callable[..., User]) -> User:
    return make_user(email="rosa@example.org", full_name="Rosa Resident")


@pytest.fixture
def unverified(make_user: Callable[..., User]) -> User:
    user = make_user(email="una@example.org", full_name="Una Unverified")
    EmailAddress.objects.filter(user=user).update(verified=False)
    return user


def verify(user: User) -> User:
    ResidentVerification.objects.create(user=user, method="census", evidence="census match")
    return user


@pytest.fixture
def verified(make_user: Callable[..., User]) -> User:
    return verify(make_user(email="vera@example.org", full_name="Vera Verified"))


def make_consultation(
    manager: User, *, eligibility: AssuranceLevel = AssuranceLevel.EMAIL_VERIFIED, phase: str = "open"
) -> Consultation:
    consultation = services.consultation_create(
        actor=manager,
        title="A greener Market Square",
        summary="Tell us how the square should change.",
        eligibility=eligibility,
    )
    question = services.QuestionInput
    for data in (
        question(kind=QuestionKind.TEXT, text="What would you change?", required=True),
        question(kind=QuestionKind.SINGLE, text="Trees or benches first?", options=["Trees", "Benches"]),
        question(kind=QuestionKind.MULTIPLE, text="What do you do there?", options=["Shop", "Meet", "Cross"]),
        question(
            kind=QuestionKind.SCALE,
            text="How happy are you with it today?",
            required=True,
            scale_min=1,
            scale_max=5,
        ),
    ):
        services.question_add(actor=manager, consultation_id=consultation.pk, data=data)
    if phase in ("open", "closed"):
        services.consultation_phase_set(
            actor=manager, consultation_id=consultation.pk, phase=ConsultationPhase.OPEN
        )
    if phase == "closed":
        services.consultation_phase_set(
            actor=manager, consultation_id=consultation.pk, phase=ConsultationPhase.CLOSED
        )
    consultation.refresh_from_db()
    return consultation


def good_answers(consultation: Consultation) -> dict[int, Any]:
    text, single, multiple, scale = consultation.questions.all()
    return {text.pk: "More shade, please.", single.pk: 0, multiple.pk: [0, 2], scale.pk: 4}


@pytest.fixture
def consultation(manager: User) -> Consultation:
    return make_consultation(manager)


def make_process(manager: User, *, open_it: bool = True, **overrides: Any) -> ProposalProcess:
    fields: dict[str, Any] = {
        "title": "Ideas for Aldermere 2027",
        "summary": "Propose what the city should do next year.",
        "threshold_value": Decimal(3),
        "threshold_basis": ThresholdBasis.ABSOLUTE,
        "window_end": dt.date.today() + dt.timedelta(days=60),
        "response_days": 30,
    }
    fields.update(overrides)
    process = services.proposal_process_create(actor=manager, data=services.ProposalProcessInput(**fields))
    if open_it:
        process = services.proposal_process_open(actor=manager, process_id=process.pk)
    return process


@pytest.fixture
def process(manager: User) -> ProposalProcess:
    return make_process(manager)
