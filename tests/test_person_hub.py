"""The person page as the hub: the person's cases, referrals, services, support-line contacts,
consular services, missing-person reports and tracing requests, civil-registry entries,
travel documents and household, each as far as the reader may see it, with the actions the
reader's role and institution permit; and a page that costs the same number of queries
whatever the length of the person's history.

The person is shaped like the demo's: a Guatemalan girl of 16 with a municipality of origin,
a passport, her mother on record and their household."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amparo.assistance import actions as assistance
from amparo.cases import actions as cases
from amparo.core.models import Role, User
from amparo.people import actions as people
from amparo.people.actions import DocumentInput
from amparo.people.models import Involvement, Person
from amparo.tracing import actions as tracing

from .conftest import register

pytestmark = pytest.mark.django_db
CONSULATE = "us-los-angeles"  # a consulate of MINEX in the reference data


@pytest.fixture
def minex(make_user: Any) -> User:
    return make_user(Role.CASEWORKER, "MINEX")


@pytest.fixture
def girl(minex: User) -> Person:
    girl = register(
        minex,
        given="Rosa Amalia",
        first="Xep",
        second="Chávez",
        nationality="GT",
        origin_municipality="0901",
        age_years=16,
        documents=[DocumentInput("passport", "P7788990", "GT")],
    )
    mother = register(minex, given="Candelaria", first="Chávez", second="Us", age_years=39)
    people.relation_add(actor=minex, from_person_id=mother.pk, to_person_id=girl.pk, kind="parent")
    people.household_create(
        actor=minex,
        label="Hogar Xep Chávez",
        member_ids=[mother.pk, girl.pk],
        head_id=mother.pk,
        relations={girl.pk: "child"},
    )
    return girl


def give_history(actor: User, person: Person, times: int) -> None:
    """`times` records of every kind the person page lists, through the real actions."""
    for _ in range(times):
        case = cases.case_open(actor=actor, protocol_code="assistance_abroad", person_id=person.pk)
        cases.service_record(actor=actor, person_id=person.pk, kind="legal_aid", case_id=case.pk)
        cases.service_record(actor=actor, person_id=person.pk, kind="passport", site_code=CONSULATE)
        assistance.contact_log(
            actor=actor,
            data=assistance.ContactInput(
                channel="call",
                reason="information",
                outcome="information",
                caller_country="US",
                person_id=person.pk,
            ),
        )
        assistance.civil_registration_record(
            actor=actor,
            data=assistance.CivilRegistrationInput(
                kind="birth",
                person_id=person.pk,
                site=CONSULATE,
                event_date=date(2024, 5, 2),
                event_country="US",
            ),
        )
        assistance.travel_document_request(
            actor=actor,
            data=assistance.TravelDocumentInput(
                kind="special_pass", person_id=person.pk, site=CONSULATE
            ),
        )
        tracing.report_record(
            actor=actor,
            data=tracing.ReportInput(
                person_id=person.pk,
                channel="consulate",
                site=CONSULATE,
                last_seen_country="MX",
                last_seen_place="Tapachula",
                reporter_name="Candelaria",
                reporter_contact="5555 1234",
            ),
        )
        tracing.tracing_open(
            actor=actor,
            data=tracing.TracingInput(
                child_id=person.pk,
                child_where="abroad",
                requested_on=date(2024, 6, 1),
                relatives=[tracing.RelativeSought("Candelaria", "mother", "US", "")],
            ),
        )
    cases.consent_record(actor=actor, person_id=person.pk, scopes=["identity", "case"])
    cases.referral_send(
        actor=actor, case_id=case.pk, to_institution="PGN", reason="Albergue", shares=["case"]
    )


def page_of(user: User, person: Person) -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("people:detail", args=[person.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_person_page_lists_every_record_of_the_person(minex: User, girl: Person) -> None:
    give_history(minex, girl, 1)
    page = page_of(minex, girl)
    case = girl.cases.get()
    for seen in (
        reverse("cases:detail", args=[case.pk]),  # the case, with its stage
        "Asistencia a guatemaltecos en el exterior",
        "MINEX → PGN",  # the referral
        "Asesoría jurídica<br>",  # a service
        "Servicios consulares",
        "Contactos de la línea de atención",
        "Desaparición denunciada",
        "Solicitud de búsqueda de familia",
        "Nacimiento",  # the civil-registry entry
        "Pase especial de viaje",  # the travel document
        "Hogar Xep Chávez",  # the household, her mother its head
        "Candelaria Chávez Us",
    ):
        assert seen in page, seen


def test_the_person_page_offers_the_actions_the_reader_may_take(
    minex: User, girl: Person, make_user: Any
) -> None:
    page = page_of(minex, girl)
    # Open a case with a protocol MINEX runs (not one of another institution's).
    assert f'action="{reverse("cases:open")}"' in page
    assert 'value="assistance_abroad"' in page and 'value="asylum"' not in page
    assert reverse("people:service_add", args=[girl.pk]) in page
    assert f"{reverse('assistance:consular')}?person={girl.pk}" in page
    assert f"{reverse('tracing:report_new')}?person={girl.pk}" in page
    assert f"{reverse('tracing:request_new')}?child={girl.pk}" in page  # she is 16
    assert f"{reverse('assistance:civil_registry_new')}?person={girl.pk}" in page

    # PGN holds her too: it has no consulate, runs other protocols, sees none of MINEX's
    # records but the case MINEX referred to it.
    sbs = make_user(Role.CASEWORKER, "PGN")
    Involvement.objects.create(person=girl, institution=sbs.institution, created_by=sbs)
    give_history(minex, girl, 1)
    referral = girl.cases.get().referrals.get()
    cases.referral_decide(actor=sbs, referral_id=referral.pk, accept=True)
    theirs = page_of(sbs, girl)
    assert f"{reverse('assistance:consular')}?person" not in theirs
    assert 'value="assistance_abroad"' not in theirs and 'value="child_reception"' in theirs
    assert "Asesoría jurídica<br>" not in theirs and "Desaparición denunciada" not in theirs
    assert reverse("cases:detail", args=[girl.cases.get().pk]) in theirs
    assert "referido a su institución" in theirs


def test_a_reader_without_case_rights_gets_no_case_actions(girl: Person, make_user: Any) -> None:
    """Roles that do not read people do not get the page at all; nobody gets a form their
    role would refuse."""
    analyst = make_user(Role.ANALYST, "MINEX")
    client = Client()
    client.force_login(analyst, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(reverse("people:detail", args=[girl.pk])).status_code == 403


def test_a_service_is_recorded_from_the_person_page(minex: User, girl: Person) -> None:
    case = cases.case_open(actor=minex, protocol_code="assistance_abroad", person_id=girl.pk)
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(minex, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("people:service_add", args=[girl.pk])
    refused = client.post(url, {"kind": ""})
    assert refused.status_code == 422
    assert 'id="service-kind-error"' in refused.content.decode()
    done = client.post(url, {"kind": "psychosocial", "case": str(case.pk), "note": "Primera"})
    assert done.status_code == 302
    service = girl.services.get()
    assert (service.kind, service.case, service.note) == ("psychosocial", case, "Primera")
    assert "Atención psicosocial" in page_of(minex, girl)


def _queries(user: User, person: Person) -> int:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("people:detail", args=[person.pk])
    client.get(url)  # the session and caches warm
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_person_page_costs_the_same_queries_however_long_the_history(
    minex: User, girl: Person
) -> None:
    give_history(minex, girl, 1)
    few = _queries(minex, girl)
    give_history(minex, girl, 3)
    many = _queries(minex, girl)
    assert many == few, f"{few} queries with one record of each kind, {many} with four"
    assert few <= 45, f"{few} queries for the person page"


def test_the_person_page_never_reads_every_person_the_reader_holds(
    minex: User, girl: Person
) -> None:
    """On the national demo (113,000 people) the page took 4 s: its relations were checked
    against "IN (every person MINEX holds)", and the merged records were looked up by a column
    NULL on nearly every row (SQLite scanned the person table). Each is now an indexed lookup."""
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(minex, backend="django.contrib.auth.backends.ModelBackend")
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("people:detail", args=[girl.pk])).status_code == 200
    for query in captured.captured_queries:
        sql = query["sql"]
        assert not re.search(r'IN \(SELECT \S+"id" FROM "people_person"', sql), sql
        assert '"people_person"."merged_into_id" = ' not in sql, sql


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("assistance:contact_new", "person"),
        ("assistance:consular", "person"),
        ("assistance:civil_registry_new", "person"),
        ("assistance:travel_document_new", "person"),
        ("tracing:report_new", "person"),
        ("tracing:request_new", "child"),
    ],
)
def test_the_forms_the_person_page_links_start_with_the_person_picked(
    minex: User, girl: Person, make_user: Any, url: str, name: str
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(minex, backend="django.contrib.auth.backends.ModelBackend")
    link = f"{reverse(url)}?{name}={girl.pk}"
    assert link in page_of(minex, girl)
    page = client.get(link).content.decode()
    assert re.search(rf'name="{name}"[^>]*value="{girl.pk}" checked', page)
    # Someone the user does not hold is not picked, nor named.
    stranger = register(make_user(Role.CASEWORKER, "SBS"), given="Ajena")
    page = client.get(f"{reverse(url)}?{name}={stranger.pk}").content.decode()
    assert f'value="{stranger.pk}"' not in page and "Ajena" not in page
