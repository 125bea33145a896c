"""Charts as Vega-Lite specifications, rendered offline to SVG (pages) or PNG (PDF, DOCX) by
vl-convert: no script runs in the browser, and the report's charts are the page's.

Every specification carries the reader's conventions (`config.locale`: month names, thousands
and decimal separators from CLDR) and fits the width it is given, title and labels included,
so nothing runs past the right edge of a phone."""

from __future__ import annotations

import html
import re
import textwrap
from datetime import date
from typing import Any

import vl_convert as vlc
from django.utils.translation import gettext as _

from amparo.core.localisation import with_locale

COLOUR = "#005ea2"  # USWDS primary
SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
TITLE_CHAR_PX = 7.5  # the width of a character of Vega's 13 px bold title, on average


def fitted_title(title: str, width: int) -> dict[str, Any]:
    """The title broken into lines that fit the chart's width (Vega does not wrap titles, and
    a long one would be cut off at the right edge of the picture)."""
    per_line = max(12, int(width / TITLE_CHAR_PX))
    lines = textwrap.wrap(str(title), per_line) or [""]
    return {"text": lines, "limit": width, "anchor": "start"}


def bar_spec(
    title: str, rows: list[tuple[str, float]], *, width: int = 320, language: str | None = None
) -> dict[str, Any]:
    spec = {
        "$schema": SCHEMA,
        "title": fitted_title(title, width),
        "width": width,
        "data": {"values": [{"label": label, "value": value} for label, value in rows]},
        "mark": {"type": "bar", "color": COLOUR},
        "encoding": {
            "y": {
                "field": "label",
                "type": "nominal",
                "sort": None,
                "title": None,
                # Long category names give way to the bars, never push them off the right.
                "axis": {"labelLimit": int(width * 0.45)},
            },
            "x": {"field": "value", "type": "quantitative", "title": None},
            "tooltip": [
                {"field": "label", "title": _("Category")},
                {"field": "value", "format": ",~f", "title": _("Value")},
            ],
        },
    }
    return with_locale(spec, language)


def line_spec(
    title: str, points: list[tuple[date, float]], *, width: int = 320, language: str | None = None
) -> dict[str, Any]:
    spec = {
        "$schema": SCHEMA,
        "title": fitted_title(title, width),
        "width": width,
        "data": {"values": [{"month": d.isoformat(), "value": v} for d, v in points]},
        "mark": {"type": "line", "point": True, "color": COLOUR},
        "encoding": {
            "x": {
                "field": "month",
                "type": "temporal",
                # Months are dates without a time: read them in UTC, or the process's own
                # time zone (America/Guatemala) puts 1 January in the previous December.
                "timeUnit": "utcyearmonth",
                "title": None,
                "axis": {"format": "%b %Y", "labelOverlap": True},
            },
            "y": {"field": "value", "type": "quantitative", "title": None},
        },
    }
    return with_locale(spec, language)


_VEGA_ARIA = re.compile(r' (?:aria-label|aria-roledescription|aria-description|role)="[^"]*"')


def responsive_svg(text: str, label: str | None = None) -> str:
    """vl-convert's SVG made to shrink with its container, never wider than drawn. The page's
    Content-Security-Policy refuses inline `style` attributes, so the sizing is a class of
    amparo.css (`.amparo-chart`); an accessible name is given when there is one."""
    head, sep, rest = text.partition(">")
    # The picture is one image named in the reader's language; what Vega still says of its
    # parts (its title as "Title text '…'", "group mark container") is English and repeats it.
    rest = _VEGA_ARIA.sub("", rest)
    if 'class="' in head:
        head = head.replace('class="', 'class="amparo-chart ', 1)
    else:
        head += ' class="amparo-chart"'
    name = f' aria-label="{html.escape(label, quote=True)}"' if label else ""
    return f'{head} role="img"{name}{sep}{rest}'


def svg(spec: dict[str, Any]) -> str:
    """The chart as inline SVG that shrinks to a phone's width."""
    return responsive_svg(vlc.vegalite_to_svg(spec), spec.get("description"))


def png(spec: dict[str, Any], scale: float = 2) -> bytes:
    return vlc.vegalite_to_png(spec, scale=scale)
