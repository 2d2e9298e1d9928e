"""The life of a request: filing, clarification (the clock restarts), answers, review, withdrawal,
extensions, invalid moves (nothing half-written), overdue flags and the daily notice to staff."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import Department, User
from cityhall.core.errors import PermissionDeniedError, ServiceError
from cityhall.core.models import AuditEvent
from cityhall.foi import deadlines, selectors, services
from cityhall.foi.models import FoiMessage, FoiRequest, Holiday
from cityhall.notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 3, 2)


def test_a_resident_files_a_request_with_a_working_day_deadline(
    requester: User, department: Department
) -> None:
    Holiday.objects.create(day=dt.date(2026, 3, 4), name="City day")
    request = services.foi_request_file(
        actor=requester,
        title="Bus data",
        body="Bus punctuality 2025.",
        department_id=department.pk,
        sent_on=MONDAY,
    )
    assert request.reference.startswith("FOI-2026-") and request.state == "waiting_response"
    assert request.due_on == dt.date(2026, 3, 31)  # 20 working days, one holiday
    assert [m.kind for m in request.messages.all()] == ["request"]


def test_signing_in_is_needed_to_ask(db: object) -> None:
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDeniedError):
        services.foi_request_file(actor=AnonymousUser(), title="t", body="b")


def test_an_empty_request_is_refused(requester: User) -> None:
    with pytest.raises(ServiceError) as error:
        services.foi_request_file(actor=requester, title="Something", body="   ")
    assert error.value.code == "required" and FoiRequest.objects.count() == 0


def test_clarification_stops_the_clock_and_the_answer_restarts_it(
    foi_request: FoiRequest, officer: User, requester: User
) -> None:
    FoiRequest.objects.filter(pk=foi_request.pk).update(sent_on=MONDAY, due_on=dt.date(2026, 3, 30))
    services.foi_request_ask_clarification(
        actor=officer, request_id=foi_request.pk, text="Which department's contracts?"
    )
    asked = FoiRequest.objects.get(pk=foi_request.pk)
    assert asked.state == "waiting_clarification"
    assert (
        selectors.display_status(asked, today=dt.date(2026, 6, 1)) == "waiting_clarification"
    )  # never overdue

    services.foi_request_clarify(actor=requester, request_id=foi_request.pk, text="Parks and Trees.")

    clarified = FoiRequest.objects.get(pk=foi_request.pk)
    today = timezone.localdate()
    assert clarified.state == "waiting_response" and clarified.sent_on == today
    assert clarified.due_on == deadlines.add_working_days(today, 20)
    assert OutboundEmail.objects.filter(to="asker@example.org", subject__contains="clarification").exists()


def test_a_response_with_documents_is_public_and_the_requester_is_told(
    foi_request: FoiRequest, officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.decisions.test_workflow import fake_registry

    fake_registry(monkeypatch)
    message = services.foi_request_respond(
        actor=officer,
        request_id=foi_request.pk,
        outcome="partially_successful",
        text="Two contracts attached; a third is withheld (commercial confidentiality).",
        files=[services.UploadedFile("Contract 1", "c1.pdf", b"%PDF c1", "application/pdf")],
        sign=True,
    )
    assert [a.title for a in message.attachments.all()] == ["Contract 1"] and message.attachments.get().signed
    foi_request.refresh_from_db()
    assert foi_request.state == "partially_successful"
    assert OutboundEmail.objects.filter(to="asker@example.org", subject__contains="answered").exists()


def test_an_outcome_must_be_an_answer_state(foi_request: FoiRequest, officer: User) -> None:
    with pytest.raises(ServiceError) as error:
        services.foi_request_respond(
            actor=officer, request_id=foi_request.pk, outcome="vexatious", text="No."
        )
    assert error.value.code == "invalid_outcome"
    assert FoiMessage.objects.filter(kind="response").count() == 0


@pytest.mark.parametrize(
    ("setup", "move"),
    [
        ("withdraw", "respond"),
        ("withdraw", "clarify"),
        ("respond", "ask_clarification"),
        ("respond", "withdraw"),
        ("none", "review"),
        ("none", "clarify"),
        ("respond", "extend"),
    ],
)
def test_invalid_state_transitions_are_refused_and_write_nothing(
    foi_request: FoiRequest, officer: User, requester: User, setup: str, move: str
) -> None:
    if setup == "withdraw":
        services.foi_request_withdraw(actor=requester, request_id=foi_request.pk)
    elif setup == "respond":
        services.foi_request_respond(
            actor=officer, request_id=foi_request.pk, outcome="successful", text="Here."
        )
    before = (
        FoiRequest.objects.get(pk=foi_request.pk).state,
        FoiMessage.objects.count(),
        AuditEvent.objects.count(),
    )
    moves = {
        "respond": lambda: services.foi_request_respond(
            actor=officer, request_id=foi_request.pk, outcome="successful", text="x"
        ),
        "clarify": lambda: services.foi_request_clarify(actor=requester, request_id=foi_request.pk, text="x"),
        "ask_clarification": lambda: services.foi_request_ask_clarification(
            actor=officer, request_id=foi_request.pk, text="x"
        ),
        "withdraw": lambda: services.foi_request_withdraw(actor=requester, request_id=foi_request.pk),
        "review": lambda: services.foi_request_review(actor=requester, request_id=foi_request.pk, text="x"),
        "extend": lambda: services.foi_request_extend(
            actor=officer, request_id=foi_request.pk, days=5, reason="x"
        ),
    }
    with pytest.raises(ServiceError) as error:
        moves[move]()
    assert error.value.code == "invalid_transition"
    assert "cannot be" in error.value.message
    after = (
        FoiRequest.objects.get(pk=foi_request.pk).state,
        FoiMessage.objects.count(),
        AuditEvent.objects.count(),
    )
    assert after == before


def test_internal_review_after_a_refusal_gets_a_new_deadline(
    foi_request: FoiRequest, officer: User, requester: User
) -> None:
    services.foi_request_respond(actor=officer, request_id=foi_request.pk, outcome="rejected", text="Exempt.")
    request = services.foi_request_review(
        actor=requester, request_id=foi_request.pk, text="The exemption does not apply."
    )
    assert request.state == "internal_review" and request.due_on == deadlines.add_working_days(
        timezone.localdate(), 20
    )
    services.foi_request_respond(
        actor=officer, request_id=foi_request.pk, outcome="successful", text="Released on review."
    )
    assert FoiRequest.objects.get(pk=foi_request.pk).state == "successful"


def test_only_the_requester_can_clarify_withdraw_or_ask_for_review(
    foi_request: FoiRequest, make_user: Callable[..., User]
) -> None:
    with pytest.raises(PermissionDeniedError):
        services.foi_request_withdraw(actor=make_user(), request_id=foi_request.pk)


def test_residents_and_other_staff_cannot_answer(
    foi_request: FoiRequest, make_user: Callable[..., User], requester: User
) -> None:
    for actor in (requester, make_user(Role.DEPARTMENT_STAFF), make_user(Role.EMERGENCY_MANAGER)):
        with pytest.raises(PermissionDeniedError):
            services.foi_request_respond(
                actor=actor, request_id=foi_request.pk, outcome="successful", text="x"
            )


def test_a_clerk_of_another_department_cannot_answer(
    foi_request: FoiRequest, make_user: Callable[..., User]
) -> None:
    from tests.factories import DepartmentFactory

    stranger = make_user(Role.COUNCIL_CLERK, department=DepartmentFactory())
    with pytest.raises(PermissionDeniedError):
        services.foi_request_respond(
            actor=stranger, request_id=foi_request.pk, outcome="successful", text="x"
        )


def test_an_extension_moves_the_deadline_within_the_limit(foi_request: FoiRequest, officer: User) -> None:
    FoiRequest.objects.filter(pk=foi_request.pk).update(sent_on=MONDAY)
    request = services.foi_request_extend(
        actor=officer, request_id=foi_request.pk, days=10, reason="Many records to search."
    )
    assert request.due_on == deadlines.add_working_days(MONDAY, 30)
    with pytest.raises(ServiceError) as error:
        services.foi_request_extend(actor=officer, request_id=foi_request.pk, days=11, reason="More")
    assert error.value.code == "invalid_extension"


def test_a_request_past_its_deadline_shows_as_overdue(foi_request: FoiRequest) -> None:
    due = foi_request.due_on
    assert selectors.display_status(foi_request, today=due) == "waiting_response"
    assert (
        selectors.display_status(foi_request, today=due + dt.timedelta(days=1)) == "waiting_response_overdue"
    )
    assert selectors.display_status(foi_request, today=foi_request.very_late_on + dt.timedelta(days=1)) == (
        "waiting_response_very_overdue"
    )
    assert selectors.display_label("waiting_response_overdue").startswith("Long overdue")


def test_an_answered_request_is_never_overdue(foi_request: FoiRequest, officer: User) -> None:
    services.foi_request_respond(
        actor=officer, request_id=foi_request.pk, outcome="not_held", text="We do not hold it."
    )
    foi_request.refresh_from_db()
    assert (
        selectors.display_status(foi_request, today=foi_request.due_on + dt.timedelta(days=90)) == "not_held"
    )


def test_the_daily_job_tells_staff_once_per_stage(foi_request: FoiRequest, officer: User) -> None:
    after_due = foi_request.due_on + dt.timedelta(days=1)
    assert services.foi_overdue_notify(today=foi_request.due_on) == 0
    assert services.foi_overdue_notify(today=after_due) == 1
    assert services.foi_overdue_notify(today=after_due) == 0  # idempotent
    to_officer = OutboundEmail.objects.filter(to=officer.email)
    assert to_officer.count() == 1 and "overdue" in to_officer.get().subject
    assert services.foi_overdue_notify(today=foi_request.very_late_on + dt.timedelta(days=1)) == 1
    assert to_officer.filter(subject__contains="very overdue").count() == 1


def test_the_scheduled_task_runs_the_notice(foi_request: FoiRequest, officer: User) -> None:
    from cityhall.core.schedule import schedules

    assert "foi.overdue" in {s.name for s in schedules()}


def test_the_disclosure_log_hides_the_requester(foi_request: FoiRequest, officer: User) -> None:
    assert list(selectors.disclosure_log(query="felling")) == [foi_request]
    services.foi_request_hide(
        actor=officer, request_id=foi_request.pk, hidden=True, reason="Personal data in the text."
    )
    assert list(selectors.disclosure_log()) == []


def test_staff_reading_the_requester_is_logged_for_them(
    foi_request: FoiRequest, officer: User, requester: User
) -> None:
    from cityhall.accounts.models import DataAccessLog

    services.foi_requester_read(actor=officer, request=foi_request)
    assert DataAccessLog.objects.filter(
        resident_id=requester.pk, case_reference=foi_request.reference
    ).exists()


def test_holidays_are_managed_by_foi_staff(officer: User, requester: User) -> None:
    services.holiday_add(actor=officer, day=dt.date(2026, 12, 25), name="Christmas Day")
    with pytest.raises(ServiceError):
        services.holiday_add(actor=officer, day=dt.date(2026, 12, 25), name="Again")
    with pytest.raises(PermissionDeniedError):
        services.holiday_add(actor=requester, day=dt.date(2026, 12, 26), name="Boxing Day")
