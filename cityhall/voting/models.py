"""Polls and participatory budgeting: models.

Ballot secrecy by design (docs/voting.md): for every process there is a voter roll (who voted) and a
ballot box (what was voted), written in one transaction, with nothing that links a row of one to a
row of the other: no foreign key, random UUIDv4 keys (not uuid7, which embeds the time), no
timestamps on the box and only the date on the roll.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityhall.accounts.contracts import AssuranceLevel
from cityhall.core.models import PublicModel
from cityhall.voting.contracts import (
    BallotChannel,
    MesUtility,
    OutcomeMethod,
    PollKind,
    ProcessState,
    QuestionKind,
    VoteRule,
)


class VotingProcess(PublicModel):
    """What polls and budgets share: the window, who may vote, and when the box was sealed."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("department"),
    )
    min_assurance = models.PositiveSmallIntegerField(
        _("who may vote"), choices=AssuranceLevel.choices, default=AssuranceLevel.EMAIL_VERIFIED
    )
    district = models.ForeignKey(
        "core.District",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("only residents of this district"),
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    published = models.BooleanField(_("published"), default=False)
    # Set once after closing: the box was reshuffled and the results are final.
    sealed_at = models.DateTimeField(_("sealed at"), null=True, blank=True)
    catalog_dataset = models.CharField(_("catalog dataset"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def state(self) -> ProcessState:
        if not self.published:
            return ProcessState.DRAFT
        now = timezone.now()
        if now < self.opens_at:
            return ProcessState.SCHEDULED
        if now < self.closes_at:
            return ProcessState.OPEN
        return ProcessState.CLOSED


class Poll(VotingProcess):
    kind = models.CharField(_("kind"), max_length=10, choices=PollKind.choices, default=PollKind.POLL)
    # Census margins for raking: {"age_band": {"16-34": 0.31, ...}, "district": {...}}.
    margins = models.JSONField(_("census margins"), default=dict, blank=True)
    margins_source = models.CharField(_("source of the census margins"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        ordering = ["-opens_at", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")), name="poll_window_order"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("question"), max_length=500)
    kind = models.CharField(
        _("kind"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.SINGLE
    )
    min_choices = models.PositiveSmallIntegerField(_("fewest choices"), default=1)
    max_choices = models.PositiveSmallIntegerField(_("most choices"), default=1)
    # For surveys: the census variable this profile question measures ("age_band"), else blank.
    profile_variable = models.SlugField(_("census variable"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["poll", "position"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_choices__gte=models.F("min_choices")), name="question_choice_bounds"
            )
        ]

    def __str__(self) -> str:
        return self.text


class Option(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    code = models.SlugField(_("code"), max_length=50)
    label = models.CharField(_("label"), max_length=300)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["question", "position"]
        constraints = [models.UniqueConstraint(fields=["question", "code"], name="option_code_unique")]

    def __str__(self) -> str:
        return self.label


class PollVoter(models.Model):
    """The roll: this (keyed hash of a) person voted in this poll, on this day. Nothing else."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="+")
    voter_key = models.CharField(max_length=64)  # HMAC-SHA256(pepper, poll id | account id)
    channel = models.CharField(max_length=10, choices=BallotChannel.choices)
    voted_on = models.DateField()

    class Meta:
        verbose_name = _("poll voter")
        verbose_name_plural = _("poll voters")
        constraints = [
            models.UniqueConstraint(fields=["poll", "voter_key"], name="poll_one_ballot_per_voter")
        ]

    def __str__(self) -> str:
        return f"voter in {self.poll_id}"


class PollBallot(models.Model):
    """The box: what was voted, and the receipt. No voter, no time, a random key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="+")
    answers = models.JSONField()  # {question id: [option codes]}
    receipt = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("poll ballot")
        verbose_name_plural = _("poll ballots")

    def __str__(self) -> str:
        return self.receipt


class Budget(VotingProcess):
    total = models.PositiveBigIntegerField(_("budget"))
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    vote_rule = models.CharField(
        _("ballot rule"), max_length=10, choices=VoteRule.choices, default=VoteRule.KNAPSACK
    )
    min_projects = models.PositiveSmallIntegerField(_("fewest projects"), default=1)
    max_projects = models.PositiveSmallIntegerField(_("most projects"), null=True, blank=True)
    min_spend_percent = models.PositiveSmallIntegerField(
        _("least share of the budget to spend (%)"), default=0
    )
    mes_utility = models.CharField(
        _("equal shares utility"), max_length=10, choices=MesUtility.choices, default=MesUtility.COST
    )

    class Meta:
        verbose_name = _("participatory budget")
        verbose_name_plural = _("participatory budgets")
        ordering = ["-opens_at", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")), name="budget_window_order"
            ),
            models.CheckConstraint(
                condition=models.Q(min_spend_percent__lte=100), name="budget_spend_percent"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Project(PublicModel):
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="projects")
    code = models.SlugField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    cost = models.PositiveBigIntegerField(_("cost"))
    district = models.ForeignKey(
        "core.District", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("position (published tie-break)"), default=0)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["budget", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "code"], name="project_code_unique"),
            models.CheckConstraint(condition=models.Q(cost__gt=0), name="project_cost_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class BudgetVoter(models.Model):
    """The roll of a participatory budget (see PollVoter)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="+")
    voter_key = models.CharField(max_length=64)
    channel = models.CharField(max_length=10, choices=BallotChannel.choices)
    voted_on = models.DateField()

    class Meta:
        verbose_name = _("budget voter")
        verbose_name_plural = _("budget voters")
        constraints = [
            models.UniqueConstraint(fields=["budget", "voter_key"], name="budget_one_ballot_per_voter")
        ]

    def __str__(self) -> str:
        return f"voter in {self.budget_id}"


class BudgetBallot(models.Model):
    """The box of a participatory budget (see PollBallot): the approved project codes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="+")
    projects = models.JSONField()  # sorted project codes
    receipt = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("budget ballot")
        verbose_name_plural = _("budget ballots")

    def __str__(self) -> str:
        return self.receipt


class BudgetOutcome(models.Model):
    """A computed outcome (greedy or MES), stored when the budget is sealed; exact values as text."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="outcomes")
    method = models.CharField(max_length=10, choices=OutcomeMethod.choices)
    selected = models.JSONField()  # project codes in selection order
    details = models.JSONField()
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("budget outcome")
        verbose_name_plural = _("budget outcomes")
        ordering = ["budget", "method"]
        constraints = [models.UniqueConstraint(fields=["budget", "method"], name="budget_outcome_unique")]

    def __str__(self) -> str:
        return f"{self.method} outcome of {self.budget_id}"
