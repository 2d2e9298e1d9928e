"""API conventions every router follows: error handlers, pagination, the health endpoints."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, include, path
from ninja import Field, NinjaAPI, Router, Schema, Status
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.pagination import PaginationBase

from cityhall.core.errors import (
    STATUS_CODES,
    ApiError,
    FieldError,
    ServiceError,
    error_response,
)

logger = logging.getLogger(__name__)

MAX_PAGE_SIZE = 200


class ErrorDetail(Schema):
    location: str
    message: str


class ErrorBody(Schema):
    status: int
    code: str
    message: str
    fields: list[ErrorDetail]


class ErrorOut(Schema):
    """The one error shape of /api/v1/."""

    error: ErrorBody


class PagePagination(PaginationBase):
    """The one pagination convention: ?page=N&page_size=M (at most 200), with counts and links."""

    class Input(Schema):
        page: int = Field(1, ge=1, description="Page number, starting at 1.")
        page_size: int = Field(
            50, ge=1, le=MAX_PAGE_SIZE, description=f"Items per page, 1 to {MAX_PAGE_SIZE}."
        )

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        page_size: int
        next: str | None
        previous: str | None

    items_attribute = "items"

    def paginate_queryset(
        self, queryset: Any, pagination: Input, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        offset = (pagination.page - 1) * pagination.page_size
        items = list(queryset[offset : offset + pagination.page_size])
        count = queryset.count() if hasattr(queryset, "count") and callable(queryset.count) else len(queryset)
        return {
            "items": items,
            "count": count,
            "page": pagination.page,
            "page_size": pagination.page_size,
            "next": _page_link(request, pagination.page + 1, pagination.page_size)
            if offset + pagination.page_size < count
            else None,
            "previous": _page_link(request, pagination.page - 1, pagination.page_size)
            if pagination.page > 1
            else None,
        }


def _page_link(request: HttpRequest, page: int, page_size: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    query["page_size"] = str(page_size)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def _validation_fields(errors: list[dict[str, Any]]) -> list[FieldError]:
    fields = []
    for item in errors:
        location = ".".join(str(part) for part in item.get("loc", ()))
        fields.append(FieldError(location=location, message=str(item.get("msg", "is not valid"))))
    return fields


def install_error_handlers(api: NinjaAPI) -> None:
    """Every failure under the API answers with ErrorOut, never HTML, never a bare 500."""

    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return error_response(exc.status, exc.code, exc.message, exc.fields)

    def on_service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
        return error_response(exc.status, exc.code, exc.message)

    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields = _validation_fields(list(exc.errors))
        summary = "; ".join(f"{f.location}: {f.message}" for f in fields[:5])
        return error_response(422, "validation_error", f"The request has invalid values ({summary}).", fields)

    def on_authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(401, "not_authenticated", STATUS_CODES[401][1])

    def on_authorization(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        return error_response(403, "permission_denied", STATUS_CODES[403][1])

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        status = exc.status_code
        code, default = STATUS_CODES.get(status, ("error", "The request failed."))
        message = str(exc) or default
        if status == 400 and message.startswith("Cannot parse request body"):
            code, message = "malformed_json", "The request body is not valid JSON."
        return error_response(status, code, message)

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(404, "not_found", str(exc) or STATUS_CODES[404][1])

    def on_permission(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return error_response(403, "permission_denied", str(exc) or STATUS_CODES[403][1])

    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return error_response(413, "body_too_large", STATUS_CODES[413][1])

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("api.unhandled_error", extra={"path": request.path})
        return error_response(500, "internal_error", STATUS_CODES[500][1])

    handlers: list[tuple[type[Exception], Callable[..., HttpResponse]]] = [
        (ApiError, on_api_error),
        (ServiceError, on_service_error),
        (ValidationError, on_validation),
        (AuthenticationError, on_authentication),
        (AuthorizationError, on_authorization),
        (HttpError, on_http_error),
        (Http404, on_not_found),
        (PermissionDenied, on_permission),
        (RequestDataTooBig, on_too_big),
        (Exception, on_unexpected),
    ]
    for exception_class, handler in handlers:
        api.add_exception_handler(exception_class, handler)


ERROR_RESPONSES: dict[int, type[Schema]] = {
    code: ErrorOut for code in (400, 401, 403, 404, 413, 415, 422, 429)
}

router = Router(tags=["platform"])


class PingOut(Schema):
    status: str


class HealthOut(Schema):
    status: str
    database: dict[str, Any]
    tasks: dict[str, Any]


@router.get("/ping", response=PingOut, auth=None, summary="Liveness: answers without touching anything")
def ping(request: HttpRequest) -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/health",
    response={200: HealthOut, 503: HealthOut},
    auth=None,
    summary="Database and task-queue state, including the age of the oldest waiting task",
)
def health(request: HttpRequest) -> Status[dict[str, Any]]:
    from cityhall.core.health import health_report

    report = health_report()
    return Status(200 if report["status"] == "ok" else 503, report)


def urls_grouped(urls: tuple[list[Any], str, str]) -> tuple[list[Any], str, str]:
    """The API's URL patterns with those that share a literal first segment (`voting/...`) under one
    include. Django tries patterns one by one and the API has ~250, so a call to a router listed late
    tried some 200 regular expressions before its own; grouped, it tries ~20. Names, arguments and
    order within a group are kept; a path can only match within the group of its first segment."""
    patterns, app_name, namespace = urls
    grouped: list[Any] = []
    groups: dict[str, list[Any]] = {}
    for pattern in patterns:
        route = str(pattern.pattern)
        head, slash, rest = route.partition("/")
        literal = slash and "<" not in head and isinstance(pattern, URLPattern)
        if not literal:
            grouped.append(pattern)
            continue
        if head not in groups:
            groups[head] = []
            grouped.append(path(f"{head}/", include(groups[head])))
        groups[head].append(path(rest, pattern.callback, pattern.default_args, name=pattern.name))
    return grouped, app_name, namespace
