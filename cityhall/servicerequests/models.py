"""Service types (with their Open311 attributes), routing rules, requests, photos, updates, followers."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityhall.alerts.contracts import IncidentType
from cityhall.core.models import PublicModel
from cityhall.servicerequests.contracts import OPEN_STATUSES, Channel, Datatype, Status

MAX_DESCRIPTION_LENGTH = 4000
OPEN_STATUS_VALUES = sorted(str(status) for status in OPEN_STATUSES)

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,49}$",
    _("Use letters, digits, dots, dashes or underscores, starting with a letter or digit."),
)


class ServiceType(PublicModel):
    """A kind of problem the city takes reports of (Open311 "service"), handled by one department."""

    code = models.CharField(_("service code"), max_length=50, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    name_translations = models.JSONField(_("name in other languages"), default=dict, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_translations = models.JSONField(_("description in other languages"), default=dict, blank=True)
    keywords = models.CharField(_("keywords (comma-separated)"), max_length=500, blank=True)
    group = models.CharField(_("group"), max_length=100, blank=True)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("responsible department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    sla_hours = models.PositiveIntegerField(
        _("service level (hours)"),
        null=True,
        blank=True,
        help_text=_("Hours within which the city aims to resolve a request; empty for none."),
    )
    service_notice = models.CharField(_("service notice"), max_length=300, blank=True)
    duplicate_radius_m = models.PositiveIntegerField(
        _("nearby-report radius (metres)"),
        default=50,
        validators=[MaxValueValidator(1000)],
        help_text=_(
            "Open reports of this type within this distance are shown before reporting; 0 turns it off."
        ),
    )
    is_emergency = models.BooleanField(
        _("emergency category"),
        default=False,
        help_text=_("Staff handling a report of this type can escalate it into an emergency incident."),
    )
    incident_type = models.CharField(
        _("incident type when escalated"), max_length=20, choices=IncidentType.choices, blank=True
    )
    active = models.BooleanField(_("accepting reports"), default=True)
    order = models.PositiveIntegerField(_("display order"), default=0)

    class Meta:
        verbose_name = _("service type")
        verbose_name_plural = _("service types")
        ordering = ["group", "order", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class ServiceAttribute(PublicModel):
    """An extra question of a service type (Open311 service definition attribute)."""

    service_type = models.ForeignKey(ServiceType, on_delete=models.CASCADE, related_name="attributes")
    code = models.CharField(_("code"), max_length=50, validators=[code_validator])
    variable = models.BooleanField(
        _("asks for input"), default=True, help_text=_("Off: the description is shown as information only.")
    )
    datatype = models.CharField(_("datatype"), max_length=20, choices=Datatype.choices)
    required = models.BooleanField(_("required"), default=False)
    datatype_description = models.CharField(_("input hint"), max_length=300, blank=True)
    order = models.PositiveIntegerField(_("order"), validators=[MinValueValidator(1)])
    description = models.TextField(_("question"))
    description_translations = models.JSONField(_("question in other languages"), default=dict, blank=True)
    values = models.JSONField(
        _("list values"),
        default=list,
        blank=True,
        help_text=_('For list types: [{"key": "S", "name": "Small", "name_translations": {"es": "..."}}]'),
    )

    class Meta:
        verbose_name = _("service attribute")
        verbose_name_plural = _("service attributes")
        ordering = ["service_type", "order"]
        constraints = [
            models.UniqueConstraint(fields=["service_type", "code"], name="sr_attribute_code_unique"),
            models.UniqueConstraint(fields=["service_type", "order"], name="sr_attribute_order_unique"),
            models.CheckConstraint(condition=models.Q(order__gte=1), name="sr_attribute_order_positive"),
            models.CheckConstraint(
                condition=models.Q(variable=True) | models.Q(required=False),
                name="sr_attribute_information_not_required",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_type.code}/{self.code}"


class RoutingRule(PublicModel):
    """Requests of a type inside one district go to another department than the type's own."""

    service_type = models.ForeignKey(ServiceType, on_delete=models.CASCADE, related_name="routing_rules")
    district = models.ForeignKey("core.District", on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["service_type", "district"]
        constraints = [
            models.UniqueConstraint(fields=["service_type", "district"], name="sr_routing_once_per_district")
        ]

    def __str__(self) -> str:
        return f"{self.service_type.code} in {self.district_id} → {self.department_id}"


class ServiceRequest(PublicModel):
    """One report by a resident (Open311 "service request")."""

    reference = models.CharField(_("reference"), max_length=11, unique=True)
    service_type = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="requests")
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    is_open = models.GeneratedField(
        expression=models.Case(
            models.When(status__in=OPEN_STATUS_VALUES, then=models.Value(True)),
            default=models.Value(False),
        ),
        output_field=models.BooleanField(),
        db_persist=True,
    )
    status_notes = models.TextField(_("status notes"), blank=True)
    description = models.TextField(_("description"), blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    address_id = models.CharField(_("address register id"), max_length=100, blank=True)
    zipcode = models.CharField(_("postal code"), max_length=20, blank=True)
    district = models.ForeignKey(
        "core.District", verbose_name=_("district"), null=True, blank=True, on_delete=models.SET_NULL
    )
    attributes = models.JSONField(_("answers"), default=dict, blank=True)
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # Personal data: never shown publicly, never in Open311 responses.
    reporter = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField(_("email"), blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    device_id = models.CharField(_("device id"), max_length=200, blank=True)
    account_id = models.CharField(_("client account id"), max_length=200, blank=True)
    submitted_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("submitted by staff"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    api_token_id = models.UUIDField(_("API key id"), null=True, blank=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    expected_at = models.DateTimeField(_("expected by"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        "accounts.User",
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    # "<client>:<Idempotency-Key>": a retried POST finds the request the first one created.
    idempotency_key = models.CharField(max_length=300, null=True, blank=True, unique=True)
    idempotency_fingerprint = models.CharField(max_length=64, blank=True)
    questionnaire_sent_at = models.DateTimeField(null=True, blank=True)
    questionnaire_answer = models.CharField(max_length=20, blank=True)
    questionnaire_answered_at = models.DateTimeField(null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="sr_coordinates_both_and_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=False) | ~models.Q(address="") | ~models.Q(address_id=""),
                name="sr_has_a_location",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("description"), MAX_DESCRIPTION_LENGTH),
                name="sr_description_max_4000",
            ),
        ]
        indexes = [
            models.Index(fields=["-requested_at"], name="sr_requested_idx"),
            models.Index(fields=["is_open", "-requested_at"], name="sr_open_requested_idx"),
            models.Index(fields=["service_type", "-requested_at"], name="sr_type_requested_idx"),
            models.Index(
                fields=["service_type", "is_open", "-requested_at"], name="sr_type_open_requested_idx"
            ),
            models.Index(fields=["department", "is_open", "-requested_at"], name="sr_queue_idx"),
            models.Index(
                fields=["service_type", "latitude", "longitude"],
                condition=models.Q(status__in=OPEN_STATUS_VALUES),
                name="sr_open_nearby_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_overdue(self) -> bool:
        return bool(
            self.status in OPEN_STATUSES
            and self.expected_at is not None
            and self.expected_at < timezone.now()
        )


def photo_path(instance: ServiceRequestPhoto, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"servicerequests/photos/{instance.pk}.{extension}"


class ServiceRequestPhoto(PublicModel):
    """A photo sent with a request: checked, re-encoded without its metadata (no GPS, no camera)."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("image"), upload_to=photo_path, max_length=200)
    content_type = models.CharField(max_length=50)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    public = models.BooleanField(_("shown publicly"), default=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"photo {self.pk} of {self.request_id}"


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public update")
    INTERNAL = "internal", _("Internal note")


class ServiceRequestUpdate(PublicModel):
    """A public update (may change the status; the reporter and followers are told) or an internal note."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    # The request's status after this update (empty for internal notes); status_changed says if it moved.
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, blank=True)
    status_changed = models.BooleanField(_("status changed"), default=False)
    description = models.TextField(_("text"), blank=True)
    media_url = models.URLField(max_length=500, blank=True)
    # An Open311 client's own id for an update it posted (mySociety extension), per client.
    external_source = models.CharField(max_length=100, blank=True)
    external_id = models.CharField(max_length=100, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("request update")
        verbose_name_plural = _("request updates")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "external_source", "external_id"],
                condition=~models.Q(external_id=""),
                name="sr_update_external_id_once",
            ),
        ]
        indexes = [models.Index(fields=["visibility", "created_at"], name="sr_update_feed_idx")]

    def __str__(self) -> str:
        return f"{self.visibility} update on {self.request_id}"


class ServiceRequestFollower(PublicModel):
    """Someone told about a request's public updates. Followers by email confirm first."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField(_("email"))
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["request", "email"], name="sr_follow_once"),
        ]

    def __str__(self) -> str:
        return f"{self.email} follows {self.request_id}"
