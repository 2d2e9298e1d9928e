"""The alerts module as other apps see it: current alerts, incidents, the decision log, escalation."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from django.urls import reverse

from cityhall.alerts import selectors, services
from cityhall.alerts.contracts import (
    CurrentAlert,
    DecisionRecord,
    IncidentRef,
    IncidentSeverity,
    IncidentStatus,
    IncidentType,
)


def current_alerts(*, language: str = "en") -> list[CurrentAlert]:
    """Public alerts in force now, newest first, in the reader's language (for banners)."""
    return selectors.current_alerts(language=language)


def emergency_decision_log(
    *, since: dt.datetime | None = None, incident_id: uuid.UUID | None = None
) -> list[DecisionRecord]:
    """Every logged emergency decision (who decided what, when, on what information), oldest first."""
    return selectors.decision_log(since=since, incident_id=incident_id)


def incident_escalate(
    *,
    actor: Any,
    service_request_id: uuid.UUID,
    title: str,
    description: str = "",
    kind: IncidentType = IncidentType.OTHER,
    severity: IncidentSeverity = IncidentSeverity.MODERATE,
    latitude: float | None = None,
    longitude: float | None = None,
    location_description: str = "",
    reference: str = "",
) -> tuple[IncidentRef, bool]:
    """Open an incident from a service request in an emergency category (the caller decides which
    categories are emergencies). Idempotent per request: returns (incident, created)."""
    incident, created = services.incident_escalate(
        actor=actor,
        service_request_id=service_request_id,
        title=title,
        description=description,
        kind=kind,
        severity=severity,
        latitude=latitude,
        longitude=longitude,
        location_description=location_description,
        reference=reference,
    )
    return (
        IncidentRef(
            id=incident.pk,
            code=incident.code,
            title=incident.title,
            status=IncidentStatus(incident.status),
            url=reverse("alerts:staff_incident", args=[incident.pk]),
        ),
        created,
    )


def incident_for_service_request(service_request_id: uuid.UUID) -> IncidentRef | None:
    """The incident a service request was escalated into, if it was."""
    incident = selectors.incident_from_service_request(service_request_id)
    if incident is None:
        return None
    return IncidentRef(
        id=incident.pk,
        code=incident.code,
        title=incident.title,
        status=IncidentStatus(incident.status),
        url=reverse("alerts:staff_incident", args=[incident.pk]),
    )


def demo_load(log: Callable[[str], None]) -> None:
    """The demo city's flood: districts as areas, shelters, alerts (one updated, one cancelled),
    an incident with situation reports and decisions, and a few hundred subscribers."""
    from cityhall.alerts.demo import demo_load as load

    load(log)


__all__ = [
    "CurrentAlert",
    "DecisionRecord",
    "IncidentRef",
    "current_alerts",
    "demo_load",
    "emergency_decision_log",
    "incident_escalate",
]
