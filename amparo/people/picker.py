"""The person picker shared by every form that names a person (a contact's caller, a missing
person, a child to trace, a relative found): the person picked, then what a search found —
with or without JavaScript (templates: assistance/_picker.html, tracing/_picker_form.html)."""

from __future__ import annotations

import uuid
from typing import Any

from django.forms import Form
from django.http import HttpRequest

from amparo.core.models import User

from .models import Person
from .queries import person_search, persons_visible_to


def visible_people(actor: User, ids: set[Any]) -> dict[Any, Person]:
    """The people among `ids` the actor may see, by id (for labels on lists and forms)."""
    ids = {i for i in ids if i}
    return {p.pk: p for p in persons_visible_to(actor).filter(pk__in=ids)} if ids else {}


def picked_person(actor: User, form: Form, name: str) -> Person | None:
    """The person a bound form had picked (to show it again), or the one a new form starts
    with (`picker_initial`), if the actor may see them."""
    raw = form.data.get(name, "") if form.is_bound else form.initial.get(name, "")
    try:
        pk = uuid.UUID(str(raw or ""))
    except ValueError:
        return None
    return persons_visible_to(actor).filter(pk=pk).first()


def picker_initial(request: HttpRequest, *names: str) -> dict[str, str]:
    """The people a form's link names (`?person=<id>`, from the person page): a new form starts
    with them picked. Whether the user may see them is checked when the picker is shown."""
    if request.method != "GET":
        return {}
    return {name: request.GET[name][:40] for name in names if request.GET.get(name)}


def person_picker(actor: User, form: Form, name: str, query: str = "") -> dict[str, Any]:
    """What a person picker shows: the person picked, then the people a search found."""
    picked = picked_person(actor, form, name)
    found = person_search(actor=actor, query=query[:100]) if query else None
    people = [picked] if picked else []
    if found:
        people += [p for p in found.people if picked is None or p.pk != picked.pk]
    return {
        "name": name,
        "id": form.auto_id % name,  # type: ignore[operator]
        "prefix": getattr(form, "key", ""),
        "field": form[name],
        "people": people,
        "picked": picked.pk if picked else None,
        "query": query,
        "searched": found is not None,
        "truncated": bool(found and found.truncated),
    }


def picker_query(request: HttpRequest, name: str) -> str:
    """A picker's search sent without JavaScript (the page itself, with the results)."""
    if request.method != "GET" or request.GET.get("name", "person") != name:
        return ""
    return request.GET.get("q", "").strip()[:100]
