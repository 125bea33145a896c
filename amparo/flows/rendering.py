"""The charts of a detection run, drawn once by the worker and kept with the run.

Drawing a chart takes vl-convert ~0.1–0.2 s, and the first one in a process ~2 s: a dashboard
drawing its own (13 charts on the national demo) kept its first reader waiting seconds after
every run. The worker draws them at the end of the run, in every language of the site, and
stores the SVG on each stream's result; a page reads only the pictures it shows, and draws
(and caches per process) only what a run did not keep (runs recorded before charts were kept).
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.db.models.fields.json import KT
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .charts import cached_chart, chart_svg
from .models import StreamResult

NATIONAL = "national"
CARD = "card"  # on the dashboard
PAGE = "page"  # on a crossing point's own page


def sizes(key: str) -> dict[str, tuple[int, int]]:
    """The pictures of a stream the pages show: (days shown, width) by picture."""
    if key == NATIONAL:
        return {CARD: (180, 320)}
    return {CARD: (90, 320), PAGE: (365, 640)}


def _title(stream: StreamResult) -> str:
    return str(_("National total")) if stream.key == NATIONAL else stream.site.name


def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def draw_charts(stream: StreamResult) -> dict[str, str]:
    """Every picture of the stream the pages show, in every language ("" without data)."""
    drawn: dict[str, str] = {}
    for language, _label in settings.LANGUAGES:
        with translation.override(language):
            for picture, (days, width) in sizes(stream.key).items():
                drawn[f"{language}:{picture}"] = chart_svg(
                    stream.series, title=_title(stream), days=days, width=width
                )
    return drawn


def with_picture(streams: QuerySet[StreamResult], picture: str) -> QuerySet[StreamResult]:
    """The streams with only the kept SVG of one picture in the reader's language (``svg``),
    not all of them (a run keeps ~5 MB of pictures)."""
    return streams.defer("charts").annotate(svg=KT(f"charts__{_language()}:{picture}"))


def chart_for(stream: StreamResult | None, picture: str) -> SafeString:
    """The stream's picture in the reader's language: the one the worker kept, or drawn now."""
    if stream is None:
        return mark_safe("")  # noqa: S308
    svg = getattr(stream, "svg", None)
    if svg is None:
        days, width = sizes(stream.key)[picture]
        svg = cached_chart(
            stream.run_id, stream.key, stream.series, title=_title(stream), days=days, width=width
        )
    # The SVG comes from vl-convert rendering our own numbers; titles are escaped by Vega.
    return mark_safe(svg)  # noqa: S308
