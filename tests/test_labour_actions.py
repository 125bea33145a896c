"""The labour registers' actions: recruiters and their supervision, duplicates, offers, workers
from registration to readmission, pamphlets, visits, support services and the breach case."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from amparo.cases.models import Case
from amparo.core.errors import Conflict, InvalidInput, NotFound
from amparo.core.models import AuditEntry, Role, Site
from amparo.core.permissions import Forbidden
from amparo.labour import actions, queries
from amparo.labour.models import Employer, Placement, Recruiter
from amparo.labour.names import (
    normalise_name,
    normalise_number,
    tax_number_valid,
    tax_number_with_check,
)

from .conftest import register

pytestmark = pytest.mark.django_db

NIT = tax_number_with_check("1234567")
NIT2 = tax_number_with_check("7654321")
BAD_NIT = NIT[:-1] + ("1" if NIT[-1] != "1" else "2")
CONDITIONS = "Q. 15.50 CAD por hora, 40 horas, vivienda y transporte pagados por el empleador"


def recruiter_input(**extra: object) -> actions.RecruiterInput:
    values: dict[str, object] = {
        "kind": "organisation",
        "name": "Agencia Laboral Los Altos, S.A.",
        "tax_number": NIT,
        "countries": ["CA", "MX"],
        "sectors": ["agriculture"],
        "documents": ["Escritura constitutiva", "Fianza"],
        "representative": "Ana López",
        "guarantee_amount": Decimal("50000"),
    }
    values.update(extra)
    return actions.RecruiterInput(**values)  # type: ignore[arg-type]


def authorised(supervisor, **extra: object) -> Recruiter:  # type: ignore[no-untyped-def]
    recruiter = actions.recruiter_apply(actor=supervisor, data=recruiter_input(**extra))
    today = timezone.localdate()
    return actions.recruiter_decide(
        actor=supervisor,
        recruiter_id=recruiter.pk,
        data=actions.DecisionInput(
            "authorise", valid_from=today, valid_until=today + timedelta(days=365), version=1
        ),
    )


@pytest.fixture
def ministry(make_user):  # type: ignore[no-untyped-def]
    return make_user(Role.CASEWORKER, "MINTRAB")


@pytest.fixture
def chief(make_user):  # type: ignore[no-untyped-def]
    return make_user(Role.SUPERVISOR, "MINTRAB")


def test_names_are_normalised_across_spellings() -> None:
    key = "agencia laboral los altos"
    assert normalise_name("Agencia Laboral Los Altos, S.A.") == key
    assert normalise_name("AGENCIA LABORAL LOS ÁLTOS SOCIEDAD ANÓNIMA") == key
    assert normalise_name("Agencia laboral los altos, Sociedad Anonima.") == key
    assert normalise_name("S.A.") == "sa"  # a name that is only a legal form keeps its words
    assert tax_number_valid(NIT) and not tax_number_valid(BAD_NIT)
    assert normalise_number("rc 7kq2 m9xd") == "RC-7KQ2-M9XD"
    assert normalise_number("12") == ""


def test_a_recruiter_applies_is_authorised_renewed_suspended_and_revoked(chief) -> None:  # type: ignore[no-untyped-def]
    recruiter = authorised(chief)
    assert recruiter.status == "authorised" and recruiter.version == 2
    assert recruiter.number.startswith("RC-") and len(recruiter.number) == 12
    assert queries.authorised_on(recruiter, timezone.localdate())
    later = recruiter.valid_until + timedelta(days=365)
    recruiter = actions.recruiter_decide(
        actor=chief,
        recruiter_id=recruiter.pk,
        data=actions.DecisionInput("renew", valid_until=later, version=2),
    )
    assert recruiter.valid_until == later
    with pytest.raises(InvalidInput) as err:
        actions.recruiter_decide(
            actor=chief, recruiter_id=recruiter.pk, data=actions.DecisionInput("suspend")
        )
    assert "reason" in err.value.errors
    recruiter = actions.recruiter_decide(
        actor=chief,
        recruiter_id=recruiter.pk,
        data=actions.DecisionInput("suspend", reason="Cobros a trabajadores", version=3),
    )
    assert recruiter.status == "suspended"
    assert queries.public_state(recruiter, timezone.localdate()) == "suspended"
    with pytest.raises(Conflict):
        actions.recruiter_decide(
            actor=chief,
            recruiter_id=recruiter.pk,
            data=actions.DecisionInput("revoke", reason="x", version=3),
        )
    recruiter = actions.recruiter_decide(
        actor=chief,
        recruiter_id=recruiter.pk,
        data=actions.DecisionInput("revoke", reason="Reincidencia", version=4),
    )
    assert [h["status"] for h in recruiter.history] == [
        "applied",
        "authorised",
        "authorised",
        "suspended",
        "revoked",
    ]
    assert all(h["by"] == chief.username for h in recruiter.history)
    assert AuditEntry.objects.filter(action="labour.recruiter.revoke").count() == 1
    with pytest.raises(InvalidInput) as err:
        actions.recruiter_decide(
            actor=chief,
            recruiter_id=recruiter.pk,
            data=actions.DecisionInput("reinstate", reason="x"),
        )
    assert "decision" in err.value.errors


def test_refusal_needs_reasons_and_periods_must_be_in_order(chief) -> None:  # type: ignore[no-untyped-def]
    recruiter = actions.recruiter_apply(actor=chief, data=recruiter_input())
    today = timezone.localdate()
    with pytest.raises(InvalidInput) as err:
        actions.recruiter_decide(
            actor=chief,
            recruiter_id=recruiter.pk,
            data=actions.DecisionInput(
                "authorise", valid_from=today, valid_until=today - timedelta(days=1)
            ),
        )
    assert "valid_until" in err.value.errors
    with pytest.raises(InvalidInput):
        actions.recruiter_decide(
            actor=chief, recruiter_id=recruiter.pk, data=actions.DecisionInput("refuse")
        )
    refused = actions.recruiter_decide(
        actor=chief,
        recruiter_id=recruiter.pk,
        data=actions.DecisionInput("refuse", reason="Sin fianza"),
    )
    assert refused.status == "refused" and refused.history[-1]["reason"] == "Sin fianza"


def test_only_the_ministry_keeps_the_register_and_only_supervisors_decide(
    make_user, ministry
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Forbidden):
        actions.recruiter_apply(actor=make_user(Role.SUPERVISOR, "MINEX"), data=recruiter_input())
    recruiter = actions.recruiter_apply(actor=ministry, data=recruiter_input())
    with pytest.raises(Forbidden):
        actions.recruiter_decide(
            actor=ministry,
            recruiter_id=recruiter.pk,
            data=actions.DecisionInput("refuse", reason="x"),
        )
    unit = make_user(Role.SUPERVISOR, "MINTRAB_DML")  # a unit of the ministry decides too
    actions.recruiter_decide(
        actor=unit, recruiter_id=recruiter.pk, data=actions.DecisionInput("refuse", reason="x")
    )


def test_a_duplicate_under_a_slightly_different_name_is_refused_at_the_field(
    ministry, chief
) -> None:  # type: ignore[no-untyped-def]
    first = actions.recruiter_apply(actor=ministry, data=recruiter_input())
    with pytest.raises(InvalidInput) as err:
        actions.recruiter_apply(
            actor=ministry,
            data=recruiter_input(
                name="AGENCIA LABORAL LOS ÁLTOS SOCIEDAD ANÓNIMA", tax_number=NIT2
            ),
        )
    assert first.number in err.value.errors["name"][0]
    with pytest.raises(InvalidInput) as err:
        actions.recruiter_apply(
            actor=ministry, data=recruiter_input(name="Reclutadora Quetzal", tax_number=NIT)
        )
    assert first.number in err.value.errors["tax_number"][0]
    with pytest.raises(InvalidInput) as err:
        actions.recruiter_apply(actor=ministry, data=recruiter_input(tax_number=BAD_NIT))
    assert "tax_number" in err.value.errors
    # A caseworker cannot confirm it is different; a supervisor can.
    similar = recruiter_input(name="Agencia Laboral Los Altos Ltda.", tax_number=NIT2)
    similar.distinct_from = first.number
    with pytest.raises(Forbidden):
        actions.recruiter_apply(actor=ministry, data=similar)
    second = actions.recruiter_apply(actor=chief, data=similar)
    assert second.distinct_from == [first.number]
    assert Recruiter.objects.count() == 2


def test_bad_applications_say_which_field(ministry) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as err:
        actions.recruiter_apply(
            actor=ministry,
            data=recruiter_input(
                kind="x", countries=["ZZ"], sectors=[], documents=[], representative=""
            ),
        )
    assert {"kind", "countries", "sectors", "documents"} <= set(err.value.errors)
    assert not Recruiter.objects.exists()


def test_supervision_events_keep_their_decision(chief, ministry) -> None:  # type: ignore[no-untyped-def]
    recruiter = authorised(chief)
    event = actions.recruiter_supervise(
        actor=ministry,
        recruiter_id=recruiter.pk,
        data=actions.SupervisionInput("complaint", "Cobro de Q. 5,000 a trabajadores"),
    )
    assert event.created_by == ministry
    with pytest.raises(Forbidden):
        actions.recruiter_supervise(
            actor=ministry,
            recruiter_id=recruiter.pk,
            data=actions.SupervisionInput("sanction", "x", "Multa"),
        )
    actions.recruiter_supervise(
        actor=chief,
        recruiter_id=recruiter.pk,
        data=actions.SupervisionInput("sanction", "Cobros", "Multa", fine_amount=Decimal(1000)),
    )
    recruiter.refresh_from_db()
    assert [h.get("what") for h in recruiter.history[-2:]] == ["complaint", "sanction"]
    assert recruiter.events.count() == 2


def _employer(actor, name: str = "Ferme Tremblay Inc.", country: str = "CA") -> Employer:  # type: ignore[no-untyped-def]
    return actions.employer_create(
        actor=actor, data=actions.EmployerInput(name, country, "agriculture", "Québec")
    )


def _offer(actor, employer: Employer, start: date = date(2024, 4, 1), **extra):  # type: ignore[no-untyped-def]
    values = {
        "employer_id": employer.pk,
        "programme": "Trabajo agrícola temporal Canadá",
        "sector": "agriculture",
        "positions": 20,
        "starts_on": start,
        "ends_on": start + timedelta(days=180),
        "conditions": CONDITIONS,
    }
    values.update(extra)
    return actions.offer_create(actor=actor, data=actions.OfferInput(**values))  # type: ignore[arg-type]


def test_offers_refuse_missing_conditions_dates_out_of_order_and_unauthorised_recruiters(
    ministry, chief
) -> None:  # type: ignore[no-untyped-def]
    employer = _employer(ministry)
    with pytest.raises(InvalidInput) as err:
        _employer(ministry, "FERME TREMBLAY")
    assert "Ferme Tremblay Inc." in err.value.errors["name"][0]
    with pytest.raises(InvalidInput) as err:
        _offer(ministry, employer, conditions="  ", ends_on=date(2024, 3, 1))
    assert set(err.value.errors) == {"conditions", "ends_on"}
    recruiter = actions.recruiter_apply(actor=chief, data=recruiter_input())
    with pytest.raises(InvalidInput) as err:
        _offer(ministry, employer, recruiter_number=recruiter.number)
    assert (
        "no está autorizado" in err.value.errors["recruiter_number"][0]
        or recruiter.name in (err.value.errors["recruiter_number"][0])
    )
    with pytest.raises(InvalidInput) as err:
        _offer(ministry, employer, recruiter_number="RC-0000-0000")
    assert "recruiter_number" in err.value.errors
    ok = authorised(chief, name="Reclutadora Quetzal", tax_number=NIT2)
    today = timezone.localdate()
    offer = _offer(ministry, employer, start=today, recruiter_number=ok.number.lower())
    assert offer.recruiter == ok and offer.country_id == "CA"
    with pytest.raises(InvalidInput) as err:
        _offer(ministry, employer, start=today, sector="construction", recruiter_number=ok.number)
    assert "recruiter_number" in err.value.errors


def test_a_worker_goes_from_registration_to_return_and_is_readmitted(ministry, make_user) -> None:  # type: ignore[no-untyped-def]
    employer = _employer(ministry)
    offer = _offer(ministry, employer, start=date(2023, 4, 1))
    worker = register(ministry, given="Juan", first="Pérez", sex="M")
    Site.objects.create(
        code="dml-tecun-uman",
        institution=ministry.institution,
        kind=Site.Kind.OFFICE,
        country_id="GT",
        name_es="Ventanilla de movilidad laboral Tecún Umán",
        name_en="Labour mobility office Tecún Umán",
    )
    placement = actions.placement_register(
        actor=ministry,
        offer_id=offer.pk,
        data=actions.PlacementInput(worker.pk, site="DML_TECUN_UMAN"),
    )
    assert placement.site.code == "dml-tecun-uman"
    with pytest.raises(InvalidInput):
        actions.placement_register(
            actor=ministry, offer_id=offer.pk, data=actions.PlacementInput(worker.pk)
        )
    with pytest.raises(InvalidInput) as err:
        actions.placement_step(
            actor=ministry, placement_id=placement.pk, data=actions.StepInput("deployed")
        )
    assert "status" in err.value.errors
    for status, on in [
        ("preselected", None),
        ("selected", None),
        ("prepared", None),
        ("deployed", date(2023, 4, 2)),
        ("returned", date(2023, 10, 1)),
    ]:
        placement = actions.placement_step(
            actor=ministry,
            placement_id=placement.pk,
            data=actions.StepInput(status, on=on, version=placement.version),
        )
    assert placement.departed_on == date(2023, 4, 2) and placement.returned_on == date(2023, 10, 1)
    next_offer = _offer(ministry, employer, start=date(2024, 4, 1))
    again = actions.placement_readmit(
        actor=ministry, placement_id=placement.pk, offer_id=next_offer.pk
    )
    assert again.status == "selected" and again.previous == placement
    with pytest.raises(InvalidInput):
        actions.placement_readmit(actor=ministry, placement_id=placement.pk, offer_id=next_offer.pk)
    # Another institution sees neither the offer nor the worker.
    other = make_user(Role.CASEWORKER, "SBS")
    with pytest.raises(NotFound):
        actions.placement_register(
            actor=other, offer_id=offer.pk, data=actions.PlacementInput(worker.pk)
        )
    figures = queries.recruited_by_destination_and_sex(actor=ministry, year=2024)
    assert [(r.country, r.sex, r.workers) for r in figures] == [("CA", "M", 1)]


def test_a_worker_must_be_someone_the_user_holds(ministry, make_user) -> None:  # type: ignore[no-untyped-def]
    offer = _offer(ministry, _employer(ministry))
    stranger = register(make_user(Role.CASEWORKER, "SBS"), given="Ajena")
    with pytest.raises(InvalidInput) as err:
        actions.placement_register(
            actor=ministry, offer_id=offer.pk, data=actions.PlacementInput(stranger.pk)
        )
    assert "person" in err.value.errors
    assert not Placement.objects.exists()


def test_pamphlets_are_counted_per_site_and_programme(ministry) -> None:  # type: ignore[no-untyped-def]
    Site.objects.create(
        code="mintrab-central",
        institution=ministry.institution,
        kind=Site.Kind.OFFICE,
        country_id="GT",
        name_es="Oficina central",
        name_en="Head office",
    )
    for n in (100, 250):
        actions.pamphlets_record(
            actor=ministry,
            data=actions.PamphletInput("mintrab-central", "CA", "Canadá", n, date(2024, 2, 1)),
        )
    with pytest.raises(InvalidInput) as err:
        actions.pamphlets_record(
            actor=ministry, data=actions.PamphletInput("us-los-angeles", "CA", "Canadá", 0)
        )
    assert "quantity" in err.value.errors
    with pytest.raises(InvalidInput) as err:
        actions.pamphlets_record(
            actor=ministry, data=actions.PamphletInput("us-los-angeles", "CA", "Canadá", 5)
        )
    assert "site" in err.value.errors  # not one of the ministry's sites
    figures = queries.labour_figures(actor=ministry, year=2024)
    assert figures["pamphlets_total"] == 350


def test_visits_and_a_breach_of_contract_opens_a_labour_rights_case(make_user) -> None:  # type: ignore[no-untyped-def]
    consul = make_user(Role.CASEWORKER, "MINEX")
    employer = _employer(consul)
    visit = actions.visit_record(
        actor=consul,
        data=actions.VisitInput(
            employer.pk,
            "ca-montreal",
            "inspection",
            "Vivienda sin calefacción",
            workers_met=12,
            follow_up="Carta al empleador",
        ),
    )
    assert visit.site.code == "ca-montreal"
    worker = register(consul, given="Pedro", first="Xol", sex="M")
    with pytest.raises(InvalidInput) as err:
        actions.service_record(
            actor=consul,
            data=actions.ServiceInput(
                worker.pk, "ca-montreal", "wage_claim", breach_of_contract=True
            ),
        )
    assert {"description", "employer"} <= set(err.value.errors)
    service = actions.service_record(
        actor=consul,
        data=actions.ServiceInput(
            worker.pk,
            "ca-montreal",
            "wage_claim",
            employer_id=employer.pk,
            description="Horas extra no pagadas",
            breach_of_contract=True,
        ),
    )
    assert service.case is not None
    assert Case.objects.get(pk=service.case_id).protocol_code == "assistance_abroad"
    plain = actions.service_record(
        actor=consul, data=actions.ServiceInput(worker.pk, "ca-montreal", "orientation")
    )
    assert plain.case is None
    figures = queries.labour_figures(actor=consul)
    assert figures["services_total"] == 2 and figures["breaches"] == 1
    # A ministry that does not run the consular protocol cannot open the case: nothing written.
    clerk = make_user(Role.CASEWORKER, "MINTRAB")
    own = register(clerk, given="Luis")
    Site.objects.create(
        code="mintrab-central",
        institution=clerk.institution,
        kind=Site.Kind.OFFICE,
        country_id="GT",
        name_es="Oficina central",
        name_en="Head office",
    )
    with pytest.raises(InvalidInput):
        actions.service_record(
            actor=clerk,
            data=actions.ServiceInput(
                own.pk,
                "mintrab-central",
                "wage_claim",
                employer_id=employer.pk,
                description="Salario retenido",
                breach_of_contract=True,
            ),
        )
    assert queries.labour_figures(actor=clerk)["services_total"] == 0


def test_fraud_reports_reach_the_ministry_queue_only(ministry, make_user) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as err:
        actions.fraud_report_submit(data=actions.FraudReportInput("", "corto", number="xx"))
    assert {"recruiter_name", "description", "number"} <= set(err.value.errors)
    report = actions.fraud_report_submit(
        data=actions.FraudReportInput("Don Chepe", "Cobra Q. 3,000 por una visa a Canadá")
    )
    assert list(queries.fraud_reports_visible_to(ministry)) == [report]
    assert not queries.fraud_reports_visible_to(make_user(Role.SUPERVISOR, "MINEX")).exists()
    reviewed = actions.fraud_report_review(
        actor=ministry, report_id=report.pk, note="Remitido al MP"
    )
    assert reviewed.status == "reviewed"
