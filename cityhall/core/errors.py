"""One error body for every API error, and the exception that produces it.

{"error": {"status": 422, "code": "validation_error", "message": "...",
           "fields": [{"location": "body.email", "message": "..."}]}}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import JsonResponse


@dataclass(frozen=True, slots=True)
class FieldError:
    location: str
    message: str


@dataclass(slots=True)
class ApiError(Exception):
    """Raised by services and API code; rendered as the standard error body."""

    status: int
    code: str
    message: str
    fields: list[FieldError] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message


class ServiceError(Exception):
    """A business rule said no. Entry points turn it into a page message or an API error."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status


class PermissionDeniedError(ServiceError):
    status = 403
    code = "permission_denied"


class NotFoundError(ServiceError):
    status = 404
    code = "not_found"


def error_body(
    status: int, code: str, message: str, fields: list[FieldError] | None = None
) -> dict[str, Any]:
    return {
        "error": {
            "status": status,
            "code": code,
            "message": message,
            "fields": [{"location": f.location, "message": f.message} for f in fields or []],
        }
    }


def error_response(
    status: int, code: str, message: str, fields: list[FieldError] | None = None
) -> JsonResponse:
    return JsonResponse(error_body(status, code, message, fields), status=status)


STATUS_CODES = {
    400: ("bad_request", "The request could not be understood."),
    401: (
        "not_authenticated",
        "This needs an API token: send it as 'Authorization: Bearer <token>'.",
    ),
    403: ("permission_denied", "Your account is not allowed to do this."),
    404: ("not_found", "There is nothing at this address."),
    405: ("method_not_allowed", "This address does not accept that HTTP method."),
    413: ("body_too_large", "The request body is larger than this server accepts."),
    415: ("unsupported_media_type", "Send the body as JSON with 'Content-Type: application/json'."),
    429: ("rate_limited", "Too many requests; wait a moment and try again."),
    500: (
        "internal_error",
        "Something went wrong on our side. It has been logged; try again later.",
    ),
    503: ("unavailable", "The service is temporarily unavailable; try again later."),
}


def status_error_response(status: int, message: str | None = None) -> JsonResponse:
    code, default_message = STATUS_CODES.get(status, ("error", "The request failed."))
    return error_response(status, code, message or default_message)
