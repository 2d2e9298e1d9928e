"""Request-level guards that every entry point shares."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from csp.constants import HEADER
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.loader import render_to_string

from cityhall.core.errors import status_error_response
from cityhall.core.logging import request_id_var

logger = logging.getLogger("cityhall.request")

API_PREFIX = "/api/v1/"
JSON_TYPES = ("application/json",)
BODY_TYPES_ACCEPTED = ("application/json", "multipart/form-data")

Handler = Callable[[HttpRequest], HttpResponseBase]


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


class RequestLogMiddleware:
    """One structured log line per request, with an id that is also returned in X-Request-ID."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if 8 <= len(incoming) <= 64 and incoming.isascii() else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        if logger.isEnabledFor(logging.INFO):
            user = getattr(request, "user", None)
            logger.info(
                "http.request",
                extra={
                    "request_id": request_id,
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "user": str(user.pk) if user is not None and user.is_authenticated else None,
                },
            )
        return response


class BodySizeLimitMiddleware:
    """Refuse bodies over MAX_REQUEST_BODY_BYTES before reading them (HTTP 413)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        declared = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(declared)
        except ValueError:
            length = -1
        if length < 0:
            return _error(request, 400, "The Content-Length header is not a number.")
        if length > settings.MAX_REQUEST_BODY_BYTES:
            limit_mb = settings.MAX_REQUEST_BODY_BYTES / (1024 * 1024)
            return _error(
                request, 413, f"The request body is {length} bytes; the limit is {limit_mb:.0f} MB."
            )
        return self.get_response(request)


class ApiGuardMiddleware:
    """Under /api/v1/: bodies must be JSON (or multipart uploads), and every error is the JSON shape."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not is_api_request(request):
            return self.get_response(request)
        if request.method in {"POST", "PUT", "PATCH"} and request.META.get("CONTENT_LENGTH", "0") not in {
            "",
            "0",
        }:
            content_type = request.content_type or ""
            if content_type not in BODY_TYPES_ACCEPTED:
                shown = content_type or "none"
                return status_error_response(
                    415,
                    f"The body was sent as {shown}; send JSON with 'Content-Type: application/json'.",
                )
        response = self.get_response(request)
        if response.status_code >= 400 and not _is_json(response):
            return status_error_response(response.status_code)
        return response


# What a JSON document needs: it is never rendered as a page, so it may load, frame or run nothing.
JSON_POLICY = "default-src 'none'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'"


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp for everything, except that a JSON response gets the fixed JSON_POLICY without
    building a policy from the settings: django-csp builds one per response (twice, with the
    report-only one), which cost more CPU than every other middleware together on an API call.
    A response that set its own policy, or was exempted, is left to django-csp."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if not _is_json(response) or HEADER in response or getattr(response, "_csp_exempt", False):
            return super().process_response(request, response)
        response[HEADER] = JSON_POLICY
        return response


def _is_json(response: HttpResponseBase) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip() in JSON_TYPES


def _error(request: HttpRequest, status: int, message: str) -> HttpResponseBase:
    if is_api_request(request) or "application/json" in request.headers.get("Accept", ""):
        return status_error_response(status, message)
    html = render_to_string(
        "web/error.html", {"status": status, "message": message, "title": message}, request=request
    )
    return HttpResponse(html, status=status)
