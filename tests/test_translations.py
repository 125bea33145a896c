"""Spanish comes first: every interface string has a Spanish translation, none fuzzy."""

from pathlib import Path

from babel.messages.pofile import read_po
from django.conf import settings

CATALOG = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"


def test_every_string_is_translated_to_spanish() -> None:
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    missing = [
        m.id
        for m in catalog
        if m.id and (m.fuzzy or not (all(m.string) if isinstance(m.string, tuple) else m.string))
    ]
    assert missing == [], f"untranslated or fuzzy: {missing}"


def test_timeline_labels_are_spanish(caseworker, person) -> None:  # type: ignore[no-untyped-def]
    from amparo.people.queries import person_timeline

    labels = [e.label for e in person_timeline(actor=caseworker, person=person)]
    assert "Registro creado" in labels
