"""Reads that check: is this file genuine, who signed it, when, and was that key valid then;
and do the signature log and the inter-agency message log still hold."""

from __future__ import annotations

import binascii
import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from cityhall.core.canonical import canonical_json
from cityhall.core.models import GENESIS_HASH
from cityhall.documents import crypto, rules
from cityhall.documents.contracts import Classification, VerificationStatus
from cityhall.documents.models import (
    ChainHead,
    Document,
    DocumentVersion,
    ExchangeRequest,
    ExchangeResponse,
    MessageLogEntry,
    Signature,
    SigningKey,
)
from cityhall.documents.services import (
    MESSAGE_LOG,
    SIGNATURE_LOG,
    message_chain_entry,
    request_envelope,
    response_envelope,
    signature_chain_entry,
)

SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")
DETACHED_FORMAT = "cityhall-detached-signature/1"


def normalise_sha256(value: str) -> str | None:
    value = value.strip().lower()
    return value if SHA256_PATTERN.match(value) else None


def _day(moment: dt.datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


@dataclass(frozen=True, slots=True)
class KeyValidity:
    valid: bool
    note: str


def key_validity_at(key: SigningKey, moment: dt.datetime) -> KeyValidity:
    """Was the key valid at that moment? Rotation ends validity; revocation ends it from its date."""
    if moment < key.valid_from:
        return KeyValidity(
            False,
            _("the key was only issued on %(date)s, after this signature's time")
            % {"date": _day(key.valid_from)},
        )
    if key.revoked_at is not None and moment >= key.revoked_at:
        return KeyValidity(
            False,
            _(
                "the key was revoked on %(date)s (%(reason)s), "
                "so it was not valid when this signature was made"
            )
            % {"date": _day(key.revoked_at), "reason": key.revocation_reason},
        )
    if key.valid_until is not None and moment >= key.valid_until:
        return KeyValidity(
            False,
            _("the key was rotated out on %(date)s, so it was not valid when this signature was made")
            % {"date": _day(key.valid_until)},
        )
    if key.revoked_at is not None:
        return KeyValidity(
            True,
            _("the key was valid then; it was revoked later, on %(date)s (%(reason)s)")
            % {"date": _day(key.revoked_at), "reason": key.revocation_reason},
        )
    if key.valid_until is not None:
        return KeyValidity(
            True,
            _("the key was valid then; it was rotated out later, on %(date)s")
            % {"date": _day(key.valid_until)},
        )
    return KeyValidity(True, _("the key was valid then and still is"))


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    id: uuid.UUID | None
    signer_name: str
    signer_kind: str
    department_name: str
    signed_at: dt.datetime | None
    key_fingerprint: str
    signature_valid: bool
    key_valid_then: bool
    key_note: str
    in_log: bool
    problem: str
    signature_url: str

    @property
    def ok(self) -> bool:
        return self.signature_valid and self.key_valid_then and not self.problem


def _parse_time(value: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return None


def signature_url(signature: Signature) -> str:
    return reverse("documents:signature_file", args=[signature.pk])


def check_signature(signature: Signature) -> SignatureCheck:
    """Check one registered signature: the Ed25519 signature, that the statement names this very
    version, and the key's validity at the signing time."""
    key = signature.key
    version = signature.version
    statement_bytes = signature.statement.encode("utf-8")
    valid = crypto.verify(key.public_key, signature.signature, statement_bytes)
    problem = ""
    try:
        statement = json.loads(statement_bytes)
    except ValueError:
        statement = {}
    if not valid:
        problem = _("the signature does not match its statement: the record was altered")
    elif (
        statement.get("sha256") != version.sha256
        or statement.get("version") != version.number
        or statement.get("document_id") != str(version.document_id)
        or statement.get("key_fingerprint") != key.fingerprint
    ):
        problem = _("the signed statement names another file or key than the registry now shows")
    validity = key_validity_at(key, signature.signed_at)
    signer = statement.get("signer") or {}
    return SignatureCheck(
        id=signature.pk,
        signer_name=str(signer.get("name", key.owner_name)),
        signer_kind=str(signer.get("kind", "")),
        department_name=str((statement.get("department") or {}).get("name", "")),
        signed_at=signature.signed_at,
        key_fingerprint=key.fingerprint,
        signature_valid=valid,
        key_valid_then=validity.valid,
        key_note=validity.note,
        in_log=True,
        problem=problem,
        signature_url=signature_url(signature),
    )


@dataclass(slots=True)
class Verification:
    status: VerificationStatus
    headline: str
    sha256: str
    reasons: list[str] = field(default_factory=list)
    document: Document | None = None
    document_visible: bool = False
    version: DocumentVersion | None = None
    latest_version: int | None = None
    signatures: list[SignatureCheck] = field(default_factory=list)

    @property
    def genuine(self) -> bool:
        return self.status == VerificationStatus.GENUINE


def _signature_checks(version: DocumentVersion) -> list[SignatureCheck]:
    signatures = list(Signature.objects.filter(version=version).select_related("key").order_by("seq"))
    for signature in signatures:
        signature.version = version  # already loaded: no join needed
    return [check_signature(signature) for signature in signatures]


def _judge(version: DocumentVersion, viewer: Any, sha256: str) -> Verification:
    document = version.document
    visible = rules.can_read(
        viewer, classification=document.classification, department_id=document.department_id
    )
    checks = _signature_checks(version)
    result = Verification(
        status=VerificationStatus.GENUINE,
        headline="",
        sha256=sha256,
        document=document,
        document_visible=visible,
        version=version,
        latest_version=document.current_version,
        signatures=checks,
    )
    registered = _day(version.created_at)
    if not checks:
        result.status = VerificationStatus.UNSIGNED
        result.headline = _("This file is registered (version %(n)s, %(date)s) but nobody has signed it.") % {
            "n": version.number,
            "date": registered,
        }
    elif all(check.ok for check in checks):
        result.headline = _(
            "Genuine: this file is version %(n)s registered on %(date)s, and every signature holds."
        ) % {
            "n": version.number,
            "date": registered,
        }
    else:
        result.status = VerificationStatus.INVALID
        result.headline = _("This file is registered, but a signature on it does not hold.")
        for check in checks:
            if not check.signature_valid or check.problem:
                result.reasons.append(
                    _("Signature by %(who)s: %(problem)s.")
                    % {"who": check.signer_name, "problem": check.problem}
                )
            elif not check.key_valid_then:
                result.reasons.append(
                    _("Signature by %(who)s at %(when)s: %(note)s.")
                    % {
                        "who": check.signer_name,
                        "when": _day(check.signed_at) if check.signed_at else "?",
                        "note": check.key_note,
                    }
                )
    if document.current_version != version.number:
        result.reasons.append(
            _("A newer version (%(n)s) of this document exists.") % {"n": document.current_version}
        )
    if document.disposal:
        result.reasons.append(_("The document is past its retention period and marked for disposal."))
    return result


def verify_sha256(sha256: str, *, viewer: Any = None, document_id: uuid.UUID | None = None) -> Verification:
    """Look a SHA-256 up in the registry (optionally against one document) and judge its signatures."""
    versions = DocumentVersion.objects.select_related("document", "document__department").order_by(
        "created_at"
    )
    if document_id is not None:
        document = Document.objects.select_related("department").filter(pk=document_id).first()
        if document is None:
            return Verification(
                VerificationStatus.NOT_FOUND,
                _("There is no document with this identifier in the registry."),
                sha256,
            )
        match = versions.filter(document=document, sha256=sha256).first()
        if match is not None:
            return _judge(match, viewer, sha256)
        latest = versions.filter(document=document, number=document.current_version).first()
        visible = rules.can_read(
            viewer, classification=document.classification, department_id=document.department_id
        )
        result = Verification(
            VerificationStatus.MISMATCH,
            _("Not genuine: the file's SHA-256 does not match the registered version of this document."),
            sha256,
            document=document,
            document_visible=visible,
            version=latest,
            latest_version=document.current_version,
        )
        if latest is not None:
            result.reasons.append(
                _(
                    "This file differs from version %(n)s registered on %(date)s (SHA-256 %(sha)s); "
                    "even one changed byte changes the SHA-256."
                )
                % {"n": latest.number, "date": _day(latest.created_at), "sha": latest.sha256}
            )
        return result
    match = versions.filter(sha256=sha256).first()
    if match is None:
        return Verification(
            VerificationStatus.NOT_FOUND,
            _(
                "Not found: no registered document has this SHA-256. If you expected one, the file may "
                "have been changed; verify it against the document it claims to be to see the difference."
            ),
            sha256,
        )
    return _judge(match, viewer, sha256)


def verify_content(
    content: bytes, *, viewer: Any = None, document_id: uuid.UUID | None = None
) -> Verification:
    return verify_sha256(crypto.sha256_hex(content), viewer=viewer, document_id=document_id)


# --- Detached signature files ---------------------------------------------------------------


def detached_signature(signature: Signature) -> dict[str, Any]:
    """The downloadable detached signature: enough to verify offline with any Ed25519 library."""
    key = signature.key
    return {
        "format": DETACHED_FORMAT,
        "algorithm": "Ed25519",
        "statement": json.loads(signature.statement),
        "statement_base64": crypto.b64(signature.statement.encode("utf-8")),
        "signature": signature.signature,
        "public_key": key.public_key,
        "public_key_fingerprint": key.fingerprint,
        "log_position": signature.seq,
        "log_hash": signature.hash,
    }


def verify_detached(content: bytes, signature_file: bytes) -> Verification:
    """Check a file against a detached signature file someone presents (made here or claimed to be)."""
    sha256 = crypto.sha256_hex(content)
    try:
        data = json.loads(signature_file)
        statement_bytes = crypto.unb64(data["statement_base64"])
        statement = json.loads(statement_bytes)
        signature_b64 = str(data["signature"])
        public_key = str(data["public_key"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        return Verification(
            VerificationStatus.INVALID,
            _(
                "The signature file is not a Cityhall detached signature "
                "(JSON with statement_base64, signature and public_key)."
            ),
            sha256,
        )
    fingerprint = crypto.fingerprint_of(crypto.unb64(public_key)) if _is_b64(public_key) else ""
    key = SigningKey.objects.filter(fingerprint=fingerprint).first()
    signed_at = _parse_time(str(statement.get("signed_at", "")))
    signer = statement.get("signer") or {}
    valid = crypto.verify(public_key, signature_b64, statement_bytes)
    validity = key_validity_at(key, signed_at) if key is not None and signed_at is not None else None
    in_log = Signature.objects.filter(signature=signature_b64, key__fingerprint=fingerprint).exists()
    problem = ""
    if not valid:
        problem = _("the signature does not match the statement it claims to sign")
    elif key is None:
        problem = _("the public key is not in the city's key history")
    elif signed_at is None:
        problem = _("the statement has no readable signing time")
    check = SignatureCheck(
        id=None,
        signer_name=str(signer.get("name", key.owner_name if key else "?")),
        signer_kind=str(signer.get("kind", "")),
        department_name=str((statement.get("department") or {}).get("name", "")),
        signed_at=signed_at,
        key_fingerprint=fingerprint,
        signature_valid=valid,
        key_valid_then=bool(validity and validity.valid),
        key_note=validity.note if validity else "",
        in_log=in_log,
        problem=problem,
        signature_url="",
    )
    result = Verification(VerificationStatus.GENUINE, "", sha256, signatures=[check])
    if statement.get("sha256") != sha256:
        result.status = VerificationStatus.MISMATCH
        result.headline = _(
            "Not genuine: the file's SHA-256 does not match the SHA-256 the signature covers."
        )
        result.reasons.append(
            _(
                "The signature covers SHA-256 %(signed)s; this file's is %(actual)s. "
                "Even one changed byte changes the SHA-256."
            )
            % {"signed": statement.get("sha256", "?"), "actual": sha256}
        )
        return result
    if problem:
        result.status = VerificationStatus.INVALID
        result.headline = _("The signature does not hold: %(problem)s.") % {"problem": problem}
        return result
    if not check.key_valid_then:
        result.status = VerificationStatus.INVALID
        result.headline = _("The signature does not hold: %(note)s.") % {"note": check.key_note}
        return result
    result.headline = _("Genuine: the signature holds and the key was valid when it was made.")
    if not in_log:
        result.reasons.append(
            _(
                "This signature is not in the city's signature log, "
                "so its time rests on the signer's word alone."
            )
        )
    return result


def _is_b64(value: str) -> bool:
    try:
        return len(crypto.unb64(value)) == 32
    except (ValueError, binascii.Error):
        return False


# --- Log verification -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LogVerification:
    checked: int
    first_bad_seq: int | None
    reason: str

    @property
    def ok(self) -> bool:
        return self.first_bad_seq is None


def _head(name: str) -> ChainHead:
    return ChainHead.objects.filter(name=name).first() or ChainHead(name=name, seq=0, hash=GENESIS_HASH)


def signature_log_verify() -> LogVerification:
    """Walk the signature log: every link, every signature, every statement against its version."""
    expected, prev_hash, checked = 1, GENESIS_HASH, 0
    for signature in (
        Signature.objects.select_related("key", "version").order_by("seq").iterator(chunk_size=500)
    ):
        if signature.seq != expected:
            return LogVerification(
                checked, expected, _("signature #%(n)s is missing from the log") % {"n": expected}
            )
        entry = signature_chain_entry(signature.statement, signature.signature, signature.key.fingerprint)
        if signature.prev_hash != prev_hash or crypto.chain_hash(prev_hash, entry) != signature.hash:
            return LogVerification(
                checked,
                signature.seq,
                _("signature #%(n)s was changed after it was logged") % {"n": signature.seq},
            )
        check = check_signature(signature)
        if not check.signature_valid or check.problem:
            return LogVerification(
                checked,
                signature.seq,
                _("signature #%(n)s: %(p)s") % {"n": signature.seq, "p": check.problem},
            )
        prev_hash = signature.hash
        expected += 1
        checked += 1
    head = _head(SIGNATURE_LOG)
    if head.seq != checked or head.hash != prev_hash:
        return LogVerification(
            checked,
            checked + 1,
            _("the log ends at #%(n)s but its head says #%(h)s: entries were removed")
            % {"n": checked, "h": head.seq},
        )
    return LogVerification(checked, None, "")


def message_log_verify() -> LogVerification:
    """Walk the inter-agency message log: links, signatures, and that each stored request and answer
    is still exactly what was signed."""
    expected, prev_hash, checked = 1, GENESIS_HASH, 0
    entries = MessageLogEntry.objects.select_related("key").order_by("seq")
    requests = {r.pk: r for r in ExchangeRequest.objects.all()}
    responses = {r.request_id: r for r in ExchangeResponse.objects.all()}
    request_bodies: dict[uuid.UUID, str] = {}
    for entry in entries.iterator(chunk_size=500):
        if entry.seq != expected:
            return LogVerification(
                checked, expected, _("message #%(n)s is missing from the log") % {"n": expected}
            )
        link = message_chain_entry(entry.seq, entry.kind, entry.body, entry.signature, entry.key.fingerprint)
        if entry.prev_hash != prev_hash or crypto.chain_hash(prev_hash, link) != entry.hash:
            return LogVerification(
                checked, entry.seq, _("message #%(n)s was changed after it was logged") % {"n": entry.seq}
            )
        if not crypto.verify(entry.key.public_key, entry.signature, entry.body.encode("utf-8")):
            return LogVerification(
                checked,
                entry.seq,
                _("message #%(n)s: the signature does not match the message") % {"n": entry.seq},
            )
        request = requests.get(entry.request_id)
        if request is None:
            return LogVerification(
                checked, entry.seq, _("message #%(n)s: its request is gone") % {"n": entry.seq}
            )
        if entry.kind == MessageLogEntry.Kind.REQUEST:
            request_bodies[request.pk] = entry.body
            expected_body = canonical_json(request_envelope(request, entry.key.fingerprint)).decode("utf-8")
        else:
            response = responses.get(request.pk)
            if response is None:
                return LogVerification(
                    checked, entry.seq, _("message #%(n)s: its answer is gone") % {"n": entry.seq}
                )
            expected_body = canonical_json(
                response_envelope(response, request_bodies.get(request.pk, ""), entry.key.fingerprint)
            ).decode("utf-8")
        if expected_body != entry.body:
            return LogVerification(
                checked,
                entry.seq,
                _(
                    "message #%(n)s: the stored %(kind)s no longer matches what was signed "
                    "(changed after signing)"
                )
                % {"n": entry.seq, "kind": entry.get_kind_display().lower()},
            )
        prev_hash = entry.hash
        expected += 1
        checked += 1
    head = _head(MESSAGE_LOG)
    if head.seq != checked or head.hash != prev_hash:
        return LogVerification(
            checked,
            checked + 1,
            _("the log ends at #%(n)s but its head says #%(h)s: entries were removed")
            % {"n": checked, "h": head.seq},
        )
    return LogVerification(checked, None, "")


def classification_label(value: str) -> str:
    return str(Classification(value).label)
