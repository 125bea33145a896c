"""Charts as Vega-Lite specifications, rendered offline to SVG (pages) or PNG (PDF, DOCX) by
vl-convert: no script runs in the browser, and the report's charts are the page's."""

from __future__ import annotations

from datetime import date
from typing import Any

import vl_convert as vlc

COLOUR = "#005ea2"  # USWDS primary


def bar_spec(title: str, rows: list[tuple[str, float]], *, width: int = 320) -> dict[str, Any]:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": title,
        "width": width,
        "data": {"values": [{"label": label, "value": value} for label, value in rows]},
        "mark": {"type": "bar", "color": COLOUR},
        "encoding": {
            "y": {"field": "label", "type": "nominal", "sort": None, "title": None},
            "x": {"field": "value", "type": "quantitative", "title": None},
            "tooltip": [{"field": "label"}, {"field": "value"}],
        },
    }


def line_spec(title: str, points: list[tuple[date, float]], *, width: int = 320) -> dict[str, Any]:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": title,
        "width": width,
        "data": {"values": [{"month": d.isoformat(), "value": v} for d, v in points]},
        "mark": {"type": "line", "point": True, "color": COLOUR},
        "encoding": {
            "x": {"field": "month", "type": "temporal", "timeUnit": "yearmonth", "title": None},
            "y": {"field": "value", "type": "quantitative", "title": None},
        },
    }


def svg(spec: dict[str, Any]) -> str:
    """The chart as inline SVG that shrinks to a phone's width (it keeps its viewBox)."""
    text = vlc.vegalite_to_svg(spec)
    return text.replace("<svg ", '<svg role="img" style="max-width:100%;height:auto" ', 1)


def png(spec: dict[str, Any], scale: float = 2) -> bytes:
    return vlc.vegalite_to_png(spec, scale=scale)
