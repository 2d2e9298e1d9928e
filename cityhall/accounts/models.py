from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityhall.accounts.contracts import AccessChannel, Role, VerificationMethod
from cityhall.core.ids import uuid7
from cityhall.core.models import PublicModel, TimeStampedModel
from cityhall.core.personal_data import LegalBasis


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An account needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account. Everyone is a resident; staff roles come from RoleAssignment."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    email = models.EmailField(_("email address"), max_length=254, unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Django admin access; kept in step with the administrator role by role_assign/role_revoke.
    is_staff = models.BooleanField(_("admin site access"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Department(PublicModel):
    """One of the city's organisations; departments nest (a unit inside a directorate)."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_translations = models.JSONField(_("name in other languages"), default=dict, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    email = models.EmailField(_("contact email"), blank=True)
    phone = models.CharField(_("contact phone"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")), name="department_not_own_parent"
            )
        ]

    def __str__(self) -> str:
        return self.name


class RoleAssignment(TimeStampedModel):
    """A staff role held by a user, for one department (and the ones inside it) or city-wide."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["user", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "department"],
                condition=models.Q(department__isnull=False),
                name="role_once_per_department",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(department__isnull=True),
                name="role_once_citywide",
            ),
            models.CheckConstraint(condition=~models.Q(role=Role.RESIDENT), name="resident_is_implicit"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} {self.department or 'city-wide'}"


class ApiToken(PublicModel):
    """A machine client's credential. Only a SHA-256 of the secret is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, db_index=True)
    secret_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ResidentVerification(PublicModel):
    """Evidence that an account belongs to a resident of the city, and how it was established."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="resident_verifications")
    method = models.CharField(_("method"), max_length=20, choices=VerificationMethod.choices)
    verified_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("checked by")
    )
    evidence = models.CharField(_("evidence"), max_length=200, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("resident verification")
        verbose_name_plural = _("resident verifications")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(method=VerificationMethod.IN_PERSON)
                | models.Q(verified_by__isnull=False),
                name="in_person_check_names_the_checker",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.method}"


class VerificationCode(PublicModel):
    """A one-time code printed by staff and posted to the resident's address."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="verification_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    address = models.TextField(_("postal address"))
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("verification code")
        verbose_name_plural = _("verification codes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"code for {self.user} until {self.expires_at:%Y-%m-%d}"


class CensusEntry(models.Model):
    """One resident in the census import, kept only as a keyed hash of name, birth date and postcode."""

    match_key = models.CharField(max_length=64, unique=True)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("census entry")
        verbose_name_plural = _("census entries")
        ordering = ["imported_at"]

    def __str__(self) -> str:
        return self.match_key[:12]


class ConsentPurpose(PublicModel):
    """Something optional the city asks consent for (newsletters, research, optional notifications)."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("what the resident agrees to"))
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("consent purpose")
        verbose_name_plural = _("consent purposes")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class ConsentRecord(PublicModel):
    """Proof of a consent given or withdrawn: who, what text (hash), when, through which channel."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents")
    purpose = models.ForeignKey(ConsentPurpose, on_delete=models.PROTECT, related_name="records")
    text_version = models.PositiveIntegerField()
    text_sha256 = models.CharField(max_length=64)
    given = models.BooleanField()
    channel = models.CharField(max_length=20, default="web")

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "purpose", "-created_at"], name="consent_latest_idx")]

    def __str__(self) -> str:
        return f"{self.user} {'gave' if self.given else 'withdrew'} {self.purpose}"


class DataAccessLog(models.Model):
    """Each staff or agency read of a resident's personal data; shown to that resident."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    resident = models.ForeignKey(User, on_delete=models.CASCADE, related_name="data_accesses")
    accessor = models.CharField(_("who"), max_length=200)
    accessor_department = models.CharField(_("department"), max_length=200, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=AccessChannel.choices)
    data_category = models.CharField(_("data"), max_length=100)
    purpose = models.CharField(_("purpose"), max_length=200)
    case_reference = models.CharField(_("case"), max_length=100, blank=True)
    audit_seq = models.BigIntegerField(_("audit event"), null=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-at"]
        indexes = [models.Index(fields=["resident", "-at"], name="data_access_resident_idx")]

    def __str__(self) -> str:
        return f"{self.accessor} read {self.data_category} of {self.resident_id}"


class PrivacyRequest(PublicModel):
    """A resident's request under GDPR: access, rectification or erasure, answered within a month."""

    class Kind(models.TextChoices):
        RECTIFICATION = "rectification", _("Correct my data")
        ERASURE = "erasure", _("Erase my data")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        DONE = "done", _("Done")
        REFUSED = "refused", _("Refused, with reasons")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="privacy_requests")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    details = models.TextField(_("details"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED)
    due_at = models.DateTimeField(_("answer due by"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("privacy request")
        verbose_name_plural = _("privacy requests")
        ordering = ["due_at"]

    def __str__(self) -> str:
        return f"{self.kind} by {self.user} ({self.status})"


class LegalHold(PublicModel):
    """Data that must be kept (a court case, an audit): erasure is refused while the hold lasts."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="legal_holds")
    reason = models.CharField(_("reason"), max_length=300)
    legal_basis = models.CharField(
        _("legal basis"), max_length=20, choices=LegalBasis.choices, default=LegalBasis.LEGAL_OBLIGATION
    )
    until = models.DateField(_("until"), null=True, blank=True)
    placed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"hold on {self.user}: {self.reason}"
