"""The full-text index of decisions: an FTS5 table on SQLite, a tsvector table with GIN on PostgreSQL."""

from typing import Any

from django.db import migrations

from cityhall.decisions import search


def create(apps: Any, schema_editor: Any) -> None:
    for statement in search.create_index(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def drop(apps: Any, schema_editor: Any) -> None:
    for statement in search.drop_index(schema_editor.connection.vendor):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("decisions", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
