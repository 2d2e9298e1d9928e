"""Pages: public decisions (search, bodies, meetings, decisions with votes, feed, open data) and the
clerk's staff pages. Every form posts to one service; a refusal comes back as the form's error."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cityhall.core.errors import PermissionDeniedError, ServiceError
from cityhall.decisions import exports, feeds, forms, rules, selectors, services
from cityhall.decisions.contracts import CLOSED_STATUSES, NEXT_STATUSES, DecisionStatus, VoteOption
from cityhall.decisions.models import Body, Decision, Meeting, Member

# --- Public --------------------------------------------------------------------------------------


def _body_choices() -> list[tuple[str, str]]:
    return [("", _("Every body"))] + [(b.slug, b.name) for b in selectors.body_list()]


def _page_number(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 10_000))
    except ValueError:
        return 1


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    form = forms.SearchForm(request.GET or None)
    form.fields["body"].choices = _body_choices()  # type: ignore[attr-defined]
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    body = selectors.body_by_slug(data["body"]) if data.get("body") else None
    result = selectors.decision_search(
        query=data.get("q") or "",
        body_id=body.pk if body else None,
        status=data.get("status") or "",
        relevance=data.get("sort") == "relevance",
        page=_page_number(request.GET.get("page")),
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "decisions/index.html",
        {
            "form": form,
            "result": result,
            "query_string": query.urlencode(),
            "bodies": selectors.body_list(),
            "meetings": selectors.meeting_list(limit=5),
        },
    )


@require_GET
def body_page(request: HttpRequest, slug: str) -> HttpResponse:
    body = selectors.body_by_slug(slug)
    if body is None:
        raise Http404
    return render(
        request,
        "decisions/body.html",
        {
            "body": body,
            "memberships": selectors.current_memberships(body),
            "meetings": selectors.meeting_list(body=body),
            "decisions": selectors.decision_search(body_id=body.pk, page_size=10).items,
        },
    )


@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    return render(request, "decisions/meetings.html", {"meetings": selectors.meeting_list(limit=200)})


@require_GET
def meeting_page(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    meeting = selectors.meeting_detail(meeting_id)
    if meeting is None:
        raise Http404
    return render(request, "decisions/meeting.html", {"meeting": meeting})


@require_GET
def decision_page(request: HttpRequest, decision_id: uuid.UUID) -> HttpResponse:
    decision = selectors.decision_detail(decision_id)
    if decision is None:
        raise Http404
    return render(request, "decisions/decision.html", {"decision": decision})


@require_GET
def feed(request: HttpRequest) -> HttpResponse:
    language = get_language() or "en"
    body_filter = selectors.body_by_slug(request.GET.get("body", "")) if request.GET.get("body") else None
    if request.GET.get("body") and body_filter is None:
        raise Http404
    body = feeds.atom_feed(selectors.feed_decisions(body=body_filter), language=language, body=body_filter)
    return HttpResponse(body, content_type=f"{feeds.ATOM_MEDIA_TYPE}; charset=utf-8")


@require_GET
def open_data(request: HttpRequest) -> HttpResponse:
    return render(request, "decisions/data.html", {"tables": exports.TABLES})


@require_GET
def export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    if table not in exports.TABLES or fmt not in exports.FORMATS:
        raise Http404
    content: str | bytes = exports.table_csv(table) if fmt == "csv" else exports.table_json(table)
    response = HttpResponse(content, content_type=exports.FORMATS[fmt])
    response["Content-Disposition"] = f'inline; filename="{table}.{fmt}"'
    return response


# --- Staff ---------------------------------------------------------------------------------------


def _clerk(request: HttpRequest) -> Any:
    if not rules.can_manage_decisions(request.user):
        raise PermissionDenied
    return request.user


def _bound(request: HttpRequest, name: str, form_class: type[django_forms.Form]) -> Any:
    if request.method == "POST" and request.POST.get("form") == name:
        return form_class(request.POST, request.FILES, prefix=name)
    return form_class(prefix=name)


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


def _status(forms_: list[django_forms.Form]) -> int:
    return 400 if any(f.is_bound and f.errors for f in forms_) else 200


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError):
        return None


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    user = _clerk(request)
    bodies = list(Body.objects.order_by("name"))
    body_choices = [(str(b.pk), b.name) for b in bodies]
    body_form = _bound(request, "body", forms.BodyForm)
    member_form = _bound(request, "member", forms.MemberForm)
    membership_form = _bound(request, "membership", forms.MembershipForm)
    membership_form.fields["body"].choices = body_choices
    membership_form.fields["member"].choices = [(str(m.pk), m.name) for m in Member.objects.order_by("name")]
    meeting_form = _bound(request, "meeting", forms.MeetingForm)
    meeting_form.fields["body"].choices = body_choices
    all_forms = [body_form, member_form, membership_form, meeting_form]
    if request.method == "POST":
        sent = request.POST.get("form")
        done = False
        if sent == "body":
            done = _submit(
                request,
                body_form,
                lambda d: services.body_create(actor=user, **d),
                _("The body is added."),
            )
        elif sent == "member":
            done = _submit(
                request,
                member_form,
                lambda d: services.member_create(actor=user, **d),
                _("The member is added."),
            )
        elif sent == "membership":
            done = _submit(
                request,
                membership_form,
                lambda d: services.membership_add(
                    actor=user,
                    body_id=uuid.UUID(d["body"]),
                    member_id=uuid.UUID(d["member"]),
                    role=d["role"],
                    start_on=d["start_on"],
                    end_on=d["end_on"],
                ),
                _("The term is recorded."),
            )
        elif sent == "meeting":
            meeting_holder: list[Meeting] = []
            done = _submit(
                request,
                meeting_form,
                lambda d: meeting_holder.append(
                    services.meeting_create(
                        actor=user,
                        body_id=uuid.UUID(d["body"]),
                        title=d["title"],
                        starts_at=d["starts_at"],
                        location=d["location"],
                    )
                ),
                _("The meeting is scheduled."),
            )
            if done:
                return redirect("decisions:staff_meeting", meeting_holder[0].pk)
        elif sent == "publish":
            try:
                published = services.open_data_publish(actor=user)
            except ServiceError as error:
                messages.error(request, error.message)
            else:
                if published:
                    messages.success(request, _("The open data is published to the catalog."))
                else:
                    messages.error(
                        request,
                        _(
                            "The catalog cannot take the decisions data yet; "
                            "the files stay available on the open-data page."
                        ),
                    )
            done = True
        if done:
            return redirect("decisions:staff_home")
    return render(
        request,
        "decisions/staff/home.html",
        {
            "bodies": bodies,
            "members": Member.objects.prefetch_related("memberships__body").order_by("name"),
            "meetings": selectors.meeting_list(limit=50),
            "decisions": selectors.decision_search(include_drafts=True, page_size=20).items,
            "body_form": body_form,
            "member_form": member_form,
            "membership_form": membership_form,
            "meeting_form": meeting_form,
        },
        status=_status(all_forms),
    )


@login_required
def staff_meeting(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    user = _clerk(request)
    meeting = selectors.meeting_detail(meeting_id, include_drafts=True)
    if meeting is None:
        raise Http404
    item_form = _bound(request, "item", forms.AgendaItemForm)
    update_form = (
        _bound(request, "update", forms.MeetingUpdateForm)
        if request.POST.get("form") == "update"
        else forms.MeetingUpdateForm(prefix="update", initial={"minutes": meeting.minutes})
    )
    decision_form = _bound(request, "decision", forms.DecisionForm)
    decision_form.fields["agenda_item"].choices = [("", _("None"))] + [
        (str(i.pk), str(i)) for i in meeting.items.all()
    ]
    attachment_form = _bound(request, "attachment", forms.AttachmentForm)
    existing_form = _bound(request, "existing", forms.AttachExistingForm)
    all_forms = [item_form, update_form, decision_form, attachment_form, existing_form]
    if request.method == "POST":
        sent = request.POST.get("form")
        done = False
        if sent == "item":
            done = _submit(
                request,
                item_form,
                lambda d: services.agenda_item_add(actor=user, meeting_id=meeting.pk, **d),
                _("The agenda item is added."),
            )
        elif sent == "update":
            done = _submit(
                request,
                update_form,
                lambda d: services.meeting_update(
                    actor=user, meeting_id=meeting.pk, status=d["status"] or None, minutes=d["minutes"]
                ),
                _("The meeting is updated."),
            )
        elif sent == "decision":
            done = _submit(
                request,
                decision_form,
                lambda d: services.decision_create(
                    actor=user,
                    body_id=meeting.body_id,
                    meeting_id=meeting.pk,
                    agenda_item_id=_uuid(d["agenda_item"]),
                    title=d["title"],
                    text=d["text"],
                    kind=d["kind"],
                    submit=d["submit_now"],
                ),
                _("The motion is recorded."),
            )
        elif sent == "attachment":
            done = _submit(
                request,
                attachment_form,
                lambda d: services.attachment_upload(
                    actor=user,
                    meeting_id=meeting.pk,
                    role=d["role"],
                    title=d["title"],
                    file_name=d["file"].name,
                    content=d["file"].read(),
                    media_type=d["file"].content_type or "application/octet-stream",
                    sign=d["sign"],
                ),
                _("The document is attached."),
            )
        elif sent == "existing":
            done = _submit(
                request,
                existing_form,
                lambda d: services.attachment_link(
                    actor=user, meeting_id=meeting.pk, role=d["role"], document_id=d["document_id"]
                ),
                _("The document is attached."),
            )
        if done:
            return redirect("decisions:staff_meeting", meeting.pk)
    return render(
        request,
        "decisions/staff/meeting.html",
        {
            "meeting": meeting,
            "item_form": item_form,
            "update_form": update_form,
            "decision_form": decision_form,
            "attachment_form": attachment_form,
            "existing_form": existing_form,
        },
        status=_status(all_forms),
    )


def _roll_call(decision: Decision) -> list[tuple[Member, str]]:
    if decision.meeting is None:
        return []
    recorded = {v.member_id: v.option for v in decision.votes.all()}
    on = services.meeting_date(decision.meeting)
    return [(m.member, recorded.get(m.member_id, "")) for m in selectors.memberships_on(decision.body_id, on)]


@login_required
def staff_decision(request: HttpRequest, decision_id: uuid.UUID) -> HttpResponse:
    user = _clerk(request)
    decision = selectors.decision_detail(decision_id, include_drafts=True)
    if decision is None:
        raise Http404
    transition_form = _bound(request, "transition", forms.TransitionForm)
    transition_form.fields["to_status"].choices = [
        (s, DecisionStatus(s).label) for s in NEXT_STATUSES.get(decision.status, ())
    ]
    link_form = _bound(request, "link", forms.LinkForm)
    attachment_form = _bound(request, "attachment", forms.AttachmentForm)
    existing_form = _bound(request, "existing", forms.AttachExistingForm)
    all_forms = [transition_form, link_form, attachment_form, existing_form]
    vote_error = ""
    if request.method == "POST":
        sent = request.POST.get("form")
        done = False
        if sent == "transition":
            done = _submit(
                request,
                transition_form,
                lambda d: services.decision_transition(actor=user, decision_id=decision.pk, **d),
                _("The status is changed."),
            )
        elif sent in ("votes", "close"):
            choices = {
                member_id: request.POST.get(f"vote-{member_id}", "")
                for member_id in (_uuid(key[5:]) for key in request.POST if key.startswith("vote-"))
                if member_id is not None
            }
            choices = {k: v for k, v in choices.items() if v}
            try:
                if choices:
                    services.votes_record(actor=user, decision_id=decision.pk, votes=choices)
                if sent == "close":
                    services.decision_vote_close(actor=user, decision_id=decision.pk)
                    messages.success(request, _("The vote is closed and the result recorded."))
                else:
                    messages.success(request, _("The roll call is saved."))
                done = True
            except PermissionDeniedError as error:
                raise PermissionDenied(error.message) from error
            except ServiceError as error:
                vote_error = error.message
        elif sent == "link":
            done = _submit(
                request,
                link_form,
                lambda d: services.decision_link_add(actor=user, decision_id=decision.pk, **d),
                _("The link is added."),
            )
        elif sent == "unlink":
            link_id = _uuid(request.POST.get("link", ""))
            if link_id is not None and decision.links.filter(pk=link_id).exists():
                services.decision_link_remove(actor=user, link_id=link_id)
                messages.success(request, _("The link is removed."))
            done = True
        elif sent == "attachment":
            done = _submit(
                request,
                attachment_form,
                lambda d: services.attachment_upload(
                    actor=user,
                    decision_id=decision.pk,
                    role=d["role"],
                    title=d["title"],
                    file_name=d["file"].name,
                    content=d["file"].read(),
                    media_type=d["file"].content_type or "application/octet-stream",
                    sign=d["sign"],
                ),
                _("The document is attached."),
            )
        elif sent == "existing":
            done = _submit(
                request,
                existing_form,
                lambda d: services.attachment_link(
                    actor=user, decision_id=decision.pk, role=d["role"], document_id=d["document_id"]
                ),
                _("The document is attached."),
            )
        if done:
            return redirect("decisions:staff_decision", decision.pk)
    status = 400 if vote_error else _status(all_forms)
    return render(
        request,
        "decisions/staff/decision.html",
        {
            "decision": decision,
            "closed": decision.status in CLOSED_STATUSES,
            "roll_call": _roll_call(decision),
            "options": VoteOption.choices,
            "vote_error": vote_error,
            "transition_form": transition_form,
            "link_form": link_form,
            "attachment_form": attachment_form,
            "existing_form": existing_form,
            "today": timezone.localdate(),
        },
        status=status,
    )
