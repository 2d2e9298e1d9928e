"""FOI pages: ask, my requests, the public disclosure log and request pages; the staff queue."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cityhall.accounts.contracts import Permission
from cityhall.accounts.facade import departments, departments_with_permission
from cityhall.core.errors import PermissionDeniedError, ServiceError
from cityhall.foi import deadlines, forms, rules, selectors, services
from cityhall.foi.contracts import CLOCK_RUNNING, OUTCOMES, FoiState
from cityhall.foi.models import FoiRequest, Holiday


def _department_choices(blank: str) -> list[tuple[str, str]]:
    return [("", blank)] + [(str(d.id), d.name) for d in departments()]


def _submit(
    request: HttpRequest, form: django_forms.Form, action: Callable[[dict[str, Any]], Any], done: str
) -> bool:
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except PermissionDeniedError as error:
        raise PermissionDenied(error.message) from error
    except ServiceError as error:
        form.add_error(None, error.message)
        return False
    messages.success(request, done)
    return True


def _bound(request: HttpRequest, name: str, form_class: type[django_forms.Form]) -> Any:
    if request.method == "POST" and request.POST.get("form") == name:
        return form_class(request.POST, request.FILES, prefix=name)
    return form_class(prefix=name)


def _status(forms_: list[django_forms.Form]) -> int:
    return 400 if any(f.is_bound and f.errors for f in forms_) else 200


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError):
        return None


# --- Public -------------------------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    recent = selectors.annotate(list(selectors.disclosure_log()[:10]))
    return render(
        request,
        "foi/index.html",
        {
            "recent": recent,
            "late_days": deadlines.reply_late_after_days(),
            "mode": deadlines.day_mode(),
        },
    )


@login_required
def ask(request: HttpRequest) -> HttpResponse:
    if not rules.can_file(request.user):
        raise PermissionDenied
    form = forms.AskForm(request.POST or None)
    form.fields["department"].choices = _department_choices(_("I do not know"))  # type: ignore[attr-defined]
    if request.method == "POST":
        filed: list[FoiRequest] = []
        if _submit(
            request,
            form,
            lambda d: filed.append(
                services.foi_request_file(
                    actor=request.user, title=d["title"], body=d["body"], department_id=_uuid(d["department"])
                )
            ),
            _("Your request is sent. The city must answer by the date shown."),
        ):
            return redirect("foi:request", filed[0].pk)
    return render(
        request,
        "foi/ask.html",
        {"form": form, "late_days": deadlines.reply_late_after_days()},
        status=_status([form]),
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    return render(request, "foi/mine.html", {"requests": selectors.my_requests(request.user)})


@require_GET
def disclosure_log(request: HttpRequest) -> HttpResponse:
    form = forms.LogSearchForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    found = selectors.disclosure_log(query=data.get("q") or "", state=data.get("state") or "")
    page = Paginator(found, 25).get_page(request.GET.get("page"))
    selectors.annotate(list(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "foi/log.html", {"form": form, "page": page, "query_string": query.urlencode()})


def request_page(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    """Anyone reads a (public) request; its requester also clarifies, withdraws or asks for review."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405)
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    own = selectors.request_for(request_id, user=request.user)
    foi = own or selectors.public_request(request_id)
    if foi is None:
        raise Http404
    if request.method == "POST" and own is None:
        raise PermissionDenied
    selectors.annotate([foi])
    clarify_form = _bound(request, "clarify", forms.TextForm)
    review_form = _bound(request, "review", forms.TextForm)
    withdraw_form = _bound(request, "withdraw", forms.WithdrawForm)
    if request.method == "POST":
        sent = request.POST.get("form")
        done = False
        if sent == "clarify":
            done = _submit(
                request,
                clarify_form,
                lambda d: services.foi_request_clarify(actor=request.user, request_id=foi.pk, text=d["text"]),
                _("Your clarification is sent; the deadline starts again from today."),
            )
        elif sent == "review":
            done = _submit(
                request,
                review_form,
                lambda d: services.foi_request_review(actor=request.user, request_id=foi.pk, text=d["text"]),
                _("Your request for an internal review is sent."),
            )
        elif sent == "withdraw":
            done = _submit(
                request,
                withdraw_form,
                lambda d: services.foi_request_withdraw(
                    actor=request.user, request_id=foi.pk, reason=d["text"]
                ),
                _("Your request is withdrawn."),
            )
        if done:
            return redirect("foi:request", foi.pk)
    return render(
        request,
        "foi/request.html",
        {
            "foi": foi,
            "own": own is not None,
            "can_clarify": foi.state == FoiState.WAITING_CLARIFICATION,
            "can_review": foi.state in OUTCOMES,
            "can_withdraw": foi.state
            in (FoiState.WAITING_RESPONSE, FoiState.WAITING_CLARIFICATION, FoiState.INTERNAL_REVIEW),
            "clarify_form": clarify_form,
            "review_form": review_form,
            "withdraw_form": withdraw_form,
        },
        status=_status([clarify_form, review_form, withdraw_form]),
    )


# --- Staff ---------------------------------------------------------------------------------------


def _handler(request: HttpRequest) -> Any:
    if not rules.can_handle(request.user):
        raise PermissionDenied
    return request.user


def _handled_departments(user: Any) -> frozenset[uuid.UUID] | None:
    handled = departments_with_permission(user, Permission.HANDLE_FOI_REQUESTS)
    return None if handled == frozenset(d.id for d in departments()) else handled


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    user = _handler(request)
    holiday_form = _bound(request, "holiday", forms.HolidayForm)
    if request.method == "POST":
        done = False
        if request.POST.get("form") == "holiday":
            done = _submit(
                request,
                holiday_form,
                lambda d: services.holiday_add(actor=user, day=d["day"], name=d["name"]),
                _("The holiday is added to the calendar."),
            )
        elif request.POST.get("form") == "holiday_remove":
            day = (
                Holiday.objects.filter(pk=request.POST.get("holiday") or 0)
                .values_list("day", flat=True)
                .first()
            )
            if day is not None:
                services.holiday_remove(actor=user, day=day)
                messages.success(request, _("The holiday is removed."))
            done = True
        if done:
            return redirect("foi:staff_home")
    overdue_only = request.GET.get("overdue") == "1"
    queue = selectors.annotate(
        list(selectors.staff_queue(departments=_handled_departments(user), overdue_only=overdue_only)[:200])
    )
    return render(
        request,
        "foi/staff/home.html",
        {
            "queue": queue,
            "overdue_only": overdue_only,
            "overdue_count": sum(1 for r in queue if getattr(r, "overdue", False)),
            "holidays": Holiday.objects.filter(day__gte=timezone.localdate().replace(month=1, day=1)),
            "holiday_form": holiday_form,
        },
        status=_status([holiday_form]),
    )


@login_required
def staff_request(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    user = _handler(request)
    foi = selectors.staff_request(request_id)
    if foi is None:
        raise Http404
    if not rules.can_handle(user, department_id=foi.department_id):
        raise PermissionDenied
    selectors.annotate([foi])
    respond_form = _bound(request, "respond", forms.RespondForm)
    clarify_form = _bound(request, "clarify", forms.TextForm)
    extend_form = _bound(request, "extend", forms.ExtendForm)
    state_form = _bound(request, "state", forms.StateForm)
    assign_form = _bound(request, "assign", forms.AssignForm)
    assign_form.fields["department"].choices = _department_choices(_("Choose a department"))
    hide_form = (
        _bound(request, "hide", forms.HideForm)
        if request.POST.get("form") == "hide"
        else forms.HideForm(prefix="hide", initial={"hidden": foi.hidden, "reason": foi.hidden_reason})
    )
    all_forms = [respond_form, clarify_form, extend_form, state_form, assign_form, hide_form]
    if request.method == "POST":
        sent = request.POST.get("form")
        done = False
        if sent == "respond":

            def respond(d: dict[str, Any]) -> None:
                files = []
                if d["file"]:
                    upload = d["file"]
                    files.append(
                        services.UploadedFile(
                            d["file_title"],
                            upload.name,
                            upload.read(),
                            upload.content_type or "application/octet-stream",
                        )
                    )
                services.foi_request_respond(
                    actor=user,
                    request_id=foi.pk,
                    outcome=d["outcome"],
                    text=d["text"],
                    files=files,
                    document_ids=[d["document_id"]] if d["document_id"] else [],
                    sign=d["sign"],
                )

            done = _submit(request, respond_form, respond, _("The answer is sent and published."))
        elif sent == "clarify":
            done = _submit(
                request,
                clarify_form,
                lambda d: services.foi_request_ask_clarification(
                    actor=user, request_id=foi.pk, text=d["text"]
                ),
                _("The question is sent; the deadline stops until the requester answers."),
            )
        elif sent == "extend":
            done = _submit(
                request,
                extend_form,
                lambda d: services.foi_request_extend(actor=user, request_id=foi.pk, **d),
                _("The deadline is extended."),
            )
        elif sent == "state":
            done = _submit(
                request,
                state_form,
                lambda d: services.foi_request_set_state(actor=user, request_id=foi.pk, **d),
                _("The status is changed."),
            )
        elif sent == "assign":
            done = _submit(
                request,
                assign_form,
                lambda d: services.foi_request_assign(
                    actor=user, request_id=foi.pk, department_id=uuid.UUID(d["department"])
                ),
                _("The request is assigned."),
            )
        elif sent == "hide":
            done = _submit(
                request,
                hide_form,
                lambda d: services.foi_request_hide(
                    actor=user, request_id=foi.pk, hidden=d["hidden"], reason=d["reason"]
                ),
                _("The disclosure log is updated."),
            )
        if done:
            return redirect("foi:staff_request", foi.pk)
    else:
        services.foi_requester_read(actor=user, request=foi)
    return render(
        request,
        "foi/staff/request.html",
        {
            "foi": foi,
            "clock_running": foi.state in CLOCK_RUNNING,
            "respond_form": respond_form,
            "clarify_form": clarify_form,
            "extend_form": extend_form,
            "state_form": state_form,
            "assign_form": assign_form,
            "hide_form": hide_form,
        },
        status=_status(all_forms),
    )
