from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from cityhall.core.audit import Actor, audit_record, audit_verify
from cityhall.core.models import GENESIS_HASH, AuditEvent

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("test")


def record(n: int) -> list[AuditEvent]:
    return [
        audit_record(
            actor=SYSTEM,
            action="thing.change",
            object_type="thing",
            object_id=str(i),
            data={"step": i, "text": "ñandú — مرحبا"},
        )
        for i in range(n)
    ]


def tamper(sql: str, params: list[object]) -> None:
    """Change the table the way someone with raw database access would, bypassing the triggers."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER core_auditevent_no_update")
            cursor.execute(sql, params)


def test_events_form_a_chain_from_the_genesis_hash() -> None:
    first, second, third = record(3)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert [first.seq, second.seq, third.seq] == [second.seq - 1, second.seq, second.seq + 1]


def test_verify_accepts_an_untouched_chain() -> None:
    record(5)
    result = audit_verify()
    assert result.ok
    assert result.checked == AuditEvent.objects.count()


def test_an_audit_row_rolls_back_with_the_change_it_records() -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=SYSTEM, action="thing.change", object_type="thing")
        raise RuntimeError("the change failed")
    assert AuditEvent.objects.count() == before
    assert audit_verify().ok


def test_the_database_refuses_to_update_an_event() -> None:
    event = record(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET action = %s WHERE seq = %s", ["forged", event.seq])
    event.refresh_from_db()
    assert event.action == "thing.change"


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_refuses_to_delete_an_event() -> None:
    event = record(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE seq = %s", [event.seq])


def test_verify_command_names_the_row_edited_behind_the_platforms_back() -> None:
    events = record(4)
    target = events[2]
    tamper("UPDATE core_auditevent SET data = %s WHERE seq = %s", ['{"step": 999}', target.seq])

    with pytest.raises(CommandError) as caught:
        call_command("audit", "verify")

    assert f"#{target.seq}" in str(caught.value)
    assert "changed after it was written" in str(caught.value)


def test_verify_finds_an_event_removed_from_the_middle() -> None:
    events = record(4)
    tamper("DELETE FROM core_auditevent WHERE seq = %s", [events[1].seq])
    result = audit_verify()
    assert result.first_bad_seq == events[1].seq
    assert "missing" in result.reason


def test_verify_finds_events_removed_from_the_end() -> None:
    events = record(3)
    tamper("DELETE FROM core_auditevent WHERE seq = %s", [events[-1].seq])
    result = audit_verify()
    assert result.first_bad_seq == events[-1].seq
    assert "removed from the end" in result.reason


def test_verify_command_reports_an_intact_chain(capsys: pytest.CaptureFixture[str]) -> None:
    record(2)
    call_command("audit", "verify")
    assert "Audit chain intact" in capsys.readouterr().out
