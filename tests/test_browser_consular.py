"""A consul records a service on a phone (375 px): the confirmation is on screen after the
save, not scrolled away above the fold (issue 14), and the page is axe-clean."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from amparo.cases.models import ServiceDelivery
from amparo.core.models import Role
from amparo.people.actions import DocumentInput

from . import test_browser as tb

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = tb.browser
page = tb.page
watch = tb.watch

SERVICES = "/assistance/consular/services/"


def _within_viewport(page: Any, selector: str) -> dict[str, float]:
    return page.locator(selector).first.evaluate(
        """e => { const r = e.getBoundingClientRect();
                  return {top: r.top, bottom: r.bottom, height: innerHeight}; }"""
    )


def test_the_confirmation_of_a_service_is_on_screen_on_a_phone(
    page: Any, live_reference: None
) -> None:
    from playwright.sync_api import expect

    consul = tb.make_user(Role.CASEWORKER, "ana.consul")
    tb.register(
        consul,
        "Juana Isabel",
        "Chávez",
        "Pop",
        documents=[DocumentInput("passport", "A7654321", "GT")],
        sex="F",
        birth_date=date(1994, 8, 3),
        origin_municipality="1301",
    )
    tb.sign_in(page, "ana.consul", check=False)
    page.set_viewport_size(tb.PHONE)
    page.goto("/assistance/consular/")
    page.fill("#service-person-q", "chavez")
    choice = page.locator("#service-person-options label", has_text="Juana Isabel Chávez Pop")
    expect(choice).to_be_visible()
    choice.click()
    page.select_option("#service-kind", "passport")
    page.select_option("#service-site", "us-los-angeles")
    with page.expect_response(tb.posted_to(SERVICES)) as posted, page.expect_navigation():
        page.get_by_role("button", name="Registrar el servicio").click()
    assert posted.value.status == 303
    assert ServiceDelivery.objects.filter(kind="passport", person__first_surname="Chávez").exists()
    status = "main [role=status]"
    expect(page.locator(status).first).to_contain_text("Servicio registrado")
    box = _within_viewport(page, status)
    assert 0 <= box["top"] and box["bottom"] <= box["height"], box
    tb.axe_check_sizes(page, "consular page after a service")
