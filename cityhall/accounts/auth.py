"""API token authentication for /api/v1/ (and, later, the CKAN and Open311 endpoints)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security.base import AuthBase

from cityhall.accounts.models import User
from cityhall.accounts.services import api_token_authenticate


def token_from_request(request: HttpRequest) -> str | None:
    """Accept 'Authorization: Bearer <token>', a bare 'Authorization: <token>' (as CKAN clients send)."""
    header = request.headers.get("Authorization", "").strip()
    if not header:
        return None
    scheme, _, rest = header.partition(" ")
    if rest and scheme.lower() in {"bearer", "token"}:
        return rest.strip()
    return header if " " not in header else None


class ApiTokenAuth(AuthBase):
    openapi_type = "http"
    openapi_scheme = "bearer"

    def __init__(self) -> None:
        self.openapi_bearerFormat = "chk_…"
        super().__init__()

    def __call__(self, request: HttpRequest) -> User | None:
        secret = token_from_request(request)
        if secret is None:
            return None
        user = api_token_authenticate(secret)
        request.user = user
        return user

    def _noop(self, *args: Any) -> None:  # pragma: no cover - keeps AuthBase's protocol explicit
        return None
