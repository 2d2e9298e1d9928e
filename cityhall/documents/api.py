"""/api/v1/documents/: the public registry, verification by hash or upload, key history and
detached signatures (no token needed); registering, versioning, signing and sharing documents and
the inter-agency exchange (API token of a member of the department)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from cityhall.accounts.contracts import AccessChannel
from cityhall.core.api import ERROR_RESPONSES
from cityhall.core.errors import ApiError
from cityhall.documents import rules, selectors, services, verification
from cityhall.documents.contracts import Classification
from cityhall.documents.models import Document, ExchangeRequest, Signature, SigningKey

router = Router(tags=["Documents"])

MAX_UPLOAD_BYTES = services.MAX_DOCUMENT_BYTES


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


# --- Schemas --------------------------------------------------------------------------------


class DocumentOut(Schema):
    id: uuid.UUID
    title: str
    department: str
    classification: str
    version: int = Field(..., description="The current version number.")
    sha256: str = Field(..., description="SHA-256 of the current version's file (hex).")
    signed: bool
    registered_at: dt.datetime
    retain_until: dt.date | None
    url: str
    verify_url: str

    @staticmethod
    def resolve_department(obj: Document) -> str:
        return obj.department.name

    @staticmethod
    def resolve_version(obj: Document) -> int:
        return obj.current_version

    @staticmethod
    def resolve_sha256(obj: Document) -> str:
        return str(getattr(obj, "current_sha256", "") or "")

    @staticmethod
    def resolve_signed(obj: Document) -> bool:
        return bool(getattr(obj, "is_current_signed", False))

    @staticmethod
    def resolve_registered_at(obj: Document) -> dt.datetime:
        return obj.created_at

    @staticmethod
    def resolve_url(obj: Document) -> str:
        return reverse("documents:detail", args=[obj.pk])

    @staticmethod
    def resolve_verify_url(obj: Document) -> str:
        return reverse("documents:verify") + f"?document={obj.pk}"


def _document_out(document: Document) -> Document:
    """The document with its current version's hash and signed flag, as DocumentOut reads them."""
    annotated = selectors.with_current_version(Document.objects.filter(pk=document.pk)).first()
    assert annotated is not None
    return annotated


class SignatureCheckOut(Schema):
    signer: str
    signer_kind: str = Field(..., description="official or department")
    department: str
    signed_at: dt.datetime | None
    key_fingerprint: str
    signature_valid: bool
    key_valid_then: bool = Field(..., description="Was the key valid at the signing time?")
    key_note: str
    in_signature_log: bool
    problem: str
    signature_url: str = Field(..., description="The detached signature file (JSON), when registered here.")


class VerificationOut(Schema):
    status: str = Field(..., description="genuine, not_found, mismatch, unsigned or invalid")
    genuine: bool
    message: str
    reasons: list[str]
    sha256: str
    document_id: uuid.UUID | None
    title: str | None = Field(None, description="Only when the caller may read the document.")
    classification: str | None
    department: str | None
    version: int | None
    version_registered_at: dt.datetime | None
    latest_version: int | None
    signatures: list[SignatureCheckOut]


def _verification_out(result: verification.Verification) -> dict[str, Any]:
    document = result.document
    return {
        "status": str(result.status),
        "genuine": result.genuine,
        "message": result.headline,
        "reasons": result.reasons,
        "sha256": result.sha256,
        "document_id": document.pk if document else None,
        "title": document.title if document and result.document_visible else None,
        "classification": document.classification if document else None,
        "department": document.department.name if document else None,
        "version": result.version.number if result.version else None,
        "version_registered_at": result.version.created_at if result.version else None,
        "latest_version": result.latest_version,
        "signatures": [
            {
                "signer": c.signer_name,
                "signer_kind": c.signer_kind,
                "department": c.department_name,
                "signed_at": c.signed_at,
                "key_fingerprint": c.key_fingerprint,
                "signature_valid": c.signature_valid,
                "key_valid_then": c.key_valid_then,
                "key_note": c.key_note,
                "in_signature_log": c.in_log,
                "problem": c.problem,
                "signature_url": c.signature_url,
            }
            for c in result.signatures
        ],
    }


class VerifyHashIn(Schema):
    sha256: str = Field(..., description="SHA-256 of the file, 64 hex characters.")
    document_id: uuid.UUID | None = Field(None, description="Check against this document only.")


class KeyOut(Schema):
    id: uuid.UUID
    owner: str
    owner_kind: str = Field(..., description="official or department")
    public_key: str = Field(..., description="Raw 32-byte Ed25519 public key, base64.")
    fingerprint: str = Field(..., description="SHA-256 of the raw public key, hex.")
    valid_from: dt.datetime
    valid_until: dt.datetime | None
    revoked_at: dt.datetime | None
    revocation_reason: str

    @staticmethod
    def resolve_owner(obj: SigningKey) -> str:
        return obj.owner_name

    @staticmethod
    def resolve_owner_kind(obj: SigningKey) -> str:
        return "department" if obj.department_id else "official"


class DetachedSignatureOut(Schema):
    format: str
    algorithm: str
    statement: dict[str, Any]
    statement_base64: str = Field(..., description="The exact bytes that were signed (canonical JSON).")
    signature: str = Field(..., description="Ed25519 signature, base64.")
    public_key: str
    public_key_fingerprint: str
    log_position: int
    log_hash: str


class RegisterIn(Schema):
    department_id: uuid.UUID
    title: str = Field(..., max_length=300)
    file_name: str = Field(..., max_length=200)
    media_type: str = Field(..., max_length=100)
    content_base64: str = Field(..., description="The file, base64-encoded (up to 15 MB decoded).")
    classification: Classification
    retention_years: int | None = Field(None, ge=0, le=services.MAX_RETENTION_YEARS)
    subject_id: uuid.UUID | None = Field(None, description="The resident a personal-data document is about.")


class VersionIn(Schema):
    file_name: str = Field(..., max_length=200)
    media_type: str = Field(..., max_length=100)
    content_base64: str


class SignIn(Schema):
    as_department: bool = Field(False, description="Sign with the department's seal instead of your own key.")


class SignatureOut(Schema):
    id: uuid.UUID
    document_id: uuid.UUID
    version: int
    sha256: str
    signer: str
    key_fingerprint: str
    signed_at: dt.datetime
    log_position: int
    signature_url: str


def _signature_out(signature: Signature) -> dict[str, Any]:
    return {
        "id": signature.pk,
        "document_id": signature.version.document_id,
        "version": signature.version.number,
        "sha256": signature.version.sha256,
        "signer": signature.key.owner_name,
        "key_fingerprint": signature.key.fingerprint,
        "signed_at": signature.signed_at,
        "log_position": signature.seq,
        "signature_url": verification.signature_url(signature),
    }


class ShareIn(Schema):
    days: int = Field(14, ge=1, le=services.MAX_SHARE_DAYS)
    emails: list[str] = Field(default_factory=list)
    department_ids: list[uuid.UUID] = Field(default_factory=list)
    anyone_with_link: bool = False
    note: str = Field("", max_length=300)


class ShareOut(Schema):
    id: uuid.UUID
    url: str = Field(..., description="The link; shown only now (only its hash is stored).")
    expires_at: dt.datetime


class ExchangeIn(Schema):
    from_department_id: uuid.UUID
    to_department_id: uuid.UUID
    subject_id: uuid.UUID = Field(..., description="The resident's account id.")
    purpose: str = Field("", max_length=500)
    legal_basis: str = Field("", description="GDPR Art. 6(1) basis: legal_obligation, public_task, ...")
    legal_reference: str = Field("", max_length=300)
    data_items: list[str]
    case_reference: str = Field("", max_length=100)


class AnswerIn(Schema):
    provide: bool
    data: dict[str, str] = Field(default_factory=dict)
    refusal_reason: str = Field("", max_length=500)


class ExchangeOut(Schema):
    id: uuid.UUID
    from_department_id: uuid.UUID
    to_department_id: uuid.UUID
    subject_id: uuid.UUID
    purpose: str
    legal_basis: str
    legal_reference: str
    data_items: list[str]
    case_reference: str
    requested_at: dt.datetime
    status: str


class LogCheckOut(Schema):
    intact: bool
    checked: int
    first_bad_seq: int | None
    reason: str


# --- Public ---------------------------------------------------------------------------------


@router.get(
    "/",
    response={200: list[DocumentOut], **ERROR_RESPONSES},
    auth=None,
    summary="The public document registry (search with q)",
)
@paginate
def document_list(request: HttpRequest, q: str = "") -> Any:
    return selectors.with_current_version(selectors.registry_search(AnonymousUser(), query=q[:200]))


@router.post(
    "/verify",
    response={200: VerificationOut, **ERROR_RESPONSES},
    auth=None,
    summary="Is a file with this SHA-256 genuine? Who signed it, when, and was the key valid then",
)
def verify_hash(request: HttpRequest, payload: VerifyHashIn) -> Any:
    sha256 = verification.normalise_sha256(payload.sha256)
    if sha256 is None:
        raise ApiError(422, "validation_error", "sha256 must be 64 hexadecimal characters.")
    result = verification.verify_sha256(sha256, viewer=AnonymousUser(), document_id=payload.document_id)
    return _verification_out(result)


@router.post(
    "/verify/upload",
    response={200: VerificationOut, **ERROR_RESPONSES},
    auth=None,
    summary="Upload a file (and optionally a detached signature) to check it; the file is not stored",
)
def verify_upload(
    request: HttpRequest,
    file: File[UploadedFile],
    signature: File[UploadedFile] | None = None,
    document_id: Form[uuid.UUID | None] = None,
) -> Any:
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:
        raise ApiError(413, "body_too_large", "The file is larger than 15 MB.")
    content = b"".join(file.chunks())
    if signature is not None:
        result = verification.verify_detached(content, signature.read(64 * 1024))
    else:
        result = verification.verify_content(content, viewer=AnonymousUser(), document_id=document_id)
    return _verification_out(result)


@router.get(
    "/verify/{sha256}",
    response={200: VerificationOut, **ERROR_RESPONSES},
    auth=None,
    summary="The same check as POST /verify, as a link: GET /verify/<sha256>",
)
def verify_hash_link(request: HttpRequest, sha256: str) -> Any:
    normalised = verification.normalise_sha256(sha256)
    if normalised is None:
        raise ApiError(422, "validation_error", "sha256 must be 64 hexadecimal characters.")
    return _verification_out(verification.verify_sha256(normalised, viewer=AnonymousUser()))


@router.get(
    "/keys",
    response={200: list[KeyOut], **ERROR_RESPONSES},
    auth=None,
    summary="Every signing key with its validity period (public key history)",
)
@paginate
def key_list(request: HttpRequest) -> Any:
    return selectors.key_history()


@router.get(
    "/signatures/{uuid:signature_id}",
    response={200: DetachedSignatureOut, **ERROR_RESPONSES},
    auth=None,
    summary="A detached signature, to verify offline with any Ed25519 library",
)
def signature_detail(request: HttpRequest, signature_id: uuid.UUID) -> Any:
    signature = selectors.signature(signature_id)
    if signature is None:
        raise ApiError(404, "not_found", "There is no signature with this id.")
    return verification.detached_signature(signature)


@router.get(
    "/{uuid:document_id}",
    response={200: DocumentOut, **ERROR_RESPONSES},
    auth=None,
    summary="One public document",
)
def document_detail(request: HttpRequest, document_id: uuid.UUID) -> Any:
    document = selectors.document_for(AnonymousUser(), document_id)
    if document is None:
        raise ApiError(404, "not_found", "There is no public document with this id.")
    return _document_out(document)


# --- Department staff -----------------------------------------------------------------------


def _decode(content_base64: str) -> bytes:
    try:
        content = base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ApiError(422, "validation_error", "content_base64 is not valid base64.") from error
    return content


@router.post("/manage", response={201: DocumentOut, **ERROR_RESPONSES}, summary="Register a document")
def document_create(request: HttpRequest, payload: RegisterIn) -> Status[Document]:
    document = services.document_register(
        actor=_user(request),
        department_id=payload.department_id,
        title=payload.title,
        file_name=payload.file_name,
        content=_decode(payload.content_base64),
        media_type=payload.media_type,
        classification=payload.classification,
        retention_years=payload.retention_years,
        subject_id=payload.subject_id,
    )
    return Status(201, _document_out(document))


def _own_document(request: HttpRequest, document_id: uuid.UUID) -> Document:
    document = Document.objects.select_related("department").filter(pk=document_id).first()
    if document is None or not rules.can_sign_for(_user(request), document.department_id):
        raise ApiError(404, "not_found", "There is no document of your department with this id.")
    return document


@router.get(
    "/manage/{uuid:document_id}",
    response={200: DocumentOut, **ERROR_RESPONSES},
    summary="One of your documents",
)
def manage_detail(request: HttpRequest, document_id: uuid.UUID) -> Any:
    document = _own_document(request, document_id)
    services.document_read(actor=_user(request), document=document, channel=AccessChannel.API)
    return _document_out(document)


@router.post(
    "/manage/{uuid:document_id}/versions",
    response={201: DocumentOut, **ERROR_RESPONSES},
    summary="Add a version",
)
def version_create(request: HttpRequest, document_id: uuid.UUID, payload: VersionIn) -> Status[Document]:
    _own_document(request, document_id)
    document = services.document_add_version(
        actor=_user(request),
        document_id=document_id,
        file_name=payload.file_name,
        content=_decode(payload.content_base64),
        media_type=payload.media_type,
    )
    return Status(201, _document_out(document))


@router.post(
    "/manage/{uuid:document_id}/signatures",
    response={201: SignatureOut, **ERROR_RESPONSES},
    summary="Sign the current version (your key, or the department's seal)",
)
def signature_create(request: HttpRequest, document_id: uuid.UUID, payload: SignIn) -> Status[dict[str, Any]]:
    _own_document(request, document_id)
    signature = services.document_sign(
        actor=_user(request), document_id=document_id, as_department=payload.as_department
    )
    return Status(201, _signature_out(signature))


@router.post(
    "/manage/{uuid:document_id}/shares",
    response={201: ShareOut, **ERROR_RESPONSES},
    summary="Share by link with an expiry and an access list",
)
def share_create(request: HttpRequest, document_id: uuid.UUID, payload: ShareIn) -> Status[dict[str, Any]]:
    _own_document(request, document_id)
    created = services.share_create(
        actor=_user(request),
        document_id=document_id,
        days=payload.days,
        emails=payload.emails,
        department_ids=payload.department_ids,
        anyone_with_link=payload.anyone_with_link,
        note=payload.note,
    )
    url = request.build_absolute_uri(f"/documents/shared/{created.token}/")
    return Status(201, {"id": created.share.pk, "url": url, "expires_at": created.share.expires_at})


# --- Inter-agency exchange ------------------------------------------------------------------


@router.get(
    "/exchanges",
    response={200: list[ExchangeOut], **ERROR_RESPONSES},
    summary="Exchange requests to and from your departments",
)
@paginate
def exchange_list(request: HttpRequest) -> Any:
    if not rules.can_exchange(_user(request)):
        raise ApiError(403, "permission_denied", "Your account does not exchange personal data.")
    return selectors.exchanges_for_staff(_user(request))


@router.post(
    "/exchanges",
    response={201: ExchangeOut, **ERROR_RESPONSES},
    summary="Ask another department or agency for a resident's data (purpose and legal basis required)",
)
def exchange_create(request: HttpRequest, payload: ExchangeIn) -> Status[ExchangeRequest]:
    created = services.exchange_request_create(
        actor=_user(request),
        from_department_id=payload.from_department_id,
        to_department_id=payload.to_department_id,
        subject_id=payload.subject_id,
        purpose=payload.purpose,
        legal_basis=payload.legal_basis,
        data_items=payload.data_items,
        legal_reference=payload.legal_reference,
        case_reference=payload.case_reference,
    )
    return Status(201, created)


@router.post(
    "/exchanges/{uuid:request_id}/answer",
    response={200: ExchangeOut, **ERROR_RESPONSES},
    summary="Answer a request: provide the data or refuse with a reason",
)
def exchange_answer(request: HttpRequest, request_id: uuid.UUID, payload: AnswerIn) -> Any:
    response = services.exchange_answer(
        actor=_user(request),
        request_id=request_id,
        provide=payload.provide,
        data=payload.data,
        refusal_reason=payload.refusal_reason,
    )
    return response.request


@router.get(
    "/exchanges/log",
    response={200: LogCheckOut, **ERROR_RESPONSES},
    summary="Verify the hash-chained, signed message log",
)
def exchange_log_verify(request: HttpRequest) -> Any:
    if not rules.can_exchange(_user(request)):
        raise ApiError(403, "permission_denied", "Your account does not exchange personal data.")
    result = verification.message_log_verify()
    return {
        "intact": result.ok,
        "checked": result.checked,
        "first_bad_seq": result.first_bad_seq,
        "reason": result.reason,
    }
