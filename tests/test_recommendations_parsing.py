"""The parser: the Committee's summary record, concluding observations, formats and bad input."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from amparo.recommendations.errors import ParseError
from amparo.recommendations.parsing import parse_bytes, parse_file, parse_text, sentences

SOURCES = Path(__file__).resolve().parents[1].parent / "shared" / "sources"
SR = SOURCES / "CMW-C-SR.413.txt"
DATA = Path(__file__).parent / "recommendations_data"

# Who speaks from which paragraph on, read off the record by hand.
EXPECTED_TURNS = [
    (1, "Mr. Ünver", None, "chair"),
    (2, "Mr. Borrayo Reyes", "Guatemala", "delegation"),
    (28, "Ms. Landázuri de Mora", None, "committee"),
    (31, "Mr. Botero Navarro", None, "committee"),
    (33, "Mr. Kariyawasam", None, "committee"),
    (34, "Ms. Dzumhur", None, "committee"),
    (35, "Mr. Núñez-Melgar Maguiña", None, "committee"),
    (36, "Mr. Frasheri", None, "committee"),
    (37, "Mr. Borrayo Reyes", "Guatemala", "delegation"),
    (39, "Mr. Morales Cancino", "Guatemala", "delegation"),
    (41, "Mr. Borrayo Reyes", "Guatemala", "delegation"),
    (42, "Mr. García Saénz", "Guatemala", "delegation"),
    (45, "Mr. Borrayo Reyes", "Guatemala", "delegation"),
    (46, "Mr. Romero García", "Guatemala", "delegation"),
    (49, "Mr. Aguilera Bolaños", "Guatemala", "delegation"),
    (51, "Ms. Müller Cabrera", "Guatemala", "delegation"),
    (53, "Mr. Figueroa Álvarez", "Guatemala", "delegation"),
    (54, "Ms. Contreras Mejía", "Guatemala", "delegation"),
    (55, "Mr. Narez Noriega", "Guatemala", "delegation"),
    (57, "Mr. Borrayo Reyes", "Guatemala", "delegation"),
    (58, "Ms. Landázuri de Mora", None, "committee"),
    (59, "Mr. Charef", None, "committee"),
    (60, "Mr. Botero Navarro", None, "committee"),
    (66, "Mr. Kariyawasam", None, "committee"),
    (67, "Mr. Oumaria", None, "committee"),
]


@pytest.fixture(scope="module")
def record():  # type: ignore[no-untyped-def]
    if not SR.exists():
        pytest.skip(f"{SR} is not on this machine")
    return parse_file(SR)


def test_summary_record_has_its_67_paragraphs(record) -> None:  # type: ignore[no-untyped-def]
    assert [p.number for p in record.paragraphs] == list(range(1, 68))
    assert record.symbol == "CMW/C/SR.413"
    assert record.kind == "summary_record"
    assert record.language == "en"
    assert record.paragraphs[13].text.startswith("Initiatives to raise awareness")
    assert "CMW/C/GTM/2" in record.related_symbols
    # A mark left by the word processor is not part of paragraph 10.
    assert "bookmark" not in record.paragraphs[9].text


def test_every_speaker_identified(record) -> None:  # type: ignore[no-untyped-def]
    got = [(t.paragraph, t.speaker, t.country, t.role) for t in record.turns]
    assert got == EXPECTED_TURNS
    covered = sorted(n for t in record.turns for n in t.paragraphs)
    assert covered == list(range(1, 68))  # every paragraph belongs to someone's turn
    rapporteurs = {t.speaker for t in record.turns if t.function == "Country Rapporteur"}
    assert rapporteurs == {"Ms. Landázuri de Mora", "Mr. Botero Navarro"}


def test_questions_linked_to_answers(record) -> None:  # type: ignore[no-untyped-def]
    questions = {q.paragraph: q for t in record.turns for q in t.questions}
    assert all(t.questions == [] for t in record.turns if t.role == "delegation")
    # The disappeared: asked in 29, answered by the consular figures of paragraph 43.
    disappeared = next(
        q for t in record.turns for q in t.questions if "disappeared migrants" in q.text
    )
    assert 43 in disappeared.answered_in
    # Extortion by officials: asked in 31, answered in 46.
    extortion = next(
        q for t in record.turns for q in t.questions if "extortion involving" in q.text
    )
    assert extortion.answered_in == [46]
    # Nothing after paragraph 57 was answered in this meeting.
    late = [q for t, q in record.unanswered() if q.paragraph >= 58]
    assert len(late) == len([q for n, q in questions.items() if n >= 58]) or late
    assert all(not q.answered_in for t in record.turns for q in t.questions if q.paragraph >= 58)
    assert any(q.paragraph == 66 for _, q in record.unanswered())


def test_command_line_contract(record, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    out = tmp_path / "sr.json"
    call_command("recommendations", "parse", str(SR), "--out", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["symbol"] == "CMW/C/SR.413"
    assert data["kind"] == "summary_record"
    assert len(data["paragraphs"]) == 67
    assert set(data["paragraphs"][0]) >= {"number", "heading", "text", "sub_items"}
    turn = data["turns"][1]
    assert turn == {**turn, "paragraph": 2, "speaker": "Mr. Borrayo Reyes", "country": "Guatemala"}
    assert turn["role"] == "delegation"
    assert data["turns"][2]["questions"]
    assert data["unanswered_questions"]
    assert data["recommendations"] == []


def test_concluding_observations_english() -> None:
    doc = parse_file(DATA / "co_sample_en.txt")
    assert doc.symbol == "CMW/C/XYZ/CO/3"
    assert doc.kind == "concluding_observations"
    assert doc.language == "en"
    assert [p.number for p in doc.paragraphs] == list(
        range(1, 9)
    )  # "1. General measures" is a heading
    assert doc.positive_aspects == [2, 3]
    assert doc.concerns == [4, 6]
    recs = [(r.paragraph, r.sub_item) for r in doc.recommendations]
    assert recs == [(5, "a"), (5, "b"), (5, "c"), (7, None), (8, None)]
    assert doc.recommendations[0].chapeau == "The Committee recommends that the State party:"
    assert doc.paragraphs[5].heading == "Trafficking in persons"
    assert doc.paragraphs[5].section.startswith("C. Principal subjects")


def test_concluding_observations_spanish_inline_sub_items() -> None:
    doc = parse_file(DATA / "co_sample_es.txt")
    assert doc.language == "es"
    assert doc.concerns == [3]
    assert doc.positive_aspects == [2]
    assert [(r.paragraph, r.sub_item) for r in doc.recommendations] == [
        (4, "a"),
        (4, "b"),
        (5, None),
    ]
    assert doc.recommendations[1].text.startswith("publique cada año")


def test_out_of_order_paragraphs_named() -> None:
    text = (
        (DATA / "co_sample_en.txt")
        .read_text(encoding="utf-8")
        .replace("6. The Committee notes", "9. The Committee notes")
    )
    from django.utils import translation

    with translation.override("en"), pytest.raises(ParseError) as err:
        parse_text(text, filename="x.txt")
    assert "Paragraph 9" in err.value.message and "paragraph 5" in err.value.message
    assert err.value.line == 19


def test_unexpected_language() -> None:
    french = (
        "Observations finales\n1. Le Comité se félicite de la présentation du rapport et du "
        "dialogue avec la délégation de l'État partie, qui est composée de représentants des "
        "ministères.\n2. Le Comité recommande à l'État partie de ratifier la convention dans les "
        "meilleurs délais et de publier les données sur les travailleurs migrants.\n"
    )
    with pytest.raises(ParseError) as err:
        parse_text(french)
    assert "french" in err.value.message.lower() or "francés" in err.value.message.lower()


def test_too_little_text_and_empty() -> None:
    with pytest.raises(ParseError):
        parse_text("1. Hola.")
    with pytest.raises(ParseError):
        parse_bytes("a.txt", b"   \n")
    with pytest.raises(ParseError):
        parse_bytes("a.txt", b"\x00\x01binary\x00")


def test_docx_input() -> None:
    import docx

    document = docx.Document()
    for line in (DATA / "co_sample_en.txt").read_text(encoding="utf-8").splitlines():
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    doc = parse_bytes("CMW-C-XYZ-CO-3.docx", buf.getvalue())
    assert len(doc.paragraphs) == 8 and len(doc.recommendations) == 5


def test_docx_damaged() -> None:
    with pytest.raises(ParseError):
        parse_bytes("x.docx", b"PK\x03\x04 not really a zip")


def _pdf(lines: list[str]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    y = 800
    for line in lines:
        c.drawString(40, y, line)
        y -= 14
    c.save()
    return buf.getvalue()


def test_pdf_with_wrapped_lines() -> None:
    data = _pdf(
        [
            "Concluding observations on the report of Xyzland",
            "1. The Committee is concerned that the State party has no single",
            "register of returned migrant workers.",
            "2. The Committee recommends that the State party:",
            "(a) Set up a single register of returned migrant workers, broken",
            "down by sex and age;",
            "(b) Publish every year the number of missing migrants.",
        ]
    )
    doc = parse_bytes("CMW-C-XYZ-CO-3.pdf", data)
    assert doc.paragraphs[0].text.endswith("has no single register of returned migrant workers.")
    assert doc.concerns == [1]
    assert doc.recommendations[0].text.endswith("broken down by sex and age;")


def test_scanned_pdf_refused() -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.rect(40, 40, 400, 700, fill=1)  # an image-like page: no text layer
    c.save()
    with pytest.raises(ParseError) as err:
        parse_bytes("scan.pdf", buf.getvalue())
    assert "OCR" in err.value.message


def test_sentences_keep_titles() -> None:
    assert sentences("Mr. X said so. Ms. Y asked why? Then at 3 p.m. It ended.") == [
        "Mr. X said so.",
        "Ms. Y asked why?",
        "Then at 3 p.m. It ended.",
    ]


def test_docx_automatic_numbering_counted_back() -> None:
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def numbered(document, text: str, level: int) -> None:  # type: ignore[no-untyped-def]
        para = document.add_paragraph(text)
        num_pr = OxmlElement("w:numPr")
        ilvl = OxmlElement("w:ilvl")
        ilvl.set(qn("w:val"), str(level))
        num_id = OxmlElement("w:numId")
        num_id.set(qn("w:val"), "1")
        num_pr.append(ilvl)
        num_pr.append(num_id)
        para._p.get_or_add_pPr().append(num_pr)

    document = docx.Document()
    document.add_paragraph("Concluding observations on the report of Xyzland")
    numbered(document, "The Committee is concerned that there is no register of returnees.", 0)
    numbered(document, "The Committee recommends that the State party:", 0)
    numbered(document, "Set up a single register of returned migrant workers;", 1)
    numbered(document, "Publish the number of missing migrants every year.", 1)
    buf = io.BytesIO()
    document.save(buf)
    doc = parse_bytes("CMW-C-XYZ-CO-3.docx", buf.getvalue())
    assert [p.number for p in doc.paragraphs] == [1, 2]
    assert [(r.paragraph, r.sub_item) for r in doc.recommendations] == [(2, "a"), (2, "b")]
