"""/api/v1/servicerequests/: service types, public requests, reporting (idempotent), and the staff queue.

No `from __future__ import annotations` here: @paginate wraps the views, and ninja must be able to
resolve their parameter schemas from real annotations.
"""

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.pagination import paginate

from cityhall.core.api import ERROR_RESPONSES
from cityhall.core.errors import ApiError, NotFoundError, PermissionDeniedError
from cityhall.servicerequests import rules, selectors, services
from cityhall.servicerequests.contracts import OPEN_STATUSES, Channel
from cityhall.servicerequests.contracts import Status as RequestStatus
from cityhall.servicerequests.models import ServiceRequest, ServiceType, Visibility
from cityhall.servicerequests.validation import InvalidRequestError

router = Router(tags=["service requests"])


@contextmanager
def _as_api_errors() -> Iterator[None]:
    """Input problems become the API's error body, with each parameter named in `fields`."""
    try:
        yield
    except InvalidRequestError as error:
        raise ApiError(error.status, error.code, error.message, error.fields) from error


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


# --- Service types --------------------------------------------------------------------------


class ValueOut(Schema):
    key: str
    name: str


class AttributeOut(Schema):
    code: str
    datatype: str
    variable: bool
    required: bool
    order: int
    description: str
    datatype_description: str
    values: list[ValueOut]


class ServiceTypeOut(Schema):
    code: str
    name: str
    description: str
    group: str
    keywords: str
    department: str
    sla_hours: int | None
    service_notice: str
    has_questions: bool


class ServiceTypeDetailOut(ServiceTypeOut):
    attributes: list[AttributeOut]


def _service_type_out(service_type: ServiceType) -> dict[str, Any]:
    return {
        "code": service_type.code,
        "name": selectors.localized(service_type.name, service_type.name_translations),
        "description": selectors.localized(service_type.description, service_type.description_translations),
        "group": service_type.group,
        "keywords": service_type.keywords,
        "department": service_type.department.name,
        "sla_hours": service_type.sla_hours,
        "service_notice": service_type.service_notice,
        "has_questions": getattr(service_type, "attribute_count", 1) > 0,
    }


@router.get(
    "/service-types",
    response={200: list[ServiceTypeOut], **ERROR_RESPONSES},
    auth=None,
    summary="Kinds of problem the city takes reports of",
)
@paginate
def service_type_list(request: HttpRequest) -> Any:
    return _Mapped(selectors.service_types(), _service_type_out)


@router.get(
    "/service-types/{code}",
    response={200: ServiceTypeDetailOut, **ERROR_RESPONSES},
    auth=None,
    summary="One service type with its questions",
)
def service_type_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    service_type = selectors.service_type_by_code(code)
    if service_type is None:
        raise NotFoundError(f"There is no service type with the code {code[:60]}.")
    attributes = selectors.attributes_of(service_type)
    return {
        **_service_type_out(service_type),
        "has_questions": bool(attributes),
        "attributes": [
            {
                "code": a.code,
                "datatype": a.datatype,
                "variable": a.variable,
                "required": a.required,
                "order": a.order,
                "description": selectors.localized(a.description, a.description_translations),
                "datatype_description": a.datatype_description,
                "values": [{"key": str(v["key"]), "name": str(v.get("name", v["key"]))} for v in a.values],
            }
            for a in attributes
        ],
    }


# --- Public requests ------------------------------------------------------------------------


class RequestOut(Schema):
    """A request as anyone may see it: no names, emails, phones or accounts."""

    service_request_id: str = Field(..., description="The public reference, e.g. 7KQ2M-XH4PD.")
    service_code: str
    service_name: str
    status: RequestStatus
    open: bool
    status_notes: str
    description: str
    latitude: float | None
    longitude: float | None
    address: str
    district: str | None
    department: str
    requested_at: dt.datetime
    updated_at: dt.datetime
    expected_at: dt.datetime | None
    overdue: bool
    media_url: str


def _request_out(item: ServiceRequest) -> dict[str, Any]:
    return {
        "service_request_id": item.reference,
        "service_code": item.service_type.code,
        "service_name": item.service_type.name,
        "status": item.status,
        "open": item.status in OPEN_STATUSES,
        "status_notes": item.status_notes,
        "description": item.description,
        "latitude": item.latitude,
        "longitude": item.longitude,
        "address": item.address,
        "district": item.district.name if item.district else None,
        "department": item.department.name,
        "requested_at": item.requested_at,
        "updated_at": item.updated_at,
        "expected_at": item.expected_at,
        "overdue": item.is_overdue,
        "media_url": item.media_url,
    }


class RequestFilterIn(Schema):
    status: str = Field("", description="open, closed, or one status value")
    service_code: str = ""
    district: str = Field("", description="District slug")


@router.get(
    "/requests",
    response={200: list[RequestOut], **ERROR_RESPONSES},
    auth=None,
    summary="Public list of requests, newest first",
)
@paginate
def request_list(request: HttpRequest, filters: Query[RequestFilterIn]) -> Any:
    requests = selectors.public_requests(
        selectors.RequestFilters(
            status=filters.status, service_code=filters.service_code, district=filters.district
        )
    ).select_related("department")
    return _Mapped(requests, _request_out)


class _Mapped:
    """A queryset the paginator slices and counts (in SQL), each item mapped to the output shape."""

    def __init__(self, queryset: Any, mapper: Callable[[Any], dict[str, Any]]) -> None:
        self.queryset = queryset
        self.mapper = mapper

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        return [self.mapper(item) for item in self.queryset[index]]

    def count(self) -> int:
        return int(self.queryset.count())


@router.get(
    "/requests/{reference}",
    response={200: RequestOut, **ERROR_RESPONSES},
    auth=None,
    summary="One request",
)
def request_detail(request: HttpRequest, reference: str) -> dict[str, Any]:
    item = selectors.request_by_reference(reference)
    if item is None:
        raise NotFoundError(f"There is no service request {reference[:20]}.")
    return _request_out(item)


class NearbyOut(Schema):
    service_request_id: str
    distance_m: float
    status: RequestStatus
    description: str
    requested_at: dt.datetime


@router.get(
    "/nearby",
    response={200: list[NearbyOut], **ERROR_RESPONSES},
    auth=None,
    summary="Open requests of a type near a point (what to show before reporting)",
)
def nearby(
    request: HttpRequest,
    service_code: str,
    lat: float = Query(..., ge=-90, le=90),
    long: float = Query(..., ge=-180, le=180),
) -> list[dict[str, Any]]:
    service_type = selectors.service_type_by_code(service_code)
    if service_type is None:
        raise NotFoundError(f"There is no service type with the code {service_code[:60]}.")
    found = selectors.nearby_open_requests(
        service_type_id=service_type.pk,
        latitude=lat,
        longitude=long,
        radius_m=service_type.duplicate_radius_m,
    )
    return [
        {
            "service_request_id": item.request.reference,
            "distance_m": round(item.distance_m, 1),
            "status": item.request.status,
            "description": item.request.description,
            "requested_at": item.request.requested_at,
        }
        for item in found
    ]


class ReportIn(Schema):
    service_code: str
    lat: float | None = None
    long: float | None = None
    address: str = ""
    address_id: str = ""
    description: str = Field("", max_length=20_000)
    attributes: dict[str, str | list[str]] = Field(default_factory=dict)
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    media_url: str = ""


class ReportOut(Schema):
    service_request_id: str
    status: RequestStatus
    expected_at: dt.datetime | None
    service_notice: str


@router.post(
    "/requests",
    response={201: ReportOut, 200: ReportOut, **ERROR_RESPONSES},
    summary="Report a problem (send an Idempotency-Key header so a retry creates one request)",
)
def request_create(
    request: HttpRequest,
    payload: ReportIn,
    response: HttpResponse,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[dict[str, Any]]:
    draft = services.ServiceRequestDraft(
        service_code=payload.service_code,
        lat="" if payload.lat is None else repr(payload.lat),
        long="" if payload.long is None else repr(payload.long),
        address=payload.address,
        address_id=payload.address_id,
        description=payload.description,
        attributes=payload.attributes,
        email=payload.email,
        first_name=payload.first_name,
        last_name=payload.last_name,
        phone=payload.phone,
        media_url=payload.media_url,
    )
    with _as_api_errors():
        submission = services.service_request_create(
            actor=_user(request), draft=draft, channel=Channel.API, idempotency_key=idempotency_key
        )
    created = submission.request
    if not submission.created:
        response["Idempotent-Replayed"] = "true"
    return Status(
        201 if submission.created else 200,
        {
            "service_request_id": created.reference,
            "status": created.status,
            "expected_at": created.expected_at,
            "service_notice": submission.service_notice,
        },
    )


# --- Staff ----------------------------------------------------------------------------------


class QueueItemOut(RequestOut):
    assigned_to: str | None
    channel: Channel


class QueueFilterIn(Schema):
    status: str = ""
    service_code: str = ""
    district: str = ""
    assigned: str = Field("", description="me or unassigned")
    overdue: bool = False
    channel: str = ""


def _staff_departments(request: HttpRequest) -> frozenset[uuid.UUID]:
    departments = rules.handled_departments(_user(request))
    if not departments:
        raise PermissionDeniedError("Only department staff can work the request queue.")
    return departments


@router.get(
    "/queue",
    response={200: list[QueueItemOut], **ERROR_RESPONSES},
    summary="The requests of my departments (staff)",
)
@paginate
def queue(request: HttpRequest, filters: Query[QueueFilterIn]) -> Any:
    departments = _staff_departments(request)
    items = selectors.staff_queue(
        _user(request),
        list(departments),
        selectors.RequestFilters(
            status=filters.status,
            service_code=filters.service_code,
            district=filters.district,
            assigned=filters.assigned,
            overdue=filters.overdue,
            channel=filters.channel,
        ),
    )
    return _Mapped(items, _queue_item_out)


def _queue_item_out(item: ServiceRequest) -> dict[str, Any]:
    return {
        **_request_out(item),
        "assigned_to": item.assigned_to.get_full_name() if item.assigned_to else None,
        "channel": item.channel,
    }


class UpdateIn(Schema):
    status: RequestStatus | None = None
    text: str = ""
    internal: bool = Field(False, description="An internal note: staff only, never emailed or published.")


class UpdateOut(Schema):
    id: uuid.UUID
    service_request_id: str
    status: str
    status_changed: bool
    visibility: str
    description: str
    created_at: dt.datetime


def _request_or_404(reference: str) -> ServiceRequest:
    item = selectors.request_by_reference(reference)
    if item is None:
        raise NotFoundError(f"There is no service request {reference[:20]}.")
    return item


@router.post(
    "/requests/{reference}/updates",
    response={201: UpdateOut, **ERROR_RESPONSES},
    summary="Post a public update (may change the status) or an internal note (staff)",
)
def update_create(request: HttpRequest, reference: str, payload: UpdateIn) -> Status[dict[str, Any]]:
    item = _request_or_404(reference)
    with _as_api_errors():
        update = services.service_request_update(
            actor=_user(request),
            request_id=item.pk,
            status=payload.status,
            text=payload.text,
            visibility=Visibility.INTERNAL if payload.internal else Visibility.PUBLIC,
        )
    return Status(
        201,
        {
            "id": update.pk,
            "service_request_id": item.reference,
            "status": update.status,
            "status_changed": update.status_changed,
            "visibility": update.visibility,
            "description": update.description,
            "created_at": update.created_at,
        },
    )


class AssignIn(Schema):
    assignee_id: uuid.UUID | None = Field(None, description="Empty to unassign.")


@router.post(
    "/requests/{reference}/assign",
    response={200: QueueItemOut, **ERROR_RESPONSES},
    summary="Assign a request to a colleague, or unassign it (staff)",
)
def assign(request: HttpRequest, reference: str, payload: AssignIn) -> dict[str, Any]:
    item = _request_or_404(reference)
    services.service_request_assign(actor=_user(request), request_id=item.pk, assignee_id=payload.assignee_id)
    return _queue_item_out(_request_or_404(reference))


class BulkIn(Schema):
    service_request_ids: list[str] = Field(..., min_length=1, max_length=200)
    status: RequestStatus | None = None
    text: str = ""
    assign_to: uuid.UUID | None = None
    unassign: bool = False


class BulkOut(Schema):
    updated: int


@router.post(
    "/bulk",
    response={200: BulkOut, **ERROR_RESPONSES},
    summary="The same change to many requests, all or nothing (staff)",
)
def bulk(request: HttpRequest, payload: BulkIn) -> dict[str, int]:
    ids = dict(
        ServiceRequest.objects.filter(
            reference__in=[r.upper() for r in payload.service_request_ids]
        ).values_list("reference", "pk")
    )
    missing = sorted({r.upper() for r in payload.service_request_ids} - set(ids))
    if missing:
        raise NotFoundError(f"There is no service request {', '.join(missing[:5])}.")
    with _as_api_errors():
        count = services.service_request_bulk_update(
            actor=_user(request),
            request_ids=list(ids.values()),
            status=payload.status,
            text=payload.text,
            assign_to=payload.assign_to,
            unassign=payload.unassign,
        )
    return {"updated": count}


class ChannelCountOut(Schema):
    channel: str
    requests: int


@router.get(
    "/channels",
    response={200: list[ChannelCountOut], **ERROR_RESPONSES},
    summary="Requests per channel (web, API, assisted, phone) over the last N days (staff)",
)
def channels(request: HttpRequest, days: int = Query(30, ge=1, le=3650)) -> list[dict[str, Any]]:
    if not rules.can_work_any_queue(_user(request)):
        raise PermissionDeniedError("Only department staff can see channel figures.")
    since = timezone.now() - dt.timedelta(days=days)
    counts = dict(selectors.channel_usage_by_value(since=since))
    return [{"channel": value, "requests": counts.get(value, 0)} for value in Channel.values]
