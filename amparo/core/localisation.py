"""The user's language conventions, taken from CLDR (Babel) rather than typed by hand.

Amparo's Spanish is Guatemala's: CLDR's es_GT writes 1,234.5 (comma for thousands, point for
decimals), unlike Spain's 1.234,5. The same symbols serve Django's number formats (see
amparo/formats/es) and the charts' Vega-Lite `config.locale`, so a figure reads the same in a
table, a headline and a chart axis.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from babel import Locale
from babel.numbers import get_decimal_symbol, get_group_symbol

# Interface language → CLDR locale whose conventions it follows.
CLDR_LOCALES = {"es": "es_GT", "en": "en_US"}
DEFAULT_LANGUAGE = "es"


def cldr_name(language: str | None = None) -> str:
    """The CLDR locale for an interface language (the active one when not given)."""
    if language is None:
        from django.utils import translation

        language = translation.get_language() or DEFAULT_LANGUAGE
    return CLDR_LOCALES.get(language[:2].lower(), CLDR_LOCALES[DEFAULT_LANGUAGE])


def number_symbols(language: str) -> tuple[str, str]:
    """(decimal separator, thousands separator) of the language, from CLDR."""
    name = cldr_name(language)
    return get_decimal_symbol(name), get_group_symbol(name)


# CLDR date-pattern letters → d3-time-format directives (the subset CLDR uses for the
# short/medium date and time patterns of our locales).
_D3_DIRECTIVES = {
    "y": "%Y",
    "yy": "%y",
    "yyyy": "%Y",
    "M": "%-m",
    "MM": "%m",
    "MMM": "%b",
    "MMMM": "%B",
    "d": "%-d",
    "dd": "%d",
    "H": "%-H",
    "HH": "%H",
    "h": "%-I",
    "hh": "%I",
    "m": "%M",
    "mm": "%M",
    "s": "%S",
    "ss": "%S",
    "a": "%p",
    "EEEE": "%A",
    "E": "%a",
    "EEE": "%a",
}


def _d3_pattern(pattern: str) -> str:
    """A CLDR pattern (`d/MM/y`, `h:mm:ss a`) as a d3 format string (`%-d/%m/%Y`)."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "'":
            end = pattern.find("'", i + 1)
            end = len(pattern) if end < 0 else end
            out.append(pattern[i + 1 : end].replace("%", "%%") or "'")
            i = end + 1
        elif ch.isalpha():
            j = i
            while j < len(pattern) and pattern[j] == ch:
                j += 1
            out.append(_D3_DIRECTIVES.get(pattern[i:j], ""))
            i = j
        else:
            out.append("%%" if ch == "%" else ch)
            i += 1
    return "".join(out).strip()


def _sunday_first(names: Any) -> list[str]:
    """CLDR numbers weekdays from Monday (0) to Sunday (6); d3 starts its weeks on Sunday."""
    return [str(names[(i + 6) % 7]) for i in range(7)]


@lru_cache(maxsize=8)
def _vega_locale(name: str) -> dict[str, Any]:
    cldr = Locale.parse(name)
    months, days = cldr.months["format"], cldr.days["format"]
    periods = cldr.day_periods["format"]["abbreviated"]
    date = _d3_pattern(cldr.date_formats["medium"].pattern)
    time = _d3_pattern(cldr.time_formats["medium"].pattern)
    glue = str(cldr.datetime_formats["medium"])
    return {
        "number": {
            "decimal": get_decimal_symbol(name),
            "thousands": get_group_symbol(name),
            "grouping": [3],
            "currency": ["", ""],
        },
        "time": {
            "dateTime": glue.replace("{1}", "%x").replace("{0}", "%X"),
            "date": date,
            "time": time,
            "periods": [str(periods["am"]), str(periods["pm"])],
            "days": _sunday_first(days["wide"]),
            "shortDays": _sunday_first(days["abbreviated"]),
            "months": [str(months["wide"][m]) for m in range(1, 13)],
            "shortMonths": [str(months["abbreviated"][m]) for m in range(1, 13)],
        },
    }


def vega_locale(language: str | None = None) -> dict[str, Any]:
    """Vega-Lite's `config.locale` (d3 number and time locales) for the language: month and
    day names, separators, as CLDR gives them. Read by vl-convert and by any browser renderer,
    so the page's chart and the PDF's picture agree."""
    locale = _vega_locale(cldr_name(language))
    return {"number": dict(locale["number"]), "time": dict(locale["time"])}


def with_locale(spec: dict[str, Any], language: str | None = None) -> dict[str, Any]:
    """The chart specification in the reader's conventions, fitted to the width it is given
    (the title and axis labels inside that width, never past the right edge)."""
    config = dict(spec.get("config") or {})
    config["locale"] = vega_locale(language)
    # Vega writes its own ARIA descriptions of every mark, axis and title in English ("X-axis
    # for a utc scale…"): turned off, the picture is named by its `description` in the reader's
    # language instead (the chart's title unless the spec says more).
    config["aria"] = False
    title = spec.get("title")
    text = title.get("text", "") if isinstance(title, dict) else title or ""
    named = " ".join(text) if isinstance(text, list) else str(text)
    description = spec.get("description") or named
    return {
        **spec,
        "description": description,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "config": config,
    }


def local_datetime(value: Any) -> datetime | None:
    """An instant (datetime or ISO 8601 text, as kept in JSON histories) in the current time
    zone: America/Guatemala unless another is activated. None when it is not a time."""
    from django.utils import timezone
    from django.utils.dateparse import parse_datetime

    if isinstance(value, str):
        try:
            value = parse_datetime(value.strip())
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return timezone.localtime(value)
