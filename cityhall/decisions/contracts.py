"""What other apps may know about decisions: vocabularies and frozen records."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class BodyKind(models.TextChoices):
    COUNCIL = "council", _("Council")
    COMMITTEE = "committee", _("Committee")
    BOARD = "board", _("Board")


class MemberRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    VICE_CHAIR = "vice_chair", _("Vice-chair")
    MEMBER = "member", _("Member")


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class DecisionKind(models.TextChoices):
    MOTION = "motion", _("Motion")
    RESOLUTION = "resolution", _("Resolution")
    BYLAW = "bylaw", _("By-law")
    BUDGET = "budget", _("Budget decision")
    APPOINTMENT = "appointment", _("Appointment")


class DecisionStatus(models.TextChoices):
    """A motion's workflow, after OpenSlides' "complex" workflow (see engagement-methods.md §10)."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    VOTING = "voting", _("Vote open")
    ADOPTED = "adopted", _("Adopted")
    REJECTED = "rejected", _("Rejected")
    ADJOURNED = "adjourned", _("Adjourned")
    REFERRED = "referred", _("Referred")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Where a decision may go next. ADOPTED/REJECTED from VOTING only through closing the roll call.
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    DecisionStatus.DRAFT: (DecisionStatus.SUBMITTED, DecisionStatus.WITHDRAWN),
    DecisionStatus.SUBMITTED: (
        DecisionStatus.VOTING,
        DecisionStatus.ADOPTED,
        DecisionStatus.REJECTED,
        DecisionStatus.ADJOURNED,
        DecisionStatus.REFERRED,
        DecisionStatus.WITHDRAWN,
    ),
    DecisionStatus.VOTING: (DecisionStatus.ADJOURNED,),
    DecisionStatus.ADJOURNED: (DecisionStatus.SUBMITTED, DecisionStatus.WITHDRAWN),
    DecisionStatus.ADOPTED: (),
    DecisionStatus.REJECTED: (),
    DecisionStatus.REFERRED: (),
    DecisionStatus.WITHDRAWN: (),
}
CLOSED_STATUSES = frozenset(status for status, following in NEXT_STATUSES.items() if not following)
PUBLIC_STATUSES = frozenset(DecisionStatus) - {DecisionStatus.DRAFT}


class VoteOption(models.TextChoices):
    """Open Civic Data PersonVote options used by Cityhall."""

    YES = "yes", _("Yes")
    NO = "no", _("No")
    ABSTAIN = "abstain", _("Abstain")
    ABSENT = "absent", _("Absent")


class VoteResult(models.TextChoices):
    PASS = "pass", _("Passed")
    FAIL = "fail", _("Failed")


class LinkKind(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    PROPOSAL = "proposal", _("Proposal")
    EMERGENCY_DECISION = "emergency_decision", _("Emergency decision")
    PROJECT = "project", _("Project")


class AttachmentRole(models.TextChoices):
    AGENDA_PACK = "agenda_pack", _("Agenda pack")
    MINUTES = "minutes", _("Minutes")
    DECISION_TEXT = "decision_text", _("Decision text")
    SUPPORTING = "supporting", _("Supporting document")


@dataclass(frozen=True, slots=True)
class DecisionRef:
    """A decision as other modules link to it ("you said, we did")."""

    id: uuid.UUID
    title: str
    url: str
    decided_on: dt.date | None
    status: str
    body_name: str


@dataclass(frozen=True, slots=True)
class RegisteredDocument:
    """A document of the city's registry, as attached to a meeting, a decision or an FOI answer."""

    id: uuid.UUID
    title: str
    url: str
    verify_url: str
    sha256: str
    signed: bool
