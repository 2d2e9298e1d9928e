"""The notifications module as other apps see it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from cityhall.notifications import services
from cityhall.notifications.contracts import (
    Channel,
    DeliveryReport,
    DeliveryStatus,
    FanoutResult,
    NotificationStatus,
    PermanentFailure,
    Priority,
    QueuedEmail,
    Recipient,
)
from cityhall.notifications.providers import check_webhook_address
from cityhall.notifications.signing import SIGNATURE_HEADER, verify_signature, webhook_secret
from cityhall.notifications.templates import SmsParts, sms_parts


def email_queue(*, to: str, subject: str, body_text: str, body_html: str = "", purpose: str) -> QueuedEmail:
    """Record an email in the caller's transaction; a task delivers it once the transaction commits."""
    email = services.email_queue(
        to=to, subject=subject, body_text=body_text, body_html=body_html, purpose=purpose
    )
    return QueuedEmail(id=email.pk, to=email.to, status=DeliveryStatus(email.status))


def message_fanout(
    *,
    source: str,
    template_key: str,
    priority: Priority,
    personalisation: dict[str, dict[str, str]],
    recipients: Iterable[Recipient],
    expires_at: dt.datetime | None = None,
    after_source: str = "",
) -> FanoutResult:
    """Plan one delivery per (recipient, channel) of the message `source` and start sending.

    Idempotent on `source`; a recipient never gets the same message twice on a channel. With
    `after_source`, nothing goes to a recipient before that earlier message was handed over to them.
    """
    return services.message_fanout(
        source=source,
        template_key=template_key,
        priority=priority,
        personalisation=personalisation,
        recipients=recipients,
        expires_at=expires_at,
        after_source=after_source,
    )


def notification_send(
    *,
    source: str,
    template_key: str,
    recipient: Recipient,
    personalisation: dict[str, str],
    priority: Priority = Priority.ROUTINE,
) -> FanoutResult:
    """One message to one recipient (sent after the caller's transaction commits)."""
    return services.notification_send(
        source=source,
        template_key=template_key,
        recipient=recipient,
        personalisation=personalisation,
        priority=priority,
    )


def message_recipients(*, sources: list[str]) -> list[Recipient]:
    """Everyone the messages `sources` went to (not to addresses that failed permanently)."""
    return services.message_recipients(sources=sources)


def message_report(*, source: str) -> DeliveryReport | None:
    return services.message_report(source=source)


def on_permanent_failure(listener: Callable[[PermanentFailure], None]) -> None:
    """Be told when an address turned out not to work, so its owner stops using it."""
    services.on_permanent_failure(listener)


def webhook_address_problem(url: str) -> str:
    """'' when the city may send webhooks to `url`; otherwise a sentence saying why not."""
    return check_webhook_address(url, resolve=False)


__all__ = [
    "SIGNATURE_HEADER",
    "Channel",
    "DeliveryReport",
    "FanoutResult",
    "NotificationStatus",
    "PermanentFailure",
    "Priority",
    "QueuedEmail",
    "Recipient",
    "SmsParts",
    "email_queue",
    "message_fanout",
    "message_recipients",
    "message_report",
    "notification_send",
    "on_permanent_failure",
    "sms_parts",
    "verify_signature",
    "webhook_address_problem",
    "webhook_secret",
]
