"""Writes of the decisions module. Each one checks permission, validates, writes, audits, in one
transaction; a refusal leaves nothing half-written."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.accounts.facade import audit_actor
from cityhall.core.audit import audit_record
from cityhall.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from cityhall.decisions import integrations, rules, search
from cityhall.decisions.contracts import (
    CLOSED_STATUSES,
    NEXT_STATUSES,
    AttachmentRole,
    BodyKind,
    DecisionKind,
    DecisionStatus,
    LinkKind,
    MeetingStatus,
    MemberRole,
    RegisteredDocument,
    VoteOption,
    VoteResult,
)
from cityhall.decisions.models import (
    AgendaItem,
    Attachment,
    Body,
    Counter,
    Decision,
    DecisionLink,
    Meeting,
    Member,
    Membership,
    StatusChange,
    Vote,
)

# --- Shared -------------------------------------------------------------------------------------


def _require(actor: Any) -> None:
    """`actor=None` is the platform itself (demo loader, commands)."""
    if actor is not None and not rules.can_manage_decisions(actor):
        raise PermissionDeniedError(
            _("Only council clerks can record bodies, meetings, decisions and votes.")
        )


def _audit(
    actor: Any, action: str, object_type: str, object_id: Any, data: dict[str, Any] | None = None
) -> None:
    audit_record(
        actor=audit_actor(actor, system="decisions"),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        data=data or {},
    )


def next_number(name: str) -> int:
    """The next value of a named counter, under a row lock (caller's transaction); never reused."""
    with transaction.atomic():
        counter, _created = Counter.objects.select_for_update().get_or_create(name=name, defaults={"last": 0})
        counter.last += 1
        counter.save(update_fields=["last"])
    return counter.last


def _text(value: str, *, field: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(_("Give the %(field)s; it cannot be empty.") % {"field": field}, code="required")
    if len(value) > limit:
        raise ServiceError(
            _("The %(field)s is too long: at most %(limit)d characters.") % {"field": field, "limit": limit},
            code="too_long",
        )
    return value


def _choice(value: str, choices: Any, *, field: str) -> str:
    if value not in choices.values:
        known = ", ".join(choices.values)
        raise ServiceError(
            _("“%(value)s” is not a known %(field)s; use one of: %(known)s.")
            % {"value": value, "field": field, "known": known},
            code="invalid_choice",
        )
    return value


def _get(model: Any, pk: uuid.UUID, what: str, *, lock: bool = False) -> Any:
    manager = model.objects.select_for_update() if lock else model.objects
    found = manager.filter(pk=pk).first()
    if found is None:
        raise NotFoundError(_("There is no %(what)s with that id.") % {"what": what})
    return found


def meeting_date(meeting: Meeting) -> dt.date:
    return timezone.localtime(meeting.starts_at).date()


def decision_url(decision_id: uuid.UUID) -> str:
    return reverse("decisions:decision", args=[decision_id])


def reindex(decision: Decision) -> None:
    body = " ".join([decision.reference, decision.kind, decision.body.name, decision.text])
    search.index_decision(serial=decision.serial, title=decision.title, body=body)


# --- Bodies and members ---------------------------------------------------------------------------


@transaction.atomic
def body_create(
    *,
    actor: Any,
    slug: str,
    name: str,
    kind: str,
    description: str = "",
    department_id: uuid.UUID | None = None,
) -> Body:
    _require(actor)
    slug = _text(slug, field=_("short name (slug)"), limit=100).lower()
    if Body.objects.filter(slug=slug).exists():
        raise ServiceError(
            _("A body with the short name “%(slug)s” exists already.") % {"slug": slug}, code="duplicate"
        )
    body = Body.objects.create(
        slug=slug,
        name=_text(name, field=_("name"), limit=200),
        kind=_choice(kind, BodyKind, field=_("kind of body")),
        description=description.strip(),
        department_id=department_id,
    )
    _audit(actor, "decisions.body_create", "decisions.body", body.pk, {"slug": slug, "name": body.name})
    return body


@transaction.atomic
def member_create(
    *, actor: Any, name: str, affiliation: str = "", user_id: uuid.UUID | None = None
) -> Member:
    _require(actor)
    member = Member.objects.create(
        name=_text(name, field=_("name"), limit=200), affiliation=affiliation.strip()[:200], user_id=user_id
    )
    _audit(actor, "decisions.member_create", "decisions.member", member.pk, {"name": member.name})
    return member


@transaction.atomic
def membership_add(
    *,
    actor: Any,
    body_id: uuid.UUID,
    member_id: uuid.UUID,
    start_on: dt.date,
    end_on: dt.date | None = None,
    role: str = MemberRole.MEMBER,
) -> Membership:
    _require(actor)
    body = _get(Body, body_id, _("body"))
    member = _get(Member, member_id, _("member"))
    _choice(role, MemberRole, field=_("role"))
    if end_on is not None and end_on < start_on:
        raise ServiceError(_("A term cannot end before it starts; check the dates."), code="invalid_term")
    overlapping = Membership.objects.filter(body=body, member=member).filter(
        Q(end_on__isnull=True) | Q(end_on__gte=start_on)
    )
    if end_on is not None:
        overlapping = overlapping.filter(start_on__lte=end_on)
    if overlapping.exists():
        raise ServiceError(
            _("%(member)s already has a term on %(body)s in those dates; end that term first.")
            % {"member": member.name, "body": body.name},
            code="overlapping_term",
        )
    membership = Membership.objects.create(
        body=body, member=member, role=role, start_on=start_on, end_on=end_on
    )
    _audit(
        actor,
        "decisions.membership_add",
        "decisions.membership",
        membership.pk,
        {"body": str(body.pk), "member": str(member.pk), "start_on": start_on.isoformat()},
    )
    return membership


@transaction.atomic
def membership_end(*, actor: Any, membership_id: uuid.UUID, end_on: dt.date) -> Membership:
    _require(actor)
    membership = _get(Membership, membership_id, _("membership"), lock=True)
    if end_on < membership.start_on:
        raise ServiceError(_("A term cannot end before it starts; check the dates."), code="invalid_term")
    membership.end_on = end_on
    membership.save(update_fields=["end_on", "updated_at"])
    _audit(
        actor,
        "decisions.membership_end",
        "decisions.membership",
        membership.pk,
        {"end_on": end_on.isoformat()},
    )
    return membership


# --- Meetings and agendas ----------------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *, actor: Any, body_id: uuid.UUID, title: str, starts_at: dt.datetime, location: str = ""
) -> Meeting:
    _require(actor)
    body = _get(Body, body_id, _("body"))
    if timezone.is_naive(starts_at):
        raise ServiceError(_("Give the meeting's start time with its time zone."), code="naive_datetime")
    meeting = Meeting.objects.create(
        body=body,
        title=_text(title, field=_("title"), limit=200),
        starts_at=starts_at,
        location=location.strip()[:200],
    )
    _audit(actor, "decisions.meeting_create", "decisions.meeting", meeting.pk, {"body": str(body.pk)})
    return meeting


@transaction.atomic
def meeting_update(
    *, actor: Any, meeting_id: uuid.UUID, status: str | None = None, minutes: str | None = None
) -> Meeting:
    _require(actor)
    meeting = _get(Meeting, meeting_id, _("meeting"), lock=True)
    fields = ["updated_at"]
    if status is not None and status != meeting.status:
        _choice(status, MeetingStatus, field=_("meeting status"))
        if meeting.status != MeetingStatus.SCHEDULED:
            raise ServiceError(
                _("This meeting is already %(status)s; only a scheduled meeting can be held or cancelled.")
                % {"status": meeting.get_status_display()},
                code="invalid_transition",
            )
        meeting.status = status
        fields.append("status")
    if minutes is not None:
        meeting.minutes = minutes.strip()
        fields.append("minutes")
    meeting.save(update_fields=fields)
    _audit(actor, "decisions.meeting_update", "decisions.meeting", meeting.pk, {"fields": fields[1:]})
    return meeting


@transaction.atomic
def agenda_item_add(*, actor: Any, meeting_id: uuid.UUID, title: str, description: str = "") -> AgendaItem:
    _require(actor)
    meeting = _get(Meeting, meeting_id, _("meeting"), lock=True)
    position = (meeting.items.aggregate(top=Max("position"))["top"] or 0) + 1
    item = AgendaItem.objects.create(
        meeting=meeting,
        position=position,
        title=_text(title, field=_("title"), limit=300),
        description=description.strip(),
    )
    _audit(actor, "decisions.agenda_item_add", "decisions.meeting", meeting.pk, {"item": str(item.pk)})
    return item


# --- Decisions and their workflow ------------------------------------------------------------


def _record_status(decision: Decision, *, actor: Any, from_status: str, note: str = "") -> None:
    StatusChange.objects.create(
        decision=decision,
        at=timezone.now(),
        from_status=from_status,
        to_status=decision.status,
        actor_ref=audit_actor(actor, system="decisions").ref,
        note=note[:500],
    )


@transaction.atomic
def decision_create(
    *,
    actor: Any,
    body_id: uuid.UUID,
    title: str,
    text: str = "",
    kind: str = DecisionKind.MOTION,
    meeting_id: uuid.UUID | None = None,
    agenda_item_id: uuid.UUID | None = None,
    submit: bool = False,
) -> Decision:
    _require(actor)
    body = _get(Body, body_id, _("body"))
    _choice(kind, DecisionKind, field=_("kind of decision"))
    meeting = _get(Meeting, meeting_id, _("meeting")) if meeting_id else None
    if meeting is not None and meeting.body_id != body.pk:
        raise ServiceError(
            _("That meeting belongs to another body; choose one of %(body)s's meetings.")
            % {"body": body.name},
            code="wrong_body",
        )
    item = _get(AgendaItem, agenda_item_id, _("agenda item")) if agenda_item_id else None
    if item is not None and (meeting is None or item.meeting_id != meeting.pk):
        raise ServiceError(_("The agenda item must belong to the decision's meeting."), code="wrong_meeting")
    now = timezone.now()
    decision = Decision.objects.create(
        serial=next_number("decision"),
        reference=f"D-{now.year}-{next_number(f'decision:{now.year}'):04d}",
        body=body,
        meeting=meeting,
        agenda_item=item,
        kind=kind,
        title=_text(title, field=_("title"), limit=300),
        text=text.strip(),
        status=DecisionStatus.SUBMITTED if submit else DecisionStatus.DRAFT,
    )
    _record_status(decision, actor=actor, from_status="")
    reindex(decision)
    _audit(
        actor,
        "decisions.decision_create",
        "decisions.decision",
        decision.pk,
        {"reference": decision.reference},
    )
    return decision


@transaction.atomic
def decision_update(
    *, actor: Any, decision_id: uuid.UUID, title: str | None = None, text: str | None = None
) -> Decision:
    _require(actor)
    decision = _get(Decision, decision_id, _("decision"), lock=True)
    if decision.status in CLOSED_STATUSES:
        raise ServiceError(
            _("Decision %(ref)s is closed (%(status)s); its text can no longer change.")
            % {"ref": decision.reference, "status": decision.get_status_display()},
            code="decision_closed",
        )
    if title is not None:
        decision.title = _text(title, field=_("title"), limit=300)
    if text is not None:
        decision.text = text.strip()
    decision.save(update_fields=["title", "text", "updated_at"])
    reindex(decision)
    _audit(actor, "decisions.decision_update", "decisions.decision", decision.pk)
    return decision


def _transition_error(decision: Decision, to_status: str) -> ServiceError:
    allowed = NEXT_STATUSES.get(decision.status, ())
    labels = ", ".join(str(DecisionStatus(s).label) for s in allowed) or _("nothing (it is closed)")
    return ServiceError(
        _("Decision %(ref)s is %(status)s and cannot become %(to)s. From here it can become: %(allowed)s.")
        % {
            "ref": decision.reference,
            "status": decision.get_status_display(),
            "to": DecisionStatus(to_status).label if to_status in DecisionStatus.values else to_status,
            "allowed": labels,
        },
        code="invalid_transition",
    )


@transaction.atomic
def decision_transition(
    *, actor: Any, decision_id: uuid.UUID, to_status: str, note: str = "", decided_on: dt.date | None = None
) -> Decision:
    """Move a decision along its workflow. Adopted/rejected from "submitted" means decided without a
    roll call (by consensus or a show of hands); with a roll call, close the vote instead."""
    _require(actor)
    decision = _get(Decision, decision_id, _("decision"), lock=True)
    if to_status not in NEXT_STATUSES.get(decision.status, ()):
        raise _transition_error(decision, to_status)
    if to_status == DecisionStatus.VOTING and decision.meeting_id is None:
        raise ServiceError(
            _("Put the decision on a meeting's agenda before opening the vote: votes are taken at meetings."),
            code="no_meeting",
        )
    fields = ["status", "updated_at"]
    from_status = decision.status
    decision.status = to_status
    if to_status in (DecisionStatus.ADOPTED, DecisionStatus.REJECTED):
        decision.result = VoteResult.PASS if to_status == DecisionStatus.ADOPTED else VoteResult.FAIL
        decision.decided_on = decided_on or (
            meeting_date(decision.meeting) if decision.meeting else timezone.localdate()
        )
        fields += ["result", "decided_on"]
    decision.save(update_fields=fields)
    _record_status(decision, actor=actor, from_status=from_status, note=note)
    _audit(
        actor,
        "decisions.decision_transition",
        "decisions.decision",
        decision.pk,
        {"from": from_status, "to": to_status, "note": note[:500]},
    )
    return decision


# --- Roll-call votes -----------------------------------------------------------------------------


def _voting_decision(decision_id: uuid.UUID) -> Decision:
    decision = _get(Decision, decision_id, _("decision"), lock=True)
    if decision.status in CLOSED_STATUSES:
        raise ServiceError(
            _("Decision %(ref)s is closed (%(status)s); votes can no longer be recorded on it.")
            % {"ref": decision.reference, "status": decision.get_status_display()},
            code="decision_closed",
        )
    if decision.status != DecisionStatus.VOTING:
        raise ServiceError(
            _("The vote on decision %(ref)s is not open (it is %(status)s); open the vote first.")
            % {"ref": decision.reference, "status": decision.get_status_display()},
            code="vote_not_open",
        )
    return decision


def _check_member(decision: Decision, member: Member) -> None:
    assert decision.meeting is not None  # a vote is only open on a decision at a meeting
    on = meeting_date(decision.meeting)
    terms = Membership.objects.filter(body_id=decision.body_id, member=member)
    if not terms.exists():
        raise ServiceError(
            _("%(member)s is not a member of %(body)s, so cannot vote on its decisions.")
            % {"member": member.name, "body": decision.body.name},
            code="not_a_member",
        )
    covering = terms.filter(start_on__lte=on).filter(Q(end_on__isnull=True) | Q(end_on__gte=on))
    if not covering.exists():
        raise ServiceError(
            _(
                "%(member)s was not a member of %(body)s on %(date)s, "
                "the date of the meeting; their term does not cover it."
            )
            % {"member": member.name, "body": decision.body.name, "date": on.isoformat()},
            code="not_a_member_on_date",
        )


@transaction.atomic
def votes_record(*, actor: Any, decision_id: uuid.UUID, votes: Mapping[uuid.UUID, str]) -> list[Vote]:
    """Record (or correct) the roll call: one option per member. All or nothing."""
    _require(actor)
    decision = _voting_decision(decision_id)
    if not votes:
        raise ServiceError(_("Give at least one member's vote."), code="no_votes")
    recorded = []
    members = {m.pk: m for m in Member.objects.filter(pk__in=list(votes))}
    for member_id, option in votes.items():
        member = members.get(member_id)
        if member is None:
            raise NotFoundError(_("There is no member with the id %(id)s.") % {"id": member_id})
        _choice(option, VoteOption, field=_("vote option"))
        _check_member(decision, member)
        vote, _created = Vote.objects.update_or_create(
            decision=decision, member=member, defaults={"option": option}
        )
        recorded.append(vote)
    _audit(
        actor,
        "decisions.votes_record",
        "decisions.decision",
        decision.pk,
        {"votes": {str(k): v for k, v in votes.items()}},
    )
    return recorded


def vote_record(*, actor: Any, decision_id: uuid.UUID, member_id: uuid.UUID, option: str) -> Vote:
    return votes_record(actor=actor, decision_id=decision_id, votes={member_id: option})[0]


@transaction.atomic
def decision_vote_close(*, actor: Any, decision_id: uuid.UUID, note: str = "") -> Decision:
    """Close the roll call: count it and decide. A simple majority of yes over no votes cast passes;
    abstentions and absences do not count towards either side; a tie fails."""
    _require(actor)
    decision = _voting_decision(decision_id)
    counts = {option: 0 for option in VoteOption.values}
    for option in decision.votes.values_list("option", flat=True):
        counts[option] += 1
    if not any(counts.values()):
        raise ServiceError(
            _("No votes are recorded yet; record the roll call before closing the vote."), code="no_votes"
        )
    passed = counts[VoteOption.YES] > counts[VoteOption.NO]
    from_status = decision.status
    decision.votes_yes = counts[VoteOption.YES]
    decision.votes_no = counts[VoteOption.NO]
    decision.votes_abstain = counts[VoteOption.ABSTAIN]
    decision.votes_absent = counts[VoteOption.ABSENT]
    decision.result = VoteResult.PASS if passed else VoteResult.FAIL
    decision.status = DecisionStatus.ADOPTED if passed else DecisionStatus.REJECTED
    assert decision.meeting is not None
    decision.decided_on = meeting_date(decision.meeting)
    decision.save(
        update_fields=[
            "votes_yes",
            "votes_no",
            "votes_abstain",
            "votes_absent",
            "result",
            "status",
            "decided_on",
            "updated_at",
        ]
    )
    _record_status(decision, actor=actor, from_status=from_status, note=note)
    _audit(
        actor,
        "decisions.vote_close",
        "decisions.decision",
        decision.pk,
        {"counts": counts, "result": decision.result},
    )
    return decision


# --- Links to what a decision concerns -------------------------------------------------------


@transaction.atomic
def decision_link_add(
    *,
    actor: Any,
    decision_id: uuid.UUID,
    kind: str,
    target_id: uuid.UUID,
    title: str = "",
    url: str = "",
) -> DecisionLink:
    """Link a decision to a consultation, proposal, emergency decision or project. When the other
    module can be asked, the target must exist there and its title comes from it."""
    _require(actor)
    decision = _get(Decision, decision_id, _("decision"), lock=True)
    _choice(kind, LinkKind, field=_("kind of link"))
    if kind in (LinkKind.CONSULTATION, LinkKind.PROPOSAL):
        found = integrations.engagement_process(kind, target_id)
    elif kind == LinkKind.EMERGENCY_DECISION:
        found = integrations.emergency_decision(target_id)
    else:
        found = integrations.operating_project(target_id)
    if found is None:
        raise ServiceError(
            _("There is no %(kind)s with that id; check the id and try again.")
            % {"kind": LinkKind(kind).label.lower()},
            code="unknown_target",
        )
    if isinstance(found, integrations.LinkTarget):
        title, url = title or found.title, url or found.url
    title = _text(title, field=_("title of what is linked"), limit=300)
    if DecisionLink.objects.filter(decision=decision, kind=kind, target_id=target_id).exists():
        raise ServiceError(
            _("The decision is already linked to that %(kind)s.") % {"kind": LinkKind(kind).label.lower()},
            code="duplicate",
        )
    link = DecisionLink.objects.create(
        decision=decision, kind=kind, target_id=target_id, title=title, url=url[:500]
    )
    _audit(
        actor,
        "decisions.link_add",
        "decisions.decision",
        decision.pk,
        {"kind": kind, "target": str(target_id)},
    )
    return link


@transaction.atomic
def decision_link_remove(*, actor: Any, link_id: uuid.UUID) -> None:
    _require(actor)
    link = _get(DecisionLink, link_id, _("link"), lock=True)
    _audit(
        actor,
        "decisions.link_remove",
        "decisions.decision",
        link.decision_id,
        {"kind": link.kind, "target": str(link.target_id)},
    )
    link.delete()


# --- Documents ----------------------------------------------------------------------------------


def _owner(
    meeting_id: uuid.UUID | None, decision_id: uuid.UUID | None
) -> tuple[Meeting | None, Decision | None, uuid.UUID | None]:
    if (meeting_id is None) == (decision_id is None):
        raise ServiceError(
            _("Attach a document to a meeting or to a decision (one of them)."), code="invalid_owner"
        )
    if meeting_id is not None:
        meeting = _get(Meeting, meeting_id, _("meeting"))
        return meeting, None, meeting.body.department_id
    assert decision_id is not None
    decision = _get(Decision, decision_id, _("decision"))
    return None, decision, decision.body.department_id


@transaction.atomic
def attachment_upload(
    *,
    actor: Any,
    role: str,
    title: str,
    file_name: str,
    content: bytes,
    media_type: str,
    meeting_id: uuid.UUID | None = None,
    decision_id: uuid.UUID | None = None,
    sign: bool = False,
) -> Attachment:
    """Register a file in the document registry (signed if asked) and attach it."""
    _require(actor)
    _choice(role, AttachmentRole, field=_("document role"))
    meeting, decision, department_id = _owner(meeting_id, decision_id)
    if department_id is None:
        raise ServiceError(
            _("Give the body a department first: its documents are registered in that department's name."),
            code="no_department",
        )
    if not content:
        raise ServiceError(_("The file is empty; choose the file to attach."), code="empty_file")
    document = integrations.document_register(
        actor=actor,
        department_id=department_id,
        title=_text(title, field=_("title"), limit=300),
        file_name=file_name,
        content=content,
        media_type=media_type,
        sign=sign,
    )
    return _attach(actor, role, document, meeting, decision)


@transaction.atomic
def attachment_link(
    *,
    actor: Any,
    role: str,
    document_id: uuid.UUID,
    meeting_id: uuid.UUID | None = None,
    decision_id: uuid.UUID | None = None,
) -> Attachment:
    """Attach a document already in the registry."""
    _require(actor)
    _choice(role, AttachmentRole, field=_("document role"))
    meeting, decision, _department = _owner(meeting_id, decision_id)
    document = integrations.document_lookup(document_id)
    if document is None:
        raise ServiceError(_("There is no document with that id in the registry."), code="unknown_document")
    return _attach(actor, role, document, meeting, decision)


def _attach(
    actor: Any,
    role: str,
    document: RegisteredDocument,
    meeting: Meeting | None,
    decision: Decision | None,
) -> Attachment:
    attachment = Attachment.objects.create(
        meeting=meeting,
        decision=decision,
        role=role,
        document_id=document.id,
        title=document.title[:300],
        url=document.url[:500],
        verify_url=document.verify_url[:500],
        sha256=document.sha256[:64],
        signed=document.signed,
    )
    owner = meeting or decision
    assert owner is not None
    _audit(
        actor,
        "decisions.attachment_add",
        f"decisions.{type(owner).__name__.lower()}",
        owner.pk,
        {"document": str(document.id), "role": role},
    )
    return attachment


# --- Open data --------------------------------------------------------------------------------


def open_data_publish(*, actor: Any) -> bool:
    """Publish bodies, meetings, decisions and votes to the open-data catalog (when it takes them).

    Returns False when the catalog cannot take generated datasets yet."""
    _require(actor)
    from cityhall.decisions import exports

    body = Body.objects.filter(department__isnull=False).first()
    department_id = body.department_id if body else None
    if department_id is None:
        return False
    files = exports.catalog_files()
    published = integrations.catalog_publish(
        source_key="decisions.open-data",
        department_id=department_id,
        title=str(_("Council decisions and votes")),
        description=str(
            _(
                "Governing bodies and their members, meetings, decisions "
                "with their status and every recorded roll-call vote."
            )
        ),
        keywords=["council", "decisions", "votes", "transparency"],
        theme="GOVE",
        files=files,
    )
    if published is None:
        return False
    _audit(
        actor,
        "decisions.open_data_publish",
        "decisions.dataset",
        "decisions.open-data",
        {"files": [f[0] for f in files]},
    )
    return True
