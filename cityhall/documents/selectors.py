"""Reads: the registry for a given viewer, a document's versions and signatures, key history,
shares, and exchanges."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse

from cityhall.accounts.contracts import Permission
from cityhall.accounts.facade import departments_with_permission, is_staff_member
from cityhall.core.personal_data import LegalBasis
from cityhall.documents import rules
from cityhall.documents.contracts import Classification, DocumentRef, ExchangeRecord, ExchangeStatus
from cityhall.documents.models import (
    Document,
    DocumentVersion,
    ExchangeRequest,
    Share,
    Signature,
    SigningKey,
)


def readable_documents(viewer: Any) -> QuerySet[Document]:
    """Documents the viewer may see in the registry (without a share link)."""
    allowed = Q(classification=Classification.PUBLIC)
    if getattr(viewer, "is_authenticated", False) and is_staff_member(viewer):
        allowed |= Q(classification=Classification.INTERNAL)
        own = departments_with_permission(viewer, Permission.SIGN_DOCUMENTS)
        if own:
            allowed |= Q(department_id__in=own)
    signed = Signature.objects.filter(version__document=OuterRef("pk"))
    return (
        Document.objects.filter(allowed)
        .select_related("department")
        .annotate(is_signed=Exists(signed))
        .order_by("-created_at")
    )


def registry_search(viewer: Any, *, query: str = "", classification: str = "") -> QuerySet[Document]:
    documents = readable_documents(viewer)
    query = query.strip()
    if query:
        documents = documents.filter(
            Q(title__icontains=query)
            | Q(department__name__icontains=query)
            | Q(versions__sha256=query.lower())
        ).distinct()
    if classification in Classification.values:
        documents = documents.filter(classification=classification)
    return documents


def document_for(viewer: Any, document_id: uuid.UUID) -> Document | None:
    document = Document.objects.select_related("department").filter(pk=document_id).first()
    if document is None:
        return None
    if not rules.can_read(
        viewer, classification=document.classification, department_id=document.department_id
    ):
        return None
    return document


def versions_of(document: Document) -> list[DocumentVersion]:
    return list(document.versions.prefetch_related("signatures__key").order_by("-number"))


def version(document: Document, number: int) -> DocumentVersion | None:
    return document.versions.filter(number=number).first()


def signature(signature_id: uuid.UUID) -> Signature | None:
    return (
        Signature.objects.select_related(
            "key", "version", "version__document", "version__document__department"
        )
        .filter(pk=signature_id)
        .first()
    )


def key_history() -> QuerySet[SigningKey]:
    return SigningKey.objects.select_related("department").order_by("owner_name", "-valid_from")


def keys_of(user: Any) -> list[SigningKey]:
    """The official's keys and the keys of every department they sign for, newest first."""
    own_departments = departments_with_permission(user, Permission.SIGN_DOCUMENTS)
    return list(
        SigningKey.objects.filter(Q(user=user) | Q(department_id__in=own_departments)).order_by(
            "owner_name", "-valid_from"
        )
    )


def staff_documents(user: Any, *, query: str = "") -> QuerySet[Document]:
    own = departments_with_permission(user, Permission.SIGN_DOCUMENTS)
    documents = Document.objects.filter(department_id__in=own).select_related("department")
    if query.strip():
        documents = documents.filter(title__icontains=query.strip())
    signed = Signature.objects.filter(version__document=OuterRef("pk"))
    return documents.annotate(is_signed=Exists(signed)).order_by("-created_at")


def shares_of(document: Document) -> list[Share]:
    return list(
        document.shares.prefetch_related("recipients__department", "accesses__user").order_by("-created_at")
    )


def document_ref(document: Document) -> DocumentRef:
    current = document.versions.filter(number=document.current_version).first()
    signed = current is not None and current.signatures.exists()
    return DocumentRef(
        id=document.pk,
        title=document.title,
        version=document.current_version,
        sha256=current.sha256 if current else "",
        classification=Classification(document.classification),
        url=reverse("documents:detail", args=[document.pk]),
        verify_url=reverse("documents:verify") + f"?document={document.pk}",
        signed=signed,
    )


# --- Exchange -------------------------------------------------------------------------------


def exchanges_for_staff(user: Any) -> QuerySet[ExchangeRequest]:
    own = departments_with_permission(user, Permission.EXCHANGE_PERSONAL_DATA)
    return (
        ExchangeRequest.objects.filter(Q(from_department_id__in=own) | Q(to_department_id__in=own))
        .select_related("from_department", "to_department", "subject", "response")
        .order_by("-requested_at")
    )


def exchange_for_staff(user: Any, request_id: uuid.UUID) -> ExchangeRequest | None:
    return exchanges_for_staff(user).filter(pk=request_id).first()


def exchanges_about(user: Any) -> list[ExchangeRecord]:
    requests = (
        ExchangeRequest.objects.filter(subject_id=user.pk)
        .select_related("from_department", "to_department", "response")
        .order_by("-requested_at")
    )
    records = []
    for request in requests:
        response = getattr(request, "response", None)
        records.append(
            ExchangeRecord(
                id=request.pk,
                requested_at=request.requested_at,
                from_department=request.from_department.name,
                to_department=request.to_department.name,
                purpose=request.purpose,
                legal_basis=request.legal_basis,
                legal_basis_label=str(LegalBasis(request.legal_basis).label),
                data_items=tuple(request.data_items),
                case_reference=request.case_reference,
                status=ExchangeStatus(request.status),
                answered_at=response.answered_at if response else None,
            )
        )
    return records


def can_answer(user: Any, request: ExchangeRequest) -> bool:
    return request.status == ExchangeStatus.PENDING and rules.can_exchange_for(user, request.to_department_id)


def with_current_version(documents: QuerySet[Document]) -> QuerySet[Document]:
    """Annotate each document with its current version's SHA-256 and whether that version is signed."""
    current = DocumentVersion.objects.filter(document=OuterRef("pk"), number=OuterRef("current_version"))
    signed = Signature.objects.filter(
        version__document=OuterRef("pk"), version__number=OuterRef("current_version")
    )
    return documents.select_related("department").annotate(
        current_sha256=Subquery(current.values("sha256")[:1]), is_current_signed=Exists(signed)
    )
