"""Detection over a FlowTable: national and point aggregates first, then drill-down."""

from __future__ import annotations

import csv
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from amparo.flows import engine
from amparo.flows.series import FlowTable

NATIONAL = "NATIONAL"


@dataclass
class BatchResult:
    table: FlowTable
    streams: list[str]  # NATIONAL then the points
    detection: engine.Detection  # rows follow ``streams``
    child_keys: list[tuple[str, str, str]]
    children: engine.Detection | None


def national_series(totals: np.ndarray) -> np.ndarray:
    """Sum of the points that reported; NaN only on days no point reported."""
    reported = ~np.isnan(totals)
    return np.where(reported.any(axis=0), np.nansum(totals, axis=0), np.nan)


def run(
    table: FlowTable,
    config: engine.EngineConfig | None = None,
    *,
    other_watch: np.ndarray | None = None,
    over_capacity: np.ndarray | None = None,
) -> BatchResult:
    """Detect on [national, points...]; drill down into the children of flagged points.

    ``other_watch`` and ``over_capacity`` are (1 + P, T) booleans for the phase rules (other
    independent streams at watch; a shelter over capacity), or None when not known.
    """
    config = config or engine.EngineConfig()
    counts = np.vstack([national_series(table.totals)[None, :], table.totals])
    det = engine.detect(
        counts, table.days, config, other_watch=other_watch, over_capacity=over_capacity
    )
    streams = [NATIONAL, *table.points]
    flagged_points = {
        p for i, p in enumerate(table.points) if (det.level[i + 1] >= engine.WATCH).any()
    }
    keep = [i for i, k in enumerate(table.child_keys) if k[0] in flagged_points]
    children = None
    keys: list[tuple[str, str, str]] = []
    if keep:
        keys = [table.child_keys[i] for i in keep]
        p_index = {p: i + 1 for i, p in enumerate(table.points)}
        parent = np.array([p_index[k[0]] for k in keys])
        children = engine.drill_down(det, table.children[keep], parent, config)
    return BatchResult(
        table=table, streams=streams, detection=det, child_keys=keys, children=children
    )


def _fmt(value: float, digits: int) -> str:
    return "" if value is None or np.isnan(value) else f"{value:.{digits}f}"


def _atomic_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    """Write under a temporary name, then rename: no half-written output file."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(handle, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    os.replace(temp, path)


def phase_rows(result: BatchResult, *, include_national: bool = False) -> list[list[str]]:
    det = result.detection
    dates = [str(d) for d in result.table.days]
    rows = []
    start = 0 if include_national else 1
    for i in range(start, len(result.streams)):
        for j, day in enumerate(dates):
            rows.append(
                [
                    result.streams[i],
                    day,
                    engine.PHASE_NAMES[int(det.level[i, j])],
                    _fmt(det.expected.mu[i, j], 2),
                    _fmt(det.observed[i, j], 0),
                    _fmt(det.statistic[i, j], 3),
                ]
            )
    return rows


def write_outputs(result: BatchResult, out: Path) -> dict[str, int]:
    """DIR/phases.csv (the contract), plus national.csv, drilldown.csv, thresholds.csv."""
    out.mkdir(parents=True, exist_ok=True)
    header = ["point", "date", "phase", "expected", "observed", "statistic"]
    phases = phase_rows(result)
    _atomic_csv(out / "phases.csv", header, phases)
    national = [r for r in phase_rows(result, include_national=True) if r[0] == NATIONAL]
    _atomic_csv(out / "national.csv", header, national)
    det = result.detection
    _atomic_csv(
        out / "thresholds.csv",
        ["point", "low_threshold", "high_threshold", "model_version", "threshold_version"],
        [
            [
                s,
                f"{det.h_low[i]:.4f}",
                f"{det.h_high[i]:.4f}",
                engine.MODEL_VERSION,
                engine.THRESHOLD_VERSION,
            ]
            for i, s in enumerate(result.streams)
        ],
    )
    drill = []
    if result.children is not None:
        ch = result.children
        dates = [str(d) for d in result.table.days]
        for i, (point, nationality, group) in enumerate(result.child_keys):
            for j in np.flatnonzero(ch.level[i] >= engine.WATCH):
                drill.append(
                    [
                        point,
                        dates[j],
                        nationality,
                        group,
                        engine.PHASE_NAMES[int(ch.level[i, j])],
                        _fmt(ch.expected.mu[i, j], 2),
                        _fmt(ch.observed[i, j], 0),
                        _fmt(ch.statistic[i, j], 3),
                    ]
                )
    _atomic_csv(
        out / "drilldown.csv",
        ["point", "date", "nationality", "group", "phase", "expected", "observed", "statistic"],
        drill,
    )
    return {"phases": len(phases), "drilldown": len(drill)}
