"""Documents and UHRI exports in: stored, re-importable without duplicates, changes versioned."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from amparo.core.errors import InvalidInput
from amparo.core.models import AuditEntry, Role
from amparo.core.permissions import Forbidden
from amparo.recommendations.actions import document_import
from amparo.recommendations.models import Document, Recommendation, RecommendationTag
from amparo.recommendations.uhri import iter_records, uhri_import

DATA = Path(__file__).parent / "recommendations_data"
SR = Path(__file__).resolve().parents[1].parent / "shared" / "sources" / "CMW-C-SR.413.txt"

pytestmark = pytest.mark.django_db


def uhri_records(n: int = 3, text_suffix: str = "") -> list[dict]:
    return [
        {
            "AnnotationId": f"A-{i}",
            "Symbol": "CMW/C/GTM/CO/2",
            "Body": "CMW",
            "Text": f"{20 + i}. The Committee recommends that the State party ensure access "
            f"to justice for migrant workers number {i}{text_suffix}.",
            "Themes": ["Migrants", "Administration of justice"],
            "AffectedPersons": ["Migrant workers"],
            "Sdgs": [{"Name": "16.3"}],
            "PublicationDate": "2019-10-02T00:00:00",
            "UprCycle": None,
        }
        for i in range(n)
    ]


def as_stream(records: object) -> io.BytesIO:
    return io.BytesIO(json.dumps(records, ensure_ascii=False).encode())


def test_concluding_observations_import_and_reimport(make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user(Role.ANALYST, "COPADEH")
    data = (DATA / "co_sample_en.txt").read_bytes()
    first = document_import(actor=user, name="co.txt", data=data)
    doc = first.document
    assert (doc.symbol, doc.kind, doc.mechanism_id) == (
        "CMW/C/XYZ/CO/3",
        "concluding_observations",
        "CMW",
    )
    assert doc.paragraphs.count() == 8
    assert first.result.created == 5
    keys = set(Recommendation.objects.values_list("key", flat=True))
    assert "CMW/C/XYZ/CO/3#5a" in keys and "CMW/C/XYZ/CO/3#7" in keys
    # Suggested tags, never confirmed by themselves.
    rec = Recommendation.objects.get(key="CMW/C/XYZ/CO/3#7")
    suggested = set(rec.tags.values_list("vocabulary", "code"))
    assert ("theme", "trafficking") in suggested
    assert not rec.tags.exclude(state=RecommendationTag.State.SUGGESTED).exists()
    # The same file again: nothing new, nothing changed.
    again = document_import(actor=user, name="co.txt", data=data)
    assert (again.result.created, again.result.changed, again.result.unchanged) == (0, 0, 5)
    assert Recommendation.objects.count() == 5 and Document.objects.count() == 1
    # A corrected text: the same record, a new version, the old text kept.
    changed = data.replace(b"border departments", b"border and coastal departments")
    third = document_import(actor=user, name="co.txt", data=changed)
    assert third.result.changed == 1
    rec.refresh_from_db()
    assert rec.version == 2 and "coastal" in rec.text
    assert "coastal" not in rec.history[-1]["text"]
    assert AuditEntry.objects.filter(action="recommendations.document_import").count() == 3


def test_summary_record_import_keeps_turns(make_user) -> None:  # type: ignore[no-untyped-def]
    if not SR.exists():
        pytest.skip("no summary record")
    user = make_user(Role.ANALYST, "COPADEH")
    imported = document_import(actor=user, name=SR.name, data=SR.read_bytes())
    doc = imported.document
    assert doc.kind == "summary_record" and doc.paragraphs.count() == 67
    assert doc.turns.count() == 25
    assert doc.turns.get(paragraph=2).country == "Guatemala"


def test_document_bad_input(make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user(Role.ANALYST, "COPADEH")
    with pytest.raises(InvalidInput) as err:
        document_import(actor=user, name="x.pdf", data=b"%PDF-1.4 garbage")
    assert "file" in err.value.errors
    text = (DATA / "co_sample_en.txt").read_text().replace("CMW/C/XYZ/CO/3", "")
    with pytest.raises(InvalidInput) as err:
        document_import(actor=user, name="x.txt", data=text.encode())
    assert "symbol" in err.value.errors
    with pytest.raises(Forbidden):
        document_import(actor=make_user(Role.AUDITOR, "COPADEH"), name="x.txt", data=b"1. x")
    assert not Document.objects.exists()


def test_uhri_import_reimport_and_changes(make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user(Role.SUPERVISOR, "COPADEH")
    result = uhri_import(actor=user, stream=as_stream(uhri_records(3)))
    assert (result.created, result.changed, result.unchanged) == (3, 0, 0)
    rec = Recommendation.objects.get(key="uhri:A-1")
    assert rec.paragraph == 21 and rec.source_sdgs == ["16.3"] and rec.mechanism_id == "CMW"
    assert rec.published_on.isoformat() == "2019-10-02"
    assert rec.search_text.startswith("cmw/c/gtm/co/2 21.")
    result = uhri_import(actor=user, stream=as_stream(uhri_records(3)))
    assert (result.created, result.changed, result.unchanged) == (0, 0, 3)
    result = uhri_import(actor=user, stream=as_stream(uhri_records(4, " (revised)")))
    assert (result.created, result.changed, result.unchanged) == (1, 3, 0)
    rec.refresh_from_db()
    assert rec.version == 2 and rec.history[0]["text"].endswith("number 1.")
    assert Recommendation.objects.count() == 4


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        (b'[{"AnnotationId": "1", "Body": "CMW", "Text": "x"}, {"AnnotationId": ', "Record 2"),
        (b'{"AnnotationId": "1"}', "JSON array"),
        (b'[{"AnnotationId": "1", "Body": "CMW", "Text": "x"} {"a": 1}]', "After record 1"),
        (b'[{"Body": "CMW", "Text": "x"}]', "AnnotationId"),
        (b'[{"AnnotationId": "1", "Body": "XYZ", "Text": "x"}]', "Body"),
        (b'[{"AnnotationId": "1", "Body": "CMW", "Text": ""}]', "Text"),
        (
            b'[{"AnnotationId": "1", "Body": "CMW", "Text": "x", "PublicationDate": "2019-13-40"}]',
            "PublicationDate",
        ),
        (b"[]", "no records"),
        (b'[{"AnnotationId": "1", "Body": "CMW", "Text": "x"}] trailing', "after the end"),
        (b"[\xff\xfe]", "UTF-8"),
        (b"[1]", "not a JSON object"),
    ],
)
def test_uhri_malformed_nothing_imported(make_user, payload: bytes, fragment: str) -> None:  # type: ignore[no-untyped-def]
    from django.utils import translation

    translation.activate("en")
    user = make_user(Role.SUPERVISOR, "COPADEH")
    with pytest.raises(InvalidInput) as err:
        uhri_import(actor=user, stream=io.BytesIO(payload))
    message = " ".join(err.value.errors["file"])
    assert fragment in message and "Nothing was imported" in message
    assert not Recommendation.objects.exists()


def test_uhri_bad_record_after_a_full_batch_keeps_nothing(make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user(Role.SUPERVISOR, "COPADEH")
    good = json.dumps(uhri_records(2100))[:-1].encode()  # more than a batch, then a bad tail
    with pytest.raises(InvalidInput):
        uhri_import(actor=user, stream=io.BytesIO(good + b", {broken}]"))
    assert not Recommendation.objects.exists()


def test_stream_reader_small_chunks(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from amparo.recommendations import uhri

    monkeypatch.setattr(uhri, "CHUNK", 7)  # records and UTF-8 characters cut across chunks
    records = [{"AnnotationId": i, "Text": "Migración ñandú " * 3, "n": 12345} for i in range(50)]
    got = [v for _, v in iter_records(as_stream(records))]
    assert got == records


def test_uhri_command(make_user, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    path = tmp_path / "uhri.json"
    path.write_text(json.dumps(uhri_records(2)))
    out = io.StringIO()
    call_command("recommendations", "import-uhri", str(path), stdout=out)
    assert "2 created" in out.getvalue()


def test_uhri_nul_characters_dropped(make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user(Role.SUPERVISOR, "COPADEH")
    payload = (
        b'[{"AnnotationId": "N\\u00001", "Symbol": "CMW/C/GTM/CO/2\\u0000", "Body": "CMW", '
        b'"Text": "Ensure\\u0000 access to justice.", "Themes": ["Mig\\u0000rants"], '
        b'"UprPosition": "Supp\\u0000orted"}]'
    )
    uhri_import(actor=user, stream=io.BytesIO(payload))
    rec = Recommendation.objects.get()
    assert (rec.key, rec.symbol, rec.text) == (
        "uhri:N1",
        "CMW/C/GTM/CO/2",
        "Ensure access to justice.",
    )
    assert rec.source_themes == ["Migrants"] and rec.upr == {"UprPosition": "Supported"}
