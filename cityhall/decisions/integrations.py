"""The other modules decisions (and FOI) lean on, reached lazily through their facades.

Each of them is built in parallel and may not offer the function yet; then the lookups here answer
"not available" and the callers say so in a clear sentence instead of failing.
"""

from __future__ import annotations

import importlib
import uuid
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from cityhall.core.errors import ServiceError
from cityhall.decisions.contracts import RegisteredDocument


def facade_function(module: str, name: str) -> Any | None:
    """`module.name` when the module is importable and offers it; None otherwise."""
    try:
        facade = importlib.import_module(module)
    except ImportError:
        return None
    return getattr(facade, name, None)


# --- Documents (the document registry) -------------------------------------------------------


def _document(ref: Any) -> RegisteredDocument:
    return RegisteredDocument(
        id=uuid.UUID(str(ref.id)),
        title=str(getattr(ref, "title", "")),
        url=str(getattr(ref, "url", "") or ""),
        verify_url=str(getattr(ref, "verify_url", "") or ""),
        sha256=str(getattr(ref, "sha256", "") or ""),
        signed=bool(getattr(ref, "signed", False)),
    )


def documents_available() -> bool:
    return facade_function("cityhall.documents.facade", "document_register") is not None


def document_register(
    *,
    actor: Any,
    department_id: uuid.UUID | None,
    title: str,
    file_name: str,
    content: bytes,
    media_type: str,
    sign: bool = False,
) -> RegisteredDocument:
    """Register a file in the city's document registry (and sign it when asked)."""
    register = facade_function("cityhall.documents.facade", "document_register")
    if register is None:
        raise ServiceError(
            _(
                "The document registry is not available on this "
                "installation yet, so files cannot be attached."
            ),
            code="documents_unavailable",
        )
    ref = register(
        actor=actor,
        department_id=department_id,
        title=title,
        file_name=file_name,
        content=content,
        media_type=media_type,
        classification="public",
    )
    if sign:
        signer = facade_function("cityhall.documents.facade", "document_sign")
        if signer is not None:
            signer(actor=actor, document_id=ref.id)
            lookup = facade_function("cityhall.documents.facade", "document_ref")
            ref = (lookup(ref.id) if lookup else None) or ref
    return _document(ref)


def document_lookup(document_id: uuid.UUID) -> RegisteredDocument | None:
    lookup = facade_function("cityhall.documents.facade", "document_ref")
    if lookup is None:
        return None
    ref = lookup(document_id)
    return _document(ref) if ref is not None else None


# --- What a decision concerns -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LinkTarget:
    title: str
    url: str


def engagement_process(kind: str, target_id: uuid.UUID) -> LinkTarget | bool | None:
    """A consultation or proposal; False when the engagement module cannot be asked."""
    lookup = facade_function("cityhall.engagement.facade", "process_ref")
    if lookup is None:
        return False
    ref = lookup(kind, target_id)
    if ref is None:
        return None
    return LinkTarget(title=str(getattr(ref, "title", "")), url=str(getattr(ref, "url", "") or ""))


def emergency_decision(target_id: uuid.UUID) -> LinkTarget | bool | None:
    lookup = facade_function("cityhall.alerts.facade", "emergency_decision_log")
    if lookup is None:
        return False
    for record in lookup():
        if record.id == target_id:
            title = f"{record.incident_code}: {record.decision}"
            return LinkTarget(title=title[:300], url="")
    return None


def operating_project(target_id: uuid.UUID) -> LinkTarget | bool | None:
    lookup = facade_function("cityhall.operating.facade", "project_ref")
    if lookup is None:
        return False
    ref = lookup(target_id)
    if ref is None:
        return None
    return LinkTarget(title=str(getattr(ref, "title", "")), url=str(getattr(ref, "url", "") or ""))


# --- The open-data catalog --------------------------------------------------------------------


def catalog_publish(
    *,
    source_key: str,
    department_id: uuid.UUID,
    title: str,
    description: str,
    keywords: list[str],
    theme: str,
    files: list[tuple[str, bytes, str, str]],
) -> Any | None:
    """Publish generated files as a catalog dataset; None when the catalog cannot take them yet."""
    publish = facade_function("cityhall.catalog.facade", "dataset_publish_generated")
    if publish is None:
        return None
    try:
        contracts = importlib.import_module("cityhall.catalog.contracts")
    except ImportError:
        return None
    generated = contracts.GeneratedFile
    return publish(
        source_key=source_key,
        department_id=department_id,
        title=title,
        description=description,
        keywords=keywords,
        theme=theme,
        files=[
            generated(name=name, content=content, media_type=media_type, format=fmt)
            for name, content, media_type, fmt in files
        ],
        license_id="CC-BY-4.0",
    )
