"""Roll-call votes: who may vote, when, and how the outcome is counted. Bad input writes nothing."""

from __future__ import annotations

import pytest

from cityhall.accounts.models import User
from cityhall.core.errors import ServiceError
from cityhall.core.models import AuditEvent
from cityhall.decisions import services
from cityhall.decisions.models import Decision, Vote
from tests.decisions.conftest import MEETING_DAY, Council

pytestmark = pytest.mark.django_db


def test_a_roll_call_is_counted_and_decides(council: Council, open_vote: Decision, clerk: User) -> None:
    ana, ben, cy = council.members
    services.votes_record(
        actor=clerk, decision_id=open_vote.pk, votes={ana.pk: "yes", ben.pk: "yes", cy.pk: "abstain"}
    )

    decision = services.decision_vote_close(actor=clerk, decision_id=open_vote.pk)

    assert (decision.status, decision.result) == ("adopted", "pass")
    assert (decision.votes_yes, decision.votes_no, decision.votes_abstain) == (2, 0, 1)
    assert decision.decided_on == MEETING_DAY
    assert [h.to_status for h in decision.history.all()] == ["submitted", "voting", "adopted"]


def test_a_tie_fails(council: Council, open_vote: Decision, clerk: User) -> None:
    ana, ben, cy = council.members
    services.votes_record(
        actor=clerk, decision_id=open_vote.pk, votes={ana.pk: "yes", ben.pk: "no", cy.pk: "absent"}
    )
    decision = services.decision_vote_close(actor=clerk, decision_id=open_vote.pk)
    assert (decision.status, decision.result, decision.votes_absent) == ("rejected", "fail", 1)


def test_a_vote_can_be_corrected_while_the_vote_is_open(
    council: Council, open_vote: Decision, clerk: User
) -> None:
    ana = council.members[0]
    services.vote_record(actor=clerk, decision_id=open_vote.pk, member_id=ana.pk, option="no")
    services.vote_record(actor=clerk, decision_id=open_vote.pk, member_id=ana.pk, option="yes")
    assert list(Vote.objects.values_list("option", flat=True)) == ["yes"]


def test_someone_who_is_not_a_member_cannot_vote(council: Council, open_vote: Decision, clerk: User) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(ServiceError) as error:
        services.vote_record(
            actor=clerk, decision_id=open_vote.pk, member_id=council.outsider.pk, option="yes"
        )
    assert error.value.code == "not_a_member"
    assert "Eve Outsider is not a member of City Council" in error.value.message
    assert Vote.objects.count() == 0 and AuditEvent.objects.count() == events


def test_a_member_whose_term_does_not_cover_the_meeting_cannot_vote(
    council: Council, open_vote: Decision, clerk: User
) -> None:
    with pytest.raises(ServiceError) as error:
        services.vote_record(actor=clerk, decision_id=open_vote.pk, member_id=council.former.pk, option="no")
    assert error.value.code == "not_a_member_on_date"
    assert "2026-03-10" in error.value.message
    assert Vote.objects.count() == 0


def test_one_bad_row_in_a_roll_call_writes_none_of_it(
    council: Council, open_vote: Decision, clerk: User
) -> None:
    ana, ben, _cy = council.members
    with pytest.raises(ServiceError):
        services.votes_record(
            actor=clerk,
            decision_id=open_vote.pk,
            votes={ana.pk: "yes", ben.pk: "yes", council.outsider.pk: "no"},
        )
    assert Vote.objects.count() == 0


def test_an_unknown_vote_option_is_refused(council: Council, open_vote: Decision, clerk: User) -> None:
    with pytest.raises(ServiceError) as error:
        services.vote_record(
            actor=clerk, decision_id=open_vote.pk, member_id=council.members[0].pk, option="maybe"
        )
    assert error.value.code == "invalid_choice" and "yes, no, abstain, absent" in error.value.message


def test_no_vote_on_a_closed_decision(council: Council, open_vote: Decision, clerk: User) -> None:
    ana, ben, _cy = council.members
    services.votes_record(actor=clerk, decision_id=open_vote.pk, votes={ana.pk: "yes"})
    services.decision_vote_close(actor=clerk, decision_id=open_vote.pk)

    with pytest.raises(ServiceError) as error:
        services.vote_record(actor=clerk, decision_id=open_vote.pk, member_id=ben.pk, option="no")

    assert error.value.code == "decision_closed"
    assert "closed (Adopted)" in error.value.message
    assert Vote.objects.count() == 1
    open_vote.refresh_from_db()
    assert open_vote.votes_yes == 1 and open_vote.votes_no == 0


def test_no_vote_before_the_vote_is_opened(council: Council, motion: Decision, clerk: User) -> None:
    with pytest.raises(ServiceError) as error:
        services.vote_record(
            actor=clerk, decision_id=motion.pk, member_id=council.members[0].pk, option="yes"
        )
    assert error.value.code == "vote_not_open"


def test_closing_an_empty_roll_call_is_refused(open_vote: Decision, clerk: User) -> None:
    with pytest.raises(ServiceError) as error:
        services.decision_vote_close(actor=clerk, decision_id=open_vote.pk)
    assert error.value.code == "no_votes"
    open_vote.refresh_from_db()
    assert open_vote.status == "voting"
