from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityhall.accounts import rules, selectors, services
from cityhall.accounts.contracts import Permission
from cityhall.accounts.forms import ApiTokenForm
from cityhall.accounts.models import User
from cityhall.core.errors import ServiceError


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not rules.can_access_staff_area(user):
        raise PermissionDenied
    granted = rules.user_permissions(user)
    context = {
        "roles": sorted(rules.user_roles(user)),
        "permissions": [permission for permission in Permission if permission in granted],
        "assignments": user.role_assignments.select_related("department").order_by("role"),
        "can_manage_users": rules.can_manage_users(user),
    }
    return render(request, "accounts/staff_home.html", context)


NEW_TOKEN_SESSION_KEY = "cityhall_new_api_token"  # noqa: S105 - a session key name


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = services.api_token_create(
                actor=user,
                user=user,
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            # Post/redirect/get: a reload never creates a second token; the secret is shown once.
            request.session[NEW_TOKEN_SESSION_KEY] = secret
            return redirect("accounts:tokens")
    context = {
        "form": form,
        "tokens": selectors.api_tokens_of(user=user),
        "new_secret": request.session.pop(NEW_TOKEN_SESSION_KEY, None) if request.method == "GET" else None,
    }
    return render(request, "accounts/tokens.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: uuid.UUID) -> HttpResponse:
    try:
        token = services.api_token_revoke(actor=_user(request), token_id=token_id)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("accounts:tokens")
