"""People pages: search, search-before-create, person page with timeline, edit."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from amparo.core.errors import Conflict, InvalidInput, NotFound
from amparo.core.permissions import Perm, has_perm
from amparo.core.views import forbidden, not_found

from . import actions
from .forms import LinkForm, PersonCreateForm, PersonEditForm
from .models import Person
from .queries import person_get, person_search, person_timeline


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
            for name, msgs in exc.errors.items():
                for msg in msgs:
                    form.add_error(name if name in form.fields else None, msg)
        else:
            messages.success(request, _("The existing record is now linked to your institution."))
            return redirect("people:detail", person_id=person.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "people/link.html", {"form": form}, status=status)


@login_required
def detail(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    try:
        person = person_get(actor=request.user, person_id=person_id)
    except NotFound:
        return not_found(request)
    if person.pk != person_id:
        return redirect("people:detail", person_id=person.pk)
    context = {
        "person": person,
        "documents": person.documents.filter(voided_at__isnull=True),
        "contacts": person.contacts.filter(voided_at__isnull=True),
        "names": person.other_names.filter(voided_at__isnull=True),
        "markers": person.markers.filter(voided_at__isnull=True),
        "relations": person.relations_from.filter(voided_at__isnull=True).select_related(
            "to_person"
        ),
        "timeline": person_timeline(actor=request.user, person=person),
        "can_edit": _may(request, Perm.PERSON_WRITE),
    }
    return render(request, "people/detail.html", context)


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
