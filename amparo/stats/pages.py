"""What each statistics page shows, computed from what was asked (`params`, plain JSON) by the
background worker: the template of the page's result and its context. `tick` is called after
each unit of work (an indicator, a chart) so the page can show how far the work got."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from amparo.core.models import Institution

from . import charts, exports
from .compute import Period, compute, series
from .questions import QUESTIONS, Question
from .registry import DIMENSIONS, SECTIONS, UNIT_LABELS, catalogue, get, section_title
from .report import build_report
from .suppression import public_value, suppress

Tick = Callable[[], None]

# The dashboard's charts: the figures people look for first.
HEADLINE = [
    "support_line.calls",
    "consular.services",
    "children.sheltered",
    "returnees.people",
    "trafficking.complaints",
    "missing.nationals_abroad",
]


@dataclass(frozen=True)
class Asked:
    """The period and institution of a request, read back from its params."""

    period: Period
    institution: Institution | None

    @classmethod
    def of(cls, params: dict[str, Any]) -> Asked:
        code = params.get("institution") or ""
        inst = Institution.objects.filter(code=code).first() if code else None
        period = Period(date.fromisoformat(params["start"]), date.fromisoformat(params["end"]))
        return cls(period, inst)

    @property
    def institution_id(self) -> Any:
        return self.institution.pk if self.institution else None


def query_string(period: Period, institution: Institution | None, **more: Any) -> str:
    params: list[tuple[str, str]] = [
        ("start", period.start.isoformat()),
        ("end", period.end.isoformat()),
    ]
    if institution is not None:
        params.append(("institution", institution.code))
    for name, value in more.items():
        values = value if isinstance(value, list | tuple) else [value]
        params += [(name, str(v)) for v in values]
    return urlencode(params)


def steps(kind: str, params: dict[str, Any]) -> int:
    """How many ticks the work of a request takes (for its progress bar)."""
    if kind == "dashboard":
        return len(catalogue()) + len(HEADLINE)
    if kind == "indicator":
        return 2
    if kind == "questions":
        return sum(len(q.indicators) for q in QUESTIONS)
    return len(catalogue()) + 1  # the report and exports: every indicator, then the writing


def dashboard(params: dict[str, Any], tick: Tick) -> dict[str, Any]:
    """Every indicator's figure for the period, by section, and the headline charts."""
    asked = Asked.of(params)
    period, institution = asked.period, asked.institution
    by_section: dict[str, list[dict[str, Any]]] = {}
    for ind in catalogue():
        fig = compute(ind, period, [], institution_id=asked.institution_id)
        by_section.setdefault(ind.section or "other", []).append(
            {
                "indicator": ind,
                "value": fig.value,
                "unit": UNIT_LABELS.get(ind.unit, ""),
                "url": reverse("stats:indicator", args=[ind.id])
                + "?"
                + query_string(period, institution),
            }
        )
        tick()
    order = [code for code, _t in SECTIONS]
    sections = [
        (str(section_title(code)), by_section[code])
        for code in sorted(by_section, key=lambda c: order.index(c) if c in order else 99)
    ]
    return {
        "sections": sections,
        "charts": headline_charts(asked, params.get("by", ""), tick),
    }


def headline_charts(asked: Asked, by: str, tick: Tick) -> list[dict[str, Any]]:
    """Each headline indicator month by month, or split by the chosen dimension."""
    out = []
    for ind_id in HEADLINE:
        ind = get(ind_id)
        if ind is None:
            tick()
            continue
        if by and by in ind.disaggregations:
            fig = compute(ind, asked.period, [(by,)], institution_id=asked.institution_id)
            rows = [(c.labels[0], c.value) for c in fig.tables[0].cells if c.value]
            spec = charts.bar_spec(str(ind.title), rows, width=280) if rows else None
            summary = fig.value
        else:
            points = series(ind, asked.period, institution_id=asked.institution_id)
            spec = charts.line_spec(str(ind.title), points, width=280) if len(points) > 1 else None
            summary = sum(v for _d, v in points) if not ind.cumulative else None
        out.append(
            {
                "indicator": ind,
                "svg": mark_safe(charts.svg(spec)) if spec else "",  # noqa: S308 - vl-convert
                "value": summary,
                "url": reverse("stats:indicator", args=[ind.id])
                + "?"
                + query_string(asked.period, asked.institution),
            }
        )
        tick()
    return out


def indicator(params: dict[str, Any], tick: Tick) -> dict[str, Any]:
    """One indicator: its tables (the chosen breakdown, or one per allowed dimension), with a
    chart for each one-dimension table and the monthly series."""
    ind = get(params["indicator"])
    if ind is None:
        raise ValueError(_("Unknown indicator."))
    asked = Asked.of(params)
    period = asked.period
    chosen = list(params.get("by") or [])
    can_open = bool(params.get("can_open"))
    sets = [tuple(chosen)] if chosen else [(d,) for d in ind.disaggregations]
    fig = compute(ind, period, sets, institution_id=asked.institution_id)
    fig.institution = asked.institution.code if asked.institution else ""
    tick()
    tables = []
    for table in fig.tables:
        titles = [str(DIMENSIONS[d].title) for d in table.dimensions]
        rows = []
        for cell in table.cells:
            url = ""
            if can_open:
                url = (
                    reverse("stats:records", args=[ind.id])
                    + "?"
                    + query_string(period, None, by=list(table.dimensions), key=list(cell.key))
                )
            rows.append(
                {
                    "labels": list(zip(titles, cell.labels, strict=True)),
                    "value": cell.value,
                    "url": url,
                }
            )
        chart = ""
        if len(table.dimensions) == 1 and any(c.value for c in table.cells):
            spec = charts.bar_spec(titles[0], [(c.labels[0], c.value) for c in table.cells])
            chart = mark_safe(charts.svg(spec))  # noqa: S308 - rendered by vl-convert
        tables.append({"titles": titles, "rows": rows, "total": table.total, "chart": chart})
    points = series(ind, period, institution_id=asked.institution_id)
    tick()
    return {
        "indicator": ind,
        "unit": UNIT_LABELS.get(ind.unit, ""),
        "can_open": can_open,
        "period": period,
        "figure": fig,
        "tables": tables,
        "series": points,
        "series_chart": mark_safe(  # noqa: S308 - rendered by vl-convert
            charts.svg(charts.line_spec(_("By month"), points))
        )
        if len(points) > 1
        else "",
        "total_url": reverse("stats:records", args=[ind.id]) + "?" + query_string(period, None),
    }


def answer(question: Question, period: Period, tick: Tick) -> list[dict[str, Any]]:
    """Each indicator of a question: its published value and, for a rate, the successful
    share (only when no cell behind it is small enough to be hidden)."""
    out = []
    for ind_id in question.indicators:
        ind = get(ind_id)
        if ind is None:
            tick()
            continue
        by_outcome = bool(question.rate_of) and "outcome" in ind.disaggregations
        fig = compute(ind, period, [("outcome",)] if by_outcome else [])
        rate = None
        if by_outcome and fig.value:
            shown = suppress(fig.tables[0])
            if shown.total is not None and all(v is not None for _k, _l, v in shown.cells):
                good = sum(c.value for c in fig.tables[0].cells if c.key[0] in question.rate_of)
                rate = round(100 * good / fig.value)
        out.append(
            {
                "indicator": ind,
                "value": public_value(fig.value, ind),
                "recorded": fig.value > 0,
                "rate": rate,
                "unit": UNIT_LABELS.get(ind.unit, ""),
            }
        )
        tick()
    return out


def questions(params: dict[str, Any], tick: Tick) -> dict[str, Any]:
    """Each data question of the Committee, answered by indicators (suppressed: this page is
    meant to be quoted in the report)."""
    period = Asked.of({**params, "institution": ""}).period
    items = []
    for q in QUESTIONS:
        # The asylum question asks for five years: its answer covers the five years to the end.
        span = Period(date(period.end.year - 4, 1, 1), period.end) if q.code == "asylum" else period
        items.append({"question": q, "period": span, "answers": answer(q, span, tick)})
    return {"items": items}


def report(params: dict[str, Any], tick: Tick) -> dict[str, Any]:
    """The State report for the period, as published: suppressed tables."""
    asked = Asked.of(params)
    built = build_report(
        asked.period,
        institution_id=asked.institution_id,
        institution=asked.institution.code if asked.institution else "",
        tick=tick,
    )
    sections = exports.published_sections(built)
    tick()
    return {"period": asked.period, "report": built, "sections": sections}


# The result of each kind of page: the template and the function that builds its context.
PAGES: dict[str, tuple[str, Callable[[dict[str, Any], Tick], dict[str, Any]]]] = {
    "dashboard": ("stats/_index_result.html", dashboard),
    "indicator": ("stats/_indicator_result.html", indicator),
    "questions": ("stats/_questions_result.html", questions),
    "report": ("stats/_report_result.html", report),
}
