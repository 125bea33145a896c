"""Pages of the labour app: the public recruiter check and fraud report (no sign-in), the
recruiter register, fraud report queue, job offers and their workers, pamphlets, workplace
visits, support services and figures. Views parse the input and call `actions` and `queries`;
a refused write shows the page again with each message at its field (422), a lost race saves
nothing (409)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amparo.assistance.views import _countries
from amparo.cases.forms import humanise
from amparo.core.errors import Conflict, InvalidInput, NotFound
from amparo.core.labels import action_label
from amparo.core.models import Country, Site, User
from amparo.core.permissions import Forbidden, Perm, has_perm, require
from amparo.people.picker import person_picker, picker_query
from amparo.people.queries import person_search

from . import actions, public, queries
from .forms import (
    CheckForm,
    DecisionForm,
    EmployerForm,
    FraudReportForm,
    OfferForm,
    PamphletForm,
    PlacementForm,
    ReadmitForm,
    RecruiterForm,
    ReviewForm,
    ServiceForm,
    StepForm,
    SupervisionForm,
    VisitForm,
)
from .models import Employer, FraudReport, Placement, Recruiter, Sector, WorkplaceVisit

PAGE_SIZE = 50
PICKER_FIELDS = {"person"}


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


def _page(request: HttpRequest, records: Any) -> Any:
    return Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))


def _history(record: Any) -> list[dict[str, Any]]:
    labels = dict(type(record).Status.choices)
    rows = []
    for step in reversed(record.history):
        try:
            at: Any = datetime.fromisoformat(step.get("at", ""))
        except ValueError:
            at = step.get("at")
        what = _what_label(type(record).__name__.lower(), step.get("what") or "")
        rows.append({**step, "label": labels.get(step.get("status")), "at": at, "what": what})
    return rows


# History steps name what happened by a code ("authorise", "inspection"); the audit trail's
# words for the same acts say it in the reader's language.
WHAT_ACTIONS = {"applied": "apply", "registered": "register", "readmitted": "readmit"}


def _what_label(kind: str, what: str) -> str:
    if not what:
        return ""
    action = f"labour.{kind}.{WHAT_ACTIONS.get(what, what)}"
    label = action_label(action)
    return label if label != action else humanise(what)


def _offices(actor: User) -> list[tuple[str, str]]:
    sites = Site.objects.filter(institution_id__in=queries.family_ids(actor), active=True).exclude(
        kind=Site.Kind.MOBILE_CONSULATE
    )
    return [(s.code, s.name) for s in sites.order_by("kind", "name_es")[:500]]


def _employers() -> list[tuple[str, str]]:
    rows = Employer.objects.select_related("country").order_by("name_key")[:1000]
    return [("", "—"), *((str(e.pk), f"{e.name} · {e.country.name}") for e in rows)]


def _destinations() -> list[tuple[str, str]]:
    """Countries recruiters may name on the form: those where the network has a consulate
    (a short list of checkboxes, usable on a phone); the API takes any country."""
    codes = set(
        Site.objects.filter(kind=Site.Kind.CONSULATE, active=True).values_list(
            "country_id", flat=True
        )
    ) - {"GT"}
    return [c for c in _countries() if c[0] in codes]


def _country_names(codes: set[str]) -> dict[str, str]:
    return {c.code: c.name for c in Country.objects.filter(code__in=codes)}


def _ministry_page(actor: Any, perm: Perm) -> None:
    require(actor, perm)
    if not queries.is_ministry(actor):
        raise Forbidden(perm)


# --- the public check (no sign-in) ----------------------------------------------------------


STATE_LABELS = {
    "authorised": gettext_lazy("Authorised today"),
    "expired": gettext_lazy("Authorisation expired"),
    "not_yet_valid": gettext_lazy("Authorisation not yet in force"),
    "suspended": gettext_lazy("Suspended"),
    "revoked": gettext_lazy("Revoked"),
}


@require_GET
def check(request: HttpRequest) -> HttpResponse:
    """Anyone checks whether a recruiter is authorised today, for which countries and sectors."""
    form = CheckForm(request.GET if ("q" in request.GET or "number" in request.GET) else None)
    answer: dict[str, Any] | None = None
    status = 200
    if form.is_bound and form.is_valid():
        answer = queries.public_lookup(
            queries.PublicQuery(q=form.cleaned_data["q"], number=form.cleaned_data["number"])
        )
        if answer["error"] == "short":
            form.add_error(
                "q",
                _("Type %(n)s letters of the name at least, or the exact registration number.")
                % {"n": queries.PUBLIC_MIN_CHARS},
            )
        elif answer["error"] == "number":
            form.add_error("number", _("A registration number looks like RC-7KQ2-M9XD."))
        if answer["error"]:
            answer, status = None, 422
    elif form.is_bound:
        status = 422
    items = answer["items"] if answer else []
    countries = _country_names({c for item in items for c in item["countries"]})
    sectors = dict(Sector.choices)
    rows = [
        {
            **item,
            "state_label": STATE_LABELS.get(item["status"], item["status"]),
            "warning": public.not_authorised_warning(item["status"]),
            "country_names": [countries.get(c, c) for c in item["countries"]],
            "sector_names": [sectors.get(s, s) for s in item["sectors"]],
        }
        for item in items
    ]
    return render(
        request,
        "labour/check.html",
        {
            "form": form,
            "answer": answer,
            "rows": rows,
            "today": timezone.localdate(),
            "errors": _summary(form) if status == 422 else [],
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """Anyone reports a suspected recruitment fraud; the reporter may stay anonymous."""
    form = FraudReportForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if public.report_flood(request):
            return render(request, "labour/report.html", {"form": None, "flood": True}, status=429)
        if form.is_valid():
            if public.is_bot(form.cleaned_data["website"]):
                return _see_other(reverse("labour:report") + "?sent=1")  # a bot learns nothing
            language = getattr(request, "LANGUAGE_CODE", "es")
            try:
                actions.fraud_report_submit(data=form.to_input(language))
            except InvalidInput as exc:
                form.add_action_errors(exc)
            else:
                return _see_other(reverse("labour:report") + "?sent=1")
        status = 422
    return render(
        request,
        "labour/report.html",
        {
            "form": form,
            "sent": request.method == "GET" and request.GET.get("sent") == "1",
            "errors": _summary(form),
        },
        status=status,
    )


# --- recruiter register ---------------------------------------------------------------------


@login_required
def recruiters(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.LABOUR_READ)
    query = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    records = queries.recruiter_search(request.user, query, status).order_by("name_key", "id")
    return render(
        request,
        "labour/recruiters.html",
        {
            "page": _page(request, records),
            "query": query,
            "status": status,
            "statuses": Recruiter.Status.choices,
            "can_write": has_perm(request.user, Perm.LABOUR_WRITE)
            and queries.is_ministry(request.user),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def recruiter_new(request: HttpRequest) -> HttpResponse:
    _ministry_page(request.user, Perm.LABOUR_WRITE)
    form = RecruiterForm(request.POST if request.method == "POST" else None)
    form.choose("countries", _destinations())
    if request.method == "POST" and form.is_valid():
        try:
            recruiter = actions.recruiter_apply(actor=request.user, data=form.to_input())
        except InvalidInput as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("Application registered."))
            return _see_other(reverse("labour:recruiter_detail", args=[recruiter.pk]))
    return render(
        request,
        "labour/recruiter_new.html",
        {"form": form, "errors": _summary(form)},
        status=422 if request.method == "POST" else 200,
    )


def _recruiter_page(
    request: HttpRequest,
    recruiter_id: uuid.UUID,
    *,
    status: int = 200,
    bound: Form | None = None,
    conflict: Conflict | None = None,
) -> HttpResponse:
    actor = request.user
    require(actor, Perm.LABOUR_READ)
    recruiter = queries.recruiter_get(actor=actor, recruiter_id=recruiter_id)
    ministry = queries.is_ministry(actor)
    decision = supervision = None
    if ministry and has_perm(actor, Perm.LABOUR_DECIDE):
        decision = (
            bound
            if isinstance(bound, DecisionForm) and not conflict
            else DecisionForm(
                initial={"version": recruiter.version}, status=recruiter.status, key="decision"
            )
        )
        if not decision.fields["decision"].choices:  # type: ignore[attr-defined]
            decision = None
    if ministry and has_perm(actor, Perm.LABOUR_WRITE):
        supervision = (
            bound
            if isinstance(bound, SupervisionForm) and not conflict
            else SupervisionForm(initial={"version": recruiter.version}, key="supervision")
        )
    countries = _country_names(set(recruiter.countries))
    sectors = dict(Sector.choices)
    return render(
        request,
        "labour/recruiter_detail.html",
        {
            "recruiter": recruiter,
            "state": queries.public_state(recruiter, timezone.localdate()),
            "country_names": [countries.get(c, c) for c in recruiter.countries],
            "sector_names": [sectors.get(s, s) for s in recruiter.sectors],
            "events": recruiter.events.select_related("created_by"),
            "history": _history(recruiter),
            "decision_form": decision,
            "supervision_form": supervision,
            "conflict": conflict,
            "errors": _summary(bound),
        },
        status=status,
    )


@login_required
def recruiter_detail(request: HttpRequest, recruiter_id: uuid.UUID) -> HttpResponse:
    return _recruiter_page(request, recruiter_id)


@login_required
@require_POST
def recruiter_decide(request: HttpRequest, recruiter_id: uuid.UUID) -> HttpResponse:
    _ministry_page(request.user, Perm.LABOUR_DECIDE)
    recruiter = queries.recruiter_get(actor=request.user, recruiter_id=recruiter_id)
    form = DecisionForm(request.POST, status=recruiter.status, key="decision")
    if form.is_valid():
        try:
            actions.recruiter_decide(
                actor=request.user, recruiter_id=recruiter_id, data=form.to_input()
            )
        except InvalidInput as exc:
            form.add_action_errors(exc)
        except Conflict as exc:
            return _recruiter_page(request, recruiter_id, status=409, bound=form, conflict=exc)
        else:
            messages.success(request, _("Decision recorded."))
            return _see_other(reverse("labour:recruiter_detail", args=[recruiter_id]))
    return _recruiter_page(request, recruiter_id, status=422, bound=form)


@login_required
@require_POST
def recruiter_supervise(request: HttpRequest, recruiter_id: uuid.UUID) -> HttpResponse:
    _ministry_page(request.user, Perm.LABOUR_WRITE)
    queries.recruiter_get(actor=request.user, recruiter_id=recruiter_id)
    form = SupervisionForm(request.POST, key="supervision")
    if form.is_valid():
        try:
            actions.recruiter_supervise(
                actor=request.user, recruiter_id=recruiter_id, data=form.to_input()
            )
        except InvalidInput as exc:
            form.add_action_errors(exc)
        except Conflict as exc:
            return _recruiter_page(request, recruiter_id, status=409, bound=form, conflict=exc)
        else:
            messages.success(request, _("Recorded."))
            return _see_other(reverse("labour:recruiter_detail", args=[recruiter_id]))
    return _recruiter_page(request, recruiter_id, status=422, bound=form)


@login_required
def fraud_reports(
    request: HttpRequest, bound: ReviewForm | None = None, bound_id: Any = None
) -> HttpResponse:
    _ministry_page(request.user, Perm.LABOUR_READ)
    status = request.GET.get("status", "new")
    records = queries.fraud_reports_visible_to(request.user).select_related("recruiter")
    if status in FraudReport.Status.values:
        records = records.filter(status=status)
    return render(
        request,
        "labour/fraud_reports.html",
        {
            "page": _page(request, records.order_by("-received_at")),
            "status": status,
            "statuses": FraudReport.Status.choices,
            "can_review": has_perm(request.user, Perm.LABOUR_WRITE),
            "bound": bound,
            "bound_id": bound_id,
            "errors": _summary(bound),
        },
        status=422 if bound is not None else 200,
    )


@login_required
@require_POST
def fraud_review(request: HttpRequest, report_id: uuid.UUID) -> HttpResponse:
    _ministry_page(request.user, Perm.LABOUR_WRITE)
    if not queries.fraud_reports_visible_to(request.user).filter(pk=report_id).exists():
        raise NotFound
    form = ReviewForm(request.POST, key=f"review-{report_id}")
    if form.is_valid():
        try:
            actions.fraud_report_review(
                actor=request.user, report_id=report_id, note=form.cleaned_data["note"]
            )
        except InvalidInput as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("Report marked as reviewed."))
            return _see_other(reverse("labour:fraud_reports"))
    return fraud_reports(request, bound=form, bound_id=report_id)


# --- employers, offers and workers ----------------------------------------------------------


@login_required
def offers(request: HttpRequest, employer_form: EmployerForm | None = None) -> HttpResponse:
    require(request.user, Perm.LABOUR_READ)
    records = (
        queries.offers_visible_to(request.user)
        .select_related("employer", "country", "recruiter")
        .order_by("-starts_on", "id")
    )
    if employer_form is None:
        employer_form = EmployerForm(key="employer")
        employer_form.choose("country", [("", "—"), *_countries()])
    return render(
        request,
        "labour/offers.html",
        {
            "page": _page(request, records),
            "employer_form": employer_form,
            "can_write": has_perm(request.user, Perm.LABOUR_WRITE),
            "errors": _summary(employer_form),
        },
        status=422 if employer_form.is_bound else 200,
    )


@login_required
@require_POST
def employer_new(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.LABOUR_WRITE)
    form = EmployerForm(request.POST, key="employer")
    form.choose("country", [("", "—"), *_countries()])
    if form.is_valid():
        try:
            actions.employer_create(actor=request.user, data=form.to_input())
        except InvalidInput as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("Employer registered."))
            return _see_other(reverse("labour:offers"))
    return offers(request, employer_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def offer_new(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.LABOUR_WRITE)
    form = OfferForm(request.POST if request.method == "POST" else None)
    form.choose("employer", _employers())
    form.choose("country", [("", "—"), *_countries()])
    if request.method == "POST" and form.is_valid():
        try:
            offer = actions.offer_create(actor=request.user, data=form.to_input())
        except InvalidInput as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("Job offer recorded."))
            return _see_other(reverse("labour:offer_detail", args=[offer.pk]))
    return render(
        request,
        "labour/offer_new.html",
        {"form": form, "errors": _summary(form)},
        status=422 if request.method == "POST" else 200,
    )


def _offer_page(
    request: HttpRequest,
    offer_id: uuid.UUID,
    *,
    status: int = 200,
    bound: Form | None = None,
    bound_id: Any = None,
    conflict: Conflict | None = None,
) -> HttpResponse:
    actor = request.user
    require(actor, Perm.LABOUR_READ)
    offer = queries.offer_get(actor=actor, offer_id=offer_id)
    workers = queries.placements_of_offer(actor=actor, offer=offer)
    can_write = has_perm(actor, Perm.LABOUR_WRITE)
    placement_form = None
    picker = None
    if can_write:
        placement_form = bound if isinstance(bound, PlacementForm) else PlacementForm(key="worker")
        placement_form.choose("site", [("", "—"), *_offices(actor)])
        picker = person_picker(actor, placement_form, "person", picker_query(request, "person"))
    later = (
        queries.offers_visible_to(actor)
        .filter(starts_on__gt=offer.starts_on)
        .select_related("employer")
        .order_by("starts_on")[:50]
    )
    later_choices = [(str(o.pk), f"{o.employer.name} · {o.starts_on:%Y-%m-%d}") for o in later]
    rows = []
    for placement in workers:
        step_form = readmit_form = None
        if can_write and placement.status in actions.PLACEMENT_STEPS:
            if isinstance(bound, StepForm) and bound_id == placement.pk and not conflict:
                step_form = bound
            else:
                step_form = StepForm(
                    initial={"version": placement.version},
                    current=placement.status,
                    key=f"step-{placement.pk}",
                )
        if (
            can_write
            and placement.status == Placement.Status.RETURNED
            and later_choices
            and not hasattr(placement, "next_season")
        ):
            if isinstance(bound, ReadmitForm) and bound_id == placement.pk:
                readmit_form = bound
            else:
                readmit_form = ReadmitForm(key=f"readmit-{placement.pk}")
            readmit_form.choose("offer", later_choices)
        rows.append({"placement": placement, "step_form": step_form, "readmit_form": readmit_form})
    return render(
        request,
        "labour/offer_detail.html",
        {
            "offer": offer,
            "rows": rows,
            "placement_form": placement_form,
            "picker": picker,
            "conflict": conflict,
            "errors": _summary(bound),
        },
        status=status,
    )


@login_required
def offer_detail(request: HttpRequest, offer_id: uuid.UUID) -> HttpResponse:
    return _offer_page(request, offer_id)


@login_required
@require_POST
def placement_new(request: HttpRequest, offer_id: uuid.UUID) -> HttpResponse:
    require(request.user, Perm.LABOUR_WRITE)
    queries.offer_get(actor=request.user, offer_id=offer_id)
    form = PlacementForm(request.POST, key="worker")
    form.choose("site", [("", "—"), *_offices(request.user)])
    if form.is_valid():
        try:
            actions.placement_register(actor=request.user, offer_id=offer_id, data=form.to_input())
        except InvalidInput as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("Worker registered."))
            return _see_other(reverse("labour:offer_detail", args=[offer_id]))
    return _offer_page(request, offer_id, status=422, bound=form)


def _visible_placement(actor: User, placement_id: uuid.UUID) -> Placement:
    placement = queries.placements_visible_to(actor).filter(pk=placement_id).first()
    if placement is None:
        raise NotFound
    return placement


@login_required
@require_POST
def placement_step(request: HttpRequest, placement_id: uuid.UUID) -> HttpResponse:
    require(request.user, Perm.LABOUR_WRITE)
    placement = _visible_placement(request.user, placement_id)
    form = StepForm(request.POST, current=placement.status, key=f"step-{placement.pk}")
    if form.is_valid():
        try:
            actions.placement_step(
                actor=request.user, placement_id=placement_id, data=form.to_input()
            )
        except InvalidInput as exc:
            form.add_action_errors(exc)
        except Conflict as exc:
            return _offer_page(
                request,
                placement.offer_id,
                status=409,
                bound=form,
                bound_id=placement.pk,
                conflict=exc,
            )
        else:
            messages.success(request, _("Step recorded."))
            return _see_other(reverse("labour:offer_detail", args=[placement.offer_id]))
    return _offer_page(request, placement.offer_id, status=422, bound=form, bound_id=placement.pk)


@login_required
@require_POST
def placement_readmit(request: HttpRequest, placement_id: uuid.UUID) -> HttpResponse:
    require(request.user, Perm.LABOUR_WRITE)
    placement = _visible_placement(request.user, placement_id)
    form = ReadmitForm(request.POST, key=f"readmit-{placement.pk}")
    offer_id = request.POST.get("offer", "")
    form.fields["offer"].choices = [(offer_id, offer_id)]  # type: ignore[attr-defined]
    if form.is_valid():
        try:
            new = actions.placement_readmit(
                actor=request.user,
                placement_id=placement_id,
                offer_id=uuid.UUID(form.cleaned_data["offer"]),
            )
        except (InvalidInput, ValueError) as exc:
            if isinstance(exc, InvalidInput):
                form.add_action_errors(exc)
            else:
                form.add_error("offer", _("Choose an offer of your institution."))
        else:
            messages.success(request, _("Worker readmitted for the next season."))
            return _see_other(reverse("labour:offer_detail", args=[new.offer_id]))
    return _offer_page(request, placement.offer_id, status=422, bound=form, bound_id=placement.pk)


@login_required
@require_GET
def person_options(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.LABOUR_WRITE)
    prefix = request.GET.get("prefix", "")[:20]
    query = request.GET.get("q", "").strip()[:100]
    found = person_search(actor=request.user, query=query) if query else None
    picker = {
        "name": "person",
        "id": f"{prefix}-person" if prefix else "person",
        "people": found.people if found else [],
        "picked": None,
        "query": query,
        "searched": found is not None,
        "truncated": bool(found and found.truncated),
    }
    return render(request, "assistance/_person_options.html", {"picker": picker})


@login_required
@require_http_methods(["GET", "POST"])
def pamphlets(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.LABOUR_READ)
    form = None
    status = 200
    if has_perm(request.user, Perm.LABOUR_WRITE):
        form = PamphletForm(request.POST if request.method == "POST" else None, key="pamphlets")
        form.choose("site", [("", "—"), *_offices(request.user)])
        form.choose("country", [("", "—"), *_countries()])
        if request.method == "POST":
            if form.is_valid():
                try:
                    actions.pamphlets_record(actor=request.user, data=form.to_input())
                except InvalidInput as exc:
                    form.add_action_errors(exc)
                else:
                    messages.success(request, _("Pamphlets counted."))
                    return _see_other(reverse("labour:pamphlets"))
            status = 422
    elif request.method == "POST":
        require(request.user, Perm.LABOUR_WRITE)
    records = (
        queries.pamphlets_visible_to(request.user)
        .select_related("site", "country")
        .order_by("-distributed_on", "-created_at")
    )
    return render(
        request,
        "labour/pamphlets.html",
        {"page": _page(request, records), "form": form, "errors": _summary(form)},
        status=status,
    )


# --- support abroad -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def visits(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.LABOUR_READ)
    form = None
    status = 200
    if has_perm(request.user, Perm.LABOUR_WRITE):
        form = VisitForm(request.POST if request.method == "POST" else None, key="visit")
        form.choose("employer", _employers())
        form.choose("site", [("", "—"), *_offices(request.user)])
        if request.method == "POST":
            if form.is_valid():
                try:
                    actions.visit_record(actor=request.user, data=form.to_input())
                except InvalidInput as exc:
                    form.add_action_errors(exc)
                else:
                    messages.success(request, _("Visit recorded."))
                    return _see_other(reverse("labour:visits"))
            status = 422
    elif request.method == "POST":
        require(request.user, Perm.LABOUR_WRITE)
    records = (
        queries.visits_visible_to(request.user)
        .select_related("employer", "site")
        .order_by("-visited_on", "-created_at")
    )
    return render(
        request,
        "labour/visits.html",
        {"page": _page(request, records), "form": form, "errors": _summary(form)},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def services(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.LABOUR_READ)
    form = None
    picker = None
    status = 200
    if has_perm(request.user, Perm.LABOUR_WRITE):
        form = ServiceForm(request.POST if request.method == "POST" else None, key="service")
        form.choose("employer", _employers())
        form.choose("site", [("", "—"), *_offices(request.user)])
        if request.method == "POST":
            if form.is_valid():
                try:
                    service = actions.service_record(actor=request.user, data=form.to_input())
                except InvalidInput as exc:
                    form.add_action_errors(exc)
                else:
                    if service.case_id:
                        messages.success(
                            request, _("Service recorded; a labour-rights case was opened.")
                        )
                    else:
                        messages.success(request, _("Service recorded."))
                    return _see_other(reverse("labour:services"))
            status = 422
        picker = person_picker(request.user, form, "person", picker_query(request, "person"))
    elif request.method == "POST":
        require(request.user, Perm.LABOUR_WRITE)
    return render(
        request,
        "labour/services.html",
        {
            "rows": queries.services_list(request.user),
            "form": form,
            "picker": picker,
            "errors": _summary(form),
        },
        status=status,
    )


@login_required
def figures(request: HttpRequest) -> HttpResponse:
    # Analysts read the same figures through the API and the statistics catalogue.
    require(request.user, Perm.LABOUR_READ)
    years = queries.figure_years(request.user)
    asked = request.GET.get("year", "")
    try:
        year: int | None = int(asked)
    except ValueError:
        year = None if asked == "all" or not years else years[0]
    if year is not None and not 1900 <= year <= 2999:
        year = None
    data = queries.labour_figures(actor=request.user, year=year)
    names = _country_names(
        {r.country for r in data["recruited"]} | {p["country_id"] for p in data["pamphlets"]}
    )
    codes = {p["site__code"] for p in data["pamphlets"]} | {v["site__code"] for v in data["visits"]}
    sites = {s.code: s.name for s in Site.objects.filter(code__in=codes)}
    kinds = dict(WorkplaceVisit.Kind.choices)
    by_country: dict[str, dict[str, int]] = {}
    for row in data["recruited"]:
        counts = by_country.setdefault(row.country, {"F": 0, "M": 0, "other": 0, "total": 0})
        counts["F" if row.sex == "F" else "M" if row.sex == "M" else "other"] += row.workers
        counts["total"] += row.workers
    return render(
        request,
        "labour/figures.html",
        {
            "data": data,
            "year": year,
            "years": years,
            "recruited": [
                {"country": names.get(code, code), **counts}
                for code, counts in sorted(by_country.items())
            ],
            "pamphlets": [
                {
                    **p,
                    "country": names.get(p["country_id"], p["country_id"]),
                    "site": sites.get(p["site__code"], p["site__code"]),
                }
                for p in data["pamphlets"]
            ],
            "visits": [
                {
                    **v,
                    "site": sites.get(v["site__code"], v["site__code"]),
                    "kind": kinds.get(v["kind"], v["kind"]),
                }
                for v in data["visits"]
            ],
        },
    )
