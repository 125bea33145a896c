"""Every national protocol walked end to end in a real browser (Debian's chromium, headless).

For each protocol a caseworker of its first owner institution opens a case, then follows the
shortest path of steps to a final stage on the case page: marks the required tasks done, fills
in the required forms (drawn from their JSON Schema, filled in generically from it) and takes
each step, choosing a reason when the step closes the case. A step that needs approval waits
for a supervisor of the same team, who signs in and approves it on the case page. At the end the
page shows the case closed, and axe-core finds no WCAG 2.2 AA violation at a phone's width.

A protocol that serves a household is opened on the same page, choosing the person's
household.

The browser, the live pages and axe come from test_browser.py (its fixtures and helpers are
reused, not copied); the reference data from conftest's `live_reference`.
"""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
from django.utils import timezone

from amparo.cases.forms import property_label
from amparo.cases.labels import form_title, task_title, transition_name
from amparo.cases.models import Case
from amparo.cases.protocol import Protocol, TransitionSpec, protocols_latest
from amparo.core.models import Role
from amparo.demo.cases import MARKERS_FOR, _path, sample
from amparo.people.actions import household_create

from . import test_browser as tb
from .conftest import register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The browser fixtures of test_browser.py, made available to this module's tests.
browser = tb.browser
page = tb.page
watch = tb.watch

PROTOCOLS = protocols_latest()


def shortest_closing_path(protocol: Protocol) -> list[TransitionSpec]:
    """The transitions to the final stage reachable by the fewest steps."""
    paths = [
        p
        for s in protocol.stages.values()
        if s.final and (p := _path(protocol, s.code)) is not None
    ]
    assert paths, f"{protocol.code}: no final stage is reachable"
    return min(paths, key=len)


def label_of(name: str, prop: dict[str, Any]) -> re.Pattern[str]:
    """The accessible name of a field of a protocol form (a required one ends in "*")."""
    return re.compile(rf"^{re.escape(property_label(name, prop))}( \*)?$")


def tick(box: Any) -> None:
    """Tick a USWDS checkbox or radio button: its input is drawn off-screen, the person
    clicks its label."""
    from playwright.sync_api import expect

    box.page.locator(f"label[for='{box.get_attribute('id')}']").click()
    expect(box).to_be_checked()


def fill_schema_form(form: Any, schema: dict[str, Any], rng: random.Random) -> None:
    """Fill in a form drawn from a JSON Schema, field by field as a person would: required
    boxes ticked, the first real option of a list, the first box of a group, valid text."""
    required = set(schema.get("required", []))
    for name, prop in schema.get("properties", {}).items():
        if name not in required:
            continue
        label = label_of(name, prop)
        items = prop.get("items") or {}
        if "enum" in prop:
            form.get_by_role("combobox", name=label).select_option(index=1)
        elif prop.get("type") == "array" and "enum" in items:
            tick(form.get_by_role("group", name=label).get_by_role("checkbox").first)
        elif prop.get("type") == "boolean":
            tick(form.get_by_role("checkbox", name=label))
        elif prop.get("type") in ("integer", "number"):
            form.get_by_role("spinbutton", name=label).fill(str(sample(prop, rng)))
        elif prop.get("type") == "string" and prop.get("format") == "date":
            form.get_by_label(label).fill(str(sample(prop, rng)))
        elif prop.get("type") == "string":
            assert "pattern" not in prop, f"no generic value for the pattern of {name}"
            form.get_by_role("textbox", name=label).fill(str(sample(prop, rng)))
        else:
            pytest.fail(f"the walk cannot fill in field {name}: {prop}")


def press(page: Any, button: Any, path: str) -> Any:
    """Click a button that posts to `path`; wait for the page that results and return the
    response to the POST itself."""
    with page.expect_response(tb.posted_to(path)) as posted, page.expect_navigation():
        button.click()
    return posted.value


def sign_out(page: Any) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=tb.es("Sign out")).click()


def switch_user(page: Any, username: str, case: Case) -> None:
    sign_out(page)
    tb.sign_in(page, username, check=False)
    page.goto(f"/cases/{case.pk}/")


@pytest.mark.parametrize("protocol", PROTOCOLS, ids=[p.code for p in PROTOCOLS])
def test_a_case_walks_to_its_closure_in_the_browser(
    page: Any, live_reference: None, protocol: Protocol
) -> None:
    from playwright.sync_api import expect

    rng = random.Random(2019)
    owner = protocol.owners[0] if protocol.owners else "MINEX"
    worker = tb.make_user(Role.CASEWORKER, "rosa.caseworker", owner, "protection")
    tb.make_user(Role.SUPERVISOR, "sara.supervisor", owner, "protection")
    person = register(
        worker, "Ana Lucía", "Cux", "Tzul", markers=MARKERS_FOR.get(protocol.code, [])
    )

    tb.sign_in(page, "rosa.caseworker", check=False)
    if protocol.subject == "household":
        household_create(
            actor=worker, label="Hogar Cux Tzul", member_ids=[person.pk], head_id=person.pk
        )
    page.goto(f"/cases/new/?person={person.pk}")
    tick(page.get_by_role("radio", name=protocol.title))
    if protocol.subject == "household":
        household_select = page.get_by_label(re.compile("Grupo familiar|Household"))
        household_select.select_option(label="Hogar Cux Tzul")
    assert tb.submit(page, "/cases/new/").status == 302
    case = Case.objects.get(person=person)
    assert page.url.endswith(f"/cases/{case.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(protocol.title)

    stage = page.locator("#stage")
    signed_in = "rosa.caseworker"
    path = shortest_closing_path(protocol)
    for spec in path:
        if signed_in != "rosa.caseworker":
            switch_user(page, "rosa.caseworker", case)
            signed_in = "rosa.caseworker"

        for code in spec.requires_tasks:
            task = case.tasks.filter(code=code, done_at__isnull=True).first()
            if task is None:
                continue
            title = re.escape(task_title(protocol, code))
            name = re.compile(rf"^{re.escape(tb.es('Mark done'))}\s*:\s*{title}$")
            button = page.get_by_role("button", name=name)
            assert press(page, button, f"/cases/{case.pk}/tasks/{task.pk}/done/").status == 302

        for code in spec.requires_forms:
            case.refresh_from_db()
            if code in case.data:
                continue
            section = page.locator("div", has=page.locator(f"#form-{code}")).last
            section.get_by_text(tb.es("Fill in this form"), exact=False).click()
            form = section.locator("form")
            expect(form).to_be_visible()
            fill_schema_form(form, protocol.forms[code].schema, rng)
            response = tb.submit_form(page, form, f"/cases/{case.pk}/forms/{code}/")
            assert response.status == 302, page.locator("main").inner_text()
            expect(page.locator("main [role=status]")).to_contain_text(form_title(protocol, code))

        step = page.locator(f"#step-{spec.code}")
        if spec.closure:
            step.get_by_role(
                "combobox", name=re.compile(re.escape(tb.es("Reason for closing")))
            ).select_option(index=1)
        button = step.get_by_role("button", name=transition_name(protocol, spec.code), exact=True)
        response = press(page, button, f"/cases/{case.pk}/steps/")
        assert response.status == 302, page.locator("main").inner_text()

        if spec.approval:
            expect(page.locator("main [role=status]")).to_contain_text(
                tb.es("The step waits for a supervisor's approval.")
            )
            approval = case.approvals.get(decided_at__isnull=True)
            switch_user(page, "sara.supervisor", case)
            signed_in = "sara.supervisor"
            box = page.get_by_role("region", name=tb.es("Waiting for approval"))
            expect(box).to_contain_text(transition_name(protocol, spec.code))
            button = box.get_by_role("button", name=tb.es("Approve"), exact=True)
            response = press(page, button, f"/cases/{case.pk}/approvals/{approval.pk}/")
            assert response.status == 302, page.locator("main").inner_text()
            expect(page.locator("main [role=status]")).to_contain_text(tb.es("Step approved."))

        case.refresh_from_db()
        assert case.stage == spec.target
        expect(stage).to_contain_text(protocol.stages[spec.target].name["es"])

    assert case.closed_at is not None
    assert case.closure_reason == (protocol.closure_reasons[0] if protocol.closure_reasons else "")
    day = timezone.localtime(case.closed_at).strftime("%Y-%m-%d")
    expect(stage).to_contain_text(tb.es("closed on %(day)s") % {"day": day})
    expect(page.get_by_role("heading", name=tb.es("Next steps"))).to_have_count(0)
    page.set_viewport_size(tb.PHONE)
    tb.axe_check(page, f"{protocol.code} case page, closed, phone")
