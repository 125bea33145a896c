"""The main menu fits every screen and every entry can be reached, for every role.

Fifteen entries side by side ran off both edges of a desktop screen (1024, 1280 and 1440 px)
for supervisors, operators and caseworkers, and covered the site name. Here each role signs in
in chromium and, at 375, 1024, 1280 and 1440 px: the page is no wider than the window; every
top-level entry lies inside the window and clear of the site name; every submenu opens and
each of its entries lies inside the window too (on a phone, behind the menu button). Every
entry answers 200 for the role, and axe finds nothing with a submenu open.

The browser, the live pages and axe come from test_browser.py; reference data from conftest.
"""

from __future__ import annotations

from typing import Any

import pytest

from amparo.core.models import Role

from . import test_browser as tb

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = tb.browser
page = tb.page
watch = tb.watch

WIDTHS = (375, 1024, 1280, 1440)
PHONE_MAX = 1023  # USWDS shows the desktop menu from 1024 px (its "desktop" breakpoint)
SECOND_FACTOR = {Role.INSTITUTION_ADMIN, Role.SYSTEM_ADMIN, Role.AUDITOR}

Box = dict[str, float]


def _sign_in(page: Any, role: str) -> None:
    user = tb.make_user(role, f"nav.{role}")
    tb.sign_in(page, user.username, check=False)
    if role in SECOND_FACTOR:
        from django_otp.oath import totp
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.create(user=user, name="teléfono", confirmed=True)
        page.goto("/accounts/verify/")
        page.locator("#id_token").fill(f"{totp(device.bin_key):06d}")
        assert tb.submit(page, "/accounts/verify/").status == 302
    page.goto("/")
    assert page.url.endswith("/"), page.url


def _inside(box: Box | None, width: int) -> bool:
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5


def _overlap(a: Box, b: Box) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def _settle(page: Any) -> None:
    """Let transitions end (the phone menu slides in) before boxes are measured."""
    page.evaluate(
        """() => Promise.all(document.getAnimations().map(a => a.finished.catch(() => null)))"""
    )


def _scroll_width(page: Any) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def _check_menu(page: Any, role: str, width: int) -> list[str]:
    """Every fault of the menu at this width, as readable lines (empty: it fits)."""
    from playwright.sync_api import expect

    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/")
    where = f"{role} at {width} px"
    faults = []
    if (scroll := _scroll_width(page)) > width:
        faults.append(f"{where}: the page is {scroll} px wide")
    nav = page.get_by_role("navigation", name=tb.es("Main navigation"))
    if width <= PHONE_MAX:
        expect(nav).to_be_hidden()
        page.get_by_role("button", name=tb.es("Menu")).click()
        _settle(page)  # the drawer slides in
    expect(nav).to_be_visible()
    logo = page.locator(".usa-logo a").bounding_box()
    assert logo is not None
    items = nav.locator(".usa-nav__primary > li > a, .usa-nav__primary > li > button")
    assert items.count() >= 2, f"{where}: the menu has {items.count()} entries"
    for i in range(items.count()):
        item = items.nth(i)
        label = item.inner_text().strip()
        box = item.bounding_box()
        if not item.is_visible() or not _inside(box, width):
            faults.append(f"{where}: {label!r} is outside the window ({box})")
        elif _overlap(box, logo):  # type: ignore[arg-type]
            faults.append(f"{where}: {label!r} covers the site name")
        if item.evaluate("e => e.tagName") != "BUTTON":
            continue
        item.click()  # open the submenu
        submenu = page.locator(f"#{item.get_attribute('aria-controls')}")
        if not submenu.is_visible():
            faults.append(f"{where}: the submenu {label!r} does not open")
            continue
        links = submenu.get_by_role("link")
        for j in range(links.count()):
            link = links.nth(j)
            link.scroll_into_view_if_needed()
            if not link.is_visible() or not _inside(link.bounding_box(), width):
                faults.append(f"{where}: {label!r} › {link.inner_text()!r} is outside the window")
        if (scroll := _scroll_width(page)) > width:
            faults.append(f"{where}: with {label!r} open the page is {scroll} px wide")
        item.click()  # and close it again
        expect(submenu).to_be_hidden()
    return faults


@pytest.mark.parametrize(
    "role",
    [
        Role.OPERATOR,
        Role.CASEWORKER,
        Role.SUPERVISOR,
        Role.ANALYST,
        Role.INSTITUTION_ADMIN,
        Role.SYSTEM_ADMIN,
        Role.AUDITOR,
    ],
)
def test_the_menu_fits_every_width_and_every_entry_opens(
    page: Any, live_reference: None, role: str
) -> None:
    _sign_in(page, role)
    faults = [fault for width in WIDTHS for fault in _check_menu(page, role, width)]
    assert not faults, "\n".join(faults)

    # Every entry of the role's menu answers (the links in the page, submenus included).
    page.set_viewport_size(tb.DESKTOP)
    page.goto("/")
    hrefs = page.locator("nav.usa-nav .usa-nav__primary a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    assert hrefs
    for href in hrefs:
        assert page.request.get(href).status == 200, href
    # The menu with a submenu open passes axe, on a desktop and on a phone.
    group = page.locator(".usa-nav__primary > li > button").first
    if group.count():
        group.click()
        tb.axe_check(page, f"home page of the {role}, a submenu open")
        page.keyboard.press("Escape")


def test_each_role_sees_what_it_uses(page: Any, live_reference: None) -> None:
    """The supervisor's menu holds the work queues and the supervisor's tools; the
    operator's neither the approvals nor the imports; the analyst's no named people."""
    from playwright.sync_api import expect

    _sign_in(page, Role.SUPERVISOR)
    nav = page.get_by_role("navigation", name=tb.es("Main navigation"))
    for label in ("Home", "People", "Cases"):
        expect(nav.get_by_role("link", name=tb.es(label), exact=True)).to_be_visible()
    nav.get_by_role("button", name=tb.es("To do")).click()
    for label in (
        "Cases waiting for my approval",
        "My overdue tasks",
        "Referrals to accept",
        "Possible duplicates",
        "Civil registry steps",
        "Progress updates to sign",
    ):
        expect(nav.get_by_role("link", name=tb.es(label), exact=True)).to_be_visible()
    nav.get_by_role("link", name=tb.es("Cases waiting for my approval")).click()
    page.wait_for_url("**/cases/approvals/")
    tb.axe_check_sizes(page, "cases waiting for my approval")

    page.context.clear_cookies()
    _sign_in(page, Role.OPERATOR)
    html = page.locator("nav.usa-nav").inner_html()
    assert "/cases/approvals/" not in html and "/imports/" not in html
    assert "/assistance/contacts/new/" in html  # the support line's form, one click away

    page.context.clear_cookies()
    _sign_in(page, Role.ANALYST)
    html = page.locator("nav.usa-nav").inner_html()
    assert "/people/" not in html and "/cases/" not in html
    assert "/stats/" in html
