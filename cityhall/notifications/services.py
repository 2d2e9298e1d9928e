"""Email delivery: queue a record in the caller's transaction, deliver it once in a task."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from cityhall.core.taskqueue import enqueue_on_commit
from cityhall.notifications.contracts import DeliveryStatus
from cityhall.notifications.models import OutboundEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Wait before the 2nd, 3rd, 4th and 5th attempt: capped backoff, so a mail outage is ridden out.
RETRY_DELAYS_SECONDS = (60, 300, 1800, 3600)
CLAIM_TIMEOUT = dt.timedelta(minutes=10)


def email_queue(*, to: str, subject: str, body_text: str, body_html: str = "", purpose: str) -> OutboundEmail:
    """Record the email now and deliver it after commit: no email for work that rolled back."""
    with transaction.atomic():
        email = OutboundEmail.objects.create(
            to=to, subject=subject[:300], body_text=body_text, body_html=body_html, purpose=purpose
        )
        from cityhall.notifications.tasks import email_deliver

        enqueue_on_commit(email_deliver, email_id=str(email.pk))
    return email


class DeliveryFailedError(Exception):
    """Raised so the task backend records the failure; a later run may retry."""


def email_deliver(*, email_id: uuid.UUID) -> DeliveryStatus:
    """Send one queued email. Idempotent: a sent email, or one another worker is sending, is left alone.

    The row is claimed in a short transaction and sent outside it, so a slow mail server never holds
    a database lock.
    """
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None:
            logger.warning("email.missing", extra={"email_id": str(email_id)})
            return DeliveryStatus.FAILED
        claimed_recently = (
            email.status == DeliveryStatus.SENDING and timezone.now() - email.updated_at < CLAIM_TIMEOUT
        )
        if email.status == DeliveryStatus.SENT or claimed_recently:
            return DeliveryStatus(email.status)
        if email.attempts >= MAX_ATTEMPTS:
            return DeliveryStatus.FAILED
        email.attempts += 1
        email.status = DeliveryStatus.SENDING
        email.save(update_fields=["attempts", "status", "updated_at"])

    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        headers={"Message-ID": f"<{email.pk}@cityhall>", "Auto-Submitted": "auto-generated"},
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    try:
        message.send(fail_silently=False)
    except Exception as error:  # any transport failure is recorded, then raised for a retry
        email.status = DeliveryStatus.FAILED
        email.last_error = f"{error.__class__.__name__}: {error}"[:2000]
        email.save(update_fields=["status", "last_error", "updated_at"])
        _schedule_retry(email)
        raise DeliveryFailedError(f"Email {email_id} could not be sent: {email.last_error}") from error
    email.status = DeliveryStatus.SENT
    email.sent_at = timezone.now()
    email.last_error = ""
    email.save(update_fields=["status", "sent_at", "last_error", "updated_at"])
    return DeliveryStatus.SENT


def _schedule_retry(email: OutboundEmail) -> bool:
    """Queue the next attempt after a capped delay; False when attempts are used up."""
    from cityhall.notifications.tasks import email_deliver as deliver_task

    if email.attempts >= MAX_ATTEMPTS or not deliver_task.get_backend().supports_defer:
        return False
    delay = RETRY_DELAYS_SECONDS[min(email.attempts, len(RETRY_DELAYS_SECONDS)) - 1]
    deliver_task.using(run_after=timezone.now() + dt.timedelta(seconds=delay)).enqueue(email_id=str(email.pk))
    return True
