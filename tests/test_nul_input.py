"""Input with the NUL character is refused with a message, never a server error (PostgreSQL
cannot store it)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from .conftest import api_client

pytestmark = pytest.mark.django_db


def test_api_refuses_nul_in_queries_and_bodies(caseworker):
    client = api_client(caseworker)
    response = client.get("/api/v1/persons/search", {"q": "Tz\x00oc"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "q"
    body = json.dumps({"given_names": "Ana\x00", "first_surname": "Coc"})
    response = client.post("/api/v1/persons", body, content_type="application/json")
    assert response.status_code == 422 and "NUL" in response.json()["errors"][0]["message"]
    response = client.get("/api/v1/sites", {"kind": "consulate\x00"})
    assert response.status_code == 422


def test_pages_refuse_nul_in_forms(caseworker):
    client = Client()
    client.force_login(caseworker)
    response = client.post("/people/new/", {"given_names": "Ana\x00"})
    assert response.status_code == 400
    assert client.get("/people/", {"q": "a\x00"}).status_code == 400
