"""The decision workflow, members' terms, agendas, links and attachments; bad input writes nothing."""

from __future__ import annotations

import datetime as dt
import types
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import User
from cityhall.core.errors import PermissionDeniedError, ServiceError
from cityhall.core.models import AuditEvent
from cityhall.decisions import rules, services
from cityhall.decisions.models import Attachment, Decision, DecisionLink, StatusChange
from tests.decisions.conftest import Council

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(Role))
def test_only_council_clerks_manage_decisions(role: Role, make_user: Callable[..., User]) -> None:
    assert rules.can_manage_decisions(make_user(role)) is (role == Role.COUNCIL_CLERK)


def test_a_resident_cannot_record_a_decision(council: Council, make_user: Callable[..., User]) -> None:
    with pytest.raises(PermissionDeniedError):
        services.decision_create(actor=make_user(), body_id=council.body.pk, title="Mine")
    assert Decision.objects.count() == 0


def test_decisions_get_a_reference_and_an_audit_row(motion: Decision) -> None:
    assert motion.reference.startswith("D-") and motion.status == "submitted"
    assert AuditEvent.objects.filter(action="decisions.decision_create", object_id=str(motion.pk)).exists()


@pytest.mark.parametrize(
    ("path", "bad"),
    [
        (["withdrawn"], "submitted"),
        (["adopted"], "voting"),
        (["voting"], "adopted"),
        (["referred"], "submitted"),
    ],
)
def test_invalid_transitions_are_refused_and_change_nothing(
    motion: Decision, clerk: User, path: list[str], bad: str
) -> None:
    for status in path:
        services.decision_transition(actor=clerk, decision_id=motion.pk, to_status=status)
    history = StatusChange.objects.count()
    with pytest.raises(ServiceError) as error:
        services.decision_transition(actor=clerk, decision_id=motion.pk, to_status=bad)
    assert error.value.code == "invalid_transition"
    assert "cannot become" in error.value.message and "From here it can become" in error.value.message
    motion.refresh_from_db()
    assert motion.status == path[-1] and StatusChange.objects.count() == history


def test_an_unknown_status_is_an_invalid_transition(motion: Decision, clerk: User) -> None:
    with pytest.raises(ServiceError) as error:
        services.decision_transition(actor=clerk, decision_id=motion.pk, to_status="approved")
    assert error.value.code == "invalid_transition"


def test_a_decision_without_a_meeting_cannot_open_a_vote(council: Council, clerk: User) -> None:
    decision = services.decision_create(actor=clerk, body_id=council.body.pk, title="Floating", submit=True)
    with pytest.raises(ServiceError) as error:
        services.decision_transition(actor=clerk, decision_id=decision.pk, to_status="voting")
    assert error.value.code == "no_meeting"


def test_a_decision_by_consensus_is_dated_by_its_meeting(motion: Decision, clerk: User) -> None:
    decision = services.decision_transition(actor=clerk, decision_id=motion.pk, to_status="adopted")
    assert decision.decided_on == dt.date(2026, 3, 10) and decision.result == "pass"


def test_a_closed_decision_text_cannot_change(motion: Decision, clerk: User) -> None:
    services.decision_transition(actor=clerk, decision_id=motion.pk, to_status="rejected")
    with pytest.raises(ServiceError) as error:
        services.decision_update(actor=clerk, decision_id=motion.pk, title="Changed afterwards")
    assert error.value.code == "decision_closed"


def test_a_meeting_of_another_body_is_refused(council: Council, clerk: User) -> None:
    other = services.body_create(actor=clerk, slug="planning", name="Planning Committee", kind="committee")
    with pytest.raises(ServiceError) as error:
        services.decision_create(actor=clerk, body_id=other.pk, meeting_id=council.meeting.pk, title="X")
    assert error.value.code == "wrong_body"


def test_overlapping_terms_are_refused(council: Council, clerk: User) -> None:
    with pytest.raises(ServiceError) as error:
        services.membership_add(
            actor=clerk,
            body_id=council.body.pk,
            member_id=council.members[0].pk,
            start_on=dt.date(2025, 5, 1),
        )
    assert error.value.code == "overlapping_term"


def test_a_term_cannot_end_before_it_starts(council: Council, clerk: User) -> None:
    with pytest.raises(ServiceError) as error:
        services.membership_add(
            actor=clerk,
            body_id=council.body.pk,
            member_id=council.outsider.pk,
            start_on=dt.date(2025, 5, 1),
            end_on=dt.date(2025, 4, 1),
        )
    assert error.value.code == "invalid_term"


def test_agenda_items_are_numbered_in_order(council: Council, clerk: User) -> None:
    first = services.agenda_item_add(
        actor=clerk, meeting_id=council.meeting.pk, title="Minutes of the last meeting"
    )
    second = services.agenda_item_add(actor=clerk, meeting_id=council.meeting.pk, title="Cycle lanes")
    assert (first.position, second.position) == (1, 2)


def test_a_held_meeting_cannot_be_cancelled(council: Council, clerk: User) -> None:
    services.meeting_update(actor=clerk, meeting_id=council.meeting.pk, status="held")
    with pytest.raises(ServiceError) as error:
        services.meeting_update(actor=clerk, meeting_id=council.meeting.pk, status="cancelled")
    assert error.value.code == "invalid_transition"


def test_a_project_link_keeps_kind_id_and_title(motion: Decision, clerk: User) -> None:
    target = uuid.uuid4()
    link = services.decision_link_add(
        actor=clerk, decision_id=motion.pk, kind="project", target_id=target, title="Harbour Road cycle lanes"
    )
    assert (link.kind, link.target_id, link.title) == ("project", target, "Harbour Road cycle lanes")
    with pytest.raises(ServiceError) as error:
        services.decision_link_add(
            actor=clerk, decision_id=motion.pk, kind="project", target_id=target, title="Again"
        )
    assert error.value.code == "duplicate"


def test_a_link_to_an_emergency_decision_must_exist_in_the_log(motion: Decision, clerk: User) -> None:
    with pytest.raises(ServiceError) as error:
        services.decision_link_add(
            actor=clerk, decision_id=motion.pk, kind="emergency_decision", target_id=uuid.uuid4()
        )
    assert error.value.code == "unknown_target"
    assert DecisionLink.objects.count() == 0


def test_a_consultation_link_takes_its_title_from_engagement(
    motion: Decision, clerk: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cityhall.engagement import facade as engagement

    target = uuid.uuid4()
    ref = types.SimpleNamespace(id=target, title="Harbour Road consultation", url="/engage/harbour/")
    monkeypatch.setattr(
        engagement, "process_ref", lambda kind, id: ref if id == target else None, raising=False
    )
    link = services.decision_link_add(
        actor=clerk, decision_id=motion.pk, kind="consultation", target_id=target
    )
    assert (link.title, link.url) == ("Harbour Road consultation", "/engage/harbour/")


def fake_registry(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The documents facade as specified, for as long as the registry is being built alongside."""
    from cityhall.documents import facade as documents

    stored: dict[str, Any] = {}

    def register(**kwargs: Any) -> Any:
        ref = types.SimpleNamespace(
            id=uuid.uuid4(),
            title=kwargs["title"],
            version=1,
            sha256="a" * 64,
            classification=kwargs["classification"],
            url="/documents/x/",
            verify_url="/documents/verify/x/",
            signed=False,
        )
        stored[str(ref.id)] = ref
        return ref

    def sign(*, actor: Any, document_id: uuid.UUID) -> None:
        stored[str(document_id)].signed = True

    monkeypatch.setattr(documents, "document_register", register, raising=False)
    monkeypatch.setattr(documents, "document_sign", sign, raising=False)
    monkeypatch.setattr(
        documents, "document_ref", lambda document_id: stored.get(str(document_id)), raising=False
    )
    return stored


def test_minutes_are_registered_signed_and_attached(
    council: Council, clerk: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_registry(monkeypatch)
    attachment = services.attachment_upload(
        actor=clerk,
        meeting_id=council.meeting.pk,
        role="minutes",
        title="Minutes, March",
        file_name="minutes.pdf",
        content=b"%PDF-1.7 minutes",
        media_type="application/pdf",
        sign=True,
    )
    assert attachment.signed and attachment.verify_url == "/documents/verify/x/"
    assert list(council.meeting.attachments.all()) == [attachment]


def test_without_the_registry_attaching_says_so_and_writes_nothing(
    council: Council, clerk: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cityhall.decisions import integrations

    monkeypatch.setattr(integrations, "facade_function", lambda module, name: None)  # no registry installed
    assert not integrations.documents_available()
    with pytest.raises(ServiceError) as error:
        services.attachment_upload(
            actor=clerk,
            meeting_id=council.meeting.pk,
            role="minutes",
            title="Minutes",
            file_name="m.pdf",
            content=b"x",
            media_type="application/pdf",
        )
    assert error.value.code == "documents_unavailable"
    assert Attachment.objects.count() == 0


def test_an_attachment_needs_exactly_one_owner(council: Council, motion: Decision, clerk: User) -> None:
    with pytest.raises(ServiceError) as error:
        services.attachment_link(
            actor=clerk,
            role="minutes",
            document_id=uuid.uuid4(),
            meeting_id=council.meeting.pk,
            decision_id=motion.pk,
        )
    assert error.value.code == "invalid_owner"


def test_minutes_go_through_the_real_registry_when_it_is_installed(council: Council, clerk: User) -> None:
    from cityhall.decisions import integrations

    if not integrations.documents_available():
        pytest.skip("the document registry is not installed yet")
    attachment = services.attachment_upload(
        actor=clerk,
        meeting_id=council.meeting.pk,
        role="minutes",
        title="Minutes, March",
        file_name="minutes.txt",
        content=b"Minutes of the City Council, 10 March 2026.",
        media_type="text/plain",
        sign=True,
    )
    assert attachment.signed and len(attachment.sha256) == 64
    assert integrations.document_lookup(attachment.document_id) is not None
