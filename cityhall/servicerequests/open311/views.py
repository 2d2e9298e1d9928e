"""Open311 GeoReport v2 endpoints (docs/servicerequests.md). Thin: parse, call a selector or service, render.

Status codes are the spec's: 404 for what does not exist, 403 for a missing or wrong api_key, 400 for
everything else; the body is always the spec's error list, in the format the URL asked for.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from cityhall.accounts.facade import user_for_api_token
from cityhall.core.errors import ApiError, NotFoundError, PermissionDeniedError, ServiceError
from cityhall.servicerequests import selectors, services
from cityhall.servicerequests.contracts import OPEN_STATUSES, Channel, Datatype, Status
from cityhall.servicerequests.open311.render import (
    FORMATS,
    JSON,
    XML,
    ListOf,
    Open311Error,
    Raw,
    document,
    errors,
    flat_listing,
    listing,
)
from cityhall.servicerequests.validation import InvalidRequestError, open311_attributes, parse_w3c_datetime

logger = logging.getLogger(__name__)

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
MAX_WINDOW = dt.timedelta(days=90)
MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 100  # the fact sheet's recommendation for the pagination extension
MAX_IDS = 1000
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
CACHEABLE = "public, max-age=300"

# How the richer internal states travel in the update feed (FixMyStreet's extended status words).
UPDATE_STATUS_WORDS = {
    Status.SUBMITTED: "open",
    Status.ACKNOWLEDGED: "investigating",
    Status.IN_PROGRESS: "in_progress",
    Status.SCHEDULED: "action_scheduled",
    Status.RESOLVED: "fixed",
    Status.CLOSED: "closed",
    Status.DUPLICATE: "duplicate",
    Status.NOT_RESPONSIBLE: "not_councils_responsibility",
}


class Open311Problem(Exception):  # noqa: N818 - a stop signal, named as the spec names it
    """Stops a request with the spec's status code and one or more errors."""

    def __init__(self, status: int, *descriptions: str, code: int | str | None = None) -> None:
        super().__init__(descriptions[0] if descriptions else "")
        self.status = status
        self.errors = [Open311Error(code if code is not None else status, text) for text in descriptions]


def jurisdiction() -> str:
    configured = settings.OPEN311_JURISDICTION_ID
    if configured:
        return str(configured)
    host = urlsplit(settings.CITYHALL_BASE_URL).hostname or "localhost"
    return host.removeprefix("www.")


def _param(request: HttpRequest, name: str) -> str:
    """A parameter from the body (POST) or the query string; empty counts as absent."""
    value = request.POST.get(name) if request.method == "POST" else None
    if value is None:
        value = request.GET.get(name, "")
    return value.strip()


def _check_jurisdiction(request: HttpRequest) -> None:
    given = _param(request, "jurisdiction_id")
    served = jurisdiction()
    if given and given.lower() != served.lower():
        raise Open311Problem(
            404,
            _("This server does not serve jurisdiction_id %(given)s; it serves %(served)s.")
            % {"given": given[:100], "served": served},
        )


def endpoint(*methods: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Method check, jurisdiction check, and every failure turned into the spec's error list."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            try:
                if fmt not in FORMATS:
                    raise Open311Problem(
                        404, _("There is nothing at this address; use the .xml or .json suffix.")
                    )
                allowed = {*methods, "HEAD"} if "GET" in methods else set(methods)
                if request.method not in allowed:
                    raise Open311Problem(
                        400,
                        _("This address accepts %(methods)s, not %(method)s.")
                        % {"methods": " and ".join(methods), "method": request.method},
                    )
                if request.method == "POST":
                    _check_form_body(request)
                _check_jurisdiction(request)
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Problem as problem:
                return errors(fmt, problem.status, problem.errors)
            except InvalidRequestError as error:
                status = 404 if error.status == 404 else 400
                return errors(fmt, status, [Open311Error(status, item.message) for item in error.fields])
            except PermissionDeniedError as error:
                return errors(fmt, 403, [Open311Error(403, error.message)])
            except NotFoundError as error:
                return errors(fmt, 404, [Open311Error(404, error.message)])
            except ServiceError as error:
                return errors(fmt, 400, [Open311Error(400, error.message)])
            except (RequestDataTooBig, TooManyFieldsSent):
                return errors(fmt, 400, [Open311Error(400, _("The request body is too large; send less."))])
            except Exception:
                logger.exception("open311.unhandled_error", extra={"path": request.path})
                return errors(
                    fmt,
                    500,
                    [
                        Open311Error(
                            500, _("Something went wrong on our side. It has been logged; try again later.")
                        )
                    ],
                )

        return wrapped

    return decorator


def _check_form_body(request: HttpRequest) -> None:
    if (request.content_type or "") not in FORM_TYPES:
        raise Open311Problem(
            400,
            _(
                "Send the body form-encoded (Content-Type: application/x-www-form-urlencoded; charset=utf-8) "
                "or as multipart/form-data, not %(type)s."
            )
            % {"type": request.content_type or _("nothing")},
        )
    request.POST  # noqa: B018 - parse now, so a body over the limits is reported as an Open311 error


def _caller(request: HttpRequest) -> Any:
    secret = _param(request, "api_key")
    if not secret:
        raise Open311Problem(
            403, _("The api_key is missing; create an API token on the city's site and send it as api_key.")
        )
    try:
        caller = user_for_api_token(secret)
    except ApiError as error:
        raise Open311Problem(
            403, _("The api_key is invalid: %(reason)s") % {"reason": error.message}
        ) from error
    _rate_limit(caller.token_id)
    return caller


def _rate_limit(token_id: Any) -> None:
    limit = int(getattr(settings, "OPEN311_POSTS_PER_MINUTE", 0) or 0)
    if limit <= 0:
        return
    window = int(timezone.now().timestamp() // 60)
    key = f"open311:posts:{token_id}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:
        count = 1
    if count > limit:
        raise Open311Problem(
            400,
            _("This api_key sent more than %(limit)d requests this minute; wait a minute and try again.")
            % {"limit": limit},
            code=429,
        )


# --- Discovery and services -----------------------------------------------------------------


def _base_url() -> str:
    return f"{settings.CITYHALL_BASE_URL}/open311/v2"


def _changeset() -> str:
    changed = selectors.service_changeset()
    return (
        changed.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        if changed
        else "1970-01-01 00:00:00.000000"
    )


@endpoint("GET")
def discovery(request: HttpRequest, *, fmt: str) -> HttpResponse:
    changeset = _changeset()
    contact = settings.OPEN311_CONTACT or settings.DEFAULT_FROM_EMAIL
    body = {
        "changeset": changeset,
        "contact": contact,
        "key_service": _("Create an API token at %(url)s and send it as api_key.")
        % {"url": f"{settings.CITYHALL_BASE_URL}/account/tokens/"},
        "endpoints": ListOf(
            "endpoint",
            [
                {
                    "specification": SPECIFICATION,
                    "url": _base_url(),
                    "changeset": changeset,
                    "type": settings.OPEN311_ENDPOINT_TYPE,
                    "formats": ListOf("format", ["text/xml", "application/json"]),
                }
            ],
        ),
    }
    response = document(fmt, "discovery", body)
    response["Cache-Control"] = CACHEABLE
    return response


@endpoint("GET")
def service_list(request: HttpRequest, *, fmt: str) -> HttpResponse:
    items = [
        {
            "service_code": service_type.code,
            "service_name": selectors.localized(service_type.name, service_type.name_translations),
            "description": selectors.localized(
                service_type.description, service_type.description_translations
            ),
            "metadata": service_type.attribute_count > 0,  # type: ignore[attr-defined]
            "type": "realtime",
            "keywords": service_type.keywords,
            "group": service_type.group,
        }
        for service_type in selectors.service_types()
    ]
    response = listing(fmt, "services", "service", items)
    response["Cache-Control"] = CACHEABLE
    return response


@endpoint("GET")
def service_definition(request: HttpRequest, code: str, *, fmt: str) -> HttpResponse:
    service_type = selectors.service_type_by_code(code)
    if service_type is None:
        raise Open311Problem(404, _("There is no service with the code %(code)s.") % {"code": code[:60]})
    attributes = []
    for attribute in selectors.attributes_of(service_type):
        item: dict[str, Any] = {
            "variable": attribute.variable,
            "code": attribute.code,
            "datatype": attribute.datatype,
            "required": attribute.required,
            "datatype_description": attribute.datatype_description or None,
            "order": attribute.order,
            "description": selectors.localized(attribute.description, attribute.description_translations),
        }
        if attribute.datatype in {Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST}:
            item["values"] = ListOf(
                "value",
                [
                    {
                        "key": str(value["key"]),
                        "name": selectors.localized(
                            str(value.get("name", value["key"])), value.get("name_translations")
                        ),
                    }
                    for value in attribute.values
                ],
            )
        attributes.append(item)
    response = document(
        fmt,
        "service_definition",
        {"service_code": service_type.code, "attributes": ListOf("attribute", attributes)},
    )
    response["Cache-Control"] = CACHEABLE
    return response


# --- Requests -------------------------------------------------------------------------------


def _request_item(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "service_request_id": row["reference"],
        "status": "open" if row["status"] in OPEN_STATUSES else "closed",
        "status_notes": row["status_notes"] or None,
        "service_name": row["service_type__name"],
        "service_code": row["service_type__code"],
        "description": row["description"] or None,
        "agency_responsible": row["department__name"] or None,
        "service_notice": row["service_type__service_notice"] or None,
        "requested_datetime": row["requested_w3c"],
        "updated_datetime": row["updated_w3c"],
        "expected_datetime": row["expected_w3c"],
        "address": row["address"] or None,
        "address_id": row["address_id"] or None,
        "zipcode": row["zipcode"] or None,
        "lat": row["latitude"],
        "long": row["longitude"],
        "media_url": row["media_url"] or None,
    }


def _split(value: str) -> list[str]:
    return list(dict.fromkeys(item.strip() for item in value.split(",") if item.strip()))


def _moment(request: HttpRequest, name: str) -> dt.datetime | None:
    raw = _param(request, name)
    if not raw:
        return None
    moment = parse_w3c_datetime(raw)
    if moment is None:
        raise Open311Problem(
            400,
            _("%(name)s must be a W3C datetime with its time zone, like 2010-01-01T00:00:00Z; got %(value)s.")
            % {"name": name, "value": raw[:40]},
        )
    return moment


def date_window(request: HttpRequest) -> tuple[dt.datetime, dt.datetime]:
    """start_date/end_date: at most 90 days; one alone spans 90 days from it; none, the last 90 days."""
    now = timezone.now()
    start, end = _moment(request, "start_date"), _moment(request, "end_date")
    if start and end:
        if end < start:
            raise Open311Problem(400, _("end_date is before start_date; swap them."))
        if end - start > MAX_WINDOW:
            days = (end - start) / dt.timedelta(days=1)
            raise Open311Problem(
                400,
                _("The date range is %(days).1f days long; ask for 90 days or less (start_date to end_date).")
                % {"days": days},
            )
        return start, end
    if start:
        return start, max(start, min(start + MAX_WINDOW, now))
    if end:
        return end - MAX_WINDOW, end
    return now - MAX_WINDOW, now


def _positive(request: HttpRequest, name: str, default: int, maximum: int) -> int:
    raw = _param(request, name)
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise Open311Problem(
            400, _("%(name)s must be a whole number from 1 to %(max)d.") % {"name": name, "max": maximum}
        )
    return int(raw)


def _search(request: HttpRequest, fmt: str) -> HttpResponse:
    ids = [item.upper() for item in _split(_param(request, "service_request_id"))]
    if ids:  # overrides every other filter, the date window included
        if len(ids) > MAX_IDS:
            raise Open311Problem(
                400, _("Ask for at most %(max)d service_request_id values at once.") % {"max": MAX_IDS}
            )
        rows = selectors.open311_requests_by_id(ids)
        return flat_listing(fmt, "service_requests", "request", [_request_item(row) for row in rows])
    codes = _split(_param(request, "service_code"))
    type_ids = selectors.service_type_ids(codes) if codes else {}
    unknown = [code for code in codes if code not in type_ids]
    if unknown:
        raise Open311Problem(
            400,
            _("service_code %(codes)s is not a service of this city; see services.%(fmt)s.")
            % {"codes": ", ".join(unknown)[:200], "fmt": fmt},
        )
    statuses = set(_split(_param(request, "status").lower()))
    if statuses - {"open", "closed"}:
        raise Open311Problem(400, _("status must be open, closed, or open,closed."))
    is_open = None if len(statuses) != 1 else statuses == {"open"}
    start, end = date_window(request)
    page = _positive(request, "page", 1, 1_000_000)
    page_size = _positive(request, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    rows = selectors.open311_requests(
        start=start,
        end=end,
        service_type_ids=list(type_ids.values()),
        is_open=is_open,
        offset=(page - 1) * page_size,
        limit=page_size,
    )
    return flat_listing(fmt, "service_requests", "request", [_request_item(row) for row in rows])


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    caller = _caller(request)
    post = request.POST
    draft = services.ServiceRequestDraft(
        service_code=post.get("service_code", ""),
        lat=post.get("lat", ""),
        long=post.get("long", ""),
        address=post.get("address_string", ""),
        address_id=post.get("address_id", ""),
        zipcode=post.get("zipcode", ""),
        description=post.get("description", ""),
        attributes=open311_attributes(post),
        email=post.get("email", ""),
        first_name=post.get("first_name", ""),
        last_name=post.get("last_name", ""),
        phone=post.get("phone", ""),
        device_id=post.get("device_id", ""),
        account_id=post.get("account_id", ""),
        media_url=post.get("media_url", ""),
        photos=request.FILES.getlist("media"),
    )
    submission = services.service_request_create(
        actor=caller.user,
        draft=draft,
        channel=Channel.API,
        reporter_is_actor=False,
        api_token_id=caller.token_id,
        idempotency_key=request.headers.get("Idempotency-Key") or None,
    )
    created = submission.request
    response = listing(
        fmt,
        "service_requests",
        "request",
        [
            {
                "service_request_id": created.reference,
                "service_notice": submission.service_notice or None,
                "account_id": None,
            }
        ],
    )
    if not submission.created:
        response["Idempotent-Replayed"] = "true"
    return response


@endpoint("GET", "POST")
def requests(request: HttpRequest, *, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    return _search(request, fmt)


@endpoint("GET")
def request_detail(request: HttpRequest, service_request_id: str, *, fmt: str) -> HttpResponse:
    rows = selectors.open311_requests_by_id([service_request_id.strip().upper()])
    if not rows:
        raise Open311Problem(404, _("There is no service request %(id)s.") % {"id": service_request_id[:40]})
    return flat_listing(fmt, "service_requests", "request", [_request_item(row) for row in rows])


@endpoint("GET")
def token(request: HttpRequest, token: str, *, fmt: str) -> HttpResponse:
    raise Open311Problem(
        404,
        _(
            "There is no token %(token)s: every service here is realtime, "
            "so a POST returns its service_request_id at once."
        )
        % {"token": token[:60]},
    )


# --- Service request updates (mySociety extension) ------------------------------------------


def _update_item(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "update_id": str(row["id"]),
        "service_request_id": row["request__reference"],
        "status": UPDATE_STATUS_WORDS.get(Status(row["status"]), "open") if row["status"] else "open",
        "updated_datetime": row["created_w3c"],
        "description": row["description"],
        "media_url": Raw(row["media_url"] or ""),
    }


@endpoint("GET", "POST")
def updates(request: HttpRequest, *, fmt: str) -> HttpResponse:
    if request.method == "POST":
        caller = _caller(request)
        update = services.service_request_update_from_client(
            actor=caller.user,
            reference=_param(request, "service_request_id").upper(),
            client_update_id=request.POST.get("update_id", ""),
            status_word=request.POST.get("status", ""),
            description=request.POST.get("description", ""),
            media_url=request.POST.get("media_url", "").strip(),
        )
        return listing(fmt, "service_request_updates", "request_update", [{"update_id": str(update.pk)}])
    start, end = date_window(request)
    rows = selectors.open311_updates(start=start, end=end)
    return flat_listing(fmt, "service_request_updates", "request_update", [_update_item(row) for row in rows])


@csrf_exempt
def not_found(request: HttpRequest, path: str) -> HttpResponse:
    fmt = JSON if path.endswith(".json") else XML
    return errors(fmt, 404, [Open311Error(404, _("There is nothing at this address; see discovery.xml."))])
