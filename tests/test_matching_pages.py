"""Possible matches on the tracing pages, on people shaped like the real ones: a municipality of
origin, identity documents, relations and a household. (The engine once read `name_es` from a
department, which has `name`: every page with a person from a known municipality answered 500
and the background proposals all failed, while tests on people without one passed.)"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from amparo.core.models import Role, User
from amparo.matching.engine import person_records
from amparo.people.actions import DocumentInput, household_create, relation_add
from amparo.people.models import Person
from amparo.tracing import actions
from amparo.tracing.models import MissingReport, TracingRequest, UnidentifiedRemains

from .conftest import register

pytestmark = pytest.mark.django_db

HUEHUETENANGO = "1301"  # Huehuetenango, Huehuetenango
QUETZALTENANGO = "0901"


@dataclass
class Family:
    """A migrant reported missing, the record of someone found who may be him, his mother and
    his sister, in one household; everyone from a known municipality, most with documents."""

    missing: Person
    found: Person
    mother: Person
    sister: Person


def family(actor: User) -> Family:
    missing = register(
        actor,
        given="José Luis",
        first="Tzoc",
        second="Cux",
        sex="M",
        birth_date=date(1998, 3, 14),
        nationality="GT",
        origin_municipality=HUEHUETENANGO,
        documents=[
            DocumentInput("passport", "A7654321", "GT"),
            DocumentInput("dpi", "2456 78901 1301", "GT"),
        ],
    )
    found = register(
        actor,
        given="Jose Luis",
        first="Tzoc",
        second="Cus",
        sex="M",
        birth_date=date(1998, 3, 14),
        nationality="GT",
        origin_municipality=HUEHUETENANGO,
        origin_place="Aldea Chiantla",
    )
    mother = register(
        actor,
        given="Rosa",
        first="Cux",
        second="Ajanel",
        sex="F",
        birth_date=date(1975, 6, 2),
        nationality="GT",
        origin_municipality=HUEHUETENANGO,
        documents=[DocumentInput("dpi", "1987 65432 1301", "GT")],
    )
    sister = register(
        actor,
        given="Ana",
        first="Tzoc",
        second="Cux",
        sex="F",
        birth_date=date(2010, 9, 1),
        nationality="GT",
        origin_municipality=QUETZALTENANGO,
    )
    relation_add(actor=actor, from_person_id=mother.pk, to_person_id=missing.pk, kind="parent")
    relation_add(actor=actor, from_person_id=mother.pk, to_person_id=sister.pk, kind="parent")
    household_create(
        actor=actor,
        label="Familia Tzoc Cux",
        member_ids=[mother.pk, missing.pk, sister.pk],
        head_id=mother.pk,
    )
    return Family(missing, found, mother, sister)


def missing_report(actor: User, person: Person) -> MissingReport:
    return actions.report_record(
        actor=actor,
        data=actions.ReportInput(
            person_id=person.pk,
            channel="consulate",
            last_seen_country="MX",
            last_seen_place="Tapachula",
            reporter_name="Rosa Cux",
            reporter_contact="5555 1234",
        ),
    )


def tracing_request(actor: User, child: Person) -> TracingRequest:
    return actions.tracing_open(
        actor=actor,
        data=actions.TracingInput(
            child_id=child.pk,
            child_where="returned",
            requested_on=date(2026, 1, 5),
            relatives=[actions.RelativeSought("Rosa Cux Ajanel", "mother", "US", "")],
        ),
    )


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def minex(make_user: Any) -> User:
    return make_user(Role.CASEWORKER, "MINEX")


def test_the_engine_reads_the_place_of_origin_by_its_name(minex):
    people = family(minex)
    record = person_records([people.missing])[0]
    assert record["origin_municipality"] == "Huehuetenango"
    assert record["origin_department"] == "Huehuetenango"
    assert record["document_number"]  # the first active document


def test_possible_matches_of_a_missing_person_from_a_known_municipality(minex):
    people = family(minex)
    report = missing_report(minex, people.missing)
    response = signed_in(minex).get(
        reverse("tracing:report_detail", args=[report.pk]) + "?matches=1"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("people:detail", args=[people.found.pk]) in page  # proposed
    assert f"found_person={people.found.pk}" in page
    assert "No se pudieron buscar" not in page
    assert "<li>Apellidos: " in page and "<li>surnames: " not in page  # words, not codes


def test_possible_matches_of_a_family_tracing_request(minex):
    people = family(minex)
    request = tracing_request(minex, people.sister)
    response = signed_in(minex).get(
        reverse("tracing:request_detail", args=[request.pk]) + "?matches=1"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("people:detail", args=[people.mother.pk]) in page  # the mother sought
    assert "No se pudieron buscar" not in page


def test_possible_matches_of_remains_among_reports_of_people_with_a_municipality(make_user):
    forensic = make_user(Role.CASEWORKER, "INACIF")
    people = family(forensic)
    missing_report(forensic, people.missing)
    remains = actions.remains_record(
        actor=forensic,
        data=actions.RemainsInput(
            reference="R-2026-7",
            found_on=date(2026, 2, 1),
            found_country="GT",
            found_place="Petén",
            sex="M",
            age_min=25,
            age_max=30,
        ),
    )
    assert remains.status == UnidentifiedRemains.Status.UNIDENTIFIED
    response = signed_in(forensic).get(
        reverse("tracing:remains_detail", args=[remains.pk]) + "?matches=1"
    )
    assert response.status_code == 200
    assert "No se pudieron buscar" not in response.content.decode()


def engine_down(*args: object, **kwargs: object) -> None:
    raise RuntimeError("el motor de coincidencias no responde")


UNAVAILABLE = "No se pudieron buscar posibles coincidencias: el motor de coincidencias falló."


@pytest.mark.parametrize("page", ["report", "request", "remains"])
def test_a_failing_engine_leaves_the_page_answering_and_saying_so(
    page, make_user, monkeypatch, caplog
):
    """Possible matches are an optional part: the page answers 200, says in Spanish what is
    missing and why (never "no matches found"), and the log has the traceback."""
    forensic = make_user(Role.CASEWORKER, "INACIF")
    people = family(forensic)
    report = missing_report(forensic, people.missing)
    if page == "report":
        url = reverse("tracing:report_detail", args=[report.pk])
    elif page == "request":
        url = reverse("tracing:request_detail", args=[tracing_request(forensic, people.sister).pk])
    else:
        remains = actions.remains_record(
            actor=forensic,
            data=actions.RemainsInput(
                reference="R-9", found_on=date(2026, 2, 1), found_country="GT", found_place="Petén"
            ),
        )
        url = reverse("tracing:remains_detail", args=[remains.pk])
    monkeypatch.setattr("amparo.matching.engine.link", engine_down)
    with caplog.at_level(logging.ERROR, logger="amparo.pages"):
        response = signed_in(forensic).get(url + "?matches=1")
    assert response.status_code == 200
    text = response.content.decode()
    assert UNAVAILABLE in text
    assert "No se encontraron posibles coincidencias" not in text
    assert 'id="matches-heading"' in text and "?matches=1" in text  # may be asked again
    failures = [r for r in caplog.records if r.name == "amparo.pages"]
    assert failures and failures[0].exc_info[0] is RuntimeError
