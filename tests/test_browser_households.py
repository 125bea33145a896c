"""The returning family's path in a real browser (Debian's chromium, headless): a SOSEP
caseworker finds the mother's page, creates her household there with her son (a relation on
record), adds her husband on the household page, opens the reintegration case from the
mother's page and finds it on the son's. Every page is checked with axe-core at a phone's and
a desktop's width, with its folded forms open, and none may be wider than the screen.

The browser, the live pages and axe come from test_browser.py; the reference data from
conftest's `live_reference`."""

from __future__ import annotations

from typing import Any

import pytest

from amparo.cases.models import Case
from amparo.core.models import Role
from amparo.people.actions import DocumentInput, relation_add
from amparo.people.models import Household

from . import test_browser as tb

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = tb.browser
page = tb.page
watch = tb.watch


def check_widths(page: Any, where: str) -> None:
    """axe-clean and no wider than the screen, at 375 and 1280 px, every folded form open."""
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    for size in (tb.PHONE, tb.DESKTOP):
        page.set_viewport_size(size)
        tb.axe_check(page, f"{where}, {size['width']} px")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= size["width"], f"{where}: {width} px wide on a {size['width']} px screen"
    page.set_viewport_size(tb.PHONE)


def test_a_returning_family_gets_its_household_and_its_reintegration_case(
    page: Any, live_reference: None
) -> None:
    worker = tb.make_user(Role.CASEWORKER, "trabajadora.hogar", institution="SOSEP")
    common = {"nationality": "GT", "origin_municipality": "0901"}
    mother = tb.register(
        worker,
        "Juana Micaela",
        "Cux",
        "Tzul",
        age_years=41,
        documents=[DocumentInput("dpi", "2612345670901", "GT")],
        **common,
    )
    son = tb.register(worker, "Mateo", "Tzul", "Cux", age_years=12, **common)
    father = tb.register(worker, "Pedro", "Tzul", "Ajú", age_years=44, **common)
    relation_add(actor=worker, from_person_id=mother.pk, to_person_id=son.pk, kind="parent")
    page.set_viewport_size(tb.PHONE)
    tb.sign_in(page, worker.username, check=False)

    page.goto(f"/people/{mother.pk}/")
    check_widths(page, "the mother's page")
    household_form = page.locator(f"form[action='/people/{mother.pk}/households/']")
    household_form.get_by_label(tb.es("Name of the household")).fill("Hogar Cux Tzul")
    household_form.get_by_label("Mateo Tzul Cux").select_option("child")
    tb.submit_form(page, household_form, f"/people/{mother.pk}/households/")
    household = Household.objects.get()
    assert page.url.endswith(f"/people/households/{household.pk}/")

    # The husband is found by name on the household page and added as the head's spouse.
    page.locator("summary", has_text=tb.es("Add a member")).click()
    search = page.locator("form[role=search]")
    search.get_by_label(tb.es("Find the person to add")).fill("pedro tzul")
    with page.expect_navigation():
        search.get_by_role("button").click()
    add = page.locator(f"form[action='/people/households/{household.pk}/members/']")
    add.locator("#member-person").select_option(str(father.pk))
    add.get_by_label(tb.es("Relation to the head of household")).select_option("spouse")
    tb.submit_form(page, add, f"/people/households/{household.pk}/members/")
    check_widths(page, "the household page")
    assert household.members.count() == 3

    # The mother's page opens the reintegration case on the household, chosen already.
    page.goto(f"/people/{mother.pk}/")
    open_case = page.locator("#open-case form")
    page.locator("#open-case summary").click()
    open_case.locator("#hub-protocol").select_option("returnee_reintegration")
    tb.submit_form(page, open_case, "/cases/new/")
    case = Case.objects.get()
    assert (case.person_id, case.household_id) == (mother.pk, household.pk)

    page.goto(f"/people/{son.pk}/")
    check_widths(page, "the son's page")
    assert page.locator(f"#person-cases a[href='/cases/{case.pk}/']").is_visible()
