"""Writes for accounts: users, departments, roles and API tokens. Each one audited in its transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from cityhall.accounts import rules
from cityhall.accounts.contracts import STAFF_ROLES, Role
from cityhall.accounts.levels import level_columns, level_from, level_note
from cityhall.accounts.models import ApiToken, Department, RoleAssignment, User
from cityhall.core.audit import Actor, audit_record
from cityhall.core.errors import ApiError, NotFoundError, PermissionDeniedError, ServiceError
from cityhall.core.rows import row_get_with

TOKEN_PREFIX = "chk_"  # noqa: S105 - a public marker, not a secret
TOKEN_LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def audit_actor(user: Any | None, *, system: str = "cli") -> Actor:
    """The audit identity of whoever acts: a signed-in user, or a named platform process."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Actor.system(system)
    roles = rules.user_roles(user)
    main_role = next((role for role in Role if role in roles and role in STAFF_ROLES), Role.RESIDENT)
    return Actor(ref=f"user:{user.pk}", role=str(main_role))


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDeniedError(message)


# --- Users ---------------------------------------------------------------------------------


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    email: str,
    password: str | None,
    full_name: str = "",
    email_verified: bool = False,
    preferred_language: str = "en",
) -> User:
    if actor is not None:
        _require(rules.can_manage_users(actor), "Only administrators can create accounts for others.")
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ServiceError(f"An account with the email address {email} already exists.", code="duplicate")
    user = User.objects.create_user(
        email, password, full_name=full_name, preferred_language=preferred_language
    )
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=email_verified)
    audit_record(
        actor=audit_actor(actor),
        action="user.create",
        object_type="user",
        object_id=str(user.pk),
        data={"email_verified": email_verified},
    )
    return user


@transaction.atomic
def user_set_password(*, actor: User | None, user: User, password: str) -> None:
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        actor=audit_actor(actor),
        action="user.password_set",
        object_type="user",
        object_id=str(user.pk),
    )


# --- Departments ---------------------------------------------------------------------------


@transaction.atomic
def department_create(
    *,
    actor: User | None,
    slug: str,
    name: str,
    parent: Department | None = None,
    name_translations: dict[str, str] | None = None,
    email: str = "",
    phone: str = "",
) -> Department:
    if actor is not None:
        _require(rules.can_manage_departments(actor), "Only administrators can create departments.")
    if Department.objects.filter(slug=slug).exists():
        raise ServiceError(f"A department with the short name “{slug}” already exists.", code="duplicate")
    department = Department.objects.create(
        slug=slug,
        name=name,
        parent=parent,
        name_translations=name_translations or {},
        email=email,
        phone=phone,
    )
    audit_record(
        actor=audit_actor(actor),
        action="department.create",
        object_type="department",
        object_id=str(department.pk),
        data={"slug": slug, "name": name, "parent": str(parent.pk) if parent else None},
    )
    return department


@transaction.atomic
def department_move(*, actor: User | None, department: Department, parent: Department | None) -> None:
    if actor is not None:
        _require(rules.can_manage_departments(actor), "Only administrators can reorganise departments.")
    if parent is not None and department.pk in rules.department_lineage(parent.pk):
        raise ServiceError(
            f"“{department.name}” cannot be placed inside “{parent.name}”: "
            "that would put the department inside itself.",
            code="cycle",
        )
    previous = department.parent_id
    department.parent = parent
    department.save(update_fields=["parent", "updated_at"])
    audit_record(
        actor=audit_actor(actor),
        action="department.move",
        object_type="department",
        object_id=str(department.pk),
        data={
            "from": str(previous) if previous else None,
            "to": str(parent.pk) if parent else None,
        },
    )


# --- Roles ---------------------------------------------------------------------------------


def _sync_admin_site_access(user: User) -> None:
    is_admin = RoleAssignment.objects.filter(user=user, role=Role.ADMINISTRATOR).exists()
    if user.is_staff != is_admin or user.is_superuser != is_admin:
        user.is_staff = is_admin
        user.is_superuser = is_admin
        user.save(update_fields=["is_staff", "is_superuser"])


@transaction.atomic
def role_assign(
    *, actor: User | None, user: User, role: Role, department: Department | None = None
) -> RoleAssignment:
    if actor is not None:
        _require(rules.can_manage_users(actor), "Only administrators can give people roles.")
    if role == Role.RESIDENT:
        raise ServiceError("Every account is a resident already; choose a staff role.", code="invalid_role")
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, department=department, defaults={"granted_by": actor}
    )
    if created:
        _sync_admin_site_access(user)
        audit_record(
            actor=audit_actor(actor),
            action="role.assign",
            object_type="user",
            object_id=str(user.pk),
            data={"role": str(role), "department": str(department.pk) if department else None},
        )
    rules.forget_cached_roles(user)
    return assignment


@transaction.atomic
def role_revoke(*, actor: User | None, user: User, role: Role, department: Department | None = None) -> None:
    if actor is not None:
        _require(rules.can_manage_users(actor), "Only administrators can take roles away.")
    deleted, _ = RoleAssignment.objects.filter(user=user, role=role, department=department).delete()
    if deleted:
        _sync_admin_site_access(user)
        audit_record(
            actor=audit_actor(actor),
            action="role.revoke",
            object_type="user",
            object_id=str(user.pk),
            data={"role": str(role), "department": str(department.pk) if department else None},
        )
    rules.forget_cached_roles(user)


# --- API tokens ----------------------------------------------------------------------------


def _hash_secret(secret: str) -> str:
    # Tokens carry 240 bits of randomness, so a fast hash is enough; nothing to brute-force.
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_create(
    *, actor: User | None, user: User, name: str, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the token and its secret, which is shown once only."""
    if actor is not None and actor.pk != user.pk:
        _require(rules.can_manage_users(actor), "You can only create API tokens for yourself.")
    name = name.strip()
    if not name:
        raise ServiceError("Give the token a name that says what will use it.", code="name_required")
    days = settings.API_TOKEN_DEFAULT_DAYS if expires_in_days is None else expires_in_days
    if days < 1 or days > 3650:
        raise ServiceError("A token must expire in 1 to 3650 days.", code="invalid_expiry")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(30)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        secret_hash=_hash_secret(secret),
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    audit_record(
        actor=audit_actor(actor),
        action="api_token.create",
        object_type="api_token",
        object_id=str(token.pk),
        data={
            "owner": str(user.pk),
            "name": token.name,
            "expires_in_days": days,
        },
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: User | None, token_id: uuid.UUID) -> ApiToken:
    token = ApiToken.objects.select_for_update().filter(pk=token_id).first()
    if token is None:
        raise NotFoundError("There is no API token with that id.")
    if actor is not None:
        _require(
            rules.can_revoke_api_token(actor, token_owner_id=token.user_id),
            "You can only revoke your own API tokens.",
        )
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit_record(
            actor=audit_actor(actor),
            action="api_token.revoke",
            object_type="api_token",
            object_id=str(token.pk),
            data={"owner": str(token.user_id)},
        )
    return token


def api_token_authenticate(secret: str) -> User:
    """The user behind a token secret, or ApiError(401) saying exactly why not."""
    return api_token_resolve(secret).user


def api_token_resolve(secret: str) -> ApiToken:
    """The valid token (with its user) for a secret, or ApiError(401) saying exactly why not."""
    # Read on every API call: row_get builds its SQL once, not per call as get() does, and the same
    # statement reads the owner's assurance level, which voting and supporting need next.
    found = row_get_with(
        ApiToken,
        related=("user",),
        extra=_owner_level_columns(connection.vendor),
        secret_hash=_hash_secret(secret.strip()),
    )
    if found is None:
        unknown = "This API token is not known. Check it was copied whole."
        raise ApiError(401, "token_invalid", unknown)
    token, facts = found
    level_note(token.user, level_from(resident=facts["resident"], emailed=facts["emailed"]))
    now = timezone.now()
    if token.revoked_at is not None:
        raise ApiError(
            401,
            "token_revoked",
            f"This API token was revoked on {token.revoked_at:%Y-%m-%d}. Create a new one.",
        )
    if token.expires_at is not None and token.expires_at <= now:
        raise ApiError(
            401,
            "token_expired",
            f"This API token expired on {token.expires_at:%Y-%m-%d}. Create a new one.",
        )
    if not token.user.is_active:
        raise ApiError(401, "account_disabled", "The account this API token belongs to is disabled.")
    if token.last_used_at is None or now - token.last_used_at > TOKEN_LAST_USED_RESOLUTION:
        _token_last_used_note(token.pk, now)
    return token


@lru_cache(maxsize=2)
def _owner_level_columns(vendor: str) -> Mapping[str, str]:
    """The owner's assurance facts in the token lookup, where the owner is joined as t1."""
    return level_columns(f"t1.{connection.ops.quote_name(User._meta.pk.column or 'id')}", vendor)


def _token_last_used_note(token_id: Any, now: dt.datetime) -> None:
    """last_used_at is a hint for the owner, not a record: on PostgreSQL its commit does not wait for
    the WAL flush (synchronous_commit off for this transaction only), so an API call does not pay a
    disk sync for it. A crash may lose the last fraction of a second of these hints, nothing else."""
    db = connections[DEFAULT_DB_ALIAS]
    # Only in a transaction of its own: SET LOCAL inside a caller's transaction would apply to all of it.
    if db.vendor != "postgresql" or db.in_atomic_block or not db.get_autocommit():
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
        return
    # The whole transaction in one round trip (client-side binding sends it as one simple query):
    # four would cost more CPU than the update itself on a busy server.
    with db.cursor() as cursor:
        try:
            cursor.execute(
                _token_note_sql(),
                [db.ops.adapt_datetimefield_value(now), ApiToken._meta.pk.get_db_prep_value(token_id, db)],
            )
        except Exception:
            cursor.execute("ROLLBACK")  # a failed statement leaves the explicit transaction open
            raise


@lru_cache(maxsize=1)
def _token_note_sql() -> str:
    """The note's transaction as one PostgreSQL query string; names come from the model."""
    quote = connection.ops.quote_name
    table = quote(ApiToken._meta.db_table)
    used = quote(str(ApiToken._meta.get_field("last_used_at").column))
    key = quote(ApiToken._meta.pk.column or "id")
    return (
        "BEGIN; SET LOCAL synchronous_commit TO OFF; "  # noqa: S608
        f"UPDATE {table} SET {used} = %s WHERE {key} = %s; COMMIT"
    )
