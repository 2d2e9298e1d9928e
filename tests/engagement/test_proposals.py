"""Calls for proposals: proposing, supporting once, thresholds (absolute and a frozen share), the
official response with its deadline, spam controls, moderation and notifications."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cityhall.accounts.contracts import AssuranceLevel
from cityhall.accounts.models import User
from cityhall.core.errors import PermissionDeniedError, ServiceError
from cityhall.core.models import AuditEvent
from cityhall.engagement import services
from cityhall.engagement.contracts import Outcome, ProposalStatus, ThresholdBasis
from cityhall.engagement.models import Comment, Proposal, ProposalProcess, Support
from tests.engagement.conftest import make_process, verify

pytestmark = pytest.mark.django_db


def propose(process: ProposalProcess, user: User, title: str = "Water fountains in every park") -> Proposal:
    return services.proposal_create(
        user=user, process_id=process.pk, title=title, summary="Free drinking water for summer days."
    )


# --- Proposing ------------------------------------------------------------------------------


def test_a_resident_makes_a_proposal(process: ProposalProcess, resident: User) -> None:
    proposal = propose(process, resident)
    assert proposal.status == ProposalStatus.OPEN and proposal.supports_count == 0


def test_a_draft_call_takes_no_proposals(manager: User, resident: User) -> None:
    draft = make_process(manager, open_it=False)
    with pytest.raises(ServiceError, match="is not open"):
        propose(draft, resident)
    assert not Proposal.objects.exists()


def test_the_city_can_ask_for_verified_residents_only(manager: User, resident: User, verified: User) -> None:
    process = make_process(manager, eligibility=AssuranceLevel.VERIFIED_RESIDENT)
    with pytest.raises(PermissionDeniedError, match="Verify that you live in the city"):
        propose(process, resident)
    assert not Proposal.objects.exists()
    assert propose(process, verified).author == verified


def test_too_many_proposals_in_a_day_hit_the_rate_limit(
    process: ProposalProcess, resident: User, settings: Any
) -> None:
    settings.ENGAGEMENT_PROPOSALS_PER_DAY = 2
    propose(process, resident, "One")
    propose(process, resident, "Two")
    with pytest.raises(ServiceError, match="Wait until tomorrow") as raised:
        propose(process, resident, "Three")
    assert raised.value.status == 429
    assert sorted(Proposal.objects.values_list("title", flat=True)) == ["One", "Two"]


def test_the_call_can_limit_proposals_per_person(manager: User, resident: User) -> None:
    process = make_process(manager, proposals_per_person=1)
    propose(process, resident, "One")
    with pytest.raises(ServiceError, match="Each person may make 1 proposal"):
        propose(process, resident, "Two")
    assert Proposal.objects.count() == 1


def test_a_proposal_needs_a_title(process: ProposalProcess, resident: User) -> None:
    with pytest.raises(ServiceError, match="Write the title"):
        services.proposal_create(user=resident, process_id=process.pk, title="", summary="Something")
    assert not Proposal.objects.exists()


# --- Supporting -----------------------------------------------------------------------------


def test_supports_are_counted_with_the_level_and_channel(
    process: ProposalProcess, resident: User, verified: User
) -> None:
    proposal = propose(process, resident)
    services.proposal_support(user=verified, proposal_id=proposal.pk)
    support = Support.objects.get()
    assert support.assurance_level == AssuranceLevel.VERIFIED_RESIDENT and support.channel == "web"
    proposal.refresh_from_db()
    assert proposal.supports_count == 1


def test_a_second_support_by_the_same_resident_is_refused(
    process: ProposalProcess, resident: User, make_user: Callable[..., User]
) -> None:
    proposal = propose(process, resident)
    supporter = make_user()
    services.proposal_support(user=supporter, proposal_id=proposal.pk)
    with pytest.raises(ServiceError, match="already support this proposal") as raised:
        services.proposal_support(user=supporter, proposal_id=proposal.pk)
    assert raised.value.status == 409
    proposal.refresh_from_db()
    assert proposal.supports_count == 1 and Support.objects.count() == 1


def test_the_database_itself_refuses_a_duplicate_support(process: ProposalProcess, resident: User) -> None:
    proposal = propose(process, resident)
    Support.objects.create(proposal=proposal, user=resident, created_at=timezone.now(), assurance_level=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.create(proposal=proposal, user=resident, created_at=timezone.now(), assurance_level=1)


def test_a_duplicate_that_slips_past_the_check_fails_cleanly_and_counts_once(
    process: ProposalProcess, resident: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race the unique constraint guards: the pre-check saw nothing, the insert collides."""
    proposal = propose(process, resident)
    services.proposal_support(user=resident, proposal_id=proposal.pk)
    real_filter = Support.objects.filter

    class Blind:
        def exists(self) -> bool:
            return False

        def count(self) -> int:
            return 0

    calls = {"n": 0}

    def blind_first_check(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        return Blind() if calls["n"] == 1 else real_filter(*args, **kwargs)

    monkeypatch.setattr(Support.objects, "filter", blind_first_check)
    with pytest.raises(ServiceError, match="already support this proposal"):
        services.proposal_support(user=resident, proposal_id=proposal.pk)
    proposal.refresh_from_db()
    assert proposal.supports_count == 1 and Support.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_supports_count_once(manager: User, make_user: Callable[..., User]) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need a server database (SQLite serialises the whole file).")
    process = make_process(manager)
    author, supporter = make_user(), make_user()
    proposal = propose(process, author)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def attempt() -> None:
        try:
            barrier.wait()
            services.proposal_support(user=supporter, proposal_id=proposal.pk)
            outcomes.append("ok")
        except ServiceError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already_supported"] * 3 + ["ok"]
    proposal.refresh_from_db()
    assert proposal.supports_count == 1 and Support.objects.filter(proposal=proposal).count() == 1


def test_an_ineligible_supporter_is_refused(manager: User, resident: User, unverified: User) -> None:
    process = make_process(manager)
    proposal = propose(process, resident)
    with pytest.raises(PermissionDeniedError, match="Confirm your email address"):
        services.proposal_support(user=unverified, proposal_id=proposal.pk)
    assert not Support.objects.exists()


def test_supports_close_with_the_window(
    manager: User, resident: User, make_user: Callable[..., User]
) -> None:
    process = make_process(manager)
    proposal = propose(process, resident)
    ProposalProcess.objects.filter(pk=process.pk).update(window_end=dt.date.today() - dt.timedelta(days=1))
    with pytest.raises(ServiceError, match="ended on"):
        services.proposal_support(user=make_user(), proposal_id=proposal.pk)
    assert not Support.objects.exists()


def test_the_call_can_limit_supports_per_person(manager: User, resident: User) -> None:
    process = make_process(manager, supports_per_person=1)
    first, second = propose(process, resident, "One"), propose(process, resident, "Two")
    services.proposal_support(user=resident, proposal_id=first.pk)
    with pytest.raises(ServiceError, match="used all 1 supports"):
        services.proposal_support(user=resident, proposal_id=second.pk)
    assert Support.objects.count() == 1


def test_a_withdrawn_proposal_cannot_be_supported(
    process: ProposalProcess, resident: User, verified: User
) -> None:
    proposal = propose(process, resident)
    services.proposal_withdraw(user=resident, proposal_id=proposal.pk)
    with pytest.raises(ServiceError, match="cannot be supported"):
        services.proposal_support(user=verified, proposal_id=proposal.pk)
    with pytest.raises(PermissionDeniedError):
        services.proposal_withdraw(user=verified, proposal_id=proposal.pk)


# --- Thresholds -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # emails leave after commit, through the task queue
def test_crossing_the_threshold_qualifies_the_proposal_and_tells_author_and_supporters(
    manager: User, make_user: Callable[..., User], run_tasks: Callable[[], None]
) -> None:
    process = make_process(manager)  # 3 supports, response within 30 days
    author = make_user(email="author@example.org")
    proposal = propose(process, author)
    supporters = [make_user(email=f"s{n}@example.org") for n in range(3)]
    services.participant_settings_set(user=supporters[2], email_updates=False)
    for supporter in supporters[:2]:
        services.proposal_support(user=supporter, proposal_id=proposal.pk)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN
    services.proposal_support(user=supporters[2], proposal_id=proposal.pk)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.QUALIFIED
    assert proposal.response_due == timezone.localdate() + dt.timedelta(days=30)
    assert AuditEvent.objects.get(action="proposal.qualified").data["needed"] == 3
    run_tasks()
    run_tasks()
    services.proposal_qualified_notify(proposal_id=proposal.pk)  # once only
    run_tasks()
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["author@example.org", "s0@example.org", "s1@example.org"]
    assert "reached its threshold" in mail.outbox[0].subject
    assert proposal.response_due.isoformat() in mail.outbox[0].body


def test_supports_stop_at_the_threshold_unless_the_call_accumulates(
    manager: User, make_user: Callable[..., User]
) -> None:
    stopping = make_process(manager, threshold_value=Decimal(1))
    proposal = propose(stopping, make_user())
    services.proposal_support(user=make_user(), proposal_id=proposal.pk)
    with pytest.raises(ServiceError, match="already has the supports it needs"):
        services.proposal_support(user=make_user(), proposal_id=proposal.pk)
    accumulating = make_process(manager, threshold_value=Decimal(1), accumulate_beyond=True, slug="more")
    other = propose(accumulating, make_user())
    services.proposal_support(user=make_user(), proposal_id=other.pk)
    services.proposal_support(user=make_user(), proposal_id=other.pk)
    other.refresh_from_db()
    assert other.supports_count == 2 and other.status == ProposalStatus.QUALIFIED


def test_a_share_threshold_is_frozen_at_opening(manager: User, make_user: Callable[..., User]) -> None:
    residents = [verify(make_user()) for _ in range(25)]
    make_user()  # email-verified only: not in the register of verified residents
    process = make_process(
        manager,
        threshold_basis=ThresholdBasis.SHARE,
        threshold_value=Decimal("10"),
        eligibility=AssuranceLevel.VERIFIED_RESIDENT,
    )
    assert process.eligible_at_opening == 25
    assert process.supports_needed == 3  # ceil(2.5)
    for _ in range(20):
        verify(make_user())  # new residents do not move the goal
    process.refresh_from_db()
    assert process.supports_needed == 3
    proposal = propose(process, residents[0])
    for supporter in residents[1:4]:
        services.proposal_support(user=supporter, proposal_id=proposal.pk)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.QUALIFIED
    opened = AuditEvent.objects.get(action="proposal_process.open")
    assert opened.data == {"supports_needed": 3, "eligible_at_opening": 25}


def test_bad_thresholds_are_refused(manager: User) -> None:
    with pytest.raises(ServiceError, match=r"percentage from 0\.01 to 100"):
        make_process(manager, threshold_basis=ThresholdBasis.SHARE, threshold_value=Decimal(150))
    with pytest.raises(ServiceError, match="whole number"):
        make_process(manager, threshold_value=Decimal("2.5"))
    with pytest.raises(ServiceError, match="more than zero"):
        make_process(manager, threshold_value=Decimal(0))
    assert not ProposalProcess.objects.exists()


# --- Responses and moderation ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_official_response_is_audited_and_sent_to_author_and_supporters(
    manager: User, make_user: Callable[..., User], run_tasks: Callable[[], None]
) -> None:
    process = make_process(manager, threshold_value=Decimal(1))
    proposal = propose(process, make_user(email="author@example.org"))
    services.proposal_support(user=make_user(email="fan@example.org"), proposal_id=proposal.pk)
    run_tasks()
    mail.outbox.clear()
    services.proposal_respond(
        actor=manager, proposal_id=proposal.pk, outcome=Outcome.ACCEPTED, text="Ten fountains in 2027."
    )
    run_tasks()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ANSWERED and proposal.responded_by == manager
    event = AuditEvent.objects.get(action="proposal.respond")
    assert event.data == {"outcome": "accepted", "decision_id": None}
    assert sorted(m.to[0] for m in mail.outbox) == ["author@example.org", "fan@example.org"]
    assert "Ten fountains in 2027." in mail.outbox[0].body


def test_residents_cannot_respond_for_the_city(process: ProposalProcess, resident: User) -> None:
    proposal = propose(process, resident)
    with pytest.raises(PermissionDeniedError):
        services.proposal_respond(
            actor=resident, proposal_id=proposal.pk, outcome=Outcome.ACCEPTED, text="Yes"
        )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN


def test_a_moderator_hides_a_spam_proposal_with_a_reason(
    process: ProposalProcess, resident: User, manager: User
) -> None:
    proposal = propose(process, resident, "Buy cheap watches")
    services.proposal_hide(actor=manager, proposal_id=proposal.pk, reason="Advertising")
    assert AuditEvent.objects.get(action="proposal.hide").data == {
        "reason": "Advertising",
        "status_before": "open",
    }
    with pytest.raises(ServiceError, match="no proposal"):
        services.proposal_support(user=manager, proposal_id=proposal.pk)


def test_closing_the_call_expires_proposals_that_did_not_qualify(
    manager: User, make_user: Callable[..., User]
) -> None:
    process = make_process(manager, threshold_value=Decimal(1))
    qualified, _waiting = propose(process, make_user(), "A"), propose(process, make_user(), "B")
    services.proposal_support(user=make_user(), proposal_id=qualified.pk)
    services.proposal_process_close(actor=manager, process_id=process.pk)
    statuses = dict(Proposal.objects.values_list("title", "status"))
    assert statuses == {"A": ProposalStatus.QUALIFIED, "B": ProposalStatus.EXPIRED}


def test_comments_on_proposals_follow_the_call(
    process: ProposalProcess, resident: User, manager: User
) -> None:
    proposal = propose(process, resident)
    services.comment_create(user=resident, proposal_id=proposal.pk, body="Please support!")
    services.proposal_process_close(actor=manager, process_id=process.pk)
    with pytest.raises(ServiceError, match="Comments are closed"):
        services.comment_create(user=resident, proposal_id=proposal.pk, body="Too late")
    assert Comment.objects.count() == 1
