"""Dashboard charts: Vega-Lite specs rendered to SVG on the server (vl-convert), no JavaScript.

A chart shows a stream's observed counts, its expected count and 95 % band, and the days in
watch / alert / emergency as coloured ticks under the series.
"""

from __future__ import annotations

import html
import logging
from typing import Any

from amparo.core.localisation import with_locale
from amparo.stats.charts import SCHEMA, fitted_title, responsive_svg

HEIGHT = 140
logger = logging.getLogger(__name__)


def _phase_labels() -> dict[str, str]:
    from django.utils.translation import gettext as _

    return {"watch": _("Watch"), "alert": _("Alert"), "emergency": _("Emergency")}


PHASE_COLOURS = {"watch": "#ffbe2e", "alert": "#d54309", "emergency": "#8b0a03"}


def chart_spec(
    series: dict[str, Any],
    *,
    title: str,
    days: int = 120,
    width: int = 320,
    language: str | None = None,
) -> dict[str, Any]:
    dates = series.get("dates", [])[-days:]
    n = len(dates)

    def tail(name: str) -> list[Any]:
        return list(series.get(name, []))[-n:] if n else []

    observed, expected, lower, upper, phase = (
        tail(k) for k in ("observed", "expected", "lower", "upper", "phase")
    )
    values = [
        {"date": d, "observed": o, "expected": e, "lower": lo, "upper": hi, "phase": p}
        for d, o, e, lo, hi, p in zip(dates, observed, expected, lower, upper, phase, strict=False)
    ]
    labels = _phase_labels()
    phases = [{**v, "phase": labels[v["phase"]]} for v in values if v["phase"] in PHASE_COLOURS]
    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "area", "opacity": 0.25, "color": "#005ea2"},
            "encoding": {
                "x": {
                    "field": "date",
                    "type": "temporal",
                    "title": None,
                    # Day before month ("5 ene"), as Spanish writes it; names from the locale.
                    "axis": {"format": "%-d %b", "labelOverlap": True},
                    # Days are dates without a time: on a UTC scale, or the process's time zone
                    # (America/Guatemala) draws each day's point at 18:00 the day before.
                    "scale": {"type": "utc"},
                },
                "y": {"field": "lower", "type": "quantitative", "title": None},
                "y2": {"field": "upper"},
            },
        },
        {
            "mark": {"type": "line", "color": "#005ea2", "strokeDash": [4, 3]},
            "encoding": {
                "x": {"field": "date", "type": "temporal"},
                "y": {"field": "expected", "type": "quantitative"},
            },
        },
        {
            "mark": {"type": "line", "color": "#1b1b1b", "point": {"size": 8}},
            "encoding": {
                "x": {"field": "date", "type": "temporal"},
                "y": {"field": "observed", "type": "quantitative"},
            },
        },
    ]
    if phases:
        layers.append(
            {
                "data": {"values": phases},
                "mark": {"type": "tick", "thickness": 3, "yOffset": 0},
                "encoding": {
                    "x": {"field": "date", "type": "temporal"},
                    "y": {"value": HEIGHT},  # along the bottom axis
                    "color": {
                        "field": "phase",
                        "type": "nominal",
                        "legend": {"orient": "bottom", "title": None},
                        "scale": {
                            "domain": [labels[p] for p in PHASE_COLOURS],
                            "range": list(PHASE_COLOURS.values()),
                        },
                    },
                },
            }
        )
    for layer in layers:  # every layer reads its dates in UTC (see the scale above)
        layer["encoding"]["x"]["timeUnit"] = "utcyearmonthdate"
    from django.utils.translation import gettext as _

    spec = {
        "$schema": SCHEMA,
        "description": _(
            "%(title)s: daily observed count, expected count with its 95 %% band, and the "
            "days in watch, alert or emergency"
        )
        % {"title": title},
        "title": fitted_title(title, width),
        "width": width,
        "height": HEIGHT,
        "data": {"values": values},
        "layer": layers,
    }
    return with_locale(spec, language)


def cached_chart(
    run_id: Any, key: str, series: dict[str, Any], *, title: str, days: int = 120, width: int = 320
) -> str:
    """The chart of one stream of one run: rendered once (~0.2 s each), then from the cache.
    A run's series never change, so the run id and the stream key identify the picture."""
    from django.core.cache import cache
    from django.utils import translation

    lang = translation.get_language() or "es"
    name = f"flows-chart-v6:{run_id}:{key}:{days}:{width}:{lang}"
    svg = cache.get(name)
    if svg is None:
        svg = chart_svg(series, title=title, days=days, width=width)
        cache.set(name, svg, 24 * 3600)
    return svg


def chart_svg(series: dict[str, Any], *, title: str, days: int = 120, width: int = 320) -> str:
    """SVG text of the chart; "" without observed data; a short message if rendering fails."""
    if not any(v is not None for v in series.get("observed", [])[-days:]):
        return ""
    try:
        import vl_convert as vlc

        # Month names and separators in the reader's conventions: `config.locale` (CLDR).
        spec = chart_spec(series, title=title, days=days, width=width)
        return responsive_svg(vlc.vegalite_to_svg(spec), spec["description"])
    except Exception:  # a chart must never break the page: say so, and log why
        from django.utils.translation import gettext as _

        logger.exception("flows chart %r could not be drawn", title)
        return f"<p class='usa-hint'>{html.escape(_('This chart could not be drawn.'))}</p>"
