"""The notifications module as other apps see it."""

from __future__ import annotations

from cityhall.notifications import services
from cityhall.notifications.contracts import DeliveryStatus, QueuedEmail


def email_queue(*, to: str, subject: str, body_text: str, body_html: str = "", purpose: str) -> QueuedEmail:
    """Record an email in the caller's transaction; a task delivers it once the transaction commits."""
    email = services.email_queue(
        to=to, subject=subject, body_text=body_text, body_html=body_html, purpose=purpose
    )
    return QueuedEmail(id=email.pk, to=email.to, status=DeliveryStatus(email.status))


__all__ = ["QueuedEmail", "email_queue"]
