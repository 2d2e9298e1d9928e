"""Reads for service requests: service types, nearby reports, the Open311 search, the public list, queues."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import CharField, Count, Func, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from shapely.geometry import Point
from shapely.prepared import prep

from cityhall.core.geo import boundary_geometry
from cityhall.core.models import District
from cityhall.servicerequests.contracts import Channel, Datatype, Status
from cityhall.servicerequests.models import (
    OPEN_STATUS_VALUES,
    ServiceAttribute,
    ServiceRequest,
    ServiceRequestUpdate,
    ServiceType,
    Visibility,
)
from cityhall.servicerequests.validation import AttributeSpec

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE_LATITUDE = 111_320.0


def localized(default: str, translations: dict[str, Any] | None) -> str:
    """A public text in the reader's language, falling back to the default."""
    value = (translations or {}).get(get_language() or "en")
    return str(value) if value else default


# --- Service types --------------------------------------------------------------------------


def service_types(*, active_only: bool = True) -> QuerySet[ServiceType]:
    types = ServiceType.objects.select_related("department").annotate(attribute_count=Count("attributes"))
    return types.filter(active=True) if active_only else types


def service_type_by_code(code: str, *, active_only: bool = True) -> ServiceType | None:
    types = ServiceType.objects.select_related("department").filter(code=code)
    if active_only:
        types = types.filter(active=True)
    return types.first()


def attributes_of(service_type: ServiceType) -> list[ServiceAttribute]:
    return list(service_type.attributes.order_by("order"))


def attribute_specs(attributes: Iterable[ServiceAttribute]) -> list[AttributeSpec]:
    return [
        AttributeSpec(
            code=attribute.code,
            datatype=Datatype(attribute.datatype),
            required=attribute.required,
            variable=attribute.variable,
            description=attribute.description,
            values=tuple(
                (str(value["key"]), str(value.get("name", value["key"]))) for value in attribute.values
            ),
        )
        for attribute in attributes
    ]


def service_changeset() -> dt.datetime | None:
    """When the service list or any definition last changed (Open311 discovery `changeset`)."""
    newest = [
        ServiceType.objects.aggregate(at=Max("updated_at"))["at"],
        ServiceAttribute.objects.aggregate(at=Max("updated_at"))["at"],
    ]
    present = [value for value in newest if value is not None]
    return max(present) if present else None


# --- Places ---------------------------------------------------------------------------------


DISTRICTS_CACHE_KEY = "servicerequests:districts"
DEFINITION_CACHE_SECONDS = 60
_prepared_boundaries: dict[tuple[str, str], Any] = {}


def _district_boxes() -> list[tuple[str, str, float, float, float, float, dict[str, Any]]]:
    """Every district's id, version, bounding box and boundary; cached (districts rarely change)."""
    boxes = cache.get(DISTRICTS_CACHE_KEY)
    if boxes is None:
        boxes = [
            (
                str(d.pk),
                d.updated_at.isoformat(),
                d.min_latitude,
                d.max_latitude,
                d.min_longitude,
                d.max_longitude,
                d.boundary,
            )
            for d in District.objects.order_by("slug")
        ]
        cache.set(DISTRICTS_CACHE_KEY, boxes, DEFINITION_CACHE_SECONDS * 5)
    return list(boxes)


def forget_districts() -> None:
    cache.delete(DISTRICTS_CACHE_KEY)
    _prepared_boundaries.clear()


def district_id_at(*, latitude: float, longitude: float) -> uuid.UUID | None:
    """The district covering a point: bounding boxes first, then the exact boundary (shapely, prepared)."""
    point = Point(longitude, latitude)
    for district_id, version, min_lat, max_lat, min_lon, max_lon, boundary in _district_boxes():
        if not (min_lat <= latitude <= max_lat and min_lon <= longitude <= max_lon):
            continue
        geometry = _prepared_boundaries.get((district_id, version))
        if geometry is None:
            geometry = prep(boundary_geometry(boundary))
            _prepared_boundaries[(district_id, version)] = geometry
        if geometry.covers(point):
            return uuid.UUID(district_id)
    return None


# --- Service definitions (cached: every report reads one) -----------------------------------


@dataclass(frozen=True, slots=True)
class ServiceDefinition:
    """What a report of one service type needs: its questions, routing and SLA, as a plain value."""

    id: uuid.UUID
    code: str
    name: str
    department_id: uuid.UUID
    sla_hours: int | None
    service_notice: str
    attributes: tuple[AttributeSpec, ...]
    routing: tuple[tuple[uuid.UUID, uuid.UUID], ...]  # (district, department)

    def department_for(self, district_id: uuid.UUID | None) -> uuid.UUID:
        for district, department in self.routing:
            if district == district_id:
                return department
        return self.department_id


def _definition_key(code: str) -> str:
    return f"servicerequests:definition:{code}"


def service_definition(code: str) -> ServiceDefinition | None:
    """The active service type with that code, from the cache when it is there (60 s at most)."""
    key = _definition_key(code)
    cached = cache.get(key)
    if isinstance(cached, ServiceDefinition):
        return cached
    service_type = service_type_by_code(code)
    if service_type is None:
        return None  # unknown codes are not cached: junk cannot fill the cache
    definition = ServiceDefinition(
        id=service_type.pk,
        code=service_type.code,
        name=service_type.name,
        department_id=service_type.department_id,
        sla_hours=service_type.sla_hours,
        service_notice=service_type.service_notice,
        attributes=tuple(attribute_specs(attributes_of(service_type))),
        routing=tuple(service_type.routing_rules.values_list("district_id", "department_id")),
    )
    cache.set(key, definition, DEFINITION_CACHE_SECONDS)
    return definition


def forget_service_definitions(*codes: str) -> None:
    """Drop cached definitions (every code when none is given): a type, question or rule changed."""
    known = set(codes) or set(ServiceType.objects.values_list("code", flat=True))
    cache.delete_many([_definition_key(code) for code in known])


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


@dataclass(frozen=True, slots=True)
class NearbyRequest:
    request: ServiceRequest
    distance_m: float


def nearby_open_requests(
    *, service_type_id: uuid.UUID, latitude: float, longitude: float, radius_m: float
) -> list[NearbyRequest]:
    """Open requests of the type within radius_m: a bounding box in SQL, then the exact distance."""
    if radius_m <= 0:
        return []
    dlat = radius_m / METRES_PER_DEGREE_LATITUDE
    dlon = radius_m / (METRES_PER_DEGREE_LATITUDE * max(math.cos(math.radians(latitude)), 0.01))
    candidates = (
        ServiceRequest.objects.filter(
            service_type_id=service_type_id,
            status__in=OPEN_STATUS_VALUES,
            latitude__gte=latitude - dlat,
            latitude__lte=latitude + dlat,
            longitude__gte=longitude - dlon,
            longitude__lte=longitude + dlon,
        )
        .select_related("service_type", "district")
        .prefetch_related("photos")[:200]
    )
    found = []
    for candidate in candidates:
        distance = distance_m(latitude, longitude, candidate.latitude or 0.0, candidate.longitude or 0.0)
        if distance <= radius_m:
            found.append(NearbyRequest(candidate, distance))
    return sorted(found, key=lambda item: item.distance_m)


# --- Single requests ------------------------------------------------------------------------


def request_by_reference(reference: str) -> ServiceRequest | None:
    return (
        ServiceRequest.objects.select_related("service_type", "department", "district", "duplicate_of")
        .filter(reference=reference.strip().upper())
        .first()
    )


def request_by_id(request_id: uuid.UUID) -> ServiceRequest | None:
    return (
        ServiceRequest.objects.select_related("service_type", "department", "district")
        .filter(pk=request_id)
        .first()
    )


def public_updates(request: ServiceRequest) -> QuerySet[ServiceRequestUpdate]:
    return request.updates.filter(visibility=Visibility.PUBLIC).order_by("created_at")


def all_updates(request: ServiceRequest) -> QuerySet[ServiceRequestUpdate]:
    return request.updates.select_related("author").order_by("created_at")


# --- Lists ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RequestFilters:
    status: str = ""  # "open", "closed", or a Status value
    service_code: str = ""
    district: str = ""  # district slug
    department_id: uuid.UUID | None = None
    assigned: str = ""  # "me", "unassigned", or ""
    overdue: bool = False
    channel: str = ""
    reference: str = ""


def _filtered(
    requests: QuerySet[ServiceRequest], filters: RequestFilters, user: Any = None
) -> QuerySet[ServiceRequest]:
    if filters.status == "open":
        requests = requests.filter(is_open=True)
    elif filters.status == "closed":
        requests = requests.filter(is_open=False)
    elif filters.status in Status.values:
        requests = requests.filter(status=filters.status)
    if filters.service_code:
        requests = requests.filter(service_type__code=filters.service_code)
    if filters.district:
        requests = requests.filter(district__slug=filters.district)
    if filters.department_id:
        requests = requests.filter(department_id=filters.department_id)
    if filters.assigned == "me" and user is not None:
        requests = requests.filter(assigned_to_id=user.pk)
    elif filters.assigned == "unassigned":
        requests = requests.filter(assigned_to__isnull=True)
    if filters.overdue:
        requests = requests.filter(is_open=True, expected_at__lt=timezone.now())
    if filters.channel in Channel.values:
        requests = requests.filter(channel=filters.channel)
    if filters.reference:
        requests = requests.filter(reference__iexact=filters.reference.strip())
    return requests


def public_requests(filters: RequestFilters) -> QuerySet[ServiceRequest]:
    """Requests anyone may see; the pages show no personal data from them."""
    requests = ServiceRequest.objects.select_related("service_type", "district").order_by("-requested_at")
    return _filtered(
        requests,
        RequestFilters(status=filters.status, service_code=filters.service_code, district=filters.district),
    )


def staff_queue(
    user: Any, departments: Sequence[uuid.UUID], filters: RequestFilters
) -> QuerySet[ServiceRequest]:
    requests = (
        ServiceRequest.objects.filter(department_id__in=list(departments))
        .select_related("service_type", "department", "district", "assigned_to")
        .order_by("-requested_at")
    )
    return _filtered(requests, filters, user)


def map_points(filters: RequestFilters, *, limit: int = 500) -> list[dict[str, Any]]:
    """Public map pins: position, type, status, reference. Nothing about who reported."""
    rows = (
        public_requests(filters)
        .filter(latitude__isnull=False)
        .values("reference", "latitude", "longitude", "status", "service_type__name")[:limit]
    )
    return [
        {
            "reference": row["reference"],
            "lat": row["latitude"],
            "long": row["longitude"],
            "status": row["status"],
            "service": row["service_type__name"],
        }
        for row in rows
    ]


def channel_usage_by_value(*, since: dt.datetime) -> dict[str, int]:
    """Requests per channel since a moment, so the city can see how people reach it."""
    return dict(
        ServiceRequest.objects.filter(requested_at__gte=since)
        .values_list("channel")
        .annotate(n=Count("id"))
        .values_list("channel", "n")
    )


def status_counts() -> dict[str, int]:
    return dict(
        ServiceRequest.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )


def requests_of_reporter(user: Any) -> QuerySet[ServiceRequest]:
    return (
        ServiceRequest.objects.filter(
            Q(reporter_id=user.pk) | Q(followers__user_id=user.pk, followers__confirmed_at__isnull=False)
        )
        .select_related("service_type")
        .distinct()
        .order_by("-requested_at")
    )


# --- Open311 --------------------------------------------------------------------------------


class W3CDateTime(Func):
    """A timestamp as W3C text in UTC (2025-03-01T09:15:00Z), formatted by the database.

    A page of 1,000 requests has 3,000 timestamps; parsing them into datetimes only to print them
    again was the largest cost of the Open311 search."""

    arity = 1
    output_field = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # %%%% survives the template's % formatting and the backend's, leaving one % for strftime.
        template = "strftime('%%%%Y-%%%%m-%%%%dT%%%%H:%%%%M:%%%%SZ', %(expressions)s)"
        return self.as_sql(compiler, connection, template=template, **extra)


OPEN311_REQUEST_COLUMNS = (
    "reference",
    "status",
    "status_notes",
    "service_type__name",
    "service_type__code",
    "description",
    "department__name",
    "service_type__service_notice",
    "requested_w3c",
    "updated_w3c",
    "expected_w3c",
    "address",
    "address_id",
    "zipcode",
    "latitude",
    "longitude",
    "media_url",
)


def _open311_rows(requests: QuerySet[ServiceRequest]) -> QuerySet[ServiceRequest, dict[str, Any]]:
    return requests.annotate(
        requested_w3c=W3CDateTime("requested_at"),
        updated_w3c=W3CDateTime("updated_at"),
        expected_w3c=W3CDateTime("expected_at"),
    ).values(*OPEN311_REQUEST_COLUMNS)


def service_type_ids(codes: Sequence[str]) -> dict[str, uuid.UUID]:
    return dict(ServiceType.objects.filter(code__in=list(codes)).values_list("code", "id"))


def open311_requests_by_id(references: Sequence[str]) -> list[dict[str, Any]]:
    return list(
        _open311_rows(ServiceRequest.objects.filter(reference__in=list(references)).order_by("-requested_at"))
    )


def open311_requests(
    *,
    start: dt.datetime,
    end: dt.datetime,
    service_type_ids: Sequence[uuid.UUID] = (),
    is_open: bool | None = None,
    offset: int = 0,
    limit: int = 1000,
) -> list[dict[str, Any]]:
    """The Open311 search: requested between start and end, newest first, one page (indexed)."""
    requests = ServiceRequest.objects.filter(requested_at__gte=start, requested_at__lte=end)
    if service_type_ids:
        requests = requests.filter(service_type_id__in=list(service_type_ids))
    if is_open is not None:
        requests = requests.filter(is_open=is_open)
    return list(_open311_rows(requests.order_by("-requested_at"))[offset : offset + limit])


def open311_updates(*, start: dt.datetime, end: dt.datetime, limit: int = 1000) -> list[dict[str, Any]]:
    """Public updates made between start and end (mySociety's servicerequestupdates), oldest first."""
    rows = (
        ServiceRequestUpdate.objects.filter(
            visibility=Visibility.PUBLIC, created_at__gte=start, created_at__lte=end
        )
        .order_by("created_at")
        .annotate(created_w3c=W3CDateTime("created_at"))
        .values("id", "request__reference", "status", "created_w3c", "description", "media_url")[:limit]
    )
    return [dict(row) for row in rows]
