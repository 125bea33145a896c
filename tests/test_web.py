"""The web shell through Django's test client: sign-in, second factor, lockout, sessions,
scoping of pages and security headers. Real-browser tests live in test_browser.py."""

import time

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from amparo.core.models import AuditEntry, Role

from .conftest import register

pytestmark = pytest.mark.django_db
PASSWORD = "una-clave-larga-de-prueba"


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_home_is_spanish_by_default_and_english_on_request(caseworker) -> None:
    client = signed_in(caseworker)
    page = client.get("/")
    assert page.status_code == 200 and 'lang="es"' in page.content.decode()
    client.post("/language/", {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get("/").content.decode()


def test_anonymous_users_are_sent_to_sign_in() -> None:
    response = Client().get("/people/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_sign_in_with_the_form(caseworker) -> None:
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": caseworker.username, "password": PASSWORD}
    )
    assert response.status_code == 302 and client.get("/").status_code == 200


def test_lockout_after_repeated_failures(caseworker) -> None:
    client = Client()
    for _ in range(5):
        client.post("/accounts/login/", {"username": caseworker.username, "password": "mala"})
    response = client.post(
        "/accounts/login/", {"username": caseworker.username, "password": PASSWORD}
    )
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


def test_administrators_need_a_second_factor(make_user) -> None:
    admin = make_user(Role.INSTITUTION_ADMIN, "MINEX")
    device = TOTPDevice.objects.create(user=admin, name="app", confirmed=True)
    client = signed_in(admin)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].endswith("/accounts/verify/")
    assert client.post("/accounts/verify/", {"token": "000000"}).status_code == 400
    device.refresh_from_db()
    device.throttle_reset()  # a failure throttles the next try; the user would wait
    client.post("/accounts/verify/", {"token": f"{totp(device.bin_key):06d}"})
    assert client.get("/").status_code == 200


def test_sessions_end_after_the_absolute_lifetime(caseworker, settings) -> None:
    client = signed_in(caseworker)
    assert client.get("/").status_code == 200
    session = client.session
    session["started_at"] = int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    assert client.get("/").status_code == 302
    assert client.get("/").status_code == 302


def test_person_page_is_audited_and_invisible_to_other_institutions(
    person, caseworker, other_caseworker
) -> None:
    page = signed_in(caseworker).get(f"/people/{person.pk}/")
    assert page.status_code == 200 and "Tzoc" in page.content.decode()
    assert AuditEntry.objects.filter(action="person.view", person_id=person.pk).count() == 1
    assert signed_in(other_caseworker).get(f"/people/{person.pk}/").status_code == 404


def test_roles_without_person_access_get_403_on_people_pages(make_user, person) -> None:
    for role in (Role.ANALYST, Role.AUDITOR, Role.SYSTEM_ADMIN):
        user = make_user(role, "MINEX")
        client = signed_in(user)
        if user.needs_second_factor:
            device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
            client.post("/accounts/verify/", {"token": f"{totp(device.bin_key):06d}"})
        assert client.get("/people/?q=tzoc").status_code == 403
        assert client.get("/people/new/").status_code == 403
        assert client.get(f"/people/{person.pk}/").status_code == 403


def test_search_page_and_htmx_partial(person, caseworker) -> None:
    client = signed_in(caseworker)
    assert "Tzoc" in client.get("/people/?q=TZOC").content.decode()
    partial = client.get("/people/?q=tzo", HTTP_HX_REQUEST="true").content.decode()
    assert "Tzoc" in partial and "<html" not in partial


def test_create_searches_first_then_registers(caseworker, person) -> None:
    client = signed_in(caseworker)
    data = {
        "given_names": "María José",
        "first_surname": "Tzoc",
        "sex": "F",
        "birth_date_precision": "exact",
    }
    first = client.post("/people/new/", data)
    assert first.status_code == 422 and str(person.pk) in first.content.decode()
    second = client.post("/people/new/", {**data, "confirm_new": "on"})
    assert second.status_code == 302


def test_create_with_future_birth_date_shows_the_error_on_the_field(caseworker) -> None:
    client = signed_in(caseworker)
    data = {
        "given_names": "Ana",
        "sex": "F",
        "birth_date": "2999-01-01",
        "birth_date_precision": "exact",
    }
    page = client.post("/people/new/", data).content.decode()
    assert "usa-error-message" in page and "futuro" in page


def test_edit_conflict_is_409_and_lists_changes(caseworker, person) -> None:
    from amparo.people.actions import PersonInput, person_update

    person_update(
        actor=caseworker,
        person_id=person.pk,
        version=1,
        data=PersonInput(given_names="María José", first_surname="Caal"),
    )
    form = {
        "given_names": "María José",
        "first_surname": "Choc",
        "sex": "F",
        "birth_date_precision": "exact",
        "version": 1,
    }
    response = signed_in(caseworker).post(f"/people/{person.pk}/edit/", form)
    assert response.status_code == 409 and "Caal" in response.content.decode()


def test_security_headers(caseworker) -> None:
    response = signed_in(caseworker).get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_unknown_pages_are_404_not_500(caseworker) -> None:
    client = signed_in(caseworker)
    assert client.get("/people/00000000-0000-4000-8000-000000000000/").status_code == 404
    assert client.get("/audit/?since=nonsense").status_code == 403


def test_api_session_needs_the_second_factor_too(make_user) -> None:
    auditor = make_user(Role.AUDITOR, "MINEX")
    device = TOTPDevice.objects.create(user=auditor, name="app", confirmed=True)
    client = signed_in(auditor)
    assert client.get("/api/v1/audit").status_code == 401
    client.post("/accounts/verify/", {"token": f"{totp(device.bin_key):06d}"})
    assert client.get("/api/v1/audit").status_code == 200


def test_the_account_language_applies_at_the_next_sign_in(caseworker) -> None:
    caseworker.language = "en"
    caseworker.save()
    assert 'lang="en"' in signed_in(caseworker).get("/").content.decode()


def test_client_address_behind_a_trusted_proxy(settings, caseworker) -> None:
    from django.test import RequestFactory

    from amparo.core.middleware import client_ip

    request = RequestFactory().get(
        "/", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.1.2.3", REMOTE_ADDR="127.0.0.1"
    )
    settings.AMPARO_TRUSTED_PROXIES = 0
    assert client_ip(request) == "127.0.0.1"
    settings.AMPARO_TRUSTED_PROXIES = 1
    assert client_ip(request) == "10.1.2.3"


def test_second_factor_redirect_is_not_cached(make_user) -> None:
    admin = make_user(Role.INSTITUTION_ADMIN, "MINEX")
    response = signed_in(admin).get("/")
    assert response.status_code == 302 and "no-store" in response["Cache-Control"]


def test_date_fields_render_as_date_inputs(caseworker) -> None:
    page = signed_in(caseworker).get("/people/new/").content.decode()
    tag = page[page.index('id="id_birth_date"') - 200 : page.index('id="id_birth_date"')]
    assert 'type="date"' in tag and 'type="text"' not in tag


def test_break_glass_reads_a_protected_person_of_another_team(make_user) -> None:
    protection = make_user(Role.CASEWORKER, "MINEX", "protection")
    supervisor = make_user(Role.SUPERVISOR, "MINEX", "general")
    other_supervisor = make_user(Role.SUPERVISOR, "SBS", "general")
    child = register(protection, given="Niña", markers=["unaccompanied_child"])
    client = signed_in(supervisor)
    page = client.get(f"/people/{child.pk}/")
    assert page.status_code == 404 and "break-glass" in page.content.decode()
    short = client.post(f"/people/{child.pk}/break-glass/", {"reason": "ver"})
    assert short.status_code == 422
    client.post(f"/people/{child.pk}/break-glass/", {"reason": "La niña está en el hospital ahora"})
    assert client.get(f"/people/{child.pk}/").status_code == 200
    entry = AuditEntry.objects.get(action="person.break_glass")
    assert entry.reason == "La niña está en el hospital ahora" and entry.person_id == child.pk
    assert AuditEntry.objects.filter(action="person.view_break_glass").count() == 1
    assert (
        signed_in(other_supervisor)
        .post(f"/people/{child.pk}/break-glass/", {"reason": "Quiero ver este expediente"})
        .status_code
        == 404
    )
    assert signed_in(protection).get(f"/people/{child.pk}/").status_code == 200


def test_auditors_see_break_glass_reads_on_their_home_page(make_user) -> None:
    from amparo.people.queries import person_break_glass

    protection = make_user(Role.CASEWORKER, "MINEX", "protection")
    supervisor = make_user(Role.SUPERVISOR, "MINEX", "general")
    child = register(protection, given="Niño", markers=["unaccompanied_child"])
    person_break_glass(actor=supervisor, person_id=child.pk, reason="Traslado urgente al hospital")
    auditor = make_user(Role.AUDITOR, "MINEX")
    device = TOTPDevice.objects.create(user=auditor, name="app", confirmed=True)
    client = signed_in(auditor)
    client.post("/accounts/verify/", {"token": f"{totp(device.bin_key):06d}"})
    assert "Traslado urgente al hospital" in client.get("/").content.decode()
