"""People pages: search, search-before-create, person page with timeline and its small
forms (document, contact, other name, relation, void), edit."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amparo.cases.actions import service_record
from amparo.cases.models import ServiceKind
from amparo.core.errors import Conflict, InvalidInput, NotFound
from amparo.core.permissions import Perm, has_perm
from amparo.core.views import forbidden, not_found

from . import actions
from .forms import (
    ContactAddForm,
    DocumentAddForm,
    HouseholdCreateForm,
    LinkForm,
    NameAddForm,
    PersonCreateForm,
    PersonEditForm,
    PersonPartForm,
    RelationAddForm,
    ServiceAddForm,
    VoidForm,
)
from .hub import PersonHub, person_hub
from .models import Person
from .queries import (
    person_break_glass,
    person_get,
    person_search,
    person_timeline,
    relations_visible_to,
)


def _may(request: HttpRequest, perm: Perm) -> bool:
    return has_perm(request.user, perm)


@login_required
def search(request: HttpRequest) -> HttpResponse:
    if not _may(request, Perm.PERSON_READ):
        return forbidden(request)
    query = request.GET.get("q", "").strip()[:100]
    result = person_search(actor=request.user, query=query) if query else None
    context = {"query": query, "result": result}
    # The live search pushes its URL into the history: a history restore, or the browser
    # going back to that URL, must get the whole page, never the results fragment.
    fragment = request.htmx and not request.htmx.history_restore_request
    template = "people/_results.html" if fragment else "people/search.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _candidates_for(request: HttpRequest, data: dict[str, str]) -> tuple[list[Person], bool]:
    """Likely existing records: people the user holds with these names, and whether the
    document already belongs to someone in the network (who is not shown)."""
    names = " ".join(data.get(k, "") for k in ("given_names", "first_surname")).strip()
    people = person_search(actor=request.user, query=names[:100], limit=10).people if names else []
    held_elsewhere = False
    if data.get("number") and data.get("doc_type") and data.get("issuing_country"):
        doc = actions.DocumentInput(data["doc_type"], data["number"], data["issuing_country"])
        held_elsewhere = (
            not actions.validate_document(doc) and actions._existing_holder(doc) is not None
        )
    return people, held_elsewhere


@login_required
def candidates(request: HttpRequest) -> HttpResponse:
    if not _may(request, Perm.PERSON_WRITE):
        return forbidden(request)
    people, held_elsewhere = _candidates_for(request, request.GET.dict())
    return render(
        request, "people/_candidates.html", {"candidates": people, "held_elsewhere": held_elsewhere}
    )


@login_required
def create(request: HttpRequest) -> HttpResponse:
    if not _may(request, Perm.PERSON_WRITE):
        return forbidden(request)
    form = PersonCreateForm(request.POST or None)
    people: list[Person] = []
    held_elsewhere = False
    if request.method == "POST" and form.is_valid():
        people, held_elsewhere = _candidates_for(request, request.POST.dict())
        if (
            (people or held_elsewhere)
            and not form.cleaned_data["confirm_new"]
            and not held_elsewhere
        ):
            form.add_error(
                "confirm_new", _("Check the people listed before registering a new record.")
            )
        elif held_elsewhere:
            form.add_error(
                "number",
                _("This document is already registered in the network. Link that record instead."),
            )
        else:
            try:
                person = actions.person_register(
                    actor=request.user,
                    data=form.to_input(),
                    documents=form.documents(),
                    markers=form.cleaned_data["markers"],
                )
            except InvalidInput as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("Person registered."))
                return redirect("people:detail", person_id=person.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "people/create.html",
        {"form": form, "candidates": people, "held_elsewhere": held_elsewhere},
        status=status,
    )


@login_required
def link(request: HttpRequest) -> HttpResponse:
    if not _may(request, Perm.PERSON_WRITE):
        return forbidden(request)
    form = LinkForm(request.POST or None, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            person = actions.person_link(
                actor=request.user,
                document=actions.DocumentInput(d["doc_type"], d["number"], d["issuing_country"]),
                reason=d["reason"],
            )
        except InvalidInput as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("The existing record is now linked to your institution."))
            return redirect("people:detail", person_id=person.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "people/link.html", {"form": form}, status=status)


BREAK_GLASS_SECONDS = 15 * 60


def _break_glass_granted(request: HttpRequest, person_id: uuid.UUID) -> bool:
    granted = request.session.get("break_glass", {}).get(str(person_id), 0)
    return _may(request, Perm.BREAK_GLASS) and granted > time.time()


def _not_visible(
    request: HttpRequest, person_id: uuid.UUID, status: int = 404, error: str = ""
) -> HttpResponse:
    """404 for everyone; supervisors also get the break-glass form. The page says the same
    whether the record does not exist or is another team's, so it discloses nothing."""
    if not _may(request, Perm.BREAK_GLASS):
        return not_found(request)
    return render(
        request, "people/not_visible.html", {"person_id": person_id, "error": error}, status=status
    )


@login_required
@require_POST
def break_glass(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    if not _may(request, Perm.BREAK_GLASS):
        return forbidden(request)
    try:
        needed = person_break_glass(
            actor=request.user, person_id=person_id, reason=request.POST.get("reason", "")
        )
    except InvalidInput as exc:
        return _not_visible(request, person_id, status=422, error=" ".join(exc.errors["reason"]))
    except NotFound:
        return not_found(request)
    if needed:
        grants = request.session.get("break_glass", {})
        grants[str(person_id)] = int(time.time()) + BREAK_GLASS_SECONDS
        request.session["break_glass"] = grants
        messages.warning(
            request,
            _("Break-glass access for 15 minutes. Your reason was recorded for the auditor."),
        )
    return redirect("people:detail", person_id=person_id)


@login_required
def detail(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    return _detail_page(request, person_id, related_q=request.GET.get("related_q", ""))


def _detail_page(
    request: HttpRequest,
    person_id: uuid.UUID,
    *,
    related_q: str = "",
    status: int = 200,
    **bound: PersonPartForm,
) -> HttpResponse:
    """The person page; `bound` holds a small form the user sent back with its errors."""
    try:
        person = person_get(
            actor=request.user,
            person_id=person_id,
            break_glass=_break_glass_granted(request, person_id),
        )
    except NotFound:
        return _not_visible(request, person_id)
    if person.pk != person_id:
        return redirect("people:detail", person_id=person.pk)
    relations_from, relations_to = relations_visible_to(actor=request.user, person=person)
    hub = person_hub(actor=request.user, person=person)
    context: dict[str, object] = {
        "hub": hub,
        "person": person,
        "documents": person.documents.filter(voided_at__isnull=True),
        "contacts": person.contacts.filter(voided_at__isnull=True).select_related("country"),
        "names": person.other_names.filter(voided_at__isnull=True),
        "markers": person.markers.filter(voided_at__isnull=True),
        "relations": relations_from,
        "relations_to": relations_to,
        "timeline": person_timeline(actor=request.user, person=person),
        "can_edit": _may(request, Perm.PERSON_WRITE),
        "can_void": _may(request, Perm.PERSON_VOID),
    }
    if context["can_edit"]:
        related_q = related_q.strip()[:100]
        found = person_search(actor=request.user, query=related_q) if related_q else None
        candidates = [p for p in found.people if p.pk != person.pk] if found else []
        relation_form = bound.get("relation_form")
        if not isinstance(relation_form, RelationAddForm):
            relation_form = RelationAddForm(initial={"related_q": related_q})
        relation_form.offer(candidates)
        context.update(
            {
                "document_form": bound.get("document_form") or DocumentAddForm(),
                "contact_form": bound.get("contact_form") or ContactAddForm(),
                "name_form": bound.get("name_form") or NameAddForm(),
                "relation_form": relation_form,
                "related_q": related_q,
                "related_found": found,
                "related_candidates": candidates,
            }
        )
    if context["can_void"]:
        context["void_form"] = bound.get("void_form") or VoidForm()
    if hub.may.get("manage_household"):
        related = [r.to_person for r in relations_from] + [r.from_person for r in relations_to]
        household_form = bound.get("household_form")
        if not isinstance(household_form, HouseholdCreateForm):
            household_form = _household_form(person, related)
        context["household_form"] = household_form
    if hub.may.get("record_service"):
        service_form = bound.get("service_form")
        if not isinstance(service_form, ServiceAddForm):
            service_form = _service_form(hub)
        context["service_form"] = service_form
    return render(request, "people/detail.html", context, status=status)


def _household_form(
    person: Person, related: list[Person], data: object = None
) -> HouseholdCreateForm:
    """The form that creates a household headed by `person`, offering the people related to
    them (each person once)."""
    unique = list({p.pk: p for p in related if p.pk != person.pk}.values())
    surnames = " ".join(s for s in (person.first_surname, person.second_surname) if s)
    label = _("Household %(surnames)s") % {"surnames": surnames or person.given_names}
    return HouseholdCreateForm(data, candidates=unique, initial={"label": label})  # type: ignore[arg-type]


# Consular services are recorded on the consular register (a consulate's own form).
CONSULAR_KINDS = {
    ServiceKind.PASSPORT,
    ServiceKind.CONSULAR_ID,
    ServiceKind.BIRTH_REGISTRATION,
    ServiceKind.CIVIL_REGISTRY,
    ServiceKind.CERTIFICATION,
}


def _service_form(hub: PersonHub, data: object = None) -> ServiceAddForm:
    kinds = [(k, str(label)) for k, label in ServiceKind.choices if k not in CONSULAR_KINDS]
    cases = [
        (str(row.case.pk), f"{row.protocol_name} · {row.case.opened_at:%Y-%m-%d}")
        for row in hub.case_rows
        if row.owner and row.case.closed_at is None
    ]
    return ServiceAddForm(data, kinds=kinds, cases=cases)  # type: ignore[arg-type]


def _person_part(
    request: HttpRequest,
    person_id: uuid.UUID,
    *,
    perm: Perm,
    form: PersonPartForm,
    key: str,
    act: Callable[[], object],
    done: str,
) -> HttpResponse:
    """Parse a small form of the person page and call its action; refused input shows the
    person page again with the messages next to the fields (422)."""
    if not _may(request, perm):
        return forbidden(request)
    if form.is_valid():
        try:
            act()
        except InvalidInput as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, done)
            return redirect("people:detail", person_id=person_id)
    related_q = request.POST.get("related_q", "") if key == "relation_form" else ""
    return _detail_page(request, person_id, related_q=related_q, status=422, **{key: form})


@login_required
@require_POST
def document_add(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    form = DocumentAddForm(request.POST)
    return _person_part(
        request,
        person_id,
        perm=Perm.PERSON_WRITE,
        form=form,
        key="document_form",
        act=lambda: actions.document_add(
            actor=request.user, person_id=person_id, document=form.to_input()
        ),
        done=_("Identity document added"),
    )


@login_required
@require_POST
def contact_add(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    form = ContactAddForm(request.POST)
    return _person_part(
        request,
        person_id,
        perm=Perm.PERSON_WRITE,
        form=form,
        key="contact_form",
        act=lambda: actions.contact_add(
            actor=request.user, person_id=person_id, **form.to_kwargs()
        ),
        done=_("Contact added"),
    )


@login_required
@require_POST
def name_add(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    form = NameAddForm(request.POST)
    return _person_part(
        request,
        person_id,
        perm=Perm.PERSON_WRITE,
        form=form,
        key="name_form",
        act=lambda: actions.name_add(actor=request.user, person_id=person_id, **form.to_kwargs()),
        done=_("Other name added"),
    )


@login_required
@require_POST
def relation_add(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    form = RelationAddForm(request.POST)
    return _person_part(
        request,
        person_id,
        perm=Perm.PERSON_WRITE,
        form=form,
        key="relation_form",
        act=lambda: actions.relation_add(
            actor=request.user,
            from_person_id=person_id,
            to_person_id=form.cleaned_data["to_person"],
            kind=form.cleaned_data["kind"],
        ),
        done=_("Relation added"),
    )


@login_required
@require_POST
def household_create(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    """A household headed by this person, with the related people chosen as members."""
    if not _may(request, Perm.PERSON_WRITE):
        return forbidden(request)
    person = person_get(actor=request.user, person_id=person_id, purpose="view")
    relations_from, relations_to = relations_visible_to(actor=request.user, person=person)
    related = [r.to_person for r in relations_from] + [r.from_person for r in relations_to]
    form = _household_form(person, related, request.POST)
    if form.is_valid():
        relations = form.relations()
        try:
            household = actions.household_create(
                actor=request.user,
                label=form.cleaned_data["label"],
                member_ids=[person.pk, *relations],
                head_id=person.pk,
                relations=relations,
            )
        except InvalidInput as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("Household created."))
            return redirect("people:household_detail", household_id=household.pk)
    return _detail_page(request, person_id, status=422, household_form=form)


@login_required
@require_POST
def service_add(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    """A service the user's institution gave the person (outside a referral)."""
    if not _may(request, Perm.CASE_WRITE):
        return forbidden(request)
    person = person_get(actor=request.user, person_id=person_id, purpose="view")
    form = _service_form(person_hub(actor=request.user, person=person), request.POST)
    if form.is_valid():
        case = form.cleaned_data["case"]
        try:
            service_record(
                actor=request.user,
                person_id=person.pk,
                kind=form.cleaned_data["kind"],
                case_id=uuid.UUID(case) if case else None,
                note=form.cleaned_data["note"],
            )
        except InvalidInput as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("Service recorded."))
            return redirect("people:detail", person_id=person.pk)
    return _detail_page(request, person_id, status=422, service_form=form)


@login_required
@require_POST
def void(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    if not _may(request, Perm.PERSON_VOID):
        return forbidden(request)
    form = VoidForm(request.POST)
    if form.is_valid():
        try:
            actions.person_void(
                actor=request.user, person_id=person_id, reason=form.cleaned_data["reason"]
            )
        except InvalidInput as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("The record was voided. It no longer appears in searches."))
            return redirect("people:search")
    return _detail_page(request, person_id, status=422, void_form=form)


def _initial(person: Person) -> dict[str, object]:
    return {
        "given_names": person.given_names,
        "first_surname": person.first_surname,
        "second_surname": person.second_surname,
        "sex": person.sex,
        "birth_date": person.birth_date,
        "birth_date_precision": person.birth_date_precision,
        "age_years": person.age_years,
        "nationality": person.nationality_id or "",
        "origin_municipality": person.origin_municipality_id or "",
        "preferred_language": person.preferred_language_id or "",
        "markers": list(
            person.markers.filter(voided_at__isnull=True).values_list("kind", flat=True)
        ),
        "version": person.version,
    }


@login_required
def edit(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    if not _may(request, Perm.PERSON_WRITE):
        return forbidden(request)
    try:
        person = person_get(actor=request.user, person_id=person_id, purpose="edit_form")
    except NotFound:
        return not_found(request)
    form = PersonEditForm(request.POST or None, initial=_initial(person))
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            actions.person_update(
                actor=request.user,
                person_id=person.pk,
                version=form.cleaned_data["version"],
                data=_edit_input(form, person),
                markers=form.cleaned_data["markers"],
            )
        except InvalidInput as exc:
            form.add_action_errors(exc)
        except Conflict as exc:
            conflict = exc
        else:
            messages.success(request, _("Changes saved."))
            return redirect("people:detail", person_id=person.pk)
    status = 409 if conflict else (422 if request.method == "POST" else 200)
    return render(
        request,
        "people/edit.html",
        {
            "form": form,
            "person": person,
            "conflict": conflict,
            "conflict_changes": _conflict_changes(form, conflict) if conflict else [],
        },
        status=status,
    )


def _edit_input(form: PersonEditForm, person: Person) -> actions.PersonInput:
    """The form's values, plus the details the form does not show, kept as they are
    (`person_update` replaces every detail)."""
    data = form.to_input()
    data.origin_place = person.origin_place
    data.other_languages = list(person.other_languages.values_list("code", flat=True))
    if data.age_years is not None and data.age_years == person.age_years:
        data.age_recorded_on = person.age_recorded_on
    return data


def _conflict_changes(form: PersonEditForm, conflict: Conflict) -> list[dict[str, object]]:
    """What someone else changed, each field named as the form names it."""
    rows: list[dict[str, object]] = []
    for name, pair in conflict.changes.items():
        key = name.removesuffix("_id")
        if key in form.fields:
            label = form.fields[key].label
        else:
            try:
                label = capfirst(Person._meta.get_field(key).verbose_name)
            except FieldDoesNotExist:
                label = name
        rows.append({"label": label, **pair})  # type: ignore[dict-item]
    return rows
