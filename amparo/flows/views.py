"""Pages of the flows app: the dashboard (each point's series, expected band and phase), the
phone entry form, other streams, alerts with their bulletins, contingency tasks and plans.
Views parse input and call `actions` and `queries`; a refused write shows the page again with
each message at its field (422); a stale version saves nothing (409)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from amparo.core.errors import Conflict, InvalidInput
from amparo.core.models import Country, Site
from amparo.core.permissions import Perm, has_perm, require

from . import actions, queries
from .bulletin import bulletin_data, bulletin_pdf
from .forms import EntryForm, NoteForm, RunForm, StreamForm, SupportForm
from .models import DetectionRun, Group, StreamKind
from .rendering import CARD, PAGE, chart_for

PAGE_SIZE = 50
NATIONALITIES = ("HN", "SV", "NI", "CU", "HT", "VE", "MX")


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _summary(*forms: Form | None) -> list[dict[str, str]]:
    items: list[dict[str, str]] = []
    for form in forms:
        if form is None or not form.is_bound:
            continue
        for name, errors in form.errors.items():
            field = None if name == "__all__" else form[name]
            visible = field is not None and not field.is_hidden
            anchor = field.id_for_label if visible and field else ""
            label = str(field.label or "") if visible and field else ""
            for message in errors:
                items.append({"message": str(message), "anchor": anchor or "", "label": label})
    return items


def _points() -> list[tuple[str, str]]:
    return [(s.code, s.name) for s in queries.border_points()]


def _nationalities() -> list[tuple[str, str]]:
    named = dict(Country.objects.filter(code__in=NATIONALITIES).values_list("code", "name_es"))
    first = [(c, named.get(c, c)) for c in NATIONALITIES if c in named]
    return [("", _("Not recorded")), *first]


# A finished run's outcome is shown as news on the dashboard for this long.
RESULT_MINUTES = 30
# A run still waiting after this long: the page says the worker may be stopped.
SLOW_MINUTES = 5


def _has_counts(stream: Any) -> bool:
    return stream is not None and any(v is not None for v in stream.series.get("observed", []))


def _run_panel(run: DetectionRun | None) -> dict[str, Any]:
    """What the dashboard says about the run asked for last: its progress while it waits or
    runs (polled), then its outcome for a while."""
    if run is None:
        return {"run": None}
    now = timezone.now()
    recent = run.finished_at is not None and now - run.finished_at < dt.timedelta(
        minutes=RESULT_MINUTES
    )
    return {
        "run": run,
        "show": run.pending or recent,
        # Still waiting after this long: the worker is most likely not running.
        "slow": run.pending and now - run.requested_at > dt.timedelta(minutes=SLOW_MINUTES),
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.FLOWS_READ)
    run = queries.latest_run()
    streams = queries.run_streams(run)
    national = streams.get("national")
    overall, per_point = queries.counts_staleness()
    cards = []
    for site in queries.border_points():
        s = streams.get(site.code)
        series = s.series if s else {}
        reported = _has_counts(s)
        cards.append(
            {
                "site": site,
                # A point without any count in the run has no phase to tell, not "normal".
                "phase": s.phase if reported else None,
                "observed": (series.get("observed") or [None])[-1],
                "expected": (series.get("expected") or [None])[-1],
                "chart": chart_for(s, CARD) if reported else "",
                "counts": per_point.get(site.code) or queries.Staleness(None),
            }
        )
    order = {"emergency": 0, "alert": 1, "watch": 2, "normal": 3}
    cards.sort(key=lambda c: (order.get(c["phase"] or "", 4), c["site"].name))
    others = [s for k, s in streams.items() if k not in {"national"} and s.site is None]
    return render(
        request,
        "flows/dashboard.html",
        {
            "run": run,
            "national": national,
            "national_chart": chart_for(national, CARD),
            "counts": overall,
            # Counts that arrived after the run shown (a new run would take them in).
            "newer_counts": bool(run and overall.last and overall.last > run.as_of),
            "cards": cards,
            "others": others,
            "alerts": queries.changes_for(request.user, raises_only=True)[:10],
            "run_form": RunForm() if has_perm(request.user, Perm.FLOWS_COORDINATE) else None,
            "panel": _run_panel(queries.last_requested_run()),
            "can_write": has_perm(request.user, Perm.FLOWS_WRITE),
        },
    )


@login_required
def run_status(request: HttpRequest, run_id: uuid.UUID) -> HttpResponse:
    """The progress of a run, polled by the dashboard (htmx) every 2 s; once the run is over,
    the dashboard reloads to show its results."""
    require(request.user, Perm.FLOWS_READ)
    run = queries.run_get(run_id)
    if not request.htmx:
        return _see_other(reverse("flows:dashboard") + "#run-status")
    response = render(request, "flows/_run_status.html", {"panel": _run_panel(run)})
    if not run.pending:
        response["HX-Refresh"] = "true"
    return response


@login_required
def point_page(request: HttpRequest, code: str) -> HttpResponse:
    require(request.user, Perm.FLOWS_READ)
    site = queries.point_get(code)
    run = queries.latest_run()
    stream = queries.run_streams(run, PAGE).get(site.code)
    drill = [
        d for d in (run.summary.get("drill_down", []) if run else []) if d["point"] == site.code
    ]
    counts = queries.counts_for(request.user, site=site.code)[:60]
    _overall, per_point = queries.counts_staleness()
    return render(
        request,
        "flows/point.html",
        {
            "site": site,
            "run": run,
            "stream": stream,
            "reported": _has_counts(stream),
            "chart": chart_for(stream, PAGE) if _has_counts(stream) else "",
            "point_counts": per_point.get(site.code) or queries.Staleness(None),
            "changes": queries.changes_for(request.user, key=site.code)[:30],
            "drill": drill,
            "counts": counts,
        },
    )


@login_required
def entry_page(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.FLOWS_WRITE)
    data = request.POST if request.method == "POST" else None
    form = EntryForm(data, initial={"site": request.GET.get("site", "")})
    form.choose("site", [("", _("Choose…")), *_points()])
    form.choose("nationality", _nationalities())
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            cd = form.cleaned_data
            try:
                done = actions.counts_record_day(
                    actor=request.user,
                    site=cd["site"],
                    date=cd["date"],
                    direction=cd["direction"],
                    nationality=cd["nationality"] or "",
                    counts={g: cd.get(g) for g in Group.values},
                )
            except InvalidInput as exc:
                form.add_action_errors(exc)
            else:
                changed = sum(1 for v in done.values() if v != "unchanged")
                messages.success(
                    request,
                    ngettext("%(n)d count saved.", "%(n)d counts saved.", changed)
                    % {"n": changed},
                )
                return _see_other(reverse("flows:entry") + f"?site={cd['site']}")
    return render(
        request, "flows/entry.html", {"form": form, "errors": _summary(form)}, status=status
    )


def _stream_sites() -> list[tuple[str, str]]:
    kinds = [Site.Kind.SHELTER, Site.Kind.RECEPTION_CENTRE, Site.Kind.CLINIC]
    return [
        (s.code, s.name)
        for s in Site.objects.filter(kind__in=kinds, active=True).order_by("name_es")
    ]


@login_required
def stream_page(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.FLOWS_WRITE)
    form = StreamForm(request.POST if request.method == "POST" else None)
    form.choose("site", [("", _("Choose…")), *_stream_sites()])
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            cd = form.cleaned_data
            try:
                actions.stream_record(
                    actor=request.user,
                    kind=cd["kind"],
                    site=cd["site"],
                    date=cd["date"],
                    value=cd["value"],
                )
            except InvalidInput as exc:
                form.add_action_errors(exc)
            except Conflict as exc:
                messages.error(request, str(exc))
                status = 409
            else:
                messages.success(request, _("Value saved."))
                return _see_other(reverse("flows:streams"))
    return render(
        request,
        "flows/streams.html",
        {"form": form, "errors": _summary(form), "kinds": StreamKind},
        status=status,
    )


@login_required
@require_POST
def run_now(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.FLOWS_COORDINATE)
    form = RunForm(request.POST)
    if form.is_valid():
        try:
            # In the worker: a run takes seconds to minutes; the dashboard follows its progress.
            actions.detection_request(
                actor=request.user,
                budget=form.cleaned_data["false_alarms_per_year"],
                background=True,
            )
        except InvalidInput as exc:
            form.add_action_errors(exc)
        else:
            return _see_other(reverse("flows:dashboard") + "#run-status")
    messages.error(request, " ".join(e["message"] for e in _summary(form)))
    response = _see_other(reverse("flows:dashboard"))
    return response


@login_required
def alerts_page(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.FLOWS_READ)
    only = request.GET.get("all") != "1"
    page = Paginator(queries.changes_for(request.user, raises_only=only), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "flows/alerts.html", {"page": page, "only": only})


@login_required
def alert_page(
    request: HttpRequest, change_id: uuid.UUID, form: NoteForm | None = None, status: int = 200
) -> HttpResponse:
    require(request.user, Perm.FLOWS_READ)
    change = queries.change_get(request.user, change_id)
    data = bulletin_data(change)
    return render(
        request,
        "flows/alert.html",
        {
            "change": change,
            "bulletin": data,
            "activations": change.activations.all(),
            "form": form or (NoteForm() if has_perm(request.user, Perm.FLOWS_COORDINATE) else None),
            "errors": _summary(form),
        },
        status=status,
    )


@login_required
@require_POST
def acknowledge(request: HttpRequest, change_id: uuid.UUID) -> HttpResponse:
    require(request.user, Perm.FLOWS_COORDINATE)
    queries.change_get(request.user, change_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            actions.phase_acknowledge(
                actor=request.user, change_id=change_id, note=form.cleaned_data["note"]
            )
        except InvalidInput as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("Phase change acknowledged."))
            return _see_other(reverse("flows:alert", args=[change_id]))
    return alert_page(request, change_id, form=form, status=422)


@login_required
def bulletin_pdf_view(request: HttpRequest, change_id: uuid.UUID) -> HttpResponse:
    require(request.user, Perm.FLOWS_READ)
    change = queries.change_get(request.user, change_id)
    response = HttpResponse(bulletin_pdf(change), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="boletin-{change.key}-{change.on}.pdf"'
    return response


@login_required
def bulletin_json_view(request: HttpRequest, change_id: uuid.UUID) -> HttpResponse:
    require(request.user, Perm.FLOWS_READ)
    change = queries.change_get(request.user, change_id)
    return JsonResponse(bulletin_data(change), json_dumps_params={"ensure_ascii": False})


@login_required
def tasks_page(
    request: HttpRequest, forms_by_task: dict[int, Any] | None = None, status: int = 200
) -> HttpResponse:
    require(request.user, Perm.FLOWS_READ)
    only_open = request.GET.get("all") != "1"
    page = Paginator(queries.tasks_for(request.user, open_only=only_open), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "flows/tasks.html",
        {
            "page": page,
            "only_open": only_open,
            "can_write": has_perm(request.user, Perm.FLOWS_WRITE),
            "coordinator": has_perm(request.user, Perm.FLOWS_COORDINATE),
            "errors": _summary(*(forms_by_task or {}).values()),
        },
        status=status,
    )


@login_required
@require_POST
def task_done_view(request: HttpRequest, task_id: int) -> HttpResponse:
    require(request.user, Perm.FLOWS_WRITE)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            actions.task_done(actor=request.user, task_id=task_id, note=form.cleaned_data["note"])
        except InvalidInput as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("Task done."))
            return _see_other(reverse("flows:tasks"))
    return tasks_page(request, {task_id: form}, status=422)


@login_required
def activation_page(
    request: HttpRequest,
    activation_id: uuid.UUID,
    form: SupportForm | None = None,
    status: int = 200,
) -> HttpResponse:
    require(request.user, Perm.FLOWS_READ)
    activation = queries.activation_get(request.user, activation_id)
    if form is None and has_perm(request.user, Perm.FLOWS_WRITE):
        form = SupportForm(initial={"version": activation.version})
    return render(
        request,
        "flows/activation.html",
        {
            "activation": activation,
            "tasks": activation.tasks.select_related("institution", "done_by"),
            "form": form,
            "errors": _summary(form),
        },
        status=status,
    )


@login_required
@require_POST
def support_view(request: HttpRequest, activation_id: uuid.UUID) -> HttpResponse:
    require(request.user, Perm.FLOWS_WRITE)
    queries.activation_get(request.user, activation_id)
    form = SupportForm(request.POST)
    if form.is_valid():
        try:
            actions.support_add(
                actor=request.user,
                activation_id=activation_id,
                people=form.cleaned_data["people"],
                version=form.cleaned_data.get("version"),
            )
        except InvalidInput as exc:
            form.add_action_errors(exc)
        except Conflict as exc:
            messages.error(request, str(exc))
            return activation_page(request, activation_id, form=form, status=409)
        else:
            messages.success(request, _("People supported added."))
            return _see_other(reverse("flows:activation", args=[activation_id]))
    return activation_page(request, activation_id, form=form, status=422)


def home_panel(user: Any) -> dict[str, Any]:
    """What the home page shows of the flows (core.views.home): the national phase of the
    latest detection run and the contingency tasks still open for the user's institution."""
    from .models import Phase

    run = queries.latest_run()
    phase = (run.summary or {}).get("phases", {}).get("national") if run else None
    return {
        "flows_panel": {
            "phase": phase,
            "phase_label": Phase(phase).label if phase in Phase.values else "",
            "as_of": run.as_of if run else None,
            # Says since when no counts arrived, when that is too long ago.
            "counts": queries.Staleness(queries.last_count_day()),
            "open_tasks": queries.tasks_for(user, open_only=True).count(),
        }
    }
