"""Writes of the FOI module: filing, clarifying, answering, extending, reviewing, withdrawing, the
holiday calendar and the daily overdue notice. Each checks who acts and from which state; an invalid
move raises a ServiceError with code "invalid_transition" and writes nothing."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.accounts.contracts import AccessChannel, Permission, PersonalDataAccess
from cityhall.accounts.facade import (
    audit_actor,
    departments,
    personal_data_accessed,
    user_has_permission,
    users_with_permission,
)
from cityhall.core.audit import audit_record
from cityhall.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from cityhall.decisions.facade import document_lookup, document_register
from cityhall.foi import deadlines
from cityhall.foi.contracts import (
    ADMIN_STATES,
    CLOCK_RUNNING,
    OUTCOMES,
    FoiState,
    MessageKind,
)
from cityhall.foi.models import Counter, FoiAttachment, FoiMessage, FoiRequest, Holiday
from cityhall.notifications.facade import email_queue

PURPOSE = "foi"

# --- Permissions ---------------------------------------------------------------------------------


def can_file(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and user_has_permission(user, Permission.PARTICIPATE)
    )


def can_handle(user: Any, *, department_id: uuid.UUID | None = None) -> bool:
    return bool(user_has_permission(user, Permission.HANDLE_FOI_REQUESTS, department_id=department_id))


def is_requester(user: Any, request: FoiRequest) -> bool:
    return bool(getattr(user, "is_authenticated", False) and request.requester_id == user.pk)


def _require_handler(actor: Any, request: FoiRequest | None = None) -> None:
    if actor is None:
        return
    department_id = request.department_id if request is not None else None
    if not can_handle(actor, department_id=department_id):
        raise PermissionDeniedError(_("Only staff who answer freedom-of-information requests can do this."))


def _require_requester(actor: Any, request: FoiRequest) -> None:
    if not is_requester(actor, request):
        raise PermissionDeniedError(_("Only the person who made the request can do this."))


# --- Shared ------------------------------------------------------------------------------------


def _audit(actor: Any, action: str, request: FoiRequest | None, data: dict[str, Any] | None = None) -> None:
    audit_record(
        actor=audit_actor(actor, system="foi"),
        action=action,
        object_type="foi.request" if request is not None else "foi.holiday",
        object_id=str(request.pk) if request is not None else "",
        data=data or {},
    )


def _next_reference(year: int) -> str:
    with transaction.atomic():
        counter, _created = Counter.objects.select_for_update().get_or_create(name=f"request:{year}")
        counter.last += 1
        counter.save(update_fields=["last"])
    return f"FOI-{year}-{counter.last:04d}"


def _locked(request_id: uuid.UUID) -> FoiRequest:
    request = FoiRequest.objects.select_for_update().filter(pk=request_id).first()
    if request is None:
        raise NotFoundError(_("There is no freedom-of-information request with that id."))
    return request


def _text(value: str, *, field: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(_("Write the %(field)s; it cannot be empty.") % {"field": field}, code="required")
    if len(value) > limit:
        raise ServiceError(
            _("The %(field)s is too long: at most %(limit)d characters.") % {"field": field, "limit": limit},
            code="too_long",
        )
    return value


def _state_label(state: str) -> str:
    return str(FoiState(state).label) if state in FoiState.values else state


def _refuse(request: FoiRequest, action: str, allowed_from: Sequence[str]) -> ServiceError:
    states = ", ".join(_state_label(s) for s in allowed_from)
    return ServiceError(
        _(
            "Request %(ref)s is “%(state)s”, so it cannot be %(action)s "
            "now; that is possible only when it is: %(states)s."
        )
        % {
            "ref": request.reference,
            "state": _state_label(request.state),
            "action": action,
            "states": states,
        },
        code="invalid_transition",
    )


def _message(
    request: FoiRequest, *, kind: str, text: str, from_authority: bool, at: dt.datetime | None = None
) -> FoiMessage:
    return FoiMessage.objects.create(
        request=request,
        kind=kind,
        text=text,
        from_authority=from_authority,
        state_after=request.state,
        sent_at=at or timezone.now(),
    )


def _restart_clock(request: FoiRequest, sent_on: dt.date) -> None:
    """The request counts as sent again: new deadlines from that day, no extension, no notices yet."""
    request.sent_on = sent_on
    request.extension_days = 0
    found = deadlines.deadlines(sent_on)
    request.due_on, request.very_late_on = found.due_on, found.very_late_on
    request.overdue_notified_on = None
    request.very_overdue_notified_on = None


def request_url(request: FoiRequest) -> str:
    return reverse("foi:request", args=[request.pk])


def _tell_requester(request: FoiRequest, subject: str, body: str) -> None:
    requester = request.requester
    if requester is None or not requester.email:
        return
    from django.conf import settings

    link = f"{settings.CITYHALL_BASE_URL}{request_url(request)}"
    email_queue(
        to=requester.email,
        subject=f"{request.reference}: {subject}",
        body_text=f"{body}\n\n{_('Read it and reply here:')} {link}\n",
        purpose=PURPOSE,
    )


# --- The requester ----------------------------------------------------------------------------


@transaction.atomic
def foi_request_file(
    *,
    actor: Any,
    title: str,
    body: str,
    department_id: uuid.UUID | None = None,
    sent_on: dt.date | None = None,
) -> FoiRequest:
    """A signed-in resident asks. The deadline runs from today (`sent_on` is for loading history)."""
    if not can_file(actor):
        raise PermissionDeniedError(_("Sign in to make a freedom-of-information request."))
    title = _text(title, field=_("summary"), limit=200)
    body = _text(body, field=_("request"), limit=20000)
    if department_id is not None and department_id not in {d.id for d in departments()}:
        raise ServiceError(
            _("There is no such department; choose one from the list."), code="unknown_department"
        )
    sent_on = sent_on or timezone.localdate()
    found = deadlines.deadlines(sent_on)
    request = FoiRequest.objects.create(
        reference=_next_reference(sent_on.year),
        requester=actor,
        department_id=department_id,
        title=title,
        body=body,
        state=FoiState.WAITING_RESPONSE,
        sent_on=sent_on,
        due_on=found.due_on,
        very_late_on=found.very_late_on,
    )
    at = (
        timezone.make_aware(dt.datetime.combine(sent_on, dt.time(9, 0)))
        if sent_on != timezone.localdate()
        else None
    )
    _message(request, kind=MessageKind.REQUEST, text=body, from_authority=False, at=at)
    _audit(
        actor,
        "foi.request_file",
        request,
        {"reference": request.reference, "due_on": request.due_on.isoformat()},
    )
    return request


@transaction.atomic
def foi_request_clarify(*, actor: Any, request_id: uuid.UUID, text: str) -> FoiRequest:
    """The requester answers the city's question: the request is sent again and the clock restarts."""
    request = _locked(request_id)
    _require_requester(actor, request)
    if request.state != FoiState.WAITING_CLARIFICATION:
        raise _refuse(request, _("clarified"), [FoiState.WAITING_CLARIFICATION])
    text = _text(text, field=_("clarification"), limit=20000)
    request.state = FoiState.WAITING_RESPONSE
    _restart_clock(request, timezone.localdate())
    request.save(update_fields=[*_CLOCK_FIELDS, "state", "updated_at"])
    _message(request, kind=MessageKind.CLARIFICATION, text=text, from_authority=False)
    _audit(actor, "foi.request_clarify", request, {"due_on": request.due_on.isoformat()})
    return request


_CLOCK_FIELDS = [
    "sent_on",
    "extension_days",
    "due_on",
    "very_late_on",
    "overdue_notified_on",
    "very_overdue_notified_on",
]


@transaction.atomic
def foi_request_withdraw(*, actor: Any, request_id: uuid.UUID, reason: str = "") -> FoiRequest:
    request = _locked(request_id)
    _require_requester(actor, request)
    allowed = (FoiState.WAITING_RESPONSE, FoiState.WAITING_CLARIFICATION, FoiState.INTERNAL_REVIEW)
    if request.state not in allowed:
        raise _refuse(request, _("withdrawn"), allowed)
    request.state = FoiState.USER_WITHDRAWN
    request.save(update_fields=["state", "updated_at"])
    _message(request, kind=MessageKind.WITHDRAWAL, text=reason.strip()[:2000], from_authority=False)
    _audit(actor, "foi.request_withdraw", request)
    return request


@transaction.atomic
def foi_request_review(*, actor: Any, request_id: uuid.UUID, text: str) -> FoiRequest:
    """The requester disagrees with the answer and asks for an internal review (a new deadline)."""
    request = _locked(request_id)
    _require_requester(actor, request)
    if request.state not in OUTCOMES:
        raise _refuse(request, _("sent for internal review"), OUTCOMES)
    text = _text(text, field=_("reason for the review"), limit=20000)
    request.state = FoiState.INTERNAL_REVIEW
    _restart_clock(request, timezone.localdate())
    request.save(update_fields=[*_CLOCK_FIELDS, "state", "updated_at"])
    _message(request, kind=MessageKind.REVIEW_REQUEST, text=text, from_authority=False)
    _audit(actor, "foi.request_review", request, {"due_on": request.due_on.isoformat()})
    return request


# --- The city -----------------------------------------------------------------------------------


@transaction.atomic
def foi_request_ask_clarification(*, actor: Any, request_id: uuid.UUID, text: str) -> FoiRequest:
    """Ask the requester a question. The clock stops; it starts again from their answer."""
    request = _locked(request_id)
    _require_handler(actor, request)
    if request.state != FoiState.WAITING_RESPONSE:
        raise _refuse(request, _("sent back for clarification"), [FoiState.WAITING_RESPONSE])
    text = _text(text, field=_("question"), limit=20000)
    request.state = FoiState.WAITING_CLARIFICATION
    request.save(update_fields=["state", "updated_at"])
    _message(request, kind=MessageKind.CLARIFICATION_REQUEST, text=text, from_authority=True)
    _audit(actor, "foi.request_ask_clarification", request)
    _tell_requester(request, _("the city needs a clarification"), text)
    return request


@dataclass(frozen=True, slots=True)
class UploadedFile:
    title: str
    file_name: str
    content: bytes
    media_type: str


@transaction.atomic
def foi_request_respond(
    *,
    actor: Any,
    request_id: uuid.UUID,
    outcome: str,
    text: str,
    files: Sequence[UploadedFile] = (),
    document_ids: Sequence[uuid.UUID] = (),
    sign: bool = False,
    at: dt.datetime | None = None,
) -> FoiMessage:
    """Answer the request (or the internal review), with documents registered in the city's registry."""
    request = _locked(request_id)
    _require_handler(actor, request)
    if request.state not in CLOCK_RUNNING:
        raise _refuse(request, _("answered"), sorted(CLOCK_RUNNING))
    if outcome not in OUTCOMES:
        labels = ", ".join(_state_label(s) for s in OUTCOMES)
        raise ServiceError(
            _("Choose the outcome of the answer: %(labels)s.") % {"labels": labels}, code="invalid_outcome"
        )
    text = _text(text, field=_("answer"), limit=50000)
    if (files or document_ids) and request.department_id is None:
        raise ServiceError(
            _(
                "Assign the request to a department before releasing "
                "documents: they are registered in its name."
            ),
            code="no_department",
        )
    request.state = outcome
    request.save(update_fields=["state", "updated_at"])
    message = _message(request, kind=MessageKind.RESPONSE, text=text, from_authority=True, at=at)
    for upload in files:
        if not upload.content:
            raise ServiceError(
                _("The file “%(name)s” is empty.") % {"name": upload.file_name}, code="empty_file"
            )
        assert request.department_id is not None  # checked above
        document = document_register(
            actor=actor,
            department_id=request.department_id,
            title=_text(upload.title, field=_("document title"), limit=300),
            file_name=upload.file_name,
            content=upload.content,
            media_type=upload.media_type,
            sign=sign,
        )
        _attach(message, document)
    for document_id in document_ids:
        found = document_lookup(document_id)
        if found is None:
            raise ServiceError(
                _("There is no document with the id %(id)s in the registry.") % {"id": document_id},
                code="unknown_document",
            )
        _attach(message, found)
    _audit(
        actor, "foi.request_respond", request, {"outcome": outcome, "documents": message.attachments.count()}
    )
    _tell_requester(request, _("the city answered your request"), text)
    return message


def _attach(message: FoiMessage, document: Any) -> FoiAttachment:
    return FoiAttachment.objects.create(
        message=message,
        document_id=document.id,
        title=document.title[:300],
        url=document.url[:500],
        verify_url=document.verify_url[:500],
        sha256=document.sha256[:64],
        signed=document.signed,
    )


@transaction.atomic
def foi_request_extend(*, actor: Any, request_id: uuid.UUID, days: int, reason: str) -> FoiRequest:
    """Extend the deadline (the law allows it for complex requests), with the reason published."""
    request = _locked(request_id)
    _require_handler(actor, request)
    if request.state not in CLOCK_RUNNING:
        raise _refuse(request, _("extended"), sorted(CLOCK_RUNNING))
    limit = deadlines.max_extension_days()
    if days < 1 or request.extension_days + days > limit:
        raise ServiceError(
            _(
                "An extension must be at least 1 day and at most "
                "%(limit)d days in all; %(used)d are used already."
            )
            % {"limit": limit, "used": request.extension_days},
            code="invalid_extension",
        )
    reason = _text(reason, field=_("reason for the extension"), limit=2000)
    request.extension_days += days
    found = deadlines.deadlines(request.sent_on, extension_days=request.extension_days)
    request.due_on, request.very_late_on = found.due_on, found.very_late_on
    request.overdue_notified_on = None
    request.very_overdue_notified_on = None
    request.save(update_fields=[*_CLOCK_FIELDS, "updated_at"])
    _message(request, kind=MessageKind.EXTENSION, text=reason, from_authority=True)
    _audit(actor, "foi.request_extend", request, {"days": days, "due_on": request.due_on.isoformat()})
    _tell_requester(
        request,
        _("the deadline is extended"),
        _("The new deadline is %(date)s. Reason: %(reason)s")
        % {"date": request.due_on.isoformat(), "reason": reason},
    )
    return request


@transaction.atomic
def foi_request_set_state(*, actor: Any, request_id: uuid.UUID, state: str, note: str) -> FoiRequest:
    """Staff-only outcomes without an answer: handled by post, vexatious, not an FOI request, a
    delivery error, or needing an administrator. Only while the request is open."""
    request = _locked(request_id)
    _require_handler(actor, request)
    if state not in ADMIN_STATES:
        labels = ", ".join(_state_label(s) for s in ADMIN_STATES)
        raise ServiceError(_("Choose one of: %(labels)s.") % {"labels": labels}, code="invalid_transition")
    allowed = (
        FoiState.WAITING_RESPONSE,
        FoiState.WAITING_CLARIFICATION,
        FoiState.INTERNAL_REVIEW,
        FoiState.REQUIRES_ADMIN,
        FoiState.ERROR_MESSAGE,
        FoiState.ATTENTION_REQUESTED,
    )
    if request.state not in allowed or request.state == state:
        raise _refuse(request, _("given that status"), [s for s in allowed if s != state])
    note = _text(note, field=_("note"), limit=2000)
    request.state = state
    request.save(update_fields=["state", "updated_at"])
    _message(request, kind=MessageKind.STATUS, text=note, from_authority=True)
    _audit(actor, "foi.request_set_state", request, {"state": state})
    return request


@transaction.atomic
def foi_request_assign(*, actor: Any, request_id: uuid.UUID, department_id: uuid.UUID) -> FoiRequest:
    request = _locked(request_id)
    _require_handler(actor, request)
    if department_id not in {d.id for d in departments()}:
        raise ServiceError(
            _("There is no such department; choose one from the list."), code="unknown_department"
        )
    if actor is not None and not can_handle(actor, department_id=department_id):
        raise PermissionDeniedError(_("You cannot hand requests to a department you do not answer for."))
    request.department_id = department_id
    request.save(update_fields=["department", "updated_at"])
    _audit(actor, "foi.request_assign", request, {"department": str(department_id)})
    return request


@transaction.atomic
def foi_request_hide(*, actor: Any, request_id: uuid.UUID, hidden: bool, reason: str = "") -> FoiRequest:
    """Take a request off the public disclosure log (personal data in it, for instance), or put it back."""
    request = _locked(request_id)
    _require_handler(actor, request)
    if hidden:
        request.hidden_reason = _text(reason, field=_("reason"), limit=300)
    else:
        request.hidden_reason = ""
    request.hidden = hidden
    request.save(update_fields=["hidden", "hidden_reason", "updated_at"])
    _audit(
        actor,
        "foi.request_hide" if hidden else "foi.request_show",
        request,
        {"reason": request.hidden_reason},
    )
    return request


def foi_requester_read(
    *, actor: Any, request: FoiRequest, channel: AccessChannel = AccessChannel.STAFF_UI
) -> None:
    """Staff open a request with the requester's identity: the read is logged and shown to the requester."""
    _require_handler(actor, request)
    if request.requester_id is None:
        return
    personal_data_accessed(
        accessor=actor,
        access=PersonalDataAccess(
            resident_ids=(request.requester_id,),
            data_category="identity",
            purpose=f"answering freedom-of-information request {request.reference}",
            channel=channel,
            case_reference=request.reference,
        ),
    )


# --- Holidays -------------------------------------------------------------------------------------


@transaction.atomic
def holiday_add(*, actor: Any, day: dt.date, name: str) -> Holiday:
    """Add a public holiday. Deadlines already set are not moved (they were lawful when computed)."""
    _require_handler(actor)
    if Holiday.objects.filter(day=day).exists():
        raise ServiceError(_("%(day)s is already a holiday.") % {"day": day.isoformat()}, code="duplicate")
    holiday = Holiday.objects.create(day=day, name=_text(name, field=_("name"), limit=200))
    _audit(actor, "foi.holiday_add", None, {"day": day.isoformat(), "name": holiday.name})
    return holiday


@transaction.atomic
def holiday_remove(*, actor: Any, day: dt.date) -> None:
    _require_handler(actor)
    deleted, _rows = Holiday.objects.filter(day=day).delete()
    if not deleted:
        raise NotFoundError(_("%(day)s is not in the holiday calendar.") % {"day": day.isoformat()})
    _audit(actor, "foi.holiday_remove", None, {"day": day.isoformat()})


# --- The daily overdue notice ----------------------------------------------------------------


def _handlers(department_id: uuid.UUID | None) -> dict[str, str]:
    """Email → name of everyone who answers FOI requests for the department (for any, if none)."""
    targets = [department_id] if department_id else [d.id for d in departments()]
    found: dict[str, str] = {}
    for target in targets:
        for user in users_with_permission(Permission.HANDLE_FOI_REQUESTS, department_id=target):
            found[user.email] = user.display_name
    return found


@transaction.atomic
def foi_overdue_notify(*, today: dt.date | None = None) -> int:
    """Tell the staff about every request that became overdue (or very overdue) and they have not
    been told about yet. Idempotent: a request is announced once per stage. Returns requests announced."""
    today = today or timezone.localdate()
    running = FoiRequest.objects.select_for_update().filter(state__in=CLOCK_RUNNING, due_on__lt=today)
    announced = 0
    for request in running.order_by("due_on"):
        very = today > request.very_late_on
        if very and request.very_overdue_notified_on is None:
            stage, field = _("very overdue"), "very_overdue_notified_on"
        elif request.overdue_notified_on is None:
            stage, field = _("overdue"), "overdue_notified_on"
        else:
            continue
        from django.conf import settings

        link = f"{settings.CITYHALL_BASE_URL}{reverse('foi:staff_request', args=[request.pk])}"
        for email in _handlers(request.department_id):
            email_queue(
                to=email,
                subject=_("%(ref)s is %(stage)s") % {"ref": request.reference, "stage": stage},
                body_text=_(
                    "Freedom-of-information request %(ref)s (“%(title)s”) "
                    "was due on %(due)s and has no answer yet.\n\n%(link)s\n"
                )
                % {
                    "ref": request.reference,
                    "title": request.title,
                    "due": request.due_on.isoformat(),
                    "link": link,
                },
                purpose=PURPOSE,
            )
        setattr(request, field, today)
        if field == "very_overdue_notified_on" and request.overdue_notified_on is None:
            request.overdue_notified_on = today
        request.save(update_fields=["overdue_notified_on", "very_overdue_notified_on"])
        _audit(None, "foi.overdue_notify", request, {"stage": field.removesuffix("_notified_on")})
        announced += 1
    return announced
