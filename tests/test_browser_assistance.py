"""A support-line operator logs a call in a real browser (Debian's chromium, headless), with
the keyboard only and at a phone's width: the first field has the focus, the person is found
and chosen without leaving the form, Enter sends it, and the contact is listed. axe-core finds
no WCAG 2.2 AA violation on the contact page, the contacts list and a civil registry entry.

The browser, the live pages and axe come from test_browser.py (its fixtures and helpers are
reused, not copied); the reference data from conftest's `live_reference`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import translation

from amparo.assistance.actions import CivilRegistrationInput, civil_registration_record
from amparo.assistance.models import CivilRegistration, SupportContact
from amparo.core.models import Country, Role

from . import test_browser as tb

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The browser fixtures of test_browser.py, made available to this module's tests.
browser = tb.browser
page = tb.page
watch = tb.watch

CONTACT_NEW = "/assistance/contacts/new/"


def _focused(page: Any) -> dict[str, str]:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            return {name: el.name || '', id: el.id || '', tag: el.tagName.toLowerCase(),
                    outline: style.outlineStyle + ' ' + style.outlineWidth};
        }"""
    )


def _tab_to(page: Any, name: str, limit: int = 20) -> None:
    """Press Tab until the field called `name` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if _focused(page)["name"] == name:
            return
    pytest.fail(f"Tab never reached the field {name!r}; stuck at {_focused(page)}")


def test_operator_logs_a_contact_with_the_keyboard_on_a_phone(
    page: Any, live_reference: None
) -> None:
    from playwright.sync_api import expect

    operator = tb.make_user(Role.OPERATOR, "rosa.operadora")
    person = tb.register(operator, "Juan", "Ixcoy", "Tol", birth_date=date(1988, 2, 11))
    with translation.override("es"):
        united_states = Country.objects.get(code="US").name
        information = str(SupportContact.Outcome.INFORMATION.label)

    tb.sign_in(page, "rosa.operadora", check=False)
    page.set_viewport_size(tb.PHONE)
    page.goto(CONTACT_NEW)
    # The first field has the focus, and the focus is visible.
    focused = _focused(page)
    assert focused["id"] == "contact-reason", focused
    assert not focused["outline"].startswith("none"), focused
    tb.axe_check_sizes(page, "contact page")

    # Reason, channel (a call: already chosen), outcome, caller's country and city: typed.
    page.keyboard.type("Informaci")  # "Información general"
    _tab_to(page, "outcome")
    page.keyboard.type(information[:6])
    _tab_to(page, "caller_country")
    page.keyboard.type(united_states[:9])
    _tab_to(page, "caller_city")
    page.keyboard.type("Houston")

    # The person: searched for and chosen without leaving the form.
    page.keyboard.press("Tab")
    assert _focused(page)["id"] == "contact-person-q"
    options = page.locator("#contact-person-options")
    with page.expect_response(lambda r: "/assistance/people/" in r.url and "q=ixcoy" in r.url):
        page.keyboard.type("ixcoy")
    choice = options.get_by_label("Juan Ixcoy Tol", exact=False)
    expect(choice).to_be_visible()
    tb.axe_check(page, "contact page with people found")
    _tab_to(page, "person")  # the group's chosen radio: "nobody"
    assert _focused(page)["id"] == "contact-person-none"
    page.keyboard.press("ArrowDown")
    expect(choice).to_be_checked()

    # Enter in the last field sends the contact: one request, then a fresh form.
    _tab_to(page, "duration_seconds")
    page.wait_for_timeout(1100)  # the call timer has counted at least a second
    with page.expect_response(tb.posted_to(CONTACT_NEW)) as posted, page.expect_navigation():
        page.keyboard.press("Enter")
    assert posted.value.status == 303
    expect(page.locator("main [role=status]")).to_be_visible()
    assert page.url.endswith(CONTACT_NEW)
    assert _focused(page)["id"] == "contact-reason"  # ready for the next call
    expect(page.locator("#contact-caller_city")).to_have_value("")

    contact = SupportContact.objects.get()
    assert (contact.reason_id, contact.channel, contact.outcome) == (
        "information",
        "call",
        "information",
    )
    assert (contact.caller_country_id, contact.caller_city) == ("US", "Houston")
    assert contact.person == person and contact.recorded_by == operator
    assert contact.duration_seconds >= 1  # filled in by the timer

    latest = page.locator("section", has=page.locator("#latest-heading"))
    expect(latest.get_by_role("link", name="Juan Ixcoy Tol")).to_be_visible()
    tb.axe_check_sizes(page, "contact page after logging")

    # The contacts list shows it, with the figures.
    page.goto("/assistance/contacts/")
    expect(page.locator("main table").last).to_contain_text("Juan Ixcoy Tol")
    expect(page.locator("main table").last).to_contain_text("Houston")
    tb.axe_check_sizes(page, "contacts list")


def test_civil_registry_entry_is_sent_from_its_page(page: Any, live_reference: None) -> None:
    from playwright.sync_api import expect

    worker = tb.make_user(Role.CASEWORKER, "lucia.consulado")
    child = tb.register(worker, "Luis", "Ajú", "Coc", birth_date=date(2020, 5, 2))
    record = civil_registration_record(
        actor=worker,
        data=CivilRegistrationInput(
            kind="birth",
            person_id=child.pk,
            site="US_LOS_ANGELES",
            event_date=date(2020, 5, 2),
            event_country="US",
            event_place="Los Angeles, CA",
        ),
    )
    tb.sign_in(page, "lucia.consulado", check=False)
    page.goto(f"/assistance/civil-registry/{record.pk}/")
    expect(page.locator("main")).to_contain_text("Luis Ajú Coc")
    tb.axe_check_sizes(page, "civil registry entry")
    step = page.locator("#step-sent")
    path = f"/assistance/civil-registry/{record.pk}/step/"
    assert tb.submit_form(page, step, path).status == 303
    with translation.override("es"):
        sent = str(CivilRegistration.Status.SENT.label)
    expect(page.locator("#status")).to_have_text(sent)
    expect(page.locator(".amparo-timeline li")).to_have_count(2)
    tb.axe_check_sizes(page, "civil registry entry, sent")
