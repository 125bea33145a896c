"""Someone checks a recruiter and reports a fraud on a phone, without signing in, in Spanish and
in English; the ministry's recruiter page and the offer page with its worker picker. axe-core
finds no WCAG 2.2 AA violation on these pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from amparo.core.models import Role
from amparo.labour import actions
from amparo.labour.models import FraudReport
from amparo.labour.names import tax_number_with_check

from . import test_browser as tb

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = tb.browser
page = tb.page
watch = tb.watch
fast_passwords = tb.fast_passwords


def _authorised() -> Any:
    chief = tb.make_user(Role.SUPERVISOR, "beatriz.mintrab", institution="MINTRAB")
    recruiter = actions.recruiter_apply(
        actor=chief,
        data=actions.RecruiterInput(
            kind="organisation",
            name="Agencia Laboral Los Altos, S.A.",
            tax_number=tax_number_with_check("1234567"),
            countries=["CA"],
            sectors=["agriculture"],
            documents=["Escritura"],
            representative="Ana López",
        ),
    )
    today = timezone.localdate()
    actions.recruiter_decide(
        actor=chief,
        recruiter_id=recruiter.pk,
        data=actions.DecisionInput("authorise", valid_until=today + timedelta(days=300)),
    )
    return recruiter


def test_anyone_checks_a_recruiter_and_reports_a_fraud_on_a_phone(
    page: Any, live_reference: None
) -> None:
    from playwright.sync_api import expect

    cache.clear()
    recruiter = _authorised()
    page.set_viewport_size(tb.PHONE)
    page.goto("/labour/check/")
    assert tb.lang(page) == "es"
    tb.axe_check(page, "public check, empty")
    page.fill("#id_q", "los altos")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.get_by_text(recruiter.number)).to_be_visible()
    expect(page.locator(".usa-card .usa-tag.bg-success-darker")).to_be_visible()
    assert "Ana López" not in page.content()
    tb.axe_check(page, "public check, found")
    tb.switch_language(page)
    page.goto("/labour/check/?q=los+altos")
    expect(page.get_by_text("Authorised today")).to_be_visible()
    tb.switch_language(page)

    page.goto("/labour/report/")
    tb.axe_check(page, "fraud report, empty")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator("#error-summary")).to_be_visible()
    tb.axe_check(page, "fraud report, refused")
    page.fill("#id_recruiter_name", "Don Chepe")
    page.fill("#id_description", "Me pidió Q. 3,000 por una visa de trabajo a Canadá")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator(".usa-alert--success")).to_be_visible()
    assert FraudReport.objects.get().reporter_name == ""


def test_the_ministry_works_the_register_and_an_offer(page: Any, live_reference: None) -> None:
    from playwright.sync_api import expect

    from .matrix_labour import labour_world

    recruiter = _authorised()
    clerk = tb.make_user(Role.SUPERVISOR, "marta.mintrab", institution="MINTRAB")
    made = iter(range(1000))

    def make(role: str, institution: str) -> Any:
        return tb.make_user(role, f"u{next(made)}.{institution.lower()}", institution=institution)

    world = labour_world(make, clerk, tb.register(clerk, "Juan", "Pérez", "Xol"))
    tb.sign_in(page, "marta.mintrab", check=False)
    page.set_viewport_size(tb.PHONE)
    page.goto(f"/labour/recruiters/{recruiter.pk}/")
    expect(page.get_by_role("heading", name=recruiter.name)).to_be_visible()
    tb.axe_check(page, "recruiter page")
    page.goto(f"/labour/offers/{world['offer'].pk}/")
    expect(page.get_by_text("Juan Pérez Xol")).to_be_visible()
    tb.axe_check(page, "offer page")
