"""Pages of the support line and the consular registers: the operator's contact page, the
contacts list and its CSV export, consular services and mobile consulates, the civil registry
and travel documents.

Views only parse the input and call `actions` and `queries`. A refused write shows the page
again with each message at its field and in a summary at the top (422); a write that lost a
race with someone else's saves nothing and says so (409).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from amparo.cases import actions as case_actions
from amparo.cases.models import Case, ServiceKind
from amparo.cases.protocol import protocol_get, text
from amparo.cases.queries import cases_owned_by
from amparo.core.audit import audit_record
from amparo.core.errors import Conflict, InvalidInput
from amparo.core.export import csv_response
from amparo.core.models import Country, Site, User
from amparo.core.permissions import Perm, has_perm, require
from amparo.people.models import Person
from amparo.people.picker import person_picker, picker_initial, picker_query, visible_people
from amparo.people.queries import person_search

from . import actions, queries
from .forms import (
    PARENT_RELATIONS,
    CivilRegistrationForm,
    CivilStepForm,
    ContactFilterForm,
    ContactForm,
    MobileConsulateForm,
    PeriodForm,
    RegisterFilterForm,
    ServiceForm,
    TravelCheckForm,
    TravelDecisionForm,
    TravelDocumentForm,
)
from .models import CivilRegistration, ContactReason, SupportContact, TravelDocument

PAGE_SIZE = 50
EXPORT_CAP = 50_000  # rows in one CSV file: a year of one consulate's calls, not the network's
MAX_PAGE = queries.COUNT_CAP // queries.PAGE_SIZE  # deep OFFSETs are slow and never needed
MOBILE_RECENT_DAYS = 90  # mobile consulates offered in the forms: running, coming or recent
PICKER_FIELDS = {"person", "other_person"}


# --- shared helpers -------------------------------------------------------------------------


def _summary(*forms: Form | None) -> list[dict[str, str]]:
    """Every message of the forms sent back, each linked to its field where it has one."""
    items: list[dict[str, str]] = []
    for form in forms:
        if form is None or not form.is_bound:
            continue
        for name, errors in form.errors.items():
            field = None if name == "__all__" else form[name]
            visible = field is not None and not field.is_hidden
            anchor = (field.id_for_label or f"{field.auto_id}_0") if visible and field else ""
            label = str(field.label or "") if visible and field else ""
            # The person pickers are not form widgets: their anchor is the search box.
            if field is not None and name in PICKER_FIELDS:
                anchor, label = f"{form.auto_id % name}-q", ""  # type: ignore[operator]
            for message in errors:
                items.append({"message": str(message), "anchor": anchor, "label": label})
    return items


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _lang_en() -> bool:
    return (translation.get_language() or "es")[:2] == "en"


def _countries() -> list[tuple[str, str]]:
    rows = Country.objects.order_by("name_en" if _lang_en() else "name_es")
    return [
        (code, en if _lang_en() and en else es)
        for code, es, en in rows.values_list("code", "name_es", "name_en")
    ]


def _reasons() -> list[tuple[str, str]]:
    rows = ContactReason.objects.filter(active=True).order_by(
        "name_en" if _lang_en() else "name_es"
    )
    return [
        (code, en if _lang_en() and en else es)
        for code, es, en in rows.values_list("code", "name_es", "name_en")
    ]


def _record_sites(actor: User, kinds: tuple[str, ...]) -> list[tuple[str, str]]:
    """The actor's institution's active sites of these kinds; mobile consulates only while
    they are coming, running or recent."""
    recent = timezone.localdate() - timedelta(days=MOBILE_RECENT_DAYS)
    sites = Site.objects.filter(
        institution_id=actor.institution_id, active=True, kind__in=kinds
    ).exclude(kind=Site.Kind.MOBILE_CONSULATE, closes_on__lt=recent)
    return [(s.code, s.name) for s in sites.order_by("kind", "name_es")]


RECORD_SITE_KINDS = (Site.Kind.CONSULATE, Site.Kind.MOBILE_CONSULATE, Site.Kind.OFFICE)


def _case_label(case: Case) -> str:
    protocol = protocol_get(case.protocol_code, case.protocol_version)
    return text(protocol.name) if protocol else case.protocol_code


def _open_cases(actor: User, person_id: Any) -> list[dict[str, Any]]:
    if not person_id:
        return []
    cases = cases_owned_by(actor).filter(person_id=person_id, closed_at__isnull=True)
    return [{"case": c, "label": _case_label(c)} for c in cases.order_by("-opened_at")[:20]]


# --- the person picker's fragments (htmx) ---------------------------------------------------


@login_required
def person_options(request: HttpRequest) -> HttpResponse:
    """The people a search finds, as choices of a picker (`name`: its form field)."""
    require(request.user, Perm.ASSISTANCE_WRITE)
    name = request.GET.get("name", "person")
    if name not in PICKER_FIELDS:
        name = "person"
    prefix = request.GET.get("prefix", "")[:20]
    query = request.GET.get("q", "").strip()[:100]
    found = person_search(actor=request.user, query=query) if query else None
    return render(
        request,
        "assistance/_person_options.html",
        {
            "picker": {
                "name": name,
                "id": f"{prefix}-{name}" if prefix else name,
                "people": found.people if found else [],
                "picked": None,
                "query": query,
                "searched": found is not None,
                "truncated": bool(found and found.truncated),
                "cases": request.GET.get("cases") == "1",
            }
        },
    )


@login_required
def person_cases(request: HttpRequest) -> HttpResponse:
    """The open cases of the person picked on the contact page, to add the contact to one."""
    require(request.user, Perm.ASSISTANCE_WRITE)
    try:
        person_id = uuid.UUID(request.GET.get("person", ""))
    except ValueError:
        person_id = None
    return render(
        request,
        "assistance/_contact_cases.html",
        {"cases": _open_cases(request.user, person_id), "chosen_case": ""},
    )


# --- the operator's contact page ------------------------------------------------------------


def _latest_contacts(actor: User) -> list[dict[str, Any]]:
    rows = list(queries.latest_contacts_query(actor))
    people = visible_people(actor, {r.person_id for r in rows})
    return [{"contact": r, "person": people.get(r.person_id)} for r in rows]


@login_required
def contact_new(request: HttpRequest) -> HttpResponse:
    """Log a contact in one request: 303 back to a fresh form, or the form with its messages."""
    require(request.user, Perm.ASSISTANCE_WRITE)
    form = ContactForm(
        request.POST if request.method == "POST" else None,
        reasons=_reasons(),
        countries=_countries(),
        initial=picker_initial(request, "person"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            contact = actions.contact_log(actor=request.user, data=form.to_input())
        except InvalidInput as exc:
            form.add_action_errors(exc)
        else:
            if contact.outcome in (
                SupportContact.Outcome.CASE_OPENED,
                SupportContact.Outcome.MISSING_REPORT,
            ):
                messages.success(request, _("Contact logged and case opened."))
            elif contact.outcome == SupportContact.Outcome.CASE_UPDATED:
                messages.success(request, _("Contact logged and added to the case."))
            else:
                messages.success(request, _("Contact logged."))
            return _see_other(reverse("assistance:contact_new"))
    picker = person_picker(request.user, form, "person", picker_query(request, "person"))
    picker["cases"] = True
    chosen_case = form.data.get("case", "") if form.is_bound else ""
    context = {
        "form": form,
        "picker": picker,
        "cases": _open_cases(request.user, picker["picked"]),
        "chosen_case": chosen_case,
        "latest": _latest_contacts(request.user),
        "errors": _summary(form),
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "assistance/contact_new.html", context, status=status)


# --- contacts list and export ---------------------------------------------------------------


def _contact_filter(request: HttpRequest, reasons: list[tuple[str, str]]) -> tuple[Any, Any]:
    """The filter form and the filter; with no filter asked, the last 30 days."""
    params = request.GET
    if not any(k in params for k in ("start", "end", "reason", "channel", "outcome")):
        params = params.copy()
        params["start"] = (timezone.localdate() - timedelta(days=30)).isoformat()
    form = ContactFilterForm(params, reasons=reasons)
    v = form.values()
    return form, queries.ContactFilter(
        start=v["start"],
        end=v["end"],
        reason=v["reason"],
        channel=v["channel"],
        outcome=v["outcome"],
    )


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    number = int(raw) if raw.isdigit() else 1
    return min(max(number, 1), MAX_PAGE)


@login_required
def contacts(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.ASSISTANCE_READ)
    reasons = _reasons()
    form, filters = _contact_filter(request, reasons)
    number = _page_number(request)
    page = queries.contact_page(
        actor=request.user, filters=filters, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    query = request.GET.copy()
    query.pop("page", None)
    if "start" not in query and form.data.get("start"):
        query["start"] = form.data["start"]
    shown_to = page.offset + len(page.rows)
    return render(
        request,
        "assistance/contacts.html",
        {
            "form": form,
            "page": page,
            "rows": [{"contact": r, "person": page.people.get(r.person_id)} for r in page.rows],
            "number": number,
            "has_previous": number > 1,
            "has_next": (shown_to < page.count or page.capped) and number < MAX_PAGE,
            "shown_from": page.offset + 1 if page.rows else 0,
            "shown_to": shown_to,
            # The figures are counted after the list (htmx, or a link without JavaScript): the
            # list never waits for a count of the period (a month of a busy year is 85,000
            # contacts; a year a million, 1 s and more on SQLite).
            "tables": None,
            "query": query.urlencode(),
        },
    )


def _figure_tables(
    actor: User, filters: queries.ContactFilter, reasons: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    """The contacts of the filters counted by reason, channel and outcome, with labels."""
    names = dict(reasons) | {r.code: r.name for r in ContactReason.objects.filter(active=False)}
    counts = queries.contact_counts(actor, filters)
    labels = {
        "reason": names,
        "channel": dict(SupportContact.Channel.choices),
        "outcome": dict(SupportContact.Outcome.choices),
    }
    return [
        {
            "name": name,
            "title": title,
            "rows": [(labels[name].get(code, code), n) for code, n in counts[name]],
        }
        for name, title in (
            ("reason", _("By reason")),
            ("channel", _("By channel")),
            ("outcome", _("By outcome")),
        )
    ]


@login_required
def contact_figures(request: HttpRequest) -> HttpResponse:
    """The figures of the contacts list's filters: the fragment the list loads (htmx), or a
    page of its own without JavaScript."""
    require(request.user, Perm.ASSISTANCE_READ)
    reasons = _reasons()
    _form, filters = _contact_filter(request, reasons)
    tables = _figure_tables(request.user, filters, reasons)
    query = request.GET.urlencode()
    if getattr(request, "htmx", False):
        return render(request, "assistance/_contact_figures.html", {"tables": tables})
    return render(request, "assistance/contact_figures.html", {"tables": tables, "query": query})


@login_required
def contacts_export(request: HttpRequest) -> HttpResponse:
    """The filtered contacts as CSV (at most EXPORT_CAP rows); the export itself is audited."""
    require(request.user, Perm.ASSISTANCE_READ)
    reasons = _reasons()
    form, filters = _contact_filter(request, reasons)
    names = dict(reasons)
    audit_record(
        actor=request.user,
        action="contact.export",
        detail={
            "start": filters.start.isoformat() if filters.start else "",
            "end": filters.end.isoformat() if filters.end else "",
            "reason": filters.reason,
            "channel": filters.channel,
            "outcome": filters.outcome,
            "cap": EXPORT_CAP,
        },
    )
    # Who recorded each row by a lookup, not a join: see queries.with_recorders.
    contacts = queries.contacts_filtered(request.user, filters).order_by("-received_at", "-id")[
        :EXPORT_CAP
    ]
    usernames: dict[int, str] = {}

    def username(user_id: int) -> str:
        if user_id not in usernames:
            usernames[user_id] = User.objects.values_list("username", flat=True).get(pk=user_id)
        return usernames[user_id]
    tz = timezone.get_current_timezone()
    channels = dict(SupportContact.Channel.choices)
    outcomes = dict(SupportContact.Outcome.choices)

    def rows() -> Iterator[list[Any]]:
        for c in contacts.iterator(chunk_size=2000):
            yield [
                c.pk,
                c.received_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                channels.get(c.channel, c.channel),
                names.get(c.reason_id, c.reason_id),
                outcomes.get(c.outcome, c.outcome),
                c.caller_country_id or "",
                c.caller_city,
                c.duration_seconds,
                _("yes") if c.person_id else _("no"),
                c.case_id or "",
                username(c.recorded_by_id),
                c.note,
            ]

    header = [
        _("Contact"),
        _("Received at"),
        _("Channel"),
        _("Reason"),
        _("Outcome"),
        _("Caller's country"),
        _("Caller's city"),
        _("Duration (seconds)"),
        _("Person on record"),
        _("Case"),
        _("Recorded by"),
        _("Note"),
    ]
    day = timezone.localdate().isoformat()
    return csv_response(f"contacts-{day}.csv", header, rows())


# --- consular services and mobile consulates ------------------------------------------------


def _consular_page(
    request: HttpRequest,
    *,
    status: int = 200,
    mobile_form: MobileConsulateForm | None = None,
    service_form: ServiceForm | None = None,
) -> HttpResponse:
    actor = request.user
    period = PeriodForm(request.GET or None)
    start, end = period.period()
    figures = queries.consular_service_figures(actor, start=start, end=end)
    kinds = dict(ServiceKind.choices)
    mobiles = list(
        queries.mobile_consulates(actor).filter(opens_on__gte=start, opens_on__lte=end)[:200]
    )
    may_write = has_perm(actor, Perm.ASSISTANCE_WRITE)
    context: dict[str, Any] = {
        "period": period,
        "start": start,
        "end": end,
        "figures": figures,
        "by_kind": [(kinds.get(k, k), n) for k, n in figures.by_kind],
        "mobiles": mobiles,
        "may_write": may_write,
    }
    if may_write:
        consulates = [
            (s.code, s.name)
            for s in queries.consular_sites(actor)
            .filter(kind=Site.Kind.CONSULATE, active=True)
            .order_by("name_es")
        ]
        mobile_form = mobile_form or MobileConsulateForm(consulates=consulates)
        service_form = service_form or ServiceForm(
            sites=_record_sites(actor, queries.CONSULAR_SITES),
            initial=picker_initial(request, "person"),
        )
        context.update(
            {
                "mobile_form": mobile_form,
                "service_form": service_form,
                "picker": person_picker(
                    actor, service_form, "person", picker_query(request, "person")
                ),
                "errors": _summary(mobile_form, service_form),
            }
        )
    return render(request, "assistance/consular.html", context, status=status)


@login_required
def consular(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.ASSISTANCE_READ)
    return _consular_page(request)


@login_required
@require_POST
def mobile_consulate_new(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.ASSISTANCE_WRITE)
    consulates = [
        (s.code, s.name)
        for s in queries.consular_sites(request.user).filter(kind=Site.Kind.CONSULATE)
    ]
    form = MobileConsulateForm(request.POST, consulates=consulates)
    if form.is_valid():
        d = form.cleaned_data
        try:
            site = actions.mobile_consulate_create(
                actor=request.user,
                consulate_code=d["consulate"],
                city=d["city"],
                region=d["region"],
                opens_on=d["opens_on"],
                closes_on=d["closes_on"],
                place=d["place"],
            )
        except InvalidInput as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("Mobile consulate “%(name)s” created.") % {"name": site})
            return _see_other(reverse("assistance:consular") + "#main-content")
    return _consular_page(request, status=422, mobile_form=form)


@login_required
@require_POST
def service_new(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.ASSISTANCE_WRITE)
    form = ServiceForm(request.POST, sites=_record_sites(request.user, queries.CONSULAR_SITES))
    if form.is_valid():
        d = form.cleaned_data
        try:
            if d["person"] is None:
                raise InvalidInput.field("person", _("Find the person and pick them."))
            case_actions.service_record(
                actor=request.user,
                person_id=d["person"],
                kind=d["kind"],
                site_code=d["site"],
                delivered_at=form.delivered_at(),
                note=d["note"],
            )
        except InvalidInput as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("Service recorded."))
            # To the confirmation at the top of the main content: at a phone's width the
            # form's own heading scrolled it out of sight (issue 14).
            return _see_other(reverse("assistance:consular") + "#main-content")
    return _consular_page(request, status=422, service_form=form)


# --- registers: shared list and person columns ----------------------------------------------


def _register_list(
    request: HttpRequest,
    records: Any,
    *,
    kinds: list[tuple[str, Any]],
    statuses: list[tuple[str, Any]],
    order: tuple[str, ...],
) -> dict[str, Any]:
    form = RegisterFilterForm(request.GET or None, kinds=kinds, statuses=statuses)
    v = form.values()
    if v["kind"]:
        records = records.filter(kind=v["kind"])
    if v["status"]:
        records = records.filter(status=v["status"])
    records = records.select_related("site", "institution").order_by(*order)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    people = visible_people(request.user, {r.person_id for r in page})
    statuses_by = dict(statuses)
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "form": form,
        "page": page,
        "rows": [
            {"record": r, "person": people.get(r.person_id), "status": statuses_by.get(r.status)}
            for r in page
        ],
        "query": query.urlencode(),
        "may_write": has_perm(request.user, Perm.ASSISTANCE_WRITE),
    }


# --- civil registry -------------------------------------------------------------------------


@login_required
def civil_registry(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.ASSISTANCE_READ)
    records = queries.civil_registrations_visible_to(request.user)
    # ?waiting=1: the entries waiting for the user's institution to take a step (the home
    # page's count and the menu's "civil registry steps" lead here).
    waiting = request.GET.get("waiting") == "1"
    if waiting:
        records = records.filter(status__in=_civil_waiting_statuses(request.user))
    context = _register_list(
        request,
        records,
        kinds=CivilRegistration.Kind.choices,
        statuses=CivilRegistration.Status.choices,
        order=("-recorded_on", "-created_at"),
    )
    context["is_registry"] = _is_registry(request.user)
    context["waiting"] = waiting
    return render(request, "assistance/civil_registry.html", context)


def _is_registry(actor: User) -> bool:
    return actor.institution is not None and actor.institution.code == queries.civil_registry_code()


def _civil_waiting_statuses(actor: User) -> list[str]:
    """The statuses in which an entry waits for the actor's institution: the registry acts on
    what was sent to it, a consulate on what it recorded and what came back rejected."""
    if _is_registry(actor):
        return [CivilRegistration.Status.SENT, CivilRegistration.Status.ACKNOWLEDGED]
    return [CivilRegistration.Status.RECORDED, CivilRegistration.Status.REJECTED]


@login_required
def civil_registry_new(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.ASSISTANCE_WRITE)
    form = CivilRegistrationForm(
        request.POST if request.method == "POST" else None,
        sites=_record_sites(request.user, RECORD_SITE_KINDS),
        countries=_countries(),
        initial=picker_initial(request, "person"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            record = actions.civil_registration_record(actor=request.user, data=form.to_input())
        except InvalidInput as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("Civil registry entry recorded."))
            return _see_other(reverse("assistance:civil_registry_detail", args=[record.pk]))
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "assistance/civil_registry_new.html",
        {
            "form": form,
            "picker": person_picker(request.user, form, "person", picker_query(request, "person")),
            "other_picker": person_picker(
                request.user, form, "other_person", picker_query(request, "other_person")
            ),
            "errors": _summary(form),
        },
        status=status,
    )


def _history(record: Any) -> list[dict[str, Any]]:
    """The entry's steps, newest first, each status named."""
    labels = dict(type(record).Status.choices)
    rows = []
    for step in reversed(record.history):
        rows.append(
            {
                **step,
                "label": labels.get(step.get("status"), step.get("status")),
                "at": _parse_time(step.get("at", "")),
            }
        )
    return rows


def _status_label(record: Any) -> str:
    return str(dict(type(record).Status.choices).get(record.status, record.status))


def _parse_time(value: str) -> Any:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return value


def _civil_steps(actor: User, record: CivilRegistration) -> list[str]:
    """The statuses the actor may move the entry to now (actions.CIVIL_STEPS)."""
    if not has_perm(actor, Perm.ASSISTANCE_WRITE):
        return []
    registry = _is_registry(actor)
    steps = []
    for (source, target), who in actions.CIVIL_STEPS.items():
        if source != record.status:
            continue
        if who == "registry" and registry:
            steps.append(target)
        elif who == "owner" and not registry and record.institution_id == actor.institution_id:
            steps.append(target)
    return steps


STEP_BUTTONS = {
    "sent": (gettext_lazy("Send to the civil registry"), gettext_lazy("Send again")),
    "acknowledged": (gettext_lazy("Acknowledge receipt"), None),
    "rejected": (gettext_lazy("Reject the entry"), None),
    "registered": (gettext_lazy("Mark as registered"), None),
}


def _civil_page(
    request: HttpRequest,
    record_id: uuid.UUID,
    *,
    status: int = 200,
    bound: CivilStepForm | None = None,
    conflict: Conflict | None = None,
) -> HttpResponse:
    record = queries.civil_registration_get(actor=request.user, record_id=record_id)
    steps = []
    for target in _civil_steps(request.user, record):
        if bound is not None and conflict is None and bound.data.get("status") == target:
            form = bound
        else:
            initial = {"status": target, "version": record.version}
            form = CivilStepForm(status=target, initial=initial)
        first, again = STEP_BUTTONS.get(target, (target, None))
        label = again if again and record.status == CivilRegistration.Status.REJECTED else first
        steps.append({"status": target, "form": form, "label": label})
    people = visible_people(request.user, {record.person_id, record.other_person_id})
    other = (
        Person.objects.filter(pk=record.other_person_id).first() if record.other_person_id else None
    )
    return render(
        request,
        "assistance/civil_registry_detail.html",
        {
            "record": record,
            "status_label": _status_label(record),
            "other_person": other,
            "visible": people,
            "history": _history(record),
            "steps": steps,
            "conflict": conflict,
            "errors": _summary(bound) if conflict is None else [],
        },
        status=status,
    )


@login_required
def civil_registry_detail(request: HttpRequest, record_id: uuid.UUID) -> HttpResponse:
    require(request.user, Perm.ASSISTANCE_READ)
    return _civil_page(request, record_id)


@login_required
@require_POST
def civil_registry_step(request: HttpRequest, record_id: uuid.UUID) -> HttpResponse:
    require(request.user, Perm.ASSISTANCE_WRITE)
    target = request.POST.get("status", "")
    if target not in CivilRegistration.Status.values:
        target = CivilRegistration.Status.SENT
    form = CivilStepForm(request.POST, status=target)
    if form.is_valid():
        d = form.cleaned_data
        try:
            actions.civil_registration_advance(
                actor=request.user,
                record_id=record_id,
                status=d["status"],
                reason=d.get("reason") or "",
                registry_reference=d.get("registry_reference") or "",
                version=d["version"],
            )
        except InvalidInput as exc:
            form.add_action_errors(exc)
        except Conflict as exc:
            return _civil_page(request, record_id, status=409, conflict=exc)
        else:
            labels = dict(CivilRegistration.Status.choices)
            messages.success(
                request,
                _("Step taken: the entry is now “%(status)s”.") % {"status": labels[target]},
            )
            return _see_other(reverse("assistance:civil_registry_detail", args=[record_id]))
    return _civil_page(request, record_id, status=422, bound=form)


# --- travel documents -----------------------------------------------------------------------


@login_required
def travel_documents(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.ASSISTANCE_READ)
    context = _register_list(
        request,
        queries.travel_documents_visible_to(request.user),
        kinds=TravelDocument.Kind.choices,
        statuses=TravelDocument.Status.choices,
        order=("-requested_on", "-created_at"),
    )
    return render(request, "assistance/travel_documents.html", context)


@login_required
def travel_document_new(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.ASSISTANCE_WRITE)
    form = TravelDocumentForm(
        request.POST if request.method == "POST" else None,
        sites=_record_sites(request.user, RECORD_SITE_KINDS),
        initial=picker_initial(request, "person"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["person"] is None:
                raise InvalidInput.field("person", _("Find the person and pick them."))
            record = actions.travel_document_request(actor=request.user, data=form.to_input())
        except InvalidInput as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("Travel document request recorded."))
            return _see_other(reverse("assistance:travel_document_detail", args=[record.pk]))
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "assistance/travel_document_new.html",
        {
            "form": form,
            "picker": person_picker(request.user, form, "person", picker_query(request, "person")),
            "errors": _summary(form),
        },
        status=status,
    )


def _travel_page(
    request: HttpRequest,
    record_id: uuid.UUID,
    *,
    status: int = 200,
    bound: Form | None = None,
    conflict: Conflict | None = None,
) -> HttpResponse:
    record = queries.travel_document_get(actor=request.user, record_id=record_id)
    may_write = has_perm(request.user, Perm.ASSISTANCE_WRITE)
    initial = {"version": record.version}
    keep = bound if conflict is None else None
    context: dict[str, Any] = {
        "record": record,
        "status_label": _status_label(record),
        "visible": visible_people(request.user, {record.person_id}),
        "age": actions.age_on(record.person, record.requested_on),
        "parents": [
            {**p, "relation": dict(PARENT_RELATIONS).get(p.get("relation"), "")}
            for p in record.parents
        ],
        "adult_age": actions.ADULT_AGE,
        "history": _history(record),
        "conflict": conflict,
        "errors": _summary(keep),
    }
    if may_write and record.status == TravelDocument.Status.REQUESTED:
        context["check_form"] = (
            keep if isinstance(keep, TravelCheckForm) else TravelCheckForm(initial=initial)
        )
    if may_write and record.status in (
        TravelDocument.Status.REQUESTED,
        TravelDocument.Status.CHECKED,
    ):
        for decision in ("issue", "refuse"):
            if decision == "issue" and record.status != TravelDocument.Status.CHECKED:
                continue
            form = (
                keep
                if (isinstance(keep, TravelDecisionForm) and keep.data.get("decision") == decision)
                else TravelDecisionForm(
                    decision=decision, initial={**initial, "decision": decision}
                )
            )
            context[f"{decision}_form"] = form
    return render(request, "assistance/travel_document_detail.html", context, status=status)


@login_required
def travel_document_detail(request: HttpRequest, record_id: uuid.UUID) -> HttpResponse:
    require(request.user, Perm.ASSISTANCE_READ)
    return _travel_page(request, record_id)


def _travel_done(record_id: uuid.UUID) -> HttpResponse:
    return _see_other(reverse("assistance:travel_document_detail", args=[record_id]))


@login_required
@require_POST
def travel_document_check(request: HttpRequest, record_id: uuid.UUID) -> HttpResponse:
    require(request.user, Perm.ASSISTANCE_WRITE)
    form = TravelCheckForm(request.POST)
    if form.is_valid():
        try:
            actions.travel_document_check(
                actor=request.user,
                record_id=record_id,
                check=form.to_input(),
                version=form.cleaned_data["version"],
            )
        except InvalidInput as exc:
            form.add_action_errors(exc)
        except Conflict as exc:
            return _travel_page(request, record_id, status=409, conflict=exc)
        else:
            messages.success(request, _("Consent checked: the document may be issued."))
            return _travel_done(record_id)
    return _travel_page(request, record_id, status=422, bound=form)


@login_required
@require_POST
def travel_document_decision(request: HttpRequest, record_id: uuid.UUID) -> HttpResponse:
    require(request.user, Perm.ASSISTANCE_WRITE)
    decision = "issue" if request.POST.get("decision") == "issue" else "refuse"
    form = TravelDecisionForm(request.POST, decision=decision)
    if form.is_valid():
        d = form.cleaned_data
        try:
            actions.travel_document_decide(
                actor=request.user,
                record_id=record_id,
                issue=decision == "issue",
                document_number=d.get("document_number") or "",
                reason=d.get("reason") or "",
                version=d["version"],
            )
        except InvalidInput as exc:
            form.add_action_errors(exc)
        except Conflict as exc:
            return _travel_page(request, record_id, status=409, conflict=exc)
        else:
            if decision == "issue":
                messages.success(request, _("Document issued."))
            else:
                messages.success(request, _("Request refused; the reason was recorded."))
            return _travel_done(record_id)
    return _travel_page(request, record_id, status=422, bound=form)


# --- the home page's panel ------------------------------------------------------------------


def home_panel(user: User) -> dict[str, Any]:
    """The support line and register entries waiting for the user (core.views.home)."""
    today = timezone.localdate()
    lo, _hi = queries.day_range(today, today)
    mine_today = (
        queries.contacts_visible_to(user).filter(recorded_by=user, received_at__gte=lo).count()
    )
    waiting = queries.civil_registrations_visible_to(user).filter(
        status__in=_civil_waiting_statuses(user)
    )
    travel = queries.travel_documents_visible_to(user).filter(
        status__in=[TravelDocument.Status.REQUESTED, TravelDocument.Status.CHECKED]
    )
    return {
        "assistance": {
            "contacts_today": mine_today,
            "civil_waiting": waiting.count(),
            "travel_waiting": travel.count(),
            "may_write": has_perm(user, Perm.ASSISTANCE_WRITE),
        }
    }
