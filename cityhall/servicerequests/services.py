"""Writes for service requests. Each one checks permission, validates, writes in one transaction with its
audit row (staff changes), and queues emails or tasks to run after commit."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.accounts.contracts import AccessChannel, Permission, PersonalDataAccess
from cityhall.accounts.facade import (
    audit_actor,
    departments,
    personal_data_accessed,
    user_has_permission,
    users_with_permission,
)
from cityhall.alerts.contracts import IncidentRef, IncidentSeverity, IncidentType
from cityhall.alerts.facade import incident_escalate
from cityhall.core.audit import audit_record
from cityhall.core.errors import FieldError, NotFoundError, PermissionDeniedError, ServiceError
from cityhall.core.taskqueue import enqueue_on_commit
from cityhall.notifications.facade import email_queue
from cityhall.servicerequests import rules, selectors
from cityhall.servicerequests.contracts import CLOSED_STATUSES, OPEN_STATUSES, Channel, Datatype, Status
from cityhall.servicerequests.models import (
    RoutingRule,
    ServiceAttribute,
    ServiceRequest,
    ServiceRequestFollower,
    ServiceRequestPhoto,
    ServiceRequestUpdate,
    ServiceType,
    Visibility,
)
from cityhall.servicerequests.photos import MAX_PHOTOS, CleanPhoto, PhotoError, clean_photo
from cityhall.servicerequests.validation import (
    AttributeValue,
    InvalidRequestError,
    Problems,
    check_attributes,
    check_description,
    check_location,
    plain_text_problem,
)

REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
FOLLOW_SALT = "cityhall.servicerequests.follow"
UNFOLLOW_SALT = "cityhall.servicerequests.unfollow"
QUESTIONNAIRE_SALT = "cityhall.servicerequests.questionnaire"
TOKEN_MAX_AGE = dt.timedelta(days=90)
FOLLOW_RESEND_AFTER = dt.timedelta(minutes=10)
_url_validator = URLValidator(schemes=["http", "https"])


def new_reference() -> str:
    """A request's public id: 10 Crockford base32 characters (50 random bits), as XXXXX-XXXXX."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(10))
    return f"{chars[:5]}-{chars[5:]}"


def absolute_url(path: str) -> str:
    return f"{settings.CITYHALL_BASE_URL}{path}"


def _is_authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


# --- Service types (the demo, the admin site and tests use these) ---------------------------


@dataclass(frozen=True, slots=True)
class AttributeDraft:
    code: str
    datatype: Datatype
    description: str
    required: bool = False
    variable: bool = True
    datatype_description: str = ""
    values: Sequence[tuple[str, str]] = ()
    description_translations: Mapping[str, str] = field(default_factory=dict)


@transaction.atomic
def service_type_create(
    *,
    actor: Any | None,
    code: str,
    name: str,
    department_id: uuid.UUID,
    description: str = "",
    group: str = "",
    keywords: str = "",
    sla_hours: int | None = None,
    service_notice: str = "",
    name_translations: Mapping[str, str] | None = None,
    description_translations: Mapping[str, str] | None = None,
    attributes: Sequence[AttributeDraft] = (),
    duplicate_radius_m: int = 50,
    is_emergency: bool = False,
    incident_type: str = "",
) -> ServiceType:
    if actor is not None and not user_has_permission(actor, Permission.MANAGE_DEPARTMENTS):
        raise PermissionDeniedError(_("Only administrators can add service types."))
    if ServiceType.objects.filter(code=code).exists():
        raise ServiceError(
            _("A service type with the code %(code)s already exists.") % {"code": code}, code="duplicate"
        )
    service_type = ServiceType.objects.create(
        code=code,
        name=name,
        department_id=department_id,
        description=description,
        group=group,
        keywords=keywords,
        sla_hours=sla_hours,
        service_notice=service_notice,
        name_translations=dict(name_translations or {}),
        description_translations=dict(description_translations or {}),
        duplicate_radius_m=duplicate_radius_m,
        is_emergency=is_emergency,
        incident_type=incident_type,
    )
    ServiceAttribute.objects.bulk_create(
        ServiceAttribute(
            service_type=service_type,
            code=draft.code,
            datatype=draft.datatype,
            description=draft.description,
            description_translations=dict(draft.description_translations),
            required=draft.required,
            variable=draft.variable,
            datatype_description=draft.datatype_description,
            values=[{"key": key, "name": label} for key, label in draft.values],
            order=position,
        )
        for position, draft in enumerate(attributes, start=1)
    )
    audit_record(
        actor=audit_actor(actor),
        action="service_type.create",
        object_type="service_type",
        object_id=str(service_type.pk),
        data={"code": code, "department": str(department_id), "attributes": [a.code for a in attributes]},
    )
    return service_type


@transaction.atomic
def routing_rule_set(
    *, actor: Any | None, service_type: ServiceType, district_id: uuid.UUID, department_id: uuid.UUID
) -> RoutingRule:
    if actor is not None and not user_has_permission(actor, Permission.MANAGE_DEPARTMENTS):
        raise PermissionDeniedError(_("Only administrators can change routing."))
    rule, _created = RoutingRule.objects.update_or_create(
        service_type=service_type, district_id=district_id, defaults={"department_id": department_id}
    )
    audit_record(
        actor=audit_actor(actor),
        action="service_type.routing_set",
        object_type="service_type",
        object_id=str(service_type.pk),
        data={"district": str(district_id), "department": str(department_id)},
    )
    return rule


# --- Creating a request ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ServiceRequestDraft:
    """A report as sent, before any checks. Every entry point (page, API, Open311) builds one."""

    service_code: str
    lat: str = ""
    long: str = ""
    address: str = ""
    address_id: str = ""
    zipcode: str = ""
    description: str = ""
    attributes: Mapping[str, AttributeValue] = field(default_factory=dict)
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    device_id: str = ""
    account_id: str = ""
    media_url: str = ""
    photos: Sequence[Any] = ()

    def fingerprint(self) -> str:
        """What identifies the content of a submission, to spot an Idempotency-Key reused for another."""
        content = {
            "service_code": self.service_code,
            "lat": self.lat,
            "long": self.long,
            "address": self.address,
            "address_id": self.address_id,
            "description": self.description,
            "attributes": {key: self.attributes[key] for key in sorted(self.attributes)},
            "email": self.email,
            "media_url": self.media_url,
            "photos": [[getattr(p, "name", ""), getattr(p, "size", 0)] for p in self.photos],
        }
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Submission:
    request: ServiceRequest
    created: bool  # False when an Idempotency-Key found the request a first attempt created
    service_notice: str = ""


def _check_contact(problems: Problems, draft: ServiceRequestDraft) -> None:
    if draft.email:
        try:
            validate_email(draft.email.strip())
        except ValidationError:
            problems.add("email", _("email is not a valid email address; check it, or leave it out."))
    for name, value, limit in (
        ("first_name", draft.first_name, 100),
        ("last_name", draft.last_name, 100),
        ("phone", draft.phone, 50),
        ("device_id", draft.device_id, 200),
        ("account_id", draft.account_id, 200),
        ("zipcode", draft.zipcode, 20),
    ):
        problem = plain_text_problem(value.strip(), name=name, max_length=limit, single_line=True)
        if problem:
            problems.add(name, problem)
    if draft.media_url:
        try:
            _url_validator(draft.media_url.strip())
        except ValidationError:
            problems.add("media_url", _("media_url must be a web address starting with http:// or https://."))
        if len(draft.media_url) > 500:
            problems.add("media_url", _("media_url must be at most 500 characters long."))


def _check_photos(problems: Problems, photos: Sequence[Any], location: str) -> list[CleanPhoto]:
    if len(photos) > MAX_PHOTOS:
        problems.add(
            location,
            _("Send at most %(max)d photos; %(count)d were sent.")
            % {"max": MAX_PHOTOS, "count": len(photos)},
        )
        return []
    cleaned = []
    for photo in photos:
        try:
            cleaned.append(
                clean_photo(photo, name=getattr(photo, "name", "photo"), size=getattr(photo, "size", None))
            )
        except PhotoError as error:
            problems.add(location, str(error))
    return cleaned


def service_request_create(
    *,
    actor: Any | None,
    draft: ServiceRequestDraft,
    channel: Channel,
    reporter_is_actor: bool = True,
    api_token_id: uuid.UUID | None = None,
    idempotency_key: str | None = None,
    photo_field: str = "media",
) -> Submission:
    """Check and store a report, routed to its department with its SLA; the reporter gets an email."""
    signed_in = _is_authenticated(actor)
    if channel in {Channel.ASSISTED, Channel.PHONE}:
        if not (signed_in and user_has_permission(actor, Permission.ACCESS_STAFF_AREA)):
            raise PermissionDeniedError(_("Only city staff can record a request on someone's behalf."))
    elif signed_in and not rules.can_report(actor):
        raise PermissionDeniedError(_("This account cannot submit reports."))
    elif channel == Channel.API and not signed_in:
        raise PermissionDeniedError(_("Reports through the API need an API key."))

    code = draft.service_code.strip()
    if not code:
        raise InvalidRequestError(
            [FieldError("service_code", _("service_code is missing; choose one from the service list."))]
        )
    definition = selectors.service_definition(code)
    if definition is None:
        raise InvalidRequestError(
            [
                FieldError(
                    "service_code",
                    _("There is no service with the code %(code)s; choose one from the service list.")
                    % {"code": code[:60]},
                )
            ],
            status=404,
            code="unknown_service_code",
        )

    problems = Problems()
    description = check_description(problems, draft.description)
    location = check_location(
        problems, lat=draft.lat, long=draft.long, address=draft.address, address_id=draft.address_id
    )
    answers = check_attributes(problems, definition.attributes, draft.attributes)
    _check_contact(problems, draft)
    photos = _check_photos(problems, draft.photos, photo_field)
    problems.raise_if_any()

    scoped_key = None
    fingerprint = ""
    if idempotency_key:
        scope = f"user:{getattr(actor, 'pk', '')}" if signed_in else "anonymous"
        scoped_key = f"{scope}:{idempotency_key.strip()[:200]}"
        fingerprint = draft.fingerprint()
    district_id = None
    if location.latitude is not None and location.longitude is not None:
        district_id = selectors.district_id_at(latitude=location.latitude, longitude=location.longitude)
    reporter = actor if (signed_in and reporter_is_actor and channel in {Channel.WEB, Channel.API}) else None
    for attempt in range(3):
        try:
            with transaction.atomic():
                if scoped_key:
                    existing = ServiceRequest.objects.filter(idempotency_key=scoped_key).first()
                    if existing is not None:
                        return _replayed(existing, fingerprint, definition)
                now = timezone.now()
                request = ServiceRequest(
                    reference=new_reference(),
                    service_type_id=definition.id,
                    department_id=definition.department_for(district_id),
                    status=Status.SUBMITTED,
                    description=description,
                    latitude=location.latitude,
                    longitude=location.longitude,
                    address=location.address,
                    address_id=location.address_id,
                    zipcode=draft.zipcode.strip(),
                    district_id=district_id,
                    attributes=answers,
                    media_url=draft.media_url.strip(),
                    channel=channel,
                    reporter=reporter,
                    email=draft.email.strip().lower() or (reporter.email if reporter is not None else ""),
                    first_name=draft.first_name.strip(),
                    last_name=draft.last_name.strip(),
                    phone=draft.phone.strip(),
                    device_id=draft.device_id.strip(),
                    account_id=draft.account_id.strip(),
                    submitted_by=actor if channel in {Channel.ASSISTED, Channel.PHONE} else None,
                    api_token_id=api_token_id,
                    requested_at=now,
                    expected_at=now + dt.timedelta(hours=definition.sla_hours)
                    if definition.sla_hours
                    else None,
                    idempotency_key=scoped_key,
                    idempotency_fingerprint=fingerprint,
                )
                if scoped_key:
                    twin = _insert_once(request)
                    if twin is not None:
                        return _replayed(twin, fingerprint, definition)
                else:
                    request.save(force_insert=True)
                if photos:
                    _store_photos(request, photos)
                if request.submitted_by is not None:
                    audit_record(
                        actor=audit_actor(actor),
                        action="service_request.create",
                        object_type="service_request",
                        object_id=str(request.pk),
                        data={
                            "reference": request.reference,
                            "channel": str(channel),
                            "service_code": definition.code,
                        },
                    )
                if request.email:
                    _email_acknowledgement(request, definition)
            return Submission(request, True, definition.service_notice)
        except IntegrityError:
            # Two references drawn alike (about once in 10^9 reports): draw again.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _replayed(
    existing: ServiceRequest, fingerprint: str, definition: selectors.ServiceDefinition
) -> Submission:
    if existing.idempotency_fingerprint and fingerprint and existing.idempotency_fingerprint != fingerprint:
        raise InvalidRequestError(
            [
                FieldError(
                    "Idempotency-Key",
                    _(
                        "This Idempotency-Key was already used for a different request; "
                        "use a new key for a new report."
                    ),
                )
            ],
            code="idempotency_key_reused",
        )
    return Submission(existing, False, definition.service_notice)


def _insert_once(request: ServiceRequest) -> ServiceRequest | None:
    """Insert a request that carries an Idempotency-Key; a concurrent twin that got in first wins.

    The savepoint lets the transaction go on after the unique index refused the second row (on
    PostgreSQL the loser waits for the winner's commit, then sees its row)."""
    try:
        with transaction.atomic():
            request.save(force_insert=True)
    except IntegrityError:
        twin = ServiceRequest.objects.filter(idempotency_key=request.idempotency_key).first()
        if twin is None:
            raise
        return twin
    return None


def _store_photos(request: ServiceRequest, photos: Sequence[CleanPhoto]) -> None:
    for clean in photos:
        photo = ServiceRequestPhoto(
            request=request,
            content_type=clean.content_type,
            width=clean.width,
            height=clean.height,
            size=len(clean.content),
        )
        photo.image.save(f"{photo.pk}.{clean.extension}", ContentFile(clean.content), save=False)
        photo.save(force_insert=True)
    if not request.media_url:
        first = request.photos.order_by("created_at").first()
        if first is not None:
            request.media_url = absolute_url(reverse("servicerequests:photo", args=[first.pk]))
            request.save(update_fields=["media_url", "updated_at"])


def _request_url(request: ServiceRequest) -> str:
    return absolute_url(reverse("servicerequests:detail", args=[request.reference]))


def _email_acknowledgement(request: ServiceRequest, service_type: selectors.ServiceDefinition) -> None:
    lines = [
        _("Thank you. The city has your report %(reference)s (%(service)s).")
        % {"reference": request.reference, "service": service_type.name},
        "",
    ]
    if service_type.service_notice:
        lines += [service_type.service_notice, ""]
    if request.expected_at:
        lines += [
            _("We aim to deal with it by %(date)s.") % {"date": f"{request.expected_at:%Y-%m-%d %H:%M} UTC"},
            "",
        ]
    lines += [_("Follow it here: %(url)s") % {"url": _request_url(request)}]
    email_queue(
        to=request.email,
        subject=_("Report %(reference)s received") % {"reference": request.reference},
        body_text="\n".join(lines),
        purpose="service_request.acknowledgement",
    )


# --- Working a request (staff) ---------------------------------------------------------------


def _locked(request_id: uuid.UUID) -> ServiceRequest:
    request = (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("service_type")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise NotFoundError(_("There is no service request with that id."))
    return request


def _require_handler(actor: Any, request: ServiceRequest) -> None:
    if not rules.can_handle_requests(actor, department_id=request.department_id):
        raise PermissionDeniedError(
            _("Only staff of the department handling %(reference)s can change it.")
            % {"reference": request.reference}
        )


def _check_text(text: str, *, name: str = "text") -> str:
    text = text.strip().replace("\r\n", "\n")
    problem = plain_text_problem(text, name=name, max_length=4000)
    if problem:
        raise InvalidRequestError([FieldError(name, problem)])
    return text


def _move_status(request: ServiceRequest, status: Status, note: str) -> bool:
    """Set the status (and closing time); True when it changed."""
    previous = Status(request.status)
    if status == previous:
        if note:
            request.status_notes = note
            request.save(update_fields=["status_notes", "updated_at"])
        return False
    now = timezone.now()
    request.status = status
    request.status_notes = note
    fields = ["status", "status_notes", "updated_at"]
    if status in CLOSED_STATUSES and previous in OPEN_STATUSES:
        request.closed_at = now
        fields.append("closed_at")
    elif status in OPEN_STATUSES and previous in CLOSED_STATUSES:
        request.closed_at = None
        request.reopened_count += 1
        fields += ["closed_at", "reopened_count"]
    elif status == Status.RESOLVED or previous == Status.RESOLVED:
        request.closed_at = now
        fields.append("closed_at")
    if previous == Status.DUPLICATE and request.duplicate_of_id is not None:
        request.duplicate_of = None
        fields.append("duplicate_of")
    if status == Status.RESOLVED:
        request.questionnaire_sent_at = None
        request.questionnaire_answer = ""
        fields += ["questionnaire_sent_at", "questionnaire_answer"]
        _schedule_questionnaire(request)
    request.save(update_fields=fields)
    return True


def _schedule_questionnaire(request: ServiceRequest) -> None:
    from cityhall.servicerequests.tasks import questionnaire_send

    if not request.email or not questionnaire_send.get_backend().supports_defer:
        return
    due = timezone.now() + dt.timedelta(days=settings.SERVICE_REQUEST_QUESTIONNAIRE_DAYS)
    enqueue_on_commit(questionnaire_send.using(run_after=due), request_id=str(request.pk))


def _record(
    request: ServiceRequest,
    *,
    author: Any,
    visibility: Visibility,
    text: str,
    status_changed: bool = False,
    media_url: str = "",
    external_source: str = "",
    external_id: str = "",
) -> ServiceRequestUpdate:
    return ServiceRequestUpdate.objects.create(
        request=request,
        author=author if _is_authenticated(author) else None,
        visibility=visibility,
        status=request.status if visibility == Visibility.PUBLIC else "",
        status_changed=status_changed,
        description=text,
        media_url=media_url,
        external_source=external_source,
        external_id=external_id,
    )


def service_request_update(
    *,
    actor: Any,
    request_id: uuid.UUID,
    status: Status | None = None,
    text: str = "",
    visibility: Visibility = Visibility.PUBLIC,
) -> ServiceRequestUpdate:
    """A public update (may change the status; reporter and followers are emailed) or an internal note."""
    with transaction.atomic():
        request = _locked(request_id)
        _require_handler(actor, request)
        return _update(actor, request, status=status, text=text, visibility=visibility)


def _update(
    actor: Any, request: ServiceRequest, *, status: Status | None, text: str, visibility: Visibility
) -> ServiceRequestUpdate:
    text = _check_text(text)
    if visibility == Visibility.INTERNAL and status is not None and status != request.status:
        raise ServiceError(
            _("An internal note cannot change the status; post a public update instead."),
            code="internal_status",
        )
    if not text and (status is None or status == request.status):
        raise InvalidRequestError([FieldError("text", _("Write an update, or choose a new status."))])
    if (
        visibility == Visibility.PUBLIC
        and request.status == Status.DUPLICATE
        and request.duplicate_of_id is not None
        and status in {None, Status.DUPLICATE}
    ):
        raise ServiceError(
            _("This request is a duplicate of %(reference)s: post public updates there.")
            % {"reference": request.duplicate_of.reference if request.duplicate_of else ""},
            code="duplicate_request",
        )
    previous = request.status
    changed = _move_status(request, status, text) if status is not None else False
    if visibility == Visibility.PUBLIC and not changed:
        request.save(update_fields=["updated_at"])
    update = _record(request, author=actor, visibility=visibility, text=text, status_changed=changed)
    audit_record(
        actor=audit_actor(actor),
        action="service_request.note" if visibility == Visibility.INTERNAL else "service_request.update",
        object_type="service_request",
        object_id=str(request.pk),
        data={
            "reference": request.reference,
            "from": previous,
            "to": request.status,
            "update": str(update.pk),
        },
    )
    if visibility == Visibility.PUBLIC:
        _notify(request, update, exclude={getattr(actor, "email", "")})
    return update


def service_request_escalate(
    *,
    actor: Any,
    request_id: uuid.UUID,
    severity: IncidentSeverity = IncidentSeverity.MODERATE,
    text: str = "",
) -> tuple[IncidentRef, bool]:
    """Turn a report in an emergency category into an incident for the emergency managers.

    Escalating again returns the incident the request already led to: (incident, created).
    The request keeps an internal note that links to the incident."""
    with transaction.atomic():
        request = _locked(request_id)
        _require_handler(actor, request)
        service_type = request.service_type
        if not service_type.is_emergency:
            raise ServiceError(
                _(
                    "%(type)s is not an emergency category, so its reports cannot become incidents. "
                    "An administrator can mark the service type as an emergency category."
                )
                % {"type": service_type.name},
                code="not_emergency",
            )
        note = _check_text(text)
        incident, created = incident_escalate(
            actor=actor,
            service_request_id=request.pk,
            title=f"{service_type.name}: {request.address or request.reference}"[:200],
            description=request.description,
            kind=IncidentType(service_type.incident_type or IncidentType.OTHER),
            severity=severity,
            latitude=request.latitude,
            longitude=request.longitude,
            location_description=request.address,
            reference=request.reference,
        )
        if created:
            line = _("Escalated to emergency incident %(code)s.") % {"code": incident.code}
            _record(
                request,
                author=actor,
                visibility=Visibility.INTERNAL,
                text=f"{line} {note}".strip(),
            )
            audit_record(
                actor=audit_actor(actor),
                action="service_request.escalate",
                object_type="service_request",
                object_id=str(request.pk),
                data={"reference": request.reference, "incident": str(incident.id), "severity": severity},
            )
        return incident, created


@transaction.atomic
def service_request_assign(
    *, actor: Any, request_id: uuid.UUID, assignee_id: uuid.UUID | None
) -> ServiceRequest:
    request = _locked(request_id)
    _require_handler(actor, request)
    _assign(actor, request, assignee_id)
    return request


def _assign(actor: Any, request: ServiceRequest, assignee_id: uuid.UUID | None) -> None:
    name = ""
    if assignee_id is not None:
        staff = {
            summary.id: summary
            for summary in users_with_permission(
                Permission.HANDLE_SERVICE_REQUESTS, department_id=request.department_id
            )
        }
        if assignee_id not in staff:
            raise ServiceError(
                _("That person does not work this department's requests; choose someone from the list."),
                code="invalid_assignee",
            )
        name = staff[assignee_id].display_name
    if request.assigned_to_id == assignee_id:
        return
    request.assigned_to_id = assignee_id
    request.save(update_fields=["assigned_to", "updated_at"])
    note = _("Assigned to %(name)s.") % {"name": name} if name else _("Unassigned.")
    _record(request, author=actor, visibility=Visibility.INTERNAL, text=note)
    audit_record(
        actor=audit_actor(actor),
        action="service_request.assign",
        object_type="service_request",
        object_id=str(request.pk),
        data={"reference": request.reference, "assignee": str(assignee_id) if assignee_id else None},
    )


@transaction.atomic
def service_request_bulk_update(
    *,
    actor: Any,
    request_ids: Sequence[uuid.UUID],
    status: Status | None = None,
    text: str = "",
    assign_to: uuid.UUID | None = None,
    unassign: bool = False,
) -> int:
    """The same change to many requests, all or nothing: one refusal rolls every change back."""
    if not request_ids:
        raise ServiceError(_("Select at least one request."), code="nothing_selected")
    if status is None and not text and assign_to is None and not unassign:
        raise ServiceError(
            _("Choose a status, an assignment or write an update to apply."), code="nothing_to_do"
        )
    requests = list(
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("service_type")
        .filter(pk__in=list(request_ids))
        .order_by("pk")
    )
    if len(requests) != len(set(request_ids)):
        raise NotFoundError(_("Some of the selected requests no longer exist; reload the queue."))
    for request in requests:
        _require_handler(actor, request)
        if assign_to is not None or unassign:
            _assign(actor, request, None if unassign else assign_to)
        if status is not None or text:
            _update(actor, request, status=status, text=text, visibility=Visibility.PUBLIC)
    return len(requests)


@transaction.atomic
def service_request_transfer(
    *, actor: Any, request_id: uuid.UUID, department_id: uuid.UUID, text: str = ""
) -> ServiceRequest:
    """Send a request to another department (misrouted reports)."""
    request = _locked(request_id)
    _require_handler(actor, request)
    target = next((d for d in departments() if d.id == department_id), None)
    if target is None:
        raise NotFoundError(_("There is no such department."))
    if request.department_id == department_id:
        return request
    previous = request.department_id
    request.department_id = department_id
    request.assigned_to = None
    request.save(update_fields=["department", "assigned_to", "updated_at"])
    note = _check_text(text)
    _record(
        request,
        author=actor,
        visibility=Visibility.INTERNAL,
        text=(
            _("Transferred to %(department)s.") % {"department": target.name} + (" " + note if note else "")
        ),
    )
    audit_record(
        actor=audit_actor(actor),
        action="service_request.transfer",
        object_type="service_request",
        object_id=str(request.pk),
        data={"reference": request.reference, "from": str(previous), "to": str(department_id)},
    )
    return request


@transaction.atomic
def service_request_mark_duplicate(
    *, actor: Any, request_id: uuid.UUID, original_reference: str
) -> ServiceRequest:
    """Close a request as a duplicate of an earlier one; both link to each other.

    The duplicate's reporter follows the original from then on."""
    request = _locked(request_id)
    _require_handler(actor, request)
    original = selectors.request_by_reference(original_reference)
    if original is None:
        raise InvalidRequestError(
            [
                FieldError(
                    "original",
                    _("There is no request %(reference)s.") % {"reference": original_reference[:20]},
                )
            ]
        )
    if original.pk == request.pk:
        raise InvalidRequestError([FieldError("original", _("A request cannot be a duplicate of itself."))])
    if original.status == Status.DUPLICATE and original.duplicate_of is not None:
        original = original.duplicate_of
    note = _("This problem was already reported as %(reference)s; follow that request for updates.") % {
        "reference": original.reference
    }
    previous = request.status
    changed = _move_status(request, Status.DUPLICATE, note)
    request.duplicate_of = original
    request.save(update_fields=["duplicate_of", "updated_at"])
    update = _record(request, author=actor, visibility=Visibility.PUBLIC, text=note, status_changed=changed)
    _record(
        original,
        author=actor,
        visibility=Visibility.INTERNAL,
        text=_("%(reference)s was closed as a duplicate of this request.") % {"reference": request.reference},
    )
    if request.email:
        ServiceRequestFollower.objects.get_or_create(
            request=original,
            email=request.email,
            defaults={"user_id": request.reporter_id, "confirmed_at": timezone.now()},
        )
    audit_record(
        actor=audit_actor(actor),
        action="service_request.duplicate",
        object_type="service_request",
        object_id=str(request.pk),
        data={"reference": request.reference, "original": original.reference, "from": previous},
    )
    _notify(request, update, exclude={getattr(actor, "email", "")})
    return request


# --- Notifications --------------------------------------------------------------------------


def _notify(request: ServiceRequest, update: ServiceRequestUpdate, *, exclude: set[str]) -> int:
    """Email the reporter and confirmed followers about a public update, in this transaction."""
    recipients: dict[str, ServiceRequestFollower | None] = {}
    if request.email:
        recipients[request.email.lower()] = None
    for confirmed in request.followers.filter(confirmed_at__isnull=False):
        recipients.setdefault(confirmed.email.lower(), confirmed)
    skip = {address.lower() for address in exclude if address}
    status_label = Status(request.status).label
    sent = 0
    for address, follower in recipients.items():
        if address in skip:
            continue
        lines = [
            _("There is news on report %(reference)s (%(service)s).")
            % {"reference": request.reference, "service": request.service_type.name},
            "",
            _("Status: %(status)s") % {"status": status_label},
        ]
        if update.description:
            lines += ["", update.description]
        lines += ["", _("See it here: %(url)s") % {"url": _request_url(request)}]
        if follower is not None:
            token = signing.dumps({"f": str(follower.pk)}, salt=UNFOLLOW_SALT)
            lines += [
                "",
                _("Stop these emails: %(url)s")
                % {"url": absolute_url(reverse("servicerequests:unfollow", args=[token]))},
            ]
        email_queue(
            to=address,
            subject=_("Report %(reference)s: %(status)s")
            % {"reference": request.reference, "status": status_label},
            body_text="\n".join(lines),
            purpose="service_request.update",
        )
        sent += 1
    update.notified_at = timezone.now()
    update.save(update_fields=["notified_at", "updated_at"])
    return sent


# --- Following ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FollowResult:
    follower: ServiceRequestFollower
    needs_confirmation: bool


@transaction.atomic
def service_request_follow(*, actor: Any | None, request_id: uuid.UUID, email: str = "") -> FollowResult:
    """Follow a request: signed in, at once; by email, after clicking the link we send."""
    request = ServiceRequest.objects.filter(pk=request_id).first()
    if request is None:
        raise NotFoundError(_("There is no service request with that id."))
    if actor is not None and _is_authenticated(actor):
        if not rules.can_report(actor):
            raise PermissionDeniedError(_("This account cannot follow requests."))
        follower, _created = ServiceRequestFollower.objects.get_or_create(
            request=request, email=actor.email.lower(), defaults={"user_id": actor.pk}
        )
        if follower.confirmed_at is None:
            follower.confirmed_at = timezone.now()
            follower.user_id = actor.pk
            follower.save(update_fields=["confirmed_at", "user", "updated_at"])
        return FollowResult(follower, False)
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise InvalidRequestError(
            [FieldError("email", _("Enter the email address the updates should go to."))]
        ) from error
    follower, created = ServiceRequestFollower.objects.get_or_create(request=request, email=email)
    if follower.confirmed_at is not None:
        return FollowResult(follower, False)
    if created or timezone.now() - follower.updated_at > FOLLOW_RESEND_AFTER:
        token = signing.dumps({"f": str(follower.pk)}, salt=FOLLOW_SALT)
        email_queue(
            to=email,
            subject=_("Confirm: follow report %(reference)s") % {"reference": request.reference},
            body_text="\n".join(
                [
                    _("Someone asked for updates on report %(reference)s to be sent to this address.")
                    % {"reference": request.reference},
                    _("If it was you, confirm here: %(url)s")
                    % {"url": absolute_url(reverse("servicerequests:follow_confirm", args=[token]))},
                    "",
                    _("If not, ignore this email: nothing will be sent."),
                ]
            ),
            purpose="service_request.follow_confirmation",
        )
        follower.save(update_fields=["updated_at"])
    return FollowResult(follower, True)


def _follower_from(token: str, salt: str) -> ServiceRequestFollower:
    try:
        payload = signing.loads(token, salt=salt, max_age=TOKEN_MAX_AGE)
        follower = ServiceRequestFollower.objects.select_related("request").filter(pk=payload["f"]).first()
    except (signing.BadSignature, KeyError, ValueError, ValidationError, TypeError):
        follower = None
    if follower is None:
        raise NotFoundError(_("This link is not valid any more. Follow the request again from its page."))
    return follower


@transaction.atomic
def service_request_follow_confirm(*, token: str) -> ServiceRequestFollower:
    follower = _follower_from(token, FOLLOW_SALT)
    if follower.confirmed_at is None:
        follower.confirmed_at = timezone.now()
        follower.save(update_fields=["confirmed_at", "updated_at"])
    return follower


@transaction.atomic
def service_request_unfollow(*, token: str) -> ServiceRequest:
    follower = _follower_from(token, UNFOLLOW_SALT)
    request = follower.request
    follower.delete()
    return request


# --- "Was this fixed?" ----------------------------------------------------------------------


def questionnaire_token(request: ServiceRequest) -> str:
    return signing.dumps({"r": str(request.pk)}, salt=QUESTIONNAIRE_SALT)


def service_request_questionnaire_send(*, request_id: uuid.UUID) -> bool:
    """Ask the reporter whether a resolved request is fixed. Idempotent: asks once per resolution."""
    with transaction.atomic():
        request = (
            ServiceRequest.objects.select_for_update(of=("self",))
            .select_related("service_type")
            .filter(pk=request_id)
            .first()
        )
        if request is None or request.status != Status.RESOLVED or not request.email:
            return False
        if request.questionnaire_sent_at is not None:
            return False
        due = (request.closed_at or request.updated_at) + dt.timedelta(
            days=settings.SERVICE_REQUEST_QUESTIONNAIRE_DAYS
        )
        if timezone.now() < due - dt.timedelta(minutes=5):
            return False  # resolved again since this run was scheduled; the newer run will ask
        url = absolute_url(reverse("servicerequests:questionnaire", args=[questionnaire_token(request)]))
        email_queue(
            to=request.email,
            subject=_("Is it fixed? Report %(reference)s") % {"reference": request.reference},
            body_text="\n".join(
                [
                    _("The city marked your report %(reference)s (%(service)s) as resolved.")
                    % {"reference": request.reference, "service": request.service_type.name},
                    "",
                    _("Was the problem fixed? Tell us here; if it was not, the report is reopened: %(url)s")
                    % {"url": url},
                ]
            ),
            purpose="service_request.questionnaire",
        )
        request.questionnaire_sent_at = timezone.now()
        request.save(update_fields=["questionnaire_sent_at", "updated_at"])
    return True


def request_for_questionnaire(token: str) -> ServiceRequest:
    try:
        payload = signing.loads(token, salt=QUESTIONNAIRE_SALT, max_age=dt.timedelta(days=120))
        request = selectors.request_by_id(uuid.UUID(payload["r"]))
    except (signing.BadSignature, KeyError, ValueError, TypeError):
        request = None
    if request is None:
        raise NotFoundError(_("This link is not valid any more."))
    return request


@transaction.atomic
def service_request_questionnaire_answer(*, token: str, fixed: bool, comment: str = "") -> ServiceRequest:
    """The reporter's answer: fixed closes the request; not fixed reopens it."""
    request = request_for_questionnaire(token)
    request = _locked(request.pk)
    comment = _check_text(comment, name="comment")
    if request.status != Status.RESOLVED:
        return request  # already answered, or staff moved it on: nothing to change
    if fixed:
        note = _("The reporter confirmed the problem is fixed.")
        changed = _move_status(request, Status.CLOSED, note)
    else:
        note = _("The reporter says the problem is not fixed, so the request is open again.")
        changed = _move_status(request, Status.ACKNOWLEDGED, note)
    request.questionnaire_answer = "fixed" if fixed else "not_fixed"
    request.questionnaire_answered_at = timezone.now()
    request.save(update_fields=["questionnaire_answer", "questionnaire_answered_at", "updated_at"])
    update = _record(
        request,
        author=None,
        visibility=Visibility.PUBLIC,
        text=note + (f"\n\n{comment}" if comment else ""),
        status_changed=changed,
    )
    _notify(request, update, exclude={request.email})
    return request


# --- Updates from Open311 clients (mySociety extension) -------------------------------------

CLIENT_STATUS_WORDS: dict[str, Status | None] = {
    "OPEN": None,  # reopens a closed request; otherwise leaves the status alone
    "REOPEN": None,
    "INVESTIGATING": Status.ACKNOWLEDGED,
    "IN_PROGRESS": Status.IN_PROGRESS,
    "ACTION_SCHEDULED": Status.SCHEDULED,
    "FIXED": Status.RESOLVED,
    "CLOSED": Status.CLOSED,
    "NO_FURTHER_ACTION": Status.CLOSED,
    "INTERNAL_REFERRAL": Status.CLOSED,
    "DUPLICATE": Status.DUPLICATE,
    "NOT_COUNCILS_RESPONSIBILITY": Status.NOT_RESPONSIBLE,
}


def service_request_update_from_client(
    *,
    actor: Any,
    reference: str,
    client_update_id: str,
    status_word: str,
    description: str,
    media_url: str = "",
) -> ServiceRequestUpdate:
    """An update posted by an Open311 client. Staff keys may change the status; other keys add comments."""
    request = selectors.request_by_reference(reference) if reference else None
    if request is None:
        raise InvalidRequestError(
            [
                FieldError(
                    "service_request_id", _("There is no service request %(id)s.") % {"id": reference[:40]}
                )
            ],
            status=404,
        )
    problems = Problems()
    word = status_word.strip().upper().replace(" ", "_")
    if word not in CLIENT_STATUS_WORDS:
        problems.add(
            "status",
            _("status %(status)s is not known; use one of: %(words)s.")
            % {"status": status_word[:40], "words": ", ".join(CLIENT_STATUS_WORDS)},
        )
    text = check_description(problems, description)
    if not text:
        problems.add("description", _("description is missing; say what the update is."))
    client_update_id = client_update_id.strip()
    if len(client_update_id) > 100:
        problems.add("update_id", _("update_id must be at most 100 characters long."))
    if media_url:
        try:
            _url_validator(media_url)
        except ValidationError:
            problems.add("media_url", _("media_url must be a web address starting with http:// or https://."))
    problems.raise_if_any()
    source = f"user:{actor.pk}"
    with transaction.atomic():
        request = _locked(request.pk)
        if client_update_id:
            existing = request.updates.filter(external_source=source, external_id=client_update_id).first()
            if existing is not None:
                return existing
        is_staff = rules.can_handle_requests(actor, department_id=request.department_id)
        target = CLIENT_STATUS_WORDS[word]
        if word in {"OPEN", "REOPEN"} and request.status in CLOSED_STATUSES:
            target = Status.ACKNOWLEDGED
        changed = False
        previous = request.status
        if is_staff and target is not None:
            changed = _move_status(request, target, text)
        if not changed:
            request.save(update_fields=["updated_at"])
        update = _record(
            request,
            author=actor,
            visibility=Visibility.PUBLIC,
            text=text,
            status_changed=changed,
            media_url=media_url,
            external_source=source,
            external_id=client_update_id,
        )
        if is_staff:
            audit_record(
                actor=audit_actor(actor),
                action="service_request.update",
                object_type="service_request",
                object_id=str(request.pk),
                data={
                    "reference": request.reference,
                    "from": previous,
                    "to": request.status,
                    "via": "open311",
                },
            )
        _notify(request, update, exclude={getattr(actor, "email", "")})
    return update


def service_request_contact_read(*, actor: Any, request: ServiceRequest) -> None:
    """A staff member opens a request with its reporter's contact details: the read is logged and
    shown to the reporter in their privacy centre (when they reported with an account)."""
    _require_handler(actor, request)
    if request.reporter_id is None:
        return
    department = next((d.name for d in departments() if d.id == request.department_id), "")
    personal_data_accessed(
        accessor=actor,
        department=department,
        access=PersonalDataAccess(
            resident_ids=(request.reporter_id,),
            data_category="contact",
            purpose=f"handling service request {request.reference}",
            channel=AccessChannel.STAFF_UI,
            case_reference=request.reference,
        ),
    )


@transaction.atomic
def service_request_photo_hide(*, actor: Any, photo_id: uuid.UUID) -> ServiceRequestPhoto:
    """Take a photo off the public pages (a face, a number plate); staff still see it."""
    photo = ServiceRequestPhoto.objects.select_related("request").filter(pk=photo_id).first()
    if photo is None:
        raise NotFoundError(_("There is no such photo."))
    _require_handler(actor, photo.request)
    photo.public = False
    photo.save(update_fields=["public", "updated_at"])
    request = photo.request
    if request.media_url.endswith(reverse("servicerequests:photo", args=[photo.pk])):
        nxt = request.photos.filter(public=True).order_by("created_at").first()
        request.media_url = absolute_url(reverse("servicerequests:photo", args=[nxt.pk])) if nxt else ""
        request.save(update_fields=["media_url", "updated_at"])
    audit_record(
        actor=audit_actor(actor),
        action="service_request.photo_hide",
        object_type="service_request",
        object_id=str(request.pk),
        data={"photo": str(photo.pk)},
    )
    return photo
