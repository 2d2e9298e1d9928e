"""What other apps may know about FOI: the Alaveteli states and frozen records."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class FoiState(models.TextChoices):
    """Alaveteli's `described_state` values (engagement-methods.md §9)."""

    WAITING_RESPONSE = "waiting_response", _("Awaiting response")
    WAITING_CLARIFICATION = "waiting_clarification", _("Clarification needed")
    GONE_POSTAL = "gone_postal", _("Handled by post")
    NOT_HELD = "not_held", _("Information not held")
    REJECTED = "rejected", _("Refused")
    SUCCESSFUL = "successful", _("Successful")
    PARTIALLY_SUCCESSFUL = "partially_successful", _("Partially successful")
    INTERNAL_REVIEW = "internal_review", _("Awaiting internal review")
    ERROR_MESSAGE = "error_message", _("Delivery error")
    REQUIRES_ADMIN = "requires_admin", _("Needs an administrator")
    ATTENTION_REQUESTED = "attention_requested", _("Reported for attention")
    USER_WITHDRAWN = "user_withdrawn", _("Withdrawn by the requester")
    VEXATIOUS = "vexatious", _("Vexatious")
    NOT_FOI = "not_foi", _("Not a freedom-of-information request")


class DisplayStatus(models.TextChoices):
    """What a reader sees: the state, or the overdue forms of "awaiting response" after the deadlines."""

    WAITING_RESPONSE_OVERDUE = "waiting_response_overdue", _("Long overdue… (past the deadline)")
    WAITING_RESPONSE_VERY_OVERDUE = "waiting_response_very_overdue", _("Very long overdue")


# States in which the authority owes an answer, so the deadline runs.
CLOCK_RUNNING = frozenset({FoiState.WAITING_RESPONSE, FoiState.INTERNAL_REVIEW})
# The authority's answers.
OUTCOMES = (FoiState.SUCCESSFUL, FoiState.PARTIALLY_SUCCESSFUL, FoiState.REJECTED, FoiState.NOT_HELD)
# Outcomes only staff may record without an answer (Alaveteli's admin-only states and the like).
ADMIN_STATES = (
    FoiState.GONE_POSTAL,
    FoiState.VEXATIOUS,
    FoiState.NOT_FOI,
    FoiState.ERROR_MESSAGE,
    FoiState.REQUIRES_ADMIN,
)
CLOSED_STATES = frozenset(
    {
        FoiState.USER_WITHDRAWN,
        FoiState.VEXATIOUS,
        FoiState.NOT_FOI,
        FoiState.GONE_POSTAL,
    }
)


class MessageKind(models.TextChoices):
    REQUEST = "request", _("Request")
    CLARIFICATION_REQUEST = "clarification_request", _("The city asked for clarification")
    CLARIFICATION = "clarification", _("Clarification from the requester")
    RESPONSE = "response", _("Response")
    EXTENSION = "extension", _("Deadline extended")
    REVIEW_REQUEST = "review_request", _("Internal review requested")
    WITHDRAWAL = "withdrawal", _("Withdrawn")
    STATUS = "status", _("Status changed")


@dataclass(frozen=True, slots=True)
class FoiRequestRef:
    id: uuid.UUID
    reference: str
    title: str
    state: str
    display_status: str
    due_on: dt.date | None
    url: str
