"""Documents: the registry (documents and their versions), signing keys, signatures, shares and the
inter-agency message log."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cityhall.core.models import GENESIS_HASH, PublicModel, TimeStampedModel
from cityhall.core.personal_data import LegalBasis
from cityhall.documents.contracts import Classification, ExchangeStatus


class Document(PublicModel):
    """A registered document owned by one department; its content lives in its versions."""

    class Disposal(models.TextChoices):
        KEEP = "", _("Kept")
        MARKED = "marked", _("Past retention: marked for disposal")

    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=300)
    classification = models.CharField(_("classification"), max_length=20, choices=Classification.choices)
    # The resident a personal-data document is about: reads are logged for them to see.
    subject = models.ForeignKey(
        "accounts.User",
        verbose_name=_("about resident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    registered_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    current_version = models.PositiveIntegerField(_("current version"), default=1)
    retention_years = models.PositiveSmallIntegerField(_("retention (years)"), null=True, blank=True)
    retain_until = models.DateField(_("keep until"), null=True, blank=True)
    disposal = models.CharField(
        _("disposal"), max_length=10, choices=Disposal.choices, default="", blank=True
    )
    disposal_marked_at = models.DateTimeField(_("marked for disposal at"), null=True, blank=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["classification", "-created_at"], name="document_class_idx")]

    def __str__(self) -> str:
        return self.title


def version_path(instance: DocumentVersion, filename: str) -> str:
    """Server-generated and content-addressed: the uploaded name never reaches the file system."""
    return f"documents/{instance.sha256[:2]}/{instance.sha256}"


class DocumentVersion(PublicModel):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    file_name = models.CharField(_("file name"), max_length=200)
    media_type = models.CharField(_("media type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    file = models.FileField(_("file"), upload_to=version_path, max_length=200)
    uploaded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="document_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.number}"


class SigningKey(PublicModel):
    """An Ed25519 key of one official or one department. The private half is encrypted at rest;
    a rotated or revoked key stays, so old signatures can be checked against its validity period."""

    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_name = models.CharField(_("owner"), max_length=200)
    public_key = models.CharField(_("public key (base64, raw 32 bytes)"), max_length=64)
    fingerprint = models.CharField(
        _("fingerprint (SHA-256 of the raw public key)"), max_length=64, unique=True
    )
    encrypted_private_key = models.TextField(_("encrypted private key"))
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revocation_reason = models.CharField(_("revocation reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(department__isnull=True))
                | (Q(user__isnull=True) & Q(department__isnull=False)),
                name="signing_key_one_owner",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(user__isnull=False, valid_until__isnull=True, revoked_at__isnull=True),
                name="signing_key_one_active_per_user",
            ),
            models.UniqueConstraint(
                fields=["department"],
                condition=Q(department__isnull=False, valid_until__isnull=True, revoked_at__isnull=True),
                name="signing_key_one_active_per_department",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner_name} {self.fingerprint[:16]}"

    @property
    def active(self) -> bool:
        return self.valid_until is None and self.revoked_at is None


class ChainHead(models.Model):
    """The head of one hash chain (the signature log, the exchange message log); writers lock it."""

    name = models.CharField(max_length=40, primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("log head")
        verbose_name_plural = _("log heads")

    def __str__(self) -> str:
        return f"{self.name} #{self.seq}"


class Signature(PublicModel):
    """A detached Ed25519 signature over a canonical statement, chained in the signature log."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="signatures")
    key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="signatures")
    signer = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed at"))
    statement = models.TextField(_("signed statement (canonical JSON)"))
    signature = models.CharField(_("signature (base64)"), max_length=100)
    seq = models.PositiveBigIntegerField(_("log position"), unique=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"signature #{self.seq}"


class Share(PublicModel):
    """A link to a document for another agency or a resident: expires, names who may open it."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="shares")
    token_sha256 = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires at"))
    anyone_with_link = models.BooleanField(_("anyone with the link"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("share")
        verbose_name_plural = _("shares")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"share of {self.document_id}"


class ShareRecipient(TimeStampedModel):
    """One entry of a share's access list: a person (by email) or a whole department."""

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="recipients")
    email = models.EmailField(_("email"), blank=True)
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("share recipient")
        verbose_name_plural = _("share recipients")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(~Q(email="") & Q(department__isnull=True))
                | (Q(email="") & Q(department__isnull=False)),
                name="share_recipient_one_kind",
            )
        ]

    def __str__(self) -> str:
        return self.email or str(self.department_id)


class ShareAccess(TimeStampedModel):
    """Every use of a share link, granted or refused."""

    class Result(models.TextChoices):
        GRANTED = "granted", _("Opened")
        DOWNLOADED = "downloaded", _("Downloaded")
        EXPIRED = "expired", _("Refused: the link had expired")
        WITHDRAWN = "withdrawn", _("Refused: the link was withdrawn")
        NOT_SIGNED_IN = "not_signed_in", _("Refused: not signed in")
        NOT_ON_LIST = "not_on_list", _("Refused: not on the access list")

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="accesses")
    at = models.DateTimeField(_("at"))
    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    result = models.CharField(_("result"), max_length=20, choices=Result.choices)

    class Meta:
        verbose_name = _("share access")
        verbose_name_plural = _("share accesses")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.result} {self.at:%Y-%m-%d %H:%M}"


class ExchangeRequest(PublicModel):
    """One department or agency asks another for a resident's data, with purpose and legal basis."""

    from_department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("from")
    )
    to_department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("to")
    )
    subject = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("resident")
    )
    purpose = models.CharField(_("purpose"), max_length=500)
    legal_basis = models.CharField(_("legal basis"), max_length=20, choices=LegalBasis.choices)
    legal_reference = models.CharField(_("law or regulation"), max_length=300, blank=True)
    data_items = models.JSONField(_("data asked for"), default=list)
    case_reference = models.CharField(_("case reference"), max_length=100, blank=True)
    requested_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"))
    status = models.CharField(
        _("status"), max_length=20, choices=ExchangeStatus.choices, default=ExchangeStatus.PENDING
    )

    class Meta:
        verbose_name = _("exchange request")
        verbose_name_plural = _("exchange requests")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_department=models.F("to_department")),
                name="exchange_between_two_departments",
            ),
            models.CheckConstraint(condition=~Q(purpose=""), name="exchange_purpose_required"),
            models.CheckConstraint(condition=~Q(legal_basis=""), name="exchange_legal_basis_required"),
        ]

    def __str__(self) -> str:
        return f"{self.from_department_id} → {self.to_department_id}"


class ExchangeResponse(PublicModel):
    request = models.OneToOneField(ExchangeRequest, on_delete=models.PROTECT, related_name="response")
    provided = models.BooleanField(_("data provided"))
    data = models.JSONField(_("data"), default=dict, blank=True)
    refusal_reason = models.CharField(_("reason for refusing"), max_length=500, blank=True)
    answered_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"))

    class Meta:
        verbose_name = _("exchange response")
        verbose_name_plural = _("exchange responses")
        ordering = ["-answered_at"]

    def __str__(self) -> str:
        return f"answer to {self.request_id}"


class MessageLogEntry(models.Model):
    """The X-Road-style message log: each signed request and response, hash-chained."""

    class Kind(models.TextChoices):
        REQUEST = "request", _("Request")
        RESPONSE = "response", _("Response")

    seq = models.PositiveBigIntegerField(primary_key=True)
    at = models.DateTimeField(_("at"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    request = models.ForeignKey(ExchangeRequest, on_delete=models.PROTECT, related_name="log_entries")
    key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("signed envelope (canonical JSON)"))
    signature = models.CharField(_("signature (base64)"), max_length=100)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("message log entry")
        verbose_name_plural = _("message log")
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"message #{self.seq}"
