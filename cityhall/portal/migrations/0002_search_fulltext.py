"""Full-text indexes for the site search, per database: SQLite FTS5 (kept in step by triggers) or a
PostgreSQL GIN index on the stored tsvector. Reversible."""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE portal_searchentry_fts USING fts5(
        title, summary, body, content='portal_searchentry', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER portal_searchentry_ai AFTER INSERT ON portal_searchentry BEGIN
        INSERT INTO portal_searchentry_fts(rowid, title, summary, body)
        VALUES (new.id, new.title, new.summary, new.body); END""",
    """CREATE TRIGGER portal_searchentry_ad AFTER DELETE ON portal_searchentry BEGIN
        INSERT INTO portal_searchentry_fts(portal_searchentry_fts, rowid, title, summary, body)
        VALUES ('delete', old.id, old.title, old.summary, old.body); END""",
    """CREATE TRIGGER portal_searchentry_au AFTER UPDATE ON portal_searchentry BEGIN
        INSERT INTO portal_searchentry_fts(portal_searchentry_fts, rowid, title, summary, body)
        VALUES ('delete', old.id, old.title, old.summary, old.body);
        INSERT INTO portal_searchentry_fts(rowid, title, summary, body)
        VALUES (new.id, new.title, new.summary, new.body); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS portal_searchentry_au",
    "DROP TRIGGER IF EXISTS portal_searchentry_ad",
    "DROP TRIGGER IF EXISTS portal_searchentry_ai",
    "DROP TABLE IF EXISTS portal_searchentry_fts",
]
POSTGRES_FORWARD = [
    "CREATE INDEX portal_searchentry_vector_idx ON portal_searchentry USING gin (search_vector)",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS portal_searchentry_vector_idx"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_information_services_search")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
            elidable=False,
        )
    ]
