"""Casting secret ballots: one per eligible person, inside the window, valid by the rules; every bad
ballot is refused with a clear error and nothing is counted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone

from cityhall.accounts.contracts import AssuranceLevel, VerificationMethod
from cityhall.accounts.models import ResidentVerification, User
from cityhall.core.audit import audit_verify
from cityhall.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from cityhall.core.models import AuditEvent, District
from cityhall.voting import services
from cityhall.voting.contracts import VoteRule
from cityhall.voting.models import Budget, BudgetBallot, BudgetVoter, Poll, PollBallot, PollVoter
from tests.voting.conftest import answers_for, close, stale_ballot_after_close_and_seal, window

pytestmark = pytest.mark.django_db


def counted(process: Poll | Budget) -> tuple[int, int]:
    if isinstance(process, Poll):
        return PollVoter.objects.filter(poll=process).count(), PollBallot.objects.filter(poll=process).count()
    return BudgetVoter.objects.filter(budget=process).count(), BudgetBallot.objects.filter(
        budget=process
    ).count()


def test_an_eligible_resident_casts_one_ballot_and_gets_a_receipt(poll: Poll, resident: User) -> None:
    cast = services.poll_ballot_cast(voter=resident, poll_id=poll.pk, answers=answers_for(poll))
    assert len(cast.receipt) == 64 and len(cast.nonce) == 32
    assert counted(poll) == (1, 1)
    stored = PollBallot.objects.get(poll=poll)
    assert stored.receipt == cast.receipt
    assert (
        services.receipt_for(process_id=poll.pk, ballot={"answers": stored.answers}, nonce=cast.nonce)
        == cast.receipt
    )


def test_a_second_ballot_is_refused_and_not_counted(poll: Poll, resident: User) -> None:
    services.poll_ballot_cast(voter=resident, poll_id=poll.pk, answers=answers_for(poll))
    with pytest.raises(ServiceError) as error:
        services.poll_ballot_cast(voter=resident, poll_id=poll.pk, answers=answers_for(poll, "no"))
    assert error.value.code == "already_voted"
    assert "already voted" in error.value.message
    assert counted(poll) == (1, 1)


def test_the_unique_roll_alone_refuses_a_second_ballot(
    poll: Poll, resident: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    services.poll_ballot_cast(voter=resident, poll_id=poll.pk, answers=answers_for(poll))
    # Casting reads nothing first (a concurrent request would see nothing yet anyway).
    monkeypatch.setattr(services, "has_voted", lambda **kwargs: pytest.fail("casting read the roll first"))
    with pytest.raises(ServiceError) as error:
        services.poll_ballot_cast(voter=resident, poll_id=poll.pk, answers=answers_for(poll, "no"))
    assert error.value.code == "already_voted"
    assert counted(poll) == (1, 1)


def test_a_ballot_before_the_opening_is_refused(make_poll: Callable[..., Poll], resident: User) -> None:
    poll = make_poll(**window(opened_hours_ago=-2, closes_in_hours=48))
    with pytest.raises(ServiceError) as error:
        services.poll_ballot_cast(voter=resident, poll_id=poll.pk, answers=answers_for(poll))
    assert error.value.code == "not_open_yet"
    assert counted(poll) == (0, 0)


def test_a_ballot_after_the_closing_is_refused(poll: Poll, resident: User) -> None:
    close(poll)
    with pytest.raises(ServiceError) as error:
        services.poll_ballot_cast(voter=resident, poll_id=poll.pk, answers=answers_for(poll))
    assert error.value.code == "voting_closed"
    assert counted(poll) == (0, 0)


def test_a_draft_poll_takes_no_ballots(make_poll: Callable[..., Poll], resident: User) -> None:
    poll = make_poll(publish=False)
    with pytest.raises(NotFoundError):
        services.poll_ballot_cast(voter=resident, poll_id=poll.pk, answers=answers_for(poll))


def test_an_account_below_the_required_assurance_is_refused_with_how_to_get_there(
    make_poll: Callable[..., Poll], resident: User
) -> None:
    poll = make_poll(min_assurance=AssuranceLevel.VERIFIED_RESIDENT)
    with pytest.raises(PermissionDeniedError) as error:
        services.poll_ballot_cast(voter=resident, poll_id=poll.pk, answers=answers_for(poll))
    assert "Verify that you live in the city" in error.value.message
    assert counted(poll) == (0, 0)
    ResidentVerification.objects.create(user=resident, method=VerificationMethod.CENSUS, evidence="test")
    services.poll_ballot_cast(voter=resident, poll_id=poll.pk, answers=answers_for(poll))
    assert counted(poll) == (1, 1)


def test_a_district_vote_needs_the_voter_to_confirm_living_there(
    make_poll: Callable[..., Poll], resident: User
) -> None:
    District.objects.create(
        slug="riverside",
        name="Riverside",
        boundary={"type": "Polygon", "coordinates": []},
        min_latitude=0,
        min_longitude=0,
        max_latitude=1,
        max_longitude=1,
    )
    poll = make_poll(district_slug="riverside")
    with pytest.raises(PermissionDeniedError) as error:
        services.poll_ballot_cast(voter=resident, poll_id=poll.pk, answers=answers_for(poll))
    assert "Riverside" in error.value.message
    services.poll_ballot_cast(
        voter=resident, poll_id=poll.pk, answers=answers_for(poll), lives_in_district=True
    )
    assert counted(poll) == (1, 1)


@pytest.mark.parametrize(
    ("first", "second", "code_text"),
    [
        ("maybe", ("trees",), "no option “maybe”"),
        ("yes", ("trees", "bikes", "market"), "at most 2 choices"),
        ("yes", (), "Answer question 2"),
    ],
)
def test_an_invalid_poll_ballot_is_refused_and_not_counted(
    poll: Poll, resident: User, first: str, second: tuple[str, ...], code_text: str
) -> None:
    with pytest.raises(ServiceError) as error:
        services.poll_ballot_cast(voter=resident, poll_id=poll.pk, answers=answers_for(poll, first, second))
    assert error.value.code == "invalid_ballot"
    assert code_text in error.value.message
    assert counted(poll) == (0, 0)


def test_a_knapsack_ballot_over_the_budget_is_refused(budget: Budget, resident: User) -> None:
    with pytest.raises(ServiceError) as error:
        services.budget_ballot_cast(voter=resident, budget_id=budget.pk, projects=["A1", "A2", "A3"])
    assert error.value.code == "over_budget"
    assert "120" in error.value.message and "100" in error.value.message
    assert counted(budget) == (0, 0)
    services.budget_ballot_cast(voter=resident, budget_id=budget.pk, projects=["A1", "A2"])
    assert counted(budget) == (1, 1)


def test_a_knapsack_ballot_under_the_minimum_spend_is_refused(
    make_budget: Callable[..., Budget], resident: User
) -> None:
    budget = make_budget(min_spend_percent=70)
    with pytest.raises(ServiceError) as error:
        services.budget_ballot_cast(voter=resident, budget_id=budget.pk, projects=["A1"])
    assert error.value.code == "under_minimum_spend"
    assert counted(budget) == (0, 0)


@pytest.mark.parametrize(
    ("codes", "code"),
    [(["A1", "A2", "A3", "B1"], "too_many_projects"), (["A1"], "too_few_projects"), ([], "too_few_projects")],
)
def test_an_approval_ballot_with_too_many_or_too_few_projects_is_refused(
    make_budget: Callable[..., Budget], resident: User, codes: list[str], code: str
) -> None:
    budget = make_budget(vote_rule=VoteRule.APPROVAL, min_projects=2, max_projects=3)
    with pytest.raises(ServiceError) as error:
        services.budget_ballot_cast(voter=resident, budget_id=budget.pk, projects=codes)
    assert error.value.code == code
    assert counted(budget) == (0, 0)


def test_an_approval_ballot_ignores_costs(make_budget: Callable[..., Budget], resident: User) -> None:
    budget = make_budget(vote_rule=VoteRule.APPROVAL, min_projects=1, max_projects=3)
    services.budget_ballot_cast(voter=resident, budget_id=budget.pk, projects=["A1", "A2", "A3"])
    assert counted(budget) == (1, 1)


def test_an_unknown_project_is_refused(budget: Budget, resident: User) -> None:
    with pytest.raises(ServiceError) as error:
        services.budget_ballot_cast(voter=resident, budget_id=budget.pk, projects=["ZZ"])
    assert error.value.code == "invalid_ballot"
    assert counted(budget) == (0, 0)


def test_a_second_budget_ballot_is_refused(budget: Budget, resident: User) -> None:
    services.budget_ballot_cast(voter=resident, budget_id=budget.pk, projects=["B1"])
    with pytest.raises(ServiceError) as error:
        services.budget_ballot_cast(voter=resident, budget_id=budget.pk, projects=["A1"])
    assert error.value.code == "already_voted"
    assert counted(budget) == (1, 1)


# --- Secrecy by design ---------------------------------------------------------------------


def test_the_box_holds_no_voter_no_time_and_random_keys(poll: Poll, resident: User) -> None:
    services.poll_ballot_cast(voter=resident, poll_id=poll.pk, answers=answers_for(poll))
    box_fields = {f.name for f in PollBallot._meta.get_fields()}
    assert box_fields == {"id", "poll", "answers", "receipt"}
    ballot = PollBallot.objects.get(poll=poll)
    assert ballot.id.version == 4  # random, not time-ordered like uuid7
    voter_row = PollVoter.objects.get(poll=poll)
    assert {f.name for f in PollVoter._meta.get_fields()} == {
        "id",
        "poll",
        "voter_key",
        "channel",
        "voted_on",
    }
    assert isinstance(voter_row.voted_on, dt.date) and not isinstance(voter_row.voted_on, dt.datetime)
    assert str(resident.pk) not in voter_row.voter_key and voter_row.id.version == 4


def test_the_audit_chain_gets_no_row_per_ballot_and_nothing_of_its_content(
    poll: Poll, resident: User
) -> None:
    before = AuditEvent.objects.count()
    cast = services.poll_ballot_cast(voter=resident, poll_id=poll.pk, answers=answers_for(poll, "unsure"))
    assert AuditEvent.objects.count() == before  # the roll is the record of who voted
    close(poll)
    services.process_seal(process=poll)
    event = AuditEvent.objects.get(action="poll.sealed")
    assert event.data["ballots"] == event.data["roll"] == 1
    assert str(resident.pk) not in str(event.data)
    everything = str(list(AuditEvent.objects.values()))
    assert cast.receipt not in everything and "unsure" not in everything
    assert audit_verify().ok


def test_the_seal_records_digests_of_roll_and_box_that_reveal_later_changes(
    poll: Poll, make_user: Callable[..., User]
) -> None:
    for _ in range(3):
        services.poll_ballot_cast(voter=make_user(), poll_id=poll.pk, answers=answers_for(poll))
    close(poll)
    services.process_seal(process=poll)
    assert services.process_seal_check(process=poll) == []
    PollBallot.objects.filter(poll=poll).update(answers={})  # a changed ballot
    assert [p.split(":")[0] for p in services.process_seal_check(process=poll)] == ["box_sha256"]
    PollVoter.objects.filter(poll=poll).first().delete()  # type: ignore[union-attr]
    assert "roll" in [p.split(":")[0] for p in services.process_seal_check(process=poll)]


def test_voter_keys_differ_between_processes(poll: Poll, budget: Budget, resident: User) -> None:
    services.poll_ballot_cast(voter=resident, poll_id=poll.pk, answers=answers_for(poll))
    services.budget_ballot_cast(voter=resident, budget_id=budget.pk, projects=["B1"])
    assert PollVoter.objects.get().voter_key != BudgetVoter.objects.get().voter_key


def test_sealing_after_close_reshuffles_the_box_and_keeps_every_ballot(
    poll: Poll, make_user: Callable[..., User]
) -> None:
    receipts = {
        services.poll_ballot_cast(voter=make_user(), poll_id=poll.pk, answers=answers_for(poll)).receipt
        for _ in range(6)
    }
    assert services.process_seal(process=poll) is False  # still open
    close(poll)
    assert services.process_seal(process=poll) is True
    assert services.process_seal(process=poll) is False  # once
    assert set(PollBallot.objects.filter(poll=poll).values_list("receipt", flat=True)) == receipts
    poll.refresh_from_db()
    assert poll.sealed_at is not None
    assert AuditEvent.objects.filter(action="poll.sealed", data__ballots=6).exists()


def test_the_scheduled_job_seals_closed_votes(poll: Poll, budget: Budget, resident: User) -> None:
    services.budget_ballot_cast(voter=resident, budget_id=budget.pk, projects=["A1", "B1"])
    close(poll)
    close(budget)
    assert services.processes_seal_due() == 2
    budget.refresh_from_db()
    assert budget.sealed_at is not None and budget.outcomes.count() == 2
    assert services.processes_seal_due() == 0


def test_publishing_needs_questions_and_fixes_them(moderator: User, resident: User) -> None:
    poll = services.poll_create(actor=moderator, title="Empty", **window())
    with pytest.raises(ServiceError):
        services.process_publish(actor=moderator, process=poll)
    services.poll_question_add(
        actor=moderator,
        poll_id=poll.pk,
        data=services.QuestionInput(text="Q?", options=[("a", "A"), ("b", "B")]),
    )
    services.process_publish(actor=moderator, process=poll)
    with pytest.raises(ServiceError) as error:
        services.poll_question_add(
            actor=moderator,
            poll_id=poll.pk,
            data=services.QuestionInput(text="Q2?", options=[("a", "A"), ("b", "B")]),
        )
    assert error.value.code == "published"


def test_residents_cannot_manage_polls(resident: User) -> None:
    with pytest.raises(PermissionDeniedError):
        services.poll_create(actor=resident, title="Mine", **window())


def test_closing_early_ends_voting_now(poll: Poll, moderator: User, resident: User) -> None:
    services.process_close_now(actor=moderator, process=poll)
    assert poll.closes_at <= timezone.now()
    with pytest.raises(ServiceError):
        services.poll_ballot_cast(voter=resident, poll_id=poll.pk, answers=answers_for(poll))


def test_a_ballot_checked_before_an_early_close_and_seal_is_refused_after_them(
    poll: Poll, moderator: User, resident: User
) -> None:
    """The window check and the ballot's insert are apart in time: closing and sealing in between must
    not let the ballot in after the seal (it would be missing from the sealed tally)."""
    error = stale_ballot_after_close_and_seal(poll, moderator, resident)
    assert isinstance(error, ServiceError)
    assert error.code == "voting_closed"
    assert counted(poll) == (0, 0)
    assert services.process_seal_check(process=Poll.objects.get(pk=poll.pk)) == []


def test_a_vote_closed_early_refuses_the_next_ballot_though_the_worker_read_it_open(
    poll: Poll, moderator: User, resident: User, make_user: Callable[..., User]
) -> None:
    """A worker reuses the published poll it read for a ballot for a moment; the closing time it holds
    is then stale, and the ballot's own check in the database still refuses."""
    services.poll_ballot_cast(voter=resident, poll_id=poll.pk, answers=answers_for(poll))
    services.process_close_now(actor=moderator, process=Poll.objects.get(pk=poll.pk))
    with pytest.raises(ServiceError) as error:
        services.poll_ballot_cast(voter=make_user(), poll_id=poll.pk, answers=answers_for(poll))
    assert error.value.code == "voting_closed"
    assert counted(poll) == (1, 1)


def test_a_poll_deleted_after_a_ballot_refuses_the_next_one_as_not_found(
    poll: Poll, resident: User, make_user: Callable[..., User]
) -> None:
    answers = answers_for(poll)
    services.poll_ballot_cast(voter=resident, poll_id=poll.pk, answers=answers)
    Poll.objects.filter(pk=poll.pk).delete()
    with pytest.raises(NotFoundError):
        services.poll_ballot_cast(voter=make_user(), poll_id=poll.pk, answers=answers)
