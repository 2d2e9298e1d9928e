"""After-the-fact consequences of account events: security events into the audit log."""

from __future__ import annotations

import hashlib
from typing import Any

from allauth.account.signals import email_confirmed, password_changed, password_reset, user_signed_up
from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest
from django.utils import timezone

from cityhall.accounts.middleware import SESSION_AUTH_AT, SESSION_SEEN_AT, remember_session_limits
from cityhall.accounts.services import audit_actor
from cityhall.core.audit import Actor, audit_record


def _client(request: HttpRequest | None) -> dict[str, str]:
    if request is None:
        return {}
    return {"ip": request.META.get("REMOTE_ADDR", ""), "channel": "web"}


def _user_event(action: str, user: Any, data: dict[str, str] | None = None) -> None:
    audit_record(
        actor=audit_actor(user), action=action, object_type="user", object_id=str(user.pk), data=data
    )


def on_logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    now = timezone.now().timestamp()
    if hasattr(request, "session"):
        request.session[SESSION_AUTH_AT] = now
        request.session[SESSION_SEEN_AT] = now
        remember_session_limits(request, user)
    _user_event("auth.login", user, _client(request))


def on_logged_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        _user_event("auth.logout", user)


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # The identifier is kept only as a hash: a mistyped email is someone's personal data.
    identifier = str(credentials.get("email") or credentials.get("username") or "")
    digest = hashlib.sha256(identifier.strip().lower().encode()).hexdigest()[:16]
    audit_record(
        actor=Actor.system("auth"),
        action="auth.login_failed",
        object_type="login",
        object_id=digest,
        data=_client(request),
    )


def on_signed_up(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    _user_event("auth.signup", user, _client(request))


def on_password_changed(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    _user_event("auth.password_changed", user)


def on_password_reset(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    _user_event("auth.password_reset", user)


def on_email_confirmed(sender: Any, request: HttpRequest, email_address: Any, **kwargs: Any) -> None:
    _user_event("auth.email_verified", email_address.user)


def on_authenticator_added(
    sender: Any, request: HttpRequest, user: Any, authenticator: Any, **kwargs: Any
) -> None:
    _user_event("auth.mfa_added", user, {"type": str(authenticator.type)})


def on_authenticator_removed(
    sender: Any, request: HttpRequest, user: Any, authenticator: Any, **kwargs: Any
) -> None:
    _user_event("auth.mfa_removed", user, {"type": str(authenticator.type)})


def connect() -> None:
    user_logged_in.connect(on_logged_in, dispatch_uid="cityhall.audit.login")
    user_logged_out.connect(on_logged_out, dispatch_uid="cityhall.audit.logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="cityhall.audit.login_failed")
    user_signed_up.connect(on_signed_up, dispatch_uid="cityhall.audit.signup")
    password_changed.connect(on_password_changed, dispatch_uid="cityhall.audit.password_changed")
    password_reset.connect(on_password_reset, dispatch_uid="cityhall.audit.password_reset")
    email_confirmed.connect(on_email_confirmed, dispatch_uid="cityhall.audit.email_confirmed")
    authenticator_added.connect(on_authenticator_added, dispatch_uid="cityhall.audit.mfa_added")
    authenticator_removed.connect(on_authenticator_removed, dispatch_uid="cityhall.audit.mfa_removed")
