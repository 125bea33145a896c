"""The next periodic report: a draft in the order of the list of issues, exported to DOCX/PDF.

Each paragraph of the list of issues prior to reporting (LOIPR) is one section. Its text is
what the coordinator saved for it, or else a starting text pulled from the validated progress
updates of the recommendations most similar to the question (TF-IDF cosine), each with its
evidence. The running word count is held against the Committee's limit (31,800 words).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from .models import ProgressUpdate, ReportDraft
from .textutil import TfIdf, cosine, count_words

PULL_THRESHOLD = 0.12
PULL_MAX = 3


@dataclass
class Section:
    number: int
    heading: str
    question: str
    text: str
    edited: bool
    sources: list[str] = field(default_factory=list)  # recommendation references pulled
    words: int = 0


@dataclass
class DraftView:
    draft: ReportDraft
    sections: list[Section]
    words: int
    limit: int

    @property
    def over(self) -> bool:
        return self.words > self.limit

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.words / self.limit)) if self.limit else 0


def _pulled_text(update: ProgressUpdate) -> str:
    evidence = f" ({update.evidence})" if update.evidence else ""
    return f"{update.text.strip()}{evidence}"


def build(draft: ReportDraft) -> DraftView:
    paragraphs = list(draft.loipr.paragraphs.order_by("number"))
    validated = list(
        ProgressUpdate.objects.filter(stage=ProgressUpdate.Stage.VALIDATED)
        .select_related("recommendation")
        .order_by("-created_at")[:5000]
    )
    model = TfIdf([u.recommendation.text + " " + u.text for u in validated]) if validated else None
    sections: list[Section] = []
    for p in paragraphs:
        question = " ".join([p.text, *(s["text"] for s in p.sub_items)])
        saved = draft.sections.get(str(p.number))
        sources: list[str] = []
        if saved is not None:
            text, edited = saved, True
        else:
            edited = False
            pulled: list[str] = []
            if model is not None:
                qv = model.vector(question)
                ranked = sorted(
                    ((cosine(qv, v), i) for i, v in enumerate(model.vectors)), reverse=True
                )
                for score, i in ranked[:PULL_MAX]:
                    if score < PULL_THRESHOLD:
                        break
                    pulled.append(_pulled_text(validated[i]))
                    sources.append(validated[i].recommendation.reference)
            text = "\n\n".join(pulled)
        sections.append(
            Section(p.number, p.heading, question, text, edited, sources, count_words([text]))
        )
    total = sum(s.words for s in sections)
    return DraftView(draft, sections, total, draft.word_limit)


def to_docx(view: DraftView) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading(view.draft.title, level=0)
    document.add_paragraph(f"{view.draft.loipr.symbol}")
    current = None
    for s in view.sections:
        if s.heading and s.heading != current:
            document.add_heading(s.heading, level=1)
            current = s.heading
        document.add_heading(f"{s.number}.", level=2)
        quote = document.add_paragraph(s.question)
        quote.style = "Intense Quote"
        for block in s.text.split("\n\n"):
            if block.strip():
                document.add_paragraph(block.strip())
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def to_pdf(view: DraftView) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph as P
    from reportlab.platypus import SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    story = [
        P(escape(view.draft.title), styles["Title"]),
        P(escape(view.draft.loipr.symbol), styles["Normal"]),
    ]
    current = None
    for s in view.sections:
        if s.heading and s.heading != current:
            story.append(P(escape(s.heading), styles["Heading1"]))
            current = s.heading
        story.append(P(f"{s.number}. <i>{escape(s.question)}</i>", styles["Normal"]))
        story.append(Spacer(1, 4))
        for block in s.text.split("\n\n"):
            if block.strip():
                story.append(P(escape(block.strip()), styles["Normal"]))
                story.append(Spacer(1, 4))
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, title=view.draft.title).build(story)
    return buf.getvalue()
