"""Alert writes: compose, submit (freeze the CAP bytes), approve by a second manager, publish,
update and cancel. Every change is audited in its transaction; fan-out starts after commit."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cityhall.alerts import cap, rules, selectors
from cityhall.alerts.contracts import (
    AlertState,
    CapStatus,
    Category,
    Certainty,
    MsgType,
    ResponseType,
    Scope,
    Severity,
    TimelineKind,
    Urgency,
)
from cityhall.alerts.models import Alert, AlertArea, AlertInfo, AlertThread, Incident
from cityhall.alerts.services.common import AlertInvalidError, audit, next_number, timeline_add
from cityhall.alerts.targeting import Box, circle_box, points_box
from cityhall.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from cityhall.core.geo import GeometryError, boundary_geometry
from cityhall.core.models import District
from cityhall.core.taskqueue import enqueue_on_commit

LIVE_CACHE_KEY = "alerts:live-version"


@dataclass(frozen=True, slots=True)
class InfoInput:
    language: str
    event: str
    headline: str
    description: str
    instruction: str = ""
    audience: str = ""


@dataclass(frozen=True, slots=True)
class AreaInput:
    """Typed polygons/circles (CAP text), or a preset area: a district by its slug."""

    description: str = ""
    description_translations: dict[str, str] = field(default_factory=dict)
    district: str = ""
    polygons: tuple[str, ...] = ()
    circles: tuple[str, ...] = ()
    altitude: float | None = None
    ceiling: float | None = None


@dataclass(frozen=True, slots=True)
class AlertInput:
    categories: tuple[str, ...]
    urgency: str
    severity: str
    certainty: str
    infos: tuple[InfoInput, ...]
    areas: tuple[AreaInput, ...]
    expires: dt.datetime | None
    effective: dt.datetime | None = None
    onset: dt.datetime | None = None
    response_types: tuple[str, ...] = ()
    status: str = CapStatus.ACTUAL
    scope: str = Scope.PUBLIC
    restriction: str = ""
    addresses: str = ""
    note: str = ""
    sender_name: str = ""
    contact: str = ""
    incident_id: uuid.UUID | None = None
    department_id: uuid.UUID | None = None


# --- Validation of what was typed ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Area:
    description: str
    translations: dict[str, str]
    district: District | None
    polygons: list[str]
    circles: list[str]
    altitude: float | None
    ceiling: float | None
    box: Box


def _district_polygons(district: District) -> list[str]:
    """A district's boundary (GeoJSON lon,lat) as CAP polygons (lat,lon): the swap happens here."""
    geometry = boundary_geometry(district.boundary)
    polygons = list(getattr(geometry, "geoms", [geometry]))
    return [cap.polygon_text([(lat, lon) for lon, lat in polygon.exterior.coords]) for polygon in polygons]


def _check_areas(areas: Sequence[AreaInput], problems: list[cap.Problem]) -> list[_Area]:
    checked: list[_Area] = []
    if not areas:
        problems.append(
            cap.Problem("areas", "Give at least one area: pick a district or type a polygon or circle.")
        )
    for position, area in enumerate(areas):
        where = f"areas.{position}"
        district = None
        polygons = [text.strip() for text in area.polygons if text.strip()]
        circles = [text.strip() for text in area.circles if text.strip()]
        if area.district:
            district = District.objects.filter(slug=area.district).first()
            if district is None:
                problems.append(cap.Problem(f"{where}.district", f"There is no district “{area.district}”."))
                continue
            try:
                polygons = _district_polygons(district) + polygons
            except GeometryError as error:
                problems.append(cap.Problem(f"{where}.district", str(error)))
                continue
        if not polygons and not circles:
            problems.append(cap.Problem(where, "An area needs a district, a polygon or a circle."))
            continue
        boxes: list[Box] = []
        for index, text in enumerate(polygons):
            try:
                boxes.append(points_box(cap.parse_polygon(text, f"{where}.polygons.{index}")))
            except cap.CapError as error:
                problems.append(cap.Problem(error.location, error.message))
        for index, text in enumerate(circles):
            try:
                boxes.append(circle_box(*cap.parse_circle(text, f"{where}.circles.{index}")))
            except cap.CapError as error:
                problems.append(cap.Problem(error.location, error.message))
        if area.ceiling is not None and area.altitude is None:
            problems.append(cap.Problem(f"{where}.ceiling", "A ceiling needs an altitude."))
        if area.ceiling is not None and area.altitude is not None and area.altitude > area.ceiling:
            problems.append(cap.Problem(f"{where}.ceiling", "The altitude must not be above the ceiling."))
        description = area.description.strip() or (district.name if district else "")
        if not description:
            problems.append(
                cap.Problem(f"{where}.description", "Describe the area in words (“Riverside district”).")
            )
        translations = dict(area.description_translations)
        if district is not None and not area.description.strip():
            translations = {**(district.name_translations or {}), **translations}
        if not boxes:
            continue
        box = boxes[0]
        for other in boxes[1:]:
            box = box.union(other)
        checked.append(
            _Area(
                description[:200], translations, district, polygons, circles, area.altitude, area.ceiling, box
            )
        )
    return checked


def _check(data: AlertInput, *, now: dt.datetime, msg_type: str = MsgType.ALERT) -> list[_Area]:
    """Every rule CAP sets for what was typed; raises AlertInvalidError naming each bad field."""
    problems: list[cap.Problem] = []
    areas = _check_areas(data.areas, problems)
    if not data.infos:
        problems.append(cap.Problem("infos", "Write the alert in at least one language."))
    if data.expires is None:
        problems.append(
            cap.Problem("expires", "Set when the alert expires: public alerts always have an expiry.")
        )
    naive = [
        cap.Problem(name, "Give the time with its time zone.")
        for name, value in (("effective", data.effective), ("onset", data.onset), ("expires", data.expires))
        if value is not None and timezone.is_naive(value)
    ]
    if naive:
        raise AlertInvalidError(naive)
    for position, info in enumerate(data.infos):
        for name in ("event", "headline", "description"):
            if not getattr(info, name).strip():
                problems.append(cap.Problem(f"infos.{position}.{name}", f"The {name} is required."))
        if len(info.event) > 100:
            problems.append(cap.Problem(f"infos.{position}.event", "Keep the event to 100 characters."))
    zone = selectors.city_zone()
    preview = cap.CapAlert(
        identifier="preview",
        sender=settings.CAP_SENDER,
        sent=cap.cap_datetime(now.astimezone(zone)),
        status=data.status,
        msg_type=msg_type,
        scope=data.scope,
        restriction=data.restriction,
        addresses=data.addresses,
        note=data.note,
        references=(
            cap.CapReference(settings.CAP_SENDER, "preview-earlier", cap.cap_datetime(now.astimezone(zone))),
        )
        if msg_type != MsgType.ALERT
        else (),
        infos=tuple(
            cap.CapInfo(
                language=info.language,
                categories=tuple(data.categories),
                event=info.event,
                response_types=tuple(data.response_types),
                urgency=data.urgency,
                severity=data.severity,
                certainty=data.certainty,
                audience=info.audience,
                effective=cap.cap_datetime(data.effective) if data.effective else "",
                onset=cap.cap_datetime(data.onset) if data.onset else "",
                expires=cap.cap_datetime(data.expires) if data.expires else "",
                sender_name=data.sender_name,
                headline=info.headline,
                description=info.description,
                instruction=info.instruction,
                contact=data.contact,
            )
            for info in data.infos
        ),
    )
    for problem in cap.validate(preview, now=now, public_profile=False):
        if problem.location.startswith("references"):
            continue
        # The same field of every language fails alike; name it once, at the alert level.
        location = problem.location
        for name in (
            "categories",
            "urgency",
            "severity",
            "certainty",
            "response_types",
            "effective",
            "onset",
            "expires",
        ):
            if location.endswith(f".{name}") and location.startswith("infos."):
                location = name
        problems.append(cap.Problem(location, problem.message))
    languages = [info.language for info in data.infos]
    for language in languages:
        if language not in dict(settings.LANGUAGES) and not cap.LANGUAGE_TAG.match(language):
            problems.append(cap.Problem("infos", f"“{language}” is not a language."))
    if data.incident_id is not None and not Incident.objects.filter(pk=data.incident_id).exists():
        problems.append(cap.Problem("incident_id", "There is no such incident."))
    unique: list[cap.Problem] = []
    for problem in problems:
        if problem not in unique:
            unique.append(problem)
    if unique:
        raise AlertInvalidError(unique)
    return areas


def _write_texts(alert: Alert, data: AlertInput, areas: list[_Area]) -> None:
    alert.infos.all().delete()
    alert.areas.all().delete()
    AlertInfo.objects.bulk_create(
        [
            AlertInfo(
                alert=alert,
                position=position,
                language=info.language,
                event=info.event.strip(),
                headline=info.headline.strip(),
                description=info.description.strip(),
                instruction=info.instruction.strip(),
                audience=info.audience.strip(),
            )
            for position, info in enumerate(data.infos)
        ]
    )
    AlertArea.objects.bulk_create(
        [
            AlertArea(
                alert=alert,
                position=position,
                description=area.description,
                description_translations=area.translations,
                district=area.district,
                polygons=area.polygons,
                circles=area.circles,
                altitude=area.altitude,
                ceiling=area.ceiling,
                min_latitude=area.box.min_latitude,
                min_longitude=area.box.min_longitude,
                max_latitude=area.box.max_latitude,
                max_longitude=area.box.max_longitude,
            )
            for position, area in enumerate(areas)
        ]
    )


_FIELDS = (
    "status",
    "scope",
    "restriction",
    "addresses",
    "note",
    "urgency",
    "severity",
    "certainty",
    "effective",
    "onset",
    "expires",
    "sender_name",
    "contact",
)


def _apply(alert: Alert, data: AlertInput) -> list[str]:
    for name in _FIELDS:
        setattr(alert, name, getattr(data, name))
    alert.categories = list(data.categories)
    alert.response_types = list(data.response_types)
    return [*_FIELDS, "categories", "response_types", "updated_at"]


def _require_author(actor: Any, department_id: uuid.UUID | None) -> None:
    if not rules.can_author_alert(actor, department_id=department_id):
        raise PermissionDeniedError(_("Only emergency managers can write alerts."))


def _locked(alert_id: uuid.UUID) -> Alert:
    alert = Alert.objects.select_for_update().select_related("thread").filter(pk=alert_id).first()
    if alert is None:
        raise NotFoundError(_("There is no such alert."))
    return alert


# --- Compose --------------------------------------------------------------------------------


@transaction.atomic
def alert_create(*, actor: Any, data: AlertInput) -> Alert:
    """A new warning: a thread with its first message, as a draft."""
    _require_author(actor, data.department_id)
    areas = _check(data, now=timezone.now())
    thread = AlertThread.objects.create(incident_id=data.incident_id, department_id=data.department_id)
    alert = Alert(thread=thread, msg_type=MsgType.ALERT, state=AlertState.DRAFT, created_by=actor)
    _apply(alert, data)
    alert.save()
    _write_texts(alert, data, areas)
    audit(actor, "alert.create", "alert", alert.pk, {"thread": str(thread.pk), "status": alert.status})
    return alert


@transaction.atomic
def alert_edit(*, actor: Any, alert_id: uuid.UUID, data: AlertInput) -> Alert:
    """Change a draft. A submitted message is frozen: send it back to draft first."""
    alert = _locked(alert_id)
    _require_author(actor, alert.thread.department_id)
    if alert.state != AlertState.DRAFT:
        raise ServiceError(
            _("Only a draft can be changed; this alert is “%(state)s”. Send it back to draft first.")
            % {"state": AlertState(alert.state).label},
            code="not_draft",
        )
    if alert.msg_type != MsgType.ALERT:
        first = Alert.objects.filter(thread=alert.thread, msg_type=MsgType.ALERT).first()
        if first is not None:  # an Update or Cancel keeps the thread's status and scope
            data = dataclasses.replace(data, status=first.status, scope=first.scope)
    areas = _check(data, now=timezone.now(), msg_type=alert.msg_type)
    fields = _apply(alert, data)
    alert.return_reason = ""
    alert.save(update_fields=[*fields, "return_reason"])
    if data.incident_id != alert.thread.incident_id and alert.msg_type == MsgType.ALERT:
        alert.thread.incident_id = data.incident_id
        alert.thread.save(update_fields=["incident", "updated_at"])
    _write_texts(alert, data, areas)
    audit(actor, "alert.edit", "alert", alert.pk)
    return alert


@transaction.atomic
def alert_discard(*, actor: Any, alert_id: uuid.UUID) -> Alert:
    alert = _locked(alert_id)
    _require_author(actor, alert.thread.department_id)
    if alert.state not in {AlertState.DRAFT, AlertState.PENDING}:
        raise ServiceError(
            _("Only a draft or an alert waiting for approval can be discarded."), code="not_draft"
        )
    alert.state = AlertState.DISCARDED
    alert.save(update_fields=["state", "updated_at"])
    audit(actor, "alert.discard", "alert", alert.pk)
    return alert


# --- Submit: freeze the exact bytes ---------------------------------------------------------


def _identifier(now: dt.datetime) -> str:
    domain = settings.CAP_SENDER.split("@")[-1]
    number = next_number(f"alert:{now.year}")
    return f"{domain}.{now.year}.{number:04d}"


def _document_problems(
    document: cap.CapAlert, data: bytes, *, now: dt.datetime, active: list[cap.CapReference]
) -> list[cap.Problem]:
    problems = cap.validate(document, now=now, active=active if document.msg_type != MsgType.ALERT else None)
    schema = cap.schema_problems(data, settings.CAP_SCHEMA_PATH)
    return problems + (schema or [])


@transaction.atomic
def alert_submit(*, actor: Any, alert_id: uuid.UUID) -> Alert:
    """Freeze the message for approval: identifier, sent time, references, the CAP bytes and their
    SHA-256. The approver approves exactly these bytes, and exactly these are published."""
    alert = _locked(alert_id)
    _require_author(actor, alert.thread.department_id)
    if alert.state != AlertState.DRAFT:
        raise ServiceError(_("Only a draft can be submitted for approval."), code="not_draft")
    now = timezone.now()
    zone = selectors.city_zone()
    identifier = _identifier(now)
    sent_text = cap.cap_datetime(now.astimezone(zone))
    references = (
        selectors.active_references(alert.thread, now=now, exclude=alert.pk)
        if alert.msg_type != MsgType.ALERT
        else []
    )
    fresh = selectors.alert_with_texts(alert.pk)
    assert fresh is not None
    document = selectors.alert_cap_document(
        fresh,
        identifier=identifier,
        sender=settings.CAP_SENDER,
        sent=sent_text,
        references=references,
        zone=zone,
    )
    data = cap.to_xml(document)
    problems = _document_problems(document, data, now=now, active=references)
    if problems:
        raise AlertInvalidError(problems)
    alert.identifier = identifier
    alert.sender = settings.CAP_SENDER
    alert.sent = now.replace(microsecond=0)
    alert.sent_text = sent_text
    alert.references_text = " ".join(reference.text() for reference in references)
    alert.xml = data
    alert.xml_sha256 = hashlib.sha256(data).hexdigest()
    alert.author = actor
    alert.submitted_at = now
    alert.state = AlertState.PENDING
    alert.return_reason = ""
    alert.save(
        update_fields=[
            "identifier",
            "sender",
            "sent",
            "sent_text",
            "references_text",
            "xml",
            "xml_sha256",
            "author",
            "submitted_at",
            "state",
            "return_reason",
            "updated_at",
        ]
    )
    audit(
        actor,
        "alert.submit",
        "alert",
        alert.pk,
        {"identifier": identifier, "sha256": alert.xml_sha256, "msg_type": alert.msg_type},
    )
    return alert


@transaction.atomic
def alert_return(*, actor: Any, alert_id: uuid.UUID, reason: str) -> Alert:
    """Send a submitted message back to draft (the approver's "not like this", or the author's
    "wait"). Its identifier is dropped; resubmitting takes a new one."""
    alert = _locked(alert_id)
    allowed = rules.can_approve_alerts(actor, department_id=alert.thread.department_id) or (
        alert.author_id == getattr(actor, "pk", None) and rules.can_author_alert(actor)
    )
    if not allowed:
        raise PermissionDeniedError(_("Only emergency managers can send an alert back to draft."))
    if alert.state not in {AlertState.PENDING, AlertState.APPROVED}:
        raise ServiceError(
            _("Only an alert waiting for approval or publication can be sent back."), code="not_pending"
        )
    if not reason.strip():
        raise ServiceError(
            _("Say why the alert goes back, so its author can fix it."), code="reason_required"
        )
    previous = alert.identifier
    alert.state = AlertState.DRAFT
    alert.returned_by = actor
    alert.return_reason = reason.strip()
    for name in ("identifier", "sent_text", "references_text", "xml_sha256", "approved_sha256"):
        setattr(alert, name, "")
    alert.sent = alert.xml = alert.approved_by = alert.approved_at = alert.author = None
    alert.save(
        update_fields=[
            "state",
            "returned_by",
            "return_reason",
            "identifier",
            "sent_text",
            "references_text",
            "xml_sha256",
            "approved_sha256",
            "sent",
            "xml",
            "approved_by",
            "approved_at",
            "author",
            "updated_at",
        ]
    )
    audit(actor, "alert.return", "alert", alert.pk, {"identifier": previous, "reason": reason.strip()[:500]})
    return alert


# --- Approve and publish --------------------------------------------------------------------


def _still_valid(alert: Alert, *, now: dt.datetime) -> None:
    """Time moves on between submission and publication: the expiry must still be ahead, and an
    Update or Cancel must still reference every message in force."""
    if alert.expires is not None and alert.expires <= now:
        raise ServiceError(
            _(
                "The alert expired at %(time)s before it was published. "
                "Send it back to draft and set a new expiry."
            )
            % {"time": alert.expires.isoformat()},
            code="expired",
        )
    if alert.msg_type != MsgType.ALERT:
        active = selectors.active_references(alert.thread, now=now, exclude=alert.pk)
        given = {tuple(triple.split(",")[:2]) for triple in alert.references_text.split()}
        missing = [r.identifier for r in active if (r.sender, r.identifier) not in given]
        if missing:
            raise ServiceError(
                _(
                    "Another message of this alert was published meanwhile (%(ids)s). "
                    "Send this one back to draft "
                    "and submit it again, so it references every message in force."
                )
                % {"ids": ", ".join(missing)},
                code="stale_references",
            )


@transaction.atomic
def alert_approve(*, actor: Any, alert_id: uuid.UUID, sha256: str = "", publish: bool = True) -> Alert:
    """The second person's yes: records who, when, and the hash of the exact bytes approved; then
    (by default) publishes them. Nobody approves their own message."""
    alert = _locked(alert_id)
    if alert.state != AlertState.PENDING:
        raise ServiceError(
            _("Only an alert waiting for approval can be approved; this one is “%(state)s”.")
            % {"state": AlertState(alert.state).label},
            code="not_pending",
        )
    if alert.author_id is not None and alert.author_id == getattr(actor, "pk", None):
        raise PermissionDeniedError(
            _("You submitted this alert, so you cannot approve it: another emergency manager must."),
            code="own_alert",
        )
    if not rules.can_approve_alert(
        actor, author_id=alert.author_id, department_id=alert.thread.department_id
    ):
        raise PermissionDeniedError(_("Only an emergency manager can approve alerts."))
    if sha256 and sha256 != alert.xml_sha256:
        raise ServiceError(
            _(
                "The alert is not the one you reviewed (its fingerprint changed). "
                "Open it again and review it."
            ),
            code="changed",
        )
    now = timezone.now()
    _still_valid(alert, now=now)
    alert.approved_by = actor
    alert.approved_at = now
    alert.approved_sha256 = alert.xml_sha256
    alert.state = AlertState.APPROVED
    alert.save(update_fields=["approved_by", "approved_at", "approved_sha256", "state", "updated_at"])
    audit(
        actor,
        "alert.approve",
        "alert",
        alert.pk,
        {"identifier": alert.identifier, "sha256": alert.xml_sha256},
    )
    if publish:
        _publish(actor, alert, now=now)
    return alert


@transaction.atomic
def alert_publish(*, actor: Any, alert_id: uuid.UUID) -> Alert:
    """Publish an approved message (when it was approved with publish=False)."""
    alert = _locked(alert_id)
    if not (rules.can_author_alert(actor) or rules.can_approve_alerts(actor)):
        raise PermissionDeniedError(_("Only emergency managers can publish alerts."))
    if alert.state == AlertState.PUBLISHED:
        return alert
    if (
        alert.state != AlertState.APPROVED
        or alert.approved_by_id is None
        or alert.approved_sha256 != alert.xml_sha256
    ):
        raise ServiceError(
            _(
                "This alert has not been approved by a second emergency manager, so it cannot be published. "
                "Ask another emergency manager to approve it."
            ),
            code="not_approved",
        )
    now = timezone.now()
    _still_valid(alert, now=now)
    _publish(actor, alert, now=now)
    return alert


def _publish(actor: Any, alert: Alert, *, now: dt.datetime) -> None:
    from cityhall.alerts.tasks import alert_fanout, urgent

    alert.state = AlertState.PUBLISHED
    alert.published_at = now
    alert.save(update_fields=["state", "published_at", "updated_at"])
    thread = AlertThread.objects.select_for_update().get(pk=alert.thread_id)
    thread.latest = alert
    thread.is_public = alert.status == CapStatus.ACTUAL and alert.scope == Scope.PUBLIC
    if alert.expires is not None and (thread.horizon is None or alert.expires > thread.horizon):
        thread.horizon = alert.expires
    if alert.msg_type == MsgType.CANCEL:
        thread.cancelled_at = now
    thread.save(update_fields=["latest", "is_public", "horizon", "cancelled_at", "updated_at"])
    audit(
        actor,
        "alert.publish",
        "alert",
        alert.pk,
        {
            "identifier": alert.identifier,
            "sha256": alert.xml_sha256,
            "msg_type": alert.msg_type,
            "status": alert.status,
        },
    )
    # Whatever else was waiting in this thread is now out of date.
    others = Alert.objects.filter(
        thread=thread, state__in=[AlertState.DRAFT, AlertState.PENDING, AlertState.APPROVED]
    )
    others.exclude(pk=alert.pk).update(state=AlertState.DISCARDED, updated_at=now)
    if alert.msg_type != MsgType.CANCEL:
        _prepare_cancel(alert)
    if thread.incident_id is not None:
        info = alert.infos.order_by("position").first()
        timeline_add(
            thread.incident,  # type: ignore[arg-type]
            actor=actor,
            kind=TimelineKind.ALERT,
            text=_("%(type)s published: %(headline)s")
            % {
                "type": MsgType(alert.msg_type).label,
                "headline": info.headline if info else alert.identifier,
            },
            data={"alert": str(alert.pk), "identifier": alert.identifier},
        )
    transaction.on_commit(_bump_live_version)
    if thread.is_public:
        alert.fanout_started_at = now
        alert.save(update_fields=["fanout_started_at"])
        enqueue_on_commit(urgent(alert_fanout), alert_id=str(alert.pk))


def _bump_live_version() -> None:
    cache.delete(LIVE_CACHE_KEY)


def _prepare_cancel(source: Alert) -> Alert:
    """The ready-made Cancel of every published message: a draft with everything filled in, so
    withdrawing a warning is one step (plus the second person's approval)."""
    now = timezone.now()
    cancel = Alert.objects.create(
        thread_id=source.thread_id,
        msg_type=MsgType.CANCEL,
        state=AlertState.DRAFT,
        status=source.status,
        scope=source.scope,
        restriction=source.restriction,
        addresses=source.addresses,
        categories=list(source.categories),
        response_types=[ResponseType.ALL_CLEAR],
        urgency=Urgency.PAST,
        severity=Severity.MINOR,
        certainty=Certainty.OBSERVED,
        expires=source.expires if source.expires and source.expires > now else now + dt.timedelta(hours=1),
        sender_name=source.sender_name,
        contact=source.contact,
    )
    AlertInfo.objects.bulk_create(
        [_cancel_info(cancel, info, reason="") for info in source.infos.order_by("position")]
    )
    _copy_areas(source, cancel)
    return cancel


def _copy_areas(source: Alert, target: Alert) -> None:
    AlertArea.objects.bulk_create(
        [
            AlertArea(
                alert=target,
                position=area.position,
                description=area.description,
                description_translations=area.description_translations,
                district_id=area.district_id,
                polygons=area.polygons,
                circles=area.circles,
                altitude=area.altitude,
                ceiling=area.ceiling,
                min_latitude=area.min_latitude,
                min_longitude=area.min_longitude,
                max_latitude=area.max_latitude,
                max_longitude=area.max_longitude,
            )
            for area in source.areas.order_by("position")
        ]
    )


def _cancel_info(cancel: Alert, info: AlertInfo, *, reason: str) -> AlertInfo:
    with translation.override(info.language.split("-")[0]):
        headline = _("Cancelled: %(headline)s") % {"headline": info.headline}
        description = _("The warning “%(headline)s” has been cancelled. %(reason)s") % {
            "headline": info.headline,
            "reason": reason,
        }
    return AlertInfo(
        alert=cancel,
        position=info.position,
        language=info.language,
        event=info.event,
        headline=headline[:160],
        description=description.strip(),
        instruction="",
        audience=info.audience,
    )


@transaction.atomic
def alert_cancel(*, actor: Any, alert_id: uuid.UUID, reason: str) -> Alert:
    """Withdraw a published warning: take the thread's ready-made Cancel, add why, submit it.
    It is published once a second emergency manager approves it."""
    alert = _locked(alert_id)
    _require_author(actor, alert.thread.department_id)
    thread = alert.thread
    if thread.latest_id is None:
        raise ServiceError(
            _("Only a published alert can be cancelled; discard a draft instead."), code="not_published"
        )
    if thread.cancelled_at is not None:
        raise ServiceError(_("This alert is already cancelled."), code="already_cancelled")
    if not reason.strip():
        raise ServiceError(_("Say why the alert is cancelled: people will read it."), code="reason_required")
    pending = Alert.objects.filter(thread=thread, msg_type=MsgType.CANCEL, state=AlertState.PENDING).first()
    if pending is not None:
        return pending
    cancel = selectors.ready_cancel(thread.pk)
    if cancel is None:
        latest = Alert.objects.get(pk=thread.latest_id)
        cancel = _prepare_cancel(latest)
    latest_infos = {info.language: info for info in Alert.objects.get(pk=thread.latest_id).infos.all()}
    for info in cancel.infos.all():
        source = latest_infos.get(info.language)
        with translation.override(info.language.split("-")[0]):
            headline = source.headline if source is not None else info.headline
            info.description = (
                _("The warning “%(headline)s” has been cancelled. %(reason)s")
                % {"headline": headline, "reason": reason.strip()}
            ).strip()
            info.headline = (_("Cancelled: %(headline)s") % {"headline": headline})[:160]
        info.save(update_fields=["description", "headline", "updated_at"])
    now = timezone.now()
    if cancel.expires is None or cancel.expires <= now:
        cancel.expires = now + dt.timedelta(hours=1)
        cancel.save(update_fields=["expires", "updated_at"])
    audit(actor, "alert.cancel_prepare", "alert", cancel.pk, {"cancels": str(alert.pk)})
    return alert_submit(actor=actor, alert_id=cancel.pk)


@transaction.atomic
def alert_update_draft(*, actor: Any, alert_id: uuid.UUID) -> Alert:
    """Start a correction: an Update draft with the current message's content, to edit and submit."""
    alert = _locked(alert_id)
    _require_author(actor, alert.thread.department_id)
    thread = alert.thread
    if thread.latest_id is None:
        raise ServiceError(
            _("Only a published alert can be updated; edit the draft instead."), code="not_published"
        )
    if thread.cancelled_at is not None:
        raise ServiceError(
            _("A cancelled alert cannot be updated; write a new alert."), code="already_cancelled"
        )
    existing = Alert.objects.filter(
        thread=thread, msg_type=MsgType.UPDATE, state__in=[AlertState.DRAFT, AlertState.PENDING]
    ).first()
    if existing is not None:
        return existing
    latest = Alert.objects.get(pk=thread.latest_id)
    update = Alert.objects.create(
        thread=thread,
        msg_type=MsgType.UPDATE,
        state=AlertState.DRAFT,
        created_by=actor,
        **{name: getattr(latest, name) for name in _FIELDS},
        categories=list(latest.categories),
        response_types=list(latest.response_types),
    )
    AlertInfo.objects.bulk_create(
        [
            AlertInfo(
                alert=update,
                position=info.position,
                language=info.language,
                event=info.event,
                headline=info.headline,
                description=info.description,
                instruction=info.instruction,
                audience=info.audience,
            )
            for info in latest.infos.order_by("position")
        ]
    )
    _copy_areas(latest, update)
    audit(actor, "alert.update_draft", "alert", update.pk, {"updates": str(latest.pk)})
    return update


def alert_input_from(alert: Alert) -> AlertInput:
    """A stored message as input again (the composer's starting point)."""
    return AlertInput(
        categories=tuple(alert.categories),
        urgency=alert.urgency,
        severity=alert.severity,
        certainty=alert.certainty,
        response_types=tuple(alert.response_types),
        status=alert.status,
        scope=alert.scope,
        restriction=alert.restriction,
        addresses=alert.addresses,
        note=alert.note,
        effective=alert.effective,
        onset=alert.onset,
        expires=alert.expires,
        sender_name=alert.sender_name,
        contact=alert.contact,
        incident_id=alert.thread.incident_id,
        department_id=alert.thread.department_id,
        infos=tuple(
            InfoInput(i.language, i.event, i.headline, i.description, i.instruction, i.audience)
            for i in alert.infos.order_by("position")
        ),
        areas=tuple(
            # A preset area is given again by its district: its polygon is derived when saved.
            AreaInput(district=a.district.slug)
            if a.district is not None
            else AreaInput(
                description=a.description,
                description_translations=a.description_translations,
                polygons=tuple(a.polygons),
                circles=tuple(a.circles),
                altitude=a.altitude,
                ceiling=a.ceiling,
            )
            for a in alert.areas.select_related("district").order_by("position")
        ),
    )


CATEGORY_BITS = {category.value: 1 << index for index, category in enumerate(Category)}
ALL_CATEGORIES = (1 << len(Category)) - 1


def category_mask(categories: Sequence[str]) -> int:
    mask = 0
    for category in categories:
        mask |= CATEGORY_BITS.get(category, 0)
    return mask or ALL_CATEGORIES


__all__ = [
    "ALL_CATEGORIES",
    "AlertInput",
    "AlertInvalidError",
    "AreaInput",
    "InfoInput",
    "alert_approve",
    "alert_cancel",
    "alert_create",
    "alert_discard",
    "alert_edit",
    "alert_input_from",
    "alert_publish",
    "alert_return",
    "alert_submit",
    "alert_update_draft",
    "category_mask",
]
