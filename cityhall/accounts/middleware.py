"""Session rules for signed-in people: NIST AAL2 time limits, and MFA before any staff work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

SESSION_AUTH_AT = "cityhall_auth_at"
SESSION_SEEN_AT = "cityhall_seen_at"
SESSION_LIMITS = "cityhall_session_limits"  # [idle, absolute] seconds for this account's level
SEEN_AT_RESOLUTION_SECONDS = 60

Handler = Callable[[HttpRequest], HttpResponseBase]


def session_limits_for(user: Any) -> tuple[int, int]:
    """(idle, absolute) seconds: the AAL2 limits for staff and verified residents, longer otherwise."""
    from cityhall.accounts.assurance import user_assurance
    from cityhall.accounts.contracts import AssuranceLevel
    from cityhall.accounts.rules import is_staff_member

    if is_staff_member(user) or user_assurance(user).level >= AssuranceLevel.VERIFIED_RESIDENT:
        return settings.SESSION_IDLE_TIMEOUT_SECONDS, settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS
    return settings.SESSION_BASIC_IDLE_TIMEOUT_SECONDS, settings.SESSION_BASIC_ABSOLUTE_TIMEOUT_SECONDS


def remember_session_limits(request: HttpRequest, user: Any) -> None:
    """Work out the limits once (at sign-in, or when the level changes) and keep them in the session."""
    request.session[SESSION_LIMITS] = list(session_limits_for(user))


class SessionLifetimeMiddleware:
    """Log out after 30 minutes idle or 12 hours in all (both configurable)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = timezone.now().timestamp()
            auth_at = float(request.session.get(SESSION_AUTH_AT, now))
            seen_at = float(request.session.get(SESSION_SEEN_AT, now))
            if SESSION_LIMITS not in request.session:
                remember_session_limits(request, user)
            idle_limit, absolute_limit = request.session[SESSION_LIMITS]
            reason = None
            if now - auth_at > absolute_limit:
                reason = _("You were signed out because your session reached its time limit.")
            elif now - seen_at > idle_limit:
                reason = _("You were signed out after a period without activity.")
            if reason:
                logout(request)
                messages.info(request, reason + " " + _("Please sign in again."))
                if request.method == "GET" and not request.path.startswith("/api/"):
                    return HttpResponseRedirect(f"{reverse('account_login')}?next={request.path}")
            else:
                if SESSION_AUTH_AT not in request.session:
                    request.session[SESSION_AUTH_AT] = now
                if now - seen_at >= SEEN_AT_RESOLUTION_SECONDS or SESSION_SEEN_AT not in request.session:
                    request.session[SESSION_SEEN_AT] = now
        return self.get_response(request)


# Paths a staff member without a second factor can still reach, so they can set one up.
MFA_SETUP_ALLOWED_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/logout/",
    "/accounts/reauthenticate/",
    "/i18n/",
    "/static/",
    "/healthz",
    "/api/",
)


class StaffMultiFactorMiddleware:
    """Every staff role works at AAL2: until a second factor is set up, only MFA setup is open."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(MFA_SETUP_ALLOWED_PREFIXES)
        ):
            from allauth.mfa.utils import is_mfa_enabled

            from cityhall.accounts.rules import is_staff_member

            if is_staff_member(user) and not is_mfa_enabled(user):
                messages.warning(
                    request,
                    _("Staff accounts need a second factor. Set up an authenticator app to continue."),
                )
                return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
