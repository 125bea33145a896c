"""Pages of the tracing registers: missing-person reports, unidentified remains, family tracing
and the figures. Views parse the input and call `actions` and `queries`; a refused write shows
the page again with each message at its field (422), a lost race saves nothing (409)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from amparo.assistance.views import _countries
from amparo.core.errors import Conflict, InvalidInput, NotFound
from amparo.core.forms import form_response, submit
from amparo.core.models import Site, User
from amparo.core.optional import Unavailable, optional_part
from amparo.core.permissions import Perm, has_perm, require
from amparo.people.picker import person_picker, picker_initial, picker_query, visible_people
from amparo.people.queries import person_search

from . import actions, queries
from .forms import (
    AnswerForm,
    BurialForm,
    CandidateDecisionForm,
    CandidateForm,
    FoundForm,
    IdentifyForm,
    OutcomeForm,
    RemainsForm,
    ReportForm,
    SearchForm,
    TracingForm,
)
from .models import (
    MissingReport,
    SearchRequest,
    TracingCandidate,
    TracingRequest,
    UnidentifiedRemains,
)

PAGE_SIZE = 50
PICKER_FIELDS = {"person", "reporter", "child"}
STEP_LABELS = {
    "forensic_request": gettext_lazy("Comparison asked of the forensic institute"),
    "search_sent": gettext_lazy("Search request sent"),
    "search_answered": gettext_lazy("Search request answered"),
    "case_opened": gettext_lazy("Consular assistance case opened"),
    "burial": gettext_lazy("Burial place recorded"),
    "candidate_added": gettext_lazy("Relative found"),
    "candidate_verified": gettext_lazy("Relative verified"),
    "candidate_rejected": gettext_lazy("Relative rejected"),
}


# --- shared helpers -------------------------------------------------------------------------


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
            anchor = (field.id_for_label or f"{field.auto_id}_0") if visible and field else ""
            label = str(field.label or "") if visible and field else ""
            if field is not None and name in PICKER_FIELDS:
                anchor, label = f"{form.auto_id % name}-q", ""  # type: ignore[operator]
            for message in errors:
                items.append({"message": str(message), "anchor": anchor, "label": label})
    return items


def _own_sites(actor: User) -> list[tuple[str, str]]:
    sites = Site.objects.filter(institution_id=actor.institution_id, active=True)
    return [(s.code, s.name) for s in sites.exclude(kind=Site.Kind.MOBILE_CONSULATE)[:500]]


def _consulates() -> list[tuple[str, str]]:
    sites = Site.objects.filter(kind=Site.Kind.CONSULATE, active=True).order_by(
        "country", "name_es"
    )
    return [(s.code, s.name) for s in sites]


def _history(record: Any) -> list[dict[str, Any]]:
    labels = dict(type(record).Status.choices)
    rows = []
    for step in reversed(record.history):
        what = step.get("what")
        label = STEP_LABELS.get(what, what) if what else labels.get(step.get("status"))
        try:
            at: Any = datetime.fromisoformat(step.get("at", ""))
        except ValueError:
            at = step.get("at")
        rows.append({**step, "label": label, "at": at})
    return rows


def _page(request: HttpRequest, records: Any) -> Any:
    return Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))


def _asked(request: HttpRequest) -> bool:
    """Possible matches are looked for when asked (the engine takes a moment)."""
    return request.method == "GET" and request.GET.get("matches") == "1"


def _possible_matches(
    request: HttpRequest, find: Callable[[], list[queries.PossibleMatch]]
) -> dict[str, Any]:
    """The possible-matches panel: looked for when asked. Matching is an optional part of the
    page: if it fails, the page still answers and says so, and the log has the traceback."""
    if not _asked(request):
        return {"matches": None}
    found = optional_part(
        find,
        name="tracing possible matches",
        message=_(
            "Possible matches could not be looked for: the matching engine failed. The error "
            "has been recorded for the technical team. The rest of this page is complete; try "
            "again later."
        ),
    )
    if isinstance(found, Unavailable):
        return {"matches": [], "matches_unavailable": found.message}
    return {"matches": found}


def _uuid_or_none(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None


def _write(request: HttpRequest) -> bool:
    return has_perm(request.user, Perm.TRACING_WRITE)


# --- the person picker's fragment (htmx) ----------------------------------------------------


@login_required
def person_options(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.TRACING_WRITE)
    name = request.GET.get("name", "person")
    if name not in PICKER_FIELDS:
        name = "person"
    prefix = request.GET.get("prefix", "")[:20]
    query = request.GET.get("q", "").strip()[:100]
    found = person_search(actor=request.user, query=query) if query else None
    picker = {
        "name": name,
        "id": f"{prefix}-{name}" if prefix else name,
        "people": found.people if found else [],
        "picked": None,
        "query": query,
        "searched": found is not None,
        "truncated": bool(found and found.truncated),
    }
    return render(request, "assistance/_person_options.html", {"picker": picker})


# --- missing-person reports -----------------------------------------------------------------


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.TRACING_READ)
    status = request.GET.get("status", "")
    records = queries.reports_visible_to(request.user)
    if status in MissingReport.Status.values:
        records = records.filter(status=status)
    records = records.select_related("person", "last_seen_country").order_by(
        "-reported_on", "-created_at"
    )
    page = _page(request, records)
    return render(
        request,
        "tracing/reports.html",
        {
            "page": page,
            "rows": list(page),
            "status": status,
            "statuses": MissingReport.Status.choices,
            "may_write": _write(request),
            "query": f"status={status}" if status else "",
        },
    )


@login_required
def report_new(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.TRACING_WRITE)
    form = ReportForm(
        request.POST if request.method == "POST" else None,
        sites=_own_sites(request.user),
        countries=_countries(),
        initial=picker_initial(request, "person"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            report = actions.report_record(actor=request.user, data=form.to_input())
        except InvalidInput as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("Missing-person report recorded."))
            return _see_other(reverse("tracing:report_detail", args=[report.pk]))
    return render(
        request,
        "tracing/report_new.html",
        {
            "form": form,
            "picker": person_picker(request.user, form, "person", picker_query(request, "person")),
            "reporter_picker": person_picker(
                request.user, form, "reporter", picker_query(request, "reporter")
            ),
            "errors": _summary(form),
        },
        status=422 if request.method == "POST" else 200,
    )


def _report_page(
    request: HttpRequest,
    report_id: uuid.UUID,
    *,
    status: int = 200,
    bound: Form | None = None,
    conflict: Conflict | None = None,
) -> HttpResponse:
    actor = request.user
    report = queries.report_get(actor=actor, report_id=report_id)
    keep = bound if conflict is None else None
    may_write = _write(request)
    initial = {"version": report.version}
    missing = report.status == MissingReport.Status.MISSING
    searches = list(report.search_requests.select_related("site", "country"))
    context: dict[str, Any] = {
        "report": report,
        "visible": visible_people(actor, {report.person_id, report.reporter_id}),
        "searches": [
            {
                "search": s,
                "form": (
                    keep
                    if isinstance(keep, AnswerForm) and keep.key == f"answer-{s.pk.hex[:8]}"
                    else AnswerForm(key=f"answer-{s.pk.hex[:8]}")
                )
                if may_write and s.answered_on is None
                else None,
            }
            for s in searches
        ],
        "history": _history(report),
        "conflict": conflict,
        "errors": _summary(keep),
        "may_write": may_write,
        "own": report.institution_id == actor.institution_id,
        "remains": list(queries.remains_visible_to(actor).filter(report=report)),
        **_possible_matches(request, lambda: queries.report_matches(actor, report)),
    }
    if may_write and missing:
        context["search_form"] = (
            keep
            if isinstance(keep, SearchForm)
            else SearchForm(initial=initial, consulates=_consulates(), countries=_countries())
        )
        context["found_form"] = (
            keep
            if isinstance(keep, FoundForm)
            else FoundForm(
                initial={**initial, "found_person": _uuid_or_none(request.GET.get("found_person"))},
                countries=_countries(),
            )
        )
        if context["own"] and report.forensic_requested_at is None and not report.person.protected:
            context["forensic_version"] = report.version
    if (
        may_write
        and has_perm(actor, Perm.CASE_WRITE)
        and report.status == MissingReport.Status.FOUND_ALIVE
        and report.case_id is None
    ):
        context["may_open_case"] = True
    return render(request, "tracing/report_detail.html", context, status=status)


@login_required
def report_detail(request: HttpRequest, report_id: uuid.UUID) -> HttpResponse:
    require(request.user, Perm.TRACING_READ)
    return _report_page(request, report_id)


def _report_done(report_id: uuid.UUID, anchor: str = "") -> HttpResponse:
    return _see_other(reverse("tracing:report_detail", args=[report_id]) + anchor)


def _version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@login_required
@require_POST
def report_forensic(request: HttpRequest, report_id: uuid.UUID) -> HttpResponse:
    require(request.user, Perm.TRACING_WRITE)
    try:
        actions.report_forensic_request(
            actor=request.user, report_id=report_id, version=_version(request)
        )
    except InvalidInput as exc:
        for message in (m for ms in exc.errors.values() for m in ms):
            messages.error(request, message)
        queries.report_get(actor=request.user, report_id=report_id)  # 404 outside the scope
        return _report_page(request, report_id, status=422)
    except Conflict as exc:
        return _report_page(request, report_id, status=409, conflict=exc)
    messages.success(request, _("The forensic institute can now compare this report."))
    return _report_done(report_id)


@login_required
@require_POST
def report_search(request: HttpRequest, report_id: uuid.UUID) -> HttpResponse:
    require(request.user, Perm.TRACING_WRITE)
    form = SearchForm(request.POST, consulates=_consulates(), countries=_countries())
    outcome = submit(
        form,
        lambda d: actions.search_request_send(
            actor=request.user,
            report_id=report_id,
            data=form.to_input(),
            version=d["version"],
        ),
    )
    return form_response(
        request,
        form,
        outcome,
        success=_("Search request recorded."),
        done=lambda: _report_done(report_id, "#searches-heading"),
        page=partial(_report_page, request, report_id),
    )


@login_required
@require_POST
def search_answer(request: HttpRequest, search_id: uuid.UUID) -> HttpResponse:
    require(request.user, Perm.TRACING_WRITE)
    search = (
        SearchRequest.objects.filter(
            pk=search_id, report__in=queries.reports_visible_to(request.user).values("pk")
        )
        .only("pk", "report_id")
        .first()
    )
    if search is None:
        raise NotFound
    form = AnswerForm(request.POST, key=f"answer-{search.pk.hex[:8]}")
    outcome = submit(
        form,
        lambda d: actions.search_request_answer(
            actor=request.user,
            search_id=search_id,
            answer=d["answer"],
            answered_on=d["answered_on"],
        ),
    )
    return form_response(
        request,
        form,
        outcome,
        success=_("Answer recorded."),
        done=lambda: _report_done(search.report_id, "#searches-heading"),
        page=partial(_report_page, request, search.report_id),
    )


@login_required
@require_POST
def report_found(request: HttpRequest, report_id: uuid.UUID) -> HttpResponse:
    require(request.user, Perm.TRACING_WRITE)
    form = FoundForm(request.POST, countries=_countries())
    outcome = submit(
        form,
        lambda d: actions.report_found_alive(
            actor=request.user,
            report_id=report_id,
            data=form.to_input(),
            version=d["version"],
        ),
    )
    return form_response(
        request,
        form,
        outcome,
        success=_("Recorded: found alive. Consular assistance follows."),
        done=lambda: _report_done(report_id),
        page=partial(_report_page, request, report_id),
    )


@login_required
@require_POST
def report_case(request: HttpRequest, report_id: uuid.UUID) -> HttpResponse:
    require(request.user, Perm.TRACING_WRITE)
    try:
        report = actions.report_open_case(actor=request.user, report_id=report_id)
    except InvalidInput as exc:
        for message in (m for ms in exc.errors.values() for m in ms):
            messages.error(request, message)
        return _report_page(request, report_id, status=422)
    messages.success(request, _("Consular assistance case opened."))
    return _see_other(reverse("cases:detail", args=[report.case_id]))


@login_required
def figures(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.TRACING_READ)  # analysts read the figures through the API
    counts = queries.missing_counts(request.user)
    names = dict(_countries())
    return render(
        request,
        "tracing/figures.html",
        {
            "counts": counts,
            "abroad": [(names.get(c, c), n) for c, n in counts.abroad_by_country],
            "inside": [
                (names.get(c, c) if c else _("Not recorded"), n)
                for c, n in counts.in_country_by_nationality
            ],
            "reunified": queries.reunified_count(request.user),
            "network": has_perm(request.user, Perm.STATS_READ),
        },
    )


# --- unidentified remains -------------------------------------------------------------------


@login_required
def remains(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.TRACING_READ)
    status = request.GET.get("status", "")
    records = queries.remains_visible_to(request.user)
    if status in UnidentifiedRemains.Status.values:
        records = records.filter(status=status)
    page = _page(request, records.select_related("found_country").order_by("-found_on", "-id"))
    return render(
        request,
        "tracing/remains.html",
        {
            "page": page,
            "rows": list(page),
            "status": status,
            "statuses": UnidentifiedRemains.Status.choices,
            "may_write": _write(request),
            "query": f"status={status}" if status else "",
        },
    )


@login_required
def remains_new(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.TRACING_WRITE)
    form = RemainsForm(request.POST if request.method == "POST" else None, countries=_countries())
    if request.method == "POST" and form.is_valid():
        try:
            record = actions.remains_record(actor=request.user, data=form.to_input())
        except InvalidInput as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("Remains recorded."))
            return _see_other(reverse("tracing:remains_detail", args=[record.pk]))
    return render(
        request,
        "tracing/remains_new.html",
        {"form": form, "errors": _summary(form)},
        status=422 if request.method == "POST" else 200,
    )


def _identifiable_reports(actor: User) -> list[tuple[str, str]]:
    reports = (
        queries.reports_visible_to(actor)
        .filter(status=MissingReport.Status.MISSING)
        .select_related("person", "last_seen_country")
        .order_by("-reported_on")[:200]
    )
    return [
        (str(r.pk), f"{r.person.full_name} · {r.last_seen_country.name} · {r.reported_on:%Y-%m-%d}")
        for r in reports
    ]


def _remains_page(
    request: HttpRequest,
    remains_id: uuid.UUID,
    *,
    status: int = 200,
    bound: Form | None = None,
    conflict: Conflict | None = None,
) -> HttpResponse:
    actor = request.user
    record = queries.remains_get(actor=actor, remains_id=remains_id)
    keep = bound if conflict is None else None
    initial = {"version": record.version}
    may_write = _write(request)
    report = (
        queries.reports_visible_to(actor)
        .select_related("person")
        .filter(pk=record.report_id)
        .first()
        if record.report_id
        else None
    )
    context: dict[str, Any] = {
        "record": record,
        "report": report,
        "evidence": [dict(UnidentifiedRemains.Evidence.choices).get(e, e) for e in record.evidence],
        "history": _history(record),
        "conflict": conflict,
        "errors": _summary(keep),
        **_possible_matches(request, lambda: queries.remains_matches(actor, record)),
    }
    if may_write and (record.institution_id == actor.institution_id or queries.is_forensic(actor)):
        context["burial_form"] = (
            keep
            if isinstance(keep, BurialForm)
            else BurialForm(
                initial={
                    **initial,
                    "burial_place": record.burial_place,
                    "grave_reference": record.grave_reference,
                }
            )
        )
    if (
        has_perm(actor, Perm.TRACING_IDENTIFY)
        and queries.is_forensic(actor)
        and record.status == UnidentifiedRemains.Status.UNIDENTIFIED
    ):
        context["identify_form"] = (
            keep
            if isinstance(keep, IdentifyForm)
            else IdentifyForm(initial=initial, reports=_identifiable_reports(actor))
        )
    return render(request, "tracing/remains_detail.html", context, status=status)


@login_required
def remains_detail(request: HttpRequest, remains_id: uuid.UUID) -> HttpResponse:
    require(request.user, Perm.TRACING_READ)
    return _remains_page(request, remains_id)


def _remains_done(remains_id: uuid.UUID) -> HttpResponse:
    return _see_other(reverse("tracing:remains_detail", args=[remains_id]))


@login_required
@require_POST
def remains_burial(request: HttpRequest, remains_id: uuid.UUID) -> HttpResponse:
    require(request.user, Perm.TRACING_WRITE)
    form = BurialForm(request.POST)
    outcome = submit(
        form,
        lambda d: actions.remains_update_burial(
            actor=request.user,
            remains_id=remains_id,
            burial_place=d["burial_place"],
            grave_reference=d["grave_reference"],
            version=d["version"],
        ),
    )
    return form_response(
        request,
        form,
        outcome,
        success=_("Burial place recorded."),
        done=lambda: _remains_done(remains_id),
        page=partial(_remains_page, request, remains_id),
    )


@login_required
@require_POST
def remains_identify(request: HttpRequest, remains_id: uuid.UUID) -> HttpResponse:
    require(request.user, Perm.TRACING_IDENTIFY)
    form = IdentifyForm(request.POST, reports=_identifiable_reports(request.user))
    outcome = submit(
        form,
        lambda d: actions.remains_identify(
            actor=request.user,
            remains_id=remains_id,
            data=form.to_input(),
            version=d["version"],
        ),
    )
    queries.remains_get(actor=request.user, remains_id=remains_id)  # 404 outside the scope
    return form_response(
        request,
        form,
        outcome,
        success=_("Remains identified; the report now says found deceased."),
        done=lambda: _remains_done(remains_id),
        page=partial(_remains_page, request, remains_id),
    )


# --- family tracing -------------------------------------------------------------------------


@login_required
def requests(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.TRACING_READ)
    status = request.GET.get("status", "")
    records = queries.tracing_visible_to(request.user)
    if status in TracingRequest.Status.values:
        records = records.filter(status=status)
    page = _page(request, records.select_related("child").order_by("-requested_on", "-created_at"))
    return render(
        request,
        "tracing/requests.html",
        {
            "page": page,
            "rows": list(page),
            "status": status,
            "statuses": TracingRequest.Status.choices,
            "may_write": _write(request),
            "query": f"status={status}" if status else "",
            "reunified": queries.reunified_count(request.user),
        },
    )


@login_required
def request_new(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.TRACING_WRITE)
    form = TracingForm(
        request.POST if request.method == "POST" else None,
        sites=_own_sites(request.user),
        countries=_countries(),
        initial=picker_initial(request, "child"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            record = actions.tracing_open(actor=request.user, data=form.to_input())
        except InvalidInput as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("Tracing request recorded."))
            return _see_other(reverse("tracing:request_detail", args=[record.pk]))
    return render(
        request,
        "tracing/request_new.html",
        {
            "form": form,
            "picker": person_picker(request.user, form, "child", picker_query(request, "child")),
            "errors": _summary(form),
        },
        status=422 if request.method == "POST" else 200,
    )


def _outcome_choices(record: TracingRequest) -> list[tuple[str, Any]]:
    allowed = actions.TRACING_STEPS.get(record.status, set())
    return [(v, label) for v, label in TracingRequest.Status.choices if v in allowed]


def _request_page(
    request: HttpRequest,
    request_id: uuid.UUID,
    *,
    status: int = 200,
    bound: Form | None = None,
    conflict: Conflict | None = None,
) -> HttpResponse:
    actor = request.user
    record = queries.tracing_get(actor=actor, request_id=request_id)
    keep = bound if conflict is None else None
    initial = {"version": record.version}
    may_write = _write(request) and record.status in actions.OPEN_STATUSES
    candidates = list(record.candidates.select_related("person", "decided_by"))
    visible = visible_people(actor, {record.child_id, *(c.person_id for c in candidates)})
    countries = dict(_countries())
    relations = dict(TracingCandidate.Relation.choices)
    rows = []
    for c in candidates:
        forms_ = {}
        if may_write and c.status == TracingCandidate.Status.PROPOSED:
            for decision in ("verify", "reject"):
                key = f"{decision}-{c.pk.hex[:8]}"
                forms_[decision] = (
                    keep
                    if isinstance(keep, CandidateDecisionForm) and keep.key == key
                    else CandidateDecisionForm(
                        decision=decision, key=key, initial={"decision": decision}
                    )
                )
        rows.append({"candidate": c, "person": visible.get(c.person_id), "forms": forms_})
    context: dict[str, Any] = {
        "record": record,
        "visible": visible,
        "relatives": [
            {
                **r,
                "relation": relations.get(r.get("relation"), r.get("relation")),
                "country": countries.get(r.get("country"), r.get("country")),
            }
            for r in record.relatives_sought
        ],
        "candidates": rows,
        "history": _history(record),
        "conflict": conflict,
        "errors": _summary(keep),
        **_possible_matches(request, lambda: queries.tracing_matches(actor, record)),
        "relations": TracingCandidate.Relation.choices,
    }
    if may_write:
        form = keep if isinstance(keep, CandidateForm) else CandidateForm(initial=initial)
        context["candidate_form"] = form
        context["picker"] = person_picker(actor, form, "person", picker_query(request, "person"))
        context["outcome_form"] = (
            keep
            if isinstance(keep, OutcomeForm)
            else OutcomeForm(initial=initial, statuses=_outcome_choices(record))
        )
    return render(request, "tracing/request_detail.html", context, status=status)


@login_required
def request_detail(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    require(request.user, Perm.TRACING_READ)
    return _request_page(request, request_id)


def _request_done(request_id: uuid.UUID, anchor: str = "") -> HttpResponse:
    return _see_other(reverse("tracing:request_detail", args=[request_id]) + anchor)


@login_required
@require_POST
def candidate_add(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    require(request.user, Perm.TRACING_WRITE)
    form = CandidateForm(request.POST)
    outcome = submit(
        form,
        lambda d: actions.tracing_candidate_add(
            actor=request.user,
            request_id=request_id,
            person_id=d["person"],
            relation=d["relation"],
            how_found=d["how_found"],
            version=d["version"],
        ),
    )
    return form_response(
        request,
        form,
        outcome,
        success=_("Relative added; verify them before reunification."),
        done=lambda: _request_done(request_id, "#candidates-heading"),
        page=partial(_request_page, request, request_id),
    )


@login_required
@require_POST
def candidate_decide(request: HttpRequest, candidate_id: uuid.UUID) -> HttpResponse:
    require(request.user, Perm.TRACING_WRITE)
    candidate = (
        TracingCandidate.objects.filter(
            pk=candidate_id, request__in=queries.tracing_visible_to(request.user).values("pk")
        )
        .only("pk", "request_id")
        .first()
    )
    if candidate is None:
        raise NotFound
    decision = "verify" if request.POST.get("decision") == "verify" else "reject"
    form = CandidateDecisionForm(
        request.POST, decision=decision, key=f"{decision}-{candidate.pk.hex[:8]}"
    )
    if form.is_valid():
        d = form.cleaned_data
        try:
            actions.tracing_candidate_decide(
                actor=request.user,
                candidate_id=candidate_id,
                verified=decision == "verify",
                verification=d.get("verification") or "",
                reason=d.get("reason") or "",
            )
        except InvalidInput as exc:
            form.add_action_errors(exc)
        else:
            messages.success(
                request,
                _("Relative verified.") if decision == "verify" else _("Relative rejected."),
            )
            return _request_done(candidate.request_id, "#candidates-heading")
    return _request_page(request, candidate.request_id, status=422, bound=form)


@login_required
@require_POST
def request_outcome(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    require(request.user, Perm.TRACING_WRITE)
    statuses = [
        (v, label) for v, label in TracingRequest.Status.choices if v != TracingRequest.Status.OPEN
    ]
    form = OutcomeForm(request.POST, statuses=statuses)
    outcome = submit(
        form,
        lambda d: actions.tracing_outcome(
            actor=request.user,
            request_id=request_id,
            status=d["status"],
            on=d["on"],
            reason=d["reason"],
            version=d["version"],
        ),
    )
    return form_response(
        request,
        form,
        outcome,
        success=_("Outcome recorded."),
        done=lambda: _request_done(request_id),
        page=partial(_request_page, request, request_id),
    )


def home_panel(user: User) -> dict[str, Any]:
    """What waits for the user in tracing (core.views.home): reports still missing, remains
    not identified, tracing requests not closed."""
    return {
        "tracing": {
            "missing": queries.reports_visible_to(user)
            .filter(status=MissingReport.Status.MISSING)
            .count(),
            "remains": queries.remains_visible_to(user)
            .filter(status=UnidentifiedRemains.Status.UNIDENTIFIED)
            .count(),
            "open_requests": queries.tracing_visible_to(user)
            .filter(status__in=[TracingRequest.Status.OPEN, TracingRequest.Status.IN_PROGRESS])
            .count(),
        }
    }
