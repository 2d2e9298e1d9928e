"""The tamper-evident audit log: append in the caller's transaction, verify the whole chain.

hash = SHA-256(prev_hash || canonical_json(row without hash)); writers lock the chain head.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from cityhall.core.canonical import canonical_json
from cityhall.core.models import GENESIS_HASH, AuditChainHead, AuditEvent


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did something: a user (by public id) or a named system process."""

    ref: str
    role: str = ""

    @classmethod
    def system(cls, name: str) -> Actor:
        return cls(ref=f"system:{name}", role="system")


def _event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(
        event.prev_hash.encode("ascii") + canonical_json(event.chained_fields())
    ).hexdigest()


def audit_record(
    *,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str = "",
    data: dict[str, Any] | None = None,
    purpose: str = "",
) -> AuditEvent:
    """Append one event. Joins the caller's transaction, so it commits or rolls back with the change."""
    with transaction.atomic():
        # The head row comes with the migrations; get_or_create also survives a test-database flush.
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"seq": 0, "hash": GENESIS_HASH}
        )
        event = AuditEvent(
            seq=head.seq + 1,
            at=timezone.now(),
            actor=actor.ref,
            actor_role=actor.role,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            purpose=purpose,
            data=data or {},
            prev_hash=head.hash,
        )
        # Store and hash what the database will give back, so verification sees the same bytes.
        event.data = _json_roundtrip(event.data)
        event.hash = _event_hash(event)
        event.save(force_insert=True)
        head.seq = event.seq
        head.hash = event.hash
        head.save(update_fields=["seq", "hash"])
    return event


def _json_roundtrip(value: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(canonical_json(value))
    return result


@dataclass(frozen=True, slots=True)
class ChainVerification:
    checked: int
    first_bad_seq: int | None
    reason: str

    @property
    def ok(self) -> bool:
        return self.first_bad_seq is None


def _events(chunk: int = 2000) -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk)


def audit_verify() -> ChainVerification:
    """Walk the chain from the start and name the first link that does not hold."""
    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    for event in _events():
        if event.seq != expected_seq:
            return ChainVerification(
                checked,
                expected_seq,
                f"event #{expected_seq} is missing (next found is #{event.seq})",
            )
        if event.prev_hash != prev_hash:
            return ChainVerification(
                checked,
                event.seq,
                f"event #{event.seq} does not point to the hash of the event before it",
            )
        if _event_hash(event) != event.hash:
            return ChainVerification(
                checked, event.seq, f"event #{event.seq} was changed after it was written"
            )
        prev_hash = event.hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first() or AuditChainHead(seq=0, hash=GENESIS_HASH)
    if head.seq != checked or head.hash != prev_hash:
        return ChainVerification(
            checked,
            checked + 1,
            f"the chain ends at #{checked} but its head says #{head.seq}: events were removed from the end",
        )
    return ChainVerification(checked, None, "")
