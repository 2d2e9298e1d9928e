"""Writing, approving and publishing alerts: the two-person rule, updates and cancels, CAP output."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from cityhall.accounts.models import User
from cityhall.alerts import selectors, services
from cityhall.alerts.cap import from_xml
from cityhall.alerts.contracts import AlertState, MsgType
from cityhall.alerts.models import Alert, AlertThread
from cityhall.alerts.services import AlertInvalidError, AreaInput
from cityhall.core.errors import PermissionDeniedError, ServiceError
from cityhall.core.models import AuditEvent
from tests.alerts.support import NS, SQUARE, alert_input, assert_valid_cap, texts

pytestmark = pytest.mark.django_db


def problems_of(error: pytest.ExceptionInfo[AlertInvalidError]) -> dict[str, str]:
    return {problem.location: problem.message for problem in error.value.problems}


# --- Bad input: a clear error, nothing written ------------------------------------------------


@pytest.mark.parametrize(
    ("polygon", "location", "words"),
    [
        ("47.975,11.005 47.985,11.005 47.985,11.015 47.975,11.015", "areas.0.polygons.0", "not closed"),
        ("47.975,11.005 47.985,11.005 47.975,11.005", "areas.0.polygons.0", "at least 4 points"),
        ("147.975,11.005 47.985,11.005 47.985,11.015 147.975,11.005", "areas.0.polygons.0", "out of range"),
        ("47.975,211.005 47.985,11.005 47.985,11.015 47.975,211.005", "areas.0.polygons.0", "out of range"),
    ],
)
def test_a_bad_polygon_is_refused_and_nothing_is_written(
    city: None, managers: tuple[User, User], polygon: str, location: str, words: str
) -> None:
    data = alert_input(areas=(AreaInput(description="Banks", polygons=(polygon,)),))
    with pytest.raises(AlertInvalidError) as error:
        services.alert_create(actor=managers[0], data=data)
    assert words in problems_of(error)[location]
    assert error.value.code == "invalid_alert"
    assert not Alert.objects.exists() and not AlertThread.objects.exists()


def test_a_circle_out_of_range_is_refused(city: None, managers: tuple[User, User]) -> None:
    data = alert_input(areas=(AreaInput(description="Round", circles=("47.98,200.5 2",)),))
    with pytest.raises(AlertInvalidError) as error:
        services.alert_create(actor=managers[0], data=data)
    assert "out of range" in problems_of(error)["areas.0.circles.0"]


def test_an_expiry_before_the_effective_time_is_refused(city: None, managers: tuple[User, User]) -> None:
    start = timezone.now() + dt.timedelta(hours=5)
    data = alert_input(effective=start, expires=start - dt.timedelta(hours=1))
    with pytest.raises(AlertInvalidError) as error:
        services.alert_create(actor=managers[0], data=data)
    assert problems_of(error)["expires"] == "The expiry time must be after the time the alert takes effect."
    assert not Alert.objects.exists()


def test_an_alert_without_expiry_area_or_texts_says_each(city: None, managers: tuple[User, User]) -> None:
    with pytest.raises(AlertInvalidError) as error:
        services.alert_create(actor=managers[0], data=alert_input(expires=None, areas=(), infos=()))
    assert {"expires", "areas", "infos"} <= set(problems_of(error))


def test_a_naive_time_is_refused(city: None, managers: tuple[User, User]) -> None:
    with pytest.raises(AlertInvalidError, match="time zone"):
        services.alert_create(actor=managers[0], data=alert_input(expires=dt.datetime(2030, 1, 1, 12, 0)))


def test_the_database_refuses_an_expiry_before_the_effective_time(publish: Callable[..., Alert]) -> None:
    alert = publish()
    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.filter(pk=alert.pk).update(effective=alert.expires)


# --- Two-person rule ------------------------------------------------------------------------


def test_an_alert_is_published_only_after_a_second_manager_approves(
    city: None, managers: tuple[User, User]
) -> None:
    author, approver = managers
    alert = services.alert_create(actor=author, data=alert_input())
    assert alert.state == AlertState.DRAFT
    services.alert_submit(actor=author, alert_id=alert.pk)
    alert.refresh_from_db()
    assert alert.state == AlertState.PENDING
    assert selectors.public_alert(alert.pk) is None

    services.alert_approve(actor=approver, alert_id=alert.pk)
    alert.refresh_from_db()
    assert alert.state == AlertState.PUBLISHED
    assert (alert.author_id, alert.approved_by_id) == (author.pk, approver.pk)
    assert alert.approved_sha256 == alert.xml_sha256 == hashlib.sha256(bytes(alert.xml)).hexdigest()
    assert selectors.public_alert(alert.pk) is not None


def test_nobody_approves_their_own_alert(city: None, managers: tuple[User, User]) -> None:
    author, _ = managers
    alert = services.alert_create(actor=author, data=alert_input())
    services.alert_submit(actor=author, alert_id=alert.pk)
    with pytest.raises(PermissionDeniedError) as error:
        services.alert_approve(actor=author, alert_id=alert.pk)
    assert error.value.code == "own_alert"
    assert "another emergency manager" in error.value.message
    alert.refresh_from_db()
    assert alert.state == AlertState.PENDING and alert.approved_by_id is None


def test_the_database_refuses_a_self_approval_written_past_the_service(
    city: None, managers: tuple[User, User]
) -> None:
    author, _ = managers
    alert = services.alert_create(actor=author, data=alert_input())
    services.alert_submit(actor=author, alert_id=alert.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.filter(pk=alert.pk).update(approved_by=author)


def test_publishing_without_approval_is_refused(city: None, managers: tuple[User, User]) -> None:
    author, approver = managers
    alert = services.alert_create(actor=author, data=alert_input())
    services.alert_submit(actor=author, alert_id=alert.pk)
    with pytest.raises(ServiceError) as error:
        services.alert_publish(actor=approver, alert_id=alert.pk)
    assert error.value.code == "not_approved"
    assert "second emergency manager" in error.value.message
    alert.refresh_from_db()
    assert alert.state == AlertState.PENDING and alert.published_at is None


def test_the_database_refuses_publication_without_approval(city: None, managers: tuple[User, User]) -> None:
    author, _ = managers
    alert = services.alert_create(actor=author, data=alert_input())
    services.alert_submit(actor=author, alert_id=alert.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.filter(pk=alert.pk).update(state=AlertState.PUBLISHED, published_at=timezone.now())


def test_approval_is_of_the_exact_bytes_reviewed(city: None, managers: tuple[User, User]) -> None:
    author, approver = managers
    alert = services.alert_create(actor=author, data=alert_input())
    services.alert_submit(actor=author, alert_id=alert.pk)
    with pytest.raises(ServiceError) as error:
        services.alert_approve(actor=approver, alert_id=alert.pk, sha256="0" * 64)
    assert error.value.code == "changed"


def test_approve_then_publish_later(city: None, managers: tuple[User, User]) -> None:
    author, approver = managers
    alert = services.alert_create(actor=author, data=alert_input())
    services.alert_submit(actor=author, alert_id=alert.pk)
    alert = services.alert_approve(actor=approver, alert_id=alert.pk, publish=False)
    assert alert.state == AlertState.APPROVED
    services.alert_publish(actor=author, alert_id=alert.pk)
    alert.refresh_from_db()
    assert alert.state == AlertState.PUBLISHED


def test_an_alert_that_expired_while_waiting_is_not_published(
    city: None, managers: tuple[User, User]
) -> None:
    author, approver = managers
    alert = services.alert_create(actor=author, data=alert_input())
    services.alert_submit(actor=author, alert_id=alert.pk)
    Alert.objects.filter(pk=alert.pk).update(expires=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(ServiceError) as error:
        services.alert_approve(actor=approver, alert_id=alert.pk)
    assert error.value.code == "expired"


def test_a_submitted_alert_cannot_be_edited_until_sent_back(city: None, managers: tuple[User, User]) -> None:
    author, approver = managers
    alert = services.alert_create(actor=author, data=alert_input())
    services.alert_submit(actor=author, alert_id=alert.pk)
    with pytest.raises(ServiceError, match="Only a draft"):
        services.alert_edit(actor=author, alert_id=alert.pk, data=alert_input())
    services.alert_return(actor=approver, alert_id=alert.pk, reason="Name the streets.")
    alert.refresh_from_db()
    assert alert.state == AlertState.DRAFT and alert.return_reason == "Name the streets."
    assert alert.identifier == "" and alert.xml is None
    services.alert_edit(
        actor=author, alert_id=alert.pk, data=alert_input(infos=(texts("en", " (Mill Lane)"),))
    )


def test_every_step_is_audited(publish: Callable[..., Alert]) -> None:
    alert = publish()
    actions = list(AuditEvent.objects.filter(object_id=str(alert.pk)).values_list("action", flat=True))
    assert actions == ["alert.create", "alert.submit", "alert.approve", "alert.publish"]
    approve = AuditEvent.objects.get(action="alert.approve", object_id=str(alert.pk))
    assert approve.data["sha256"] == alert.xml_sha256


# --- The CAP document -----------------------------------------------------------------------


def test_the_published_document_is_valid_cap_with_the_city_offset(publish: Callable[..., Alert]) -> None:
    alert = publish(effective=timezone.now(), onset=timezone.now() + dt.timedelta(hours=2))
    document = assert_valid_cap(bytes(alert.xml))
    assert document.findtext("cap:identifier", namespaces=NS).startswith("aldermere.example.")
    assert document.findtext("cap:sender", namespaces=NS) == "alerts@aldermere.example"
    sent = document.findtext("cap:sent", namespaces=NS)
    assert sent == alert.sent_text and sent.endswith(("+01:00", "+02:00"))  # Europe/Berlin
    languages = [node.text for node in document.findall("cap:info/cap:language", NS)]
    assert languages == ["en", "es"]
    assert document.findtext("cap:info/cap:web", namespaces=NS) == selectors.alert_url(alert.pk)


def test_a_district_becomes_a_polygon_with_latitude_first(publish: Callable[..., Alert]) -> None:
    alert = publish()
    polygon = from_xml(bytes(alert.xml)).infos[0].areas[0].polygons[0]
    first_latitude, first_longitude = (float(v) for v in polygon.split()[0].split(","))
    assert 47.9 < first_latitude < 48.1 and 10.9 < first_longitude < 11.1  # Aldermere: lat 48, lon 11


def test_each_language_has_its_area_name(publish: Callable[..., Alert]) -> None:
    alert = publish()
    infos = from_xml(bytes(alert.xml)).infos
    assert [info.areas[0].area_desc for info in infos] == ["Riverside", "Ribera"]


def test_typed_polygons_and_circles_are_published_as_typed(publish: Callable[..., Alert]) -> None:
    area = AreaInput(description="Banks of the Alder", polygons=(SQUARE,), circles=("47.985,11.001 1.5",))
    alert = publish(areas=(area,))
    parsed = from_xml(bytes(alert.xml)).infos[0].areas[0]
    assert parsed.polygons == (SQUARE,) and parsed.circles == ("47.985,11.001 1.5",)


def test_identifiers_are_never_reused(publish: Callable[..., Alert]) -> None:
    first, second = publish(), publish(infos=(texts("en", " again"),))
    assert first.identifier != second.identifier
    assert second.identifier.endswith(f".{int(first.identifier.rsplit('.', 1)[1]) + 1:04d}")


# --- Updates and cancels ------------------------------------------------------------------


def test_an_update_references_every_message_in_force(
    publish: Callable[..., Alert], managers: tuple[User, User]
) -> None:
    author, approver = managers
    alert = publish()
    update = services.alert_update_draft(actor=approver, alert_id=alert.pk)
    assert update.msg_type == MsgType.UPDATE
    services.alert_submit(actor=approver, alert_id=update.pk)
    services.alert_approve(actor=author, alert_id=update.pk)
    update.refresh_from_db()
    assert update.references_text == f"{alert.sender},{alert.identifier},{alert.sent_text}"
    assert_valid_cap(bytes(update.xml))

    second = services.alert_update_draft(actor=author, alert_id=update.pk)
    services.alert_submit(actor=author, alert_id=second.pk)
    services.alert_approve(actor=approver, alert_id=second.pk)
    second.refresh_from_db()
    referenced = [triple.split(",")[1] for triple in second.references_text.split()]
    assert referenced == [alert.identifier, update.identifier]


def test_a_ready_made_cancel_exists_for_every_published_alert(publish: Callable[..., Alert]) -> None:
    alert = publish()
    ready = selectors.ready_cancel(alert.thread_id)
    assert ready is not None and ready.msg_type == MsgType.CANCEL and ready.state == AlertState.DRAFT
    assert ready.infos.count() == alert.infos.count() and ready.areas.count() == alert.areas.count()


def test_cancelling_takes_the_ready_made_cancel_and_needs_approval(
    publish: Callable[..., Alert], managers: tuple[User, User]
) -> None:
    author, approver = managers
    alert = publish()
    ready = selectors.ready_cancel(alert.thread_id)
    cancel = services.alert_cancel(actor=author, alert_id=alert.pk, reason="The river is falling.")
    assert cancel.pk == ready.pk and cancel.state == AlertState.PENDING
    assert AlertThread.objects.get(pk=alert.thread_id).cancelled_at is None
    services.alert_approve(actor=approver, alert_id=cancel.pk)
    cancel.refresh_from_db()
    thread = AlertThread.objects.get(pk=alert.thread_id)
    assert thread.cancelled_at is not None and thread.latest_id == cancel.pk
    document = assert_valid_cap(bytes(cancel.xml))
    assert document.findtext("cap:msgType", namespaces=NS) == "Cancel"
    assert (
        document.findtext("cap:references", namespaces=NS)
        == f"{alert.sender},{alert.identifier},{alert.sent_text}"
    )
    assert "The river is falling." in document.findtext("cap:info/cap:description", namespaces=NS)
    with pytest.raises(ServiceError, match="already cancelled"):
        services.alert_cancel(actor=author, alert_id=alert.pk, reason="again")


def test_a_cancel_after_an_update_references_both(
    publish: Callable[..., Alert], managers: tuple[User, User]
) -> None:
    author, approver = managers
    alert = publish()
    update = services.alert_update_draft(actor=author, alert_id=alert.pk)
    services.alert_submit(actor=author, alert_id=update.pk)
    services.alert_approve(actor=approver, alert_id=update.pk)
    cancel = services.alert_cancel(actor=approver, alert_id=update.pk, reason="Over.")
    assert len(cancel.references_text.split()) == 2


def test_a_cancel_needs_a_reason(publish: Callable[..., Alert], managers: tuple[User, User]) -> None:
    with pytest.raises(ServiceError) as error:
        services.alert_cancel(actor=managers[0], alert_id=publish().pk, reason=" ")
    assert error.value.code == "reason_required"


# --- Test and Exercise never reach the public ---------------------------------------------


@pytest.mark.parametrize("status", ["Test", "Exercise"])
def test_test_and_exercise_alerts_stay_out_of_public_view(publish: Callable[..., Alert], status: str) -> None:
    alert = publish(status=status, note="Exercise ALD-7" if status == "Exercise" else "")
    assert alert.state == AlertState.PUBLISHED
    assert_valid_cap(bytes(alert.xml))
    assert selectors.public_alert(alert.pk) is None
    assert not selectors.public_threads(current=True).exists()
    assert selectors.feed_messages() == []
    assert alert.fanout_started_at is None
