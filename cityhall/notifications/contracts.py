from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


@dataclass(frozen=True, slots=True)
class QueuedEmail:
    id: uuid.UUID
    to: str
    status: DeliveryStatus
