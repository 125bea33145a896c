"""A caseworker works a child-reception case in a real browser (Debian's chromium, headless):
opens it for a person, completes a task, fills in a protocol form drawn from its JSON Schema
and takes a step; axe-core finds no WCAG 2.2 AA violation at a phone's and a desktop's width.

The browser, the live pages and axe come from test_browser.py (its fixtures and helpers are
reused, not copied); the reference data from conftest's `live_reference`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from amparo.cases.models import Case
from amparo.core.models import Role

from . import test_browser as tb

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The browser fixtures of test_browser.py, made available to this module's tests.
browser = tb.browser
page = tb.page
watch = tb.watch


def test_caseworker_opens_a_case_completes_a_task_fills_a_form_and_takes_a_step(
    page: Any, live_reference: None
) -> None:
    from playwright.sync_api import expect

    worker = tb.make_user(Role.CASEWORKER, "lucia.caseworker")
    child = tb.register(worker, "Ana Lucía", "Cux", "Tzul", birth_date=date(2012, 4, 3))

    tb.sign_in(page, "lucia.caseworker", check=False)
    # The way in: "Cases" in the navigation.
    expect(page.get_by_role("link", name=tb.es("Cases"), exact=True)).to_be_visible()

    page.goto(f"/cases/new/?person={child.pk}")
    expect(page.get_by_role("heading", level=1)).to_have_text(tb.es("Open a case"))
    expect(page.locator("main")).to_contain_text("Ana Lucía Cux Tzul")
    tb.axe_check_sizes(page, "open-a-case page")
    page.get_by_text("Recepción y atención de niñez y adolescencia migrante").click()
    assert tb.submit(page, "/cases/new/").status == 302
    case = Case.objects.get(person=child)
    assert page.url.endswith(f"/cases/{case.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Recepción y atención de niñez y adolescencia migrante"
    )
    stage = page.locator("#stage")
    expect(stage).to_have_text("Protección consular")
    tb.axe_check_sizes(page, "case page, just opened")

    # The task the first step needs.
    row = page.locator("tr", has_text="Notificar a la familia")
    done_path = f"/cases/{case.pk}/tasks/{case.tasks.get(code='notify_family').pk}/done/"
    assert tb.submit_form(page, row.locator("form"), done_path).status == 302
    expect(page.locator("tr", has_text="Notificar a la familia")).to_contain_text(tb.es("done"))

    # The reception record, drawn from the protocol's JSON Schema.
    section = page.locator("div", has=page.locator("#form-reception_record")).last
    section.locator("summary").click()
    form = section.locator("form")
    expect(form).to_be_visible()
    form.locator("label[for='reception_record-accompanied']").click()
    form.locator("#reception_record-arrival_point").fill("Aeropuerto La Aurora")
    form.locator("#reception_record-returned_from").select_option("MX")
    form.locator("#reception_record-health_observations").fill("Deshidratación leve.")
    tb.axe_check_sizes(page, "case page, reception record open")
    assert tb.submit_form(page, form, f"/cases/{case.pk}/forms/reception_record/").status == 302
    expect(page.locator("main [role=status]")).to_contain_text("Registro de recepción")
    case.refresh_from_db()
    assert case.data["reception_record"] == {
        "accompanied": True,
        "arrival_point": "Aeropuerto La Aurora",
        "returned_from": "MX",
        "health_observations": "Deshidratación leve.",
    }

    # The step: the case moves to reception, and the page says so.
    step = page.locator("#step-receive")
    expect(step).to_contain_text(tb.es("done"))  # its required task
    assert tb.submit_form(page, step.locator("form"), f"/cases/{case.pk}/steps/").status == 302
    expect(stage).to_have_text("Recepción")
    expect(page.locator("main [role=status]")).to_contain_text("Recepción")
    expect(page.locator("tr", has_text="Evaluación de salud")).to_be_visible()  # new tasks
    expect(page.locator(".amparo-timeline li").first).to_contain_text(tb.es("Step taken"))
    assert re.search(r"/cases/[0-9a-f-]{36}/#stage$", page.url)
    case.refresh_from_db()
    assert case.stage == "reception"
    tb.axe_check_sizes(page, "case page, after the step")
