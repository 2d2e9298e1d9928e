"""Writes for accounts: users, departments, roles and API tokens. Each one audited in its transaction."""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import logging
import os
import secrets
import threading
import time
import uuid
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import connection, transaction
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
TOKEN_USES_WRITE_SECONDS = 1.0
TOKEN_USES_BATCH = 500

logger = logging.getLogger(__name__)


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
    """last_used_at is a hint for the owner, not a record, so it is not written by the API call that
    uses the token: the call notes it in memory and a thread of the worker process writes every note
    of the last second in one statement (_TokenUses). At hundreds of calls a second that is one write
    a second instead of one per call. A crash may lose the last second of these hints, nothing else.
    Inside a transaction (a caller's, or a test's) it is written at once, in that transaction; so it is
    on SQLite, whose one writer a second thread would have to wait for (an in-memory database does
    not even wait: "table is locked")."""
    if connection.vendor != "postgresql" or connection.in_atomic_block or not connection.get_autocommit():
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
        return
    _token_uses.note(token_id, now)


def api_token_uses_flush() -> int:
    """Write the token uses noted in this process now (the worker's thread does it every second, and
    at exit); returns how many tokens were written."""
    return _token_uses.flush()


class _TokenUses:
    """Token uses noted by API calls, written in one statement about once a second by a daemon thread
    of the process (started with the first note; a forked worker starts its own), and at exit."""

    def __init__(self, *, background: bool = True) -> None:
        self._lock = threading.Lock()
        self._pending: dict[Any, dt.datetime] = {}
        self._process = 0 if background else -1  # -1: never start the thread (written by flush() only)

    def note(self, token_id: Any, when: dt.datetime) -> None:
        with self._lock:
            self._pending[token_id] = when
            if self._process not in {os.getpid(), -1}:
                self._process = os.getpid()
                threading.Thread(target=self._run, name="cityhall-token-uses", daemon=True).start()
                atexit.register(self.flush)

    def _run(self) -> None:
        while True:
            time.sleep(TOKEN_USES_WRITE_SECONDS)
            try:
                self.flush()
            except Exception:  # a database outage: the notes wait for the next round
                logger.exception("token_uses.write_failed")
            finally:
                connection.close()  # this thread's own connection: closed between rounds

    def flush(self) -> int:
        with self._lock:
            pending, self._pending = self._pending, {}
        if not pending:
            return 0
        tokens = [ApiToken(pk=token_id, last_used_at=when) for token_id, when in pending.items()]
        try:
            # Batches: the statement is a CASE over the batch's ids, so its cost grows with the square.
            ApiToken.objects.bulk_update(tokens, ["last_used_at"], batch_size=TOKEN_USES_BATCH)
        except Exception:
            with self._lock:  # keep them for the next round, unless a newer use was noted meanwhile
                self._pending = {**pending, **self._pending}
            raise
        return len(tokens)


_token_uses = _TokenUses()
