"""What other apps may know about documents: vocabularies and frozen records."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Classification(models.TextChoices):
    """Who may read a document. Public: anyone; internal: city staff; restricted: the owning
    department and the people a share names; personal data: the owning department, every read logged."""

    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")
    RESTRICTED = "restricted", _("Restricted")
    PERSONAL_DATA = "personal_data", _("Personal data")


class VerificationStatus(models.TextChoices):
    GENUINE = "genuine", _("Genuine")
    NOT_FOUND = "not_found", _("Not registered")
    MISMATCH = "mismatch", _("Does not match")
    UNSIGNED = "unsigned", _("Registered but not signed")
    INVALID = "invalid", _("Signature not valid")


class ExchangeStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    PROVIDED = "provided", _("Data provided")
    REFUSED = "refused", _("Refused")


@dataclass(frozen=True, slots=True)
class DocumentRef:
    id: uuid.UUID
    title: str
    version: int
    sha256: str
    classification: Classification
    url: str
    verify_url: str
    signed: bool


@dataclass(frozen=True, slots=True)
class SignatureRef:
    id: uuid.UUID
    document_id: uuid.UUID
    version: int
    sha256: str
    signer: str
    key_fingerprint: str
    signed_at: dt.datetime
    signature_url: str


@dataclass(frozen=True, slots=True)
class ExchangeRecord:
    """One inter-agency exchange about a resident, as the resident's privacy centre shows it."""

    id: uuid.UUID
    requested_at: dt.datetime
    from_department: str
    to_department: str
    purpose: str
    legal_basis: str
    legal_basis_label: str
    data_items: tuple[str, ...]
    case_reference: str
    status: ExchangeStatus
    answered_at: dt.datetime | None
