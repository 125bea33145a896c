"""Statistics pages: the catalogue with its figures (the dashboard), one indicator with its
breakdowns, chart and monthly series, the records behind a figure, the Committee's questions,
and the State report with its exports. Internal pages show exact counts to `stats.read` users;
the questions page, the report and every export are suppressed (small numbers hidden)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from amparo.core.models import Institution
from amparo.core.permissions import Perm, has_perm, require

from . import charts, exports, queries
from .compute import Period, compute, series
from .forms import BreakdownForm, default_period, period_form
from .questions import QUESTIONS, Question
from .registry import DIMENSIONS, SECTIONS, UNIT_LABELS, catalogue, get, section_title
from .report import build_report
from .suppression import public_value, suppress


def _period(request: HttpRequest) -> tuple[Any, Period | None, Institution | None]:
    """The period form, and the period and institution if the form is valid."""
    form = period_form(request.GET)
    if not form.is_bound:
        inst = None
        code = request.GET.get("institution", "")
        if code:
            inst = Institution.objects.filter(code=code).first()
        return form, default_period(), inst
    if not form.is_valid():
        return form, None, None
    return form, form.period(), form.cleaned_data.get("institution")


def _query(period: Period, institution: Institution | None, **more: Any) -> str:
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


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The dashboard: every indicator for the period, national or one institution's."""
    require(request.user, Perm.STATS_READ)
    form, period, institution = _period(request)
    by = request.GET.get("by", "")
    if by and by not in DIMENSIONS:
        by, period = "", None
        form.add_error(None, _("Unknown breakdown."))
    sections: list[tuple[str, list[dict[str, Any]]]] = []
    if period is not None:
        by_section: dict[str, list[dict[str, Any]]] = {}
        for ind in catalogue():
            fig = queries.figure_for(request.user, ind, period, [], institution=institution)
            by_section.setdefault(ind.section or "other", []).append(
                {
                    "indicator": ind,
                    "value": fig.value,
                    "unit": UNIT_LABELS.get(ind.unit, ""),
                    "url": reverse("stats:indicator", args=[ind.id])
                    + "?"
                    + _query(period, institution),
                }
            )
        order = [code for code, _t in SECTIONS]
        sections = [
            (str(section_title(code)), by_section[code])
            for code in sorted(by_section, key=lambda c: order.index(c) if c in order else 99)
        ]
    charts_ = _headline_charts(request, period, institution, by) if period else []
    status = 200 if period is not None else 422
    return render(
        request,
        "stats/index.html",
        {
            "form": form,
            "period": period,
            "institution": institution,
            "sections": sections if period else [],
            "charts": charts_,
            "by": by,
            "dimensions": [(code, d.title) for code, d in DIMENSIONS.items()],
            "query": _query(period, institution) if period else "",
        },
        status=status,
    )


# The dashboard's charts: the figures people look for first.
HEADLINE = [
    "support_line.calls",
    "consular.services",
    "children.sheltered",
    "returnees.people",
    "trafficking.complaints",
    "missing.nationals_abroad",
]


def _headline_charts(
    request: HttpRequest, period: Period, institution: Institution | None, by: str
) -> list[dict[str, Any]]:
    """Each headline indicator month by month, or split by the chosen dimension."""
    out = []
    inst = institution.pk if institution else None
    for ind_id in HEADLINE:
        ind = get(ind_id)
        if ind is None:
            continue
        if by and by in ind.disaggregations:
            fig = queries.figure_for(request.user, ind, period, [(by,)], institution=institution)
            rows = [(c.labels[0], c.value) for c in fig.tables[0].cells if c.value]
            spec = charts.bar_spec(str(ind.title), rows, width=280) if rows else None
            summary = fig.value
        else:
            points = series(ind, period, institution_id=inst)
            spec = charts.line_spec(str(ind.title), points, width=280) if len(points) > 1 else None
            summary = sum(v for _d, v in points) if not ind.cumulative else None
        out.append(
            {
                "indicator": ind,
                "svg": mark_safe(charts.svg(spec)) if spec else "",  # noqa: S308 - vl-convert
                "value": summary,
                "url": reverse("stats:indicator", args=[ind.id])
                + "?"
                + _query(period, institution),
            }
        )
    return out


@login_required
def indicator(request: HttpRequest, indicator_id: str) -> HttpResponse:
    require(request.user, Perm.STATS_READ)
    ind = queries.indicator_or_404(indicator_id)
    form, period, institution = _period(request)
    allowed = list(ind.disaggregations)
    breakdown = BreakdownForm(request.GET or None, allowed=allowed)
    chosen: list[str] = []
    if breakdown.is_bound and breakdown.is_valid():
        chosen = breakdown.cleaned_data["by"]
    ok = period is not None and (not breakdown.is_bound or breakdown.is_valid())
    context: dict[str, Any] = {
        "indicator": ind,
        "form": form,
        "breakdown": breakdown,
        "period": period,
        "institution": institution,
        "unit": UNIT_LABELS.get(ind.unit, ""),
        "can_open": has_perm(request.user, Perm.STATS_RECORDS),
    }
    if ok and period is not None:
        sets = [tuple(chosen)] if chosen else [(d,) for d in allowed]
        fig = queries.figure_for(request.user, ind, period, sets, institution=institution)
        tables = []
        for table in fig.tables:
            rows = []
            for cell in table.cells:
                url = ""
                if context["can_open"]:
                    url = (
                        reverse("stats:records", args=[ind.id])
                        + "?"
                        + _query(period, None, by=list(table.dimensions), key=list(cell.key))
                    )
                titles = [str(DIMENSIONS[d].title) for d in table.dimensions]
                rows.append(
                    {
                        "labels": list(zip(titles, cell.labels, strict=True)),
                        "value": cell.value,
                        "url": url,
                    }
                )
            chart = ""
            if len(table.dimensions) == 1 and any(c.value for c in table.cells):
                title = str(DIMENSIONS[table.dimensions[0]].title)
                spec = charts.bar_spec(title, [(c.labels[0], c.value) for c in table.cells])
                chart = mark_safe(charts.svg(spec))  # noqa: S308 - rendered by vl-convert
            tables.append(
                {
                    "titles": [DIMENSIONS[d].title for d in table.dimensions],
                    "rows": rows,
                    "total": table.total,
                    "chart": chart,
                }
            )
        points = series(ind, period, institution_id=institution.pk if institution else None)
        context.update(
            figure=fig,
            tables=tables,
            series=points,
            series_chart=mark_safe(  # noqa: S308 - rendered by vl-convert
                charts.svg(charts.line_spec(_("By month"), points))
            )
            if len(points) > 1
            else "",
            total_url=reverse("stats:records", args=[ind.id]) + "?" + _query(period, None),
        )
    return render(request, "stats/indicator.html", context, status=200 if ok else 422)


@login_required
def records(request: HttpRequest, indicator_id: str) -> HttpResponse:
    require(request.user, Perm.STATS_RECORDS)
    ind = queries.indicator_or_404(indicator_id)
    form, period, _inst = _period(request)
    dims, key = request.GET.getlist("by"), request.GET.getlist("key")
    if period is None or len(dims) != len(key) or any(d not in ind.disaggregations for d in dims):
        return render(
            request,
            "stats/records.html",
            {"indicator": ind, "form": form, "invalid": True},
            status=422,
        )
    try:
        found = queries.records_behind(request.user, ind, period, dims, key)
    except (ValidationError, ValueError):
        # A value that cannot be one of the dimension's (not a valid id, say).
        return render(
            request,
            "stats/records.html",
            {"indicator": ind, "form": form, "invalid": True},
            status=422,
        )
    labels = [DIMENSIONS[d].title for d in dims if d != "age_group"]
    for row in found.rows:
        row.values = list(zip(labels, row.values, strict=True))  # type: ignore[arg-type]
    return render(
        request,
        "stats/records.html",
        {
            "indicator": ind,
            "form": form,
            "period": period,
            "found": found,
            "labels": labels,
            "cell": [(DIMENSIONS[d].title, k) for d, k in zip(dims, key, strict=True)],
            "person_field": bool(queries.person_path(ind)),
        },
    )


def _answer(question: Question, period: Period) -> list[dict[str, Any]]:
    """Each indicator of a question: its published value and, for a rate, the successful
    share (only when no cell behind it is small enough to be hidden)."""
    out = []
    for ind_id in question.indicators:
        ind = get(ind_id)
        if ind is None:
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
    return out


@login_required
def questions(request: HttpRequest) -> HttpResponse:
    """Each data question of the Committee, answered by indicators (suppressed: this page is
    meant to be quoted in the report)."""
    require(request.user, Perm.STATS_READ)
    form, period, _inst = _period(request)
    if period is None:
        return render(request, "stats/questions.html", {"form": form}, status=422)
    # The asylum question asks for five years: its answer covers the five years to the end.
    answers = []
    for q in QUESTIONS:
        span = period
        if q.code == "asylum":
            span = Period(date(period.end.year - 4, 1, 1), period.end)
        answers.append({"question": q, "period": span, "answers": _answer(q, span)})
    return render(
        request,
        "stats/questions.html",
        {"form": form, "period": period, "items": answers, "query": _query(period, None)},
    )


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """The State report for the period, as published: suppressed tables, with its exports."""
    require(request.user, Perm.STATS_READ)
    form, period, institution = _period(request)
    if period is None:
        return render(request, "stats/report.html", {"form": form}, status=422)
    built = build_report(
        period,
        institution_id=institution.pk if institution else None,
        institution=institution.code if institution else "",
    )
    return render(
        request,
        "stats/report.html",
        {
            "form": form,
            "period": period,
            "report": built,
            "sections": exports.published_sections(built),
            "query": _query(period, institution),
            "formats": exports.FORMATS,
        },
    )


@login_required
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    require(request.user, Perm.STATS_READ)
    if fmt not in exports.FORMATS:
        raise Http404
    form, period, institution = _period(request)
    if period is None:
        return render(request, "stats/report.html", {"form": form}, status=422)
    lang = request.GET.get("lang", "")
    return exports.respond(
        fmt,
        period,
        institution=institution,
        language=lang if lang in ("es", "en") else None,
    )
