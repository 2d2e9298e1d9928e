"""Pages: report a problem, the public list and map, one request, following it; the staff queue."""

from __future__ import annotations

import datetime as dt
import uuid
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cityhall.accounts.contracts import Permission
from cityhall.accounts.facade import departments, users_with_permission
from cityhall.alerts.contracts import IncidentSeverity
from cityhall.alerts.facade import incident_for_service_request
from cityhall.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from cityhall.core.models import District
from cityhall.servicerequests import rules, selectors, services
from cityhall.servicerequests.contracts import OPEN_STATUSES, Channel, Status
from cityhall.servicerequests.forms import (
    AssignForm,
    AssistedReportForm,
    DuplicateForm,
    EscalateForm,
    FollowForm,
    LocationForm,
    PublicFilterForm,
    QueueFilterForm,
    ReportForm,
    StaffUpdateForm,
    TransferForm,
)
from cityhall.servicerequests.models import ServiceRequest, ServiceRequestPhoto, ServiceType, Visibility
from cityhall.servicerequests.validation import InvalidRequestError

PAGE_SIZE = 25


# --- Maps (only when a tile server is configured) -------------------------------------------


def map_settings() -> dict[str, str] | None:
    if not settings.MAP_TILE_URL:
        return None
    return {"tiles": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION}


def _allow_tiles(response: HttpResponseBase) -> HttpResponseBase:
    """Let the page load map tiles from the configured tile server (CSP img-src)."""
    if settings.MAP_TILE_URL:
        parts = urlsplit(settings.MAP_TILE_URL.replace("{s}", "a"))
        origin = f"{parts.scheme}://{parts.netloc}"
        response._csp_update = {"img-src": [origin]}  # type: ignore[attr-defined]
    return response


def _city_centre() -> tuple[float, float]:
    from cityhall.core.models import City

    city = City.objects.first()
    return (city.center_latitude, city.center_longitude) if city else (0.0, 0.0)


def _type_choices() -> list[tuple[str, str]]:
    return [
        (service_type.code, selectors.localized(service_type.name, service_type.name_translations))
        for service_type in ServiceType.objects.filter(active=True).order_by("group", "order", "name")
    ]


def _district_choices() -> list[tuple[str, str]]:
    return [
        (d.slug, selectors.localized(d.name, d.name_translations)) for d in District.objects.order_by("name")
    ]


# --- Reporting ------------------------------------------------------------------------------


def _grouped_types() -> list[tuple[str, list[ServiceType]]]:
    groups: dict[str, list[ServiceType]] = {}
    for service_type in selectors.service_types():
        service_type.display_name = selectors.localized(service_type.name, service_type.name_translations)  # type: ignore[attr-defined]
        service_type.display_description = selectors.localized(  # type: ignore[attr-defined]
            service_type.description, service_type.description_translations
        )
        groups.setdefault(service_type.group or _("Other"), []).append(service_type)
    return sorted(groups.items())


@require_safe
def report_start(request: HttpRequest) -> HttpResponse:
    return render(request, "servicerequests/report_start.html", {"groups": _grouped_types(), "staff": False})


def _service_type_or_404(code: str) -> ServiceType:
    service_type = selectors.service_type_by_code(code)
    if service_type is None:
        raise Http404(_("There is no such service."))
    return service_type


def _nearby(service_type: ServiceType, location: LocationForm) -> list[selectors.NearbyRequest] | None:
    """Open reports of the same type within the type's radius of the point given, if a point was given."""
    if not location.is_valid():
        return None
    try:
        latitude = float(location.cleaned_data["lat"])
        longitude = float(location.cleaned_data["long"])
    except (TypeError, ValueError):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return selectors.nearby_open_requests(
        service_type_id=service_type.pk,
        latitude=latitude,
        longitude=longitude,
        radius_m=service_type.duplicate_radius_m,
    )


def _apply_errors(form: ReportForm, error: InvalidRequestError) -> None:
    for item in error.fields:
        form.add_error(form.field_for(item.location), item.message)


def _report(request: HttpRequest, code: str, *, staff: bool) -> HttpResponse:
    service_type = _service_type_or_404(code)
    attributes = selectors.attributes_of(service_type)
    form_class = AssistedReportForm if staff else ReportForm
    user = request.user if request.user.is_authenticated else None
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, service_type=service_type, attributes=attributes)
        if form.is_valid():
            data = form.cleaned_data
            draft = services.ServiceRequestDraft(
                service_code=service_type.code,
                lat=data["lat"],
                long=data["long"],
                address=data["address_string"],
                description=data["description"],
                attributes=form.attribute_answers(),
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                phone=data["phone"],
                photos=data["photos"],
            )
            try:
                submission = services.service_request_create(
                    actor=user,
                    draft=draft,
                    channel=Channel(data["channel"]) if staff else Channel.WEB,
                    idempotency_key=f"form:{data['submission_key']}" if data["submission_key"] else None,
                    photo_field="photos",
                )
            except InvalidRequestError as error:
                _apply_errors(form, error)
            except PermissionDeniedError as error:
                raise PermissionDenied(error.message) from error
            else:
                reference = submission.request.reference
                messages.success(
                    request,
                    _("Thank you: your report is in. Its reference is %(reference)s.")
                    % {"reference": reference},
                )
                if staff:
                    return redirect("servicerequests:staff_detail", reference=reference)
                return redirect("servicerequests:detail", reference=reference)
        location = LocationForm(request.POST)
    else:
        location = LocationForm(request.GET or None)
        initial = dict(request.GET.items())
        if user is not None and not staff:
            initial.setdefault("email", user.email)
        form = form_class(initial=initial, service_type=service_type, attributes=attributes)
    nearby = _nearby(service_type, location) if not staff or request.method == "GET" else None
    context = {
        "service_type": service_type,
        "service_name": selectors.localized(service_type.name, service_type.name_translations),
        "service_description": selectors.localized(
            service_type.description, service_type.description_translations
        ),
        "form": form,
        "location_form": location,
        "location_given": bool(request.GET.get("lat") or request.GET.get("address_string")),
        "nearby": nearby,
        "follow_form": FollowForm(),
        "map": map_settings(),
        "centre": _city_centre(),
        "staff": staff,
    }
    response = render(
        request, "servicerequests/report_form.html", context, status=400 if form.errors else 200
    )
    _allow_tiles(response)
    return response


def report_form(request: HttpRequest, code: str) -> HttpResponse:
    return _report(request, code, staff=False)


# --- Public list and detail -----------------------------------------------------------------


@require_safe
def request_list(request: HttpRequest) -> HttpResponse:
    form = PublicFilterForm(request.GET or None, service_types=_type_choices(), districts=_district_choices())
    filters = selectors.RequestFilters()
    if form.is_bound and form.is_valid():
        filters = selectors.RequestFilters(
            status=form.cleaned_data["status"],
            service_code=form.cleaned_data["service_code"],
            district=form.cleaned_data["district"],
        )
    page = Paginator(selectors.public_requests(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = {key: value for key, value in request.GET.items() if key != "page" and value}
    context = {
        "form": form,
        "page": page,
        "query": urlencode(query),
        "map": map_settings(),
        "points": selectors.map_points(filters) if map_settings() else [],
        "centre": _city_centre(),
        "now": timezone.now(),
    }
    response = render(request, "servicerequests/list.html", context)
    _allow_tiles(response)
    return response


def _request_or_404(reference: str) -> ServiceRequest:
    item = selectors.request_by_reference(reference)
    if item is None:
        raise Http404(_("There is no such request."))
    return item


@require_safe
def request_detail(request: HttpRequest, reference: str) -> HttpResponse:
    item = _request_or_404(reference)
    context = {
        "item": item,
        "service_name": selectors.localized(item.service_type.name, item.service_type.name_translations),
        "department_name": selectors.localized(item.department.name, item.department.name_translations),
        "district_name": selectors.localized(item.district.name, item.district.name_translations)
        if item.district
        else "",
        "updates": selectors.public_updates(item),
        "photos": item.photos.filter(public=True),
        "duplicates": item.duplicates.only("reference"),
        "is_open": item.status in OPEN_STATUSES,
        "follow_form": FollowForm(),
        "can_handle": request.user.is_authenticated
        and rules.can_handle_requests(request.user, department_id=item.department_id),
        "map": map_settings(),
    }
    response = render(request, "servicerequests/detail.html", context)
    _allow_tiles(response)
    return response


@require_POST
def follow(request: HttpRequest, reference: str) -> HttpResponse:
    item = _request_or_404(reference)
    form = FollowForm(request.POST)
    if not request.user.is_authenticated and not form.is_valid():
        messages.error(request, _("Enter a valid email address to follow this request."))
        return redirect("servicerequests:detail", reference=item.reference)
    try:
        result = services.service_request_follow(
            actor=request.user if request.user.is_authenticated else None,
            request_id=item.pk,
            email=form.cleaned_data.get("email", "") if form.is_valid() else "",
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        if result.needs_confirmation:
            messages.success(request, _("Check your email: click the link we sent to start getting updates."))
        else:
            messages.success(request, _("You are following this request. We email you when it changes."))
    return redirect("servicerequests:detail", reference=item.reference)


def _confirm_page(request: HttpRequest, *, title: str, text: str, button: str) -> HttpResponse:
    return render(request, "servicerequests/confirm.html", {"title": title, "text": text, "button": button})


def follow_confirm(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        try:
            follower = services.service_request_follow_confirm(token=token)
        except NotFoundError as error:
            raise Http404(error.message) from error
        messages.success(request, _("Done: you will get an email when this request changes."))
        return redirect("servicerequests:detail", reference=follower.request.reference)
    return _confirm_page(
        request,
        title=_("Follow this request"),
        text=_("Confirm that you want an email whenever this request changes."),
        button=_("Yes, send me updates"),
    )


def unfollow(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        try:
            item = services.service_request_unfollow(token=token)
        except NotFoundError as error:
            raise Http404(error.message) from error
        messages.success(request, _("Done: you will get no more emails about this request."))
        return redirect("servicerequests:detail", reference=item.reference)
    return _confirm_page(
        request,
        title=_("Stop following this request"),
        text=_("Confirm that you want no more emails about this request."),
        button=_("Stop the emails"),
    )


def questionnaire(request: HttpRequest, token: str) -> HttpResponse:
    try:
        item = services.request_for_questionnaire(token)
    except NotFoundError as error:
        raise Http404(error.message) from error
    error_message = ""
    if request.method == "POST":
        answer = request.POST.get("answer")
        if answer in {"fixed", "not_fixed"}:
            try:
                services.service_request_questionnaire_answer(
                    token=token, fixed=answer == "fixed", comment=request.POST.get("comment", "")
                )
            except InvalidRequestError as error:
                error_message = error.message
            else:
                messages.success(
                    request,
                    _("Thank you. The request is closed.")
                    if answer == "fixed"
                    else _("Thank you. The request is open again and the department has been told."),
                )
                return redirect("servicerequests:detail", reference=item.reference)
        else:
            error_message = _("Choose whether the problem was fixed.")
    context = {
        "item": item,
        "service_name": selectors.localized(item.service_type.name, item.service_type.name_translations),
        "answerable": item.status == Status.RESOLVED,
        "error_message": error_message,
    }
    return render(
        request, "servicerequests/questionnaire.html", context, status=400 if error_message else 200
    )


@require_safe
def photo(request: HttpRequest, photo_id: uuid.UUID) -> FileResponse:
    item = ServiceRequestPhoto.objects.select_related("request").filter(pk=photo_id).first()
    if item is None:
        raise Http404(_("There is no such photo."))
    if not item.public and not (
        request.user.is_authenticated
        and rules.can_handle_requests(request.user, department_id=item.request.department_id)
    ):
        raise Http404(_("There is no such photo."))
    response = FileResponse(item.image.open("rb"), content_type=item.content_type)
    response["Cache-Control"] = "public, max-age=86400" if item.public else "private, no-store"
    response["Content-Disposition"] = "inline"
    return response


@login_required
@require_safe
def my_requests(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.requests_of_reporter(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "servicerequests/my_requests.html", {"page": page})


@require_safe
def developers(request: HttpRequest) -> HttpResponse:
    from cityhall.servicerequests.open311.views import jurisdiction

    context = {
        "base": f"{settings.CITYHALL_BASE_URL}/open311/v2",
        "jurisdiction": jurisdiction(),
        "statuses": [(status.label, "open" if status in OPEN_STATUSES else "closed") for status in Status],
    }
    return render(request, "servicerequests/developers.html", context)


# --- Staff ----------------------------------------------------------------------------------


def _staff_departments(request: HttpRequest) -> frozenset[uuid.UUID]:
    if not request.user.is_authenticated:
        raise PermissionDenied
    handled = rules.handled_departments(request.user)
    if not handled:
        raise PermissionDenied(_("Only department staff can work service requests."))
    return handled


@login_required
@require_safe
def staff_queue(request: HttpRequest) -> HttpResponse:
    handled = _staff_departments(request)
    form = QueueFilterForm(request.GET or None, service_types=_type_choices(), districts=_district_choices())
    filters = selectors.RequestFilters(status="open")
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.RequestFilters(
            status=data["status"],
            service_code=data["service_code"],
            district=data["district"],
            assigned=data["assigned"],
            overdue=data["overdue"],
            channel=data["channel"],
            reference=data["reference"],
        )
    queue = selectors.staff_queue(request.user, list(handled), filters)
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {key: value for key, value in request.GET.items() if key != "page" and value}
    staff = _staff_choices(next(iter(handled))) if len(handled) == 1 else _all_staff_choices(handled)
    context = {
        "form": form,
        "page": page,
        "query": urlencode(query),
        "statuses": Status.choices,
        "staff": staff,
        "now": timezone.now(),
    }
    return render(request, "servicerequests/staff/queue.html", context)


def _staff_choices(department_id: uuid.UUID) -> list[tuple[str, str]]:
    return [
        (str(summary.id), summary.display_name)
        for summary in users_with_permission(Permission.HANDLE_SERVICE_REQUESTS, department_id=department_id)
    ]


def _all_staff_choices(handled: frozenset[uuid.UUID]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for department_id in handled:
        seen.update(_staff_choices(department_id))
    return sorted(seen.items(), key=lambda item: item[1].lower())


@login_required
@require_POST
def staff_bulk(request: HttpRequest) -> HttpResponse:
    _staff_departments(request)
    ids = []
    for raw in request.POST.getlist("selected"):
        try:
            ids.append(uuid.UUID(raw))
        except ValueError:
            continue
    status = request.POST.get("status") or None
    assignee = request.POST.get("assignee", "")
    try:
        count = services.service_request_bulk_update(
            actor=request.user,
            request_ids=ids,
            status=Status(status) if status in Status.values else None,
            text=request.POST.get("text", ""),
            assign_to=uuid.UUID(assignee) if assignee not in {"", "none"} else None,
            unassign=assignee == "none",
        )
    except (ServiceError, ValueError) as error:
        messages.error(request, getattr(error, "message", str(error)))
    else:
        messages.success(request, _("%(count)d requests updated.") % {"count": count})
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/staff/requests/") else reverse("servicerequests:staff_queue"))


@login_required
def staff_detail(request: HttpRequest, reference: str) -> HttpResponse:
    item = _request_or_404(reference)
    if not rules.can_handle_requests(request.user, department_id=item.department_id):
        raise PermissionDenied
    staff = _staff_choices(item.department_id)
    department_choices = [(str(d.id), d.name) for d in departments()]
    update_form = StaffUpdateForm(prefix="update")
    assign_form = AssignForm(
        prefix="assign", staff=staff, initial={"assignee": str(item.assigned_to_id or "")}
    )
    transfer_form = TransferForm(
        prefix="transfer", departments=department_choices, initial={"department": str(item.department_id)}
    )
    duplicate_form = DuplicateForm(prefix="duplicate")
    escalate_form = EscalateForm(prefix="escalate")
    status_code = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "update":
                update_form = StaffUpdateForm(request.POST, prefix="update")
                if update_form.is_valid():
                    data = update_form.cleaned_data
                    services.service_request_update(
                        actor=request.user,
                        request_id=item.pk,
                        status=Status(data["status"]) if data["status"] else None,
                        text=data["text"],
                        visibility=Visibility(data["visibility"]),
                    )
                    messages.success(request, _("Saved."))
                    return redirect("servicerequests:staff_detail", reference=item.reference)
            elif action == "assign":
                assign_form = AssignForm(request.POST, prefix="assign", staff=staff)
                if assign_form.is_valid():
                    assignee = assign_form.cleaned_data["assignee"]
                    services.service_request_assign(
                        actor=request.user,
                        request_id=item.pk,
                        assignee_id=uuid.UUID(assignee) if assignee else None,
                    )
                    messages.success(request, _("Assignment saved."))
                    return redirect("servicerequests:staff_detail", reference=item.reference)
            elif action == "transfer":
                transfer_form = TransferForm(request.POST, prefix="transfer", departments=department_choices)
                if transfer_form.is_valid():
                    services.service_request_transfer(
                        actor=request.user,
                        request_id=item.pk,
                        department_id=uuid.UUID(transfer_form.cleaned_data["department"]),
                        text=transfer_form.cleaned_data["text"],
                    )
                    messages.success(request, _("The request was sent to the other department."))
                    return redirect("servicerequests:staff_queue")
            elif action == "duplicate":
                duplicate_form = DuplicateForm(request.POST, prefix="duplicate")
                if duplicate_form.is_valid():
                    services.service_request_mark_duplicate(
                        actor=request.user,
                        request_id=item.pk,
                        original_reference=duplicate_form.cleaned_data["original"],
                    )
                    messages.success(request, _("Closed as a duplicate."))
                    return redirect("servicerequests:staff_detail", reference=item.reference)
            elif action == "escalate":
                escalate_form = EscalateForm(request.POST, prefix="escalate")
                if escalate_form.is_valid():
                    incident, created = services.service_request_escalate(
                        actor=request.user,
                        request_id=item.pk,
                        severity=IncidentSeverity(escalate_form.cleaned_data["severity"]),
                        text=escalate_form.cleaned_data["text"],
                    )
                    if created:
                        messages.success(
                            request,
                            _("Incident %(code)s is open; the emergency managers can see it.")
                            % {"code": incident.code},
                        )
                    else:
                        messages.info(
                            request,
                            _("This request was already escalated to incident %(code)s.")
                            % {"code": incident.code},
                        )
                    return redirect("servicerequests:staff_detail", reference=item.reference)
            elif action == "hide_photo":
                services.service_request_photo_hide(
                    actor=request.user, photo_id=uuid.UUID(request.POST.get("photo", ""))
                )
                messages.success(request, _("The photo is no longer shown publicly."))
                return redirect("servicerequests:staff_detail", reference=item.reference)
        except InvalidRequestError as error:
            target = {"update": update_form, "duplicate": duplicate_form}.get(action or "")
            if target is not None:
                for field_error in error.fields:
                    name = field_error.location if field_error.location in target.fields else None
                    target.add_error(name, field_error.message)
            else:
                messages.error(request, error.message)
        except (ServiceError, ValueError) as error:
            messages.error(request, getattr(error, "message", str(error)))
        status_code = 400
    if request.method == "GET":
        services.service_request_contact_read(actor=request.user, request=item)
    context = {
        "item": item,
        "updates": selectors.all_updates(item),
        "photos": item.photos.all(),
        "followers": item.followers.filter(confirmed_at__isnull=False).count(),
        "update_form": update_form,
        "assign_form": assign_form,
        "transfer_form": transfer_form,
        "duplicate_form": duplicate_form,
        "escalate_form": escalate_form,
        "incident": incident_for_service_request(item.pk) if item.service_type.is_emergency else None,
        "attributes": _answers(item),
    }
    return render(request, "servicerequests/staff/detail.html", context, status=status_code)


def _answers(item: ServiceRequest) -> list[tuple[str, str]]:
    questions = {a.code: a for a in item.service_type.attributes.all()}
    rows = []
    for code, value in item.attributes.items():
        attribute = questions.get(code)
        label = attribute.description if attribute else code
        names = {str(v["key"]): str(v.get("name", v["key"])) for v in attribute.values} if attribute else {}
        values = value if isinstance(value, list) else [value]
        rows.append((label, ", ".join(names.get(str(v), str(v)) for v in values)))
    return rows


@login_required
@require_safe
def staff_report_start(request: HttpRequest) -> HttpResponse:
    if not rules.can_record_for_residents(request.user):
        raise PermissionDenied
    return render(request, "servicerequests/report_start.html", {"groups": _grouped_types(), "staff": True})


@login_required
def staff_report_form(request: HttpRequest, code: str) -> HttpResponse:
    if not rules.can_record_for_residents(request.user):
        raise PermissionDenied
    return _report(request, code, staff=True)


@login_required
@require_safe
def staff_channels(request: HttpRequest) -> HttpResponse:
    if not rules.can_work_any_queue(request.user):
        raise PermissionDenied
    periods = []
    for days in (7, 30, 365):
        counts = selectors.channel_usage_by_value(since=timezone.now() - dt.timedelta(days=days))
        total = sum(counts.values())
        periods.append(
            {
                "days": days,
                "total": total,
                "rows": [
                    (label, counts.get(value, 0), round(100 * counts.get(value, 0) / total) if total else 0)
                    for value, label in Channel.choices
                ],
            }
        )
    return render(request, "servicerequests/staff/channels.html", {"periods": periods})
