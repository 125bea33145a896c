"""A focal point reports progress on a phone in a real browser; the portal and the pages of the
recommendations app have no WCAG 2.2 AA violation (axe-core), at phone and desktop widths."""

from __future__ import annotations

from typing import Any

import pytest

from amparo.core.models import Role
from amparo.recommendations import actions

from . import test_browser as tb
from .matrix_recommendations import recs_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = tb.browser
page = tb.page
watch = tb.watch


def test_focal_point_reports_progress_and_the_portal_is_accessible(
    page: Any, live_reference: None
) -> None:
    from playwright.sync_api import expect

    holder = tb.make_user(Role.CASEWORKER, "ana.minex")
    counter = {"n": 0}

    def make_user(role: str, institution: str) -> Any:
        counter["n"] += 1
        return tb.make_user(role, f"u{counter['n']}.{institution.lower()}", institution)

    w = recs_world(make_user, holder)
    rec = w["rec"]
    tb.sign_in(page, w["focal"].username, check=False)
    page.set_viewport_size(tb.PHONE)
    page.goto(f"/recommendations/items/{rec.pk}/")
    tb.axe_check(page, "recommendation, focal point")

    # Without evidence: refused, the message at the field.
    form = page.locator(f"form[action='/recommendations/items/{rec.pk}/updates/']")
    form.locator("#update-text").fill("El registro funciona en tres departamentos")
    form.locator("#update-proposed_status").select_option("in_progress")
    response = tb.submit_form(page, form, f"/recommendations/items/{rec.pk}/updates/")
    assert response.status == 422
    expect(page.locator("#update-evidence-error")).to_be_visible()
    tb.axe_check(page, "recommendation, update refused")
    form = page.locator(f"form[action='/recommendations/items/{rec.pk}/updates/']")
    form.locator("#update-evidence").fill("Informe técnico DGM-45")
    response = tb.submit_form(page, form, f"/recommendations/items/{rec.pk}/updates/")
    assert response.status == 303
    expect(page.get_by_text("Informe técnico DGM-45")).to_be_visible()

    for url, where in (
        ("/recommendations/", "list"),
        (f"/recommendations/documents/{w['loipr'].pk}/", "document"),
        ("/recommendations/late/", "who is late"),
    ):
        page.goto(url)
        tb.axe_check_sizes(page, where)

    actions.recommendation_publish(
        actor=w["coordinator"], recommendation_id=rec.pk, public=True, version=None
    )
    anonymous = page.context.browser.new_context()
    visitor = anonymous.new_page()
    visitor.goto(page.url.split("/recommendations")[0] + "/recommendations/portal/?q=register")
    tb.axe_check_sizes(visitor, "portal")
    visitor.goto(page.url.split("/recommendations")[0] + f"/recommendations/portal/{rec.pk}/")
    tb.axe_check_sizes(visitor, "portal recommendation")
    anonymous.close()
