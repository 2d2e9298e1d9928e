"""Schema: database triggers that refuse UPDATE (and, on PostgreSQL, DELETE) of audit events.

The hash chain detects any change; these triggers stop the application's own connection from
making one. On SQLite a DELETE trigger would also block Django's test flush, so deletion there is
caught by `cityhall audit verify` (a missing seq) rather than refused. In production the app's
PostgreSQL role should also lack TRUNCATE on core_auditevent (docs/deploy.md).
"""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION cityhall_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_auditevent is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditevent_append_only
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION cityhall_audit_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
DROP FUNCTION IF EXISTS cityhall_audit_append_only();
"""
SQLITE_UP = """
CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
BEGIN
    SELECT RAISE(ABORT, 'core_auditevent is append-only: UPDATE refused');
END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS core_auditevent_no_update;"


def _run(schema_editor, sql_by_vendor):
    sql = sql_by_vendor.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql, None)


def forwards(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP})


def backwards(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN})


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_chain_head")]
    operations = [migrations.RunPython(forwards, backwards)]
