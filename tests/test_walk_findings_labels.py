"""What the whole-product walk found showing codes instead of words: a saved list of objects on
the case page, the State report's breakdowns by status and protocol and its English PDF link,
and the statistics indicator a recommendation's follow-up indicator points to."""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from django.test import Client

from amparo.cases import actions
from amparo.core.models import Role, User
from amparo.people.actions import household_create
from amparo.stats.compute import value_labels
from amparo.stats.registry import catalogue

from .conftest import MakeUser, register


def signed_in(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_case_page_shows_a_saved_list_of_objects_with_the_protocols_labels(
    make_user: MakeUser,
) -> None:
    worker = make_user(Role.CASEWORKER, "SOSEP")
    person = register(worker, given="Juan Carlos", first="Ajanel", second="Tum")
    daughter = register(worker, given="Ana Lucía", first="Ajanel", second="Cux")
    household = household_create(
        actor=worker,
        label="Hogar Ajanel Cux",
        member_ids=[person.pk, daughter.pk],
        head_id=person.pk,
        relations={daughter.pk: "child"},
    )
    case = actions.case_open(
        actor=worker,
        protocol_code="returnee_reintegration",
        person_id=person.pk,
        household_id=household.pk,
    )
    outcomes = [
        {"programme": "social_programmes", "status": "not_admitted", "loan_granted": True},
        {"programme": "quedate", "status": "completed", "certificate_issued": False},
    ]
    actions.case_form_save(
        actor=worker, case_id=case.pk, form="programme_outcomes", data={"outcomes": outcomes}
    )
    html = signed_in(worker).get(f"/cases/{case.pk}/").content.decode()
    shown = html.split('id="form-programme_outcomes"', 1)[1].split("<details", 1)[0]
    assert "programme" not in shown.split("</h3>", 1)[1]  # no raw keys nor codes
    assert "social_programmes" not in shown and "not_admitted" not in shown
    assert "Programa: Programas sociales; Estado: No admitido; Préstamo otorgado: Sí" in shown
    assert "Programa: Programa Quédate; Estado: Completado; Certificado emitido: No" in shown


def _indicator(model: str, dim: str) -> Any:
    return next(i for i in catalogue() if i.model == model and dim in i.disaggregations)


def test_report_breakdowns_name_statuses_and_protocols(db: None) -> None:
    registrations = _indicator("assistance.CivilRegistration", "status")
    labels = value_labels(registrations, "status", {"registered", "rejected"})
    assert labels["registered"] != "registered"
    assert labels["rejected"] != "rejected"
    documents = _indicator("assistance.TravelDocument", "status")
    labels = value_labels(documents, "status", {"requested", "issued"})
    assert labels["requested"] != "requested" and labels["issued"] != "issued"
    cases = _indicator("cases.Case", "protocol")
    labels = value_labels(cases, "protocol", {"returnee_reintegration", "trafficking_victims"})
    assert labels["returnee_reintegration"].startswith("Recepción y reintegración")
    assert labels["trafficking_victims"] != "trafficking_victims"
    assert "child_reception" not in labels  # only the protocols counted


def test_report_page_offers_the_english_pdf_in_spanish(make_user: MakeUser) -> None:
    html = signed_in(make_user(Role.ANALYST, "INE")).get("/stats/report/").content.decode()
    assert "PDF (inglés)" in html and "PDF (English)" not in html


def test_recommendation_names_its_statistics_indicator(make_user: MakeUser) -> None:
    from .matrix_recommendations import recs_world

    world = recs_world(make_user, make_user(Role.CASEWORKER, "MINEX"))
    rec, coordinator = world["rec"], world["coordinator"]
    rec.indicators.create(
        name="Personas guatemaltecas reportadas como desaparecidas en el exterior",
        institution=coordinator.institution,
        frequency="yearly",
        due_on=date(2027, 1, 31),
        stats_indicator="missing.nationals_abroad",
        created_by=coordinator,
    )
    html = signed_in(coordinator).get(f"/recommendations/items/{rec.pk}/").content.decode()
    assert "missing.nationals_abroad" not in html
    title = next(i.title for i in catalogue() if i.id == "missing.nationals_abroad")
    assert escape(str(title)) in html
