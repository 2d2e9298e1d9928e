"""Alerts (CAP messages in threads), incidents with their log, and area subscriptions."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityhall.alerts.contracts import (
    AlertState,
    AreaKind,
    CapStatus,
    Certainty,
    IncidentSeverity,
    IncidentStatus,
    IncidentType,
    MsgType,
    ResourceKind,
    ResourceStatus,
    Scope,
    Severity,
    SubscriptionStatus,
    TaskStatus,
    TimelineKind,
    Urgency,
)
from cityhall.core.models import PublicModel
from cityhall.notifications.contracts import Channel

_LATITUDE = Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90)
_LONGITUDE = Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180)


# --- Incidents ----------------------------------------------------------------------------


class Incident(PublicModel):
    """An emergency the city is running: what, where, how bad, who leads."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=IncidentType.choices)
    description = models.TextField(_("description"), blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=IncidentSeverity.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=IncidentStatus.choices, default=IncidentStatus.ACTIVE
    )
    location_description = models.CharField(_("location"), max_length=300, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    district = models.ForeignKey(
        "core.District", verbose_name=_("district"), null=True, blank=True, on_delete=models.SET_NULL
    )
    lead = models.ForeignKey(
        "accounts.User",
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Escalated from a service request: one incident per request, so escalating twice is harmless.
    source_service_request = models.UUIDField(_("service request"), null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-opened_at"]
        constraints = [
            models.CheckConstraint(condition=_LATITUDE & _LONGITUDE, name="incident_location_in_range"),
            models.CheckConstraint(
                condition=~Q(status=IncidentStatus.CLOSED) | Q(closed_at__isnull=False),
                name="incident_closed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class TimelineEntry(PublicModel):
    """One line of an incident's log. Written by the services, never edited."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(_("at"), default=timezone.now)
    kind = models.CharField(_("kind"), max_length=12, choices=TimelineKind.choices)
    text = models.TextField(_("text"))
    actor_ref = models.CharField(_("by"), max_length=100)
    actor_name = models.CharField(_("by (name)"), max_length=200, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"


class IncidentTask(PublicModel):
    """Work assigned to a department during an incident."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=200)
    details = models.TextField(_("details"), blank=True)
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("incident task")
        verbose_name_plural = _("incident tasks")
        ordering = ["status", "due_at", "created_at"]

    def __str__(self) -> str:
        return self.title


class Resource(PublicModel):
    """A shelter, pump, depot or vehicle; shelters have a capacity and an occupancy."""

    kind = models.CharField(_("kind"), max_length=10, choices=ResourceKind.choices)
    name = models.CharField(_("name"), max_length=200)
    incident = models.ForeignKey(
        Incident,
        verbose_name=_("incident"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resources",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ResourceStatus.choices, default=ResourceStatus.STANDBY
    )
    location = models.CharField(_("location"), max_length=300, blank=True)
    district = models.ForeignKey(
        "core.District", verbose_name=_("district"), null=True, blank=True, on_delete=models.SET_NULL
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    occupancy = models.PositiveIntegerField(_("occupancy"), default=0)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(occupancy__lte=F("capacity")),
                name="resource_occupancy_within_capacity",
            ),
            models.CheckConstraint(condition=_LATITUDE & _LONGITUDE, name="resource_location_in_range"),
        ]

    def __str__(self) -> str:
        return self.name


class SituationReport(PublicModel):
    """A structured, numbered report on an incident for one period."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="reports")
    number = models.PositiveIntegerField(_("number"))
    period_start = models.DateTimeField(_("period from"))
    period_end = models.DateTimeField(_("period to"))
    situation = models.TextField(_("situation"))
    actions = models.TextField(_("actions taken"))
    needs = models.TextField(_("needs"), blank=True)
    outlook = models.TextField(_("outlook"), blank=True)
    people_affected = models.PositiveIntegerField(_("people affected"), default=0)
    people_evacuated = models.PositiveIntegerField(_("people evacuated"), default=0)
    people_sheltered = models.PositiveIntegerField(_("people in shelters"), default=0)
    injuries = models.PositiveIntegerField(_("injuries"), default=0)
    fatalities = models.PositiveIntegerField(_("fatalities"), default=0)
    next_report_due = models.DateTimeField(_("next report due"), null=True, blank=True)
    author = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("situation report")
        verbose_name_plural = _("situation reports")
        ordering = ["incident", "number"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "number"], name="report_number_unique"),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="report_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"SITREP {self.number}"


class Decision(PublicModel):
    """The emergency decision log: who decided what, when, on what information. Append-only."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="decisions")
    decided_at = models.DateTimeField(_("decided at"))
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by_name = models.CharField(_("decided by (name)"), max_length=200)
    decided_by_role = models.CharField(_("in the role of"), max_length=200)
    decision = models.TextField(_("decision"))
    rationale = models.TextField(_("why"))
    information = models.TextField(_("on what information"))
    situation_reports = models.ManyToManyField(
        SituationReport, verbose_name=_("situation reports relied on"), blank=True, related_name="+"
    )
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("corrects or replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["decided_at", "created_at"]

    def __str__(self) -> str:
        return self.decision[:80]


# --- Alerts ---------------------------------------------------------------------------------


class Sequence(models.Model):
    """Per-year counters behind alert identifiers (`city.example.2026.0007`) and incident codes.

    Taken under a row lock, so two submissions never get the same number; never reused."""

    name = models.CharField(max_length=50, primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}: {self.last}"


class AlertThread(PublicModel):
    """One warning over its life: the first Alert, its Updates and its Cancel."""

    incident = models.ForeignKey(
        Incident,
        verbose_name=_("incident"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alert_threads",
    )
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept by the publish service, so the public page needs no per-thread queries:
    latest = models.ForeignKey("Alert", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_public = models.BooleanField(default=False)  # latest message is Actual and Public
    horizon = models.DateTimeField(null=True, blank=True)  # latest expiry of its published messages
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("alert thread")
        verbose_name_plural = _("alert threads")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["is_public", "horizon"], name="thread_public_idx")]

    def __str__(self) -> str:
        return str(self.pk)


class Alert(PublicModel):
    """One CAP message. Edited as a draft; frozen (exact XML bytes and their hash) when submitted."""

    thread = models.ForeignKey(AlertThread, on_delete=models.CASCADE, related_name="messages")
    msg_type = models.CharField(
        _("message type"), max_length=10, choices=MsgType.choices, default=MsgType.ALERT
    )
    state = models.CharField(_("state"), max_length=10, choices=AlertState.choices, default=AlertState.DRAFT)
    status = models.CharField(
        _("CAP status"), max_length=10, choices=CapStatus.choices, default=CapStatus.ACTUAL
    )
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.PUBLIC)
    restriction = models.CharField(_("restriction"), max_length=500, blank=True)
    addresses = models.TextField(_("addresses"), blank=True)
    note = models.TextField(_("note"), blank=True)
    categories = models.JSONField(_("categories"), default=list)
    response_types = models.JSONField(_("response types"), default=list, blank=True)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    certainty = models.CharField(_("certainty"), max_length=10, choices=Certainty.choices)
    effective = models.DateTimeField(_("effective from"), null=True, blank=True)
    onset = models.DateTimeField(_("onset"), null=True, blank=True)
    expires = models.DateTimeField(_("expires"), null=True, blank=True)
    sender_name = models.CharField(_("issuing authority"), max_length=200, blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The author is who submitted this exact message for approval; they can never approve it.
    author = models.ForeignKey(
        "accounts.User",
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    identifier = models.CharField(_("identifier"), max_length=100, blank=True)
    sender = models.CharField(_("sender"), max_length=200, blank=True)
    sent = models.DateTimeField(_("sent"), null=True, blank=True)
    sent_text = models.CharField(_("sent (as written)"), max_length=25, blank=True)
    references_text = models.TextField(_("references"), blank=True)
    xml = models.BinaryField(_("CAP document"), null=True, blank=True, editable=False)
    xml_sha256 = models.CharField(_("SHA-256 of the CAP document"), max_length=64, blank=True)
    approved_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_sha256 = models.CharField(_("SHA-256 approved"), max_length=64, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    returned_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    return_reason = models.TextField(_("why it was sent back"), blank=True)
    fanout_started_at = models.DateTimeField(_("fan-out started"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "identifier"],
                condition=~Q(identifier=""),
                name="alert_identifier_unique",
            ),
            # The two-person rule, in the database: nobody approves a message they submitted.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | Q(author__isnull=True) | ~Q(approved_by=F("author")),
                name="alert_two_person_rule",
            ),
            # Nothing is published without an approval of exactly these bytes.
            models.CheckConstraint(
                condition=~Q(state=AlertState.PUBLISHED)
                | (
                    Q(approved_by__isnull=False)
                    & Q(published_at__isnull=False)
                    & ~Q(xml_sha256="")
                    & Q(approved_sha256=F("xml_sha256"))
                ),
                name="alert_published_was_approved",
            ),
            models.CheckConstraint(
                condition=Q(state__in=[AlertState.DRAFT, AlertState.DISCARDED]) | Q(author__isnull=False),
                name="alert_submitted_has_author",
            ),
            models.CheckConstraint(
                condition=Q(expires__isnull=True) | Q(effective__isnull=True) | Q(expires__gt=F("effective")),
                name="alert_expires_after_effective",
            ),
        ]
        indexes = [models.Index(fields=["state", "published_at"], name="alert_state_idx")]

    def __str__(self) -> str:
        return self.identifier or f"{self.msg_type} draft {self.pk}"


class AlertInfo(PublicModel):
    """The alert in one language (one CAP <info> block)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="infos")
    position = models.PositiveSmallIntegerField(default=0)
    language = models.CharField(_("language"), max_length=10)
    event = models.CharField(_("event"), max_length=100)
    headline = models.CharField(_("headline"), max_length=160)
    description = models.TextField(_("description"))
    instruction = models.TextField(_("instruction"), blank=True)
    audience = models.CharField(_("audience"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("alert text")
        verbose_name_plural = _("alert texts")
        ordering = ["alert", "position"]
        constraints = [
            models.UniqueConstraint(fields=["alert", "language"], name="alert_info_language_unique")
        ]

    def __str__(self) -> str:
        return f"{self.language}: {self.headline}"


class AlertArea(PublicModel):
    """One CAP <area>: the union of its polygons and circles, with their bounding box."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="areas")
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(_("area description"), max_length=200)
    description_translations = models.JSONField(_("in other languages"), default=dict, blank=True)
    district = models.ForeignKey(
        "core.District", verbose_name=_("district"), null=True, blank=True, on_delete=models.SET_NULL
    )
    polygons = models.JSONField(_("polygons (CAP: lat,lon pairs)"), default=list, blank=True)
    circles = models.JSONField(_("circles (CAP: lat,lon radius-km)"), default=list, blank=True)
    altitude = models.FloatField(_("altitude (feet)"), null=True, blank=True)
    ceiling = models.FloatField(_("ceiling (feet)"), null=True, blank=True)
    min_latitude = models.FloatField()
    min_longitude = models.FloatField()
    max_latitude = models.FloatField()
    max_longitude = models.FloatField()

    class Meta:
        verbose_name = _("alert area")
        verbose_name_plural = _("alert areas")
        ordering = ["alert", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ceiling__isnull=True)
                | (Q(altitude__isnull=False) & Q(ceiling__gte=F("altitude"))),
                name="area_ceiling_needs_altitude",
            ),
        ]

    def __str__(self) -> str:
        return self.description


# --- Subscriptions --------------------------------------------------------------------------


class Place(PublicModel):
    """A named place of the city (street, square, landmark): how an address becomes a point."""

    name = models.CharField(_("name"), max_length=200)
    search_name = models.CharField(max_length=200, db_index=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    district = models.ForeignKey(
        "core.District", verbose_name=_("district"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=_LATITUDE & _LONGITUDE, name="place_location_in_range"),
            models.UniqueConstraint(fields=["search_name"], name="place_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Subscription(PublicModel):
    """A resident's wish to hear about alerts in an area, on a channel, in a language.

    The area's bounding box is stored with it (for a point: the box of its circle), so targeting
    prefilters in SQL before testing the exact geometry.
    """

    kind = models.CharField(_("area"), max_length=10, choices=AreaKind.choices)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    radius_km = models.FloatField(_("radius (km)"), null=True, blank=True)
    place_text = models.CharField(_("address or place"), max_length=200, blank=True)
    district = models.ForeignKey(
        "core.District", verbose_name=_("district"), null=True, blank=True, on_delete=models.PROTECT
    )
    min_latitude = models.FloatField()
    min_longitude = models.FloatField()
    max_latitude = models.FloatField()
    max_longitude = models.FloatField()
    # One bit per CAP category, in Category order; all bits set means "every category".
    category_mask = models.PositiveIntegerField(_("categories"))
    language = models.CharField(_("language"), max_length=10)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("email, phone number or webhook URL"), max_length=500)
    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=SubscriptionStatus.choices, default=SubscriptionStatus.PENDING
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    confirmations_sent = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("alert subscription")
        verbose_name_plural = _("alert subscriptions")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=_LATITUDE & _LONGITUDE, name="subscription_location_in_range"),
            models.CheckConstraint(
                condition=~Q(kind=AreaKind.POINT)
                | (
                    Q(latitude__isnull=False)
                    & Q(longitude__isnull=False)
                    & Q(radius_km__gt=0)
                    & Q(radius_km__lte=50)
                ),
                name="subscription_point_has_circle",
            ),
            models.CheckConstraint(
                condition=~Q(kind=AreaKind.DISTRICT) | Q(district__isnull=False),
                name="subscription_district_named",
            ),
            models.CheckConstraint(
                condition=~Q(status=SubscriptionStatus.ACTIVE) | Q(confirmed_at__isnull=False),
                name="subscription_active_was_confirmed",
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "min_latitude", "max_latitude", "min_longitude", "max_longitude"],
                name="subscription_bbox_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.channel} ({self.status})"
