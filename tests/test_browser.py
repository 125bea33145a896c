"""Browser tests: Debian's chromium, headless, driven by Playwright against the live server.

Every page a scenario visits is checked with axe-core (WCAG 2.0, 2.1 and 2.2, levels A and
AA); the search page and the person page at a phone width and at a desktop width. Static
files must load (USWDS, htmx, Amparo's CSS), and no page may break the Content Security
Policy or raise a JavaScript error. The policy stays enforced: axe is injected through the
DevTools protocol (`page.evaluate`), which the policy does not govern.

Without /usr/bin/chromium the tests are skipped, except in CI (`CI` set), where they fail.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation

from amparo.core.models import Institution, Role, Team, User
from amparo.core.reference import load_all
from amparo.people.actions import DocumentInput, PersonInput, person_register, person_update
from amparo.people.models import Person

from .conftest import empty_audit_trail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = settings.PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
PASSWORD = "una-clave-larga-de-prueba"

Page = Any  # playwright.sync_api.Page; imported lazily so that collection needs no browser


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {message}", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an asyncio loop in this thread, which Django takes for an
    # async context; the ORM calls in these tests are plain synchronous test code.
    allow_async_unsafe = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if allow_async_unsafe is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = allow_async_unsafe


@dataclass
class Watch:
    """What the pages loaded and reported: static responses, CSP refusals, script errors."""

    static: dict[str, list[int]] = field(default_factory=dict)
    csp: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def watch() -> Watch:
    return Watch()


@pytest.fixture
def page(browser: Any, live_server: Any, watch: Watch) -> Iterator[Page]:
    # A Guatemalan browser asks for Spanish.
    context = browser.new_context(base_url=live_server.url, locale="es-GT", viewport=DESKTOP)
    context.set_default_timeout(10_000)
    page = context.new_page()

    def on_response(response: Any) -> None:
        if "/static/" in response.url:
            path = response.url.split("/static/", 1)[1]
            watch.static.setdefault(path, []).append(response.status)

    def on_console(message: Any) -> None:
        if "Content Security Policy" in message.text:
            watch.csp.append(message.text)
        elif message.type == "error" and "Failed to load resource" not in message.text:
            watch.errors.append(message.text)

    page.on("response", on_response)
    page.on("console", on_console)
    page.on("pageerror", lambda exc: watch.errors.append(str(exc)))
    yield page
    context.close()
    assert not watch.csp, "Content Security Policy violations:\n" + "\n".join(watch.csp)
    assert not watch.errors, "JavaScript errors:\n" + "\n".join(watch.errors)
    broken = {path: codes for path, codes in watch.static.items() if set(codes) - {200, 304}}
    assert not broken, f"static files did not load: {broken}"


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    # The live server thread runs in this process: the override reaches it too.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def reference_data(browser: Any, transactional_db: None) -> Iterator[None]:
    # Transactional tests leave an empty database behind: load what the pages need (~1 s).
    load_all()
    yield
    empty_audit_trail()


# --- helpers --------------------------------------------------------------------------------


def axe_check(page: Page, where: str) -> None:
    """No WCAG A/AA violation on the page as it is now; each one is listed on failure."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    violations = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary),
            }));
        }""",
        AXE_TAGS,
    )
    if violations:
        lines = [f"axe found {len(violations)} violation(s) on {where} ({page.url}):"]
        for v in violations:
            lines.append(f"- {v['id']} [{v['impact']}]: {v['help']}")
            lines.extend(f"    {node}" for node in v["nodes"])
        pytest.fail("\n".join(lines), pytrace=False)


def axe_check_sizes(page: Page, where: str) -> None:
    for name, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        axe_check(page, f"{where}, {name} {size['width']}x{size['height']}")


def es(message: str) -> str:
    """The Spanish the interface shows for a source string; the catalog must translate it."""
    with translation.override("es"):
        text = translation.gettext(message)
    assert text != message, f"the Spanish catalog does not translate {message!r}"
    return text


def lang(page: Page) -> str:
    return page.locator("html").get_attribute("lang")


def make_user(role: str, username: str, institution: str = "MINEX", team: str = "general") -> User:
    inst = Institution.objects.get(code=institution)
    return User.objects.create_user(
        username=username,
        password=PASSWORD,
        first_name=username.split(".")[0].title(),
        role=role,
        institution=inst,
        team=Team.objects.get(institution=inst, code=team),
    )


def register(
    actor: User,
    given: str,
    first: str,
    second: str = "",
    documents: list[DocumentInput] | None = None,
    **extra: Any,
) -> Person:
    return person_register(
        actor=actor,
        documents=documents,
        data=PersonInput(given_names=given, first_surname=first, second_surname=second, **extra),
    )


def posted_to(path: str) -> Callable[[Any], bool]:
    return lambda r: r.request.method == "POST" and r.url.split("?")[0].endswith(path)


def submit(page: Page, path: str) -> Any:
    """Click the main form's submit button, wait for the page that results (after any
    redirect) to load, and return the response to the POST itself."""
    with page.expect_response(posted_to(path)) as posted, page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    return posted.value


def submit_form(page: Page, form: Any, path: str) -> Any:
    """Like `submit`, for one form of a page that has several (the person page)."""
    with page.expect_response(posted_to(path)) as posted, page.expect_navigation():
        form.locator("button[type=submit]").click()
    return posted.value


def switch_language(page: Page) -> None:
    with page.expect_navigation():
        page.locator(".amparo-language button").click()


def sign_in(page: Page, username: str, password: str = PASSWORD, check: bool = True) -> Any:
    page.goto("/accounts/login/")
    if check:
        assert lang(page) == "es"
        axe_check(page, "sign-in page")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    return submit(page, "/accounts/login/")


# --- scenarios ------------------------------------------------------------------------------


def test_caseworker_finds_a_person_and_opens_the_timeline(
    page: Page, live_server: Any, watch: Watch
) -> None:
    from playwright.sync_api import expect

    worker = make_user(Role.CASEWORKER, "ana.caseworker")
    person = register(
        worker,
        "María José",
        "Tzoc",
        "Cux",
        birth_date=date(1990, 5, 17),
        nationality="GT",
        documents=[DocumentInput("passport", "A1234567", "GT")],
    )
    register(worker, "Pedro", "Ajú", "Xicay")

    assert sign_in(page, "ana.caseworker").status == 302
    assert page.url == live_server.url + "/"
    assert lang(page) == "es"
    welcome = es("Welcome, %(name)s")
    expect(page.get_by_role("heading", level=1)).to_have_text(welcome % {"name": "Ana"})
    for path in (
        "vendor/uswds/css/uswds.min.css",
        "amparo/amparo.css",
        "vendor/uswds/js/uswds.min.js",
        "vendor/htmx/htmx.min.js",
    ):
        assert watch.static.get(path, [None])[0] == 200, (path, watch.static)
    # USWDS styles are applied, not only downloaded.
    assert "Source Sans Pro" in page.evaluate("() => getComputedStyle(document.body).fontFamily")
    axe_check(page, "home page")

    # On a phone the navigation is behind the menu button.
    page.set_viewport_size(PHONE)
    nav = page.get_by_role("navigation", name=es("Main navigation"))
    expect(nav).to_be_hidden()
    page.get_by_role("button", name=es("Menu")).click()
    expect(nav).to_be_visible()
    expect(page.locator(".usa-overlay")).to_be_visible()  # the page behind is out of reach
    axe_check(page, "home page, phone, menu open")
    nav.get_by_role("button", name=es("Close"), exact=True).click()
    expect(nav).to_be_hidden()
    expect(page.get_by_role("button", name=es("Menu"))).to_be_focused()
    page.set_viewport_size(DESKTOP)

    for path, status in (("/people/link/", 200), ("/people/not-a-person/", 404)):
        assert page.goto(path).status == status
        axe_check(page, path)
    page.goto("/")

    page.get_by_role("navigation").get_by_role("link", name=es("People"), exact=True).click()
    page.wait_for_url("**/people/")
    expect(page.get_by_role("heading", level=1)).to_have_text(es("Find a person"))
    axe_check_sizes(page, "search page, empty")

    search, results = page.locator("#q"), page.locator("#results")
    with page.expect_response(lambda r: "q=tzo" in r.url and r.request.headers.get("hx-request")):
        search.fill("tzo")  # partial, lower case
    expect(results.get_by_role("link", name="María José Tzoc Cux")).to_be_visible()
    expect(results).not_to_contain_text("Pedro")
    assert "q=tzo" in page.url  # the search is kept in the address bar
    axe_check_sizes(page, "search page with results")

    with page.expect_response(lambda r: "q=aju" in r.url):
        search.fill("aju")  # "Ajú" without its accent
    expect(results.get_by_role("link", name="Pedro Ajú Xicay")).to_be_visible()
    expect(results).not_to_contain_text("María")

    with page.expect_response(lambda r: "q=maria" in r.url):
        search.fill("maria tz")
    results.get_by_role("link", name="María José Tzoc Cux").click()
    page.wait_for_url(f"**/people/{person.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("María José Tzoc Cux")
    expect(page.get_by_role("heading", name=es("Timeline"))).to_be_visible()
    timeline = page.locator(".amparo-timeline li")
    expect(timeline).to_have_count(1)
    expect(timeline.first).to_contain_text("Registro creado")
    expect(timeline.first).to_contain_text("ana.caseworker")
    expect(page.locator("main")).to_contain_text("A1234567")
    axe_check_sizes(page, "person page")

    # Back to the results: the whole search page comes back, not the bare results fragment.
    page.go_back()
    page.wait_for_url(re.compile(r"/people/\?q=maria(\+|%20)tz$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(es("Find a person"))
    expect(results.get_by_role("link", name="María José Tzoc Cux")).to_be_visible()


def test_register_searches_before_creating_and_explains_errors(page: Page) -> None:
    from playwright.sync_api import expect

    worker = make_user(Role.CASEWORKER, "berta.caseworker")
    existing = register(worker, "María José", "Tzoc", "Cux")

    sign_in(page, "berta.caseworker")
    page.goto("/people/new/")
    axe_check(page, "register form")
    page.locator("#id_given_names").fill("Maria")
    with page.expect_response(lambda r: "/candidates/" in r.url and "first_surname=Tzoc" in r.url):
        page.locator("#id_first_surname").press_sequentially("Tzoc")
    candidates = page.locator("#candidates")
    link = candidates.get_by_role("link", name="María José Tzoc Cux")
    expect(link).to_be_visible()
    assert link.get_attribute("href") == f"/people/{existing.pk}/"
    axe_check(page, "register form with candidates")

    # Registering without answering the question is refused, at the question.
    assert submit(page, "/people/new/").status == 422
    error = page.locator(".usa-form-group", has=page.locator("#id_confirm_new")).locator(
        ".usa-error-message"
    )
    expect(error).to_be_visible()
    expect(error).to_have_text(es("Check the people listed before registering a new record."))
    confirm = page.locator("#id_confirm_new")
    assert confirm.get_attribute("aria-describedby") == error.get_attribute("id")
    expect(candidates.get_by_role("link", name="María José Tzoc Cux")).to_be_visible()
    axe_check(page, "register form, question not answered")

    page.locator("label[for=id_confirm_new]").click()
    expect(confirm).to_be_checked()
    assert submit(page, "/people/new/").status == 302
    expect(page.get_by_role("heading", level=1)).to_have_text("Maria Tzoc")
    assert re.search(r"/people/[0-9a-f-]{36}/$", page.url)
    assert Person.objects.filter(first_surname="Tzoc").count() == 2
    expect(page.locator("main [role=status]")).to_be_visible()  # "registered"
    axe_check(page, "person page after registering")

    # Bad input: a date of birth in the future, refused next to the field, in Spanish.
    page.goto("/people/new/")
    page.locator("#id_given_names").fill("Lucía")
    page.locator("#id_first_surname").fill("Quiej")
    page.locator("#id_birth_date").fill((date.today() + timedelta(days=30)).isoformat())
    assert submit(page, "/people/new/").status == 422
    birth_date = page.locator("#id_birth_date")
    error = page.locator(".usa-form-group", has=birth_date).locator(".usa-error-message")
    expect(error).to_have_text(es("The date of birth cannot be in the future."))
    assert birth_date.get_attribute("aria-invalid") == "true"
    assert error.get_attribute("id") in birth_date.get_attribute("aria-describedby").split()
    expect(page.locator("#id_given_names")).to_have_value("Lucía")  # nothing typed is lost
    assert not Person.objects.filter(first_surname="Quiej").exists()
    axe_check(page, "register form, date of birth in the future")


def test_edit_conflict_saves_nothing_and_lists_the_changed_fields(page: Page) -> None:
    from playwright.sync_api import expect

    worker = make_user(Role.CASEWORKER, "carla.caseworker")
    colleague = make_user(Role.CASEWORKER, "dora.caseworker")
    details = {
        "age_years": 30,
        "age_recorded_on": date(2024, 3, 1),
        "origin_place": "Tapachula",
        "other_languages": ["quc"],
    }
    person = register(worker, "Juan", "Pérez", "López", **details)

    sign_in(page, "carla.caseworker")
    page.goto(f"/people/{person.pk}/edit/")
    axe_check(page, "edit form")
    page.locator("#id_given_names").fill("Juan Carlos")

    # Meanwhile a colleague corrects the second surname.
    person_update(
        actor=colleague,
        person_id=person.pk,
        version=person.version,
        data=PersonInput(
            given_names="Juan", first_surname="Pérez", second_surname="Ordóñez", **details
        ),
    )

    assert submit(page, f"/people/{person.pk}/edit/").status == 409
    alert = page.locator("main [role=alert]").first
    expect(alert).to_contain_text(es("Nothing was saved. These fields now hold other values:"))
    changes = alert.locator("li")
    expect(changes).to_have_count(2)  # the given names and the second surname, nothing else
    expect(changes.filter(has_text=es("Given names"))).to_contain_text("Juan Carlos")
    expect(changes.filter(has_text=es("Second surname"))).to_contain_text("Ordóñez")
    person.refresh_from_db()
    assert (person.given_names, person.second_surname) == ("Juan", "Ordóñez")
    axe_check(page, "edit conflict")

    # Starting again from the saved version saves, and keeps what the form does not show.
    alert.get_by_role("link").click()
    page.wait_for_url(f"**/people/{person.pk}/edit/")
    expect(page.locator("#id_second_surname")).to_have_value("Ordóñez")
    page.locator("#id_given_names").fill("Juan Carlos")
    assert submit(page, f"/people/{person.pk}/edit/").status == 302
    expect(page.get_by_role("heading", level=1)).to_have_text("Juan Carlos Pérez Ordóñez")
    person.refresh_from_db()
    assert person.age_recorded_on == date(2024, 3, 1)
    assert person.origin_place == "Tapachula"
    assert list(person.other_languages.values_list("code", flat=True)) == ["quc"]


def test_caseworker_adds_a_document_and_a_contact_on_the_person_page(page: Page) -> None:
    from playwright.sync_api import expect

    worker = make_user(Role.CASEWORKER, "hilda.caseworker")
    person = register(worker, "Rosa", "Chávez", "Tum")
    sign_in(page, "hilda.caseworker")
    page.goto(f"/people/{person.pk}/")
    main = page.locator("main")
    expect(main).to_contain_text(es("No documents."))

    # The forms stay folded until asked for; without JavaScript <details> opens all the same.
    documents = page.locator("section", has=page.locator("#docs-heading"))
    form = documents.locator("form")
    expect(form).to_be_hidden()
    documents.get_by_text(es("Add an identity document")).click()
    expect(form).to_be_visible()
    form.locator("#document-doc_type").select_option("dpi")
    expect(form.locator("#document-issuing_country")).to_have_value("GT")
    form.locator("#document-number").fill("1234 5678")

    # A DPI has 13 digits: refused next to the number, in Spanish, with what was typed kept.
    assert submit_form(page, form, f"/people/{person.pk}/documents/").status == 422
    number = page.locator("#document-number")
    expect(number).to_be_visible()  # the form with the error is open again
    error = page.locator(".usa-form-group", has=number).locator(".usa-error-message")
    expect(error).to_have_text(es("A DPI number has 13 digits."))
    assert number.get_attribute("aria-invalid") == "true"
    assert error.get_attribute("id") in number.get_attribute("aria-describedby").split()
    expect(number).to_have_value("1234 5678")
    assert not person.documents.exists()
    axe_check(page, "person page, document refused")

    number.fill("1234 56789 0101")
    assert submit_form(page, form, f"/people/{person.pk}/documents/").status == 302
    assert page.url.endswith(f"/people/{person.pk}/")
    expect(page.locator("main [role=status]")).to_have_text(es("Identity document added"))
    expect(page.locator("#documents")).to_contain_text("1234 56789 0101")
    expect(form).to_be_hidden()  # folded again after success

    contacts = page.locator("section", has=page.locator("#contacts-heading"))
    contacts.get_by_text(es("Add a contact")).click()
    form = contacts.locator("form")
    form.locator("#contact-kind").select_option("whatsapp")
    form.locator("#contact-value").fill("+502 5555 1234")
    form.locator("#contact-country").select_option("GT")
    form.locator("#contact-note").fill("Teléfono de su hermana")
    assert submit_form(page, form, f"/people/{person.pk}/contacts/").status == 302
    expect(page.locator("main [role=status]")).to_have_text(es("Contact added"))
    expect(page.locator("#contacts")).to_contain_text("+502 5555 1234")
    expect(page.locator("#contacts")).to_contain_text("Teléfono de su hermana")
    timeline = page.locator(".amparo-timeline")
    expect(timeline).to_contain_text(es("Identity document added"))
    expect(timeline).to_contain_text(es("Contact added"))
    assert [c.value for c in person.contacts.all()] == ["+502 5555 1234"]

    # Every form open at once, at a phone's width and at a desktop's.
    for summary in page.locator("main details > summary").all():
        summary.click()
    expect(page.locator("#name-given_names")).to_be_visible()
    expect(page.locator("#related_q")).to_be_visible()
    axe_check_sizes(page, "person page with its forms open")


def test_language_switch_to_english_and_back(page: Page) -> None:
    from playwright.sync_api import expect

    worker = make_user(Role.CASEWORKER, "elena.caseworker")
    person = register(worker, "Rosa", "Chávez")
    sign_in(page, "elena.caseworker")
    page.goto(f"/people/{person.pk}/")
    assert lang(page) == "es"
    expect(page.get_by_role("heading", name=es("Timeline"))).to_be_visible()

    switch_language(page)
    assert page.url.endswith(f"/people/{person.pk}/")  # the same page
    assert lang(page) == "en"
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    expect(page.locator(".amparo-language button")).to_have_text("Español")
    axe_check(page, "person page in English")
    assert User.objects.get(username="elena.caseworker").language == "en"

    page.goto("/")
    assert lang(page) == "en"  # the choice holds
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Elena")
    switch_language(page)
    assert lang(page) == "es"
    expect(page.get_by_role("heading", level=1)).to_have_text(
        es("Welcome, %(name)s") % {"name": "Elena"}
    )
    expect(page.locator(".amparo-language button")).to_have_text("English")
    axe_check(page, "home page back in Spanish")


def test_administrator_must_enter_the_second_factor(
    page: Page, live_server: Any, settings: Any
) -> None:
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from playwright.sync_api import expect

    # After a wrong code the device waits before it accepts another: long enough here that
    # the test cannot outrun it.
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    admin = make_user(Role.INSTITUTION_ADMIN, "fabiola.admin")
    device = TOTPDevice.objects.create(user=admin, name="teléfono", confirmed=True)

    sign_in(page, "fabiola.admin")
    assert page.url.endswith("/accounts/verify/")
    expect(page.get_by_role("heading", level=1)).to_have_text(es("Second factor"))
    axe_check(page, "second-factor page")
    page.goto("/")  # nothing else is reachable before the code
    assert page.url.endswith("/accounts/verify/")

    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    page.locator("#id_token").fill("000000" if code != "000000" else "111111")
    assert submit(page, "/accounts/verify/").status == 400
    token = page.locator("#id_token")
    assert token.get_attribute("aria-invalid") == "true"
    wrong_code = page.locator("#token-error").inner_text()
    axe_check(page, "second-factor page, wrong code")

    # Right after a wrong code the device refuses even the right one for a moment: the page
    # says so instead of calling the right code wrong.
    token.fill(code)
    assert submit(page, "/accounts/verify/").status == 400
    assert page.locator("#token-error").inner_text() not in ("", wrong_code)
    device.refresh_from_db()
    device.throttle_reset()  # as if the administrator waited

    token.fill(code)
    assert submit(page, "/accounts/verify/").status == 302
    assert page.url == live_server.url + "/"
    assert lang(page) == "es"
    expect(page.get_by_role("heading", level=1)).to_have_text(
        es("Welcome, %(name)s") % {"name": "Fabiola"}
    )
    axe_check(page, "administrator's home page")


def test_lockout_after_five_wrong_passwords(page: Page) -> None:
    from playwright.sync_api import expect

    make_user(Role.CASEWORKER, "gloria.caseworker")
    for attempt in range(5):
        response = sign_in(page, "gloria.caseworker", "no-es-la-clave", check=attempt == 0)
        if attempt == 0:
            assert response.status == 200
            expect(page.locator("main [role=alert]")).to_be_visible()
            expect(page.locator("#id_username")).to_have_value("gloria.caseworker")
            expect(page.locator("#id_password")).to_have_value("")  # never sent back
            assert "no-es-la-clave" not in page.content()
            axe_check(page, "sign-in page, wrong password")

    response = sign_in(page, "gloria.caseworker", check=False)  # the right password, too late
    assert response.status == 429
    assert lang(page) == "es"
    expect(page.get_by_role("heading", level=1)).to_have_text(es("Account locked"))
    axe_check(page, "locked-out page")
    page.goto("/")
    assert "/accounts/login/" in page.url  # still signed out
