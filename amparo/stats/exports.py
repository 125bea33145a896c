"""The State report's exports: PDF (reportlab) and DOCX (python-docx) with tables and charts,
its tables in CSV (safe cells) and XLSX (openpyxl), and SDMX-CSV for the national statistics
office. Every export is published material: small numbers are suppressed (suppression.py), and
the definition of each indicator and the time of extraction are printed with its tables.

The background worker writes each export to a file (`export_file`), indicator by indicator
(`tick` after each, for the progress bar); the page offers the file when it is ready. CSV and
SDMX-CSV are written row by row, XLSX in openpyxl's write-only mode.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from amparo.core.export import safe_row
from amparo.core.models import Institution

from . import charts
from .compute import Figure, Period, compute
from .registry import DIMENSIONS, UNIT_LABELS, catalogue
from .report import Report, build_report
from .suppression import THRESHOLD, Shown, public_value, suppress

FORMATS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "sdmx": "text/csv; charset=utf-8",
}
SUPPRESSED = "…"  # printed in place of a suppressed value (explained in the note)


@dataclass
class Published:
    figure: Figure
    value: int | float | None
    tables: list[Shown]


def published(fig: Figure) -> Published:
    tables = [suppress(t) for t in fig.tables]
    for shown in tables:
        shown.title = " × ".join(str(DIMENSIONS[d].title) for d in shown.dimensions)
    return Published(fig, public_value(fig.value, fig.indicator), tables)


def published_sections(report: Report) -> list[tuple[str, list[Published]]]:
    return [(title, [published(f) for f in figs]) for title, figs in report.sections()]


def _fmt(value: int | float | None) -> str:
    if value is None:
        return SUPPRESSED
    # The reader's separators (es_GT: 12,345.6), as on the pages and the charts.
    places = None if isinstance(value, int) else 1
    return number_format(value, decimal_pos=places, force_grouping=True)


def note() -> str:
    return _(
        "Values from 1 to %(n)s are not published (shown as “%(mark)s”), nor the values that "
        "would reveal them, so that no person can be identified from a table."
    ) % {"n": THRESHOLD - 1, "mark": SUPPRESSED}


def _title(period: Period, institution: Institution | None) -> str:
    who = institution.code if institution else _("National")
    return _("Statistical annex to the periodic report — %(who)s, %(start)s to %(end)s") % {
        "who": who,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }


# ---------------------------------------------------------------- flat rows (CSV, XLSX, SDMX)

HEADER = [
    "indicator_id", "indicator", "definition", "unit", "period_from", "period_to",
    "dimensions", "category", "value", "suppressed", "extracted_at",
]  # fmt: skip


Tick = Callable[[], None]


def _no_tick() -> None:
    return None


def flat_rows(
    period: Period, institution: Institution | None, tick: Tick = _no_tick
) -> Iterator[list[Any]]:
    """One row per figure and per table cell, suppressed; computed indicator by indicator."""
    for ind in catalogue():
        tick()
        fig = compute(ind, period, institution_id=institution.pk if institution else None)
        pub = published(fig)
        base = [ind.id, str(ind.title), str(ind.definition), str(UNIT_LABELS.get(ind.unit, "")),
                period.start.isoformat(), period.end.isoformat()]  # fmt: skip
        at = timezone.localtime(fig.extracted_at).isoformat()  # Guatemala time, with its offset
        yield [*base, "", _("Total"), pub.value, pub.value is None, at]
        for shown in pub.tables:
            dims = " × ".join(str(DIMENSIONS[d].title) for d in shown.dimensions)
            for _key, labels, value in shown.cells:
                yield [*base, dims, " × ".join(labels), value, value is None, at]


def csv_stream(
    period: Period, institution: Institution | None, tick: Tick = _no_tick
) -> Iterator[str]:
    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())
    yield "\ufeff" + writer.writerow(HEADER)
    for row in flat_rows(period, institution, tick):
        yield writer.writerow(safe_row(["" if v is None else v for v in row]))


SDMX_DIMENSIONS = [
    "sex", "age_group", "nationality", "department", "country_of_stay", "migration_status",
    "protocol", "institution", "site", "kind", "status", "outcome", "reason", "channel",
]  # fmt: skip
SDMX_HEADER = [
    "DATAFLOW", "INDICATOR", "TIME_PERIOD", "REF_AREA", *[d.upper() for d in SDMX_DIMENSIONS],
    "UNIT_MEASURE", "OBS_VALUE", "OBS_STATUS",
]  # fmt: skip
DATAFLOW = "AMPARO:MIGRANT_PROTECTION(1.0)"


def sdmx_row(
    indicator: str, span: str, unit: str, keys: dict[str, str], value: int | float | None
) -> list[Any]:
    """One observation: "_T" is the total of a dimension, "_Z" a value not recorded;
    OBS_STATUS "C" marks a confidential (suppressed) value, "A" a normal one."""
    dims = [keys.get(d, "_T") or "_Z" for d in SDMX_DIMENSIONS]
    status = "C" if value is None else "A"
    return [DATAFLOW, indicator, span, "GT", *dims, unit, "" if value is None else value, status]


def sdmx_stream(
    period: Period, institution: Institution | None, tick: Tick = _no_tick
) -> Iterator[str]:
    """SDMX-CSV (version 1), one observation per line; institutions by their code."""

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())
    codes = {str(pk): code for pk, code in Institution.objects.values_list("pk", "code")}
    yield writer.writerow(SDMX_HEADER)
    span = f"{period.start.isoformat()}/{period.end.isoformat()}"
    fixed = {"institution": institution.code} if institution else {}
    for ind in catalogue():
        tick()
        fig = compute(ind, period, institution_id=institution.pk if institution else None)
        pub = published(fig)
        name, unit = ind.id.upper(), str(ind.unit).upper()
        yield writer.writerow(safe_row(sdmx_row(name, span, unit, fixed, pub.value)))
        for shown in pub.tables:
            for key, _labels, value in shown.cells:
                keys = {**fixed, **dict(zip(shown.dimensions, key, strict=True))}
                if "institution" in shown.dimensions:
                    keys["institution"] = codes.get(keys["institution"], keys["institution"])
                row = sdmx_row(name, span, unit, keys, value)
                yield writer.writerow(safe_row(row))


def xlsx_file(period: Period, institution: Institution | None, tick: Tick = _no_tick) -> Any:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Tables")[:31])
    sheet.append([_title(period, institution)])
    sheet.append([note()])
    sheet.append(HEADER)
    for row in flat_rows(period, institution, tick):
        sheet.append(
            safe_row(["" if v is None else v for v in row[:8]]) + [row[8], row[9], row[10]]
        )
    handle = tempfile.TemporaryFile()
    book.save(handle)
    handle.seek(0)
    return handle


# ---------------------------------------------------------------- documents (PDF, DOCX)


def _chart_png(pub: Published) -> bytes | None:
    table = next((t for t in pub.tables if len(t.dimensions) == 1), None)
    if table is None:
        return None
    rows = [(labels[0], value) for _k, labels, value in table.cells if value]
    if not rows:
        return None
    title = str(DIMENSIONS[table.dimensions[0]].title)
    return charts.png(charts.bar_spec(title, rows, width=360), scale=1.5)


def pdf_bytes(report: Report, institution: Institution | None) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as PdfTable

    styles = getSampleStyleSheet()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title=_title(report.period, institution))
    story: list[Any] = [
        Paragraph(escape(_title(report.period, institution)), styles["Title"]),
        Paragraph(escape(_("Extracted at %(at)s.") % {"at": _when(report)}), styles["Normal"]),
        Paragraph(escape(note()), styles["Italic"]),
    ]
    for title, items in published_sections(report):
        story.append(Paragraph(escape(title), styles["Heading1"]))
        for pub in items:
            ind = pub.figure.indicator
            story.append(Paragraph(escape(f"{ind.title}: {_fmt(pub.value)}"), styles["Heading3"]))
            story.append(Paragraph(escape(str(ind.definition)), styles["Normal"]))
            for shown in pub.tables:
                if not any(v for _k, _l, v in shown.cells):
                    continue
                head = [" × ".join(str(DIMENSIONS[d].title) for d in shown.dimensions), ""]
                data = [head] + [[" × ".join(lab), _fmt(v)] for _k, lab, v in shown.cells]
                data.append([_("Total"), _fmt(shown.total)])
                t = PdfTable(data, colWidths=[11 * cm, 3 * cm], repeatRows=1)
                t.setStyle(
                    TableStyle(
                        [
                            ("FONTSIZE", (0, 0), (-1, -1), 8),
                            ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                            ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                            ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.black),
                        ]
                    )
                )
                story += [Spacer(1, 4), t]
            png = _chart_png(pub)
            if png:
                img = Image(io.BytesIO(png))
                scale = min(1.0, (15 * cm) / img.drawWidth)
                img.drawWidth, img.drawHeight = img.drawWidth * scale, img.drawHeight * scale
                story += [Spacer(1, 4), img]
            story.append(Spacer(1, 10))
    doc.build(story)
    return out.getvalue()


def docx_bytes(report: Report, institution: Institution | None) -> bytes:
    from docx import Document
    from docx.shared import Cm

    document = Document()
    document.add_heading(_title(report.period, institution), level=0)
    document.add_paragraph(_("Extracted at %(at)s.") % {"at": _when(report)})
    document.add_paragraph(note()).italic = True
    for title, items in published_sections(report):
        document.add_heading(title, level=1)
        for pub in items:
            ind = pub.figure.indicator
            document.add_heading(f"{ind.title}: {_fmt(pub.value)}", level=3)
            document.add_paragraph(str(ind.definition))
            for shown in pub.tables:
                if not any(v for _k, _l, v in shown.cells):
                    continue
                table = document.add_table(rows=1, cols=2)
                table.style = "Table Grid"
                head = table.rows[0].cells
                head[0].text = " × ".join(str(DIMENSIONS[d].title) for d in shown.dimensions)
                head[1].text = ""
                for _k, labels, value in shown.cells:
                    row = table.add_row().cells
                    row[0].text, row[1].text = " × ".join(labels), _fmt(value)
                row = table.add_row().cells
                row[0].text, row[1].text = _("Total"), _fmt(shown.total)
            png = _chart_png(pub)
            if png:
                document.add_picture(io.BytesIO(png), width=Cm(14))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _when(report: Report) -> str:
    return timezone.localtime(report.extracted_at).strftime("%Y-%m-%d %H:%M %Z")


# ---------------------------------------------------------------- files


def file_name(fmt: str, period: Period, institution: Institution | None) -> str:
    ext = "sdmx.csv" if fmt == "sdmx" else fmt
    return _name(period, institution, ext)


def export_file(
    fmt: str, period: Period, institution: Institution | None, tick: Tick = _no_tick
) -> Any:
    """The export written to a temporary file (rewound), in the active language."""
    if fmt == "xlsx":
        return xlsx_file(period, institution, tick)
    handle = tempfile.TemporaryFile()
    if fmt in ("csv", "sdmx"):
        make = csv_stream if fmt == "csv" else sdmx_stream
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
        for line in make(period, institution, tick):
            text.write(line)
        text.flush()
        text.detach()
    else:
        report = build_report(
            period,
            institution_id=institution.pk if institution else None,
            institution=institution.code if institution else "",
            tick=tick,
        )
        make_doc = pdf_bytes if fmt == "pdf" else docx_bytes
        handle.write(make_doc(report, institution))
    handle.seek(0)
    return handle


def _name(period: Period, institution: Institution | None, ext: str) -> str:
    who = institution.code.lower() if institution else "nacional"
    return f"amparo-informe-{who}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.{ext}"
