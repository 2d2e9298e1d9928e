"""Civic engagement: consultations (questions, answers, comments, the "you said, we did" report) and
calls for proposals (proposals, supports, the city's response)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityhall.accounts.contracts import AssuranceLevel
from cityhall.core.models import PublicModel, TimeStampedModel
from cityhall.engagement.contracts import (
    ConsultationPhase,
    Outcome,
    ProposalProcessStatus,
    ProposalStatus,
    QuestionKind,
    SupportChannel,
    ThresholdBasis,
)


class Consultation(PublicModel):
    """The city asks residents a set of questions about a plan, in phases."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=500)
    body = models.TextField(_("what it is about"), blank=True)
    phase = models.CharField(
        _("phase"), max_length=10, choices=ConsultationPhase.choices, default=ConsultationPhase.DRAFT
    )
    eligibility = models.PositiveSmallIntegerField(
        _("who may take part"), choices=AssuranceLevel.choices, default=AssuranceLevel.EMAIL_VERIFIED
    )
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closes_on = models.DateField(_("planned closing date"), null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    report_summary = models.TextField(_("report: what the city heard and did"), blank=True)
    report_published_at = models.DateTimeField(null=True, blank=True)
    report_notified_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["phase", "-created_at"], name="consultation_phase_idx")]

    def __str__(self) -> str:
        return self.title


class ConsultationDocument(TimeStampedModel):
    """A document the consultation is about (a plan, a map), linked by address."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("address"), max_length=500)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class Question(TimeStampedModel):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("help"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=False)
    options = models.JSONField(_("choices"), default=list, blank=True)  # list of labels
    scale_min = models.SmallIntegerField(default=1)
    scale_max = models.SmallIntegerField(default=5)
    scale_min_label = models.CharField(max_length=100, blank=True)
    scale_max_label = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scale_min__lt=models.F("scale_max")), name="question_scale"
            )
        ]

    def __str__(self) -> str:
        return self.text


class ConsultationResponse(TimeStampedModel):
    """One participant's answers to one consultation (one per participant)."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="responses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    assurance_level = models.PositiveSmallIntegerField(choices=AssuranceLevel.choices)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "user"], name="consultation_response_once")
        ]

    def __str__(self) -> str:
        return f"response to {self.consultation_id}"


class Answer(models.Model):
    response = models.ForeignKey(ConsultationResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    text = models.TextField(blank=True)
    choices = models.JSONField(default=list, blank=True)  # indexes into Question.options
    scale_value = models.SmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_once")]

    def __str__(self) -> str:
        return f"answer to {self.question_id}"


class Comment(PublicModel):
    """A public comment on a consultation or on a proposal. Moderators hide it with a recorded reason."""

    consultation = models.ForeignKey(
        Consultation, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    proposal = models.ForeignKey(
        "engagement.Proposal", null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(_("comment"))
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_reason = models.CharField(_("reason for hiding"), max_length=500, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(consultation__isnull=False, proposal__isnull=True)
                | models.Q(consultation__isnull=True, proposal__isnull=False),
                name="comment_on_one_thing",
            )
        ]

    def __str__(self) -> str:
        return f"comment {self.pk}"


class ReportItem(TimeStampedModel):
    """One line of the "you said, we did" report: a theme of the input and what the city did."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="report_items")
    position = models.PositiveSmallIntegerField(default=0)
    theme = models.CharField(_("you said"), max_length=300)
    submissions = models.PositiveIntegerField(_("how many said it"), default=0)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    response = models.TextField(_("we did"))
    decision_id = models.UUIDField(_("decision"), null=True, blank=True)  # decisions module, not a FK
    change_url = models.URLField(_("changed plan or project"), max_length=500, blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.theme


class ProposalProcess(PublicModel):
    """A call for proposals with its rules: who may take part, the threshold, the support window."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=500)
    body = models.TextField(_("rules and background"), blank=True)
    status = models.CharField(
        max_length=10, choices=ProposalProcessStatus.choices, default=ProposalProcessStatus.DRAFT
    )
    eligibility = models.PositiveSmallIntegerField(
        _("who may propose and support"),
        choices=AssuranceLevel.choices,
        default=AssuranceLevel.EMAIL_VERIFIED,
    )
    threshold_basis = models.CharField(
        max_length=10, choices=ThresholdBasis.choices, default=ThresholdBasis.ABSOLUTE
    )
    threshold_value = models.DecimalField(
        _("threshold (supports, or percent of eligible residents)"), max_digits=9, decimal_places=2
    )
    # Frozen at opening, and published, so the goal does not move while people support.
    eligible_at_opening = models.PositiveIntegerField(null=True, blank=True)
    supports_needed = models.PositiveIntegerField(null=True, blank=True)
    window_end = models.DateField(_("supports close on"), null=True, blank=True)
    response_days = models.PositiveSmallIntegerField(_("days for the city's response"), default=90)
    supports_per_person = models.PositiveSmallIntegerField(_("supports per person (0: no limit)"), default=0)
    proposals_per_person = models.PositiveSmallIntegerField(
        _("proposals per person (0: no limit)"), default=0
    )
    accumulate_beyond = models.BooleanField(_("supports continue after the threshold"), default=False)
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("call for proposals")
        verbose_name_plural = _("calls for proposals")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(threshold_value__gt=0), name="proposal_threshold_positive"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Proposal(PublicModel):
    process = models.ForeignKey(ProposalProcess, on_delete=models.CASCADE, related_name="proposals")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=150)
    summary = models.CharField(_("summary"), max_length=500)
    body = models.TextField(_("the proposal"), blank=True)
    status = models.CharField(max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.OPEN)
    supports_count = models.PositiveIntegerField(default=0)
    qualified_at = models.DateTimeField(null=True, blank=True)
    response_due = models.DateField(null=True, blank=True)
    qualified_notified_at = models.DateTimeField(null=True, blank=True)
    response_outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    response_text = models.TextField(blank=True)
    response_decision_id = models.UUIDField(null=True, blank=True)  # decisions module, not a FK
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    response_notified_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-supports_count", "created_at"]
        indexes = [models.Index(fields=["process", "status", "-supports_count"], name="proposal_list_idx")]

    def __str__(self) -> str:
        return self.title


class Support(models.Model):
    """One support of one proposal by one person; the unique constraint makes duplicates impossible."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    assurance_level = models.PositiveSmallIntegerField(choices=AssuranceLevel.choices)
    channel = models.CharField(max_length=10, choices=SupportChannel.choices, default=SupportChannel.WEB)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="support_once")]

    def __str__(self) -> str:
        return f"support of {self.proposal_id}"


class ParticipantSettings(TimeStampedModel):
    """A resident's choice about engagement emails (qualified, answered, report published)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    email_updates = models.BooleanField(_("email me what happens to my input"), default=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"engagement settings of {self.user_id}"
