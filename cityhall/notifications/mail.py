"""One way to build an outgoing email, for transactional emails and for fan-out deliveries alike."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives


def build_email(
    *,
    to: str,
    subject: str,
    body_text: str,
    message_id: str,
    body_html: str = "",
    unsubscribe_url: str = "",
) -> EmailMultiAlternatives:
    headers = {"Message-ID": f"<{message_id}@cityhall>", "Auto-Submitted": "auto-generated"}
    if unsubscribe_url:
        # RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs to the link.
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=subject.replace("\n", " ")[:300],
        body=body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers,
    )
    if body_html:
        message.attach_alternative(body_html, "text/html")
    return message
