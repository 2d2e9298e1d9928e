"""Freedom of information: requests, the messages each way, attached documents, the holiday calendar."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cityhall.core.models import PublicModel, TimeStampedModel
from cityhall.foi.contracts import FoiState, MessageKind


class Holiday(TimeStampedModel):
    """A public holiday of the authority's jurisdiction: not a working day for FOI deadlines."""

    day = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day}: {self.name}"


class FoiRequest(PublicModel):
    """One request. The deadline counts from `sent_on`, the date it was last sent (re-sent after a
    clarification or an internal-review request), in working days unless configured otherwise."""

    reference = models.CharField(_("reference"), max_length=30, unique=True)
    requester = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("summary"), max_length=200)
    body = models.TextField(_("request"))
    state = models.CharField(
        _("state"), max_length=30, choices=FoiState.choices, default=FoiState.WAITING_RESPONSE
    )
    sent_on = models.DateField(_("last sent on"))
    extension_days = models.PositiveIntegerField(_("extension (days)"), default=0)
    due_on = models.DateField(_("due on"))
    very_late_on = models.DateField(_("very late after"))
    overdue_notified_on = models.DateField(null=True, blank=True)
    very_overdue_notified_on = models.DateField(null=True, blank=True)
    hidden = models.BooleanField(_("hidden from the disclosure log"), default=False)
    hidden_reason = models.CharField(_("why hidden"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("freedom-of-information request")
        verbose_name_plural = _("freedom-of-information requests")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "due_on"], name="foi_state_due_idx"),
            models.Index(fields=["requester", "-created_at"], name="foi_requester_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class FoiMessage(PublicModel):
    """A message on a request, either way. The requester's messages never carry their identity publicly."""

    request = models.ForeignKey(FoiRequest, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=30, choices=MessageKind.choices)
    from_authority = models.BooleanField(_("from the city"), default=False)
    text = models.TextField(_("text"), blank=True)
    state_after = models.CharField(max_length=30, choices=FoiState.choices)
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        ordering = ["request", "sent_at", "created_at"]

    def __str__(self) -> str:
        return f"{self.request.reference}: {self.kind}"


class FoiAttachment(PublicModel):
    """A registry document released with a response (a copy of its reference)."""

    message = models.ForeignKey(FoiMessage, on_delete=models.CASCADE, related_name="attachments")
    document_id = models.UUIDField(_("document"))
    title = models.CharField(_("title"), max_length=300)
    url = models.CharField(_("address"), max_length=500, blank=True)
    verify_url = models.CharField(_("verification address"), max_length=500, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    signed = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.title


class Counter(models.Model):
    """Yearly counters behind request references (FOI-2026-0007), taken under a row lock."""

    name = models.CharField(max_length=50, primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}: {self.last}"
