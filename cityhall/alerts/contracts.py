"""What other apps may know about alerts and incidents: the CAP vocabularies and frozen records."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

# --- CAP 1.2 vocabularies (OASIS CAP 1.2 §3.2; the values are the XML words, never translated) ---


class Category(models.TextChoices):
    GEO = "Geo", _("Geophysical (landslide, earthquake)")
    MET = "Met", _("Weather (flood, storm)")
    SAFETY = "Safety", _("General safety and emergencies")
    SECURITY = "Security", _("Law enforcement and security")
    RESCUE = "Rescue", _("Rescue and recovery")
    FIRE = "Fire", _("Fire")
    HEALTH = "Health", _("Health and public health")
    ENV = "Env", _("Pollution and environment")
    TRANSPORT = "Transport", _("Transport")
    INFRA = "Infra", _("Utilities and infrastructure")
    CBRNE = "CBRNE", _("Chemical, biological, radiological, nuclear, explosive")
    OTHER = "Other", _("Other")


class ResponseType(models.TextChoices):
    SHELTER = "Shelter", _("Take shelter")
    EVACUATE = "Evacuate", _("Evacuate")
    PREPARE = "Prepare", _("Prepare")
    EXECUTE = "Execute", _("Act on the instructions")
    AVOID = "Avoid", _("Avoid the area")
    MONITOR = "Monitor", _("Keep informed")
    ASSESS = "Assess", _("Assess the information")
    ALL_CLEAR = "AllClear", _("All clear")
    NONE = "None", _("No action")


class Urgency(models.TextChoices):
    IMMEDIATE = "Immediate", _("Immediate: act now")
    EXPECTED = "Expected", _("Expected: act within the hour")
    FUTURE = "Future", _("Future: act in the near future")
    PAST = "Past", _("Past: no action needed any more")
    UNKNOWN = "Unknown", _("Unknown")


class Severity(models.TextChoices):
    EXTREME = "Extreme", _("Extreme: extraordinary threat to life or property")
    SEVERE = "Severe", _("Severe: significant threat to life or property")
    MODERATE = "Moderate", _("Moderate: possible threat to life or property")
    MINOR = "Minor", _("Minor: minimal threat")
    UNKNOWN = "Unknown", _("Unknown")


class Certainty(models.TextChoices):
    OBSERVED = "Observed", _("Observed: it is happening")
    LIKELY = "Likely", _("Likely (more than 50%)")
    # xgettext:no-python-format
    POSSIBLE = "Possible", _("Possible (50% or less)")
    UNLIKELY = "Unlikely", _("Unlikely")
    UNKNOWN = "Unknown", _("Unknown")


class MsgType(models.TextChoices):
    ALERT = "Alert", _("Alert")
    UPDATE = "Update", _("Update")
    CANCEL = "Cancel", _("Cancel")


class CapStatus(models.TextChoices):
    """Only Actual reaches the public; Exercise and Test stay with staff (CAP-aware systems only)."""

    ACTUAL = "Actual", _("Actual")
    EXERCISE = "Exercise", _("Exercise")
    SYSTEM = "System", _("System")
    TEST = "Test", _("Test")


class Scope(models.TextChoices):
    PUBLIC = "Public", _("Public")
    RESTRICTED = "Restricted", _("Restricted")
    PRIVATE = "Private", _("Private")


class AlertState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved, not yet published")
    PUBLISHED = "published", _("Published")
    DISCARDED = "discarded", _("Discarded")


# --- Incidents ---------------------------------------------------------------------------


class IncidentType(models.TextChoices):
    FLOOD = "flood", _("Flood")
    STORM = "storm", _("Storm")
    FIRE = "fire", _("Fire")
    HEAT = "heat", _("Heatwave")
    CHEMICAL = "chemical", _("Chemical release")
    POWER = "power", _("Power or utility outage")
    TRANSPORT = "transport", _("Transport accident")
    HEALTH = "health", _("Public health")
    STRUCTURAL = "structural", _("Building or structural collapse")
    OTHER = "other", _("Other")


class IncidentSeverity(models.TextChoices):
    MINOR = "minor", _("Minor")
    MODERATE = "moderate", _("Moderate")
    SEVERE = "severe", _("Severe")
    EXTREME = "extreme", _("Extreme")


class IncidentStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    ACTIVE = "active", _("Active")
    CONTAINED = "contained", _("Contained")
    CLOSED = "closed", _("Closed")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ResourceKind(models.TextChoices):
    SHELTER = "shelter", _("Shelter")
    SANDBAGS = "sandbags", _("Sandbag depot")
    PUMP = "pump", _("Pump")
    VEHICLE = "vehicle", _("Vehicle")
    MEDICAL = "medical", _("Medical post")
    OTHER = "other", _("Other")


class ResourceStatus(models.TextChoices):
    STANDBY = "standby", _("On standby")
    OPEN = "open", _("Open")
    FULL = "full", _("Full")
    CLOSED = "closed", _("Closed")


class TimelineKind(models.TextChoices):
    OPENED = "opened", _("Incident opened")
    ESCALATED = "escalated", _("Escalated from a service request")
    CHANGED = "changed", _("Details changed")
    NOTE = "note", _("Note")
    TASK = "task", _("Task")
    RESOURCE = "resource", _("Resource")
    REPORT = "report", _("Situation report")
    DECISION = "decision", _("Decision")
    ALERT = "alert", _("Alert")


# --- Subscriptions -----------------------------------------------------------------------


class AreaKind(models.TextChoices):
    POINT = "point", _("Around a point or address")
    DISTRICT = "district", _("A district")
    CITY = "city", _("The whole city")


class SubscriptionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    ACTIVE = "active", _("Active")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    SUSPENDED = "suspended", _("Suspended: the address does not work")


# --- Records other apps can use ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IncidentRef:
    id: uuid.UUID
    code: str
    title: str
    status: IncidentStatus
    url: str


@dataclass(frozen=True, slots=True)
class CurrentAlert:
    """A public alert in force, in one language, for banners on other pages."""

    id: uuid.UUID
    headline: str
    severity: Severity
    msg_type: MsgType
    areas: tuple[str, ...]
    expires: dt.datetime | None
    url: str


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """One entry of the emergency decision log: who decided what, when, on what information.

    The transparency module publishes these; they are never edited, only superseded.
    """

    id: uuid.UUID
    incident_code: str
    incident_title: str
    decided_at: dt.datetime
    decided_by: str
    decided_by_role: str
    decision: str
    rationale: str
    information: str
    situation_reports: tuple[int, ...]
    supersedes: uuid.UUID | None
    recorded_at: dt.datetime
