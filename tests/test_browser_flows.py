"""A border officer enters a day's counts on a phone; a supervisor reads the dashboard at a
phone's width (charts as server-rendered SVG, no horizontal scrolling) and acknowledges an
alert. axe-core finds no WCAG 2.2 AA violation on the flows pages."""

from __future__ import annotations

from typing import Any

import pytest

from amparo.core.models import Role
from amparo.flows import actions
from amparo.flows.models import FlowCount, PhaseChange

from . import test_browser as tb
from .test_flows_app import POINT, load_counts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = tb.browser
page = tb.page
watch = tb.watch


def _no_horizontal_scroll(page: Any) -> None:
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= tb.PHONE["width"] + 1, f"page is {width}px wide at {page.url}"


def test_counts_on_a_phone_and_the_alert_dashboard(page: Any, live_reference: None) -> None:
    from playwright.sync_api import expect

    officer = tb.make_user(Role.OPERATOR, "ana.igm", institution="IGM")
    assert officer.institution.code == "IGM"
    tb.sign_in(page, "ana.igm", check=False)
    page.set_viewport_size(tb.PHONE)
    page.goto("/flows/entry/")
    tb.axe_check(page, "count entry, empty")
    # Sent empty: the messages are at their fields and nothing is saved.
    assert tb.submit(page, "/flows/entry/").status == 422
    expect(page.locator("#error-summary")).to_be_visible()
    tb.axe_check(page, "count entry, refused")
    page.select_option("#id_site", POINT)
    page.fill("#id_date", "2019-01-16")
    page.select_option("#id_nationality", "HN")
    page.fill("#id_adults", "120")
    page.fill("#id_unaccompanied_children", "7")
    assert tb.submit(page, "/flows/entry/").status == 303
    assert FlowCount.objects.filter(date="2019-01-16").count() == 2
    _no_horizontal_scroll(page)

    load_counts()
    supervisor = tb.make_user(Role.SUPERVISOR, "luis.supervisor")
    actions.detection_request(actor=supervisor)
    page.context.clear_cookies()
    tb.sign_in(page, "luis.supervisor", check=False)
    page.set_viewport_size(tb.PHONE)
    page.goto("/flows/")
    expect(page.locator("main svg").first).to_be_visible()
    tb.axe_check(page, "dashboard")
    _no_horizontal_scroll(page)
    change = PhaseChange.objects.filter(key=POINT, to_phase="alert").latest("on")
    page.goto(f"/flows/alerts/{change.pk}/")
    tb.axe_check(page, "alert")
    page.fill("#id_note", "Visto; plan activado")
    assert tb.submit(page, f"/flows/alerts/{change.pk}/acknowledge/").status == 303
    change.refresh_from_db()
    assert change.acknowledged_by == supervisor
    page.goto("/flows/tasks/")
    tb.axe_check(page, "tasks")
    _no_horizontal_scroll(page)
