"""PostgreSQL: a stored, generated tsvector column (Spanish and English stemming over the
accent-free `search_text`) with a GIN index. PostgreSQL keeps it up to date on every write, and
a search reads the stored vector instead of recomputing it for every matching row (the
expression index of 0002 did, which cost ~85 µs a row). SQLite has neither: queries.search
falls back to matching stems there."""

from django.db import migrations

VECTOR = (
    "to_tsvector('spanish'::regconfig, COALESCE(search_text, '')) || "
    "to_tsvector('english'::regconfig, COALESCE(search_text, ''))"
)


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS recs_search_fts")
    schema_editor.execute(
        "ALTER TABLE recommendations_recommendation ADD COLUMN IF NOT EXISTS search_vector "
        f"tsvector GENERATED ALWAYS AS ({VECTOR}) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS recs_search_vector ON recommendations_recommendation "
        "USING gin (search_vector)"
    )


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS recs_search_vector")
        schema_editor.execute(
            "ALTER TABLE recommendations_recommendation DROP COLUMN IF EXISTS search_vector"
        )


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0002_mechanisms_search_index")]

    operations = [migrations.RunPython(forward, backward)]
