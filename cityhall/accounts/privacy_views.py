"""The privacy centre (residents) and the privacy desk (staff). Thin: the work is in privacy.py."""

from __future__ import annotations

import json

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityhall.accounts import assurance, privacy, rules
from cityhall.accounts.forms import (
    BatchCodesForm,
    CensusVerificationForm,
    CodeVerificationForm,
    InPersonVerificationForm,
    IssueCodeForm,
    PrivacyAnswerForm,
    PrivacyRequestForm,
)
from cityhall.accounts.middleware import remember_session_limits
from cityhall.accounts.models import ConsentPurpose, DataAccessLog, PrivacyRequest, User
from cityhall.core.errors import ServiceError

ACCESS_ROWS_SHOWN = 100


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _exchanges_about(user: User) -> list[object]:
    """Inter-agency exchanges about the resident (documents module), imported late: the two apps
    sit in one layer and documents imports accounts at load time."""
    from cityhall.documents.facade import exchanges_about

    return list(exchanges_about(user))


def _centre(request: HttpRequest, status: int = 200, **forms: object) -> HttpResponse:
    user = _user(request)
    accesses = DataAccessLog.objects.filter(resident=user).order_by("-at")
    context = {
        "assurance": assurance.user_assurance(user),
        "consents": privacy.consents_of(user),
        "accesses": accesses[:ACCESS_ROWS_SHOWN],
        "access_count": accesses.count(),
        "requests": PrivacyRequest.objects.filter(user=user).order_by("-created_at"),
        "exchanges": _exchanges_about(user),
        "census_form": forms.get("census_form") or CensusVerificationForm(),
        "code_form": forms.get("code_form") or CodeVerificationForm(),
        "request_form": forms.get("request_form") or PrivacyRequestForm(),
    }
    return render(request, "accounts/privacy_centre.html", context, status=status)


@login_required
def privacy_centre(request: HttpRequest) -> HttpResponse:
    return _centre(request)


@login_required
@reauthentication_required
def privacy_export(request: HttpRequest, file_format: str) -> HttpResponse:
    user = _user(request)
    stamp = timezone.now().strftime("%Y%m%d")
    if file_format == "csv":
        response = HttpResponse(privacy.my_data_csv(user), content_type="text/csv; charset=utf-8")
    else:
        body = json.dumps(privacy.my_data(user), ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.{file_format}"'
    return response


@login_required
@require_POST
def consent_change(request: HttpRequest, slug: str) -> HttpResponse:
    purpose = get_object_or_404(ConsentPurpose, slug=slug)
    given = request.POST.get("given") == "yes"
    privacy.consent_set(user=_user(request), purpose=purpose, given=given)
    messages.success(
        request,
        (_("You gave consent for “%(title)s”.") if given else _("You withdrew consent for “%(title)s”."))
        % {"title": purpose.title},
    )
    return redirect("accounts:privacy")


@login_required
@require_POST
def privacy_request_new(request: HttpRequest) -> HttpResponse:
    form = PrivacyRequestForm(request.POST)
    if form.is_valid():
        try:
            created = privacy.privacy_request_create(
                user=_user(request), kind=form.cleaned_data["kind"], details=form.cleaned_data["details"]
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Your request is registered. The city answers by %(date)s.")
                % {"date": f"{created.due_at:%Y-%m-%d}"},
            )
            return redirect("accounts:privacy")
    return _centre(request, status=400, request_form=form)


@login_required
@require_POST
def verify_by_census(request: HttpRequest) -> HttpResponse:
    form = CensusVerificationForm(request.POST)
    if form.is_valid():
        try:
            assurance.resident_verify_by_census(user=_user(request), **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            remember_session_limits(
                request, request.user
            )  # a higher level brings the stricter session limits
            messages.success(request, _("You are now a verified resident."))
            return redirect("accounts:privacy")
    return _centre(request, status=400, census_form=form)


@login_required
@require_POST
def verify_by_code(request: HttpRequest) -> HttpResponse:
    form = CodeVerificationForm(request.POST)
    if form.is_valid():
        try:
            assurance.resident_verify_by_code(user=_user(request), code=form.cleaned_data["code"])
        except ServiceError as error:
            form.add_error("code", error.message)
        else:
            remember_session_limits(
                request, request.user
            )  # a higher level brings the stricter session limits
            messages.success(request, _("You are now a verified resident."))
            return redirect("accounts:privacy")
    return _centre(request, status=400, code_form=form)


# --- Staff ----------------------------------------------------------------------------------


@login_required
def privacy_desk(request: HttpRequest) -> HttpResponse:
    actor = _user(request)
    if not rules.can_manage_users(actor):
        raise PermissionDenied
    answer_form = PrivacyAnswerForm(request.POST or None)
    status = 200
    if request.method == "POST":
        target = get_object_or_404(PrivacyRequest, pk=request.POST.get("request_id"))
        if answer_form.is_valid():
            try:
                privacy.privacy_request_answer(
                    actor=actor,
                    request=target,
                    approve=answer_form.cleaned_data["decision"] == "approve",
                    answer=answer_form.cleaned_data["answer"],
                )
            except ServiceError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The answer was sent to the resident's privacy page."))
                return redirect("accounts:privacy_desk")
        status = 400
    open_requests = PrivacyRequest.objects.filter(status=PrivacyRequest.Status.RECEIVED).select_related(
        "user"
    )
    context = {"open_requests": open_requests, "now": timezone.now(), "answer_form": answer_form}
    return render(request, "accounts/privacy_desk.html", context, status=status)


@login_required
def resident_desk(request: HttpRequest) -> HttpResponse:
    """At the counter: check a resident in person, or print a code to post to their address."""
    actor = _user(request)
    if not rules.can_access_staff_area(actor):
        raise PermissionDenied
    in_person = InPersonVerificationForm(
        request.POST if request.POST.get("form") == "in_person" else None, prefix="person"
    )
    issue = IssueCodeForm(request.POST if request.POST.get("form") == "issue_code" else None, prefix="post")
    issued_code = None
    status = 200
    for form in (in_person, issue):
        if not form.is_bound:
            continue
        if form.is_valid():
            resident = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
            if resident is None:
                form.add_error("email", _("There is no account with this email address."))
            else:
                try:
                    if form is in_person:
                        assurance.resident_verify_in_person(
                            actor=actor, user=resident, document=form.cleaned_data["document"]
                        )
                        messages.success(
                            request, _("%(email)s is now a verified resident.") % {"email": resident.email}
                        )
                        return redirect("accounts:resident_desk")
                    _record, issued_code = assurance.verification_code_issue(
                        actor=actor, user=resident, address=form.cleaned_data["address"]
                    )
                except ServiceError as error:
                    form.add_error(None, error.message)
        if form.errors:
            status = 400
    context = {"in_person_form": in_person, "issue_form": issue, "issued_code": issued_code}
    return render(request, "accounts/resident_desk.html", context, status=status)


@login_required
def resident_codes_batch(request: HttpRequest) -> HttpResponse:
    """Codes for many residents at once, printed as letters; the codes are shown only in this answer."""
    actor = _user(request)
    if not rules.can_access_staff_area(actor):
        raise PermissionDenied
    form = BatchCodesForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            letters = assurance.verification_codes_issue_batch(actor=actor, lines=form.cleaned_data["lines"])
        except ServiceError as error:
            form.add_error("lines", error.message)
        else:
            response = render(request, "accounts/resident_letters.html", {"letters": letters})
            response["Cache-Control"] = "no-store"
            return response
    status = 400 if form.errors else 200
    return render(request, "accounts/resident_codes.html", {"form": form}, status=status)
