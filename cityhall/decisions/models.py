"""Decisions: governing bodies, members and terms, meetings and agendas, decisions, roll-call votes."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cityhall.core.models import PublicModel
from cityhall.decisions.contracts import (
    AttachmentRole,
    BodyKind,
    DecisionKind,
    DecisionStatus,
    LinkKind,
    MeetingStatus,
    MemberRole,
    VoteOption,
    VoteResult,
)


class Body(PublicModel):
    """A governing body: the council, a committee, a board."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=BodyKind.choices)
    description = models.TextField(_("description"), blank=True)
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("governing body")
        verbose_name_plural = _("governing bodies")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class Member(PublicModel):
    """A person who sits on bodies (a councillor, a board member); holders of public office."""

    name = models.CharField(_("name"), max_length=200)
    affiliation = models.CharField(_("party or affiliation"), max_length=200, blank=True)
    user = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(PublicModel):
    """One term of a member on a body. A vote counts only from a member whose term covers the meeting."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=MemberRole.choices, default=MemberRole.MEMBER)
    start_on = models.DateField(_("term starts"))
    end_on = models.DateField(_("term ends"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["body", "member__name", "start_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=F("start_on")), name="membership_term_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} ({self.body})"


class Meeting(PublicModel):
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    minutes = models.TextField(_("minutes"), blank=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["body", "starts_at"], name="decisions_meeting_body_idx")]

    def __str__(self) -> str:
        return self.title


class AgendaItem(PublicModel):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position"]
        constraints = [models.UniqueConstraint(fields=["meeting", "position"], name="agenda_item_position")]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Decision(PublicModel):
    """A motion put to a body, and what became of it. `serial` is the full-text index's row id."""

    serial = models.BigIntegerField(_("number"), unique=True, editable=False)
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="decisions")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=DecisionKind.choices, default=DecisionKind.MOTION
    )
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=DecisionStatus.choices, default=DecisionStatus.DRAFT
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=VoteResult.choices, blank=True)
    votes_yes = models.PositiveIntegerField(default=0)
    votes_no = models.PositiveIntegerField(default=0)
    votes_abstain = models.PositiveIntegerField(default=0)
    votes_absent = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-serial"]
        indexes = [
            models.Index(fields=["status", "-serial"], name="decisions_status_idx"),
            models.Index(fields=["body", "-serial"], name="decisions_body_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class StatusChange(models.Model):
    """The decision's history: every change of status, who made it and when."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(_("at"))
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    actor_ref = models.CharField(max_length=100)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["decision", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class Vote(PublicModel):
    """One member's recorded (roll-call) vote on a decision."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="votes")
    option = models.CharField(_("vote"), max_length=10, choices=VoteOption.choices)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["decision", "member__name"]
        constraints = [models.UniqueConstraint(fields=["decision", "member"], name="one_vote_per_member")]

    def __str__(self) -> str:
        return f"{self.member}: {self.option}"


class DecisionLink(PublicModel):
    """What a decision concerns in another module, by kind and id (no foreign key across modules)."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(_("kind"), max_length=30, choices=LinkKind.choices)
    target_id = models.UUIDField(_("target"))
    title = models.CharField(_("title"), max_length=300)
    url = models.CharField(_("address"), max_length=500, blank=True)

    class Meta:
        ordering = ["decision", "kind", "title"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "kind", "target_id"], name="decision_link_unique")
        ]
        indexes = [models.Index(fields=["kind", "target_id"], name="decisions_link_target_idx")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"


class Attachment(PublicModel):
    """A document of the registry attached to a meeting or a decision (a copy of its reference)."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    decision = models.ForeignKey(
        Decision, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    role = models.CharField(_("role"), max_length=20, choices=AttachmentRole.choices)
    document_id = models.UUIDField(_("document"))
    title = models.CharField(_("title"), max_length=300)
    url = models.CharField(_("address"), max_length=500, blank=True)
    verify_url = models.CharField(_("verification address"), max_length=500, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    signed = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(meeting__isnull=False, decision__isnull=True)
                | Q(meeting__isnull=True, decision__isnull=False),
                name="attachment_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Counter(models.Model):
    """Named counters (decision serials, yearly references), taken under a row lock."""

    name = models.CharField(max_length=50, primary_key=True)
    last = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}: {self.last}"
