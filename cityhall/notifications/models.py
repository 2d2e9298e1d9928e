from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cityhall.core.models import PublicModel
from cityhall.notifications.contracts import DeliveryStatus


class OutboundEmail(PublicModel):
    """An email the platform owes someone. The row is the delivery record; sending is a task."""

    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    purpose = models.CharField(_("purpose"), max_length=100)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="email_status_idx")]

    def __str__(self) -> str:
        return f"{self.purpose} to {self.to} ({self.status})"
