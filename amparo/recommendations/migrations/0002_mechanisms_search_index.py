"""The mechanisms (reference data) and, on PostgreSQL, the full-text index of recommendations."""

from django.db import migrations

MECHANISMS = [
    (
        "CMW",
        "treaty_body",
        "Comité de Protección de los Derechos de Todos los Trabajadores Migratorios y de Sus Familiares",
        "Committee on Migrant Workers",
    ),
    (
        "CERD",
        "treaty_body",
        "Comité para la Eliminación de la Discriminación Racial",
        "Committee on the Elimination of Racial Discrimination",
    ),
    (
        "CRC",
        "treaty_body",
        "Comité de los Derechos del Niño",
        "Committee on the Rights of the Child",
    ),
    (
        "CEDAW",
        "treaty_body",
        "Comité para la Eliminación de la Discriminación contra la Mujer",
        "Committee on the Elimination of Discrimination against Women",
    ),
    ("CAT", "treaty_body", "Comité contra la Tortura", "Committee against Torture"),
    ("CCPR", "treaty_body", "Comité de Derechos Humanos", "Human Rights Committee"),
    (
        "CESCR",
        "treaty_body",
        "Comité de Derechos Económicos, Sociales y Culturales",
        "Committee on Economic, Social and Cultural Rights",
    ),
    ("UPR", "upr", "Examen Periódico Universal", "Universal Periodic Review"),
    ("SP", "special_procedure", "Procedimientos especiales", "Special procedures"),
    (
        "IACHR",
        "inter_american",
        "Comisión Interamericana de Derechos Humanos",
        "Inter-American Commission on Human Rights",
    ),
    (
        "IACTHR",
        "inter_american",
        "Corte Interamericana de Derechos Humanos",
        "Inter-American Court of Human Rights",
    ),
]


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    Mechanism = apps.get_model("recommendations", "Mechanism")
    for code, kind, es, en in MECHANISMS:
        Mechanism.objects.update_or_create(
            code=code, defaults={"kind": kind, "name_es": es, "name_en": en}
        )


def index(apps, schema_editor):  # type: ignore[no-untyped-def]
    # Stemmed in both languages over the accent-free column; PostgreSQL only.
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS recs_search_fts ON recommendations_recommendation USING gin "
        "((to_tsvector('spanish'::regconfig, search_text) || "
        "to_tsvector('english'::regconfig, search_text)))"
    )


def unindex(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS recs_search_fts")


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0001_initial")]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
        migrations.RunPython(index, unindex),
    ]
