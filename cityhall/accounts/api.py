"""/api/v1/accounts/: who am I, my API tokens, departments."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from cityhall.accounts import rules, selectors, services
from cityhall.accounts.models import Department, User
from cityhall.core.api import ERROR_RESPONSES
from cityhall.core.errors import ApiError
from cityhall.core.models import AuditEvent

router = Router(tags=["accounts"])


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


class MeOut(Schema):
    id: uuid.UUID
    email: str
    full_name: str
    roles: list[str]
    permissions: list[str]


@router.get("/me", response={200: MeOut, **ERROR_RESPONSES}, summary="The account behind the token")
def me(request: HttpRequest) -> dict[str, Any]:
    user = _user(request)
    return {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "roles": sorted(str(role) for role in rules.user_roles(user)),
        "permissions": sorted(str(p) for p in rules.user_permissions(user)),
    }


class TokenOut(Schema):
    id: uuid.UUID
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreateIn(Schema):
    name: str = Field(..., min_length=1, max_length=100, description="What will use the token.")
    expires_in_days: int | None = Field(None, ge=1, le=3650)


class TokenCreatedOut(TokenOut):
    secret: str = Field(..., description="Shown once; store it now.")


@router.get("/tokens", response={200: list[TokenOut], **ERROR_RESPONSES}, summary="My API tokens")
@paginate
def token_list(request: HttpRequest) -> Any:
    return selectors.api_tokens_of(user=_user(request))


@router.post("/tokens", response={201: TokenCreatedOut, **ERROR_RESPONSES}, summary="Create an API token")
def token_create(request: HttpRequest, payload: TokenCreateIn) -> Status[dict[str, Any]]:
    user = _user(request)
    token, secret = services.api_token_create(
        actor=user, user=user, name=payload.name, expires_in_days=payload.expires_in_days
    )
    return Status(201, {**TokenOut.model_validate(token).model_dump(), "secret": secret})


@router.post(
    "/tokens/{token_id}/revoke",
    response={200: TokenOut, **ERROR_RESPONSES},
    summary="Revoke an API token",
)
def token_revoke(request: HttpRequest, token_id: uuid.UUID) -> Any:
    return services.api_token_revoke(actor=_user(request), token_id=token_id)


class DepartmentOut(Schema):
    id: uuid.UUID
    slug: str
    name: str
    name_translations: dict[str, str]
    parent_id: uuid.UUID | None
    email: str
    phone: str


class DepartmentCreateIn(Schema):
    slug: str = Field(..., pattern=r"^[a-z0-9][a-z0-9-]{0,99}$")
    name: str = Field(..., min_length=1, max_length=200)
    name_translations: dict[str, str] = Field(default_factory=dict)
    parent_id: uuid.UUID | None = None
    email: str = ""
    phone: str = Field("", max_length=50)


@router.get(
    "/departments",
    response={200: list[DepartmentOut], **ERROR_RESPONSES},
    auth=None,
    summary="The city's departments",
)
@paginate
def department_list(request: HttpRequest) -> Any:
    return selectors.department_list()


@router.post("/departments", response={201: DepartmentOut, **ERROR_RESPONSES}, summary="Create a department")
def department_create(request: HttpRequest, payload: DepartmentCreateIn) -> Status[Department]:
    parent = None
    if payload.parent_id is not None:
        parent = Department.objects.filter(pk=payload.parent_id).first()
        if parent is None:
            raise ApiError(422, "unknown_parent", "parent_id names no existing department.")
    department = services.department_create(
        actor=_user(request),
        slug=payload.slug,
        name=payload.name,
        parent=parent,
        name_translations=payload.name_translations,
        email=payload.email,
        phone=payload.phone,
    )
    return Status(201, department)


audit_router = Router(tags=["audit"])


class AuditEventOut(Schema):
    seq: int
    at: dt.datetime
    actor: str
    actor_role: str
    action: str
    object_type: str
    object_id: str
    purpose: str
    data: dict[str, Any]
    prev_hash: str
    hash: str


@audit_router.get(
    "/events",
    response={200: list[AuditEventOut], **ERROR_RESPONSES},
    summary="The audit log, newest first (administrators)",
)
@paginate
def audit_event_list(request: HttpRequest, action: str | None = None) -> Any:
    if not rules.can_view_audit_log(_user(request)):
        raise ApiError(403, "permission_denied", "Only administrators can read the audit log.")
    events = AuditEvent.objects.order_by("-seq")
    if action:
        events = events.filter(action=action)
    return events
