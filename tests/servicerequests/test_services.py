"""Service requests through their service functions: routing, SLAs, statuses, notifications, the staff
queue's actions, following, "was this fixed?", photos, and who may do what."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import Department, User
from cityhall.core.errors import PermissionDeniedError, ServiceError
from cityhall.core.models import AuditEvent, District
from cityhall.servicerequests import services
from cityhall.servicerequests.contracts import Channel, Status
from cityhall.servicerequests.models import (
    ServiceRequest,
    ServiceRequestFollower,
    ServiceRequestUpdate,
    ServiceType,
    Visibility,
)
from cityhall.servicerequests.services import ServiceRequestDraft, service_request_create
from cityhall.servicerequests.validation import InvalidRequestError
from tests.factories import DepartmentFactory
from tests.servicerequests.conftest import OLD_TOWN

pytestmark = pytest.mark.django_db


def report(
    actor: Any = None, *, email: str = "", channel: Channel = Channel.WEB, code: str = "001", **fields: Any
) -> ServiceRequest:
    draft = ServiceRequestDraft(
        service_code=code,
        lat=str(fields.pop("lat", OLD_TOWN[0])),
        long=str(fields.pop("long", OLD_TOWN[1])),
        description=fields.pop("description", "A hole"),
        attributes=fields.pop("attributes", {"SIZE": "L"} if code == "001" else {}),
        email=email,
        **fields,
    )
    return service_request_create(actor=actor, draft=draft, channel=channel).request


def emails_to(address: str) -> list[Any]:
    return [message for message in mail.outbox if message.to == [address]]


# --- Creating -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # emails leave after commit, through the task queue
def test_a_report_is_routed_timed_and_acknowledged(
    city: Any, pothole: ServiceType, run_tasks: Callable[[], None]
) -> None:
    request = report(email="ana@example.org")
    assert request.department_id == pothole.department_id
    assert request.status == Status.SUBMITTED
    assert request.expected_at == request.requested_at + dt.timedelta(hours=48)
    assert re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}", request.reference)
    run_tasks()
    [message] = emails_to("ana@example.org")
    assert request.reference in message.subject
    assert "Inspected within 2 working days." in message.body
    assert f"/requests/{request.reference}/" in message.body


def test_a_routing_rule_sends_a_district_to_another_department(
    city: list[District], pothole: ServiceType
) -> None:
    heritage = DepartmentFactory(slug="heritage")
    old_town = District.objects.get(slug="old-town")
    services.routing_rule_set(
        actor=None, service_type=pothole, district_id=old_town.pk, department_id=heritage.pk
    )
    assert report().department_id == heritage.pk
    riverside = District.objects.get(slug="riverside")
    elsewhere = report(
        lat=(riverside.min_latitude + riverside.max_latitude) / 2, long=riverside.min_longitude + 0.01
    )
    assert elsewhere.department_id == pothole.department_id


def test_a_signed_in_resident_is_the_reporter(city: Any, pothole: ServiceType, resident: User) -> None:
    request = report(resident)
    assert request.reporter_id == resident.pk
    assert request.email == resident.email


def test_staff_record_requests_for_residents_with_their_channel(
    city: Any, pothole: ServiceType, make_user: Callable[..., User], department: Department
) -> None:
    clerk = make_user(Role.COUNCIL_CLERK, department)
    request = report(clerk, channel=Channel.PHONE, email="caller@example.org", first_name="Olu")
    assert (request.channel, request.submitted_by_id, request.reporter_id) == ("phone", clerk.pk, None)
    event = AuditEvent.objects.filter(action="service_request.create").get()
    assert event.data["channel"] == "phone"


def test_residents_cannot_use_the_assisted_channels(city: Any, pothole: ServiceType, resident: User) -> None:
    for channel in (Channel.ASSISTED, Channel.PHONE):
        with pytest.raises(PermissionDeniedError):
            report(resident, channel=channel)
    with pytest.raises(PermissionDeniedError):
        report(None, channel=Channel.ASSISTED)
    assert not ServiceRequest.objects.exists()


def test_a_photo_is_re_encoded_without_its_gps_position(
    city: Any, pothole: ServiceType, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    exif = Image.Exif()
    exif[0x8825] = {2: (48.0, 0.0, 43.0), 1: "N", 4: (11.0, 0.0, 3.0), 3: "E"}  # GPSInfo
    exif[0x0110] = "Phone X"  # camera model
    exif[0x0112] = 6  # orientation: rotate 90° to show upright
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (250, 10, 10)).save(buffer, format="JPEG", exif=exif)
    upload = SimpleUploadedFile("hole.jpg", buffer.getvalue(), content_type="image/jpeg")
    request = report(photos=[upload])
    photo = request.photos.get()
    with photo.image.open("rb") as stored:
        data = stored.read()
    image = Image.open(io.BytesIO(data))
    assert not image.getexif()
    assert b"Phone X" not in data
    assert image.size == (40, 60)  # turned upright before the orientation tag was dropped
    assert (photo.width, photo.height, photo.content_type) == (40, 60, "image/jpeg")
    assert request.media_url.endswith(f"/requests/photos/{photo.pk}/")


def test_png_text_chunks_are_dropped(city: Any, pothole: ServiceType, settings: Any, tmp_path: Path) -> None:
    from PIL import PngImagePlugin

    settings.MEDIA_ROOT = tmp_path
    info = PngImagePlugin.PngInfo()
    info.add_text("Location", "48.0120 N, 11.0010 E")
    buffer = io.BytesIO()
    Image.new("RGBA", (8, 8)).save(buffer, format="PNG", pnginfo=info)
    request = report(photos=[SimpleUploadedFile("a.png", buffer.getvalue(), content_type="image/png")])
    with request.photos.get().image.open("rb") as stored:
        assert b"48.0120" not in stored.read()


def test_at_most_four_photos(city: Any, pothole: ServiceType) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="JPEG")
    photos = [SimpleUploadedFile(f"{n}.jpg", buffer.getvalue()) for n in range(5)]
    with pytest.raises(InvalidRequestError, match="at most 4"):
        report(photos=photos)


# --- Working a request ----------------------------------------------------------------------


@pytest.fixture
def reported(city: Any, pothole: ServiceType) -> ServiceRequest:
    return report(email="reporter@example.org")


@pytest.mark.django_db(transaction=True)  # emails leave after commit, through the task queue
def test_a_public_update_changes_the_status_and_emails_reporter_and_followers(
    reported: ServiceRequest, roads_staff: User, run_tasks: Callable[[], None], resident: User
) -> None:
    services.service_request_follow(actor=resident, request_id=reported.pk)
    ServiceRequestFollower.objects.create(request=reported, email="unconfirmed@example.org")
    run_tasks()
    mail.outbox.clear()
    update = services.service_request_update(
        actor=roads_staff, request_id=reported.pk, status=Status.SCHEDULED, text="Crew booked for Thursday."
    )
    reported.refresh_from_db()
    assert (reported.status, reported.status_notes) == (Status.SCHEDULED, "Crew booked for Thursday.")
    assert (update.status, update.status_changed, update.visibility) == (Status.SCHEDULED, True, "public")
    run_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(["reporter@example.org", resident.email])
    follower_mail = emails_to(resident.email)[0]
    assert "Crew booked for Thursday." in follower_mail.body
    assert "/requests/unfollow/" in follower_mail.body  # followers can stop the emails
    assert AuditEvent.objects.filter(action="service_request.update", object_id=str(reported.pk)).exists()


@pytest.mark.django_db(transaction=True)  # emails leave after commit, through the task queue
def test_internal_notes_are_never_emailed_or_published(
    reported: ServiceRequest, roads_staff: User, run_tasks: Callable[[], None]
) -> None:
    run_tasks()
    mail.outbox.clear()
    services.service_request_update(
        actor=roads_staff,
        request_id=reported.pk,
        text="Reporter sounded angry.",
        visibility=Visibility.INTERNAL,
    )
    run_tasks()
    assert mail.outbox == []
    assert not ServiceRequestUpdate.objects.filter(visibility="public").exists()
    with pytest.raises(ServiceError, match="internal note cannot change the status"):
        services.service_request_update(
            actor=roads_staff, request_id=reported.pk, status=Status.CLOSED, visibility=Visibility.INTERNAL
        )


def test_closing_and_reopening_keep_the_closing_time(reported: ServiceRequest, roads_staff: User) -> None:
    services.service_request_update(
        actor=roads_staff, request_id=reported.pk, status=Status.RESOLVED, text="Done."
    )
    reported.refresh_from_db()
    assert reported.closed_at is not None
    services.service_request_update(
        actor=roads_staff, request_id=reported.pk, status=Status.IN_PROGRESS, text="No."
    )
    reported.refresh_from_db()
    assert (reported.closed_at, reported.reopened_count) == (None, 1)


def test_overdue_is_an_open_request_past_its_sla(reported: ServiceRequest) -> None:
    assert not reported.is_overdue
    ServiceRequest.objects.filter(pk=reported.pk).update(expected_at=timezone.now() - dt.timedelta(minutes=1))
    reported.refresh_from_db()
    assert reported.is_overdue
    ServiceRequest.objects.filter(pk=reported.pk).update(status=Status.CLOSED)
    reported.refresh_from_db()
    assert not reported.is_overdue


@pytest.mark.parametrize(
    "role",
    [
        None,
        Role.MODERATOR,
        Role.DATA_PUBLISHER,
        Role.EMERGENCY_MANAGER,
        Role.COUNCIL_CLERK,
        Role.ADMINISTRATOR,
    ],
)
def test_only_the_departments_staff_change_a_request(
    reported: ServiceRequest, make_user: Callable[..., User], role: Role | None
) -> None:
    someone = make_user(role, DepartmentFactory() if role else None)
    with pytest.raises(PermissionDeniedError):
        services.service_request_update(actor=someone, request_id=reported.pk, status=Status.CLOSED, text="x")
    with pytest.raises(PermissionDeniedError):
        services.service_request_assign(actor=someone, request_id=reported.pk, assignee_id=someone.pk)
    reported.refresh_from_db()
    assert reported.status == Status.SUBMITTED


def test_staff_of_another_department_cannot_change_it(
    reported: ServiceRequest, make_user: Callable[..., User]
) -> None:
    parks_staff = make_user(Role.DEPARTMENT_STAFF, DepartmentFactory(slug="parks"))
    with pytest.raises(PermissionDeniedError):
        services.service_request_update(actor=parks_staff, request_id=reported.pk, text="Not ours")


def test_staff_of_a_parent_department_can(
    reported: ServiceRequest, make_user: Callable[..., User], roads: Department
) -> None:
    works = DepartmentFactory(slug="public-works")
    Department.objects.filter(pk=roads.pk).update(parent=works)
    works_staff = make_user(Role.DEPARTMENT_STAFF, works)
    services.service_request_update(
        actor=works_staff, request_id=reported.pk, status=Status.ACKNOWLEDGED, text="Seen"
    )


def test_assignment_only_to_the_departments_staff(
    reported: ServiceRequest, roads_staff: User, make_user: Callable[..., User], roads: Department
) -> None:
    colleague = make_user(Role.DEPARTMENT_STAFF, roads)
    outsider = make_user(Role.DEPARTMENT_STAFF, DepartmentFactory())
    services.service_request_assign(actor=roads_staff, request_id=reported.pk, assignee_id=colleague.pk)
    reported.refresh_from_db()
    assert reported.assigned_to_id == colleague.pk
    with pytest.raises(ServiceError, match="does not work this department"):
        services.service_request_assign(actor=roads_staff, request_id=reported.pk, assignee_id=outsider.pk)
    services.service_request_assign(actor=roads_staff, request_id=reported.pk, assignee_id=None)
    reported.refresh_from_db()
    assert reported.assigned_to_id is None
    assert AuditEvent.objects.filter(action="service_request.assign").count() == 2


def test_bulk_update_is_all_or_nothing(
    city: Any, pothole: ServiceType, graffiti: ServiceType, roads_staff: User, make_user: Callable[..., User]
) -> None:
    mine = [report(), report()]
    theirs_department = DepartmentFactory(slug="parks")
    park_type = services.service_type_create(
        actor=None, code="PARK", name="Park", department_id=theirs_department.pk
    )
    theirs = report(code=park_type.code)
    with pytest.raises(PermissionDeniedError):
        services.service_request_bulk_update(
            actor=roads_staff,
            request_ids=[r.pk for r in [*mine, theirs]],
            status=Status.CLOSED,
            text="Batch.",
        )
    assert set(ServiceRequest.objects.values_list("status", flat=True)) == {Status.SUBMITTED}
    count = services.service_request_bulk_update(
        actor=roads_staff,
        request_ids=[r.pk for r in mine],
        status=Status.IN_PROGRESS,
        assign_to=roads_staff.pk,
    )
    assert count == 2
    assert set(
        ServiceRequest.objects.filter(pk__in=[r.pk for r in mine]).values_list("status", "assigned_to")
    ) == {(Status.IN_PROGRESS, roads_staff.pk)}


def test_transfer_to_another_department(reported: ServiceRequest, roads_staff: User) -> None:
    parks = DepartmentFactory(slug="parks")
    services.service_request_transfer(
        actor=roads_staff, request_id=reported.pk, department_id=parks.pk, text="Tree"
    )
    reported.refresh_from_db()
    assert reported.department_id == parks.pk
    note = reported.updates.get()
    assert note.visibility == "internal" and "Tree" in note.description
    with pytest.raises(PermissionDeniedError):  # it is not theirs any more
        services.service_request_update(actor=roads_staff, request_id=reported.pk, text="x")


def test_duplicates_link_both_ways_and_the_reporter_follows_the_original(
    city: Any, pothole: ServiceType, roads_staff: User
) -> None:
    original = report(email="first@example.org")
    duplicate = report(email="second@example.org")
    services.service_request_mark_duplicate(
        actor=roads_staff, request_id=duplicate.pk, original_reference=original.reference.lower()
    )
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.duplicate_of_id) == (Status.DUPLICATE, original.pk)
    assert list(original.duplicates.all()) == [duplicate]
    assert original.followers.get().email == "second@example.org"
    with pytest.raises(ServiceError, match="post public updates there"):
        services.service_request_update(actor=roads_staff, request_id=duplicate.pk, text="More news")
    with pytest.raises(InvalidRequestError):
        services.service_request_mark_duplicate(
            actor=roads_staff, request_id=original.pk, original_reference=original.reference
        )


# --- Following ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # emails leave after commit, through the task queue
def test_following_by_email_needs_confirmation(
    reported: ServiceRequest, run_tasks: Callable[[], None], roads_staff: User
) -> None:
    result = services.service_request_follow(actor=None, request_id=reported.pk, email="Fan@Example.org")
    assert result.needs_confirmation
    run_tasks()
    [message] = emails_to("fan@example.org")
    token = re.search(r"/requests/follow/([^/\s]+)/", message.body).group(1)  # type: ignore[union-attr]
    mail.outbox.clear()
    services.service_request_update(
        actor=roads_staff, request_id=reported.pk, status=Status.ACKNOWLEDGED, text="Seen"
    )
    run_tasks()
    assert emails_to("fan@example.org") == []  # not confirmed yet
    services.service_request_follow_confirm(token=token)
    services.service_request_update(
        actor=roads_staff, request_id=reported.pk, status=Status.IN_PROGRESS, text="Go"
    )
    run_tasks()
    [update] = emails_to("fan@example.org")
    unfollow = re.search(r"/requests/unfollow/([^/\s]+)/", update.body).group(1)  # type: ignore[union-attr]
    services.service_request_unfollow(token=unfollow)
    assert not reported.followers.exists()


def test_a_forged_follow_token_is_refused(reported: ServiceRequest) -> None:
    from cityhall.core.errors import NotFoundError

    with pytest.raises(NotFoundError):
        services.service_request_follow_confirm(token="not-a-token")


# --- "Was this fixed?" ----------------------------------------------------------------------


def _resolve(request: ServiceRequest, staff: User, *, days_ago: int = 8) -> None:
    services.service_request_update(
        actor=staff, request_id=request.pk, status=Status.RESOLVED, text="Filled."
    )
    ServiceRequest.objects.filter(pk=request.pk).update(
        closed_at=timezone.now() - dt.timedelta(days=days_ago)
    )


@pytest.mark.django_db(transaction=True)  # emails leave after commit, through the task queue
def test_the_questionnaire_is_sent_once_some_days_after_resolution(
    reported: ServiceRequest, roads_staff: User, run_tasks: Callable[[], None]
) -> None:
    _resolve(reported, roads_staff, days_ago=2)
    assert services.service_request_questionnaire_send(request_id=reported.pk) is False  # too early
    ServiceRequest.objects.filter(pk=reported.pk).update(closed_at=timezone.now() - dt.timedelta(days=8))
    assert services.service_request_questionnaire_send(request_id=reported.pk) is True
    assert services.service_request_questionnaire_send(request_id=reported.pk) is False  # idempotent
    run_tasks()
    [message] = [m for m in emails_to("reporter@example.org") if "Is it fixed?" in m.subject]
    assert "/requests/fixed/" in message.body


def test_resolving_schedules_the_questionnaire_task(
    reported: ServiceRequest, roads_staff: User, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.service_request_update(
            actor=roads_staff, request_id=reported.pk, status=Status.RESOLVED, text="Done"
        )
    if settings.TASKS_BACKEND == "database":
        from django_tasks_db.models import DBTaskResult

        scheduled = DBTaskResult.objects.filter(task_path__endswith="questionnaire_send").get()
        assert scheduled.run_after > timezone.now() + dt.timedelta(days=6)
    elif settings.TASKS_BACKEND == "rq":
        import django_rq

        registry = django_rq.get_queue("default").scheduled_job_registry
        job_ids = registry.get_job_ids()
        due = [registry.get_scheduled_time(job_id) for job_id in job_ids]
        assert any(moment > timezone.now() + dt.timedelta(days=6) for moment in due)
        for job_id in job_ids:
            registry.remove(job_id)


def test_not_fixed_reopens_the_request(reported: ServiceRequest, roads_staff: User) -> None:
    _resolve(reported, roads_staff)
    token = services.questionnaire_token(reported)
    services.service_request_questionnaire_answer(token=token, fixed=False, comment="Still a hole.")
    reported.refresh_from_db()
    assert (reported.status, reported.reopened_count, reported.questionnaire_answer) == (
        Status.ACKNOWLEDGED,
        1,
        "not_fixed",
    )
    assert "Still a hole." in reported.updates.order_by("-created_at").first().description  # type: ignore[union-attr]
    # answering again changes nothing
    services.service_request_questionnaire_answer(token=token, fixed=True)
    reported.refresh_from_db()
    assert reported.status == Status.ACKNOWLEDGED


def test_fixed_closes_the_request(reported: ServiceRequest, roads_staff: User) -> None:
    _resolve(reported, roads_staff)
    services.service_request_questionnaire_answer(token=services.questionnaire_token(reported), fixed=True)
    reported.refresh_from_db()
    assert (reported.status, reported.questionnaire_answer) == (Status.CLOSED, "fixed")
