"""allauth's hooks into Cityhall: account email goes through the notifications outbox as a task."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter

from cityhall.notifications.facade import email_queue


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        message = self.render_mail(template_prefix, email, context)
        html = ""
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html = str(content)
        email_queue(
            to=email,
            subject=str(message.subject),
            body_text=str(message.body),
            body_html=html,
            purpose=f"account.{template_prefix.rsplit('/', 1)[-1]}",
        )
