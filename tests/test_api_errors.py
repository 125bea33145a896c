"""Bad input through the API: a 4xx naming the field, in the user's language; never a 500."""

import json

import pytest
from django.test import Client

from amparo.core.models import AuditEntry
from amparo.people.models import Person

from .conftest import api_client

pytestmark = pytest.mark.django_db


def _post(client: Client, body: object, lang: str = "es", **extra: object):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/persons",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=lang,
        **extra,
    )


def _fields(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def test_malformed_date_names_the_field_in_spanish(caseworker) -> None:
    response = _post(api_client(caseworker), {"given_names": "Ana", "birth_date": "31/02/2001"})
    assert response.status_code == 422
    assert "fecha" in _fields(response)["birth_date"].lower()


def test_same_error_in_english_when_asked(caseworker) -> None:
    body = {"given_names": "Ana", "birth_date": "2001-02-31"}
    response = _post(api_client(caseworker), body, lang="en")
    assert response.status_code == 422
    assert "date" in _fields(response)["birth_date"].lower()


def test_impossible_age_and_unknown_codes(caseworker) -> None:
    client = api_client(caseworker)
    response = _post(client, {"given_names": "Ana", "age_years": 200})
    assert response.status_code == 422 and "age_years" in _fields(response)
    response = _post(
        client, {"given_names": "Ana", "nationality": "QQ", "preferred_language": "xyz"}
    )
    assert response.status_code == 422
    assert {"nationality", "preferred_language"} <= set(_fields(response))


def test_duplicate_document_names_the_document(caseworker) -> None:
    client = api_client(caseworker)
    doc = {"doc_type": "passport", "number": "P-1", "issuing_country": "GT"}
    assert _post(client, {"given_names": "Ana", "documents": [doc]}).status_code == 201
    response = _post(client, {"given_names": "Eva", "documents": [doc]})
    assert response.status_code == 422
    assert "documents[0].number" in _fields(response)
    assert Person.objects.count() == 1


def test_nested_field_errors_carry_their_path(caseworker) -> None:
    body = {"given_names": "Ana", "documents": [{"doc_type": "passport", "number": "1"}]}
    response = _post(api_client(caseworker), body)
    assert response.status_code == 422
    assert "documents[0].issuing_country" in _fields(response)


def test_oversized_payload_is_413_and_writes_nothing(caseworker, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = _post(api_client(caseworker), {"given_names": "A" * 20_000})
    assert response.status_code == 413
    assert not Person.objects.exists()


def test_wrong_content_type_and_broken_json_are_client_errors(caseworker) -> None:
    client = api_client(caseworker)
    form = client.post("/api/v1/persons", data={"given_names": "Ana"})
    assert 400 <= form.status_code < 500
    broken = client.post("/api/v1/persons", data="{not json", content_type="application/json")
    assert broken.status_code in (400, 422)
    assert not Person.objects.exists()


def test_bad_identifiers_and_filters_are_4xx(caseworker) -> None:
    client = api_client(caseworker)
    assert client.get("/api/v1/persons/not-a-uuid").status_code in (404, 422)
    assert client.get("/api/v1/persons?limit=abc").status_code == 422
    assert client.get("/api/v1/persons/search").status_code == 422
    assert client.get("/api/v1/audit?since=yesterday").status_code in (403, 422)


def test_stale_version_is_409_with_the_changes(caseworker) -> None:
    client = api_client(caseworker)
    created = _post(client, {"given_names": "Ana", "first_surname": "Coc"}).json()
    url = f"/api/v1/persons/{created['id']}"
    first = {"given_names": "Ana", "first_surname": "Caal", "version": 1}
    assert client.put(url, json.dumps(first), content_type="application/json").status_code == 200
    stale = {"given_names": "Ana", "first_surname": "Choc", "version": 1}
    response = client.put(url, json.dumps(stale), content_type="application/json")
    assert response.status_code == 409
    assert response.json()["changes"]["first_surname"] == {"yours": "Choc", "theirs": "Caal"}


def test_openapi_document_is_served(caseworker) -> None:
    schema = api_client(caseworker).get("/api/v1/openapi.json").json()
    assert "/api/v1/persons" in schema["paths"]
    assert AuditEntry.objects.filter(action="token.create").exists()


def test_list_count_is_capped_but_exact_below_the_cap(caseworker, monkeypatch) -> None:
    from amparo.core import pagination

    from .conftest import register

    for i in range(3):
        register(caseworker, given=f"Persona{i}")
    client = api_client(caseworker)
    assert client.get("/api/v1/persons?limit=2").json()["count"] == 3
    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    body = client.get("/api/v1/persons?limit=2").json()
    assert body["count"] == 3 and len(body["items"]) == 2
    monkeypatch.setattr(pagination, "COUNT_CAP", 1)
    assert client.get("/api/v1/persons?limit=2").json()["count"] == 2
