"""The support line and consular pages through the Django test client: the operator's contact
page, the contacts list and its CSV export, consular services, the civil registry (with a
RENAP user) and travel documents."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from amparo.assistance.actions import (
    CivilRegistrationInput,
    ContactInput,
    TravelDocumentInput,
    civil_registration_advance,
    civil_registration_record,
    contact_log,
    travel_document_request,
)
from amparo.assistance.models import CivilRegistration, SupportContact, TravelDocument
from amparo.cases.models import Case, Note, ServiceDelivery
from amparo.core.models import AuditEntry, Role, Site, User
from amparo.people.models import Person

from .conftest import register

pytestmark = pytest.mark.django_db

CONTACT_NEW = "/assistance/contacts/new/"


def _client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def operator(make_user: Any) -> User:
    return make_user(Role.OPERATOR, "MINEX")


def _birth(actor: User, person: Person) -> CivilRegistration:
    return civil_registration_record(
        actor=actor,
        data=CivilRegistrationInput(
            kind="birth",
            person_id=person.pk,
            site="US_LOS_ANGELES",
            event_date=date(2020, 5, 2),
            event_country="US",
            event_place="Los Angeles, CA",
        ),
    )


def _passport(actor: User, person: Person) -> TravelDocument:
    return travel_document_request(
        actor=actor,
        data=TravelDocumentInput(kind="child_passport", person_id=person.pk, site="US_LOS_ANGELES"),
    )


# --- every page renders ---------------------------------------------------------------------


def test_every_page_renders_for_an_operator(operator: User) -> None:
    person = register(operator, given="Rosa", first="Tzul")
    birth, passport = _birth(operator, person), _passport(operator, person)
    contact_log(
        actor=operator,
        data=ContactInput(
            channel="call", reason="information", outcome="information", person_id=person.pk
        ),
    )
    client = _client(operator)
    pages = [
        CONTACT_NEW,
        "/assistance/contacts/",
        "/assistance/consular/",
        "/assistance/civil-registry/",
        "/assistance/civil-registry/new/",
        f"/assistance/civil-registry/{birth.pk}/",
        "/assistance/travel-documents/",
        "/assistance/travel-documents/new/",
        f"/assistance/travel-documents/{passport.pk}/",
        "/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'href="/assistance/contacts/new/"' in response.content.decode(), url  # the nav
    for url in (
        "/assistance/contacts/",
        "/assistance/civil-registry/",
        f"/assistance/civil-registry/{birth.pk}/",
        "/assistance/travel-documents/",
        f"/assistance/travel-documents/{passport.pk}/",
    ):
        assert "Rosa Tzul" in client.get(url).content.decode(), url


def test_the_contact_page_is_keyboard_first_and_cheap(
    operator: User, django_assert_max_num_queries: Any
) -> None:
    client = _client(operator)
    client.get(CONTACT_NEW)  # the session and the reference data are warm
    with django_assert_max_num_queries(10):
        response = client.get(CONTACT_NEW)
    page = response.content.decode()
    # The first field has the focus; the timer is a static file (the CSP forbids inline code).
    assert '<select class="usa-select" name="reason" id="contact-reason" autofocus>' in page
    assert "amparo/contact-timer.js" in page and "<script>" not in page
    assert 'name="duration_seconds"' in page and "data-contact-timer" in page
    # Every field of the contract is there, and one submit button.
    for name in ("channel", "outcome", "caller_country", "caller_city", "open_case", "urgency"):
        assert f'name="{name}"' in page, name
    form = page.split('id="contact-form"', 1)[1].split("</form>", 1)[0]
    assert form.count('type="submit"') == 2  # the form's own, and the person search's
    assert form.count('form="contact-person-search"') == 2  # ... which belongs to its own form


# --- logging contacts -----------------------------------------------------------------------


def test_logging_a_contact_is_one_post_and_a_fresh_form(operator: User) -> None:
    client = _client(operator)
    response = client.post(
        CONTACT_NEW,
        {
            "channel": "call",
            "reason": "information",
            "outcome": "information",
            "caller_country": "US",
            "caller_city": "Houston",
            "duration_seconds": "95",
            "person": "",
            "case": "",
            "urgency": "urgent",
            "note": "Horarios del consulado móvil.",
        },
    )
    assert response.status_code == 303
    assert response["Location"] == CONTACT_NEW
    contact = SupportContact.objects.get()
    assert (contact.channel, contact.reason_id, contact.outcome) == (
        "call",
        "information",
        "information",
    )
    assert (contact.caller_country_id, contact.caller_city, contact.duration_seconds) == (
        "US",
        "Houston",
        95,
    )
    assert contact.recorded_by == operator and contact.person is None
    page = client.get(CONTACT_NEW).content.decode()
    assert 'role="status"' in page  # the success message
    latest = page.split('id="latest-heading"', 1)[1]
    assert "Información general" in latest
    assert 'value="Houston"' not in page  # a fresh form


def test_refused_contact_shows_messages_at_the_fields_and_writes_nothing(
    operator: User, make_user: Any
) -> None:
    client = _client(operator)
    response = client.post(
        CONTACT_NEW, {"channel": "call", "reason": "information", "duration_seconds": "abc"}
    )
    page = response.content.decode()
    assert response.status_code == 422
    # Django's own messages are in the user's language.
    assert 'id="contact-duration_seconds-error"' in page and "número entero" in page
    assert 'aria-describedby="contact-duration_seconds-hint contact-duration_seconds-error"' in page
    assert 'id="error-summary"' in page and 'href="#contact-duration_seconds"' in page

    # The action's refusals: no outcome; a case to open without a person.
    response = client.post(CONTACT_NEW, {"channel": "call", "reason": "information"})
    assert response.status_code == 422
    assert 'id="contact-outcome-error"' in response.content.decode()
    response = client.post(
        CONTACT_NEW,
        {"channel": "call", "reason": "missing_person", "open_case": "on", "urgency": "urgent"},
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert 'id="contact-person-error"' in page and 'href="#contact-person-q"' in page
    assert '<option value="missing_person" selected>' in page  # what was typed is kept

    # A person of another institution cannot be named.
    stranger = register(make_user(Role.CASEWORKER, "SBS"), given="Ajena")
    response = client.post(
        CONTACT_NEW,
        {
            "channel": "call",
            "reason": "information",
            "outcome": "information",
            "person": str(stranger.pk),
        },
    )
    assert response.status_code == 422 and 'id="contact-person-error"' in response.content.decode()
    assert stranger.full_name not in response.content.decode()
    assert SupportContact.objects.count() == 0
    assert not AuditEntry.objects.filter(action="contact.log").exists()


def test_english_messages_for_an_english_user(operator: User) -> None:
    client = _client(operator)
    client.post("/language/", {"language": "en", "next": "/"})
    response = client.post(
        CONTACT_NEW, {"channel": "call", "reason": "information", "duration_seconds": "abc"}
    )
    assert "Enter a whole number." in response.content.decode()


def test_the_operator_finds_the_person_and_opens_a_missing_person_case(
    operator: User, make_user: Any
) -> None:
    person = register(operator, given="Juan", first="Ixcoy", second="Tol")
    register(make_user(Role.CASEWORKER, "SBS"), given="Juan", first="Ixcoy", second="Ajeno")
    client = _client(operator)
    options = client.get(
        "/assistance/people/", {"q": "ixcoy", "name": "person", "prefix": "contact", "cases": "1"}
    ).content.decode()
    assert f'value="{person.pk}"' in options and "Ajeno" not in options
    assert 'id="contact-person-none"' in options  # an anonymous contact stays possible
    # Without JavaScript, the search reloads the page with the same choices.
    page = client.get(CONTACT_NEW, {"q": "ixcoy", "name": "person"}).content.decode()
    assert f'value="{person.pk}"' in page

    response = client.post(
        CONTACT_NEW,
        {
            "channel": "call",
            "reason": "missing_person",
            "caller_country": "MX",
            "person": str(person.pk),
            "open_case": "on",
            "urgency": "life_or_liberty",
            "note": "Sin contacto desde Tapachula hace 10 días.",
            "duration_seconds": "300",
        },
    )
    assert response.status_code == 303
    contact = SupportContact.objects.get()
    assert contact.outcome == SupportContact.Outcome.MISSING_REPORT
    case = Case.objects.get(pk=contact.case_id)
    assert case.protocol_code == "assistance_abroad" and case.person == person
    assert case.data["request"]["urgency"] == "life_or_liberty"

    # The family calls again: the person's open case is offered, and the contact joins it.
    cases = client.get("/assistance/people/cases/", {"person": str(person.pk)}).content.decode()
    assert f'value="{case.pk}"' in cases
    response = client.post(
        CONTACT_NEW,
        {
            "channel": "message",
            "reason": "missing_person",
            "person": str(person.pk),
            "case": str(case.pk),
            "note": "La familia llama de nuevo.",
        },
    )
    assert response.status_code == 303
    again = SupportContact.objects.latest("id")
    assert again.outcome == SupportContact.Outcome.CASE_UPDATED and again.case_id == case.pk
    assert Note.objects.filter(case=case, text__contains="de nuevo").exists()
    latest = client.get(CONTACT_NEW).content.decode().split('id="latest-heading"', 1)[1]
    assert "Juan Ixcoy Tol" in latest and f"/cases/{case.pk}/" in latest


# --- contacts list and CSV ------------------------------------------------------------------


def test_contacts_list_filters_counts_and_caps_the_count(operator: User) -> None:
    for reason, channel in (("information", "call"), ("passport", "message"), ("passport", "call")):
        contact_log(
            actor=operator,
            data=ContactInput(channel=channel, reason=reason, outcome="information"),
        )
    client = _client(operator)
    page = client.get("/assistance/contacts/").content.decode()
    assert "3 contactos" in page or "3 contacts" in page
    page = client.get("/assistance/contacts/", {"reason": "passport"}).content.decode()
    assert "2 contact" in page
    # The figures are counted after the list, at their own address.
    assert 'hx-get="/assistance/contacts/figures/?reason=passport"' in page
    counts = client.get("/assistance/contacts/figures/", {"reason": "passport"}).content.decode()
    assert "Pasaporte" in counts
    # Bad filters are ignored, never an error.
    assert client.get("/assistance/contacts/", {"start": "x", "page": "-3"}).status_code == 200

    now = timezone.now()
    SupportContact.objects.bulk_create(
        SupportContact(
            institution_id=operator.institution_id,
            received_at=now - timedelta(minutes=i),
            channel="call",
            reason_id="information",
            outcome="information",
            recorded_by=operator,
        )
        for i in range(10_001)
    )
    page = client.get("/assistance/contacts/").content.decode()
    assert "10,000+" in page
    assert client.get("/assistance/contacts/", {"page": "999"}).status_code == 200


def test_csv_export_defuses_formulas_and_is_audited(operator: User) -> None:
    contact_log(
        actor=operator,
        data=ContactInput(
            channel="call",
            reason="information",
            outcome="information",
            caller_city='=HYPERLINK("http://x.example","clic")',
            note="+1 llamar de nuevo",
        ),
    )
    response = _client(operator).get("/assistance/contacts/export.csv", {"reason": "information"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    assert "'=HYPERLINK" in body and "'+1 llamar de nuevo" in body
    assert "\n=HYPERLINK" not in body and ",=HYPERLINK" not in body
    entry = AuditEntry.objects.get(action="contact.export")
    assert entry.detail["reason"] == "information"


# --- consular services ----------------------------------------------------------------------


def test_mobile_consulate_and_a_service_from_the_consular_page(operator: User) -> None:
    person = register(operator, given="Pedro", first="Xol")
    client = _client(operator)
    today = timezone.localdate()
    response = client.post(
        "/assistance/consular/mobile/",
        {"consulate": "us-los-angeles", "city": "", "opens_on": today.isoformat()},
    )
    assert response.status_code == 422 and 'id="mobile-city-error"' in response.content.decode()
    response = client.post(
        "/assistance/consular/mobile/",
        {"consulate": "us-los-angeles", "city": "Bakersfield", "opens_on": today.isoformat()},
    )
    assert response.status_code == 303
    mobile = Site.objects.get(kind=Site.Kind.MOBILE_CONSULATE)
    page = client.get("/assistance/consular/").content.decode()
    assert "Bakersfield" in page and f'value="{mobile.code}"' in page  # offered for services

    response = client.post(
        "/assistance/consular/services/", {"kind": "passport", "site": mobile.code}
    )
    assert response.status_code == 422 and 'id="service-person-error"' in response.content.decode()
    response = client.post(
        "/assistance/consular/services/",
        {"kind": "passport", "site": mobile.code, "person": str(person.pk)},
    )
    assert response.status_code == 303
    response = client.post(
        "/assistance/consular/services/",
        {"kind": "consular_id", "site": "us-los-angeles", "person": str(person.pk)},
    )
    assert response.status_code == 303
    service = ServiceDelivery.objects.get(kind="passport")
    assert service.site == mobile and service.person == person
    page = client.get("/assistance/consular/").content.decode()
    figures = page.split('id="figures-heading"', 1)[1].split("</section>", 1)[0]
    assert "2 servic" in figures and " 1 " in figures  # two services to one person
    # Another institution's site cannot be chosen.
    response = client.post(
        "/assistance/consular/services/",
        {"kind": "passport", "site": "tecun-uman-i", "person": str(person.pk)},
    )
    assert response.status_code == 422


# --- civil registry -------------------------------------------------------------------------


def _step(client: Client, record: CivilRegistration, status: str, **extra: str) -> Any:
    record.refresh_from_db()
    return client.post(
        f"/assistance/civil-registry/{record.pk}/step/",
        {"status": status, "version": str(record.version), **extra},
    )


def test_civil_registry_steps_through_the_pages_with_a_renap_user(
    operator: User, make_user: Any
) -> None:
    child = register(operator, given="Luis", first="Ajú", birth_date=date(2020, 5, 2))
    client = _client(operator)
    response = client.post(
        "/assistance/civil-registry/new/",
        {"kind": "birth", "site": "us-los-angeles", "event_country": "US", "person": str(child.pk)},
    )
    assert (
        response.status_code == 422 and 'id="civil-event_date-error"' in response.content.decode()
    )
    response = client.post(
        "/assistance/civil-registry/new/",
        {
            "kind": "birth",
            "person": str(child.pk),
            "site": "us-los-angeles",
            "event_date": "2020-05-02",
            "event_country": "US",
            "event_place": "Los Angeles, CA",
        },
    )
    assert response.status_code == 303
    record = CivilRegistration.objects.get()
    assert response["Location"] == f"/assistance/civil-registry/{record.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert 'id="step-sent"' in page and 'id="step-acknowledged"' not in page

    renap = make_user(Role.CASEWORKER, "RENAP")
    registry = _client(renap)
    detail = f"/assistance/civil-registry/{record.pk}/"
    assert registry.get(detail).status_code == 404  # not sent yet
    assert _step(client, record, "sent").status_code == 303

    page = registry.get("/assistance/civil-registry/").content.decode()
    assert detail in page
    page = registry.get(detail).content.decode()
    assert "Luis Ajú" in page  # the registry reads whom the act is about
    assert 'id="step-acknowledged"' in page and 'id="step-rejected"' in page
    assert 'id="step-sent"' not in page
    # The consulate cannot take the registry's step.
    response = _step(client, record, "acknowledged")
    assert response.status_code == 422
    # A rejection needs a reason, at its field.
    response = _step(registry, record, "rejected")
    assert response.status_code == 422
    assert 'id="step-rejected-reason-error"' in response.content.decode()
    assert (
        _step(registry, record, "rejected", reason="Falta el nombre de la madre.").status_code
        == 303
    )
    page = client.get(detail).content.decode()
    assert "Falta el nombre de la madre." in page and 'id="step-sent"' in page
    assert _step(client, record, "sent").status_code == 303
    assert _step(registry, record, "acknowledged").status_code == 303
    response = _step(registry, record, "registered", registry_reference="CUI 3001 12345 0101")
    assert response.status_code == 303
    record.refresh_from_db()
    assert record.status == "registered" and record.registry_reference == "CUI 3001 12345 0101"
    assert [h["status"] for h in record.history] == [
        "recorded",
        "sent",
        "rejected",
        "sent",
        "acknowledged",
        "registered",
    ]
    page = registry.get(detail).content.decode()
    assert "CUI 3001 12345 0101" in page and 'id="steps-heading"' not in page
    assert f'id="status">{CivilRegistration.Status.REGISTERED.label}<' in page
    assert AuditEntry.objects.filter(action="civil_registration.view", actor_id=renap.pk).exists()


def test_a_stale_step_saves_nothing_and_says_so(operator: User) -> None:
    record = _birth(operator, register(operator, given="Ana", first="Coc"))
    client = _client(operator)
    stale = record.version
    civil_registration_advance(actor=operator, record_id=record.pk, status="sent")
    response = client.post(
        f"/assistance/civil-registry/{record.pk}/step/", {"status": "sent", "version": stale}
    )
    assert response.status_code == 409
    assert 'id="conflict"' in response.content.decode()
    record.refresh_from_db()
    assert [h["status"] for h in record.history] == ["recorded", "sent"]


# --- travel documents -----------------------------------------------------------------------


def test_travel_document_checked_and_issued_through_the_pages(operator: User) -> None:
    child = register(operator, given="Ana", first="Coc", birth_date=date(2015, 1, 5))
    client = _client(operator)
    response = client.post(
        "/assistance/travel-documents/new/",
        {"kind": "child_passport", "site": "us-los-angeles", "person": str(child.pk)},
    )
    assert response.status_code == 303
    record = TravelDocument.objects.get()
    detail = response["Location"]
    assert detail == f"/assistance/travel-documents/{record.pk}/"
    page = client.get(detail).content.decode()
    assert 'id="check-heading"' in page and 'id="issue"' not in page

    check = f"/assistance/travel-documents/{record.pk}/check/"
    response = client.post(
        check,
        {"consent_basis": "both_parents", "parent1_name": "Rosa Coc", "version": record.version},
    )
    page = response.content.decode()
    assert response.status_code == 422 and 'id="check-parent1_name-error"' in page
    response = client.post(check, {"consent_basis": "adult", "version": record.version})
    assert (
        response.status_code == 422
        and 'id="check-consent_basis-error"' in response.content.decode()
    )
    response = client.post(
        check,
        {
            "consent_basis": "both_parents",
            "parent1_name": "Rosa Coc",
            "parent1_document": "DPI 1234",
            "parent1_relation": "mother",
            "parent2_name": "Mario Coc",
            "parent2_relation": "father",
            "version": record.version,
        },
    )
    assert response.status_code == 303
    record.refresh_from_db()
    assert record.status == "checked" and [p["name"] for p in record.parents] == [
        "Rosa Coc",
        "Mario Coc",
    ]
    decision = f"/assistance/travel-documents/{record.pk}/decision/"
    response = client.post(decision, {"decision": "issue", "version": record.version})
    assert response.status_code == 422
    assert 'id="issue-document_number-error"' in response.content.decode()
    response = client.post(
        decision, {"decision": "issue", "document_number": "P123456", "version": record.version}
    )
    assert response.status_code == 303
    record.refresh_from_db()
    assert record.status == "issued" and record.document_number == "P123456"
    page = client.get(detail).content.decode()
    assert "P123456" in page and 'id="decision-heading"' not in page
    assert f'id="status">{TravelDocument.Status.ISSUED.label}<' in page
    listed = client.get("/assistance/travel-documents/", {"status": "issued"}).content.decode()
    assert f">{TravelDocument.Status.ISSUED.label}</span>" in listed


def test_a_request_is_refused_with_a_reason(operator: User) -> None:
    record = _passport(operator, register(operator, given="Eva", first="Cac"))
    client = _client(operator)
    decision = f"/assistance/travel-documents/{record.pk}/decision/"
    response = client.post(decision, {"decision": "refuse", "version": record.version})
    assert response.status_code == 422 and 'id="refuse-reason-error"' in response.content.decode()
    response = client.post(
        decision,
        {"decision": "refuse", "reason": "Documentos alterados.", "version": record.version},
    )
    assert response.status_code == 303
    record.refresh_from_db()
    assert record.status == "refused" and record.refusal_reason == "Documentos alterados."


# --- who may see what -----------------------------------------------------------------------


def test_an_analyst_gets_403_everywhere(operator: User, make_user: Any) -> None:
    person = register(operator)
    birth, passport = _birth(operator, person), _passport(operator, person)
    client = _client(make_user(Role.ANALYST, "MINEX"))
    for url in (
        CONTACT_NEW,
        "/assistance/contacts/",
        "/assistance/contacts/export.csv",
        "/assistance/consular/",
        "/assistance/civil-registry/",
        f"/assistance/civil-registry/{birth.pk}/",
        f"/assistance/travel-documents/{passport.pk}/",
        "/assistance/people/?q=tzoc",
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(
        CONTACT_NEW, {"channel": "call", "reason": "information", "outcome": "information"}
    )
    assert response.status_code == 403
    assert SupportContact.objects.count() == 0
    home = client.get("/").content.decode()
    assert "/assistance/" not in home


def test_another_institutions_records_are_404(operator: User, make_user: Any) -> None:
    person = register(operator)
    birth, passport = _birth(operator, person), _passport(operator, person)
    contact_log(
        actor=operator,
        data=ContactInput(channel="call", reason="information", outcome="information"),
    )
    outsider = _client(make_user(Role.CASEWORKER, "SBS"))
    for url in (
        f"/assistance/civil-registry/{birth.pk}/",
        f"/assistance/travel-documents/{passport.pk}/",
        "/assistance/civil-registry/00000000-0000-0000-0000-000000000000/",
    ):
        assert outsider.get(url).status_code == 404, url
    response = outsider.post(
        f"/assistance/civil-registry/{birth.pk}/step/", {"status": "sent", "version": 1}
    )
    assert response.status_code == 404
    response = outsider.post(
        f"/assistance/travel-documents/{passport.pk}/decision/",
        {"decision": "refuse", "reason": "x", "version": 1},
    )
    assert response.status_code == 404
    assert "0 contact" in outsider.get("/assistance/contacts/").content.decode()
    birth.refresh_from_db()
    passport.refresh_from_db()
    assert birth.status == "recorded" and passport.status == "requested"


def test_garbage_input_never_breaks_a_page(operator: User) -> None:
    client = _client(operator)
    record = _passport(operator, register(operator))
    posts = {
        CONTACT_NEW: {
            "person": "not-a-uuid",
            "case": "x",
            "channel": "",
            "duration_seconds": "1e9",
        },
        "/assistance/consular/mobile/": {"consulate": "nope", "opens_on": "2024-13-45"},
        "/assistance/consular/services/": {"person": "x", "kind": "shelter", "site": "x"},
        "/assistance/civil-registry/new/": {"kind": "x", "person": "x", "event_date": "x"},
        "/assistance/travel-documents/new/": {"kind": "x", "person": "x"},
        f"/assistance/travel-documents/{record.pk}/check/": {"consent_basis": "x"},
        f"/assistance/travel-documents/{record.pk}/decision/": {"decision": "x", "version": "x"},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 422, url
    for params in ({"name": "x", "q": "a" * 500}, {"person": "x"}):
        assert client.get("/assistance/people/", params).status_code == 200
        assert client.get("/assistance/people/cases/", params).status_code == 200
    assert (
        client.get("/assistance/consular/", {"start": "x", "end": "2020-01-01"}).status_code == 200
    )
