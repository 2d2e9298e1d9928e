"""Pages: the public alerts page (live through Server-Sent Events, fine without JavaScript), each
alert, its CAP file, the Atom feed, subscriptions; and the staff pages for alerts and incidents."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cityhall.accounts.contracts import Permission
from cityhall.accounts.facade import departments, users_with_permission
from cityhall.alerts import feeds, forms, rules, selectors, services
from cityhall.alerts.cap import CAP_MEDIA_TYPE
from cityhall.alerts.contracts import AlertState
from cityhall.alerts.models import Alert, IncidentTask, Resource
from cityhall.alerts.services.alerts import LIVE_CACHE_KEY
from cityhall.alerts.services.fanout import message_source
from cityhall.core.errors import ServiceError
from cityhall.notifications.contracts import Channel
from cityhall.notifications.facade import SIGNATURE_HEADER, message_report, sms_parts, webhook_secret

LIVE_CACHE_SECONDS = 2
SUBSCRIBED_SESSION_KEY = "cityhall_alert_subscription"


# --- Public pages ---------------------------------------------------------------------------


def _cards(threads: Any, language: str) -> list[dict[str, Any]]:
    cards = []
    for thread in threads:
        alert = thread.latest
        info = selectors.info_for(alert, language)
        cards.append(
            {
                "alert": alert,
                "info": info,
                "areas": [selectors.area_description(area, language) for area in alert.areas.all()],
                "cancelled": thread.cancelled_at is not None,
            }
        )
    return cards


def live_version() -> str:
    version = cache.get(LIVE_CACHE_KEY)
    if version is None:
        version = selectors.live_version()
        cache.set(LIVE_CACHE_KEY, version, LIVE_CACHE_SECONDS)
    return str(version)


@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    language = translation.get_language() or settings.LANGUAGE_CODE
    context = {
        "current": _cards(selectors.public_threads(current=True), language),
        "version": live_version(),
        "city_zone": selectors.city_zone(),
    }
    if request.GET.get("fragment") == "current":
        return render(request, "alerts/_current.html", context)
    context["past"] = _cards(selectors.public_threads(current=False)[: selectors.PAST_LIMIT], language)
    return render(request, "alerts/list.html", context)


@require_GET
def live(request: HttpRequest) -> HttpResponse:
    """Server-Sent Events, short-lived (ADR 0002): answer at once with the page version and a
    `retry:` hint, then close; the browser's EventSource reconnects after `retry` milliseconds.
    No request holds a gunicorn thread for more than a few milliseconds."""
    version = live_version()
    last_seen = request.headers.get("Last-Event-ID", "") or request.GET.get("since", "")
    lines = [f"retry: {settings.ALERTS_LIVE_RETRY_MS}"]
    if last_seen == version:
        lines.append(": unchanged")
    else:
        lines += [f"id: {version}", "event: alerts", f"data: {json.dumps({'version': version})}"]
    response = HttpResponse("\n".join(lines) + "\n\n", content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"
    return response


@require_GET
def alert_detail(request: HttpRequest, alert_id: uuid.UUID) -> HttpResponse:
    alert = selectors.public_alert(alert_id)
    if alert is None:
        raise Http404(_("There is no public alert at this address."))
    language = translation.get_language() or settings.LANGUAGE_CODE
    thread = alert.thread
    latest = thread.latest_id
    context = {
        "alert": alert,
        "info": selectors.info_for(alert, language),
        "areas": [selectors.area_description(area, language) for area in alert.areas.all()],
        "other_languages": [info for info in alert.infos.all() if info.language.split("-")[0] != language],
        "superseded_by": latest if latest != alert.pk else None,
        "cancelled": thread.cancelled_at is not None,
        "shelters": selectors.open_shelters(incident_id=thread.incident_id),
        "city_zone": selectors.city_zone(),
        "sender_name": selectors.sender_name(),
    }
    return render(request, "alerts/detail.html", context)


@require_GET
def alert_cap(request: HttpRequest, alert_id: uuid.UUID) -> HttpResponse:
    """The exact bytes that were approved and published; they never change."""
    alert = selectors.public_alert(alert_id)
    if alert is None or not alert.xml:
        raise Http404(_("There is no public alert at this address."))
    etag = f'"{alert.xml_sha256}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(bytes(alert.xml), content_type=CAP_MEDIA_TYPE)
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=86400, immutable"
    return response


@require_GET
def feed(request: HttpRequest) -> HttpResponse:
    language = feeds.feed_language(translation.get_language() or settings.LANGUAGE_CODE)
    body = feeds.atom_feed(selectors.feed_messages(), language=language)
    response = HttpResponse(body, content_type=f"{feeds.ATOM_MEDIA_TYPE}; charset=utf-8")
    response["Cache-Control"] = "public, max-age=30"
    return response


# --- Subscriptions --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    initial = {"language": translation.get_language() or settings.LANGUAGE_CODE}
    if request.user.is_authenticated:
        initial["address"] = getattr(request.user, "email", "")
    form = forms.SubscriptionForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            result = services.subscription_create(data=form.to_input(), user=request.user)
        except services.SubscriptionInvalidError as error:
            form.add_problems(error.problems)
        except ServiceError as error:
            form.add_error(None, error.message)
            status = error.status
        else:
            request.session[SUBSCRIBED_SESSION_KEY] = str(result.subscription.pk)
            return redirect("alerts:subscribe_sent")
    if form.errors and status == 200:
        status = 400
    return render(request, "alerts/subscribe.html", {"form": form}, status=status)


@require_GET
def subscribe_sent(request: HttpRequest) -> HttpResponse:
    subscription_id = request.session.get(SUBSCRIBED_SESSION_KEY)
    subscription = None
    if subscription_id:
        from cityhall.alerts.models import Subscription

        subscription = Subscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        return redirect("alerts:subscribe")
    context: dict[str, Any] = {"subscription": subscription}
    if subscription.channel == Channel.WEBHOOK:
        context["secret"] = webhook_secret(f"subscription:{subscription.pk}")
        context["signature_header"] = SIGNATURE_HEADER
    return render(request, "alerts/subscribe_sent.html", context)


@require_http_methods(["GET", "POST"])
def subscription_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET only shows a button: mail scanners that open links must not confirm for the resident."""
    if request.method == "GET":
        return render(request, "alerts/confirm.html", {"token": token})
    try:
        subscription = services.subscription_confirm(token=token)
    except ServiceError as error:
        return render(
            request,
            "alerts/done.html",
            {"title": _("Not confirmed"), "message": error.message},
            status=error.status,
        )
    return render(
        request,
        "alerts/done.html",
        {
            "title": _("Subscription confirmed"),
            "message": _("You will now receive alerts for %(area)s.")
            % {"area": services.subscriptions.area_summary(subscription, subscription.language)},
        },
    )


# RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without a form; the signed token is the proof.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "GET":
        return render(request, "alerts/unsubscribe.html", {"token": token})
    try:
        services.subscription_unsubscribe(token=token)
    except ServiceError as error:
        return render(
            request,
            "alerts/done.html",
            {"title": _("Not unsubscribed"), "message": error.message},
            status=error.status,
        )
    return render(
        request,
        "alerts/done.html",
        {"title": _("You are unsubscribed"), "message": _("You will not receive these alerts any more.")},
    )


# --- Staff: alerts --------------------------------------------------------------------------


def _staff(
    check: Callable[[Any], bool],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


@_staff(rules.can_see_alert_drafts)
def staff_alerts(request: HttpRequest) -> HttpResponse:
    alerts = list(selectors.staff_alerts())
    language = translation.get_language() or settings.LANGUAGE_CODE
    rows: list[dict[str, Any]] = [
        {"alert": alert, "info": selectors.info_for(alert, language)} for alert in alerts
    ]
    groups = [
        (
            _("Waiting for approval"),
            [r for r in rows if r["alert"].state in {AlertState.PENDING, AlertState.APPROVED}],
        ),
        (_("Drafts"), [r for r in rows if r["alert"].state == AlertState.DRAFT and r["alert"].created_by_id]),
        (_("Published"), [r for r in rows if r["alert"].state == AlertState.PUBLISHED][:50]),
    ]
    return render(request, "alerts/staff/alerts.html", {"groups": groups, "city_zone": selectors.city_zone()})


def _compose(request: HttpRequest, alert: Alert | None) -> HttpResponse:
    languages = [code for code, _name in settings.LANGUAGES]
    initial = forms.AlertForm.initial_from(services.alert_input_from(alert)) if alert else {}
    form = forms.AlertForm(request.POST or None, initial=initial)
    if alert is not None:
        form.fields["districts"].initial = [
            a.district.slug for a in alert.areas.all() if a.district_id and a.district
        ]
    if request.method == "POST" and form.is_valid():
        data = form.to_input()
        try:
            if alert is None:
                alert = services.alert_create(actor=request.user, data=data)
            else:
                services.alert_edit(actor=request.user, alert_id=alert.pk, data=data)
        except services.AlertInvalidError as error:
            form.add_problems(error.problems, [info.language for info in data.infos])
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The draft is saved. Check it, then submit it for approval."))
            return redirect("alerts:staff_alert", alert.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "alerts/staff/compose.html",
        {"form": form, "alert": alert, "languages": languages},
        status=status,
    )


@_staff(rules.can_author_alert)
@require_http_methods(["GET", "POST"])
def staff_alert_new(request: HttpRequest) -> HttpResponse:
    return _compose(request, None)


@_staff(rules.can_author_alert)
@require_http_methods(["GET", "POST"])
def staff_alert_edit(request: HttpRequest, alert_id: uuid.UUID) -> HttpResponse:
    alert = selectors.alert_with_texts(alert_id)
    if alert is None:
        raise Http404
    return _compose(request, alert)


@_staff(rules.can_see_alert_drafts)
def staff_alert(request: HttpRequest, alert_id: uuid.UUID) -> HttpResponse:
    alert = selectors.staff_alerts(include_discarded=True).filter(pk=alert_id).first()
    if alert is None:
        raise Http404
    user = request.user
    sms = [
        (
            info.language,
            sms_parts(f"{selectors.city_name()} ALERT: {info.headline}. {selectors.alert_url(alert.pk)}"),
        )
        for info in alert.infos.all()
    ]
    context = {
        "alert": alert,
        "thread": selectors.thread_messages(alert.thread_id),
        "xml": bytes(alert.xml).decode("utf-8") if alert.xml else "",
        "can_approve": alert.state == AlertState.PENDING
        and rules.can_approve_alert(
            user, author_id=alert.author_id, department_id=alert.thread.department_id
        ),
        "own": alert.author_id == user.pk,
        "reason_form": forms.ReasonForm(),
        "report": message_report(source=message_source(alert.pk)),
        "sms": sms,
        "is_latest": alert.thread.latest_id == alert.pk,
        "cancelled": alert.thread.cancelled_at is not None,
        "city_zone": selectors.city_zone(),
    }
    return render(request, "alerts/staff/alert.html", context)


@_staff(rules.can_see_alert_drafts)
@require_POST
def staff_alert_action(request: HttpRequest, alert_id: uuid.UUID, action: str) -> HttpResponse:
    user = request.user
    reason = request.POST.get("reason", "")
    target = alert_id
    try:
        if action == "submit":
            services.alert_submit(actor=user, alert_id=alert_id)
            messages.success(request, _("Submitted. Another emergency manager must now approve it."))
        elif action == "approve":
            services.alert_approve(actor=user, alert_id=alert_id, sha256=request.POST.get("sha256", ""))
            messages.success(request, _("Approved and published."))
        elif action == "publish":
            services.alert_publish(actor=user, alert_id=alert_id)
            messages.success(request, _("Published."))
        elif action == "return":
            services.alert_return(actor=user, alert_id=alert_id, reason=reason)
            messages.success(request, _("Sent back to draft."))
        elif action == "discard":
            services.alert_discard(actor=user, alert_id=alert_id)
            messages.success(request, _("Discarded."))
            return redirect("alerts:staff_alerts")
        elif action == "update":
            target = services.alert_update_draft(actor=user, alert_id=alert_id).pk
            return redirect("alerts:staff_alert_edit", target)
        elif action == "cancel":
            target = services.alert_cancel(actor=user, alert_id=alert_id, reason=reason).pk
            messages.success(request, _("The cancellation waits for a second emergency manager's approval."))
        else:
            raise Http404
    except services.AlertInvalidError as error:
        messages.error(request, error.message)
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("alerts:staff_alert", target)


@_staff(rules.can_see_alert_drafts)
@require_GET
def staff_alert_cap(request: HttpRequest, alert_id: uuid.UUID) -> HttpResponse:
    alert = Alert.objects.filter(pk=alert_id).only("xml").first()
    if alert is None or not alert.xml:
        raise Http404
    return HttpResponse(bytes(alert.xml), content_type=CAP_MEDIA_TYPE)


# --- Staff: incidents -----------------------------------------------------------------------


@_staff(rules.can_manage_incidents)
@require_http_methods(["GET", "POST"])
def staff_incidents(request: HttpRequest) -> HttpResponse:
    form = forms.IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_create(actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            return redirect("alerts:staff_incident", incident.pk)
    return render(
        request,
        "alerts/staff/incidents.html",
        {"form": form, "incidents": selectors.incidents()},
        status=400 if form.errors else 200,
    )


def _incident_forms(incident: Any, data: Any = None, which: str = "") -> dict[str, Any]:
    leads = (
        [
            (str(u.id), u.display_name)
            for u in users_with_permission(Permission.MANAGE_INCIDENTS, department_id=incident.department_id)
        ]
        if incident.department_id
        else [(str(u.id), u.display_name) for u in _city_managers()]
    )
    departments_choices = [(str(d.id), d.name) for d in departments()]
    numbers = [report.number for report in incident.reports.all()]

    def bound(name: str) -> Any:
        return data if which == name else None

    return {
        "update_form": forms.IncidentUpdateForm(
            bound("update"),
            prefix="update",
            leads=leads,
            initial={
                "status": incident.status,
                "severity": incident.severity,
                "lead": str(incident.lead_id or ""),
            },
        ),
        "note_form": forms.NoteForm(bound("note"), prefix="note"),
        "task_form": forms.TaskForm(bound("task"), departments=departments_choices, prefix="task"),
        "resource_form": forms.ResourceForm(bound("resource"), prefix="resource"),
        "report_form": forms.ReportForm(bound("report"), prefix="report"),
        "decision_form": forms.DecisionForm(bound("decision"), report_numbers=numbers, prefix="decision"),
    }


def _city_managers() -> list[Any]:
    seen: dict[Any, Any] = {}
    for department in departments():
        for user in users_with_permission(Permission.MANAGE_INCIDENTS, department_id=department.id):
            seen.setdefault(user.id, user)
    return sorted(seen.values(), key=lambda u: u.display_name)


@_staff(rules.can_manage_incidents)
@require_http_methods(["GET", "POST"])
def staff_incident(request: HttpRequest, incident_id: uuid.UUID) -> HttpResponse:
    incident = selectors.incident_detail(incident_id)
    if incident is None:
        raise Http404
    which = request.POST.get("form", "") if request.method == "POST" else ""
    context = _incident_forms(incident, request.POST if which else None, which)
    if which:
        form = context.get(f"{which}_form")
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                _incident_action(request, incident, which, form.cleaned_data)
            except ServiceError as error:
                form.add_error(None, error.message)
            else:
                return redirect("alerts:staff_incident", incident.pk)
    context.update(
        {
            "incident": incident,
            "decisions": selectors.decision_log(incident_id=incident.pk),
            "task_status_form": forms.TaskStatusForm(),
            "occupancy_form": forms.OccupancyForm(),
            "city_zone": selectors.city_zone(),
        }
    )
    status = 400 if which else 200
    return render(request, "alerts/staff/incident.html", context, status=status)


def _incident_action(request: HttpRequest, incident: Any, which: str, data: dict[str, Any]) -> None:
    user = request.user
    if which == "update":
        services.incident_update(
            actor=user,
            incident_id=incident.pk,
            status=data["status"],
            severity=data["severity"],
            lead_id=uuid.UUID(data["lead"]) if data["lead"] else None,
        )
    elif which == "note":
        services.incident_note(actor=user, incident_id=incident.pk, text=data["text"])
    elif which == "task":
        services.incident_task_add(
            actor=user,
            incident_id=incident.pk,
            title=data["title"],
            department_id=uuid.UUID(data["department"]),
            due_at=data["due_at"],
        )
    elif which == "resource":
        services.resource_add(actor=user, incident_id=incident.pk, **data)
    elif which == "report":
        services.situation_report_add(actor=user, incident_id=incident.pk, **data)
    elif which == "decision":
        services.decision_record(
            actor=user,
            incident_id=incident.pk,
            decision=data["decision"],
            rationale=data["rationale"],
            information=data["information"],
            decided_by_name=data["decided_by_name"],
            decided_by_role=data["decided_by_role"],
            report_numbers=[int(n) for n in data["reports"]],
        )
    messages.success(request, _("Saved."))


@_staff(rules.can_manage_incidents)
@require_POST
def staff_task_status(request: HttpRequest, task_id: uuid.UUID) -> HttpResponse:
    task = IncidentTask.objects.filter(pk=task_id).first()
    if task is None:
        raise Http404
    form = forms.TaskStatusForm(request.POST)
    if form.is_valid():
        try:
            services.incident_task_update(
                actor=request.user, task_id=task_id, status=form.cleaned_data["status"]
            )
        except ServiceError as error:
            messages.error(request, error.message)
    return redirect("alerts:staff_incident", task.incident_id)


@_staff(rules.can_manage_incidents)
@require_POST
def staff_resource_update(request: HttpRequest, resource_id: uuid.UUID) -> HttpResponse:
    resource = Resource.objects.filter(pk=resource_id).first()
    if resource is None or resource.incident_id is None:
        raise Http404
    form = forms.OccupancyForm(request.POST)
    if form.is_valid():
        try:
            services.resource_update(actor=request.user, resource_id=resource_id, **form.cleaned_data)
        except ServiceError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _("Give the occupancy as a whole number of people, and a status."))
    return redirect("alerts:staff_incident", resource.incident_id)
