"""What other apps may know about service requests: statuses, channels and frozen summaries."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    """A request's life; Open311 sees only open (the first four) or closed (the rest)."""

    SUBMITTED = "submitted", _("Submitted")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    SCHEDULED = "scheduled", _("Scheduled")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    DUPLICATE = "duplicate", _("Duplicate")
    NOT_RESPONSIBLE = "not_responsible", _("Not the city's responsibility")


OPEN_STATUSES = frozenset({Status.SUBMITTED, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.SCHEDULED})
CLOSED_STATUSES = frozenset(Status) - OPEN_STATUSES


class Channel(models.TextChoices):
    """How a request reached the city, so channel use can be measured."""

    WEB = "web", _("Web")
    API = "api", _("API")
    ASSISTED = "assisted", _("Assisted (at a counter)")
    PHONE = "phone", _("Phone")


class Datatype(models.TextChoices):
    """Open311 attribute datatypes."""

    STRING = "string", _("Short text")
    NUMBER = "number", _("Number")
    DATETIME = "datetime", _("Date and time")
    TEXT = "text", _("Long text")
    SINGLEVALUELIST = "singlevaluelist", _("One choice from a list")
    MULTIVALUELIST = "multivaluelist", _("Several choices from a list")


@dataclass(frozen=True, slots=True)
class ServiceTypeSummary:
    id: uuid.UUID
    code: str
    name: str
    description: str
    group: str
    keywords: str
    department_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class ServiceRequestSummary:
    """A request as anyone may see it: no personal data."""

    service_request_id: str
    service_code: str
    service_name: str
    status: Status
    description: str
    requested_at: dt.datetime
    district_name: str | None
