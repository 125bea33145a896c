"""Missing-person reports, unidentified remains and family tracing, through actions and
queries: validation per field, audit in the same transaction, scoping, figures."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from amparo.cases.models import Case
from amparo.core.errors import Conflict, InvalidInput, NotFound
from amparo.core.models import AuditEntry, Role
from amparo.core.permissions import Forbidden
from amparo.tracing import actions, queries
from amparo.tracing.models import MissingReport, TracingCandidate, TracingRequest

from .conftest import register

pytestmark = pytest.mark.django_db


def report_input(person, **extra) -> actions.ReportInput:  # type: ignore[no-untyped-def]
    values = {
        "person_id": person.pk,
        "channel": "consulate",
        "last_seen_country": "MX",
        "last_seen_place": "Tapachula, Chiapas",
        "last_seen_on": date(2024, 3, 1),
        "reporter_name": "Juana Tzoc",
        "reporter_relation": "madre",
        "reporter_contact": "+502 5555 1234",
        "description": "1.60 m, cicatriz en la ceja izquierda",
        "clothing": "Chumpa azul, mochila negra",
        "reference_sample": True,
        "sample_held_by": "INACIF",
        "sample_reference": "REF-2024-001",
    }
    values.update(extra)
    return actions.ReportInput(**values)


def remains_input(**extra) -> actions.RemainsInput:  # type: ignore[no-untyped-def]
    values = {
        "reference": "INACIF-2024-77",
        "found_on": date(2024, 4, 2),
        "found_country": "GT",
        "found_place": "Aldea El Naranjo, Petén",
        "age_min": 18,
        "age_max": 30,
        "sex": "M",
        "descriptors": "Cicatriz en la ceja izquierda",
        "belongings": "Mochila negra",
        "burial_place": "Cementerio municipal de La Libertad",
        "grave_reference": "Sector B, fosa 12",
    }
    values.update(extra)
    return actions.RemainsInput(**values)


@pytest.fixture
def missing(caseworker):  # type: ignore[no-untyped-def]
    return register(caseworker, given="Pedro", first="Tzoc", nationality="GT", sex="M")


def test_a_report_is_recorded_and_audited(caseworker, missing):
    report = actions.report_record(actor=caseworker, data=report_input(missing))
    assert report.status == MissingReport.Status.MISSING
    assert report.reported_on == timezone.localdate()
    assert report.reference_sample and report.sample_reference == "REF-2024-001"
    assert report.history[0]["status"] == "missing" and report.version == 1
    entry = AuditEntry.objects.get(action="missing_report.record")
    assert entry.person_id == missing.pk and entry.object_id == str(report.pk)


def test_report_errors_name_each_field_in_spanish(caseworker, missing):
    future = timezone.localdate() + timedelta(days=2)
    with pytest.raises(InvalidInput) as exc:
        actions.report_record(
            actor=caseworker,
            data=report_input(
                missing,
                channel="fax",
                last_seen_country="XX",
                last_seen_on=future,
                reporter_name="",
                reference_sample=False,
            ),
        )
    assert set(exc.value.errors) == {
        "channel",
        "last_seen_country",
        "last_seen_on",
        "reporter_name",
        "reference_sample",
    }
    assert exc.value.errors["last_seen_country"] == ["Código de país no reconocido."]
    assert not MissingReport.objects.exists()
    assert not AuditEntry.objects.filter(action="missing_report.record").exists()


def test_a_report_needs_a_person_the_user_holds(caseworker, other_caseworker):
    stranger = register(other_caseworker, given="Ajena")
    with pytest.raises(InvalidInput) as exc:
        actions.report_record(actor=caseworker, data=report_input(stranger))
    assert set(exc.value.errors) == {"person"}
    with pytest.raises(InvalidInput) as exc:
        actions.report_record(actor=caseworker, data=report_input(stranger, person_id=None))
    assert set(exc.value.errors) == {"person"}


def test_a_reporter_on_record_replaces_the_name(caseworker, missing):
    mother = register(caseworker, given="Juana", first="Tzoc")
    report = actions.report_record(
        actor=caseworker, data=report_input(missing, reporter_id=mother.pk, reporter_name="x")
    )
    assert report.reporter == mother and report.reporter_name == ""


def test_roles_without_tracing_write_are_refused(make_user, missing):
    with pytest.raises(Forbidden):
        actions.report_record(actor=make_user(Role.ANALYST, "MINEX"), data=report_input(missing))


def test_scope_recording_institution_consulates_and_forensic_institute(make_user):
    sbs = make_user(Role.CASEWORKER, "SBS")
    minex = make_user(Role.CASEWORKER, "MINEX")
    inacif = make_user(Role.CASEWORKER, "INACIF")
    pgn = make_user(Role.CASEWORKER, "PGN")
    abroad = actions.report_record(
        actor=sbs, data=report_input(register(sbs, given="Lejos", nationality="GT"))
    )
    here = actions.report_record(
        actor=sbs,
        data=report_input(register(sbs, given="Cerca"), last_seen_country="GT"),
    )
    # MINEX sees nationals missing abroad; nobody else but SBS sees the report in Guatemala.
    assert set(queries.reports_visible_to(sbs)) == {abroad, here}
    assert set(queries.reports_visible_to(minex)) == {abroad}
    assert not queries.reports_visible_to(inacif).exists()
    assert not queries.reports_visible_to(pgn).exists()
    with pytest.raises(NotFound):
        queries.report_get(actor=pgn, report_id=here.pk)
    # Asked to compare, the forensic institute sees it.
    actions.report_forensic_request(actor=sbs, report_id=here.pk, version=here.version)
    assert set(queries.reports_visible_to(inacif)) == {here}
    # A search through a consulate shares the report with the consulate's institution.
    actions.search_request_send(
        actor=sbs,
        report_id=here.pk,
        data=actions.SearchInput(
            authority="Fiscalía de Chiapas", country="MX", site="mx-tapachula"
        ),
    )
    assert here in queries.reports_visible_to(minex)
    # Reads are audited.
    queries.report_get(actor=minex, report_id=here.pk)
    assert AuditEntry.objects.filter(action="missing_report.view", actor_id=minex.pk).exists()


def test_a_protected_persons_report_stays_with_the_recording_team(make_user):
    holder = make_user(Role.CASEWORKER, "MINEX", team="protection")
    colleague = make_user(Role.CASEWORKER, "MINEX", team="general")
    child = register(holder, given="Niña", markers=["unaccompanied_child"], nationality="GT")
    report = actions.report_record(actor=holder, data=report_input(child))
    assert list(queries.reports_visible_to(holder)) == [report]
    assert not queries.reports_visible_to(colleague).exists()
    with pytest.raises(InvalidInput) as exc:
        actions.report_forensic_request(actor=holder, report_id=report.pk)
    assert "report" in exc.value.errors


def test_search_requests_and_answers(caseworker, missing):
    report = actions.report_record(actor=caseworker, data=report_input(missing))
    with pytest.raises(InvalidInput) as exc:
        actions.search_request_send(
            actor=caseworker,
            report_id=report.pk,
            data=actions.SearchInput(authority=" ", country="ZZ", site="nowhere"),
        )
    assert set(exc.value.errors) == {"authority", "country", "site"}
    search = actions.search_request_send(
        actor=caseworker,
        report_id=report.pk,
        data=actions.SearchInput(
            authority="Fiscalía de Chiapas", country="MX", site="MX_TAPACHULA"
        ),
        version=1,
    )
    assert search.site.code == "mx-tapachula" and search.sent_on == timezone.localdate()
    with pytest.raises(InvalidInput) as exc:
        actions.search_request_answer(actor=caseworker, search_id=search.pk, answer="")
    assert set(exc.value.errors) == {"answer"}
    answered = actions.search_request_answer(
        actor=caseworker, search_id=search.pk, answer="Sin registros de detención."
    )
    assert answered.answered_on == timezone.localdate()
    assert AuditEntry.objects.filter(action="search_request.answer").count() == 1
    report.refresh_from_db()
    assert [h.get("what") for h in report.history] == [None, "search_sent", "search_answered"]


def test_a_stale_version_is_a_conflict_and_saves_nothing(caseworker, missing):
    report = actions.report_record(actor=caseworker, data=report_input(missing))
    with pytest.raises(Conflict):
        actions.report_found_alive(
            actor=caseworker,
            report_id=report.pk,
            data=actions.FoundInput(found_on=date(2024, 5, 1), country="MX"),
            version=report.version + 1,
        )
    report.refresh_from_db()
    assert report.status == MissingReport.Status.MISSING


def test_found_alive_then_consular_assistance(caseworker, missing):
    report = actions.report_record(actor=caseworker, data=report_input(missing))
    with pytest.raises(InvalidInput) as exc:
        actions.report_open_case(actor=caseworker, report_id=report.pk)
    assert "case" in exc.value.errors
    with pytest.raises(InvalidInput) as exc:
        actions.report_found_alive(
            actor=caseworker,
            report_id=report.pk,
            data=actions.FoundInput(found_on=None, country=""),
        )
    assert set(exc.value.errors) == {"found_on", "country"}
    report = actions.report_found_alive(
        actor=caseworker,
        report_id=report.pk,
        data=actions.FoundInput(
            found_on=date(2024, 5, 1), country="MX", place="Estación migratoria Siglo XXI"
        ),
        version=1,
    )
    assert report.status == MissingReport.Status.FOUND_ALIVE
    report = actions.report_open_case(actor=caseworker, report_id=report.pk)
    case = Case.objects.get(pk=report.case_id)
    assert case.protocol_code == "assistance_abroad" and case.person_id == missing.pk
    with pytest.raises(InvalidInput):
        actions.report_open_case(actor=caseworker, report_id=report.pk)


def test_remains_are_recorded_and_identified_by_forensic_staff_only(make_user, caseworker, missing):
    inacif = make_user(Role.CASEWORKER, "INACIF")
    inacif_operator = make_user(Role.OPERATOR, "INACIF")
    with pytest.raises(InvalidInput) as exc:
        actions.remains_record(
            actor=inacif,
            data=remains_input(
                reference="",
                found_place="",
                age_min=40,
                age_max=20,
                latitude=Decimal("95"),
                grave_reference="fosa 3",
                burial_place="",
            ),
        )
    assert set(exc.value.errors) == {
        "reference",
        "found_place",
        "age_max",
        "latitude",
        "longitude",
        "burial_place",
    }
    remains = actions.remains_record(actor=inacif, data=remains_input())
    assert remains.status == "unidentified"
    report = actions.report_record(actor=caseworker, data=report_input(missing))
    identify = actions.IdentifyInput(
        report_id=report.pk, evidence=["dental", "dna"], note="Coincidencia dental y ADN."
    )
    # Not yet asked to compare: the institute cannot name the report.
    with pytest.raises(InvalidInput) as exc:
        actions.remains_identify(actor=inacif, remains_id=remains.pk, data=identify)
    assert "report" in exc.value.errors
    actions.report_forensic_request(actor=caseworker, report_id=report.pk)
    # Operators of the institute, and caseworkers elsewhere, do not identify.
    with pytest.raises(Forbidden):
        actions.remains_identify(actor=inacif_operator, remains_id=remains.pk, data=identify)
    with pytest.raises((InvalidInput, NotFound)):
        actions.remains_identify(actor=caseworker, remains_id=remains.pk, data=identify)
    with pytest.raises(InvalidInput) as exc:
        actions.remains_identify(
            actor=inacif,
            remains_id=remains.pk,
            data=actions.IdentifyInput(report_id=report.pk, evidence=["photo"], note=""),
        )
    assert set(exc.value.errors) == {"evidence", "note"}
    remains = actions.remains_identify(
        actor=inacif, remains_id=remains.pk, data=identify, version=remains.version
    )
    report.refresh_from_db()
    assert remains.status == "identified" and remains.person_id == missing.pk
    assert remains.evidence == ["dental", "dna"] and remains.identified_by == inacif
    assert report.status == MissingReport.Status.FOUND_DECEASED
    assert report.found_place == "Aldea El Naranjo, Petén"
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {
        "remains.identify",
        "missing_report.found_deceased",
    }
    # The recording institution now sees the identified remains of its report.
    assert remains in queries.remains_visible_to(caseworker)


def test_remains_are_not_seen_by_other_institutions(make_user, caseworker):
    inacif = make_user(Role.CASEWORKER, "INACIF")
    remains = actions.remains_record(actor=inacif, data=remains_input())
    assert not queries.remains_visible_to(caseworker).exists()
    with pytest.raises(NotFound):
        queries.remains_get(actor=caseworker, remains_id=remains.pk)
    burial = actions.remains_update_burial(
        actor=inacif, remains_id=remains.pk, burial_place="Osario general", version=1
    )
    assert burial.burial_place == "Osario general" and burial.grave_reference == ""


def test_family_tracing_to_reunification(caseworker, make_user):
    child = register(caseworker, given="Niño", markers=["separated_child"], nationality="GT")
    mother = register(caseworker, given="Rosa", first="Tzoc")
    with pytest.raises(InvalidInput) as exc:
        actions.tracing_open(
            actor=caseworker, data=actions.TracingInput(child_id=None, child_where="moon")
        )
    assert set(exc.value.errors) == {"child", "child_where", "relatives"}
    request = actions.tracing_open(
        actor=caseworker,
        data=actions.TracingInput(
            child_id=child.pk,
            child_where="returned",
            requested_on=date(2024, 1, 10),
            relatives=[actions.RelativeSought("Rosa Tzoc", "mother", "US", "Houston")],
        ),
    )
    # Protected child: another team of the same institution does not see it.
    colleague = make_user(Role.CASEWORKER, "MINEX", team="protection")
    assert not queries.tracing_visible_to(colleague).exists()
    with pytest.raises(InvalidInput) as exc:
        actions.tracing_outcome(actor=caseworker, request_id=request.pk, status="reunified")
    assert "status" in exc.value.errors
    candidate = actions.tracing_candidate_add(
        actor=caseworker,
        request_id=request.pk,
        person_id=mother.pk,
        relation="mother",
        how_found="Entrevista en el consulado de Houston",
    )
    with pytest.raises(InvalidInput):
        actions.tracing_candidate_decide(actor=caseworker, candidate_id=candidate.pk, verified=True)
    candidate = actions.tracing_candidate_decide(
        actor=caseworker,
        candidate_id=candidate.pk,
        verified=True,
        verification="Acta de nacimiento y entrevista",
    )
    assert candidate.status == TracingCandidate.Status.VERIFIED
    request = actions.tracing_outcome(
        actor=caseworker, request_id=request.pk, status="reunified", on=date(2024, 6, 1)
    )
    assert request.status == TracingRequest.Status.REUNIFIED
    assert queries.reunified_count(caseworker) == 1
    assert queries.reunified_count(caseworker, start=date(2024, 7, 1)) == 0
    assert queries.reunified_count(make_user(Role.CASEWORKER, "SBS")) == 0
    assert queries.reunified_count(make_user(Role.ANALYST, "SBS")) == 1  # network figures


def test_not_reunified_needs_a_reason(caseworker):
    child = register(caseworker, given="Niña")
    request = actions.tracing_open(
        actor=caseworker,
        data=actions.TracingInput(
            child_id=child.pk,
            child_where="abroad",
            relatives=[actions.RelativeSought("Tío", "uncle_aunt", "", "")],
        ),
    )
    with pytest.raises(InvalidInput) as exc:
        actions.tracing_outcome(actor=caseworker, request_id=request.pk, status="not_reunified")
    assert set(exc.value.errors) == {"reason"}
    request = actions.tracing_outcome(
        actor=caseworker,
        request_id=request.pk,
        status="not_reunified",
        reason="El familiar no acepta la custodia.",
    )
    assert request.outcome_reason.startswith("El familiar")


def test_missing_counts_come_from_the_reports(make_user):
    minex, sbs = make_user(Role.CASEWORKER, "MINEX"), make_user(Role.CASEWORKER, "SBS")
    for given, country in (("Uno", "MX"), ("Dos", "MX"), ("Tres", "US")):
        person = register(minex, given=given, nationality="GT")
        actions.report_record(actor=minex, data=report_input(person, last_seen_country=country))
    honduran = register(sbs, given="Catracho", nationality="HN")
    actions.report_record(actor=sbs, data=report_input(honduran, last_seen_country="GT"))
    found = register(minex, given="Hallado", nationality="GT")
    report = actions.report_record(actor=minex, data=report_input(found))
    actions.report_found_alive(
        actor=minex,
        report_id=report.pk,
        data=actions.FoundInput(found_on=date(2024, 5, 1), country="MX"),
    )
    counts = queries.missing_counts(minex)
    assert counts.abroad_by_country == [("MX", 2), ("US", 1)] and counts.abroad == 3
    assert counts.in_country == 0  # SBS's report is not MINEX's
    national = queries.missing_counts(make_user(Role.ANALYST, "PGN"))
    assert national.abroad == 3
    assert national.in_country_by_nationality == [("HN", 1)]
    assert queries.missing_counts(make_user(Role.AUDITOR, "MINEX")).abroad == 0
