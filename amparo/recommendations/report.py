"""The next periodic report: a draft in the order of the list of issues, exported to DOCX/PDF.

Each paragraph of the list of issues prior to reporting (LOIPR) is one section. Its text is
what the coordinator saved for it, or else a starting text pulled from the validated progress
updates of the recommendations most similar to the question (TF-IDF cosine), each with its
evidence. The running word count is held against the Committee's limit (31,800 words).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Indicator, ProgressUpdate, ReportDraft
from .textutil import TfIdf, cosine, count_words

logger = logging.getLogger(__name__)

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
    figures: list[str] = field(default_factory=list)  # statistics of the linked indicators


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


def last_year(today: date | None = None) -> tuple[date, date]:
    year = (today or timezone.localdate()).year - 1
    return date(year, 1, 1), date(year, 12, 31)


def figure_lines(rec_ids: list[object]) -> list[str]:
    """The figures of the statistics catalogue behind the recommendations' indicators, for
    the last full year, small counts hidden as the statistics app publishes them. Figures
    name no one: computed network-wide from the records, never typed in."""
    codes = sorted(
        set(
            Indicator.objects.filter(recommendation_id__in=rec_ids)
            .exclude(stats_indicator="")
            .values_list("stats_indicator", flat=True)
        )
    )
    if not codes:
        return []
    try:
        from amparo.stats import registry
        from amparo.stats.compute import Period, compute
        from amparo.stats.suppression import public_value
    except ImportError:  # the statistics app is not installed
        return []
    start, end = last_year()
    lines = []
    for code in codes:
        ind = registry.get(code)
        if ind is None:
            continue
        try:
            value = public_value(compute(ind, Period(start, end), []).value, ind)
        except Exception:  # a catalogue entry that cannot be computed must not break the draft
            logger.exception("figure %s for the report draft", code)
            continue
        shown = _("fewer than 5") if value is None else f"{value:,}"
        lines.append(f"{ind.title}, {start.year}: {shown}")
    return lines


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
        rec_ids: list[object] = []
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
                    rec_ids.append(validated[i].recommendation_id)
            text = "\n\n".join(pulled)
        figures = figure_lines(rec_ids)
        sections.append(
            Section(
                p.number,
                p.heading,
                question,
                text,
                edited,
                sources,
                count_words([text, *figures]),
                figures,
            )
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
        for line in s.figures:
            document.add_paragraph(line, style="List Bullet")
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
        for line in s.figures:
            story.append(P("• " + escape(line), styles["Normal"]))
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, title=view.draft.title).build(story)
    return buf.getvalue()
