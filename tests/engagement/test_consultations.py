"""Consultations: phases, answers with every kind of bad input, comments, moderation, the report."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail

from cityhall.accounts.contracts import AssuranceLevel
from cityhall.accounts.models import User
from cityhall.core.errors import PermissionDeniedError, ServiceError
from cityhall.core.models import AuditEvent
from cityhall.engagement import selectors, services
from cityhall.engagement.contracts import ConsultationPhase, Outcome, QuestionKind
from cityhall.engagement.models import Answer, Comment, Consultation, ConsultationResponse
from tests.engagement.conftest import good_answers, make_consultation

pytestmark = pytest.mark.django_db


def nothing_saved(consultation: Consultation) -> bool:
    return (
        not ConsultationResponse.objects.filter(consultation=consultation).exists()
        and not Answer.objects.exists()
    )


# --- Answering ------------------------------------------------------------------------------


def test_a_resident_answers_an_open_consultation(consultation: Consultation, resident: User) -> None:
    response = services.consultation_answer(
        user=resident, consultation_id=consultation.pk, answers=good_answers(consultation)
    )
    assert response.assurance_level == AssuranceLevel.EMAIL_VERIFIED
    stored = {a.question.kind: a for a in response.answers.select_related("question")}
    assert stored[QuestionKind.TEXT].text == "More shade, please."
    assert stored[QuestionKind.SINGLE].choices == [0]
    assert stored[QuestionKind.MULTIPLE].choices == [0, 2]
    assert stored[QuestionKind.SCALE].scale_value == 4


@pytest.mark.parametrize("phase", ["draft", "closed"])
def test_answering_outside_the_open_phase_is_refused(manager: User, resident: User, phase: str) -> None:
    consultation = make_consultation(manager, phase=phase)
    with pytest.raises(ServiceError, match="is not open for answers") as raised:
        services.consultation_answer(
            user=resident, consultation_id=consultation.pk, answers=good_answers(consultation)
        )
    assert raised.value.code == "not_open"
    assert nothing_saved(consultation)


def test_an_ineligible_participant_is_told_how_to_become_eligible(manager: User, resident: User) -> None:
    consultation = make_consultation(manager, eligibility=AssuranceLevel.VERIFIED_RESIDENT)
    with pytest.raises(PermissionDeniedError, match="Verify that you live in the city"):
        services.consultation_answer(
            user=resident, consultation_id=consultation.pk, answers=good_answers(consultation)
        )
    assert nothing_saved(consultation)


def test_an_unverified_email_cannot_answer_an_email_verified_consultation(
    consultation: Consultation, unverified: User
) -> None:
    with pytest.raises(PermissionDeniedError, match="Confirm your email address"):
        services.consultation_answer(
            user=unverified, consultation_id=consultation.pk, answers=good_answers(consultation)
        )
    assert nothing_saved(consultation)


def test_a_verified_resident_may_answer_a_residents_only_consultation(manager: User, verified: User) -> None:
    consultation = make_consultation(manager, eligibility=AssuranceLevel.VERIFIED_RESIDENT)
    response = services.consultation_answer(
        user=verified, consultation_id=consultation.pk, answers=good_answers(consultation)
    )
    assert response.assurance_level == AssuranceLevel.VERIFIED_RESIDENT


@pytest.mark.parametrize("value", [0, 6, "seven", True])
def test_a_scale_answer_out_of_range_is_refused(
    consultation: Consultation, resident: User, value: Any
) -> None:
    answers = good_answers(consultation)
    scale = consultation.questions.get(kind=QuestionKind.SCALE)
    answers[scale.pk] = value
    with pytest.raises(services.AnswersInvalidError) as raised:
        services.consultation_answer(user=resident, consultation_id=consultation.pk, answers=answers)
    assert raised.value.problems == {scale.pk: "Pick a number from 1 to 5."}
    assert nothing_saved(consultation)


def test_missing_required_answers_are_each_named(consultation: Consultation, resident: User) -> None:
    text, single, _multiple, scale = consultation.questions.all()
    with pytest.raises(services.AnswersInvalidError) as raised:
        services.consultation_answer(user=resident, consultation_id=consultation.pk, answers={single.pk: 1})
    assert raised.value.problems == {
        text.pk: "This question needs an answer.",
        scale.pk: "This question needs an answer.",
    }
    assert "2 answer(s) need attention" in raised.value.message
    assert nothing_saved(consultation)


def test_a_choice_outside_the_options_and_two_choices_for_one_are_refused(
    consultation: Consultation, resident: User
) -> None:
    _text, single, multiple, _scale = consultation.questions.all()
    answers = good_answers(consultation)
    answers[single.pk] = [0, 1]
    answers[multiple.pk] = [7]
    with pytest.raises(services.AnswersInvalidError) as raised:
        services.consultation_answer(user=resident, consultation_id=consultation.pk, answers=answers)
    assert raised.value.problems == {
        single.pk: "Pick only one of the choices.",
        multiple.pk: "Pick from the choices shown.",
    }
    assert nothing_saved(consultation)


def test_a_question_of_another_consultation_is_refused(consultation: Consultation, resident: User) -> None:
    answers = good_answers(consultation)
    answers[999999] = "stray"
    with pytest.raises(ServiceError, match="is not part of this consultation"):
        services.consultation_answer(user=resident, consultation_id=consultation.pk, answers=answers)
    assert nothing_saved(consultation)


def test_each_participant_answers_once(consultation: Consultation, resident: User) -> None:
    services.consultation_answer(
        user=resident, consultation_id=consultation.pk, answers=good_answers(consultation)
    )
    with pytest.raises(ServiceError, match="already answered") as raised:
        services.consultation_answer(
            user=resident, consultation_id=consultation.pk, answers=good_answers(consultation)
        )
    assert raised.value.status == 409
    assert ConsultationResponse.objects.filter(consultation=consultation).count() == 1
    assert Answer.objects.count() == 4


def test_anonymous_visitors_are_asked_to_sign_in(consultation: Consultation) -> None:
    from django.contrib.auth.models import AnonymousUser

    result = services.eligibility_check(AnonymousUser(), AssuranceLevel.ACCOUNT)
    assert not result.ok and result.reason == "Sign in or create an account to take part."


def test_results_are_totals_per_question(consultation: Consultation, make_user: Callable[..., User]) -> None:
    for scale_value in (2, 4):
        services.consultation_answer(
            user=make_user(),
            consultation_id=consultation.pk,
            answers={**good_answers(consultation), consultation.questions.get(kind="scale").pk: scale_value},
        )
    total, results = selectors.consultation_results(consultation)
    assert total == 2
    by_kind = {r.question.kind: r for r in results}
    assert by_kind[QuestionKind.SINGLE].option_counts == [("Trees", 2), ("Benches", 0)]
    assert by_kind[QuestionKind.MULTIPLE].option_counts == [("Shop", 2), ("Meet", 0), ("Cross", 2)]
    assert by_kind[QuestionKind.SCALE].scale_mean == 3.0
    assert by_kind[QuestionKind.TEXT].answered == 2


# --- Comments and moderation ----------------------------------------------------------------


def test_a_comment_on_a_closed_consultation_is_refused(manager: User, resident: User) -> None:
    consultation = make_consultation(manager, phase="closed")
    with pytest.raises(ServiceError, match="Comments are closed"):
        services.comment_create(user=resident, consultation_id=consultation.pk, body="Too late?")
    assert not Comment.objects.exists()


def test_too_many_comments_hit_the_rate_limit(
    consultation: Consultation, resident: User, settings: Any
) -> None:
    settings.ENGAGEMENT_COMMENTS_PER_WINDOW = 2
    for number in range(2):
        services.comment_create(user=resident, consultation_id=consultation.pk, body=f"Point {number}")
    with pytest.raises(ServiceError, match="Wait ten minutes") as raised:
        services.comment_create(user=resident, consultation_id=consultation.pk, body="One more")
    assert raised.value.status == 429 and raised.value.code == "rate_limited"
    assert list(Comment.objects.values_list("body", flat=True)) == ["Point 0", "Point 1"]


def test_an_empty_comment_is_refused(consultation: Consultation, resident: User) -> None:
    with pytest.raises(ServiceError, match="Write the comment"):
        services.comment_create(user=resident, consultation_id=consultation.pk, body="   ")
    assert not Comment.objects.exists()


def test_a_moderator_hides_a_comment_with_a_recorded_reason(
    consultation: Consultation, resident: User, manager: User
) -> None:
    comment = services.comment_create(
        user=resident, consultation_id=consultation.pk, body="You are all idiots"
    )
    services.comment_hide(actor=manager, comment_id=comment.pk, reason="Insults other participants")
    comment.refresh_from_db()
    assert comment.hidden_at is not None and comment.hidden_by == manager
    assert not selectors.visible_comments(consultation=consultation).exists()
    event = AuditEvent.objects.get(action="comment.hide")
    assert event.object_id == str(comment.pk)
    assert event.data == {"reason": "Insults other participants"}
    assert event.actor == f"user:{manager.pk}"


def test_hiding_needs_a_reason_and_a_moderator(
    consultation: Consultation, resident: User, manager: User
) -> None:
    comment = services.comment_create(user=resident, consultation_id=consultation.pk, body="Hello")
    with pytest.raises(ServiceError, match="Write the reason"):
        services.comment_hide(actor=manager, comment_id=comment.pk, reason=" ")
    with pytest.raises(PermissionDeniedError, match="Only moderators"):
        services.comment_hide(actor=resident, comment_id=comment.pk, reason="I do not like it")
    comment.refresh_from_db()
    assert comment.hidden_at is None
    assert not AuditEvent.objects.filter(action="comment.hide").exists()


# --- Phases (staff) -------------------------------------------------------------------------


def test_phase_changes_are_audited_and_only_forwards(manager: User) -> None:
    consultation = make_consultation(manager, phase="closed")
    actions = list(AuditEvent.objects.filter(object_id=str(consultation.pk)).values_list("action", flat=True))
    assert actions[0] == "consultation.create"
    assert actions[-2:] == ["consultation.open", "consultation.closed"]
    with pytest.raises(ServiceError, match="cannot move to"):
        services.consultation_phase_set(
            actor=manager, consultation_id=consultation.pk, phase=ConsultationPhase.OPEN
        )


def test_a_consultation_without_questions_cannot_open(manager: User) -> None:
    consultation = services.consultation_create(actor=manager, title="Empty", summary="Nothing yet")
    with pytest.raises(ServiceError, match="Add at least one question"):
        services.consultation_phase_set(
            actor=manager, consultation_id=consultation.pk, phase=ConsultationPhase.OPEN
        )


def test_residents_cannot_run_consultations(resident: User) -> None:
    with pytest.raises(PermissionDeniedError, match="Only engagement managers"):
        services.consultation_create(actor=resident, title="Mine", summary="My own")


def test_questions_are_fixed_once_the_consultation_is_open(consultation: Consultation, manager: User) -> None:
    with pytest.raises(ServiceError, match="only be changed while the consultation is a draft"):
        services.question_add(
            actor=manager,
            consultation_id=consultation.pk,
            data=services.QuestionInput(kind=QuestionKind.TEXT, text="A late question"),
        )


def test_a_choice_question_needs_two_choices_and_a_scale_a_range(manager: User) -> None:
    consultation = services.consultation_create(actor=manager, title="Draft", summary="Draft")
    with pytest.raises(ServiceError, match="at least two choices"):
        services.question_add(
            actor=manager,
            consultation_id=consultation.pk,
            data=services.QuestionInput(kind=QuestionKind.SINGLE, text="Pick", options=["Only one"]),
        )
    with pytest.raises(ServiceError, match="lowest point of the scale"):
        services.question_add(
            actor=manager,
            consultation_id=consultation.pk,
            data=services.QuestionInput(kind=QuestionKind.SCALE, text="Rate", scale_min=5, scale_max=5),
        )
    assert not consultation.questions.exists()


# --- The "you said, we did" report ----------------------------------------------------------


def report_item(**overrides: Any) -> services.ReportItemInput:
    fields: dict[str, Any] = {
        "theme": "More shade",
        "submissions": 41,
        "outcome": Outcome.ACCEPTED,
        "response": "Twelve plane trees will be planted in the autumn.",
    }
    fields.update(overrides)
    return services.ReportItemInput(**fields)


def test_the_report_needs_a_closed_consultation_and_at_least_one_line(
    consultation: Consultation, manager: User
) -> None:
    with pytest.raises(ServiceError, match="once the consultation is closed"):
        services.report_item_add(actor=manager, consultation_id=consultation.pk, data=report_item())
    services.consultation_phase_set(
        actor=manager, consultation_id=consultation.pk, phase=ConsultationPhase.CLOSED
    )
    with pytest.raises(ServiceError, match="Add at least one"):
        services.consultation_report_publish(actor=manager, consultation_id=consultation.pk, summary="Thanks")


def test_a_report_line_naming_an_unknown_decision_is_refused(
    manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cityhall.decisions import facade as decisions

    monkeypatch.setattr(decisions, "decision_ref", lambda decision_id: None, raising=False)
    consultation = make_consultation(manager, phase="closed")
    with pytest.raises(ServiceError, match="There is no decision with the id"):
        services.report_item_add(
            actor=manager, consultation_id=consultation.pk, data=report_item(decision_id=uuid.uuid4())
        )
    assert not consultation.report_items.exists()


def test_a_report_line_links_a_decision_by_id(manager: User, monkeypatch: pytest.MonkeyPatch) -> None:
    from cityhall.decisions import facade as decisions

    decision_id = uuid.uuid4()
    monkeypatch.setattr(
        decisions, "decision_ref", lambda i: {"id": i} if i == decision_id else None, raising=False
    )
    consultation = make_consultation(manager, phase="closed")
    item = services.report_item_add(
        actor=manager, consultation_id=consultation.pk, data=report_item(decision_id=decision_id)
    )
    assert item.decision_id == decision_id
    assert selectors.decision_ref(item.decision_id) == {"id": decision_id}


@pytest.mark.django_db(transaction=True)  # emails leave after commit, through the task queue
def test_publishing_the_report_tells_participants_once_except_those_who_opted_out(
    manager: User, make_user: Callable[..., User], run_tasks: Callable[[], None]
) -> None:
    consultation = make_consultation(manager)
    answerer = make_user(email="answerer@example.org")
    commenter = make_user(email="commenter@example.org")
    quiet = make_user(email="quiet@example.org")
    services.consultation_answer(
        user=answerer, consultation_id=consultation.pk, answers=good_answers(consultation)
    )
    services.consultation_answer(
        user=quiet, consultation_id=consultation.pk, answers=good_answers(consultation)
    )
    services.comment_create(user=commenter, consultation_id=consultation.pk, body="Shade!")
    services.comment_create(user=answerer, consultation_id=consultation.pk, body="And benches")
    services.participant_settings_set(user=quiet, email_updates=False)
    services.consultation_phase_set(
        actor=manager, consultation_id=consultation.pk, phase=ConsultationPhase.CLOSED
    )
    services.report_item_add(actor=manager, consultation_id=consultation.pk, data=report_item())
    services.consultation_report_publish(
        actor=manager, consultation_id=consultation.pk, summary="We heard you."
    )
    run_tasks()
    run_tasks()
    services.consultation_report_notify(consultation_id=consultation.pk)  # a second run sends nothing
    run_tasks()
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["answerer@example.org", "commenter@example.org"]
    assert "What happened to your input" in mail.outbox[0].subject
    assert f"https://aldermere.example/participate/consultations/{consultation.slug}/" in mail.outbox[0].body
    consultation.refresh_from_db()
    assert consultation.phase == ConsultationPhase.REPORT
    assert AuditEvent.objects.filter(action="consultation.report_publish").count() == 1
