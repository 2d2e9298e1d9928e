"""What other apps may know about engagement: vocabularies and frozen records.

`EligibilityResult` and `ProcessRef` are shared with the voting module (polls, budgets) and the
decisions module (which links decisions to the consultations and proposals that led to them).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from cityhall.accounts.contracts import AssuranceLevel as AssuranceLevel  # re-exported: eligibility levels


class ProcessKind(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    PROPOSALS = "proposals", _("Call for proposals")
    PROPOSAL = "proposal", _("Proposal")


class ConsultationPhase(models.TextChoices):
    """draft → open → closed → report (the published "you said, we did" report)."""

    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    REPORT = "report", _("Report published")


class QuestionKind(models.TextChoices):
    TEXT = "text", _("Free text")
    SINGLE = "single", _("One choice")
    MULTIPLE = "multiple", _("Several choices")
    SCALE = "scale", _("Scale")


class ProposalProcessStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ProposalStatus(models.TextChoices):
    """open (collecting supports) → qualified (threshold reached, awaiting the city) → answered."""

    OPEN = "open", _("Collecting supports")
    QUALIFIED = "qualified", _("Qualified: waiting for the city's response")
    ANSWERED = "answered", _("Answered by the city")
    EXPIRED = "expired", _("Did not reach the threshold")
    WITHDRAWN = "withdrawn", _("Withdrawn by the author")
    HIDDEN = "hidden", _("Hidden by a moderator")


class ThresholdBasis(models.TextChoices):
    ABSOLUTE = "absolute", _("A number of supports")
    SHARE = "share", _("A share of eligible residents (frozen at opening)")


class Outcome(models.TextChoices):
    """What the city did with the input (consultation themes and proposals)."""

    ACCEPTED = "accepted", _("Accepted")
    PARTLY_ACCEPTED = "partly_accepted", _("Partly accepted")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")


class SupportChannel(models.TextChoices):
    WEB = "web", _("Online")
    PAPER = "paper", _("On paper")
    ASSISTED = "assisted", _("Assisted by staff")


@dataclass(frozen=True, slots=True)
class EligibilityResult:
    """May this person take part? `reason` is a whole sentence saying why not and what to do."""

    ok: bool
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ProcessRef:
    """A participation process or item, as other modules link to it."""

    kind: str  # a ProcessKind value
    id: uuid.UUID
    title: str
    url: str  # absolute
    status: str  # the phase or status value
