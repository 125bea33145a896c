"""What only a browser can tell: layout at four widths and axe-core's WCAG checks.

One page per URL pattern is opened in chromium (the role's own context, signed in), at
375, 1024, 1280 and 1440 px:
- the document must not be wider than the window (the widest offenders are named);
- every visible top-menu item, and the site name, must lie inside the window and not overlap
  another (menus that ran off both edges, items drawn over the site name);
- every chart (an inline SVG of more than 40 px) must lie inside the window and inside any
  ancestor that clips it, and its drawing must fit its own canvas (a chart cut on the right).
axe-core runs once per page at 1280 px (and at 375 px for the home page, where the menu
changes form), with the WCAG 2.0/2.1/2.2 A and AA tags, like tests/test_browser.py. The
Content Security Policy stays enforced; axe is injected through `page.evaluate`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

AXE = settings.PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = (375, 1024, 1280, 1440)
HEIGHT = 900

LAYOUT = """() => {
  const W = window.innerWidth, problems = [];
  const name = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    const cls = (typeof el.className === 'string' ? el.className : '').trim().split(/\\s+/)
      .filter(Boolean).slice(0, 2);
    if (cls.length) s += '.' + cls.join('.');
    const label = (el.innerText || el.textContent || '').trim().replace(/\\s+/g, ' ');
    return label ? `${s} "${label.slice(0, 40)}"` : s;
  };
  const shown = (el) => {
    const r = el.getBoundingClientRect(), st = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && st.visibility !== 'hidden' && st.display !== 'none';
  };
  const span = (r) => `${Math.round(r.left)}..${Math.round(r.right)} px`;
  const doc = document.documentElement;
  if (doc.scrollWidth > W + 1) {
    const wide = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right > W + 1 && r.width > 0 && shown(el)) {
        // Only the outermost offenders: skip those inside an offender already listed.
        if (!wide.some((w) => w.contains(el))) wide.push(el);
      }
      if (wide.length >= 3) break;
    }
    problems.push(`page ${doc.scrollWidth}px wide in a ${W}px window`
      + (wide.length ? ` (past the edge: ${wide.map(name).join('; ')})` : ''));
  }
  const items = [...document.querySelectorAll(
    '.usa-nav__primary > li > a, .usa-nav__primary > li > button, .usa-logo')].filter(shown);
  for (const el of items) {
    const r = el.getBoundingClientRect();
    if (r.left < -1 || r.right > W + 1)
      problems.push(`menu item ${name(el)} outside the window (${span(r)})`);
  }
  for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) {
    const a = items[i].getBoundingClientRect(), b = items[j].getBoundingClientRect();
    const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    if (x > 2 && y > 2)
      problems.push(`menu items overlap: ${name(items[i])} and ${name(items[j])}`);
  }
  for (const svg of document.querySelectorAll('main svg')) {
    const r = svg.getBoundingClientRect();
    if (r.width < 40 || !shown(svg)) continue;
    if (r.left < -1 || r.right > W + 1)
      problems.push(`chart ${name(svg.parentElement)} outside the window (${span(r)})`);
    for (let p = svg.parentElement; p && p !== document.body; p = p.parentElement) {
      const st = getComputedStyle(p);
      if (st.overflowX !== 'visible') {
        const c = p.getBoundingClientRect();
        if (r.right > c.right + 1 && st.overflowX === 'hidden')
          problems.push(`chart cut by ${name(p)} (${Math.round(r.right - c.right)} px hidden)`);
        break;
      }
    }
    const vb = svg.viewBox && svg.viewBox.baseVal;
    if (vb && vb.width > 0) {
      try {
        const box = svg.getBBox();
        const drawn = Math.round(box.x + box.width);
        if (box.x + box.width > vb.x + vb.width + 2 || box.x < vb.x - 2)
          problems.push(`chart ${name(svg.parentElement)} drawn past its own edge`
            + ` (${drawn} of ${Math.round(vb.width)} units)`);
      } catch (e) { /* not rendered */ }
    }
  }
  return problems;
}"""

AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.map(v => `${v.id} [${v.impact}]: ${v.help} — `
    + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')
    + (v.nodes.length > 3 ? ` (+${v.nodes.length - 3} more)` : ''));
}"""


def axe(page: Any) -> list[str]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return list(page.evaluate(AXE_RUN, AXE_TAGS))


def check_page(page: Any, url: str, *, axe_phone: bool = False) -> list[tuple[str, str]]:
    """(kind, message) for every problem of the page at `url` at the four widths."""
    problems: list[tuple[str, str]] = []
    page.set_viewport_size({"width": 1280, "height": HEIGHT})
    response = page.goto(url, wait_until="load")
    if response is not None and response.status >= 500:
        return [("5xx", f"HTTP {response.status} in the browser")]
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        for message in page.evaluate(LAYOUT):
            problems.append(("layout", f"{width}px: {message}"))
        if width == 1280 or (axe_phone and width == 375):
            for message in axe(page):
                problems.append(("axe", f"{width}px: {message}"))
    return problems
