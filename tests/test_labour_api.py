"""The labour endpoints: every operation by role and institution, the public check (what it
reveals, what it refuses, its cache), fraud reports (honeypot, flood), errors per field."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from amparo.core.models import Role
from amparo.core.permissions import ROLE_PERMISSIONS, Perm
from amparo.labour import actions, public
from amparo.labour.models import FraudReport, Recruiter
from amparo.labour.names import tax_number_with_check

from .conftest import api_client, register
from .matrix_labour import LABOUR_OPERATIONS, labour_world, office

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    cache.clear()  # the public answers and the flood counters live there


def _values(make_user: Any, user: Any, where: str) -> dict[str, str]:
    holder = make_user(Role.CASEWORKER, "MINTRAB" if where == "own" else "SBS")
    world = labour_world(make_user, holder, register(holder, given="Objetivo"))
    return {
        "{recruiter_id}": str(world["recruiter"].pk),
        "{report_id}": str(world["report"].pk),
        "{employer_id}": str(world["employer"].pk),
        "{offer_id}": str(world["offer"].pk),
        "{person_id}": str(world["newcomer"].pk),
        "{worker_id}": str(world["person"].pk),
        "{placement_id}": str(world["placement"].pk),
        "{returned_id}": str(world["returned"].pk),
        "{next_offer_id}": str(world["next_offer"].pk),
        "{site}": office(user.institution).code,
        "{next_year}": world["next_year"].isoformat(),
        "{nit}": tax_number_with_check("3141592"),
    }


def _call(client: Client, method: str, path: str, body: Any) -> Any:
    kwargs: dict[str, Any] = {}
    if body is not None:
        kwargs = {"data": json.dumps(body), "content_type": "application/json"}
    return client.generic(method, path, **kwargs)


@pytest.mark.parametrize("where", ["own", "other"])
@pytest.mark.parametrize("role", list(Role))
def test_every_labour_operation_by_role_and_institution(make_user, role, where) -> None:  # type: ignore[no-untyped-def]
    user = make_user(role, "MINTRAB")
    client = api_client(user)
    for key, op in LABOUR_OPERATIONS.items():
        cache.clear()
        values = _values(make_user, user, where)  # fresh records: writes change them
        method, path = key
        if path.endswith("/readmit"):  # the worker who came back, not the one registered
            path = path.replace("{placement_id}", "{returned_id}")
        text = json.dumps(op.body)
        for placeholder, value in values.items():
            path = path.replace(placeholder, value)
            text = text.replace(placeholder, value)
        response = _call(client, method, path + op.query, json.loads(text))
        perms = ROLE_PERMISSIONS[role]
        if key == ("GET", "/api/v1/labour/figures") and Perm.STATS_READ in perms:
            expected = 200
        elif op.perm is not None and op.perm not in perms:
            expected = 403
        elif where == "other" and op.other is not None:
            expected = op.other
        else:
            expected = op.ok
        assert response.status_code == expected, (
            f"{role} {method} {path} ({where}) → {response.status_code}, expected {expected}: "
            f"{response.content[:300]!r}"
        )


def test_other_institutions_neither_keep_the_register_nor_see_the_fraud_queue(make_user) -> None:  # type: ignore[no-untyped-def]
    consul = make_user(Role.SUPERVISOR, "MINEX")
    world = labour_world(make_user, consul, register(consul))
    client = api_client(consul)
    assert client.get(f"/api/v1/recruiters/{world['recruiter'].pk}").status_code == 200
    decision = {"decision": "refuse", "reason": "x"}
    url = f"/api/v1/recruiters/{world['recruiter'].pk}/decision"
    assert _call(client, "POST", url, decision).status_code == 403
    assert client.get("/api/v1/fraud-reports").json()["items"] == []
    review = f"/api/v1/fraud-reports/{world['report'].pk}/review"
    assert _call(client, "POST", review, {"note": "x"}).status_code == 404


def _authorised(make_user: Any, name: str = "Agencia Laboral Los Altos, S.A.") -> Recruiter:
    chief = make_user(Role.SUPERVISOR, "MINTRAB")
    recruiter = actions.recruiter_apply(
        actor=chief,
        data=actions.RecruiterInput(
            kind="organisation",
            name=name,
            tax_number=tax_number_with_check(str(1000000 + Recruiter.objects.count())),
            countries=["CA", "MX"],
            sectors=["agriculture", "food_processing"],
            documents=["Escritura"],
            representative="Doña Secreta Representante",
            contact="secreto@example.org",
        ),
    )
    today = timezone.localdate()
    return actions.recruiter_decide(
        actor=chief,
        recruiter_id=recruiter.pk,
        data=actions.DecisionInput(
            "authorise", valid_from=today, valid_until=today + timedelta(days=30)
        ),
    )


def test_the_public_check_reveals_public_fields_only(make_user) -> None:  # type: ignore[no-untyped-def]
    recruiter = _authorised(make_user)
    actions.recruiter_supervise(
        actor=make_user(Role.CASEWORKER, "MINTRAB"),
        recruiter_id=recruiter.pk,
        data=actions.SupervisionInput("complaint", "Queja confidencial de Juana"),
    )
    anonymous = Client()
    response = anonymous.get("/api/v1/public/recruiters?q=los ALTOS sa")
    assert response.status_code == 200
    (item,) = response.json()["items"]
    assert item["number"] == recruiter.number and item["authorised_today"] is True
    assert item["status"] == "authorised" and item["countries"] == ["CA", "MX"]
    text = response.content.decode()
    for secret in ("Secreta", "secreto@", "Juana", recruiter.tax_number, str(recruiter.pk)):
        assert secret not in text
    by_number = anonymous.get(f"/api/v1/public/recruiters?number={recruiter.number.lower()}")
    assert by_number.json()["items"][0]["name"] == recruiter.name


def test_the_public_check_refuses_short_searches_and_malformed_numbers(make_user) -> None:  # type: ignore[no-untyped-def]
    _authorised(make_user)
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en")
    short = anonymous.get("/api/v1/public/recruiters?q=a")
    assert short.status_code == 422 and short.json()["errors"][0]["field"] == "q"
    assert anonymous.get("/api/v1/public/recruiters?number=12").status_code == 422
    assert anonymous.get("/api/v1/public/recruiters?number=RC-0000-0000").json()["items"] == []
    assert anonymous.get("/api/v1/public/recruiters?q=" + "x" * 500).status_code == 422
    assert anonymous.get("/api/v1/public/recruiters?q=%00abc").status_code in (400, 422)


def test_the_public_check_hides_applications_and_caps_its_answers(make_user) -> None:  # type: ignore[no-untyped-def]
    chief = make_user(Role.SUPERVISOR, "MINTRAB")
    actions.recruiter_apply(
        actor=chief,
        data=actions.RecruiterInput(
            "individual",
            "Pendiente Perez",
            tax_number_with_check("999"),
            ["MX"],
            ["agriculture"],
            ["DPI"],
        ),
    )
    assert Client().get("/api/v1/public/recruiters?q=pendiente").json()["items"] == []
    places = (
        "Quetzaltenango Huehuetenango Chimaltenango Sacatepéquez Totonicapán Sololá Retalhuleu "
        "Suchitepéquez Escuintla Jutiapa Jalapa Chiquimula Zacapa Izabal Petén Quiché Baja "
        "Alta Progreso Guatemala Mixco Villanueva"
    ).split()
    for place in places:
        _authorised(make_user, name=f"Agencia Número Uno de {place} y Alrededores")
    answer = Client().get("/api/v1/public/recruiters?q=agencia numero").json()
    assert len(answer["items"]) == 20 and answer["truncated"] is True


def test_a_status_change_is_seen_at_once_despite_the_cache(make_user) -> None:  # type: ignore[no-untyped-def]
    recruiter = _authorised(make_user)
    url = f"/api/v1/public/recruiters?number={recruiter.number}"
    assert Client().get(url).json()["items"][0]["authorised_today"] is True
    # A change behind the actions' back is not seen (the answer is cached)...
    Recruiter.objects.filter(pk=recruiter.pk).update(valid_until=timezone.localdate())
    assert Client().get(url).json()["items"][0]["valid_until"] != timezone.localdate().isoformat()
    # ... a decision is, at once.
    chief = make_user(Role.SUPERVISOR, "MINTRAB")
    actions.recruiter_decide(
        actor=chief,
        recruiter_id=recruiter.pk,
        data=actions.DecisionInput("suspend", reason="Investigación"),
    )
    item = Client().get(url).json()["items"][0]
    assert item["status"] == "suspended" and item["authorised_today"] is False


def test_fraud_reports_are_anonymous_trap_bots_and_stop_floods(settings) -> None:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    body = {"recruiter_name": "Don Chepe", "description": "Asked for Q. 3,000 for a visa"}
    url = "/api/v1/public/fraud-reports"
    assert _call(client, "POST", url, body).status_code == 202
    trapped = _call(client, "POST", url, {**body, "website": "http://spam"})
    assert trapped.status_code == 202
    assert FraudReport.objects.count() == 1
    bad = _call(client, "POST", url, {"recruiter_name": "", "description": "x"})
    assert bad.status_code == 422
    for _ in range(public.REPORTS_PER_WINDOW):
        last = _call(client, "POST", url, body)
    assert last.status_code == 429
    assert "Too many reports" in last.json()["detail"]
    assert FraudReport.objects.count() <= public.REPORTS_PER_WINDOW


def test_bad_input_is_refused_at_the_field(make_user) -> None:  # type: ignore[no-untyped-def]
    clerk = make_user(Role.CASEWORKER, "MINTRAB")
    world = labour_world(make_user, clerk, register(clerk))
    client = api_client(clerk)
    offer = {
        "employer_id": str(world["employer"].pk),
        "programme": "Canadá",
        "sector": "agriculture",
        "positions": 3,
        "starts_on": "2025-05-01",
        "ends_on": "2025-04-01",
        "conditions": "",
    }
    response = _call(client, "POST", "/api/v1/job-offers", offer)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"conditions", "ends_on"}
    stale = {"status": "preselected", "version": 7}
    url = f"/api/v1/placements/{world['placement'].pk}/step"
    assert _call(client, "POST", url, stale).status_code == 409
    wrong = _call(client, "POST", "/api/v1/job-offers", {**offer, "employer_id": "nope"})
    assert wrong.status_code == 422


ODD_VALUES: list[Any] = [None, "", "x" * 5000, -1, 10**20, [], {}, "2025-13-45", "\u202e"]


def test_odd_input_never_answers_500(make_user) -> None:  # type: ignore[no-untyped-def]
    clerk = make_user(Role.SUPERVISOR, "MINTRAB")
    values = _values(make_user, clerk, "own")
    client = api_client(clerk)
    for (method, path), op in LABOUR_OPERATIONS.items():
        for placeholder, value in values.items():
            path = path.replace(placeholder, value)
        if method == "GET":
            for odd in ("?q=%00", "?year=abc", "?status=zzz", "?limit=0", "?number=" + "9" * 60):
                assert client.get(path + odd).status_code < 500, path + odd
            continue
        for name in op.body or {"x": 1}:
            for odd in ODD_VALUES:
                cache.clear()
                text = json.dumps(op.body or {})
                for placeholder, value in values.items():
                    text = text.replace(placeholder, value)
                body = json.loads(text)
                body[name] = odd
                response = _call(client, method, path, body)
                assert response.status_code < 500, (path, name, odd, response.content[:200])
        assert (
            client.generic(method, path, "{broken", content_type="application/json").status_code
            < 500
        )
    assert client.get("/api/v1/recruiters/not-a-uuid").status_code in (404, 422)
