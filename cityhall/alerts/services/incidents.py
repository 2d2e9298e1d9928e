"""Incident writes: the log, tasks for departments, resources such as shelters, situation reports,
the emergency decision log, and escalation of a service request. Each one audited and timelined."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.alerts import rules
from cityhall.alerts.contracts import (
    IncidentSeverity,
    IncidentStatus,
    IncidentType,
    ResourceKind,
    ResourceStatus,
    TaskStatus,
    TimelineKind,
)
from cityhall.alerts.models import Decision, Incident, IncidentTask, Resource, SituationReport
from cityhall.alerts.services.common import actor_name, audit, next_number, timeline_add
from cityhall.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from cityhall.core.models import District


def _require(actor: Any, department_id: uuid.UUID | None = None) -> None:
    if actor is not None and not rules.can_manage_incidents(actor, department_id=department_id):
        raise PermissionDeniedError(_("Only emergency managers can run incidents."))


def _locked_incident(incident_id: uuid.UUID) -> Incident:
    incident = Incident.objects.select_for_update().filter(pk=incident_id).first()
    if incident is None:
        raise NotFoundError(_("There is no such incident."))
    return incident


def _check_location(latitude: float | None, longitude: float | None) -> None:
    if (latitude is None) != (longitude is None):
        raise ServiceError(_("Give both latitude and longitude, or neither."), code="invalid_location")
    if (
        latitude is not None
        and longitude is not None
        and not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
    ):
        raise ServiceError(
            _("Latitude must be between -90 and 90, longitude between -180 and 180."), code="invalid_location"
        )


def _district(slug: str | None) -> District | None:
    if not slug:
        return None
    district = District.objects.filter(slug=slug).first()
    if district is None:
        raise ServiceError(_("There is no district “%(slug)s”.") % {"slug": slug}, code="unknown_district")
    return district


def _user(user_id: uuid.UUID | None) -> Any:
    if user_id is None:
        return None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise ServiceError(_("There is no such active account."), code="unknown_user")
    return user


@transaction.atomic
def incident_create(
    *,
    actor: Any,
    title: str,
    kind: str,
    severity: str,
    description: str = "",
    location_description: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    district: str | None = None,
    lead_id: uuid.UUID | None = None,
    department_id: uuid.UUID | None = None,
    status: str = IncidentStatus.ACTIVE,
    source_service_request: uuid.UUID | None = None,
    opened_at: dt.datetime | None = None,
) -> Incident:
    _require(actor, department_id)
    if not title.strip():
        raise ServiceError(_("Give the incident a title."), code="title_required")
    if (
        kind not in IncidentType.values
        or severity not in IncidentSeverity.values
        or status not in IncidentStatus.values
    ):
        raise ServiceError(_("Choose a known type, severity and status."), code="invalid_choice")
    _check_location(latitude, longitude)
    now = opened_at or timezone.now()
    incident = Incident.objects.create(
        code=f"INC-{now.year}-{next_number(f'incident:{now.year}'):04d}",
        title=title.strip()[:200],
        kind=kind,
        severity=severity,
        status=status,
        description=description.strip(),
        location_description=location_description.strip()[:300],
        latitude=latitude,
        longitude=longitude,
        district=_district(district),
        lead=_user(lead_id),
        department_id=department_id,
        opened_at=now,
        closed_at=now if status == IncidentStatus.CLOSED else None,
        source_service_request=source_service_request,
    )
    timeline_add(
        incident,
        actor=actor,
        kind=TimelineKind.OPENED,
        text=_("Incident opened: %(title)s (%(severity)s).")
        % {"title": incident.title, "severity": IncidentSeverity(severity).label},
        at=now,
    )
    audit(actor, "incident.create", "incident", incident.pk, {"code": incident.code, "kind": kind})
    return incident


@transaction.atomic
def incident_update(*, actor: Any, incident_id: uuid.UUID, **changes: Any) -> Incident:
    """Change status, severity, lead, title, description or location; each change is logged."""
    incident = _locked_incident(incident_id)
    _require(actor, incident.department_id)
    allowed = {
        "title",
        "description",
        "status",
        "severity",
        "lead_id",
        "location_description",
        "latitude",
        "longitude",
        "district",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise ServiceError(_("These cannot be changed: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    if "status" in changes and changes["status"] not in IncidentStatus.values:
        raise ServiceError(_("Choose a known status."), code="invalid_choice")
    if "severity" in changes and changes["severity"] not in IncidentSeverity.values:
        raise ServiceError(_("Choose a known severity."), code="invalid_choice")
    if "latitude" in changes or "longitude" in changes:
        _check_location(
            changes.get("latitude", incident.latitude), changes.get("longitude", incident.longitude)
        )
    changed: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "district":
            value = _district(value)
            if value != incident.district:
                changed["district"] = value.slug if value else None
                incident.district = value
            continue
        if name == "lead_id":
            lead = _user(value)
            if incident.lead_id != (lead.pk if lead else None):
                incident.lead = lead
                changed["lead"] = actor_name(lead) if lead else None
            continue
        if isinstance(value, str):
            value = value.strip()
        if getattr(incident, name) != value:
            setattr(incident, name, value)
            changed[name] = value
    if not changed:
        return incident
    if "status" in changed:
        incident.closed_at = timezone.now() if incident.status == IncidentStatus.CLOSED else None
    incident.save()
    described = []
    for name, value in changed.items():
        if name == "status":
            described.append(_("status is now %(v)s") % {"v": IncidentStatus(value).label})
        elif name == "severity":
            described.append(_("severity is now %(v)s") % {"v": IncidentSeverity(value).label})
        elif name == "lead":
            described.append(_("lead is now %(v)s") % {"v": value or _("nobody")})
        else:
            described.append(_("%(field)s changed") % {"field": name.replace("_", " ")})
    timeline_add(
        incident,
        actor=actor,
        kind=TimelineKind.CHANGED,
        text=_sentence("; ".join(described)),
        data={"changed": {k: str(v) for k, v in changed.items()}},
    )
    audit(actor, "incident.update", "incident", incident.pk, {"changed": sorted(changed)})
    return incident


@transaction.atomic
def incident_note(*, actor: Any, incident_id: uuid.UUID, text: str, at: dt.datetime | None = None) -> Any:
    incident = _locked_incident(incident_id)
    _require(actor, incident.department_id)
    if not text.strip():
        raise ServiceError(_("Write the note."), code="text_required")
    entry = timeline_add(incident, actor=actor, kind=TimelineKind.NOTE, text=text.strip(), at=at)
    audit(actor, "incident.note", "incident", incident.pk, {"entry": str(entry.pk)})
    return entry


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


# --- Tasks ----------------------------------------------------------------------------------


@transaction.atomic
def incident_task_add(
    *,
    actor: Any,
    incident_id: uuid.UUID,
    title: str,
    department_id: uuid.UUID,
    details: str = "",
    due_at: dt.datetime | None = None,
) -> IncidentTask:
    incident = _locked_incident(incident_id)
    _require(actor, incident.department_id)
    if not title.strip():
        raise ServiceError(_("Say what the task is."), code="title_required")
    from cityhall.accounts.facade import departments

    department = next((d for d in departments() if d.id == department_id), None)
    if department is None:
        raise ServiceError(_("Choose one of the city's departments."), code="unknown_department")
    task = IncidentTask.objects.create(
        incident=incident,
        title=title.strip()[:200],
        details=details.strip(),
        department_id=department_id,
        due_at=due_at,
        created_by=actor,
    )
    timeline_add(
        incident,
        actor=actor,
        kind=TimelineKind.TASK,
        text=_("Task for %(department)s: %(title)s") % {"department": department.name, "title": task.title},
        data={"task": str(task.pk)},
    )
    audit(
        actor,
        "incident.task_add",
        "incident_task",
        task.pk,
        {"incident": str(incident.pk), "department": str(department_id)},
    )
    return task


@transaction.atomic
def incident_task_update(*, actor: Any, task_id: uuid.UUID, status: str) -> IncidentTask:
    task = IncidentTask.objects.select_for_update().select_related("incident").filter(pk=task_id).first()
    if task is None:
        raise NotFoundError(_("There is no such task."))
    _require(actor, task.incident.department_id)
    if status not in TaskStatus.values:
        raise ServiceError(_("Choose a known task status."), code="invalid_choice")
    if task.status == status:
        return task
    task.status = status
    task.completed_at = timezone.now() if status == TaskStatus.DONE else None
    task.save(update_fields=["status", "completed_at", "updated_at"])
    timeline_add(
        task.incident,
        actor=actor,
        kind=TimelineKind.TASK,
        text=_("Task “%(title)s” is now %(status)s.")
        % {"title": task.title, "status": TaskStatus(status).label},
        data={"task": str(task.pk), "status": status},
    )
    audit(actor, "incident.task_update", "incident_task", task.pk, {"status": status})
    return task


# --- Resources ------------------------------------------------------------------------------


def _occupancy_status(resource: Resource) -> None:
    if resource.kind != ResourceKind.SHELTER or resource.capacity is None:
        return
    if resource.status == ResourceStatus.OPEN and resource.occupancy >= resource.capacity:
        resource.status = ResourceStatus.FULL
    elif resource.status == ResourceStatus.FULL and resource.occupancy < resource.capacity:
        resource.status = ResourceStatus.OPEN


@transaction.atomic
def resource_add(
    *,
    actor: Any,
    kind: str,
    name: str,
    incident_id: uuid.UUID | None = None,
    status: str = ResourceStatus.STANDBY,
    capacity: int | None = None,
    occupancy: int = 0,
    location: str = "",
    district: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    notes: str = "",
) -> Resource:
    _require(actor)
    if kind not in ResourceKind.values or status not in ResourceStatus.values:
        raise ServiceError(_("Choose a known kind and status."), code="invalid_choice")
    if not name.strip():
        raise ServiceError(_("Give the resource a name."), code="name_required")
    if (capacity is not None and capacity < 0) or occupancy < 0:
        raise ServiceError(_("Capacity and occupancy cannot be negative."), code="invalid_occupancy")
    if capacity is not None and occupancy > capacity:
        raise ServiceError(
            _("The occupancy (%(occupancy)s) cannot be more than the capacity (%(capacity)s).")
            % {"occupancy": occupancy, "capacity": capacity},
            code="over_capacity",
        )
    _check_location(latitude, longitude)
    incident = _locked_incident(incident_id) if incident_id else None
    resource = Resource(
        kind=kind,
        name=name.strip()[:200],
        incident=incident,
        status=status,
        capacity=capacity,
        occupancy=occupancy,
        location=location.strip()[:300],
        district=_district(district),
        latitude=latitude,
        longitude=longitude,
        notes=notes.strip(),
    )
    _occupancy_status(resource)
    resource.save()
    if incident is not None:
        timeline_add(
            incident,
            actor=actor,
            kind=TimelineKind.RESOURCE,
            text=_("%(kind)s added: %(name)s") % {"kind": ResourceKind(kind).label, "name": resource.name},
            data={"resource": str(resource.pk)},
        )
    audit(
        actor,
        "resource.add",
        "resource",
        resource.pk,
        {"kind": kind, "incident": str(incident_id) if incident_id else None},
    )
    return resource


@transaction.atomic
def resource_update(
    *,
    actor: Any,
    resource_id: uuid.UUID,
    occupancy: int | None = None,
    capacity: int | None = None,
    status: str | None = None,
    incident_id: uuid.UUID | None = None,
) -> Resource:
    resource = (
        Resource.objects.select_for_update(of=("self",))
        .select_related("incident")
        .filter(pk=resource_id)
        .first()
    )
    if resource is None:
        raise NotFoundError(_("There is no such resource."))
    _require(actor)
    before = {"occupancy": resource.occupancy, "capacity": resource.capacity, "status": resource.status}
    if status is not None:
        if status not in ResourceStatus.values:
            raise ServiceError(_("Choose a known status."), code="invalid_choice")
        resource.status = status
    if capacity is not None:
        resource.capacity = capacity
    if occupancy is not None:
        resource.occupancy = occupancy
    if resource.occupancy < 0 or (resource.capacity is not None and resource.capacity < 0):
        raise ServiceError(_("Capacity and occupancy cannot be negative."), code="invalid_occupancy")
    if resource.capacity is not None and resource.occupancy > resource.capacity:
        raise ServiceError(
            _("The occupancy (%(occupancy)s) cannot be more than the capacity (%(capacity)s).")
            % {"occupancy": resource.occupancy, "capacity": resource.capacity},
            code="over_capacity",
        )
    if incident_id is not None:
        resource.incident = _locked_incident(incident_id)
    _occupancy_status(resource)
    resource.save()
    after = {"occupancy": resource.occupancy, "capacity": resource.capacity, "status": resource.status}
    if resource.incident is not None and after != before:
        timeline_add(
            resource.incident,
            actor=actor,
            kind=TimelineKind.RESOURCE,
            text=_("%(name)s: %(occupancy)s of %(capacity)s places taken, %(status)s.")
            % {
                "name": resource.name,
                "occupancy": resource.occupancy,
                "capacity": resource.capacity if resource.capacity is not None else "—",
                "status": ResourceStatus(resource.status).label.lower(),
            },
            data={"resource": str(resource.pk), "before": before, "after": after},
        )
    audit(actor, "resource.update", "resource", resource.pk, {"before": before, "after": after})
    return resource


# --- Situation reports ----------------------------------------------------------------------


@transaction.atomic
def situation_report_add(
    *,
    actor: Any,
    incident_id: uuid.UUID,
    period_start: dt.datetime,
    period_end: dt.datetime,
    situation: str,
    actions: str,
    needs: str = "",
    outlook: str = "",
    people_affected: int = 0,
    people_evacuated: int = 0,
    people_sheltered: int | None = None,
    injuries: int = 0,
    fatalities: int = 0,
    next_report_due: dt.datetime | None = None,
) -> SituationReport:
    """A numbered SITREP. People in shelters default to the shelters' current occupancy."""
    incident = _locked_incident(incident_id)
    _require(actor, incident.department_id)
    if period_end < period_start:
        raise ServiceError(_("The report's period must end after it starts."), code="invalid_period")
    if not situation.strip() or not actions.strip():
        raise ServiceError(_("Describe the situation and the actions taken."), code="text_required")
    counts = (people_affected, people_evacuated, injuries, fatalities, people_sheltered or 0)
    if any(value < 0 for value in counts):
        raise ServiceError(_("Numbers of people cannot be negative."), code="invalid_number")
    if people_sheltered is None:
        people_sheltered = (
            Resource.objects.filter(incident=incident, kind=ResourceKind.SHELTER).aggregate(
                n=Sum("occupancy")
            )["n"]
            or 0
        )
    number = (incident.reports.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    report = SituationReport.objects.create(
        incident=incident,
        number=number,
        period_start=period_start,
        period_end=period_end,
        situation=situation.strip(),
        actions=actions.strip(),
        needs=needs.strip(),
        outlook=outlook.strip(),
        people_affected=people_affected,
        people_evacuated=people_evacuated,
        people_sheltered=people_sheltered,
        injuries=injuries,
        fatalities=fatalities,
        next_report_due=next_report_due,
        author=actor,
    )
    timeline_add(
        incident,
        actor=actor,
        kind=TimelineKind.REPORT,
        text=_("Situation report %(number)s: %(summary)s")
        % {"number": number, "summary": report.situation[:200]},
        data={"report": str(report.pk), "number": number},
        at=period_end if period_end <= timezone.now() else None,
    )
    audit(
        actor,
        "incident.report",
        "situation_report",
        report.pk,
        {"incident": str(incident.pk), "number": number},
    )
    return report


# --- Decisions ------------------------------------------------------------------------------


@transaction.atomic
def decision_record(
    *,
    actor: Any,
    incident_id: uuid.UUID,
    decision: str,
    rationale: str,
    information: str,
    decided_at: dt.datetime | None = None,
    decided_by_id: uuid.UUID | None = None,
    decided_by_name: str = "",
    decided_by_role: str = "",
    report_numbers: Sequence[int] = (),
    supersedes_id: uuid.UUID | None = None,
) -> Decision:
    """Log a decision: who decided what, when, why, on what information. Never edited afterwards;
    a correction is a new entry that supersedes the old one."""
    incident = _locked_incident(incident_id)
    _require(actor, incident.department_id)
    for name, value in (("decision", decision), ("rationale", rationale), ("information", information)):
        if not value.strip():
            raise ServiceError(
                _("Record the decision, why it was taken, and on what information."), code=f"{name}_required"
            )
    now = timezone.now()
    decided_at = decided_at or now
    if decided_at > now + dt.timedelta(minutes=5):
        raise ServiceError(_("A decision cannot be recorded before it is taken."), code="future_decision")
    decider = _user(decided_by_id) if decided_by_id else actor
    name = decided_by_name.strip() or actor_name(decider)
    role = decided_by_role.strip() or _("Emergency manager")
    reports = list(incident.reports.filter(number__in=list(report_numbers)))
    if len(reports) != len(set(report_numbers)):
        raise ServiceError(
            _("Some of those situation reports do not exist for this incident."), code="unknown_report"
        )
    supersedes = None
    if supersedes_id is not None:
        supersedes = Decision.objects.filter(pk=supersedes_id, incident=incident).first()
        if supersedes is None:
            raise ServiceError(
                _("The decision it replaces is not in this incident's log."), code="unknown_decision"
            )
    entry = Decision.objects.create(
        incident=incident,
        decided_at=decided_at,
        decided_by=decider if getattr(decider, "is_authenticated", False) else None,
        decided_by_name=name[:200],
        decided_by_role=role[:200],
        decision=decision.strip(),
        rationale=rationale.strip(),
        information=information.strip(),
        supersedes=supersedes,
        recorded_by=actor,
    )
    entry.situation_reports.set(reports)
    timeline_add(
        incident,
        actor=actor,
        kind=TimelineKind.DECISION,
        text=_("Decision by %(name)s: %(decision)s") % {"name": name, "decision": entry.decision[:200]},
        data={"decision": str(entry.pk)},
        at=decided_at,
    )
    audit(
        actor,
        "incident.decision",
        "decision",
        entry.pk,
        {"incident": str(incident.pk), "supersedes": str(supersedes_id) if supersedes_id else None},
    )
    return entry


# --- Escalation -----------------------------------------------------------------------------


@transaction.atomic
def incident_escalate(
    *,
    actor: Any,
    service_request_id: uuid.UUID,
    title: str,
    description: str = "",
    kind: str = IncidentType.OTHER,
    severity: str = IncidentSeverity.MODERATE,
    latitude: float | None = None,
    longitude: float | None = None,
    location_description: str = "",
    reference: str = "",
) -> tuple[Incident, bool]:
    """Turn a service request in an emergency category into an incident. Escalating the same
    request again returns its incident: (incident, created)."""
    if actor is not None and not rules.can_escalate_to_incident(actor):
        raise PermissionDeniedError(
            _("Only staff handling service requests or emergency managers can escalate.")
        )
    existing = Incident.objects.filter(source_service_request=service_request_id).first()
    if existing is not None:
        return existing, False
    incident = incident_create(
        actor=None,
        title=title,
        kind=kind,
        severity=severity,
        description=description,
        latitude=latitude,
        longitude=longitude,
        location_description=location_description,
        status=IncidentStatus.REPORTED,
        source_service_request=service_request_id,
    )
    timeline_add(
        incident,
        actor=actor,
        kind=TimelineKind.ESCALATED,
        text=_("Escalated from service request %(ref)s by %(name)s.")
        % {"ref": reference or service_request_id, "name": actor_name(actor)},
        data={"service_request": str(service_request_id), "reference": reference},
    )
    audit(actor, "incident.escalate", "incident", incident.pk, {"service_request": str(service_request_id)})
    return incident, True
