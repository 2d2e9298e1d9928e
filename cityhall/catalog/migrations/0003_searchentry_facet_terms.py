"""The facet term ids of each search entry in one column beside it, filled from the facet rows.
Reversible.

PostgreSQL: `bigint[]` with a GIN index (facet filters), counted with unnest.
SQLite: a JSON array in text, and a covering index (id, state, private, metadata_modified, dataset_id,
facet_terms) so that a full-text search reads what it needs of each match from the index instead of
the wide entry row. Adding (and removing) a NOT NULL column rebuilds catalog_searchentry on SQLite,
which drops the triggers that keep the FTS5 table in step (migration 0002) and any index made by hand:
they are created again after each rebuild, the FTS5 index is rebuilt from the entries and the table
analysed (the planner uses the covering index when it has statistics).
"""

from django.db import migrations

import cityhall.catalog.models

FILL = {
    "postgresql": """UPDATE catalog_searchentry e SET facet_terms = ARRAY(
        SELECT f.term_id FROM catalog_searchfacet f WHERE f.entry_id = e.id ORDER BY f.term_id)""",
    "sqlite": """UPDATE catalog_searchentry SET facet_terms = (
        SELECT coalesce(json_group_array(term_id), '[]') FROM (
            SELECT f.term_id FROM catalog_searchfacet f WHERE f.entry_id = catalog_searchentry.id
            ORDER BY f.term_id))""",
}
SQLITE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS catalog_searchentry_ai",
    "DROP TRIGGER IF EXISTS catalog_searchentry_ad",
    "DROP TRIGGER IF EXISTS catalog_searchentry_au",
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
    "INSERT INTO catalog_search_fts(catalog_search_fts) VALUES ('rebuild')",
]
SQLITE_COVERING_INDEX = """CREATE INDEX IF NOT EXISTS catalog_searchentry_cover_idx ON catalog_searchentry
    (id, state, private, metadata_modified, dataset_id, facet_terms)"""
SQLITE_COVERING_INDEX_DROP = "DROP INDEX IF EXISTS catalog_searchentry_cover_idx"
POSTGRES_INDEX = "CREATE INDEX catalog_searchentry_terms_idx ON catalog_searchentry USING gin (facet_terms)"
POSTGRES_INDEX_DROP = "DROP INDEX IF EXISTS catalog_searchentry_terms_idx"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor in FILL:
        schema_editor.execute(FILL[vendor])
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_INDEX)
    elif vendor == "sqlite":
        restore_sqlite_triggers(apps, schema_editor)
        schema_editor.execute(SQLITE_COVERING_INDEX)
    if vendor in FILL:
        schema_editor.execute("ANALYZE catalog_searchentry")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_INDEX_DROP)
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_COVERING_INDEX_DROP)


def restore_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_search_fulltext")]

    operations = [
        # Backwards, this runs last: after RemoveField (which may rebuild the table).
        migrations.RunPython(migrations.RunPython.noop, restore_sqlite_triggers, elidable=False),
        migrations.AddField(
            model_name="searchentry",
            name="facet_terms",
            field=cityhall.catalog.models.TermIdsField(default=list),
        ),
        migrations.RunPython(forward, backward, elidable=False),
    ]
