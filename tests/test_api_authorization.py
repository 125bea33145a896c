"""Every API operation, for every role, against records of the user's own institution and of
another one. A new endpoint without a row here fails `test_every_operation_is_covered`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.test import Client

from amparo.api import api
from amparo.assistance.actions import (
    CivilRegistrationInput,
    TravelDocumentInput,
    civil_registration_record,
    travel_document_request,
)
from amparo.core.models import Institution, Role, Site, User
from amparo.core.permissions import ROLE_PERMISSIONS, Perm
from amparo.people.actions import DocumentInput

from .conftest import api_client, register
from .matrix import app_matrices

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Op:
    perm: Perm | None  # None: any signed-in user
    ok: int
    body: dict[str, Any] | None = None
    query: str = ""


PERSON = {"given_names": "Nueva", "first_surname": "Persona"}
OPERATIONS: dict[tuple[str, str], Op] = {
    ("GET", "/api/v1/me"): Op(None, 200),
    ("GET", "/api/v1/institutions"): Op(Perm.REFERENCE_READ, 200),
    ("GET", "/api/v1/sites"): Op(Perm.REFERENCE_READ, 200, query="?kind=consulate"),
    ("GET", "/api/v1/departments"): Op(Perm.REFERENCE_READ, 200),
    ("GET", "/api/v1/municipalities"): Op(Perm.REFERENCE_READ, 200, query="?department=13"),
    ("GET", "/api/v1/countries"): Op(Perm.REFERENCE_READ, 200),
    ("GET", "/api/v1/languages"): Op(Perm.REFERENCE_READ, 200, query="?national=true"),
    ("GET", "/api/v1/audit"): Op(Perm.AUDIT_READ, 200),
    ("GET", "/api/v1/persons"): Op(Perm.PERSON_READ, 200),
    ("GET", "/api/v1/persons/search"): Op(Perm.PERSON_READ, 200, query="?q=tzoc"),
    ("POST", "/api/v1/persons"): Op(Perm.PERSON_WRITE, 201, PERSON),
    ("POST", "/api/v1/persons/link"): Op(
        Perm.PERSON_WRITE,
        200,
        {"document": {"doc_type": "passport", "number": "S999", "issuing_country": "GT"}},
    ),
    ("GET", "/api/v1/persons/{person_id}"): Op(Perm.PERSON_READ, 200),
    ("PUT", "/api/v1/persons/{person_id}"): Op(Perm.PERSON_WRITE, 200, {**PERSON, "version": 1}),
    ("POST", "/api/v1/persons/{person_id}/void"): Op(Perm.PERSON_VOID, 200, {"reason": "error"}),
    ("POST", "/api/v1/persons/{person_id}/documents"): Op(
        Perm.PERSON_WRITE, 201, {"doc_type": "passport", "number": "Z1", "issuing_country": "GT"}
    ),
    ("POST", "/api/v1/persons/{person_id}/contacts"): Op(
        Perm.PERSON_WRITE, 201, {"kind": "phone", "value": "+502 5555 0000"}
    ),
    ("POST", "/api/v1/persons/{person_id}/names"): Op(
        Perm.PERSON_WRITE, 201, {"given_names": "Chepa"}
    ),
    ("PUT", "/api/v1/persons/{person_id}/markers"): Op(
        Perm.PERSON_WRITE, 200, {"markers": ["pregnant"]}
    ),
    ("POST", "/api/v1/persons/{person_id}/relations"): Op(
        Perm.PERSON_WRITE, 201, {"kind": "sibling"}
    ),
}


@dataclass(frozen=True)
class AssistOp:
    perm: Perm
    ok: int  # expected with the permission, on the own institution's records
    other: int | None = None  # expected on another institution's records (None: same as ok)
    body: dict[str, Any] | None = None
    query: str = ""


CONTACT = {"channel": "call", "reason": "information", "outcome": "information"}
ASSISTANCE_OPERATIONS: dict[tuple[str, str], AssistOp] = {
    ("GET", "/api/v1/contact-reasons"): AssistOp(Perm.REFERENCE_READ, 200),
    ("GET", "/api/v1/contacts"): AssistOp(Perm.ASSISTANCE_READ, 200, query="?channel=call"),
    ("POST", "/api/v1/contacts"): AssistOp(
        Perm.ASSISTANCE_WRITE, 201, 422, {**CONTACT, "person_id": "{person_id}"}
    ),
    ("GET", "/api/v1/contacts/summary"): AssistOp(Perm.ASSISTANCE_READ, 200),
    ("GET", "/api/v1/mobile-consulates"): AssistOp(Perm.ASSISTANCE_READ, 200, query="?year=2018"),
    ("POST", "/api/v1/mobile-consulates"): AssistOp(
        Perm.ASSISTANCE_WRITE,
        201,
        body={"consulate": "us-los-angeles", "city": "Bakersfield", "opens_on": "2018-03-10"},
    ),
    ("GET", "/api/v1/consular-services/figures"): AssistOp(
        Perm.ASSISTANCE_READ, 200, query="?from=2018-01-01&to=2018-12-31"
    ),
    ("GET", "/api/v1/civil-registrations"): AssistOp(Perm.ASSISTANCE_READ, 200),
    ("POST", "/api/v1/civil-registrations"): AssistOp(
        Perm.ASSISTANCE_WRITE,
        201,
        422,
        {
            "kind": "birth",
            "person_id": "{person_id}",
            "site": "us-los-angeles",
            "event_date": "2018-05-02",
            "event_country": "US",
        },
    ),
    ("GET", "/api/v1/civil-registrations/{record_id}"): AssistOp(Perm.ASSISTANCE_READ, 200, 404),
    ("POST", "/api/v1/civil-registrations/{record_id}/steps"): AssistOp(
        Perm.ASSISTANCE_WRITE, 200, 404, {"status": "sent", "version": 1}
    ),
    ("GET", "/api/v1/travel-documents"): AssistOp(Perm.ASSISTANCE_READ, 200),
    ("POST", "/api/v1/travel-documents"): AssistOp(
        Perm.ASSISTANCE_WRITE,
        201,
        422,
        {"kind": "special_pass", "person_id": "{person_id}", "site": "us-los-angeles"},
    ),
    ("GET", "/api/v1/travel-documents/{record_id}"): AssistOp(Perm.ASSISTANCE_READ, 200, 404),
    ("POST", "/api/v1/travel-documents/{record_id}/check"): AssistOp(
        Perm.ASSISTANCE_WRITE, 200, 404, {"consent_basis": "court_order", "court_order": "J-1"}
    ),
    ("POST", "/api/v1/travel-documents/{record_id}/decision"): AssistOp(
        Perm.ASSISTANCE_WRITE, 200, 404, {"issue": False, "reason": "Documentos alterados."}
    ),
}


def _schema_operations() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return {(method.upper(), path) for path, item in schema["paths"].items() for method in item}


def test_every_operation_is_covered() -> None:
    from .test_cases_api import CASE_OPERATIONS
    from .test_imports_api import IMPORT_OPERATIONS
    from .test_match_review import MATCH_OPERATIONS
    from .test_person_merge import MERGE_OPERATIONS
    from .test_tracing_api import TRACING_OPERATIONS

    apps: set[tuple[str, str]] = set()
    for module in app_matrices().values():
        apps |= getattr(module, "API_OPERATIONS", set())
    assert (
        _schema_operations()
        == set(OPERATIONS)
        | set(CASE_OPERATIONS)
        | set(ASSISTANCE_OPERATIONS)
        | set(IMPORT_OPERATIONS)
        | MERGE_OPERATIONS
        | MATCH_OPERATIONS
        | set(TRACING_OPERATIONS)
        | apps
    )


def _call(client: Client, method: str, path: str, op: Op) -> int:
    kwargs: dict[str, Any] = {}
    if op.body is not None:
        kwargs = {"data": json.dumps(op.body), "content_type": "application/json"}
    return client.generic(method, path + op.query, **kwargs).status_code


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("where", ["own", "other"])
@pytest.mark.parametrize("key", list(OPERATIONS), ids=lambda k: f"{k[0]} {k[1]}")
def test_operation_by_role_and_institution(make_user, key, role, where) -> None:
    method, template = key
    op = OPERATIONS[key]
    writer_a = make_user(Role.CASEWORKER, "MINEX")
    writer_b = make_user(Role.CASEWORKER, "SBS")
    target = register(writer_a if where == "own" else writer_b, given="Objetivo")
    sibling = register(writer_a if where == "own" else writer_b, given="Hermana")
    register(writer_b, given="Ajena", documents=[DocumentInput("passport", "S999", "GT")])
    user = make_user(role, "MINEX")
    body = dict(op.body) if op.body is not None else None
    if body is not None and key[1].endswith("/relations"):
        body["to_person"] = str(sibling.pk)
    path = template.replace("{person_id}", str(target.pk))
    status = _call(api_client(user), method, path, Op(op.perm, op.ok, body, op.query))

    allowed = op.perm is None or op.perm in ROLE_PERMISSIONS[role]
    if not allowed:
        expected = 403
    elif "{person_id}" in template and where == "other":
        expected = 404  # another institution's person does not exist for this user
    else:
        expected = op.ok
    assert status == expected, f"{role} {method} {path} ({where}) → {status}, expected {expected}"


@pytest.mark.parametrize("key", list(OPERATIONS), ids=lambda k: f"{k[0]} {k[1]}")
def test_without_credentials_every_operation_is_401(key) -> None:
    method, template = key
    path = template.replace("{person_id}", "00000000-0000-4000-8000-000000000000")
    assert _call(Client(), method, path, OPERATIONS[key]) == 401


def _assistance_records(holder: User, site: str) -> dict[str, str]:
    """A person, a civil registration and a travel document request held by `holder`."""
    person = register(holder, given="Objetivo")
    civil = civil_registration_record(
        actor=holder,
        data=CivilRegistrationInput(
            kind="birth",
            person_id=person.pk,
            site=site,
            event_date=date(2018, 5, 2),
            event_country="US",
        ),
    )
    travel = travel_document_request(
        actor=holder,
        data=TravelDocumentInput(kind="special_pass", person_id=person.pk, site=site),
    )
    return {
        "{person_id}": str(person.pk),
        "civil-registrations/{record_id}": f"civil-registrations/{civil.pk}",
        "travel-documents/{record_id}": f"travel-documents/{travel.pk}",
    }


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("where", ["own", "other"])
@pytest.mark.parametrize("key", list(ASSISTANCE_OPERATIONS), ids=lambda k: f"{k[0]} {k[1]}")
def test_assistance_operation_by_role_and_institution(make_user, key, role, where) -> None:
    method, template = key
    op = ASSISTANCE_OPERATIONS[key]
    if where == "own":
        ids = _assistance_records(make_user(Role.CASEWORKER, "MINEX"), "us-los-angeles")
    else:
        sbs = Institution.objects.get(code="SBS")
        Site.objects.create(
            code="sbs-oficina-prueba",
            institution=sbs,
            kind=Site.Kind.OFFICE,
            country_id="GT",
            name_es="Oficina de prueba",
            name_en="Test office",
        )
        ids = _assistance_records(make_user(Role.CASEWORKER, "SBS"), "sbs-oficina-prueba")
    path, text = template, json.dumps(op.body)
    for placeholder, value in ids.items():
        path = path.replace(placeholder, value)
        text = text.replace(placeholder, value)
    body = json.loads(text)
    user = make_user(role, "MINEX")
    status = _call(api_client(user), method, path, Op(op.perm, op.ok, body, op.query))

    if op.perm not in ROLE_PERMISSIONS[role]:
        expected = 403
    elif where == "other" and op.other is not None:
        expected = op.other
    else:
        expected = op.ok
    assert status == expected, f"{role} {method} {path} ({where}) → {status}, expected {expected}"


@pytest.mark.parametrize("key", list(ASSISTANCE_OPERATIONS), ids=lambda k: f"{k[0]} {k[1]}")
def test_without_credentials_every_assistance_operation_is_401(key) -> None:
    method, template = key
    path = template.replace("{record_id}", "00000000-0000-4000-8000-000000000000")
    assert _call(Client(), method, path, Op(None, 0, ASSISTANCE_OPERATIONS[key].body)) == 401


def test_a_wrong_or_revoked_token_is_401(caseworker) -> None:
    client = Client(HTTP_AUTHORIZATION="Bearer amp_not-a-real-token")
    assert client.get("/api/v1/me").status_code == 401


def test_lists_and_search_never_show_another_institutions_people(make_user) -> None:
    a, b = make_user(Role.CASEWORKER, "MINEX"), make_user(Role.CASEWORKER, "SBS")
    register(a, given="Propia", first="Tzoc")
    register(b, given="Ajena", first="Tzoc")
    client = api_client(a)
    names = [p["given_names"] for p in client.get("/api/v1/persons").json()["items"]]
    assert names == ["Propia"]
    found = [
        p["given_names"] for p in client.get("/api/v1/persons/search?q=tzoc").json()["results"]
    ]
    assert found == ["Propia"]


def test_protected_people_are_seen_only_by_the_holding_team(make_user) -> None:
    protection = make_user(Role.CASEWORKER, "MINEX", "protection")
    general = make_user(Role.CASEWORKER, "MINEX", "general")
    child = register(protection, given="Niña", markers=["unaccompanied_child"])
    assert api_client(protection).get(f"/api/v1/persons/{child.pk}").status_code == 200
    assert api_client(general).get(f"/api/v1/persons/{child.pk}").status_code == 404
    assert api_client(general).get("/api/v1/persons/search?q=nina").json()["results"] == []
