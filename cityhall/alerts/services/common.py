"""Shared by the alerts services: errors with field locations, sequences, audit and timeline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from cityhall.accounts.facade import audit_actor
from cityhall.alerts.cap import Problem
from cityhall.alerts.contracts import TimelineKind
from cityhall.alerts.models import Incident, Sequence, TimelineEntry
from cityhall.core.audit import audit_record
from cityhall.core.errors import ServiceError


class InvalidInputError(ServiceError):
    """What was sent breaks the rules; `problems` names each field and what is wrong with it."""

    status = 400
    code = "invalid"
    subject = "The request"

    def __init__(self, problems: list[Problem], *, code: str | None = None) -> None:
        self.problems = problems
        count = len(problems)
        listed = "; ".join(f"{p.location}: {p.message}" for p in problems[:5])
        more = f" (and {count - 5} more)" if count > 5 else ""
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{self.subject} has {count} {noun}: {listed}{more}", code=code)


class AlertInvalidError(InvalidInputError):
    """The alert breaks CAP's rules (or the platform's public-alert profile)."""

    code = "invalid_alert"
    subject = "The alert"


class SubscriptionInvalidError(InvalidInputError):
    code = "invalid_subscription"
    subject = "The subscription"


def next_number(name: str) -> int:
    """The next value of a named counter, under a row lock (caller's transaction)."""
    with transaction.atomic():
        counter, _ = Sequence.objects.select_for_update().get_or_create(name=name, defaults={"last": 0})
        counter.last += 1
        counter.save(update_fields=["last"])
    return counter.last


def audit(
    actor: Any, action: str, object_type: str, object_id: Any, data: dict[str, Any] | None = None
) -> None:
    audit_record(
        actor=audit_actor(actor, system="alerts"),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        data=data or {},
    )


def actor_name(actor: Any) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "Cityhall"
    return str(getattr(actor, "full_name", "") or getattr(actor, "email", ""))


def timeline_add(
    incident: Incident,
    *,
    actor: Any,
    kind: TimelineKind,
    text: str,
    data: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> TimelineEntry:
    entry = TimelineEntry(
        incident=incident,
        kind=kind,
        text=text,
        actor_ref=audit_actor(actor, system="alerts").ref,
        actor_name=actor_name(actor),
        data=data or {},
    )
    if at is not None:
        entry.at = at
    entry.save()
    return entry
