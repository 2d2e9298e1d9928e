"""Full-text index of the catalog search, per database: an FTS5 table kept in step by triggers on
SQLite, a GIN index on the stored tsvector on PostgreSQL. Reversible."""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE catalog_search_fts USING fts5(
        name, title, keywords, body, content='catalog_searchentry', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER catalog_searchentry_ai AFTER INSERT ON catalog_searchentry BEGIN
        INSERT INTO catalog_search_fts(rowid, name, title, keywords, body)
        VALUES (new.id, new.name, new.title, new.keywords, new.body); END""",
    """CREATE TRIGGER catalog_searchentry_ad AFTER DELETE ON catalog_searchentry BEGIN
        INSERT INTO catalog_search_fts(catalog_search_fts, rowid, name, title, keywords, body)
        VALUES ('delete', old.id, old.name, old.title, old.keywords, old.body); END""",
    """CREATE TRIGGER catalog_searchentry_au AFTER UPDATE ON catalog_searchentry BEGIN
        INSERT INTO catalog_search_fts(catalog_search_fts, rowid, name, title, keywords, body)
        VALUES ('delete', old.id, old.name, old.title, old.keywords, old.body);
        INSERT INTO catalog_search_fts(rowid, name, title, keywords, body)
        VALUES (new.id, new.name, new.title, new.keywords, new.body); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS catalog_searchentry_au",
    "DROP TRIGGER IF EXISTS catalog_searchentry_ad",
    "DROP TRIGGER IF EXISTS catalog_searchentry_ai",
    "DROP TABLE IF EXISTS catalog_search_fts",
]
POSTGRES_FORWARD = [
    "CREATE INDEX catalog_searchentry_vector_idx ON catalog_searchentry USING gin (search_vector)",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS catalog_searchentry_vector_idx"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_datasets")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
            elidable=False,
        )
    ]
