"""The report: every indicator of the catalogue for a period, as plain data (for the command
line, the pages and the exports)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone

from .compute import Figure, Period, compute
from .registry import UNIT_LABELS, Indicator, catalogue, get, section_title


@dataclass
class Report:
    period: Period
    figures: list[Figure] = field(default_factory=list)
    extracted_at: datetime = field(default_factory=timezone.now)
    institution: str = ""

    def sections(self) -> list[tuple[str, list[Figure]]]:
        out: dict[str, list[Figure]] = {}
        for f in self.figures:
            out.setdefault(f.indicator.section or "other", []).append(f)
        return [(str(section_title(code)), figs) for code, figs in out.items()]


def build_report(
    period: Period,
    indicators: Iterable[Indicator] | None = None,
    *,
    institution_id: Any = None,
    institution: str = "",
    tick: Callable[[], None] | None = None,
) -> Report:
    """Compute each indicator (total and one table per allowed dimension); `tick` is called
    after each one (the worker's progress)."""
    chosen = list(indicators) if indicators is not None else catalogue()
    report = Report(period=period, institution=institution)
    for ind in chosen:
        report.figures.append(compute(ind, period, institution_id=institution_id))
        if tick is not None:
            tick()
    return report


def indicators_by_id(ids: Iterable[str]) -> list[Indicator]:
    out = []
    for i in ids:
        ind = get(i)
        if ind is None:
            raise KeyError(i)
        out.append(ind)
    return out


def figure_dict(fig: Figure) -> dict[str, Any]:
    ind = fig.indicator
    return {
        "id": ind.id,
        "title": str(ind.title),
        "definition": str(ind.definition),
        "unit": str(UNIT_LABELS.get(ind.unit, ind.unit)),
        "section": ind.section,
        "app": ind.app,
        "cumulative": ind.cumulative,
        "value": fig.value,
        "disaggregations": [t.as_dict() for t in fig.tables],
        "note": str(ind.note),
    }


def report_dict(report: Report) -> dict[str, Any]:
    """Unsuppressed: for internal use (scripts, our own checks), never for publication."""
    return {
        "period": {"from": report.period.start.isoformat(), "to": report.period.end.isoformat()},
        "extracted_at": report.extracted_at.isoformat(),
        "institution": report.institution or None,
        "suppressed": False,
        "indicators": [figure_dict(f) for f in report.figures],
    }
