"""The assistance API: support line, mobile consulates, consular service figures, civil registry
and travel documents. Scoping, conflicts and 422 messages in Spanish and English."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from amparo.assistance.models import CivilRegistration, SupportContact, TravelDocument
from amparo.cases.models import Case, ServiceDelivery
from amparo.core.models import AuditEntry, Role, Site

from .conftest import api_client, register

pytestmark = pytest.mark.django_db
API = "/api/v1"


def _post(client: Client, path: str, body: object, lang: str = "es"):  # type: ignore[no-untyped-def]
    return client.post(
        API + path,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=lang,
    )


def _get(client: Client, path: str, lang: str = "es"):  # type: ignore[no-untyped-def]
    return client.get(API + path, HTTP_ACCEPT_LANGUAGE=lang)


def _fields(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.content
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def _contact(client: Client, **extra: object):  # type: ignore[no-untyped-def]
    body = {"channel": "call", "reason": "information", "outcome": "information", **extra}
    response = _post(client, "/contacts", body)
    assert response.status_code == 201, response.content
    return response.json()


# ---------------------------------------------------------------- support line


def test_contact_reasons_are_a_bilingual_code_list(caseworker) -> None:
    client = api_client(caseworker)
    reasons = {r["code"]: r for r in _get(client, "/contact-reasons").json()}
    assert reasons["missing_person"]["opens_case"] is True
    assert reasons["information"]["opens_case"] is False
    assert reasons["detention"]["name"] == "Persona detenida"
    english = {r["code"]: r["name"] for r in _get(client, "/contact-reasons", "en").json()}
    assert english["detention"] == "Person detained"


def test_contacts_are_logged_and_listed_newest_first_with_filters(caseworker) -> None:
    client = api_client(caseworker)
    now = timezone.now()
    old = _contact(
        client,
        channel="message",
        caller_country="us",
        caller_city="  Los   Angeles ",
        duration_seconds=120,
        received_at=(now - timedelta(days=3)).isoformat(),
    )
    assert old["caller_country"] == "US" and old["caller_city"] == "Los Angeles"
    assert old["recorded_by"] == caseworker.username and old["case_id"] is None
    new = _contact(client, reason="passport", outcome="referred")
    page = _get(client, "/contacts").json()
    assert page["count"] == 2
    assert [c["id"] for c in page["items"]] == [new["id"], old["id"]]
    assert [c["id"] for c in _get(client, "/contacts?channel=message").json()["items"]] == [
        old["id"]
    ]
    assert _get(client, "/contacts?reason=passport&outcome=referred").json()["count"] == 1
    assert _get(client, "/contacts?outcome=dropped").json()["count"] == 0
    day = (now - timedelta(days=3)).astimezone(timezone.get_current_timezone()).date()
    window = _get(client, f"/contacts?from={day}&to={day}").json()
    assert [c["id"] for c in window["items"]] == [old["id"]]
    second = _get(client, "/contacts?limit=1&offset=1").json()
    assert second["count"] == 2 and [c["id"] for c in second["items"]] == [old["id"]]
    assert AuditEntry.objects.filter(action="contact.log").count() == 2


def test_the_count_of_a_long_list_is_capped(caseworker) -> None:
    at = timezone.now() - timedelta(hours=1)
    SupportContact.objects.bulk_create(
        SupportContact(
            institution_id=caseworker.institution_id,
            received_at=at,
            channel="call",
            reason_id="information",
            outcome="information",
            recorded_by=caseworker,
        )
        for _ in range(1002)
    )
    page = _get(api_client(caseworker), "/contacts?limit=500&offset=1000").json()
    assert page["count"] == 1001 and len(page["items"]) == 2


def test_a_naive_time_is_read_in_guatemala(caseworker) -> None:
    contact = _contact(api_client(caseworker), received_at="2024-03-01T10:30:00")
    saved = SupportContact.objects.get(pk=contact["id"]).received_at
    assert saved.astimezone(timezone.get_current_timezone()).hour == 10


def test_a_contact_opens_a_case_and_returns_its_id(caseworker, person) -> None:
    client = api_client(caseworker)
    body = {
        "channel": "call",
        "reason": "missing_person",
        "caller_country": "MX",
        "person_id": str(person.pk),
        "open_case": True,
        "urgency": "life_or_liberty",
        "note": "Sin contacto desde Tapachula.",
    }
    response = _post(client, "/contacts", body)
    assert response.status_code == 201, response.content
    contact = response.json()
    assert contact["outcome"] == "missing_report"
    assert contact["person"]["first_surname"] == "Tzoc"
    case = Case.objects.get(pk=contact["case_id"])
    assert case.data["request"]["request_type"] == "missing_person"
    again = _post(
        client,
        "/contacts",
        {"channel": "call", "reason": "missing_person", "case_id": contact["case_id"]},
    ).json()
    assert again["outcome"] == "case_updated" and again["case_id"] == contact["case_id"]


def test_a_reason_without_protocol_opens_no_case(caseworker, person) -> None:
    body = {"channel": "call", "reason": "passport", "person_id": str(person.pk), "open_case": True}
    assert "open_case" in _fields(_post(api_client(caseworker), "/contacts", body))
    assert not SupportContact.objects.exists() and not Case.objects.exists()


def test_the_list_names_only_people_the_reader_may_see(make_user) -> None:
    protection = make_user(Role.CASEWORKER, "MINEX", "protection")
    child = register(protection, given="Rosa", markers=["unaccompanied_child"])
    _contact(api_client(protection), person_id=str(child.pk))
    general = make_user(Role.OPERATOR, "MINEX", "general")
    [seen] = _get(api_client(general), "/contacts").json()["items"]
    assert seen["person"] is None and seen["person_on_record"] is True
    [holder] = _get(api_client(protection), "/contacts").json()["items"]
    assert holder["person"]["id"] == str(child.pk)


def test_contact_summary_counts_by_reason_channel_and_outcome(caseworker) -> None:
    client = api_client(caseworker)
    _contact(client)
    _contact(client, channel="message")
    _contact(client, reason="passport", outcome="referred")
    summary = _get(client, "/contacts/summary").json()
    assert summary["total"] == 3
    assert summary["reason"] == [
        {"code": "information", "count": 2},
        {"code": "passport", "count": 1},
    ]
    assert {c["code"]: c["count"] for c in summary["channel"]} == {"call": 2, "message": 1}
    assert _get(client, "/contacts/summary?reason=passport").json()["outcome"] == [
        {"code": "referred", "count": 1}
    ]


def test_contact_errors_name_fields_in_spanish_and_english(caseworker) -> None:
    client = api_client(caseworker)
    assert _fields(_post(client, "/contacts", {"reason": "information"}))["channel"] == (
        "Este campo es obligatorio."
    )
    assert _fields(_post(client, "/contacts", {"reason": "information"}, "en"))["channel"] == (
        "This field is required."
    )
    body = {"channel": "call", "reason": "information", "outcome": "information"}
    bad_id = {**body, "person_id": "not-a-uuid"}
    assert _fields(_post(client, "/contacts", bad_id))["person_id"] == (
        "Ingrese un identificador válido."
    )
    stranger = {**body, "person_id": "00000000-0000-4000-8000-000000000000"}
    assert _fields(_post(client, "/contacts", stranger))["person_id"] == (
        "Esa persona no está en sus registros."
    )
    assert _fields(_post(client, "/contacts", stranger, "en"))["person_id"] == (
        "No such person in your records."
    )
    long_note = _fields(_post(client, "/contacts", {**body, "note": "x" * 5000}))
    assert long_note["note"] == "Como máximo 1000 caracteres."
    codes = {
        **body,
        "channel": "fax",
        "reason": "nope",
        "caller_country": "QQ",
        "duration_seconds": 10**30,
    }
    assert set(_fields(_post(client, "/contacts", codes))) == {
        "channel",
        "reason",
        "caller_country",
        "duration_seconds",
    }
    wrong_types = {"channel": 5, "reason": ["a"], "open_case": "maybe", "duration_seconds": "x"}
    assert set(_fields(_post(client, "/contacts", wrong_types))) == {
        "channel",
        "reason",
        "open_case",
        "duration_seconds",
    }
    ancient = {**body, "received_at": "0001-01-01T00:00:00+14:00"}
    assert "received_at" in _fields(_post(client, "/contacts", ancient))
    future = {**body, "received_at": (timezone.now() + timedelta(days=1)).isoformat()}
    assert "received_at" in _fields(_post(client, "/contacts", future))
    assert not SupportContact.objects.exists()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("channel=fax", "channel"),
        ("outcome=maybe", "outcome"),
        ("reason=nope", "reason"),
        ("from=2024-13-01", "from"),
        ("from=2024-05-01&to=2024-04-01", "to"),
        ("to=9999-12-31", "to"),
        ("limit=501", "limit"),
        ("limit=0", "limit"),
        ("offset=99999999999999999999999", "offset"),
        ("reason=" + "x" * 500, "reason"),
    ],
)
def test_bad_list_filters_are_422(caseworker, query, field) -> None:
    client = api_client(caseworker)
    assert field in _fields(_get(client, f"/contacts?{query}"))
    if not query.startswith(("limit", "offset")):
        assert field in _fields(_get(client, f"/contacts/summary?{query}"))


# ---------------------------------------------------------------- consular services


def test_mobile_consulates_are_planned_and_listed_by_year(caseworker, make_user) -> None:
    client = api_client(caseworker)
    body = {
        "consulate": "US_LOS_ANGELES",
        "city": "Bakersfield",
        "opens_on": "2018-03-10",
        "closes_on": "2018-03-11",
    }
    response = _post(client, "/mobile-consulates", body)
    assert response.status_code == 201, response.content
    mobile = response.json()
    assert mobile["consulate"] == "us-los-angeles" and mobile["country"] == "US"
    assert mobile["closes_on"] == "2018-03-11"
    listed = _get(client, "/mobile-consulates?year=2018").json()
    assert listed["count"] == 1 and listed["items"][0]["code"] == mobile["code"]
    assert _get(client, "/mobile-consulates?year=2019").json()["count"] == 0
    assert "year" in _fields(_get(client, "/mobile-consulates?year=99999"))
    late = {**body, "closes_on": "2018-03-01", "city": ""}
    assert set(_fields(_post(client, "/mobile-consulates", late))) == {"city", "closes_on"}
    sbs = api_client(make_user(Role.CASEWORKER, "SBS"))
    assert "consulate" in _fields(_post(sbs, "/mobile-consulates", body, "en"))
    assert _get(sbs, "/mobile-consulates").json()["count"] == 0


def test_services_recorded_at_consulates_count_against_people(caseworker, make_user) -> None:
    """Consular services go through the cases API's POST /services with a site code."""
    client = api_client(caseworker)
    mobile = _post(
        client,
        "/mobile-consulates",
        # Open today: the services below are recorded now, on one of its days.
        {
            "consulate": "us-los-angeles",
            "city": "Bakersfield",
            "opens_on": str(timezone.localdate()),
        },
    ).json()
    ana = register(caseworker, given="Ana", first="Xol")
    luis = register(caseworker, given="Luis", first="Coc")
    for person, kind, site in [
        (ana, "passport", mobile["code"]),
        (ana, "consular_id", "US_LOS_ANGELES"),
        (luis, "passport", "us-los-angeles"),
        (luis, "information", None),  # not at a consulate: not counted
    ]:
        body = {"person_id": str(person.pk), "kind": kind, "site": site}
        response = _post(client, "/services", body)
        assert response.status_code == 201, response.content
    assert ServiceDelivery.objects.filter(site__kind=Site.Kind.MOBILE_CONSULATE).count() == 1
    today = timezone.localdate()
    figures = _get(client, f"/consular-services/figures?from={today}&to={today}").json()
    assert (figures["services"], figures["people"], figures["mobile_services"]) == (3, 2, 1)
    assert figures["from"] == str(today) and figures["to"] == str(today)
    assert {k["code"]: k["count"] for k in figures["by_kind"]} == {
        "passport": 2,
        "consular_id": 1,
    }
    yesterday = today - timedelta(days=1)
    assert (
        _get(client, f"/consular-services/figures?from={yesterday}&to={yesterday}").json()[
            "services"
        ]
        == 0
    )
    sbs = api_client(make_user(Role.CASEWORKER, "SBS"))
    assert _get(sbs, f"/consular-services/figures?from={today}&to={today}").json()["services"] == 0
    assert set(_fields(_get(client, "/consular-services/figures"))) == {"from", "to"}
    backwards = _fields(_get(client, f"/consular-services/figures?from={today}&to={yesterday}"))
    assert "to" in backwards


def test_a_service_time_without_offset_is_not_a_500(caseworker, person) -> None:
    client = api_client(caseworker)
    body = {"person_id": str(person.pk), "kind": "passport", "site": "us-los-angeles"}
    naive = _post(client, "/services", {**body, "delivered_at": "2024-01-01T10:00:00"})
    assert naive.status_code == 201, naive.content
    saved = ServiceDelivery.objects.get().delivered_at
    assert saved.astimezone(timezone.get_current_timezone()).hour == 10
    ancient = _post(client, "/services", {**body, "delivered_at": "0001-01-01T00:00:00+14:00"})
    assert "delivered_at" in _fields(ancient)


# ---------------------------------------------------------------- civil registry


def _birth(client: Client, person_id: object, **extra: object) -> dict[str, Any]:
    body = {
        "kind": "birth",
        "person_id": str(person_id),
        "site": "US_LOS_ANGELES",
        "event_date": "2018-05-02",
        "event_country": "us",
        "event_place": "Los Angeles, CA",
        **extra,
    }
    response = _post(client, "/civil-registrations", body)
    assert response.status_code == 201, response.content
    return response.json()


def _step(client: Client, record_id: str, lang: str = "es", **body: object):  # type: ignore[no-untyped-def]
    return _post(client, f"/civil-registrations/{record_id}/steps", body, lang)


def test_renap_takes_the_registry_steps(caseworker, make_user) -> None:
    consulate = api_client(caseworker)
    child = register(caseworker, given="Luis", first="Ajú", birth_date=date(2018, 5, 2))
    record = _birth(consulate, child.pk)
    assert (record["status"], record["version"], record["event_country"]) == ("recorded", 1, "US")
    assert record["person"]["given_names"] == "Luis"
    rid = record["id"]
    renap = api_client(make_user(Role.CASEWORKER, "RENAP"))
    assert _get(renap, "/civil-registrations").json()["count"] == 0  # not sent yet
    assert _get(renap, f"/civil-registrations/{rid}").status_code == 404

    sent = _step(consulate, rid, status="sent", version=1)
    assert sent.status_code == 200 and sent.json()["version"] == 2
    assert _fields(_step(consulate, rid, status="acknowledged"))["status"]  # not the consulate's
    listed = _get(renap, "/civil-registrations?status=sent").json()
    assert [r["id"] for r in listed["items"]] == [rid]
    seen = _get(renap, f"/civil-registrations/{rid}").json()
    assert seen["person"]["given_names"] == "Luis"  # the registry registers who was notified
    assert seen["institution"] == "MINEX"

    assert "reason" in _fields(_step(renap, rid, status="rejected"))
    rejected = _step(renap, rid, status="rejected", reason="Falta el nombre de la madre.")
    assert rejected.json()["rejection_reason"] == "Falta el nombre de la madre."
    assert _step(consulate, rid, status="sent").status_code == 200
    assert _step(renap, rid, status="acknowledged").status_code == 200
    assert "registry_reference" in _fields(_step(renap, rid, status="registered"))
    done = _step(renap, rid, status="registered", registry_reference="CUI 3001 12345 0101")
    assert done.status_code == 200
    detail = _get(consulate, f"/civil-registrations/{rid}").json()
    assert detail["status"] == "registered" and detail["registry_reference"].startswith("CUI")
    assert [h["status"] for h in detail["history"]] == [
        "recorded",
        "sent",
        "rejected",
        "sent",
        "acknowledged",
        "registered",
    ]
    assert detail["history"][2]["reason"] == "Falta el nombre de la madre."
    assert _get(consulate, "/civil-registrations?kind=death").json()["count"] == 0
    assert _get(consulate, "/civil-registrations?kind=birth").json()["count"] == 1
    assert AuditEntry.objects.filter(action="civil_registration.view").exists()


def test_a_stale_version_is_409_and_changes_nothing(caseworker) -> None:
    client = api_client(caseworker)
    person = register(caseworker, given="Ana")
    record = _birth(client, person.pk)
    assert _step(client, record["id"], status="sent", version=1).status_code == 200
    stale = _step(client, record["id"], status="sent", version=1)
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert stale.json()["changes"] == {"status": {"theirs": "sent"}}
    assert CivilRegistration.objects.get(pk=record["id"]).version == 2


def test_civil_registration_errors(caseworker, person) -> None:
    client = api_client(caseworker)
    base = {"kind": "marriage", "person_id": str(person.pk), "site": "us-los-angeles"}
    errors = _fields(
        _post(
            client,
            "/civil-registrations",
            {**base, "event_date": "2999-01-01", "event_country": "QQ"},
            "en",
        )
    )
    assert {"event_date", "event_country"} <= set(errors)
    assert errors["event_date"] == "The date cannot be in the future."
    marriage = {**base, "event_date": "2018-01-01", "event_country": "US"}
    assert "other_person_id" in _fields(_post(client, "/civil-registrations", marriage))
    stranger = {**marriage, "other_person_id": "00000000-0000-4000-8000-000000000000"}
    assert _fields(_post(client, "/civil-registrations", stranger))["other_person_id"] == (
        "Esa persona no está en sus registros."
    )
    wrong_site = {**marriage, "kind": "birth", "site": "sbs-cnr-guatemala"}
    assert "site" in _fields(_post(client, "/civil-registrations", wrong_site))
    assert "kind" in _fields(_get(client, "/civil-registrations?kind=adoption"))
    record = _birth(client, person.pk)
    assert "status" in _fields(_step(client, record["id"], status="x" * 500))
    wrong_way = _fields(_step(client, record["id"], status="registered", lang="en"))
    assert wrong_way["status"] == (
        "This entry cannot go from “Recorded at the consulate” to “Registered”."
    )
    nul = {"kind": "birth", "person_id": str(person.pk), "site": "us-los-angeles\x00"}
    assert _fields(_post(client, "/civil-registrations", {**nul, "event_country": "US"}))[
        "site"
    ] == ("El texto contiene un carácter no permitido (NUL).")
    assert "reason" in _fields(_get(client, "/contacts?reason=a%00b"))
    assert "version" in _fields(_step(client, record["id"], status="sent", version=0))
    assert not CivilRegistration.objects.exclude(pk=record["id"]).exists()


# ---------------------------------------------------------------- travel documents


def _travel(client: Client, person_id: object, kind: str = "child_passport") -> dict[str, Any]:
    body = {"kind": kind, "person_id": str(person_id), "site": "US_LOS_ANGELES"}
    response = _post(client, "/travel-documents", body)
    assert response.status_code == 201, response.content
    return response.json()


def test_child_passport_checked_and_issued(caseworker) -> None:
    client = api_client(caseworker)
    child = register(caseworker, given="Ana", first="Coc", birth_date=date(2012, 1, 5))
    request = _travel(client, child.pk)
    tid = request["id"]
    assert request["status"] == "requested" and request["version"] == 1
    check = f"/travel-documents/{tid}/check"
    assert "consent_basis" in _fields(_post(client, check, {"consent_basis": "adult"}))
    one = {"consent_basis": "both_parents", "parents": [{"name": "Rosa Coc", "relation": "mother"}]}
    assert "parents" in _fields(_post(client, check, one))
    bad_relation = {"consent_basis": "both_parents", "parents": [{"name": "X", "relation": "dog"}]}
    assert "parents[0].relation" in _fields(_post(client, check, bad_relation))
    decision = f"/travel-documents/{tid}/decision"
    assert "status" in _fields(_post(client, decision, {"issue": True, "document_number": "P1"}))
    both = {
        "consent_basis": "both_parents",
        "parents": [
            {"name": "Rosa  Coc", "document": "1234567890101", "relation": "mother"},
            {"name": "Juan Coc", "relation": "father"},
        ],
        "version": 1,
    }
    checked = _post(client, check, both)
    assert checked.status_code == 200, checked.content
    assert checked.json()["status"] == "checked" and checked.json()["version"] == 2
    assert checked.json()["parents"][0]["name"] == "Rosa Coc"
    stale = _post(client, decision, {"issue": True, "document_number": "P1", "version": 1})
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    assert "document_number" in _fields(_post(client, decision, {"issue": True}))
    issued = _post(client, decision, {"issue": True, "document_number": "P123", "version": 2})
    assert issued.status_code == 200
    assert (issued.json()["status"], issued.json()["document_number"]) == ("issued", "P123")
    assert [h["status"] for h in issued.json()["history"]] == ["requested", "checked", "issued"]
    assert "status" in _fields(_post(client, decision, {"issue": False, "reason": "x"}))
    assert _get(client, "/travel-documents?status=issued").json()["count"] == 1
    assert _get(client, "/travel-documents?kind=special_pass").json()["count"] == 0
    assert "status" in _fields(_get(client, "/travel-documents?status=lost"))


def test_refusal_needs_a_reason(caseworker, person) -> None:
    client = api_client(caseworker)
    tid = _travel(client, person.pk, "special_pass")["id"]
    decision = f"/travel-documents/{tid}/decision"
    assert "reason" in _fields(_post(client, decision, {"issue": False}, "en"))
    refused = _post(client, decision, {"issue": False, "reason": "Documentos alterados."})
    assert refused.json()["status"] == "refused"
    assert refused.json()["refusal_reason"] == "Documentos alterados."
    assert TravelDocument.objects.get(pk=tid).status == "refused"


def test_travel_document_errors(caseworker, person) -> None:
    client = api_client(caseworker)
    body = {"kind": "visa", "person_id": str(person.pk), "site": "nowhere"}
    assert "kind" in _fields(_post(client, "/travel-documents", body))
    body = {"kind": "special_pass", "person_id": "123", "site": "us-los-angeles"}
    assert "person_id" in _fields(_post(client, "/travel-documents", body))
    body = {**body, "person_id": str(person.pk), "requested_on": "2999-01-01"}
    assert "requested_on" in _fields(_post(client, "/travel-documents", body))
    body = {**body, "requested_on": None, "site": "nowhere"}
    assert "site" in _fields(_post(client, "/travel-documents", body))
    broken = client.post(API + "/travel-documents", data="{", content_type="application/json")
    assert broken.status_code in (400, 422)
    assert not TravelDocument.objects.exists()


def test_colleagues_see_the_request_but_not_a_protected_child(make_user) -> None:
    protection = make_user(Role.CASEWORKER, "MINEX", "protection")
    child = register(protection, given="Niña", markers=["unaccompanied_child"])
    tid = _travel(api_client(protection), child.pk)["id"]
    general = api_client(make_user(Role.CASEWORKER, "MINEX", "general"))
    seen = _get(general, f"/travel-documents/{tid}").json()
    assert seen["person"] is None and seen["person_id"] == str(child.pk)
    assert _get(api_client(protection), f"/travel-documents/{tid}").json()["person"]


# ---------------------------------------------------------------- scoping


def test_another_institution_sees_nothing_and_gets_404(caseworker, make_user, person) -> None:
    minex = api_client(caseworker)
    _contact(minex, person_id=str(person.pk))
    civil = _birth(minex, person.pk)
    travel = _travel(minex, person.pk, "special_pass")
    sbs = api_client(make_user(Role.SUPERVISOR, "SBS"))
    assert _get(sbs, "/contacts").json() == {"items": [], "count": 0}
    assert _get(sbs, "/contacts/summary").json()["total"] == 0
    assert _get(sbs, "/civil-registrations").json()["count"] == 0
    assert _get(sbs, "/travel-documents").json()["count"] == 0
    for path in [f"/civil-registrations/{civil['id']}", f"/travel-documents/{travel['id']}"]:
        assert _get(sbs, path).status_code == 404
    assert _step(sbs, civil["id"], status="sent").status_code == 404
    check = {"consent_basis": "court_order", "court_order": "J-1"}
    assert _post(sbs, f"/travel-documents/{travel['id']}/check", check).status_code == 404
    refuse = {"issue": False, "reason": "x"}
    assert _post(sbs, f"/travel-documents/{travel['id']}/decision", refuse).status_code == 404
    # The person is not theirs either: naming them in a record is refused.
    named = {"channel": "call", "reason": "other", "outcome": "information"}
    response = _post(sbs, "/contacts", {**named, "person_id": str(person.pk)})
    assert set(_fields(response)) == {"person_id"}
    assert CivilRegistration.objects.get(pk=civil["id"]).status == "recorded"


@pytest.mark.parametrize(
    "path", ["/civil-registrations/not-a-uuid", "/travel-documents/123", "/travel-documents/%20"]
)
def test_malformed_ids_are_client_errors(caseworker, path) -> None:
    client = api_client(caseworker)
    assert _get(client, path).status_code in (404, 422)
    assert _post(client, path + "/check", {"consent_basis": "adult"}).status_code in (404, 422)


def test_analysts_get_403_and_no_figures_by_name(make_user) -> None:
    analyst = api_client(make_user(Role.ANALYST, "MINEX"))
    assert _get(analyst, "/contacts").status_code == 403
    assert _get(analyst, "/contact-reasons").status_code == 200
    response = _post(analyst, "/contacts", {"channel": "call", "reason": "information"}, "en")
    assert response.status_code == 403
    assert response.json()["detail"] == "Your role does not allow this action."
