"""Every case endpoint of the API, for every role, on a case of the user's own institution and
of another one. Completeness is checked with the people endpoints in
test_api_authorization.test_every_operation_is_covered."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from amparo.cases import actions
from amparo.core.models import Role
from amparo.core.permissions import ROLE_PERMISSIONS, Perm

from .conftest import api_client, register

pytestmark = pytest.mark.django_db
TEST_PROTOCOLS = Path(__file__).parent / "protocols"


@dataclass(frozen=True)
class CaseOp:
    perm: Perm
    ok: int  # expected with the permission, on the own institution's records
    other: int | None = None  # expected on another institution's records (None: same as ok)
    body: dict[str, Any] | None = None


CASE_OPERATIONS: dict[tuple[str, str], CaseOp] = {
    ("GET", "/api/v1/protocols"): CaseOp(Perm.CASE_READ, 200),
    ("GET", "/api/v1/cases"): CaseOp(Perm.CASE_READ, 200),
    ("POST", "/api/v1/cases"): CaseOp(
        Perm.CASE_WRITE, 201, 422, {"protocol": "test_minimal", "person_id": "{person_id}"}
    ),
    ("GET", "/api/v1/cases/{case_id}"): CaseOp(Perm.CASE_READ, 200, 404),
    ("POST", "/api/v1/cases/{case_id}/transitions"): CaseOp(
        Perm.CASE_WRITE, 422, 404, {"transition": "finish"}
    ),
    ("PUT", "/api/v1/cases/{case_id}/forms/{form}"): CaseOp(
        Perm.CASE_WRITE, 200, 404, {"data": {"urgent": True}}
    ),
    ("POST", "/api/v1/cases/{case_id}/notes"): CaseOp(
        Perm.CASE_WRITE, 201, 404, {"text": "Llamó la madre."}
    ),
    ("POST", "/api/v1/cases/{case_id}/referrals"): CaseOp(
        Perm.CASE_WRITE, 201, 404, {"to_institution": "PGN", "reason": "x", "shares": ["case"]}
    ),
    ("POST", "/api/v1/tasks/{task_id}/complete"): CaseOp(Perm.CASE_WRITE, 200, 404),
    ("POST", "/api/v1/approvals/{approval_id}/decide"): CaseOp(
        Perm.CASE_APPROVE, 404, 404, {"approve": True}
    ),
    ("GET", "/api/v1/referrals/incoming"): CaseOp(Perm.CASE_READ, 200),
    ("POST", "/api/v1/referrals/{referral_id}/decide"): CaseOp(
        Perm.CASE_WRITE, 404, 404, {"accept": True}
    ),
    ("POST", "/api/v1/persons/{person_id}/consents"): CaseOp(
        Perm.CASE_WRITE, 201, 404, {"scopes": ["identity"]}
    ),
    ("POST", "/api/v1/consents/{consent_id}/withdraw"): CaseOp(Perm.CASE_WRITE, 200, 404),
    ("POST", "/api/v1/services"): CaseOp(
        Perm.CASE_WRITE, 201, 422, {"person_id": "{person_id}", "kind": "information"}
    ),
    ("GET", "/api/v1/dashboard"): CaseOp(Perm.CASE_APPROVE, 200),
}


@pytest.fixture(autouse=True)
def test_protocols(settings):  # type: ignore[no-untyped-def]
    settings.AMPARO_EXTRA_PROTOCOL_DIRS = [str(TEST_PROTOCOLS)]


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("where", ["own", "other"])
@pytest.mark.parametrize("key", list(CASE_OPERATIONS), ids=lambda k: f"{k[0]} {k[1]}")
def test_case_operation_by_role_and_institution(make_user, key, role, where) -> None:
    method, template = key
    op = CASE_OPERATIONS[key]
    holder = make_user(Role.CASEWORKER, "MINEX" if where == "own" else "SBS")
    person = register(holder, given="Objetivo")
    case = actions.case_open(actor=holder, protocol_code="test_minimal", person_id=person.pk)
    consent = actions.consent_record(actor=holder, person_id=person.pk, scopes=["case"])
    ids = {
        "{person_id}": str(person.pk),
        "{case_id}": str(case.pk),
        "{form}": "intake",
        "{task_id}": str(case.tasks.get().pk),
        "{approval_id}": "999999",
        "{referral_id}": "00000000-0000-4000-8000-000000000000",
        "{consent_id}": str(consent.pk),
    }
    path = template
    for placeholder, value in ids.items():
        path = path.replace(placeholder, value)
    body = json.loads(json.dumps(op.body or {}).replace('"{person_id}"', f'"{person.pk}"'))
    user = make_user(role, "MINEX")
    kwargs: dict[str, Any] = {}
    if op.body is not None:
        kwargs = {"data": json.dumps(body), "content_type": "application/json"}
    status = api_client(user).generic(method, path, **kwargs).status_code

    if op.perm not in ROLE_PERMISSIONS[role]:
        expected = 403
    elif where == "other" and op.other is not None:
        expected = op.other
    else:
        expected = op.ok
    assert status == expected, f"{role} {method} {path} ({where}) → {status}, expected {expected}"


def test_recipient_sees_only_what_the_referral_shares(make_user) -> None:
    minex = make_user(Role.SUPERVISOR, "MINEX")
    sbs = make_user(Role.CASEWORKER, "SBS")
    person = register(minex, given="Compartida")
    case = actions.case_open(actor=minex, protocol_code="test_minimal", person_id=person.pk)
    actions.case_form_save(actor=minex, case_id=case.pk, form="intake", data={"urgent": True})
    referral = actions.referral_send(
        actor=minex,
        case_id=case.pk,
        to_institution="SBS",
        reason="apoyo",
        shares=["case"],
        override_reason="emergencia",
    )
    client = api_client(sbs)
    assert client.get(f"/api/v1/cases/{case.pk}").status_code == 404
    decision = client.post(
        f"/api/v1/referrals/{referral.pk}/decide",
        json.dumps({"accept": True}),
        content_type="application/json",
    )
    assert decision.status_code == 200
    seen = client.get(f"/api/v1/cases/{case.pk}").json()
    assert seen["stage"] == "open" and seen["events"]
    assert seen["person_name"] is None and seen["data"] == {} and seen["tasks"] == []
