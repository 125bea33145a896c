"""Statistics pages: the catalogue with its figures (the dashboard), one indicator with its
breakdowns, chart and monthly series, the records behind a figure, the Committee's questions,
and the State report with its exports. Internal pages show exact counts to `stats.read` users;
the questions page, the report and every export are suppressed (small numbers hidden).

Figures are computed by the background worker (jobs.py): a page answers at once with the kept
result, or with the progress of its computation, which it polls until the result is there."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amparo.core.models import Institution
from amparo.core.permissions import Perm, has_perm, require

from . import exports, queries
from .actions import computation_request, computation_retry
from .compute import Period
from .forms import BreakdownForm, period_form
from .models import Computation
from .pages import query_string
from .registry import DIMENSIONS


def _period(request: HttpRequest) -> tuple[Any, Period | None, Institution | None]:
    """The period form, and the period and institution if the form is valid."""
    form = period_form(request.GET)
    if not form.is_bound:
        inst = None
        code = request.GET.get("institution", "")
        if code:
            inst = Institution.objects.filter(code=code).first()
        return form, Period(form.initial["start"], form.initial["end"]), inst
    if not form.is_valid():
        return form, None, None
    return form, form.period(), form.cleaned_data.get("institution")


def _asked(period: Period, institution: Institution | None, **more: Any) -> dict[str, Any]:
    """What a page asks the worker for, as plain JSON (the computation's key and params)."""
    return {
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "institution": institution.code if institution else "",
        **more,
    }


def _language() -> str:
    return (get_language() or "es")[:2]


def _computation(request: HttpRequest, kind: str, params: dict[str, Any]) -> Computation:
    return computation_request(
        actor=request.user,  # type: ignore[arg-type]
        kind=kind,
        params=params,
        language=_language(),
    )


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The dashboard: every indicator for the period, national or one institution's."""
    require(request.user, Perm.STATS_READ)
    form, period, institution = _period(request)
    by = request.GET.get("by", "")
    if by and by not in DIMENSIONS:
        by, period = "", None
        form.add_error(None, _("Unknown breakdown."))
    context: dict[str, Any] = {
        "form": form,
        "period": period,
        "institution": institution,
        "by": by,
        "dimensions": [(code, d.title) for code, d in DIMENSIONS.items()],
    }
    if period is None:
        return render(request, "stats/index.html", context, status=422)
    context["job"] = _computation(request, "dashboard", _asked(period, institution, by=by))
    context["query"] = query_string(period, institution)
    return render(request, "stats/index.html", context)


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
    }
    if not ok or period is None:
        return render(request, "stats/indicator.html", context, status=422)
    can_open = has_perm(request.user, Perm.STATS_RECORDS)
    params = _asked(period, institution, indicator=ind.id, by=chosen, can_open=can_open)
    context["job"] = _computation(request, "indicator", params)
    return render(request, "stats/indicator.html", context)


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


@login_required
def questions(request: HttpRequest) -> HttpResponse:
    """Each data question of the Committee, answered by indicators (suppressed: this page is
    meant to be quoted in the report)."""
    require(request.user, Perm.STATS_READ)
    form, period, _inst = _period(request)
    if period is None:
        return render(request, "stats/questions.html", {"form": form}, status=422)
    job = _computation(request, "questions", _asked(period, None))
    return render(
        request,
        "stats/questions.html",
        {"form": form, "period": period, "job": job, "query": query_string(period, None)},
    )


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """The State report for the period, as published: suppressed tables, with its exports."""
    require(request.user, Perm.STATS_READ)
    form, period, institution = _period(request)
    if period is None:
        return render(request, "stats/report.html", {"form": form}, status=422)
    return render(
        request,
        "stats/report.html",
        {
            "form": form,
            "period": period,
            "job": _computation(request, "report", _asked(period, institution)),
            "query": query_string(period, institution),
            "formats": exports.FORMATS,
        },
    )


@login_required
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """An export of the State report: the file when the worker has it ready (and the data has
    not changed since), else a page that follows its progress and then offers the file."""
    require(request.user, Perm.STATS_READ)
    if fmt not in exports.FORMATS:
        raise Http404
    form, period, institution = _period(request)
    if period is None:
        return render(request, "stats/report.html", {"form": form}, status=422)
    lang = request.GET.get("lang", "")
    job = computation_request(
        actor=request.user,  # type: ignore[arg-type]
        kind=Computation.Kind.EXPORT,
        params=_asked(period, institution, fmt=fmt),
        language=lang if lang in ("es", "en") else _language(),
    )
    if job.status == Computation.Status.DONE and job.file:
        return _download(job)
    return render(
        request,
        "stats/export.html",
        {"job": job, "fmt": fmt, "period": period, "query": query_string(period, institution)},
    )


def _job(request: HttpRequest, job_id: uuid.UUID) -> Computation:
    require(request.user, Perm.STATS_READ)
    job = Computation.objects.filter(pk=job_id).first()
    if job is None:
        raise Http404
    if job.params.get("can_open"):
        # Its tables link to the records behind each figure: only for those who may open them.
        require(request.user, Perm.STATS_RECORDS)
    return job


def _download(job: Computation) -> FileResponse:
    fmt = job.params.get("fmt", "")
    name = job.file.name.rsplit("/", 1)[-1].split("-", 1)[-1]
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=name,
        content_type=exports.FORMATS.get(fmt, "application/octet-stream"),
    )


@login_required
def computation(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    """The state of a computation (polled by its page): progress, the result, or the failure."""
    job = _job(request, job_id)
    template = "stats/_export_status.html" if job.kind == "export" else "stats/_computation.html"
    return render(request, template, {"job": job})


@login_required
def computation_file(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    """The last good file of an export (also while a newer one is being written)."""
    job = _job(request, job_id)
    if job.kind != Computation.Kind.EXPORT or not job.file:
        raise Http404
    return _download(job)


@login_required
@require_POST
def computation_again(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    """Try a failed computation again; back to the page that asked for it."""
    job = computation_retry(actor=request.user, job=_job(request, job_id))  # type: ignore[arg-type]
    return redirect(job.get_absolute_url())
