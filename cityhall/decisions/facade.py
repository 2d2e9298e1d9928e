"""The decisions module as other apps see it: references to decisions, for links from elsewhere."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from cityhall.decisions import integrations, selectors
from cityhall.decisions.contracts import DecisionRef, LinkKind, RegisteredDocument


def decision_refs(*, query: str = "", limit: int = 20) -> list[DecisionRef]:
    """Public decisions matching `query` (full text; all words), newest first; the newest without one."""
    page = selectors.decision_search(query=query, page=1, page_size=max(1, min(limit, 100)))
    return [selectors.decision_ref_of(decision) for decision in page.items]


def decision_ref(decision_id: uuid.UUID) -> DecisionRef | None:
    """One public decision, or None when there is none with that id (or it is still a draft)."""
    decision = selectors.decision_detail(decision_id)
    return selectors.decision_ref_of(decision) if decision is not None else None


def decisions_concerning(kind: LinkKind, target_id: uuid.UUID) -> list[DecisionRef]:
    """Public decisions linked to a consultation, proposal, emergency decision or project."""
    return [selectors.decision_ref_of(d) for d in selectors.decisions_linked_to(kind, target_id)]


def document_register(
    *,
    actor: Any,
    department_id: uuid.UUID,
    title: str,
    file_name: str,
    content: bytes,
    media_type: str,
    sign: bool = False,
) -> RegisteredDocument:
    """Register a public file in the city's document registry (signed when asked), for FOI answers.
    Raises ServiceError (code documents_unavailable) while the registry is not installed."""
    return integrations.document_register(
        actor=actor,
        department_id=department_id,
        title=title,
        file_name=file_name,
        content=content,
        media_type=media_type,
        sign=sign,
    )


def document_lookup(document_id: uuid.UUID) -> RegisteredDocument | None:
    """A document already in the registry, or None."""
    return integrations.document_lookup(document_id)


def demo_load(log: Callable[[str], None]) -> None:
    """Two bodies with members, six meetings with agendas, decisions and roll-call votes (idempotent)."""
    from cityhall.decisions.demo import demo_load as load

    load(log)


__all__ = [
    "DecisionRef",
    "LinkKind",
    "RegisteredDocument",
    "decision_ref",
    "decision_refs",
    "decisions_concerning",
    "demo_load",
    "document_lookup",
    "document_register",
]
