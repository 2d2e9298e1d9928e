"""What other apps may know about notifications: channels, statuses and frozen summaries."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryStatus(models.TextChoices):
    """States of a transactional email (`email_queue`)."""

    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


@dataclass(frozen=True, slots=True)
class QueuedEmail:
    id: uuid.UUID
    to: str
    status: DeliveryStatus


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message (SMS)")
    WEBHOOK = "webhook", _("Webhook (for programs)")


class NotificationStatus(models.TextChoices):
    """The delivery states of GOV.UK Notify (and GC Notify, Notify NL), so their habits carry over."""

    CREATED = "created", _("Created: waiting to be sent")
    SENDING = "sending", _("Sending: handed to the provider")
    PENDING = "pending", _("Pending: the provider is still trying")
    SENT = "sent", _("Sent: handed over, no receipt will follow")
    DELIVERED = "delivered", _("Delivered")
    PERMANENT_FAILURE = "permanent-failure", _("Permanent failure: the address does not work")
    TEMPORARY_FAILURE = "temporary-failure", _("Temporary failure: gave up after retrying")
    TECHNICAL_FAILURE = "technical-failure", _("Technical failure: gave up after retrying")


FINAL_STATUSES = frozenset(
    {
        NotificationStatus.SENT,
        NotificationStatus.DELIVERED,
        NotificationStatus.PERMANENT_FAILURE,
        NotificationStatus.TEMPORARY_FAILURE,
        NotificationStatus.TECHNICAL_FAILURE,
    }
)
FAILED_STATUSES = frozenset(
    {
        NotificationStatus.PERMANENT_FAILURE,
        NotificationStatus.TEMPORARY_FAILURE,
        NotificationStatus.TECHNICAL_FAILURE,
    }
)


class Priority(models.TextChoices):
    """Alerts and routine messages use separate queues: a routine backlog never delays an alert."""

    ALERT = "alert", _("Alert")
    ROUTINE = "routine", _("Routine")


@dataclass(frozen=True, slots=True)
class Recipient:
    """One person to reach, on one channel. `reference` is the caller's id for them."""

    channel: Channel
    address: str
    language: str
    reference: str = ""
    unsubscribe_url: str = ""


@dataclass(frozen=True, slots=True)
class FanoutResult:
    message_id: uuid.UUID
    targeted: int
    planned: int  # new delivery records written by this call
    send_tasks: int


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What happened to one message: counts per status and how fast it went out."""

    message_id: uuid.UUID
    total: int
    by_status: dict[str, int]
    by_channel: dict[str, int]
    first_sent_at: dt.datetime | None
    last_sent_at: dt.datetime | None
    p50_seconds_to_send: float | None
    p95_seconds_to_send: float | None
    retrying: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (error code, count as text)


@dataclass(frozen=True, slots=True)
class PermanentFailure:
    """Sent to listeners when an address turned out not to work: stop using it."""

    reference: str
    channel: Channel
    error: str
