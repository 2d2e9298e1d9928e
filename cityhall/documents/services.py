"""Writes: registering and versioning documents, signing keys and signatures, shares, retention,
and the inter-agency exchange. Each function checks permission, writes in one transaction and
records the audit row in that same transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.accounts.contracts import AccessChannel, Permission, PersonalDataAccess
from cityhall.accounts.facade import (
    audit_actor,
    departments,
    departments_with_permission,
    personal_data_accessed,
)
from cityhall.core.audit import audit_record
from cityhall.core.canonical import canonical_json, rfc3339_utc
from cityhall.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from cityhall.core.personal_data import LegalBasis
from cityhall.documents import crypto, rules
from cityhall.documents.contracts import Classification, ExchangeStatus
from cityhall.documents.models import (
    ChainHead,
    Document,
    DocumentVersion,
    ExchangeRequest,
    ExchangeResponse,
    MessageLogEntry,
    Share,
    ShareAccess,
    ShareRecipient,
    Signature,
    SigningKey,
)

MAX_DOCUMENT_BYTES = 15 * 1024 * 1024
MAX_RETENTION_YEARS = 100
MAX_SHARE_DAYS = 365
SIGNATURE_LOG = "signatures"
MESSAGE_LOG = "exchange"
STATEMENT_TYPE = "cityhall.document-signature/1"
REQUEST_TYPE = "cityhall.exchange-request/1"
RESPONSE_TYPE = "cityhall.exchange-response/1"

# Media types the registry accepts, with the first bytes a file of that type starts with (ASVS 5.2.2).
_TEXT = None
MEDIA_TYPES: dict[str, tuple[bytes, ...] | None] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "application/vnd.oasis.opendocument.text": (b"PK\x03\x04",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (b"PK\x03\x04",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (b"PK\x03\x04",),
    "text/plain": _TEXT,
    "text/csv": _TEXT,
    "text/markdown": _TEXT,
    "application/json": _TEXT,
    "application/xml": _TEXT,
}


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDeniedError(message)


def _user_or_none(user: Any | None) -> Any | None:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def department_names() -> dict[uuid.UUID, str]:
    return {department.id: department.name for department in departments()}


def _department_name(department_id: uuid.UUID) -> str:
    name = department_names().get(department_id)
    if name is None:
        raise ServiceError(
            _("There is no such department; choose one from the list."), code="unknown_department"
        )
    return name


# --- Hash chains ----------------------------------------------------------------------------


def _chain_append(name: str, entry: bytes) -> tuple[int, str, str]:
    """Lock the chain head and return (seq, prev_hash, hash) for the next entry."""
    head, _created = ChainHead.objects.select_for_update().get_or_create(name=name)
    seq = head.seq + 1
    prev_hash = head.hash
    entry_hash = crypto.chain_hash(prev_hash, entry)
    head.seq = seq
    head.hash = entry_hash
    head.save(update_fields=["seq", "hash"])
    return seq, prev_hash, entry_hash


def signature_chain_entry(statement: str, signature: str, fingerprint: str) -> bytes:
    return canonical_json({"statement": statement, "signature": signature, "key": fingerprint})


def message_chain_entry(seq: int, kind: str, body: str, signature: str, fingerprint: str) -> bytes:
    return canonical_json(
        {"seq": seq, "kind": kind, "body": body, "signature": signature, "key": fingerprint}
    )


# --- Content checks -------------------------------------------------------------------------


def clean_file_name(file_name: str) -> str:
    """Only the last path part, without control characters, at most 200 characters."""
    name = PurePosixPath(file_name.replace("\\", "/")).name
    name = re.sub(r"[\x00-\x1f\x7f\"]", "", name).strip()
    if not name or name in {".", ".."}:
        raise ServiceError(_("The file needs a name, such as report.pdf."), code="file_name_required")
    return name[-200:]


def _check_content(content: bytes, media_type: str) -> None:
    if not content:
        raise ServiceError(_("The file is empty; choose the file to register."), code="empty_file")
    if len(content) > MAX_DOCUMENT_BYTES:
        raise ServiceError(
            _("The file is larger than %(mb)s MB; split it or compress it.")
            % {"mb": MAX_DOCUMENT_BYTES // 2**20},
            code="file_too_large",
        )
    if media_type not in MEDIA_TYPES:
        raise ServiceError(
            _("Files of type %(type)s are not accepted; use PDF, an office document, an image or plain text.")
            % {"type": media_type or "?"},
            code="unsupported_media_type",
        )
    magic = MEDIA_TYPES[media_type]
    if magic is None:
        if b"\x00" in content[:8192]:
            raise ServiceError(
                _("The file says it is text (%(type)s) but holds binary data.") % {"type": media_type},
                code="content_mismatch",
            )
    elif not content.startswith(magic):
        raise ServiceError(
            _("The file's content is not %(type)s; check that you chose the right file.")
            % {"type": media_type},
            code="content_mismatch",
        )


def _store_version(
    *, document: Document, number: int, file_name: str, content: bytes, media_type: str, actor: Any | None
) -> DocumentVersion:
    _check_content(content, media_type)
    sha256 = crypto.sha256_hex(content)
    version = DocumentVersion(
        document=document,
        number=number,
        file_name=clean_file_name(file_name),
        media_type=media_type,
        size=len(content),
        sha256=sha256,
        uploaded_by=_user_or_none(actor),
    )
    path = f"documents/{sha256[:2]}/{sha256}"
    if not default_storage.exists(path):
        path = default_storage.save(path, ContentFile(content))
    version.file.name = path
    version.save(force_insert=True)
    return version


# --- Documents ------------------------------------------------------------------------------


def _retain_until(registered: dt.datetime, years: int | None) -> dt.date | None:
    if years is None:
        return None
    day = registered.date()
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def document_register(
    *,
    actor: Any | None,
    department_id: uuid.UUID,
    title: str,
    file_name: str,
    content: bytes,
    media_type: str,
    classification: str,
    retention_years: int | None = None,
    subject_id: uuid.UUID | None = None,
) -> Document:
    department_name = _department_name(department_id)
    if actor is not None:
        _require(
            rules.can_sign_for(actor, department_id),
            _("Only %(department)s's document handlers may register its documents.")
            % {"department": department_name},
        )
    title = title.strip()
    if not title:
        raise ServiceError(_("Give the document a title."), code="title_required")
    if classification not in Classification.values:
        raise ServiceError(
            _("Choose a classification: public, internal, restricted or personal data."),
            code="invalid_classification",
        )
    if retention_years is not None and not 0 <= retention_years <= MAX_RETENTION_YEARS:
        raise ServiceError(
            _("The retention period must be between 0 and %(max)s years.") % {"max": MAX_RETENTION_YEARS},
            code="invalid_retention",
        )
    if subject_id is not None and classification != Classification.PERSONAL_DATA:
        raise ServiceError(
            _("Only a document classified as personal data can name the resident it is about."),
            code="subject_needs_personal_data",
        )
    if subject_id is not None and not get_user_model().objects.filter(pk=subject_id).exists():
        raise ServiceError(_("There is no resident with this account."), code="unknown_resident")
    now = timezone.now()
    document = Document.objects.create(
        department_id=department_id,
        title=title[:300],
        classification=classification,
        subject_id=subject_id,
        registered_by=_user_or_none(actor),
        current_version=1,
        retention_years=retention_years,
        retain_until=_retain_until(now, retention_years),
        created_at=now,
    )
    version = _store_version(
        document=document, number=1, file_name=file_name, content=content, media_type=media_type, actor=actor
    )
    audit_record(
        actor=audit_actor(actor),
        action="document.register",
        object_type="document",
        object_id=str(document.pk),
        data={"classification": classification, "sha256": version.sha256, "department": str(department_id)},
    )
    return document


def _document(document_id: uuid.UUID, *, lock: bool = False) -> Document:
    queryset = Document.objects.select_related("department")
    if lock:
        queryset = queryset.select_for_update()
    document = queryset.filter(pk=document_id).first()
    if document is None:
        raise NotFoundError(_("There is no document with this identifier."))
    return document


@transaction.atomic
def document_add_version(
    *, actor: Any | None, document_id: uuid.UUID, file_name: str, content: bytes, media_type: str
) -> Document:
    document = _document(document_id, lock=True)
    if actor is not None:
        _require(
            rules.can_sign_for(actor, document.department_id),
            _("Only the owning department's document handlers may add a version."),
        )
    if document.disposal:
        raise ServiceError(
            _("This document is marked for disposal; it takes no new versions."), code="disposed"
        )
    number = document.current_version + 1
    version = _store_version(
        document=document,
        number=number,
        file_name=file_name,
        content=content,
        media_type=media_type,
        actor=actor,
    )
    document.current_version = number
    document.save(update_fields=["current_version", "updated_at"])
    audit_record(
        actor=audit_actor(actor),
        action="document.version",
        object_type="document",
        object_id=str(document.pk),
        data={"version": number, "sha256": version.sha256},
    )
    return document


# --- Keys -----------------------------------------------------------------------------------


def _new_key(
    *, user: Any | None = None, department_id: uuid.UUID | None = None, owner_name: str
) -> SigningKey:
    pair = crypto.generate_key_pair()
    key = SigningKey(
        user=user,
        department_id=department_id,
        owner_name=owner_name[:200],
        public_key=pair.public_key_b64,
        fingerprint=pair.fingerprint,
        valid_from=timezone.now(),
    )
    key.encrypted_private_key = crypto.encrypt_private_key(pair.private_key, key_id=str(key.pk))
    key.save(force_insert=True)
    audit_record(
        actor=audit_actor(user, system="documents"),
        action="signing_key.create",
        object_type="signing_key",
        object_id=str(key.pk),
        data={"fingerprint": key.fingerprint, "owner": owner_name},
    )
    return key


def user_key(user: Any) -> SigningKey:
    """The official's active key, created on first use."""
    key = SigningKey.objects.filter(user=user, valid_until__isnull=True, revoked_at__isnull=True).first()
    return key or _new_key(user=user, owner_name=user.get_full_name())


def department_key(department_id: uuid.UUID) -> SigningKey:
    """The department's seal key, created on first use."""
    key = SigningKey.objects.filter(
        department_id=department_id, valid_until__isnull=True, revoked_at__isnull=True
    ).first()
    return key or _new_key(department_id=department_id, owner_name=_department_name(department_id))


def _may_manage_key(actor: Any | None, key: SigningKey) -> bool:
    if actor is None or rules.can_manage_keys_of_anyone(actor):
        return True
    if key.user_id is not None:
        return bool(key.user_id == actor.pk)
    return key.department_id is not None and rules.can_sign_for(actor, key.department_id)


@transaction.atomic
def signing_key_rotate(*, actor: Any | None, key_id: uuid.UUID) -> SigningKey:
    """End the key's validity now and issue its successor; the old public key stays in the history."""
    key = SigningKey.objects.select_for_update().filter(pk=key_id).first()
    if key is None:
        raise NotFoundError(_("There is no signing key with this identifier."))
    _require(_may_manage_key(actor, key), _("You may rotate only your own key or your department's key."))
    if not key.active:
        raise ServiceError(
            _("This key is no longer in use; rotate the current key instead."), code="key_not_active"
        )
    key.valid_until = timezone.now()
    key.save(update_fields=["valid_until", "updated_at"])
    audit_record(
        actor=audit_actor(actor, system="documents"),
        action="signing_key.rotate",
        object_type="signing_key",
        object_id=str(key.pk),
        data={"fingerprint": key.fingerprint},
    )
    if key.user_id is not None:
        return _new_key(user=key.user, owner_name=key.owner_name)
    assert key.department_id is not None
    return _new_key(department_id=key.department_id, owner_name=key.owner_name)


@transaction.atomic
def signing_key_revoke(*, actor: Any | None, key_id: uuid.UUID, reason: str) -> SigningKey:
    """Withdraw a key at once (compromise, departure): signatures made from now on are not valid."""
    key = SigningKey.objects.select_for_update().filter(pk=key_id).first()
    if key is None:
        raise NotFoundError(_("There is no signing key with this identifier."))
    _require(_may_manage_key(actor, key), _("You may revoke only your own key or your department's key."))
    reason = reason.strip()
    if not reason:
        raise ServiceError(
            _("Say why the key is revoked, for example “laptop lost”."), code="reason_required"
        )
    if key.revoked_at is not None:
        raise ServiceError(_("This key is already revoked."), code="already_revoked")
    key.revoked_at = timezone.now()
    key.revocation_reason = reason[:300]
    key.save(update_fields=["revoked_at", "revocation_reason", "updated_at"])
    audit_record(
        actor=audit_actor(actor, system="documents"),
        action="signing_key.revoke",
        object_type="signing_key",
        object_id=str(key.pk),
        data={"fingerprint": key.fingerprint, "reason": key.revocation_reason},
    )
    return key


# --- Signatures -----------------------------------------------------------------------------


def signature_statement(
    *, version: DocumentVersion, key: SigningKey, signer_user: Any | None, signed_at: dt.datetime
) -> dict[str, Any]:
    document = version.document
    if key.user_id is not None:
        signer = {"kind": "official", "id": f"user:{key.user_id}", "name": key.owner_name}
    else:
        signer = {"kind": "department", "id": f"department:{key.department_id}", "name": key.owner_name}
    return {
        "type": STATEMENT_TYPE,
        "document_id": str(document.pk),
        "version": version.number,
        "sha256": version.sha256,
        "size": version.size,
        "signer": signer,
        "department": {"id": str(document.department_id), "name": document.department.name},
        "key_id": str(key.pk),
        "key_fingerprint": key.fingerprint,
        "signed_at": rfc3339_utc(signed_at),
    }


def signature_record(
    *, version: DocumentVersion, key: SigningKey, signer: Any | None, signed_at: dt.datetime, private_key: Any
) -> Signature:
    """Sign and append to the signature log (used by document_sign; tests use it to forge history)."""
    statement = canonical_json(
        signature_statement(version=version, key=key, signer_user=signer, signed_at=signed_at)
    ).decode("utf-8")
    signature = crypto.sign(private_key, statement.encode("utf-8"))
    seq, prev_hash, entry_hash = _chain_append(
        SIGNATURE_LOG, signature_chain_entry(statement, signature, key.fingerprint)
    )
    return Signature.objects.create(
        version=version,
        key=key,
        signer=signer,
        signed_at=signed_at,
        statement=statement,
        signature=signature,
        seq=seq,
        prev_hash=prev_hash,
        hash=entry_hash,
    )


@transaction.atomic
def document_sign(*, actor: Any | None, document_id: uuid.UUID, as_department: bool = False) -> Signature:
    """Sign the current version: with the official's own key, or with the department's seal
    (always the seal when the platform itself signs). Signing the same version twice with the same
    key returns the first signature."""
    document = _document(document_id, lock=True)
    signer = _user_or_none(actor)
    if actor is not None:
        _require(
            rules.can_sign_for(actor, document.department_id),
            _("Only the owning department's document handlers may sign its documents."),
        )
    if document.disposal:
        raise ServiceError(_("This document is marked for disposal; it cannot be signed."), code="disposed")
    version = document.versions.get(number=document.current_version)
    key = department_key(document.department_id) if as_department or signer is None else user_key(signer)
    existing = Signature.objects.filter(version=version, key=key).first()
    if existing is not None:
        return existing
    try:
        private_key = crypto.decrypt_private_key(key.encrypted_private_key, key_id=str(key.pk))
    except crypto.KeyDecryptionError as error:
        raise ServiceError(
            _(
                "The signing key cannot be opened with the configured key-encryption secret. "
                "Ask an administrator to restore the secret, or rotate the key."
            ),
            code="key_unavailable",
            status=503,
        ) from error
    signature = signature_record(
        version=version, key=key, signer=signer, signed_at=timezone.now(), private_key=private_key
    )
    audit_record(
        actor=audit_actor(actor, system="documents"),
        action="document.sign",
        object_type="document",
        object_id=str(document.pk),
        data={
            "version": version.number,
            "sha256": version.sha256,
            "key": key.fingerprint,
            "seq": signature.seq,
        },
    )
    return signature


# --- Reads that must be logged --------------------------------------------------------------


def document_read(
    *, actor: Any | None, document: Document, channel: AccessChannel = AccessChannel.STAFF_UI, via: str = ""
) -> None:
    """Log a read of a personal-data document for the resident it is about (and in the audit log)."""
    if document.classification != Classification.PERSONAL_DATA:
        return
    accessor: Any = actor if _user_or_none(actor) is not None else f"share link ({via or 'anonymous'})"
    if document.subject_id is not None:
        personal_data_accessed(
            accessor=accessor,
            department=document.department.name,
            access=PersonalDataAccess(
                resident_ids=(document.subject_id,),
                data_category="document",
                purpose=_("reading the document “%(title)s”") % {"title": document.title},
                channel=channel,
                case_reference=str(document.pk),
            ),
        )
    else:
        audit_record(
            actor=audit_actor(_user_or_none(actor), system="documents"),
            action="document.read_personal_data",
            object_type="document",
            object_id=str(document.pk),
            data={"via": via},
        )


# --- Sharing --------------------------------------------------------------------------------


def share_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class NewShare:
    share: Share
    token: str  # shown once; only its SHA-256 is stored


@transaction.atomic
def share_create(
    *,
    actor: Any | None,
    document_id: uuid.UUID,
    days: int,
    emails: list[str] | None = None,
    department_ids: list[uuid.UUID] | None = None,
    anyone_with_link: bool = False,
    note: str = "",
) -> NewShare:
    document = _document(document_id)
    if actor is not None:
        _require(
            rules.can_sign_for(actor, document.department_id),
            _("Only the owning department's document handlers may share its documents."),
        )
    if not 1 <= days <= MAX_SHARE_DAYS:
        raise ServiceError(
            _("A share lasts from 1 to %(max)s days.") % {"max": MAX_SHARE_DAYS}, code="invalid_expiry"
        )
    clean_emails = []
    for email in emails or []:
        email = email.strip().lower()
        if not email:
            continue
        try:
            validate_email(email)
        except ValidationError as error:
            raise ServiceError(
                _("“%(email)s” is not an email address.") % {"email": email}, code="invalid_email"
            ) from error
        clean_emails.append(email)
    known = department_names()
    for department_id in department_ids or []:
        if department_id not in known:
            raise ServiceError(
                _("There is no such department; choose one from the list."), code="unknown_department"
            )
    if anyone_with_link and document.classification in (
        Classification.RESTRICTED,
        Classification.PERSONAL_DATA,
    ):
        raise ServiceError(
            _("A restricted or personal-data document can only be shared with named people or departments."),
            code="needs_access_list",
        )
    if not anyone_with_link and not clean_emails and not department_ids:
        raise ServiceError(
            _("Name who may open the link (emails or departments), or make it open to anyone with the link."),
            code="needs_access_list",
        )
    token = secrets.token_urlsafe(32)
    share = Share.objects.create(
        document=document,
        token_sha256=share_token_hash(token),
        expires_at=timezone.now() + dt.timedelta(days=days),
        anyone_with_link=anyone_with_link,
        note=note.strip()[:300],
        created_by=_user_or_none(actor),
    )
    ShareRecipient.objects.bulk_create(
        [ShareRecipient(share=share, email=email) for email in dict.fromkeys(clean_emails)]
        + [ShareRecipient(share=share, department_id=d) for d in dict.fromkeys(department_ids or [])]
    )
    audit_record(
        actor=audit_actor(actor, system="documents"),
        action="document.share",
        object_type="document",
        object_id=str(document.pk),
        data={
            "share": str(share.pk),
            "expires_at": rfc3339_utc(share.expires_at),
            "recipients": len(clean_emails) + len(department_ids or []),
            "anyone_with_link": anyone_with_link,
        },
    )
    return NewShare(share=share, token=token)


@transaction.atomic
def share_revoke(*, actor: Any | None, share_id: uuid.UUID) -> Share:
    share = Share.objects.select_related("document").filter(pk=share_id).first()
    if share is None:
        raise NotFoundError(_("There is no share with this identifier."))
    if actor is not None:
        _require(
            rules.can_sign_for(actor, share.document.department_id),
            _("Only the owning department's document handlers may withdraw its shares."),
        )
    if share.revoked_at is None:
        share.revoked_at = timezone.now()
        share.save(update_fields=["revoked_at", "updated_at"])
        audit_record(
            actor=audit_actor(actor, system="documents"),
            action="document.share_revoke",
            object_type="document",
            object_id=str(share.document_id),
            data={"share": str(share.pk)},
        )
    return share


@dataclass(frozen=True, slots=True)
class ShareOutcome:
    share: Share | None
    result: str  # a ShareAccess.Result, or "unknown"
    message: str

    @property
    def granted(self) -> bool:
        return self.result in (ShareAccess.Result.GRANTED, ShareAccess.Result.DOWNLOADED)


def _on_access_list(user: Any, share: Share) -> bool:
    recipients = list(share.recipients.all())
    email = (getattr(user, "email", "") or "").lower()
    if any(r.email and r.email == email for r in recipients):
        return True
    department_ids = {r.department_id for r in recipients if r.department_id}
    if not department_ids:
        return False
    return bool(department_ids & departments_with_permission(user, Permission.ACCESS_STAFF_AREA))


@transaction.atomic
def share_open(*, token: str, user: Any | None, download: bool = False) -> ShareOutcome:
    """Open a share link. Every attempt, granted or refused, is logged with who and when."""
    share = (
        Share.objects.select_related("document", "document__department")
        .filter(token_sha256=share_token_hash(token))
        .first()
    )
    if share is None:
        return ShareOutcome(
            None, "unknown", _("This share link does not exist. Check that you copied all of it.")
        )
    now = timezone.now()
    viewer = _user_or_none(user)
    if share.revoked_at is not None:
        result, message = (
            ShareAccess.Result.WITHDRAWN,
            _("This share link was withdrawn on %(date)s. Ask the sender for a new one.")
            % {"date": f"{share.revoked_at:%Y-%m-%d}"},
        )
    elif share.expires_at <= now:
        result, message = (
            ShareAccess.Result.EXPIRED,
            _("This share link expired on %(date)s. Ask the sender for a new one.")
            % {"date": f"{share.expires_at:%Y-%m-%d %H:%M} UTC"},
        )
    elif share.anyone_with_link:
        result, message = ShareAccess.Result.GRANTED, ""
    elif viewer is None:
        result, message = (
            ShareAccess.Result.NOT_SIGNED_IN,
            _("This document is shared with named people only. Sign in to open it."),
        )
    elif _on_access_list(viewer, share):
        result, message = ShareAccess.Result.GRANTED, ""
    else:
        result, message = (
            ShareAccess.Result.NOT_ON_LIST,
            _(
                "Your account is not on this share's access list, so the document is not shown. "
                "This attempt was logged."
            ),
        )
    if result == ShareAccess.Result.GRANTED and download:
        result = ShareAccess.Result.DOWNLOADED
    ShareAccess.objects.create(share=share, at=now, user=viewer, result=result)
    if result not in (ShareAccess.Result.GRANTED, ShareAccess.Result.DOWNLOADED):
        audit_record(
            actor=audit_actor(viewer, system="share-link"),
            action="document.share_refused",
            object_type="document",
            object_id=str(share.document_id),
            data={"share": str(share.pk), "result": str(result)},
        )
    else:
        document_read(actor=viewer, document=share.document, via=f"share {share.pk}")
    return ShareOutcome(share, str(result), message)


# --- Retention ------------------------------------------------------------------------------


@transaction.atomic
def documents_mark_for_disposal(now: dt.datetime | None = None) -> int:
    """Mark documents past their retention period for disposal by the records officer (audited).
    Nothing is deleted here: disposal of public records is a decision, not a cron job."""
    now = now or timezone.now()
    due = list(
        Document.objects.select_for_update()
        .filter(retain_until__lt=now.date(), disposal=Document.Disposal.KEEP)
        .values_list("pk", flat=True)
    )
    if not due:
        return 0
    Document.objects.filter(pk__in=due).update(
        disposal=Document.Disposal.MARKED, disposal_marked_at=now, updated_at=now
    )
    audit_record(
        actor=audit_actor(None, system="retention"),
        action="document.mark_for_disposal",
        object_type="document",
        data={"documents": [str(pk) for pk in due]},
    )
    return len(due)


# --- Inter-agency exchange ------------------------------------------------------------------


def request_envelope(request: ExchangeRequest, fingerprint: str) -> dict[str, Any]:
    return {
        "type": REQUEST_TYPE,
        "id": str(request.pk),
        "from": str(request.from_department_id),
        "to": str(request.to_department_id),
        "subject": f"user:{request.subject_id}",
        "purpose": request.purpose,
        "legal_basis": request.legal_basis,
        "legal_reference": request.legal_reference,
        "data_items": list(request.data_items),
        "case_reference": request.case_reference,
        "requested_by": f"user:{request.requested_by_id}" if request.requested_by_id else "system",
        "requested_at": rfc3339_utc(request.requested_at),
        "key_fingerprint": fingerprint,
    }


def response_envelope(response: ExchangeResponse, request_body: str, fingerprint: str) -> dict[str, Any]:
    return {
        "type": RESPONSE_TYPE,
        "id": str(response.pk),
        "request_id": str(response.request_id),
        "request_sha256": crypto.sha256_hex(request_body.encode("utf-8")),
        "provided": response.provided,
        "data_sha256": crypto.sha256_hex(canonical_json(response.data)),
        "refusal_reason": response.refusal_reason,
        "answered_by": f"user:{response.answered_by_id}" if response.answered_by_id else "system",
        "answered_at": rfc3339_utc(response.answered_at),
        "key_fingerprint": fingerprint,
    }


def _log_message(
    *, kind: str, request: ExchangeRequest, key: SigningKey, body: dict[str, Any]
) -> MessageLogEntry:
    text = canonical_json(body).decode("utf-8")
    private_key = crypto.decrypt_private_key(key.encrypted_private_key, key_id=str(key.pk))
    signature = crypto.sign(private_key, text.encode("utf-8"))
    head, _created = ChainHead.objects.select_for_update().get_or_create(name=MESSAGE_LOG)
    seq = head.seq + 1
    entry_hash = crypto.chain_hash(
        head.hash, message_chain_entry(seq, kind, text, signature, key.fingerprint)
    )
    entry = MessageLogEntry.objects.create(
        seq=seq,
        at=timezone.now(),
        kind=kind,
        request=request,
        key=key,
        body=text,
        signature=signature,
        prev_hash=head.hash,
        hash=entry_hash,
    )
    head.seq = seq
    head.hash = entry_hash
    head.save(update_fields=["seq", "hash"])
    return entry


@transaction.atomic
def exchange_request_create(
    *,
    actor: Any | None,
    from_department_id: uuid.UUID,
    to_department_id: uuid.UUID,
    subject_id: uuid.UUID,
    purpose: str,
    legal_basis: str,
    data_items: list[str],
    legal_reference: str = "",
    case_reference: str = "",
) -> ExchangeRequest:
    """Ask another department or agency for a resident's data. Purpose and legal basis are required
    (GDPR Art. 5(1)(b), 6(1)); the request is signed with the asking department's key and logged."""
    from_name = _department_name(from_department_id)
    _department_name(to_department_id)
    if actor is not None:
        _require(
            rules.can_exchange_for(actor, from_department_id),
            _("Only %(department)s's staff who exchange personal data may ask on its behalf.")
            % {"department": from_name},
        )
    purpose = purpose.strip()
    if not purpose:
        raise ServiceError(
            _("State the purpose: why the data is needed (for example “assessing a housing benefit claim”)."),
            code="purpose_required",
        )
    if legal_basis not in LegalBasis.values:
        raise ServiceError(
            _("Name the legal basis (GDPR Art. 6(1)) on which the data is asked for."),
            code="legal_basis_required",
        )
    if from_department_id == to_department_id:
        raise ServiceError(_("Ask another department, not your own."), code="same_department")
    items = [item.strip() for item in data_items if item.strip()]
    if not items:
        raise ServiceError(_("Say which data you ask for."), code="data_items_required")
    if not get_user_model().objects.filter(pk=subject_id).exists():
        raise ServiceError(_("There is no resident with this account."), code="unknown_resident")
    request = ExchangeRequest.objects.create(
        from_department_id=from_department_id,
        to_department_id=to_department_id,
        subject_id=subject_id,
        purpose=purpose[:500],
        legal_basis=legal_basis,
        legal_reference=legal_reference.strip()[:300],
        data_items=items,
        case_reference=case_reference.strip()[:100],
        requested_by=_user_or_none(actor),
        requested_at=timezone.now(),
    )
    key = department_key(from_department_id)
    entry = _log_message(
        kind=MessageLogEntry.Kind.REQUEST,
        request=request,
        key=key,
        body=request_envelope(request, key.fingerprint),
    )
    audit_record(
        actor=audit_actor(actor, system="exchange"),
        action="exchange.request",
        object_type="exchange_request",
        object_id=str(request.pk),
        data={"to": str(to_department_id), "legal_basis": legal_basis, "message": entry.seq},
        purpose=purpose[:200],
    )
    return request


@transaction.atomic
def exchange_answer(
    *,
    actor: Any | None,
    request_id: uuid.UUID,
    provide: bool,
    data: dict[str, str] | None = None,
    refusal_reason: str = "",
) -> ExchangeResponse:
    """Answer a request: provide the data asked for, or refuse with a reason. Signed and logged;
    a provided answer shows in the resident's list of who used their data."""
    request = (
        ExchangeRequest.objects.select_for_update()
        .select_related("from_department", "to_department")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise NotFoundError(_("There is no exchange request with this identifier."))
    if actor is not None:
        _require(
            rules.can_exchange_for(actor, request.to_department_id),
            _("Only the asked department's staff who exchange personal data may answer."),
        )
    if request.status != ExchangeStatus.PENDING:
        raise ServiceError(_("This request has already been answered."), code="already_answered", status=409)
    values = {str(k): str(v).strip() for k, v in (data or {}).items() if str(v).strip()}
    refusal_reason = refusal_reason.strip()
    if provide:
        missing = [item for item in request.data_items if item not in values]
        if missing:
            raise ServiceError(
                _("Give a value for each item asked for; missing: %(items)s.")
                % {"items": ", ".join(missing)},
                code="data_missing",
            )
        values = {item: values[item] for item in request.data_items}
    elif not refusal_reason:
        raise ServiceError(_("Say why the request is refused."), code="reason_required")
    response = ExchangeResponse.objects.create(
        request=request,
        provided=provide,
        data=values if provide else {},
        refusal_reason="" if provide else refusal_reason[:500],
        answered_by=_user_or_none(actor),
        answered_at=timezone.now(),
    )
    request.status = ExchangeStatus.PROVIDED if provide else ExchangeStatus.REFUSED
    request.save(update_fields=["status", "updated_at"])
    request_entry = request.log_entries.get(kind=MessageLogEntry.Kind.REQUEST)
    key = department_key(request.to_department_id)
    entry = _log_message(
        kind=MessageLogEntry.Kind.RESPONSE,
        request=request,
        key=key,
        body=response_envelope(response, request_entry.body, key.fingerprint),
    )
    if provide:
        personal_data_accessed(
            accessor=f"{request.from_department.name} ({_('inter-agency exchange')})",
            department=request.to_department.name,
            access=PersonalDataAccess(
                resident_ids=(request.subject_id,),
                data_category=", ".join(request.data_items)[:100],
                purpose=request.purpose[:200],
                channel=AccessChannel.INTER_AGENCY,
                case_reference=request.case_reference or str(request.pk),
            ),
        )
    audit_record(
        actor=audit_actor(actor, system="exchange"),
        action="exchange.provide" if provide else "exchange.refuse",
        object_type="exchange_request",
        object_id=str(request.pk),
        data={"message": entry.seq},
    )
    return response


def exchange_response_read(*, actor: Any, exchange: ExchangeRequest) -> None:
    """Staff of the asking department read the data they were given: logged for the resident."""
    personal_data_accessed(
        accessor=actor,
        department=exchange.from_department.name,
        access=PersonalDataAccess(
            resident_ids=(exchange.subject_id,),
            data_category=", ".join(exchange.data_items)[:100],
            purpose=exchange.purpose[:200],
            channel=AccessChannel.STAFF_UI,
            case_reference=exchange.case_reference or str(exchange.pk),
        ),
    )
