"""The documents module as other apps see it: register, version and sign documents, look them up,
and list the inter-agency exchanges about a resident."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from cityhall.documents import selectors, services, verification
from cityhall.documents.contracts import DocumentRef, ExchangeRecord, SignatureRef
from cityhall.documents.models import Document


def document_register(
    *,
    actor: Any,
    department_id: uuid.UUID,
    title: str,
    file_name: str,
    content: bytes,
    media_type: str,
    classification: str,
    retention_years: int | None = None,
    subject_id: uuid.UUID | None = None,
) -> DocumentRef:
    """Register a document (version 1) for a department. actor=None: the platform registers it.
    Raises ServiceError (bad file, classification or retention) or PermissionDeniedError."""
    document = services.document_register(
        actor=actor,
        department_id=department_id,
        title=title,
        file_name=file_name,
        content=content,
        media_type=media_type,
        classification=classification,
        retention_years=retention_years,
        subject_id=subject_id,
    )
    return selectors.document_ref(document)


def document_add_version(
    *, actor: Any, document_id: uuid.UUID, file_name: str, content: bytes, media_type: str
) -> DocumentRef:
    document = services.document_add_version(
        actor=actor, document_id=document_id, file_name=file_name, content=content, media_type=media_type
    )
    return selectors.document_ref(document)


def document_sign(*, actor: Any, document_id: uuid.UUID, as_department: bool = False) -> SignatureRef:
    """Sign the current version with the official's key (or the department's seal; always the seal
    when actor is None). Signing the same version twice with the same key returns the first one."""
    signature = services.document_sign(actor=actor, document_id=document_id, as_department=as_department)
    version = signature.version
    return SignatureRef(
        id=signature.pk,
        document_id=version.document_id,
        version=version.number,
        sha256=version.sha256,
        signer=signature.key.owner_name,
        key_fingerprint=signature.key.fingerprint,
        signed_at=signature.signed_at,
        signature_url=verification.signature_url(signature),
    )


def document_ref(document_id: uuid.UUID) -> DocumentRef | None:
    document = Document.objects.filter(pk=document_id).first()
    return selectors.document_ref(document) if document is not None else None


def exchanges_about(user: Any) -> list[ExchangeRecord]:
    """Every inter-agency exchange about this resident, newest first (for the privacy centre)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return selectors.exchanges_about(user)


def demo_load(log: Callable[[str], None]) -> None:
    """Load this module's part of the demo city (safe to run again)."""
    from cityhall.documents.demo import demo_load as load

    load(log)
