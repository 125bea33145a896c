"""The household pages and the person page's new forms in the authorization matrices (see
tests/matrix.py). The household API is tested for every role in tests/test_households.py."""

from __future__ import annotations

from typing import Any

from amparo.core.models import User
from amparo.core.permissions import Perm
from amparo.people.actions import household_create
from amparo.people.models import Person

from .conftest import register
from .matrix import Row

W = Perm.PERSON_WRITE
WEB_ROWS: dict[tuple[str, str], Row] = {
    ("POST", "people:household_create"): Row(W, 302, data={"label": "Hogar Objetivo"}, person=True),
    ("POST", "people:service_add"): Row(
        Perm.CASE_WRITE, 302, data={"kind": "medical"}, person=True
    ),
    ("GET", "people:household_detail"): Row(
        Perm.PERSON_READ, 200, query="?member_q=objetivo", record=True
    ),
    ("POST", "people:household_rename"): Row(W, 302, data={"label": "Hogar Nuevo"}, record=True),
    ("POST", "people:household_member_add"): Row(W, 302, data={"relation": "child"}, record=True),
    ("POST", "people:household_member_relation"): Row(
        W, 302, data={"relation": "relative"}, record=True
    ),
    ("POST", "people:household_member_remove"): Row(W, 302, data={}, record=True),
    ("POST", "people:household_head"): Row(
        W, 302, data={"former_head_relation": "sibling"}, record=True
    ),
}

API_OPERATIONS = {
    ("GET", "/api/v1/households"),
    ("POST", "/api/v1/households"),
    ("GET", "/api/v1/households/{household_id}"),
    ("PATCH", "/api/v1/households/{household_id}"),
    ("GET", "/api/v1/households/{household_id}/members"),
    ("POST", "/api/v1/households/{household_id}/members"),
    ("PATCH", "/api/v1/households/{household_id}/members/{person_id}"),
    ("DELETE", "/api/v1/households/{household_id}/members/{person_id}"),
}


def web_world(make_user: Any, holder: User, target: Person) -> dict[str, Any]:
    """A household of the holder's: `target` heads it, a brother is a member, and a cousin
    the holder also holds may join it."""
    brother = register(holder, given="Hermano")
    cousin = register(holder, given="Primo")
    household = household_create(
        actor=holder,
        label="Hogar Objetivo",
        member_ids=[target.pk, brother.pk],
        head_id=target.pk,
        relations={brother.pk: "sibling"},
    )
    h = {"household_id": household.pk}
    member = {**h, "person_id": brother.pk}
    return {
        "people:household_detail": h,
        "people:household_rename": h,
        "people:household_member_add": h,
        "people:household_member_relation": member,
        "people:household_member_remove": member,
        "people:household_head": h,
        "_people": {"brother": brother, "cousin": cousin},
    }


def web_post_data(name: str, data: dict[str, Any], world: Any) -> dict[str, Any]:
    people = world.case_args.get("_people", {})
    if name == "people:household_member_add":
        data["person"] = str(people["cousin"].pk)
    if name == "people:household_head":
        data["head"] = str(people["brother"].pk)
    return data
