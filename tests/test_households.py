"""Households in the browser and the API: created from the head's page with the relatives on
record, members added and removed with their relation to the head, the head changed, each
member's page showing the household; and a returnee reintegration case opened on it.

People are shaped like the demo's returnees: Guatemalan, a municipality of origin, a DPI,
relations between them."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from amparo.cases.models import Case
from amparo.core.errors import InvalidInput, NotFound
from amparo.core.models import AuditEntry, Role, User
from amparo.core.permissions import ROLE_PERMISSIONS, Perm
from amparo.people import actions
from amparo.people.actions import DocumentInput
from amparo.people.models import Household, HouseholdMember, Person
from amparo.people.queries import household_get, households_visible_to

from .conftest import api_client, register

pytestmark = pytest.mark.django_db

DPI = iter(range(2_600_000_000_101, 2_700_000_000_000, 7))


def returnee(
    worker: User, given: str, first: str = "Cux", second: str = "Tzul", **kw: Any
) -> Person:
    return register(
        worker,
        given=given,
        first=first,
        second=second,
        nationality="GT",
        origin_municipality="0901",
        documents=[DocumentInput("dpi", str(next(DPI)), "GT")],
        **kw,
    )


@pytest.fixture
def sosep(make_user: Any) -> User:
    """A caseworker of SOSEP, which runs the returnee reintegration protocol."""
    return make_user(Role.CASEWORKER, "SOSEP")


@pytest.fixture
def family(sosep: User) -> dict[str, Person]:
    """A returning family as SOSEP registers it: the mother, her husband and their son, with
    the relations on record."""
    people = {
        "mother": returnee(sosep, "Juana Micaela", age_years=41),
        "father": returnee(sosep, "Pedro", "Tzul", "Ajú", age_years=44),
        "son": returnee(sosep, "Mateo", age_years=12),
    }
    actions.relation_add(
        actor=sosep,
        from_person_id=people["mother"].pk,
        to_person_id=people["son"].pk,
        kind="parent",
    )
    actions.relation_add(
        actor=sosep,
        from_person_id=people["father"].pk,
        to_person_id=people["mother"].pk,
        kind="spouse",
    )
    return people


def signed_in(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def members_of(household: Household) -> dict[str, tuple[bool, str]]:
    return {
        m.person.given_names: (m.is_head, m.relation_to_head)
        for m in HouseholdMember.objects.filter(household=household).select_related("person")
    }


# --- the browser -----------------------------------------------------------------------------


def test_a_household_is_created_from_the_heads_page_with_the_relatives_on_record(
    sosep: User, family: dict[str, Person]
) -> None:
    client = signed_in(sosep)
    mother, father, son = family["mother"], family["father"], family["son"]
    page = client.get(reverse("people:detail", args=[mother.pk])).content.decode()
    # The form offers the people related to her, each with the relation to the head to choose.
    assert "Crear un grupo familiar encabezado por esta persona" in page
    assert f'name="member-{son.pk}"' in page and f'name="member-{father.pk}"' in page

    response = client.post(
        reverse("people:household_create", args=[mother.pk]),
        {"label": "Hogar Cux Tzul", f"member-{son.pk}": "child", f"member-{father.pk}": "spouse"},
    )
    household = Household.objects.get(label="Hogar Cux Tzul")
    assert response.status_code == 302
    assert response["Location"] == reverse("people:household_detail", args=[household.pk])
    assert members_of(household) == {
        "Juana Micaela": (True, ""),
        "Pedro": (False, "spouse"),
        "Mateo": (False, "child"),
    }
    # Each member's page shows the household, its head and their relation.
    son_page = client.get(reverse("people:detail", args=[son.pk])).content.decode()
    assert "Hogar Cux Tzul" in son_page
    assert "jefa o jefe de hogar" in son_page and "Hijo o hija" in son_page
    # ... and the change is on each member's timeline, audited.
    assert AuditEntry.objects.filter(action="household.member_add", person_id=son.pk).exists()
    assert "Agregado a un grupo familiar" in son_page


def test_a_household_without_a_name_is_refused_at_its_field(
    sosep: User, family: dict[str, Person]
) -> None:
    response = signed_in(sosep).post(
        reverse("people:household_create", args=[family["mother"].pk]), {"label": "  "}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert re.search(r'id="household-label-error"[^>]*>[^<]*obligatorio', page)
    assert not Household.objects.exists()


def test_members_are_added_changed_and_removed_and_the_head_changes_on_the_household_page(
    sosep: User, family: dict[str, Person]
) -> None:
    mother, father, son = family["mother"], family["father"], family["son"]
    grandmother = returnee(sosep, "Tomasa", "Ajú", "Pérez", age_years=70)
    household = actions.household_create(
        actor=sosep,
        label="Hogar Cux Tzul",
        member_ids=[mother.pk, son.pk],
        head_id=mother.pk,
        relations={son.pk: "child"},
    )
    client = signed_in(sosep)
    url = reverse("people:household_detail", args=[household.pk])

    # Find the grandmother by name, then add her with her relation to the head.
    found = client.get(url, {"member_q": "tomasa aju"}).content.decode()
    assert f'value="{grandmother.pk}"' in found
    # Without the relation the form says so next to its field.
    refused = client.post(
        reverse("people:household_member_add", args=[household.pk]),
        {"person": grandmother.pk, "member_q": "tomasa aju"},
    )
    assert refused.status_code == 422
    assert 'id="member-relation-error"' in refused.content.decode()
    added = client.post(
        reverse("people:household_member_add", args=[household.pk]),
        {"person": grandmother.pk, "relation": "parent"},
    )
    assert added.status_code == 302
    client.post(
        reverse("people:household_member_add", args=[household.pk]),
        {"person": father.pk, "relation": "spouse"},
    )

    # The father becomes the head; the mother is his spouse; the grandmother's relation is
    # corrected (she is the mother's mother: the new head's mother-in-law, a relative).
    head = client.post(
        reverse("people:household_head", args=[household.pk]),
        {"head": father.pk, "former_head_relation": "spouse"},
    )
    assert head.status_code == 302
    client.post(
        reverse("people:household_member_relation", args=[household.pk, grandmother.pk]),
        {"relation": "relative"},
    )
    assert members_of(household) == {
        "Juana Micaela": (False, "spouse"),
        "Pedro": (True, ""),
        "Mateo": (False, "child"),
        "Tomasa": (False, "relative"),
    }

    # The head cannot be removed while others remain; another member can.
    refused = client.post(reverse("people:household_member_remove", args=[household.pk, father.pk]))
    assert refused.status_code == 422
    assert "Designe otra jefa o jefe de hogar" in refused.content.decode()
    removed = client.post(
        reverse("people:household_member_remove", args=[household.pk, grandmother.pk])
    )
    assert removed.status_code == 302
    assert "Tomasa" not in members_of(household)
    grandmother_page = client.get(reverse("people:detail", args=[grandmother.pk]))
    assert "No forma parte de un grupo familiar." in grandmother_page.content.decode()
    assert AuditEntry.objects.filter(
        action="household.member_remove", person_id=grandmother.pk
    ).exists()


def test_another_institution_neither_sees_nor_changes_the_household(
    sosep: User, family: dict[str, Person], make_user: Any
) -> None:
    household = actions.household_create(
        actor=sosep, label="Hogar Cux Tzul", member_ids=[family["mother"].pk]
    )
    outsider = make_user(Role.CASEWORKER, "SBS")
    client = signed_in(outsider)
    assert client.get(reverse("people:household_detail", args=[household.pk])).status_code == 404
    response = client.post(
        reverse("people:household_rename", args=[household.pk]), {"label": "Otro"}
    )
    assert response.status_code == 404
    assert not households_visible_to(outsider).exists()
    with pytest.raises(NotFound):
        household_get(actor=outsider, household_id=household.pk)


def test_a_household_shows_only_the_members_the_reader_holds(
    sosep: User, family: dict[str, Person], make_user: Any
) -> None:
    """SBS holds the son only: it sees the household, never who else is in it."""
    sbs = make_user(Role.CASEWORKER, "SBS")
    nephew = returnee(sbs, "Lucas")
    household = actions.household_create(
        actor=sosep,
        label="Hogar Cux Tzul",
        member_ids=[family["mother"].pk, family["son"].pk],
        relations={family["son"].pk: "child"},
    )
    from amparo.people.models import Involvement

    Involvement.objects.create(
        person=family["son"], institution=sbs.institution, team=sbs.team, created_by=sbs
    )
    view = household_get(actor=sbs, household_id=household.pk)
    assert [m.person.given_names for m in view.members] == ["Mateo"]
    page = signed_in(sbs).get(reverse("people:household_detail", args=[household.pk]))
    assert "Juana Micaela" not in page.content.decode()
    # Nor can SBS add someone SOSEP does not hold through its view, or name SOSEP's mother.
    with pytest.raises(InvalidInput) as err:
        actions.household_member_add(
            actor=sbs, household_id=household.pk, person_id=family["father"].pk, relation="parent"
        )
    assert "person" in err.value.errors
    actions.household_member_add(
        actor=sbs, household_id=household.pk, person_id=nephew.pk, relation="relative"
    )


# --- the end-to-end path of issue 14: no household, no reintegration case -------------------


def test_a_returnee_reintegration_case_is_opened_on_a_household_made_in_the_browser(
    sosep: User, family: dict[str, Person]
) -> None:
    mother, son = family["mother"], family["son"]
    client = signed_in(sosep)
    open_case = {"person": mother.pk, "protocol": "returnee_reintegration"}

    # Without a household the protocol refuses, and the person page says where to make one.
    refused = client.post(reverse("cases:open"), open_case)
    assert refused.status_code == 422
    assert not Case.objects.exists()
    page = client.get(reverse("people:detail", args=[mother.pk])).content.decode()
    assert 'value="returnee_reintegration"' in page
    assert "cree primero el grupo familiar" in page

    client.post(
        reverse("people:household_create", args=[mother.pk]),
        {"label": "Hogar Cux Tzul", f"member-{son.pk}": "child"},
    )
    household = Household.objects.get()
    # The person page now offers the household in its "open a case" form; the case opens.
    page = client.get(reverse("people:detail", args=[mother.pk])).content.decode()
    assert f'<option value="{household.pk}" selected>Hogar Cux Tzul</option>' in page
    opened = client.post(reverse("cases:open"), {**open_case, "household": household.pk})
    assert opened.status_code == 302
    case = Case.objects.get()
    assert (case.protocol_code, case.person, case.household) == (
        "returnee_reintegration",
        mother,
        household,
    )
    # The case shows on the head's page and, as the household's case, on the son's.
    son_page = client.get(reverse("people:detail", args=[son.pk])).content.decode()
    assert reverse("cases:detail", args=[case.pk]) in son_page
    assert "caso del grupo familiar" in son_page
    household_page = client.get(reverse("people:household_detail", args=[household.pk]))
    assert reverse("cases:detail", args=[case.pk]) in household_page.content.decode()


# --- the API ---------------------------------------------------------------------------------


def _json(response: Any) -> Any:
    return json.loads(response.content)


def test_households_through_the_api(sosep: User, family: dict[str, Person]) -> None:
    client = api_client(sosep)
    mother, father, son = (str(family[k].pk) for k in ("mother", "father", "son"))
    created = client.post(
        "/api/v1/households",
        json.dumps(
            {
                "label": "Hogar Cux Tzul",
                "head": mother,
                "members": [{"person": mother}, {"person": son, "relation": "child"}],
            }
        ),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = _json(created)
    hid = body["id"]
    assert body["head"] == mother
    assert {m["person"]: m["relation_label"] for m in body["members"]} == {
        mother: "",
        son: "Hijo o hija",
    }

    added = client.post(
        f"/api/v1/households/{hid}/members",
        json.dumps({"person": father, "relation": "spouse"}),
        content_type="application/json",
    )
    assert added.status_code == 201
    patched = client.patch(
        f"/api/v1/households/{hid}",
        json.dumps({"label": "Hogar Tzul Cux", "head": father, "former_head_relation": "spouse"}),
        content_type="application/json",
    )
    assert patched.status_code == 200, patched.content
    assert (_json(patched)["label"], _json(patched)["head"]) == ("Hogar Tzul Cux", father)
    relation = client.patch(
        f"/api/v1/households/{hid}/members/{son}",
        json.dumps({"relation": "stepchild"}),
        content_type="application/json",
    )
    assert relation.status_code == 200
    members = _json(client.get(f"/api/v1/households/{hid}/members"))
    assert {m["person"]: m["relation"] for m in members} == {
        father: "",
        mother: "spouse",
        son: "stepchild",
    }
    listed = _json(client.get(f"/api/v1/households?person={son}"))
    assert listed["count"] == 1 and listed["items"][0]["id"] == hid
    removed = client.delete(f"/api/v1/households/{hid}/members/{son}")
    assert removed.status_code == 200
    assert son not in {m["person"] for m in _json(removed)["members"]}
    assert AuditEntry.objects.filter(action="household.create").count() == 1
    assert AuditEntry.objects.filter(action="household.head_change").count() == 2


def test_api_errors_name_the_field_in_spanish(sosep: User, family: dict[str, Person]) -> None:
    client = api_client(sosep)
    mother, son = str(family["mother"].pk), str(family["son"].pk)

    def create(body: dict[str, Any]) -> dict[str, str]:
        response = client.post(
            "/api/v1/households", json.dumps(body), content_type="application/json"
        )
        assert response.status_code == 422, response.content
        return {e["field"]: e["message"] for e in _json(response)["errors"]}

    assert create({"label": "Hogar", "head": son, "members": [{"person": mother}]}) == {
        "head": "La jefa o el jefe de hogar debe ser uno de sus integrantes."
    }
    assert create(
        {
            "label": "Hogar",
            "head": mother,
            "members": [{"person": mother}, {"person": son, "relation": "tio"}],
        }
    ) == {"members[1].relation": "Tipo de relación no reconocido: “tio”."}
    assert create(
        {
            "label": "Hogar",
            "head": mother,
            "members": [{"person": mother}, {"person": str(uuid.uuid4())}],
        }
    ) == {"members[1].person": "Esa persona no está en sus registros."}
    assert "label" in create({"head": mother, "members": [{"person": mother}]})
    assert not Household.objects.exists()


HOUSEHOLD_API: dict[tuple[str, str], tuple[Perm, int, dict[str, Any] | None]] = {
    ("GET", "/api/v1/households"): (Perm.PERSON_READ, 200, None),
    ("POST", "/api/v1/households"): (Perm.PERSON_WRITE, 201, {"label": "Hogar"}),
    ("GET", "/api/v1/households/{household_id}"): (Perm.PERSON_READ, 200, None),
    ("PATCH", "/api/v1/households/{household_id}"): (Perm.PERSON_WRITE, 200, {"label": "Otro"}),
    ("GET", "/api/v1/households/{household_id}/members"): (Perm.PERSON_READ, 200, None),
    ("POST", "/api/v1/households/{household_id}/members"): (
        Perm.PERSON_WRITE,
        201,
        {"relation": "sibling"},
    ),
    ("PATCH", "/api/v1/households/{household_id}/members/{person_id}"): (
        Perm.PERSON_WRITE,
        200,
        {"relation": "relative"},
    ),
    ("DELETE", "/api/v1/households/{household_id}/members/{person_id}"): (
        Perm.PERSON_WRITE,
        200,
        None,
    ),
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("where", ["own", "other"])
@pytest.mark.parametrize("key", list(HOUSEHOLD_API), ids=lambda k: f"{k[0]} {k[1]}")
def test_household_api_by_role_and_institution(
    make_user: Any, key: Any, role: str, where: str
) -> None:
    """Every household endpoint: the role's permission first (403), then the scope (another
    institution's household is not found, and its people cannot be named: 404 / 422)."""
    method, template = key
    perm, ok, body = HOUSEHOLD_API[key]
    holder = make_user(Role.CASEWORKER, "MINEX" if where == "own" else "SBS")
    head, member, newcomer = (returnee(holder, g) for g in ("Ana", "Luis", "Eva"))
    household = actions.household_create(
        actor=holder,
        label="Hogar Cux",
        member_ids=[head.pk, member.pk],
        head_id=head.pk,
        relations={member.pk: "child"},
    )
    user = make_user(role, "MINEX")
    path = template.format(household_id=household.pk, person_id=member.pk)
    payload = dict(body or {})
    if key == ("POST", "/api/v1/households"):
        payload.update(head=str(newcomer.pk), members=[{"person": str(newcomer.pk)}])
    if key == ("POST", "/api/v1/households/{household_id}/members"):
        payload["person"] = str(newcomer.pk)
    kwargs = {"data": json.dumps(payload), "content_type": "application/json"} if body else {}
    response = api_client(user).generic(method, path, **kwargs)
    if perm not in ROLE_PERMISSIONS[role]:
        expected = 403
    elif where == "other" and method == "POST" and "{" not in template:
        expected = 422  # another institution's person cannot be named
    elif where == "other" and "{" in template:
        expected = 404
    else:
        expected = ok
    assert response.status_code == expected, (role, where, key, response.content)
    if expected == 200 and key == ("GET", "/api/v1/households"):
        assert len(_json(response)["items"]) == (1 if where == "own" else 0)


def test_the_api_matrix_lists_every_household_endpoint() -> None:
    from .matrix_people import API_OPERATIONS

    assert set(HOUSEHOLD_API) == API_OPERATIONS
