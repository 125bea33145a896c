"""Findings of the whole-product walk on the import layouts page and the demo accounts."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from amparo.core.models import Role, User
from amparo.demo.cases import generate_cases
from amparo.demo.generator import create_demo_users

pytestmark = pytest.mark.django_db


def _layouts_page(make_user) -> str:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(make_user(Role.OPERATOR, "MINEX"))
    response = client.get(reverse("imports:layouts"))
    assert response.status_code == 200
    return response.content.decode()


def _without_code(html: str) -> str:
    return re.sub(r"<code>.*?</code>", "", html, flags=re.S)


def test_layout_headings_show_the_kind_as_code_beside_its_spanish_title(make_user):
    page = _layouts_page(make_user)
    for kind, title in (
        ("mobile_consulates", "Consulados móviles"),
        ("travel_documents", "Documentos de viaje"),
        ("contacts", None),
        ("flows", None),
    ):
        heading = re.search(rf'<h2 id="layout-{kind}">(.*?)</h2>', page, re.S)
        assert heading, kind
        assert f"<code>{kind}</code>" in heading[1]
        assert kind not in _without_code(heading[1])
        if title:
            assert title in heading[1]


def test_accepted_values_are_codes_each_beside_its_label(make_user):
    page = _layouts_page(make_user)
    outside = _without_code(page)
    for code in (
        "web_form",
        "walk_in",
        "child_passport",
        "special_pass",
        "travel_authorisation",
        "both_parents",
        "court_order",
        "unaccompanied_children",
        "case_opened",
        "missing_report",
        "birth_certificate",
    ):
        assert f"<code>{code}</code>" in page, code
        assert code not in outside, code
    # Each value is its own element with its Spanish label beside it.
    assert re.search(r"<li><code>call</code> \(Llamada[^)]*\)</li>", page)
    assert "call, message, web_form" not in page


def test_no_demo_account_is_named_by_an_english_role_word():
    create_demo_users()
    generate_cases(per_stage=0)
    role_words = {value.lower() for value in Role.values} | {
        label.lower() for label in ("Caseworker", "Supervisor", "Operator", "Analyst")
    }
    holders = User.objects.filter(username__regex=r"^(caseworker|supervisor)\.")
    assert holders.exists()
    for user in User.objects.all():
        name = user.get_full_name().strip()
        assert name, user.username
        assert name.lower() not in role_words, user.username
        assert user.first_name.lower() not in role_words, user.username


def test_every_consular_service_value_has_its_spanish_label(make_user):
    page = _layouts_page(make_user)
    assert re.search(r"<li><code>legal_aid</code> \([^)]+\)</li>", page)
    assert "<li><code>passport</code> (Pasaporte)</li>" in page
