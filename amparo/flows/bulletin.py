"""Bulletins: one per alert or emergency phase change, as JSON and PDF (reportlab), to share
with neighbouring countries. Aggregates only: no personal data."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from amparo.core.localisation import local_datetime

from .labels import plan_title
from .models import PhaseChange, PlanActivation, StreamResult


def bulletin_data(change: PhaseChange) -> dict[str, Any]:
    stream = StreamResult.objects.filter(run=change.run, key=change.key).first()
    series = stream.series if stream else {}
    recent = []
    if series:
        for i, day in enumerate(series.get("dates", [])[-14:]):
            k = len(series["dates"]) - min(14, len(series["dates"])) + i
            recent.append(
                {
                    "date": day,
                    "observed": series["observed"][k],
                    "expected": series["expected"][k],
                    "upper": series["upper"][k],
                    "phase": series["phase"][k],
                }
            )
    activations = PlanActivation.objects.filter(change=change)
    return {
        "bulletin": f"AMPARO-{change.on:%Y%m%d}-{change.key}",
        "stream": change.key,
        "point": change.site.name if change.site else _("National total"),
        "date": change.on.isoformat(),
        "phase": change.to_phase,
        "previous_phase": change.from_phase,
        "inputs": change.inputs,
        "model_version": change.model_version,
        "threshold_version": change.threshold_version,
        "acknowledged_by": change.acknowledged_by.get_username()
        if change.acknowledged_by
        else None,
        "acknowledged_at": change.acknowledged_at.isoformat() if change.acknowledged_at else None,
        "drill_down": [
            d for d in change.run.summary.get("drill_down", []) if d.get("point") == change.key
        ],
        "recent_days": recent,
        "plans": [
            {
                "plan": a.plan_code,
                "phase": a.phase,
                "people_supported": a.people_supported,
                "tasks": a.tasks.count(),
                "tasks_done": a.tasks.filter(done_at__isnull=False).count(),
            }
            for a in activations
        ],
    }


def bulletin_pdf(change: PhaseChange) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    data = bulletin_data(change)
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title=data["bulletin"])
    styles = getSampleStyleSheet()

    def para(text: str, style: str = "BodyText") -> Paragraph:
        from xml.sax.saxutils import escape

        return Paragraph(escape(str(text)), styles[style])

    story = [
        para(_("Migratory flow bulletin %(ref)s") % {"ref": data["bulletin"]}, "Title"),
        para(_("Point: %(point)s") % {"point": data["point"]}),
        para(
            _("Phase: %(phase)s (before: %(prev)s) since %(date)s")
            % {"phase": data["phase"], "prev": data["previous_phase"], "date": data["date"]}
        ),
        para(
            _(
                "Observed %(obs)s against an expected %(exp)s; "
                "statistic %(stat)s (thresholds %(lo)s / %(hi)s)"
            )
            % {
                "obs": data["inputs"].get("observed"),
                "exp": data["inputs"].get("expected"),
                "stat": data["inputs"].get("statistic"),
                "lo": data["inputs"].get("low_threshold"),
                "hi": data["inputs"].get("high_threshold"),
            }
        ),
        para(
            _("Model: %(m)s. Threshold: %(t)s.")
            % {"m": data["model_version"], "t": data["threshold_version"]}
        ),
        Spacer(1, 8),
    ]
    rows = [[_("Date"), _("Observed"), _("Expected"), _("Upper bound"), _("Phase")]]
    for r in data["recent_days"]:
        rows.append(
            [
                r["date"],
                "" if r["observed"] is None else r["observed"],
                r["expected"],
                r["upper"],
                r["phase"],
            ]
        )
    if len(rows) > 1:
        table = Table(rows)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ]
            )
        )
        story.append(table)
    for plan in data["plans"]:
        story.append(
            para(
                ngettext(
                    "Plan %(plan)s: %(done)s of %(tasks)s task done",
                    "Plan %(plan)s: %(done)s of %(tasks)s tasks done",
                    plan["tasks"],
                )
                % {
                    "plan": plan_title(plan["plan"]),
                    "done": plan["tasks_done"],
                    "tasks": plan["tasks"],
                }
                + "; "
                + ngettext(
                    "%(n)s person supported", "%(n)s people supported", plan["people_supported"]
                )
                % {"n": plan["people_supported"]}
            )
        )
    if data["acknowledged_by"]:
        story.append(
            para(
                _("Acknowledged by %(who)s at %(at)s")
                % {"who": data["acknowledged_by"], "at": _local(data["acknowledged_at"])}
            )
        )
    doc.build(story)
    return out.getvalue()


def _local(stored: str | None) -> str:
    """The JSON bulletin's ISO instant (UTC) as the reader's date and time in Guatemala."""
    from django.utils.formats import date_format

    when = local_datetime(stored)
    return date_format(when, "DATETIME_FORMAT") if when is not None else (stored or "")
