"""Reading pages as the walk meets them: links, forms, visible text, and URL patterns.

Pages are parsed with lxml (already a dependency). A URL's pattern replaces the identifiers
in its path (UUIDs, numbers, dates) and keeps only the names of its query parameters, so that
the detail pages of one record kind, or one list filtered ten ways, count as one page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.urls import Resolver404, resolve
from lxml import html as lxml_html

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
NUMBER = re.compile(r"^\d+$")
DAY = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")

# Never followed: leaving the session or the language, the API and its documentation,
# static files. (Downloads are fetched once per pattern for their status, not parsed.)
SKIP = re.compile(r"^/(accounts/logout|language/|api/|static/|media/|healthz)")
# Forms never submitted: they end the session, change the language, or sign in again.
SKIP_FORM = re.compile(r"^/(accounts/|language/)")

INVISIBLE = {"script", "style", "template", "noscript"}
TEXT_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")


def route(url: str) -> str:
    """The URL's route in the application (/people/<uuid:person_id>/), from Django's resolver;
    a download's format is kept (/stats/report/export.<slug:fmt> (.pdf)), each being its own
    code path. A path the resolver does not know has its identifiers replaced instead."""
    path = urlsplit(url).path
    try:
        found = "/" + resolve(path).route
    except Resolver404:
        segments = []
        for segment in path.split("/"):
            if UUID.match(segment):
                segment = "<uuid>"
            elif NUMBER.match(segment):
                segment = "<n>"
            elif DAY.match(segment):
                segment = "<date>"
            segments.append(segment)
        return "/".join(segments)
    extension = re.search(r"\.([a-z0-9]+)$", path)
    if extension and "<" in found.rsplit("/", 1)[-1]:
        found += f" (.{extension.group(1)})"
    return found


def pattern(url: str) -> str:
    """The route and the names of the query parameters: /people/?page&q for /people/?q=tz&page=2."""
    keys = sorted({k for k, _v in parse_qsl(urlsplit(url).query, keep_blank_values=True)})
    return route(url) + (("?" + "&".join(keys)) if keys else "")


def same_site(base: str, href: str) -> str | None:
    """The path and query of an in-app link, or None for other sites, mail, anchors."""
    href = href.strip()
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
        return None
    absolute = urljoin("http://testserver" + base, href)
    parts = urlsplit(absolute)
    if parts.netloc != "testserver":
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass
class Field:
    name: str
    tag: str  # input, select, textarea
    type: str  # input type, "select", "textarea"
    value: str
    required: bool
    options: list[str] = field(default_factory=list)
    checked: bool = False
    min: str = ""
    max: str = ""
    maxlength: int | None = None
    pattern: str = ""


@dataclass
class Form:
    action: str
    method: str
    fields: list[Field]
    enctype: str
    where: str  # the page it was found on

    @property
    def key(self) -> str:
        names = ",".join(sorted({f.name for f in self.fields if f.name}))
        return f"{self.method} {pattern(self.action)} [{names}]"

    @property
    def user_fields(self) -> list[Field]:
        return [f for f in self.fields if f.type not in ("hidden", "submit", "button") and f.name]


@dataclass
class Page:
    url: str
    links: list[tuple[str, bool]]
    forms: list[Form]
    text: str
    lang: str
    has_error: bool
    full: bool  # a whole page (not an htmx fragment)


def parse(url: str, body: bytes) -> Page:
    doc = lxml_html.fromstring(body if body.strip() else b"<div></div>")
    path = urlsplit(url).path
    links: list[tuple[str, bool]] = []  # (URL, whether it is an htmx fragment)
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        for attr in ("href", "hx-get"):
            value = element.get(attr)
            if value and (element.tag == "a" or attr == "hx-get"):
                target = same_site(url, value)
                if target and not SKIP.match(urlsplit(target).path):
                    links.append((target, attr == "hx-get"))
    forms = [_form(url, element) for element in doc.iter("form")]
    root = doc if doc.tag == "html" else None
    return Page(
        url=url,
        links=links,
        forms=[f for f in forms if not SKIP_FORM.match(urlsplit(f.action).path)],
        text=visible_text(doc),
        lang=(root.get("lang") if root is not None else "") or "",
        has_error=bool(
            doc.xpath(
                "//*[contains(@class,'usa-error-message') or contains(@class,'usa-alert--error')"
                " or contains(@class,'usa-input--error') or @role='alert'"
                " or @aria-invalid='true']"
            )
        ),
        full=bool(doc.xpath("//body//main")) and path is not None,
    )


def visible_text(doc: lxml_html.HtmlElement) -> str:
    """The text a person meets: element text, option labels, button values and the
    attributes read aloud or shown on hover. Subtrees marked lang="en" (the language
    switch), <code>/<kbd>/<samp> and translate="no" are left out; hidden submenus are kept."""
    chunks: list[str] = []

    def walk(element: lxml_html.HtmlElement) -> None:
        if not isinstance(element.tag, str) or element.tag in INVISIBLE:
            if element.tail:
                chunks.append(element.tail)
            return
        # Marked as code on purpose: what a person types into a file or a command (an import
        # layout's column names and examples), not words of the interface.
        # Also what the page marks translate="no" (JSON a person types, with its codes).
        if (
            element.get("lang", "").startswith("en")
            or element.tag in ("code", "kbd", "samp")
            or element.get("translate") == "no"
        ):
            if element.tail:
                chunks.append(element.tail)
            return
        for attr in TEXT_ATTRIBUTES:
            if element.get(attr):
                chunks.append(element.get(attr))
        if element.tag == "input" and element.get("type") in ("submit", "button"):
            chunks.append(element.get("value", ""))
        if element.text:
            chunks.append(element.text)
        for child in element:
            walk(child)
        chunks.append("\n" if element.tag in ("p", "li", "tr", "div", "h1", "h2", "h3") else "")
        if element.tail:
            chunks.append(element.tail)

    body = doc.find("body") if doc.tag == "html" else doc
    walk(body if body is not None else doc)
    head_title = doc.findtext(".//title") if doc.tag == "html" else None
    return ((head_title or "") + "\n" + " ".join(chunks)).strip()


def _form(page_url: str, element: lxml_html.HtmlElement) -> Form:
    action = same_site(page_url, element.get("action") or "") or page_url
    if element.get("hx-post"):
        action = same_site(page_url, element.get("hx-post")) or action
    method = (
        "POST"
        if (element.get("method", "get").lower() == "post" or element.get("hx-post"))
        else "GET"
    )
    fields: list[Field] = []
    for control in element.iter("input", "select", "textarea"):
        name = control.get("name") or ""
        if control.tag == "select":
            options = [o.get("value", (o.text or "").strip()) for o in control.iter("option")]
            chosen = [
                o.get("value", (o.text or "").strip())
                for o in control.iter("option")
                if o.get("selected") is not None
            ]
            fields.append(
                Field(
                    name,
                    "select",
                    "select",
                    chosen[0] if chosen else "",
                    control.get("required") is not None,
                    options,
                )
            )
        elif control.tag == "textarea":
            fields.append(
                Field(
                    name,
                    "textarea",
                    "textarea",
                    control.text or "",
                    control.get("required") is not None,
                    maxlength=_int(control.get("maxlength")),
                )
            )
        else:
            fields.append(
                Field(
                    name,
                    "input",
                    (control.get("type") or "text").lower(),
                    control.get("value") or "",
                    control.get("required") is not None,
                    checked=control.get("checked") is not None,
                    min=control.get("min") or "",
                    max=control.get("max") or "",
                    maxlength=_int(control.get("maxlength")),
                    pattern=control.get("pattern") or "",
                )
            )
    # A form's submit button may carry the action's name and value.
    for button in element.iter("button"):
        if button.get("name") and (button.get("type") or "submit") == "submit":
            fields.append(
                Field(button.get("name"), "button", "submit", button.get("value", ""), False)
            )
            break
    return Form(action, method, fields, element.get("enctype") or "", page_url)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


# --- filling forms ----------------------------------------------------------------------------


def filled(form: Form, today: date) -> dict[str, object]:
    """The form with every control given a plausible value: the main path of a generic user."""
    data: dict[str, list[str]] = {}
    radios_done: set[str] = set()
    for f in form.fields:
        if not f.name:
            continue
        value = _value(f, today)
        if f.type == "radio":
            if f.name in radios_done:
                continue
            radios_done.add(f.name)
        if f.type == "checkbox" and not (f.required or f.checked):
            if f.name in data:
                continue
        if f.type == "file":
            continue
        if value is None:
            continue
        data.setdefault(f.name, []).append(value)
    return {k: v if len(v) > 1 else v[0] for k, v in data.items()}


def emptied(form: Form) -> dict[str, object]:
    """The form submitted with nothing typed or chosen: only its hidden fields."""
    data: dict[str, object] = {}
    for f in form.fields:
        if f.name and f.type in ("hidden", "submit"):
            data[f.name] = f.value
    return data


def query(form: Form, today: date) -> str:
    values = filled(form, today)
    pairs = []
    for key, value in values.items():
        for v in value if isinstance(value, list) else [value]:
            pairs.append((key, str(v)))
    action = urlsplit(form.action)
    return action.path + "?" + urlencode(pairs)


def _value(f: Field, today: date) -> str | None:
    name = f.name.lower()
    if f.type in ("hidden", "submit"):
        return f.value
    if f.type == "select":
        real = [o for o in f.options if o]
        return f.value or (real[0] if real else "")
    if f.type in ("checkbox", "radio"):
        return f.value or "on"
    if f.value and f.type not in ("password",):
        return f.value
    if f.type == "date":
        return f.max or f.min or today.isoformat()
    if f.type == "datetime-local":
        return f"{(f.max or today.isoformat())[:10]}T10:30"
    if f.type == "month":
        return today.strftime("%Y-%m")
    if f.type == "time":
        return "10:30"
    if f.type == "number" or name.endswith(("count", "number", "age", "years", "_n")):
        low = int(float(f.min)) if f.min else 1
        return str(max(low, 1) if not f.max else min(max(low, 1), int(float(f.max))))
    if f.type == "email" or "email" in name or "correo" in name:
        return "recorrido@example.org"
    if f.type == "tel" or "phone" in name or "telefono" in name:
        return "+502 5555 1234"
    if f.type == "url":
        return "https://example.org/recorrido"
    if f.type == "file":
        return None
    if "date" in name or name.endswith("_on"):
        return (today - timedelta(days=1)).isoformat()
    if f.type == "textarea":
        return "Texto de prueba del recorrido."
    text = "Recorrido"
    if f.maxlength:
        text = text[: f.maxlength]
    return text
