"""/api/v1/alerts/: public alerts (JSON), preset areas, subscriptions; and for staff, composing,
approving and cancelling alerts, and running incidents."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from cityhall.alerts import rules, selectors, services
from cityhall.alerts.cap import CAP_MEDIA_TYPE
from cityhall.alerts.models import Alert, Decision, Incident, Resource
from cityhall.alerts.services.fanout import message_source
from cityhall.core.api import ERROR_RESPONSES
from cityhall.core.errors import ApiError, FieldError
from cityhall.notifications.facade import message_report

router = Router(tags=["alerts"])


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


@contextlib.contextmanager
def _field_errors() -> Iterator[None]:
    """A broken CAP rule answers 400 with every bad field named, in the one error shape."""
    try:
        yield
    except services.InvalidInputError as error:
        raise ApiError(
            error.status,
            error.code,
            error.message,
            [FieldError(location=f"body.payload.{p.location}", message=p.message) for p in error.problems],
        ) from error


def _forbid(allowed: bool, message: str) -> None:
    if not allowed:
        raise ApiError(403, "permission_denied", message)


# --- Schemas --------------------------------------------------------------------------------


class InfoOut(Schema):
    language: str
    event: str
    headline: str
    description: str
    instruction: str
    audience: str


class AreaOut(Schema):
    description: str
    description_translations: dict[str, str]
    district: str | None = Field(None, description="Slug of the preset area (district), if picked.")
    polygons: list[str] = Field(..., description="CAP polygons: whitespace-separated lat,lon pairs, closed.")
    circles: list[str] = Field(..., description="CAP circles: 'lat,lon radius-km'.")
    altitude: float | None
    ceiling: float | None


class AlertOut(Schema):
    id: uuid.UUID
    thread_id: uuid.UUID
    identifier: str
    sender: str
    sent: dt.datetime | None
    msg_type: str
    status: str
    scope: str
    references: str
    incident: str | None = Field(None, description="Code of the incident the alert belongs to.")
    categories: list[str]
    response_types: list[str]
    urgency: str
    severity: str
    certainty: str
    effective: dt.datetime | None
    onset: dt.datetime | None
    expires: dt.datetime | None
    sender_name: str
    published_at: dt.datetime | None
    infos: list[InfoOut]
    areas: list[AreaOut]
    cap_url: str | None = Field(None, description="The CAP 1.2 document (application/cap+xml).")
    html_url: str

    @staticmethod
    def resolve_references(obj: Alert) -> str:
        return obj.references_text

    @staticmethod
    def resolve_incident(obj: Alert) -> str | None:
        incident = obj.thread.incident if obj.thread.incident_id else None
        return incident.code if incident else None

    @staticmethod
    def resolve_infos(obj: Alert) -> list[Any]:
        return list(obj.infos.all())

    @staticmethod
    def resolve_areas(obj: Alert) -> list[dict[str, Any]]:
        return [
            {
                "description": a.description,
                "description_translations": a.description_translations,
                "district": a.district.slug if a.district_id and a.district else None,
                "polygons": list(a.polygons),
                "circles": list(a.circles),
                "altitude": a.altitude,
                "ceiling": a.ceiling,
            }
            for a in obj.areas.all()
        ]

    @staticmethod
    def resolve_cap_url(obj: Alert) -> str | None:
        return selectors.cap_url(obj.pk) if obj.xml_sha256 else None

    @staticmethod
    def resolve_html_url(obj: Alert) -> str:
        return selectors.alert_url(obj.pk)


class StaffAlertOut(AlertOut):
    state: str
    author: str | None
    approved_by: str | None
    approved_at: dt.datetime | None
    xml_sha256: str = Field(..., description="SHA-256 of the frozen CAP document; approve exactly this.")
    return_reason: str

    @staticmethod
    def resolve_author(obj: Alert) -> str | None:
        return obj.author.email if obj.author_id and obj.author else None

    @staticmethod
    def resolve_approved_by(obj: Alert) -> str | None:
        return obj.approved_by.email if obj.approved_by_id and obj.approved_by else None


# --- Public ---------------------------------------------------------------------------------


@router.get(
    "/",
    response={200: list[AlertOut], **ERROR_RESPONSES},
    auth=None,
    summary="Public alerts: current (default), past, or all messages",
)
@paginate
def alert_list(request: HttpRequest, state: str = "current") -> Any:
    if state not in {"current", "past", "all"}:
        raise ApiError(400, "bad_request", "state must be current, past or all.")
    return selectors.public_alert_list(state=state)


class PresetAreaOut(Schema):
    slug: str
    name: str
    name_translations: dict[str, str]
    boundary: dict[str, Any] = Field(..., description="GeoJSON Polygon or MultiPolygon (lon,lat, WGS84).")
    min_latitude: float
    min_longitude: float
    max_latitude: float
    max_longitude: float


@router.get(
    "/areas",
    response={200: list[PresetAreaOut], **ERROR_RESPONSES},
    auth=None,
    summary="Preset areas (the city's districts) to target alerts and subscriptions",
)
@paginate
def area_list(request: HttpRequest) -> Any:
    return selectors.districts()


@router.get(
    "/{uuid:alert_id}",
    response={200: AlertOut, **ERROR_RESPONSES},
    auth=None,
    summary="One published public alert (its CAP document is at cap_url)",
)
def alert_detail(request: HttpRequest, alert_id: uuid.UUID) -> Any:
    alert = selectors.public_alert(alert_id)
    if alert is None:
        raise ApiError(404, "not_found", "There is no public alert with this id.")
    return alert


# --- Subscriptions --------------------------------------------------------------------------


class SubscriptionIn(Schema):
    channel: str = Field(..., description="email, sms or webhook")
    address: str = Field(..., max_length=500, description="Email address, mobile number (+...) or https URL.")
    language: str = Field("en", max_length=10)
    area: str = Field(..., description="point, district or city")
    latitude: float | None = None
    longitude: float | None = None
    radius_km: float | None = Field(None, description="Around the point; 0.1 to 50 km (default 1).")
    place: str = Field("", max_length=200, description="An address or place name, instead of a point.")
    district: str = Field("", max_length=100, description="District slug (see /api/v1/alerts/areas).")
    categories: list[str] = Field(default_factory=list, description="CAP categories; empty for all.")


class SubscriptionOut(Schema):
    id: uuid.UUID
    status: str
    confirmation_sent: bool = False
    message: str = ""


class TokenIn(Schema):
    token: str = Field(..., max_length=300)


@router.post(
    "/subscriptions",
    response={202: SubscriptionOut, **ERROR_RESPONSES},
    auth=None,
    summary="Subscribe to alerts for an area; nothing is sent until the confirmation is answered",
)
def subscription_create(request: HttpRequest, payload: SubscriptionIn) -> Status[dict[str, Any]]:
    data = services.SubscriptionInput(**payload.model_dump())
    with _field_errors():
        result = services.subscription_create(data=data)
    message = (
        "A confirmation was sent; alerts start once it is answered."
        if result.confirmation_sent
        else "You are already subscribed to this."
    )
    return Status(
        202,
        {
            "id": result.subscription.pk,
            "status": result.subscription.status,
            "confirmation_sent": result.confirmation_sent,
            "message": message,
        },
    )


@router.post(
    "/subscriptions/confirm",
    response={200: SubscriptionOut, **ERROR_RESPONSES},
    auth=None,
    summary="Confirm a subscription with the token from the confirmation message (double opt-in)",
)
def subscription_confirm(request: HttpRequest, payload: TokenIn) -> dict[str, Any]:
    subscription = services.subscription_confirm(token=payload.token)
    return {"id": subscription.pk, "status": subscription.status}


@router.post(
    "/subscriptions/unsubscribe",
    response={200: SubscriptionOut, **ERROR_RESPONSES},
    auth=None,
    summary="Unsubscribe with the token of any message's unsubscribe link",
)
def subscription_unsubscribe(request: HttpRequest, payload: TokenIn) -> dict[str, Any]:
    subscription = services.subscription_unsubscribe(token=payload.token)
    return {"id": subscription.pk, "status": subscription.status}


# --- Staff: compose, approve, publish -------------------------------------------------------


class InfoIn(Schema):
    language: str = Field(..., max_length=10, description="Language tag, e.g. en, es, ar.")
    event: str = Field(..., max_length=100)
    headline: str = Field(..., max_length=160)
    description: str
    instruction: str = ""
    audience: str = Field("", max_length=200)


class AreaIn(Schema):
    description: str = Field("", max_length=200, description="Defaults to the district's name.")
    description_translations: dict[str, str] = Field(default_factory=dict)
    district: str = Field("", description="A preset area: district slug.")
    polygons: list[str] = Field(
        default_factory=list, description="CAP polygons ('lat,lon lat,lon ...', closed)."
    )
    circles: list[str] = Field(default_factory=list, description="CAP circles ('lat,lon radius-km').")
    altitude: float | None = None
    ceiling: float | None = None


class AlertIn(Schema):
    categories: list[str] = Field(..., description="CAP categories: Geo, Met, Safety, ...")
    urgency: str
    severity: str
    certainty: str
    response_types: list[str] = Field(default_factory=list)
    status: str = Field("Actual", description="Actual, Exercise, System or Test (only Actual is public).")
    scope: str = "Public"
    restriction: str = ""
    addresses: str = ""
    note: str = ""
    effective: dt.datetime | None = None
    onset: dt.datetime | None = None
    expires: dt.datetime | None = None
    sender_name: str = Field("", max_length=200)
    contact: str = Field("", max_length=200)
    incident_id: uuid.UUID | None = None
    infos: list[InfoIn]
    areas: list[AreaIn]


def _alert_input(payload: AlertIn) -> services.AlertInput:
    data = payload.model_dump()
    return services.AlertInput(
        **{k: v for k, v in data.items() if k not in {"infos", "areas", "categories", "response_types"}},
        categories=tuple(data["categories"]),
        response_types=tuple(data["response_types"]),
        infos=tuple(services.InfoInput(**info) for info in data["infos"]),
        areas=tuple(
            services.AreaInput(
                **{**area, "polygons": tuple(area["polygons"]), "circles": tuple(area["circles"])}
            )
            for area in data["areas"]
        ),
    )


def _staff_alert(request: HttpRequest, alert_id: uuid.UUID) -> Alert:
    alert = selectors.staff_alerts(include_discarded=True).filter(pk=alert_id).first()
    if alert is None:
        raise ApiError(404, "not_found", "There is no such alert.")
    return alert


def _require_drafts(request: HttpRequest) -> None:
    _forbid(rules.can_see_alert_drafts(_user(request)), "Only emergency managers can see unpublished alerts.")


@router.get(
    "/manage",
    response={200: list[StaffAlertOut], **ERROR_RESPONSES},
    summary="Every alert message, with drafts and those waiting for approval (emergency managers)",
)
@paginate
def manage_list(request: HttpRequest, state: str | None = None) -> Any:
    _require_drafts(request)
    return selectors.staff_alerts(state=state)


@router.post(
    "/manage", response={201: StaffAlertOut, **ERROR_RESPONSES}, summary="Write a new alert (a draft)"
)
def manage_create(request: HttpRequest, payload: AlertIn) -> Status[Alert]:
    with _field_errors():
        alert = services.alert_create(actor=_user(request), data=_alert_input(payload))
    return Status(201, _staff_alert(request, alert.pk))


@router.get(
    "/manage/{uuid:alert_id}", response={200: StaffAlertOut, **ERROR_RESPONSES}, summary="One alert message"
)
def manage_detail(request: HttpRequest, alert_id: uuid.UUID) -> Any:
    _require_drafts(request)
    return _staff_alert(request, alert_id)


@router.put(
    "/manage/{uuid:alert_id}", response={200: StaffAlertOut, **ERROR_RESPONSES}, summary="Change a draft"
)
def manage_edit(request: HttpRequest, alert_id: uuid.UUID, payload: AlertIn) -> Any:
    with _field_errors():
        services.alert_edit(actor=_user(request), alert_id=alert_id, data=_alert_input(payload))
    return _staff_alert(request, alert_id)


@router.post(
    "/manage/{uuid:alert_id}/submit",
    response={200: StaffAlertOut, **ERROR_RESPONSES},
    summary="Freeze the CAP document and ask a second emergency manager to approve it",
)
def manage_submit(request: HttpRequest, alert_id: uuid.UUID) -> Any:
    with _field_errors():
        services.alert_submit(actor=_user(request), alert_id=alert_id)
    return _staff_alert(request, alert_id)


class ApproveIn(Schema):
    sha256: str = Field("", description="The xml_sha256 you reviewed; refused if the document differs.")
    publish: bool = Field(True, description="Publish at once (default) or only approve.")


@router.post(
    "/manage/{uuid:alert_id}/approve",
    response={200: StaffAlertOut, **ERROR_RESPONSES},
    summary="Approve (and publish) another manager's alert: the two-person rule",
)
def manage_approve(request: HttpRequest, alert_id: uuid.UUID, payload: ApproveIn) -> Any:
    services.alert_approve(
        actor=_user(request), alert_id=alert_id, sha256=payload.sha256, publish=payload.publish
    )
    return _staff_alert(request, alert_id)


@router.post(
    "/manage/{uuid:alert_id}/publish",
    response={200: StaffAlertOut, **ERROR_RESPONSES},
    summary="Publish an approved alert",
)
def manage_publish(request: HttpRequest, alert_id: uuid.UUID) -> Any:
    services.alert_publish(actor=_user(request), alert_id=alert_id)
    return _staff_alert(request, alert_id)


class ReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)


@router.post(
    "/manage/{uuid:alert_id}/return",
    response={200: StaffAlertOut, **ERROR_RESPONSES},
    summary="Send a submitted alert back to draft, saying why",
)
def manage_return(request: HttpRequest, alert_id: uuid.UUID, payload: ReasonIn) -> Any:
    services.alert_return(actor=_user(request), alert_id=alert_id, reason=payload.reason)
    return _staff_alert(request, alert_id)


@router.post(
    "/manage/{uuid:alert_id}/discard",
    response={200: StaffAlertOut, **ERROR_RESPONSES},
    summary="Discard a draft",
)
def manage_discard(request: HttpRequest, alert_id: uuid.UUID) -> Any:
    services.alert_discard(actor=_user(request), alert_id=alert_id)
    return _staff_alert(request, alert_id)


@router.post(
    "/manage/{uuid:alert_id}/update",
    response={201: StaffAlertOut, **ERROR_RESPONSES},
    summary="Start an Update (correction) of a published alert: a draft to edit and submit",
)
def manage_update(request: HttpRequest, alert_id: uuid.UUID) -> Status[Alert]:
    update = services.alert_update_draft(actor=_user(request), alert_id=alert_id)
    return Status(201, _staff_alert(request, update.pk))


@router.post(
    "/manage/{uuid:alert_id}/cancel",
    response={201: StaffAlertOut, **ERROR_RESPONSES},
    summary="Cancel a published alert: its ready-made Cancel, submitted for approval",
)
def manage_cancel(request: HttpRequest, alert_id: uuid.UUID, payload: ReasonIn) -> Status[Alert]:
    with _field_errors():
        cancel = services.alert_cancel(actor=_user(request), alert_id=alert_id, reason=payload.reason)
    return Status(201, _staff_alert(request, cancel.pk))


@router.get(
    "/manage/{uuid:alert_id}/cap",
    response={200: None, **ERROR_RESPONSES},
    summary="The frozen CAP document of a submitted alert (application/cap+xml), for review",
)
def manage_cap(request: HttpRequest, alert_id: uuid.UUID) -> HttpResponse:
    _require_drafts(request)
    alert = Alert.objects.filter(pk=alert_id).only("xml", "xml_sha256").first()
    if alert is None or not alert.xml:
        raise ApiError(404, "not_found", "This alert has no CAP document yet: submit it first.")
    response = HttpResponse(bytes(alert.xml), content_type=f"{CAP_MEDIA_TYPE}; charset=utf-8")
    response["ETag"] = f'"{alert.xml_sha256}"'
    return response


class DeliveryReportOut(Schema):
    message_id: uuid.UUID | None
    total: int
    by_status: dict[str, int]
    by_channel: dict[str, int]
    retrying: int
    first_sent_at: dt.datetime | None
    last_sent_at: dt.datetime | None
    p50_seconds_to_send: float | None
    p95_seconds_to_send: float | None


@router.get(
    "/manage/{uuid:alert_id}/deliveries",
    response={200: DeliveryReportOut, **ERROR_RESPONSES},
    summary="How the alert's notifications went: deliveries per status and channel, time to send",
)
def manage_deliveries(request: HttpRequest, alert_id: uuid.UUID) -> dict[str, Any]:
    _require_drafts(request)
    report = message_report(source=message_source(alert_id))
    if report is None:
        return {
            "message_id": None,
            "total": 0,
            "by_status": {},
            "by_channel": {},
            "retrying": 0,
            "first_sent_at": None,
            "last_sent_at": None,
            "p50_seconds_to_send": None,
            "p95_seconds_to_send": None,
        }
    return {
        "message_id": report.message_id,
        "total": report.total,
        "by_status": report.by_status,
        "by_channel": report.by_channel,
        "retrying": report.retrying,
        "first_sent_at": report.first_sent_at,
        "last_sent_at": report.last_sent_at,
        "p50_seconds_to_send": report.p50_seconds_to_send,
        "p95_seconds_to_send": report.p95_seconds_to_send,
    }


# --- Staff: incidents -----------------------------------------------------------------------


def _require_incidents(request: HttpRequest) -> Any:
    user = _user(request)
    _forbid(rules.can_manage_incidents(user), "Only emergency managers can run incidents.")
    return user


class IncidentOut(Schema):
    id: uuid.UUID
    code: str
    title: str
    kind: str
    severity: str
    status: str
    description: str
    location_description: str
    latitude: float | None
    longitude: float | None
    district: str | None
    lead: str | None
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    source_service_request: uuid.UUID | None

    @staticmethod
    def resolve_district(obj: Incident) -> str | None:
        return obj.district.slug if obj.district else None

    @staticmethod
    def resolve_lead(obj: Incident) -> str | None:
        return obj.lead.email if obj.lead else None


class TimelineOut(Schema):
    at: dt.datetime
    kind: str
    text: str
    actor_name: str


class TaskOut(Schema):
    id: uuid.UUID
    title: str
    details: str
    department_id: uuid.UUID
    status: str
    due_at: dt.datetime | None
    completed_at: dt.datetime | None


class ResourceOut(Schema):
    id: uuid.UUID
    kind: str
    name: str
    status: str
    incident_id: uuid.UUID | None
    location: str
    latitude: float | None
    longitude: float | None
    capacity: int | None
    occupancy: int
    notes: str


class ReportOut(Schema):
    id: uuid.UUID
    number: int
    period_start: dt.datetime
    period_end: dt.datetime
    situation: str
    actions: str
    needs: str
    outlook: str
    people_affected: int
    people_evacuated: int
    people_sheltered: int
    injuries: int
    fatalities: int
    next_report_due: dt.datetime | None


class DecisionOut(Schema):
    id: uuid.UUID
    incident_code: str
    decided_at: dt.datetime
    decided_by: str
    decided_by_role: str
    decision: str
    rationale: str
    information: str
    situation_reports: list[int]
    supersedes: uuid.UUID | None
    recorded_at: dt.datetime

    @staticmethod
    def resolve_incident_code(obj: Decision) -> str:
        return obj.incident.code

    @staticmethod
    def resolve_decided_by(obj: Decision) -> str:
        return obj.decided_by_name

    @staticmethod
    def resolve_situation_reports(obj: Decision) -> list[int]:
        return sorted(report.number for report in obj.situation_reports.all())

    @staticmethod
    def resolve_supersedes(obj: Decision) -> uuid.UUID | None:
        return obj.supersedes_id

    @staticmethod
    def resolve_recorded_at(obj: Decision) -> dt.datetime:
        return obj.created_at


class IncidentDetailOut(IncidentOut):
    timeline: list[TimelineOut]
    tasks: list[TaskOut]
    resources: list[ResourceOut]
    reports: list[ReportOut]
    decisions: list[DecisionOut]
    alerts: list[uuid.UUID] = Field(..., description="Latest published message of each linked alert.")

    @staticmethod
    def resolve_timeline(obj: Incident) -> list[Any]:
        return list(obj.timeline.all())

    @staticmethod
    def resolve_tasks(obj: Incident) -> list[Any]:
        return list(obj.tasks.all())

    @staticmethod
    def resolve_resources(obj: Incident) -> list[Any]:
        return list(obj.resources.all())

    @staticmethod
    def resolve_reports(obj: Incident) -> list[Any]:
        return list(obj.reports.all())

    @staticmethod
    def resolve_decisions(obj: Incident) -> list[Any]:
        return list(obj.decisions.all())

    @staticmethod
    def resolve_alerts(obj: Incident) -> list[uuid.UUID]:
        return [thread.latest_id for thread in obj.alert_threads.all() if thread.latest_id]


class IncidentIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    kind: str
    severity: str
    description: str = ""
    location_description: str = Field("", max_length=300)
    latitude: float | None = None
    longitude: float | None = None
    district: str | None = None
    lead_id: uuid.UUID | None = None
    department_id: uuid.UUID | None = None


class IncidentPatchIn(Schema):
    title: str | None = None
    status: str | None = None
    severity: str | None = None
    description: str | None = None
    location_description: str | None = None
    lead_id: uuid.UUID | None = None
    district: str | None = None


@router.get(
    "/incidents", response={200: list[IncidentOut], **ERROR_RESPONSES}, summary="Incidents, newest first"
)
@paginate
def incident_list(request: HttpRequest, open_only: bool = False) -> Any:
    _require_incidents(request)
    return selectors.incidents(open_only=open_only)


@router.post("/incidents", response={201: IncidentOut, **ERROR_RESPONSES}, summary="Open an incident")
def incident_create(request: HttpRequest, payload: IncidentIn) -> Status[Incident]:
    incident = services.incident_create(actor=_user(request), **payload.model_dump())
    return Status(201, selectors.incidents().get(pk=incident.pk))


@router.get(
    "/incidents/{uuid:incident_id}",
    response={200: IncidentDetailOut, **ERROR_RESPONSES},
    summary="An incident with its timeline, tasks, resources, situation reports, decisions and alerts",
)
def incident_detail(request: HttpRequest, incident_id: uuid.UUID) -> Any:
    _require_incidents(request)
    incident = selectors.incident_detail(incident_id)
    if incident is None:
        raise ApiError(404, "not_found", "There is no such incident.")
    return incident


@router.patch(
    "/incidents/{uuid:incident_id}",
    response={200: IncidentOut, **ERROR_RESPONSES},
    summary="Change an incident",
)
def incident_update(request: HttpRequest, incident_id: uuid.UUID, payload: IncidentPatchIn) -> Any:
    changes = payload.model_dump(exclude_unset=True)
    incident = services.incident_update(actor=_user(request), incident_id=incident_id, **changes)
    return selectors.incidents().get(pk=incident.pk)


class NoteIn(Schema):
    text: str = Field(..., min_length=1, max_length=5000)


@router.post(
    "/incidents/{uuid:incident_id}/notes",
    response={201: TimelineOut, **ERROR_RESPONSES},
    summary="Add a note to the incident's timeline",
)
def incident_note(request: HttpRequest, incident_id: uuid.UUID, payload: NoteIn) -> Status[Any]:
    return Status(
        201, services.incident_note(actor=_user(request), incident_id=incident_id, text=payload.text)
    )


class TaskIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    department_id: uuid.UUID
    details: str = ""
    due_at: dt.datetime | None = None


class TaskPatchIn(Schema):
    status: str


@router.post(
    "/incidents/{uuid:incident_id}/tasks",
    response={201: TaskOut, **ERROR_RESPONSES},
    summary="Assign a task to a department",
)
def task_add(request: HttpRequest, incident_id: uuid.UUID, payload: TaskIn) -> Status[Any]:
    return Status(
        201, services.incident_task_add(actor=_user(request), incident_id=incident_id, **payload.model_dump())
    )


@router.patch(
    "/tasks/{uuid:task_id}", response={200: TaskOut, **ERROR_RESPONSES}, summary="Change a task's status"
)
def task_update(request: HttpRequest, task_id: uuid.UUID, payload: TaskPatchIn) -> Any:
    return services.incident_task_update(actor=_user(request), task_id=task_id, status=payload.status)


class ResourceIn(Schema):
    kind: str
    name: str = Field(..., min_length=1, max_length=200)
    incident_id: uuid.UUID | None = None
    status: str = "standby"
    capacity: int | None = Field(None, ge=0)
    occupancy: int = Field(0, ge=0)
    location: str = Field("", max_length=300, description="Street address or where it is.")
    district: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    notes: str = ""


class ResourcePatchIn(Schema):
    occupancy: int | None = Field(None, ge=0)
    capacity: int | None = Field(None, ge=0)
    status: str | None = None
    incident_id: uuid.UUID | None = None


@router.get(
    "/resources", response={200: list[ResourceOut], **ERROR_RESPONSES}, summary="Resources such as shelters"
)
@paginate
def resource_list(request: HttpRequest, incident_id: str = "") -> Any:
    # A plain string: @paginate's wrapper cannot resolve a postponed uuid.UUID annotation.
    _require_incidents(request)
    resources = Resource.objects.order_by("kind", "name")
    return resources.filter(incident_id=_uuid_param(incident_id)) if incident_id else resources


def _uuid_param(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as error:
        raise ApiError(422, "validation_error", "incident_id must be a UUID.") from error


@router.post(
    "/resources", response={201: ResourceOut, **ERROR_RESPONSES}, summary="Add a resource (a shelter, ...)"
)
def resource_add(request: HttpRequest, payload: ResourceIn) -> Status[Any]:
    return Status(201, services.resource_add(actor=_user(request), **payload.model_dump()))


@router.patch(
    "/resources/{uuid:resource_id}",
    response={200: ResourceOut, **ERROR_RESPONSES},
    summary="Change occupancy, capacity or status (a shelter fills up)",
)
def resource_update(request: HttpRequest, resource_id: uuid.UUID, payload: ResourcePatchIn) -> Any:
    return services.resource_update(actor=_user(request), resource_id=resource_id, **payload.model_dump())


class ReportIn(Schema):
    period_start: dt.datetime
    period_end: dt.datetime
    situation: str = Field(..., min_length=1)
    actions: str = Field(..., min_length=1)
    needs: str = ""
    outlook: str = ""
    people_affected: int = Field(0, ge=0)
    people_evacuated: int = Field(0, ge=0)
    people_sheltered: int | None = Field(
        None, ge=0, description="Default: current occupancy of its shelters."
    )
    injuries: int = Field(0, ge=0)
    fatalities: int = Field(0, ge=0)
    next_report_due: dt.datetime | None = None


@router.post(
    "/incidents/{uuid:incident_id}/reports",
    response={201: ReportOut, **ERROR_RESPONSES},
    summary="Add a situation report (numbered)",
)
def report_add(request: HttpRequest, incident_id: uuid.UUID, payload: ReportIn) -> Status[Any]:
    return Status(
        201,
        services.situation_report_add(actor=_user(request), incident_id=incident_id, **payload.model_dump()),
    )


class DecisionIn(Schema):
    decision: str = Field(..., min_length=1)
    rationale: str = Field(..., min_length=1)
    information: str = Field(..., min_length=1, description="What the decision was based on.")
    decided_at: dt.datetime | None = None
    decided_by_id: uuid.UUID | None = None
    decided_by_name: str = Field("", max_length=200)
    decided_by_role: str = Field("", max_length=200)
    report_numbers: list[int] = Field(default_factory=list, description="Situation reports relied on.")
    supersedes_id: uuid.UUID | None = None


@router.post(
    "/incidents/{uuid:incident_id}/decisions",
    response={201: DecisionOut, **ERROR_RESPONSES},
    summary="Record a decision in the emergency decision log (never edited; supersede to correct)",
)
def decision_add(request: HttpRequest, incident_id: uuid.UUID, payload: DecisionIn) -> Status[Decision]:
    decision = services.decision_record(actor=_user(request), incident_id=incident_id, **payload.model_dump())
    return Status(201, selectors.decisions().get(pk=decision.pk))


@router.get(
    "/decisions",
    response={200: list[DecisionOut], **ERROR_RESPONSES},
    summary="The emergency decision log, oldest first",
)
@paginate
def decision_list(request: HttpRequest, incident_id: str = "") -> Any:
    _require_incidents(request)
    decisions = selectors.decisions()
    return decisions.filter(incident_id=_uuid_param(incident_id)) if incident_id else decisions
