"""A consular officer records a missing-person report at a phone's width in a real browser:
the missing person is searched for and chosen without leaving the form, a refused form shows
the messages at their fields, and the report page follows. axe-core finds no WCAG 2.2 AA
violation on the report pages, the remains pages and the family-tracing pages.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from amparo.core.models import Role
from amparo.tracing import actions
from amparo.tracing.models import MissingReport

from . import test_browser as tb

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = tb.browser
page = tb.page
watch = tb.watch

REPORT_NEW = "/tracing/reports/new/"


def _send(page: Any) -> Any:
    """Click the report form's own button (the pickers' search buttons are inside it too)."""
    with page.expect_response(tb.posted_to(REPORT_NEW)) as posted, page.expect_navigation():
        page.locator("main form > button[type=submit]").click()
    return posted.value


def test_consular_officer_records_a_missing_person_report_on_a_phone(
    page: Any, live_reference: None
) -> None:
    from playwright.sync_api import expect

    officer = tb.make_user(Role.CASEWORKER, "marta.consulado")
    tb.register(officer, "Pedro", "Xol", "Caal", birth_date=date(2001, 4, 3), nationality="GT")

    tb.sign_in(page, "marta.consulado", check=False)
    page.set_viewport_size(tb.PHONE)
    page.goto(REPORT_NEW)
    tb.axe_check(page, "new report, empty")

    # Sent empty: messages at their fields, nothing saved.
    response = _send(page)
    assert response.status == 422
    expect(page.locator("#error-summary")).to_be_visible()
    tb.axe_check(page, "new report, refused")

    # The missing person is found and chosen without leaving the form.
    with page.expect_response(lambda r: "/tracing/people/" in r.url and "q=xol" in r.url):
        page.locator("#report-person-q").fill("xol")
    choice = page.locator("#report-person-options").get_by_label("Pedro Xol Caal", exact=False)
    expect(choice).to_be_visible()
    page.locator("#report-person-options label", has_text="Pedro Xol Caal").click()
    expect(choice).to_be_checked()
    page.locator("label[for=report-channel_2]").click()  # at a consulate
    page.select_option("#report-last_seen_country", "MX")
    page.fill("#report-last_seen_place", "Tapachula, Chiapas")
    page.fill("#report-last_seen_on", "2024-03-01")
    page.fill("#report-description", "1,60 m; cicatriz en la ceja izquierda")
    page.fill("#report-clothing", "Chumpa azul, mochila negra")
    page.fill("#report-reporter_name", "Juana Caal")
    page.fill("#report-reporter_relation", "madre")
    page.fill("#report-reporter_contact", "+502 5555 1234")
    page.locator("label[for=report-reference_sample]").click()
    page.fill("#report-sample_held_by", "INACIF")
    page.fill("#report-sample_reference", "REF-2024-001")
    tb.axe_check(page, "new report, filled in")
    response = _send(page)
    assert response.status == 303, page.content()[:2000]

    report = MissingReport.objects.get()
    assert report.person.given_names == "Pedro" and report.last_seen_country_id == "MX"
    assert report.reference_sample and report.sample_reference == "REF-2024-001"
    expect(page.locator("h1")).to_contain_text("Pedro Xol Caal")
    tb.axe_check_sizes(page, "report page")
    page.goto("/tracing/reports/")
    expect(page.locator("main table")).to_contain_text("Pedro Xol Caal")
    tb.axe_check_sizes(page, "reports list")
    page.goto("/tracing/figures/")
    tb.axe_check(page, "figures")

    # Family tracing: the list, the form and a request's page.
    child = tb.register(officer, "Ana", "Xol", "Caal")
    request = actions.tracing_open(
        actor=officer,
        data=actions.TracingInput(
            child_id=child.pk,
            child_where="returned",
            relatives=[actions.RelativeSought("Rosa Caal", "mother", "US", "Houston")],
        ),
    )
    for path in ("/tracing/family/", "/tracing/family/new/", f"/tracing/family/{request.pk}/"):
        page.goto(path)
        tb.axe_check_sizes(page, path)


def test_remains_pages_are_accessible(page: Any, live_reference: None) -> None:
    tb.make_user(Role.CASEWORKER, "ines.forense", institution="INACIF")
    from amparo.core.models import User

    forensic = User.objects.get(username="ines.forense")
    remains = actions.remains_record(
        actor=forensic,
        data=actions.RemainsInput(
            reference="INACIF-2024-77",
            found_on=date(2024, 4, 2),
            found_country="GT",
            found_place="Aldea El Naranjo, Petén",
            age_min=18,
            age_max=30,
            sex="M",
            burial_place="Cementerio municipal de La Libertad",
            grave_reference="Sector B, fosa 12",
        ),
    )
    tb.sign_in(page, "ines.forense", check=False)
    for path in ("/tracing/remains/", "/tracing/remains/new/", f"/tracing/remains/{remains.pk}/"):
        page.goto(path)
        tb.axe_check_sizes(page, path)
