"""The support line, mobile consulates, civil registry and travel documents, through actions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from amparo.assistance.actions import (
    CivilRegistrationInput,
    ContactInput,
    ParentConsent,
    TravelCheckInput,
    TravelDocumentInput,
    civil_registration_advance,
    civil_registration_record,
    contact_log,
    mobile_consulate_create,
    travel_document_check,
    travel_document_decide,
    travel_document_request,
)
from amparo.assistance.models import CivilRegistration, SupportContact, TravelDocument
from amparo.assistance.queries import (
    ContactFilter,
    civil_registrations_visible_to,
    consular_service_figures,
    contact_counts,
    contact_page,
)
from amparo.cases.actions import service_record
from amparo.cases.models import Case, Note
from amparo.core.errors import InvalidInput
from amparo.core.models import AuditEntry, Role, Site
from amparo.core.permissions import Forbidden

from .conftest import register

pytestmark = pytest.mark.django_db


def test_anonymous_contact_is_logged_and_audited(caseworker):
    contact = contact_log(
        actor=caseworker,
        data=ContactInput(
            channel="call",
            reason="information",
            outcome="information",
            caller_country="US",
            caller_city="  Los   Angeles ",
            duration_seconds=240,
        ),
    )
    assert contact.caller_city == "Los Angeles"
    assert contact.person is None and contact.case is None
    assert AuditEntry.objects.filter(action="contact.log", object_id=str(contact.pk)).exists()


def test_contact_errors_name_each_field(caseworker):
    future = timezone.now() + timedelta(hours=1)
    with pytest.raises(InvalidInput) as exc:
        contact_log(
            actor=caseworker,
            data=ContactInput(
                channel="fax",
                reason="nope",
                outcome="information",
                caller_country="XX",
                duration_seconds=-1,
                received_at=future,
            ),
        )
    assert set(exc.value.errors) == {
        "channel",
        "reason",
        "caller_country",
        "duration_seconds",
        "received_at",
    }
    assert SupportContact.objects.count() == 0


def test_contact_opens_a_missing_person_report(caseworker, person):
    contact = contact_log(
        actor=caseworker,
        data=ContactInput(
            channel="call",
            reason="missing_person",
            caller_country="MX",
            person_id=person.pk,
            open_case=True,
            urgency="life_or_liberty",
            note="Sin contacto desde Tapachula hace 10 días.",
        ),
    )
    assert contact.outcome == SupportContact.Outcome.MISSING_REPORT
    case = Case.objects.get(pk=contact.case_id)
    assert case.protocol_code == "assistance_abroad"
    assert case.data["request"]["request_type"] == "missing_person"
    assert case.data["request"]["country"] == "MX"


def test_contact_updates_a_case_with_a_note(caseworker, person):
    first = contact_log(
        actor=caseworker,
        data=ContactInput(channel="call", reason="detention", person_id=person.pk, open_case=True),
    )
    again = contact_log(
        actor=caseworker,
        data=ContactInput(
            channel="message",
            reason="detention",
            person_id=person.pk,
            case_id=first.case_id,
            note="La familia llama de nuevo.",
        ),
    )
    assert again.outcome == SupportContact.Outcome.CASE_UPDATED
    assert Note.objects.filter(case_id=first.case_id, text__contains="de nuevo").exists()


def test_failed_case_opening_leaves_no_contact(make_user, person):
    sbs = make_user(Role.CASEWORKER, "SBS")  # SBS does not run the assistance protocol
    other = register(sbs, given="Ana", first="Pérez")
    with pytest.raises(InvalidInput):
        contact_log(
            actor=sbs,
            data=ContactInput(
                channel="call", reason="detention", person_id=other.pk, open_case=True
            ),
        )
    assert SupportContact.objects.count() == 0 and Case.objects.count() == 0


def test_analyst_cannot_log_contacts(make_user):
    with pytest.raises(Forbidden):
        contact_log(
            actor=make_user(Role.ANALYST),
            data=ContactInput(channel="call", reason="information", outcome="information"),
        )


def test_contact_page_hides_people_the_actor_cannot_see(make_user, caseworker):
    person = register(caseworker, given="Rosa", markers=["trafficking_victim"])
    contact_log(
        actor=caseworker,
        data=ContactInput(
            channel="call", reason="information", outcome="information", person_id=person.pk
        ),
    )
    colleague = make_user(Role.OPERATOR, "MINEX", "protection")
    page = contact_page(actor=colleague, filters=ContactFilter())
    assert page.count == 1
    assert page.rows[0].person_id == person.pk
    assert person.pk not in page.people  # protected: only the holding team sees who it is
    assert person.pk in contact_page(actor=caseworker, filters=ContactFilter()).people
    outsider = make_user(Role.OPERATOR, "SBS")
    assert contact_page(actor=outsider, filters=ContactFilter()).count == 0
    counts = contact_counts(caseworker, ContactFilter(reason="information"))
    assert counts["channel"] == [("call", 1)]


def _consulate() -> Site:
    return Site.objects.get(code="us-los-angeles")


def test_services_against_distinct_people_at_consulates_and_mobile(caseworker, person):
    when = timezone.now() - timedelta(days=1)
    # A service at a mobile consulate falls on one of its days.
    mobile = mobile_consulate_create(
        actor=caseworker,
        consulate_code="US_LOS_ANGELES",
        city="Bakersfield",
        opens_on=timezone.localdate(when),
        closes_on=timezone.localdate(when) + timedelta(days=1),
    )
    assert mobile.parent == _consulate() and mobile.kind == Site.Kind.MOBILE_CONSULATE
    other = register(caseworker, given="Pedro", first="Xol")
    service_record(
        actor=caseworker,
        person_id=person.pk,
        kind="passport",
        site_code=mobile.code,
        delivered_at=when,
    )
    service_record(
        actor=caseworker,
        person_id=person.pk,
        kind="consular_id",
        site_code="US_LOS_ANGELES",
        delivered_at=when,
    )
    service_record(
        actor=caseworker,
        person_id=other.pk,
        kind="passport",
        site_code="US_LOS_ANGELES",
        delivered_at=when,
    )
    figures = consular_service_figures(
        caseworker, start=when.date() - timedelta(days=1), end=timezone.localdate()
    )
    assert (figures.services, figures.people, figures.mobile_services) == (3, 2, 1)
    assert dict(figures.by_kind) == {"passport": 2, "consular_id": 1}


def test_mobile_consulate_dates_and_ownership(caseworker, make_user):
    with pytest.raises(InvalidInput) as exc:
        mobile_consulate_create(
            actor=caseworker,
            consulate_code="US_LOS_ANGELES",
            city="",
            opens_on=date(2018, 3, 10),
            closes_on=date(2018, 3, 1),
        )
    assert set(exc.value.errors) == {"city", "closes_on"}
    with pytest.raises(InvalidInput) as exc:
        mobile_consulate_create(
            actor=make_user(Role.CASEWORKER, "SBS"),
            consulate_code="US_LOS_ANGELES",
            city="X",
            opens_on=date(2018, 3, 1),
        )
    assert "consulate" in exc.value.errors


def test_birth_notified_rejected_resent_and_registered(caseworker, make_user):
    child = register(caseworker, given="Luis", first="Ajú", birth_date=date(2018, 5, 2))
    record = civil_registration_record(
        actor=caseworker,
        data=CivilRegistrationInput(
            kind="birth",
            person_id=child.pk,
            site="US_LOS_ANGELES",
            event_date=date(2018, 5, 2),
            event_country="US",
            event_place="Los Angeles, CA",
        ),
    )
    renap = make_user(Role.CASEWORKER, "RENAP")
    assert not civil_registrations_visible_to(renap).exists()  # not sent yet
    record = civil_registration_advance(actor=caseworker, record_id=record.pk, status="sent")
    with pytest.raises(InvalidInput):  # the consulate cannot register
        civil_registration_advance(actor=caseworker, record_id=record.pk, status="acknowledged")
    with pytest.raises(InvalidInput) as exc:
        civil_registration_advance(actor=renap, record_id=record.pk, status="rejected")
    assert "reason" in exc.value.errors
    civil_registration_advance(
        actor=renap, record_id=record.pk, status="rejected", reason="Falta el nombre de la madre."
    )
    civil_registration_advance(actor=caseworker, record_id=record.pk, status="sent")
    civil_registration_advance(actor=renap, record_id=record.pk, status="acknowledged")
    record = civil_registration_advance(
        actor=renap,
        record_id=record.pk,
        status="registered",
        registry_reference="CUI 3001 12345 0101",
    )
    assert record.status == CivilRegistration.Status.REGISTERED
    assert [h["status"] for h in record.history] == [
        "recorded",
        "sent",
        "rejected",
        "sent",
        "acknowledged",
        "registered",
    ]
    assert record.rejection_reason == "Falta el nombre de la madre."


def test_marriage_needs_two_spouses(caseworker, person):
    with pytest.raises(InvalidInput) as exc:
        civil_registration_record(
            actor=caseworker,
            data=CivilRegistrationInput(
                kind="marriage",
                person_id=person.pk,
                site="US_LOS_ANGELES",
                event_date=date(2018, 5, 2),
                event_country="US",
            ),
        )
    assert "other_person" in exc.value.errors


def test_child_passport_needs_both_parents_or_a_court_order(caseworker):
    child = register(caseworker, given="Ana", first="Coc", birth_date=date(2012, 1, 5))
    request = travel_document_request(
        actor=caseworker,
        data=TravelDocumentInput(kind="child_passport", person_id=child.pk, site="US_LOS_ANGELES"),
    )
    with pytest.raises(InvalidInput) as exc:
        travel_document_check(
            actor=caseworker, record_id=request.pk, check=TravelCheckInput(consent_basis="adult")
        )
    assert "consent_basis" in exc.value.errors
    with pytest.raises(InvalidInput) as exc:
        travel_document_check(
            actor=caseworker,
            record_id=request.pk,
            check=TravelCheckInput(
                consent_basis="both_parents", parents=[ParentConsent("Rosa Coc", relation="mother")]
            ),
        )
    assert "parents" in exc.value.errors
    with pytest.raises(InvalidInput):  # not checked yet
        travel_document_decide(
            actor=caseworker, record_id=request.pk, issue=True, document_number="P123"
        )
    travel_document_check(
        actor=caseworker,
        record_id=request.pk,
        check=TravelCheckInput(consent_basis="court_order", court_order="Juzgado 2o. 123-2018"),
    )
    issued = travel_document_decide(
        actor=caseworker, record_id=request.pk, issue=True, document_number="P123"
    )
    assert issued.status == TravelDocument.Status.ISSUED
    with pytest.raises(InvalidInput):
        travel_document_decide(actor=caseworker, record_id=request.pk, issue=False, reason="x")


def test_refusal_needs_a_reason(caseworker, person):
    request = travel_document_request(
        actor=caseworker,
        data=TravelDocumentInput(kind="special_pass", person_id=person.pk, site="US_LOS_ANGELES"),
    )
    with pytest.raises(InvalidInput) as exc:
        travel_document_decide(actor=caseworker, record_id=request.pk, issue=False)
    assert "reason" in exc.value.errors
    refused = travel_document_decide(
        actor=caseworker, record_id=request.pk, issue=False, reason="Documentos alterados."
    )
    assert refused.status == TravelDocument.Status.REFUSED


def test_a_service_is_recorded_at_the_institutions_own_sites_only(make_user):
    sbs = make_user(Role.CASEWORKER, "SBS")
    child = register(sbs, given="Juan", first="Pop")
    with pytest.raises(InvalidInput) as exc:
        service_record(actor=sbs, person_id=child.pk, kind="passport", site_code="us-los-angeles")
    assert "site" in exc.value.errors
