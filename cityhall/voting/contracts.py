"""What other apps may know about voting: vocabularies and frozen records."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProcessState(models.TextChoices):
    """Computed from the dates: draft (not published) → scheduled → open → closed."""

    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Opens soon")
    OPEN = "open", _("Open for voting")
    CLOSED = "closed", _("Closed")


class PollKind(models.TextChoices):
    POLL = "poll", _("Opinion poll")
    SURVEY = "survey", _("Opinion survey (results weighted to the census)")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("One choice")
    MULTIPLE = "multiple", _("Several choices")


class VoteRule(models.TextChoices):
    KNAPSACK = "knapsack", _("Choose projects up to the budget")
    APPROVAL = "approval", _("Choose between a minimum and a maximum number of projects")


class MesUtility(models.TextChoices):
    COST = "cost", _("Cost utilities (a voter values a project by its cost)")
    APPROVAL = "approval", _("Approval utilities (every approved project counts the same)")


class OutcomeMethod(models.TextChoices):
    GREEDY = "greedy", _("Greedy: most votes first")
    MES = "mes", _("Method of Equal Shares")


class BallotChannel(models.TextChoices):
    WEB = "web", _("Web page")
    API = "api", _("API")


@dataclass(frozen=True, slots=True)
class VotingProcessRef:
    """A poll or a participatory budget, as other modules list it."""

    kind: str  # "poll" or "budget"
    id: uuid.UUID
    title: str
    url: str  # path on this site
    state: str  # a ProcessState value
    opens_at: dt.datetime
    closes_at: dt.datetime
