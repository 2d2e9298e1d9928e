from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cityhall.core.models import PublicModel
from cityhall.notifications.contracts import Channel, DeliveryStatus, NotificationStatus, Priority


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


class NotificationTemplate(PublicModel):
    """A versioned message text per (key, channel, language). Placeholders are written ((name))."""

    key = models.SlugField(_("key"), max_length=64)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=10)
    version = models.PositiveIntegerField(_("version"), default=1)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("body"))

    class Meta:
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")
        ordering = ["key", "channel", "language", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "channel", "language", "version"], name="template_version_unique"
            ),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="template_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.key}/{self.channel}/{self.language} v{self.version}"


class Message(PublicModel):
    """One thing to say to many people (an alert, a confirmation): the unit of fan-out."""

    source = models.CharField(
        _("source"), max_length=150, unique=True, help_text=_("The caller's id of the event.")
    )
    template_key = models.SlugField(_("template"), max_length=64)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices)
    # {language: {placeholder: value}}; a recipient gets their language, else the first one.
    personalisation = models.JSONField(_("personalisation"), default=dict)
    expires_at = models.DateTimeField(_("never send after"), null=True, blank=True)
    # Ordering per recipient: nothing of this message goes out before that message was handed over.
    after = models.ForeignKey(
        "self", verbose_name=_("send after"), null=True, blank=True, on_delete=models.SET_NULL
    )
    targeted = models.PositiveIntegerField(_("recipients targeted"), default=0)
    planned_at = models.DateTimeField(_("planned at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.template_key}: {self.source}"


class Delivery(PublicModel):
    """One message to one recipient on one channel. The unique key makes a second send impossible."""

    message = models.ForeignKey(
        Message, verbose_name=_("message"), on_delete=models.CASCADE, related_name="deliveries"
    )
    # SHA-256 of channel and normalised address: the same person behind two subscriptions is one recipient.
    recipient = models.CharField(_("recipient"), max_length=64)
    reference = models.CharField(_("reference"), max_length=150, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=500, blank=True)
    language = models.CharField(_("language"), max_length=10)
    unsubscribe_url = models.CharField(_("unsubscribe link"), max_length=500, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=NotificationStatus.choices,
        default=NotificationStatus.CREATED,
    )
    template_version = models.PositiveIntegerField(_("template version"), null=True, blank=True)
    provider = models.CharField(_("provider"), max_length=50, blank=True)
    provider_message_id = models.CharField(_("provider's id"), max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("not before"), null=True, blank=True)
    # Set while a worker holds the row; a claim past this time belonged to a worker that stopped.
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    error_code = models.CharField(_("error code"), max_length=50, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["message", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "recipient", "channel"], name="delivery_once_per_recipient"
            ),
        ]
        indexes = [
            # Claims read "the next N created deliveries of this message and channel, by id".
            models.Index(fields=["message", "channel", "status", "id"], name="delivery_claim_idx"),
            models.Index(fields=["status", "claimed_until"], name="delivery_stale_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.status} ({self.message_id})"


class RateBucket(models.Model):
    """A token bucket per channel, in the database so every worker process shares it."""

    channel = models.CharField(max_length=10, primary_key=True, choices=Channel.choices)
    tokens = models.FloatField(default=0)
    refilled_at = models.DateTimeField()

    class Meta:
        ordering = ["channel"]

    def __str__(self) -> str:
        return f"{self.channel}: {self.tokens:.1f} tokens"
