"""The tracing endpoints: every operation by role and institution, errors per field, scoping."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from amparo.core.models import Role
from amparo.core.permissions import ROLE_PERMISSIONS, Perm

from .conftest import api_client, register
from .test_tracing_web import tracing_world

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class TraceOp:
    perm: Perm
    ok: int  # with the permission, on the own institution's records
    other: int | None = None  # on another institution's records (None: same as ok)
    body: dict[str, Any] | None = None
    query: str = ""


# The authorization matrix's completeness check (test_api_authorization) includes these.
TRACING_OPERATIONS: dict[tuple[str, str], TraceOp] = {
    ("GET", "/api/v1/missing-reports"): TraceOp(Perm.TRACING_READ, 200, query="?status=missing"),
    ("POST", "/api/v1/missing-reports"): TraceOp(
        Perm.TRACING_WRITE,
        201,
        422,
        {
            "person_id": "{person_id}",
            "channel": "consulate",
            "last_seen_country": "MX",
            "reporter_name": "Juana",
            "reporter_contact": "5555",
        },
    ),
    ("GET", "/api/v1/missing-reports/figures"): TraceOp(Perm.TRACING_READ, 200),
    ("GET", "/api/v1/missing-reports/{report_id}"): TraceOp(Perm.TRACING_READ, 200, 404),
    ("POST", "/api/v1/missing-reports/{report_id}/searches"): TraceOp(
        Perm.TRACING_WRITE,
        201,
        404,
        {"authority": "Fiscalía", "country": "MX", "site": "mx-tapachula"},
    ),
    ("POST", "/api/v1/search-requests/{search_id}/answer"): TraceOp(
        Perm.TRACING_WRITE, 200, 200, {"answer": "Sin registros"}
    ),
    ("POST", "/api/v1/missing-reports/{report_id}/forensic-request"): TraceOp(
        Perm.TRACING_WRITE, 200, 404, {}
    ),
    ("POST", "/api/v1/missing-reports/{report_id}/found-alive"): TraceOp(
        Perm.TRACING_WRITE, 200, 404, {"found_on": "2024-05-01", "country": "MX"}
    ),
    ("POST", "/api/v1/missing-reports/{report_id}/case"): TraceOp(Perm.TRACING_WRITE, 422, 404),
    ("GET", "/api/v1/remains"): TraceOp(Perm.TRACING_READ, 200),
    ("POST", "/api/v1/remains"): TraceOp(
        Perm.TRACING_WRITE,
        201,
        201,
        {
            "reference": "R-7",
            "found_on": "2024-01-01",
            "found_country": "GT",
            "found_place": "Petén",
        },
    ),
    ("GET", "/api/v1/remains/{remains_id}"): TraceOp(Perm.TRACING_READ, 200, 404),
    ("POST", "/api/v1/remains/{remains_id}/burial"): TraceOp(
        Perm.TRACING_WRITE, 200, 404, {"burial_place": "Cementerio general"}
    ),
    ("POST", "/api/v1/remains/{remains_id}/identify"): TraceOp(
        Perm.TRACING_IDENTIFY,
        422,  # not the forensic institute
        422,
        {"report_id": "{report_uuid}", "evidence": ["dna"], "note": "ADN"},
    ),
    ("GET", "/api/v1/tracing-requests"): TraceOp(Perm.TRACING_READ, 200),
    ("POST", "/api/v1/tracing-requests"): TraceOp(
        Perm.TRACING_WRITE,
        201,
        422,
        {
            "child_id": "{person_id}",
            "child_where": "abroad",
            "relatives": [{"name": "Rosa", "relation": "mother", "country": "US"}],
        },
    ),
    ("GET", "/api/v1/tracing-requests/{request_id}"): TraceOp(Perm.TRACING_READ, 200, 404),
    ("POST", "/api/v1/tracing-requests/{request_id}/candidates"): TraceOp(
        Perm.TRACING_WRITE,
        201,
        404,
        {"person_id": "{person_id}", "relation": "father", "how_found": "Llamada"},
    ),
    ("POST", "/api/v1/tracing-candidates/{candidate_id}/decision"): TraceOp(
        Perm.TRACING_WRITE, 200, 404, {"verified": False, "reason": "No es familiar"}
    ),
    ("POST", "/api/v1/tracing-requests/{request_id}/outcome"): TraceOp(
        Perm.TRACING_WRITE, 200, 404, {"status": "not_reunified", "reason": "Sin respuesta"}
    ),
}


def _ids(make_user: Any, where: str) -> dict[str, str]:
    holder = make_user(Role.CASEWORKER, "MINEX" if where == "own" else "SBS")
    person = register(holder, given="Objetivo")
    world = tracing_world(make_user, holder, person)
    return {
        "{person_id}": str(person.pk),
        "{report_id}": str(world["tracing:report_detail"]["report_id"]),
        "{report_uuid}": str(world["tracing:report_detail"]["report_id"]),
        "{search_id}": str(world["tracing:search_answer"]["search_id"]),
        "{remains_id}": str(world["tracing:remains_detail"]["remains_id"]),
        "{request_id}": str(world["tracing:request_detail"]["request_id"]),
        "{candidate_id}": str(world["tracing:candidate_decide"]["candidate_id"]),
    }


def _call(client: Client, method: str, path: str, body: Any) -> Any:
    kwargs: dict[str, Any] = {}
    if body is not None:
        kwargs = {"data": json.dumps(body), "content_type": "application/json"}
    return client.generic(method, path, **kwargs)


@pytest.mark.parametrize("where", ["own", "other"])
@pytest.mark.parametrize("role", list(Role))
def test_every_tracing_operation_by_role_and_institution(make_user, role, where) -> None:  # type: ignore[no-untyped-def]
    user = make_user(role, "MINEX")
    client = api_client(user)
    for key, op in TRACING_OPERATIONS.items():
        ids = _ids(make_user, where)  # fresh records: writes change them
        method, path = key
        text = json.dumps(op.body)
        for placeholder, value in ids.items():
            path = path.replace(placeholder, value)
            text = text.replace(placeholder, value)
        response = _call(client, method, path + op.query, json.loads(text))
        perm_ok = op.perm in ROLE_PERMISSIONS[role]
        if (
            key == ("GET", "/api/v1/missing-reports/figures")
            and Perm.STATS_READ in (ROLE_PERMISSIONS[role])
        ):
            perm_ok = True
        if not perm_ok:
            expected = 403
        elif where == "other" and op.other is not None:
            expected = op.other
        else:
            expected = op.ok
        assert response.status_code == expected, (
            f"{role} {method} {path} ({where}) → {response.status_code}, expected {expected}: "
            f"{response.content[:300]!r}"
        )


def test_without_credentials_every_tracing_operation_is_401() -> None:
    zero = "00000000-0000-4000-8000-000000000000"
    for (method, template), op in TRACING_OPERATIONS.items():
        path = template
        for name in ("report_id", "search_id", "remains_id", "request_id", "candidate_id"):
            path = path.replace("{" + name + "}", zero)
        assert _call(Client(), method, path, op.body).status_code == 401, path


def test_errors_are_422_per_field_in_spanish(make_user) -> None:
    client = api_client(make_user(Role.CASEWORKER, "MINEX"))
    response = _call(
        client,
        "POST",
        "/api/v1/missing-reports",
        {"channel": "fax", "last_seen_country": "XX", "last_seen_on": "2999-01-01"},
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"person_id", "channel", "last_seen_country", "last_seen_on"} <= fields
    bad = _call(
        client,
        "POST",
        "/api/v1/remains",
        {"reference": "R", "found_country": "GT", "found_place": "x", "age_min": 500},
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["message"] == "Debe ser menor o igual a 120."
    garbage = client.generic(
        "POST", "/api/v1/tracing-requests", "{", content_type="application/json"
    )
    assert garbage.status_code == 400  # not JSON: refused, never a server error


def test_a_report_read_shows_the_person_and_is_audited(make_user) -> None:
    from amparo.core.models import AuditEntry

    holder = make_user(Role.CASEWORKER, "MINEX")
    ids = _ids(make_user, "own")
    del holder
    client = api_client(make_user(Role.CASEWORKER, "MINEX"))
    body = client.get(f"/api/v1/missing-reports/{ids['{report_id}']}").json()
    assert body["person"]["given_names"] == "Objetivo" and body["status"] == "missing"
    assert AuditEntry.objects.filter(action="missing_report.view").exists()
    figures = client.get("/api/v1/missing-reports/figures?from=2020-01-01").json()
    assert figures["in_country"] == 2 and figures["reunified"] == 0
