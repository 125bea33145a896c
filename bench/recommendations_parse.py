"""Parsing a 60-page UN document: target ≤ 2 s (issue 9).

The document is built from the Committee's summary record (../shared/sources/CMW-C-SR.413.txt),
its paragraphs repeated and renumbered until it is 60 pages long (500 words a page, the density
of a UN summary record), so speaker turns, questions and the question-answer linking all run
at full size. Measured in the same run: the same text as plain text and as a PDF (pypdf text
extraction included), and a 60-page concluding-observations document.

Usage: .venv/bin/python bench/recommendations_parse.py
"""

from __future__ import annotations

import io
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from amparo.recommendations.parsing import parse_bytes  # noqa: E402

SR = ROOT.parent / "shared" / "sources" / "CMW-C-SR.413.txt"
PAGES = 60
WORDS_PER_PAGE = 500


def sixty_page_record() -> str:
    lines = SR.read_text(encoding="utf-8").splitlines()
    head = [ln for ln in lines[:4]]
    body = [re.sub(r"^\d+\.\s+", "", ln) for ln in lines if re.match(r"^\d+\.\s", ln)]
    out, n, words = list(head), 0, 0
    while words < PAGES * WORDS_PER_PAGE:
        for text in body:
            n += 1
            out.append(f"{n}. {text}")
            words += len(text.split())
    out.append("The meeting rose at 6 p.m.")
    return "\n".join(out)


def sixty_page_observations() -> str:
    out = ["Concluding observations on the third periodic report of Xyzland", "CMW/C/XYZ/CO/3"]
    n, words = 0, 0
    section = 0
    while words < PAGES * WORDS_PER_PAGE:
        section += 1
        out.append(f"Subject {section}")
        for text in (
            "The Committee is concerned that migrant workers returned from abroad are not "
            "registered and that the figures given on missing migrants differ from those of "
            "civil society organisations working along the migration route.",
            "The Committee recommends that the State party:",
        ):
            n += 1
            out.append(f"{n}. {text}")
            words += len(text.split())
        for letter in "abcd":
            item = (
                "Set up a single register of returned migrant workers, broken down by sex, age, "
                "nationality and department of origin, and publish it every year;"
            )
            out.append(f"({letter}) {item}")
            words += len(item.split())
    return "\n".join(out)


def as_pdf(text: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    # The type of a UN document (11 pt, generous leading): about 500 words a page.
    style = getSampleStyleSheet()["Normal"]
    style.fontSize, style.leading, style.spaceAfter = 11, 16, 6
    buf = io.BytesIO()
    story = [
        Paragraph(line.replace("&", "&amp;").replace("<", "&lt;"), style)
        for line in text.splitlines()
    ]
    SimpleDocTemplate(buf, pagesize=A4).build(story)
    return buf.getvalue()


def timed(name: str, data: bytes, runs: int = 5) -> float:
    times = []
    doc = None
    for _ in range(runs):
        started = time.perf_counter()
        doc = parse_bytes(name, data)
        times.append(time.perf_counter() - started)
    median = statistics.median(times)
    assert doc is not None
    extra = (
        f"{len(doc.turns)} turns, {sum(len(t.questions) for t in doc.turns)} questions"
        if doc.turns
        else f"{len(doc.recommendations)} recommendations"
    )
    print(f"  {name:34} {len(doc.paragraphs):5} paragraphs, {extra}: median {median:.3f} s")
    return median


def main() -> None:
    record = sixty_page_record()
    observations = sixty_page_observations()
    pdf = as_pdf(record)
    import pypdf

    pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    print(f"summary record: {len(record.split()):,} words; as PDF: {pages} pages")
    print("median of 5 runs:")
    timed("CMW-C-SR.999.txt (text)", record.encode())
    timed("CMW-C-SR.999.pdf (PDF)", pdf)
    timed("CMW-C-XYZ-CO-3.txt (observations)", observations.encode())


if __name__ == "__main__":
    main()
