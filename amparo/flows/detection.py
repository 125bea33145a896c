"""A detection run over the database: build the streams, run the engine, record the results,
the phase changes and the contingency-plan activations.

Streams:
- crossings: entries (direction "in") per border crossing point, and their national sum;
  drilled down to (nationality, group) for flagged points;
- independent streams, national: shelter occupancy (sum over shelters that reported), clinic
  attendances, support-line contacts per reason (amparo.assistance SupportContact; contacts
  are events, so a day without any after the first one is a zero, not a missing day).
The phase rules (engine.PHASE_RULES): a crossings stream at watch is raised to alert when an
independent stream is at watch within the last 2 days; alert becomes emergency on days when a
shelter reported occupancy over its capacity.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, DateField, F, Func, Sum, Value
from django.db.models.functions import TruncDate
from django.utils import timezone

from amparo.core.audit import audit_record
from amparo.core.models import Site, User

from . import batch, engine
from .models import (
    DetectionRun,
    FlowCount,
    Phase,
    PhaseChange,
    PlanActivation,
    StreamKind,
    StreamResult,
    StreamValue,
)
from .plans import plan_for
from .queries import last_count_day
from .series import FlowTable

HISTORY_DAYS = 4 * 365  # the engine fits on at most 3 years; one more for the first refits
KEEP_DAYS = 400  # days of each series kept for the dashboard
ACTIVATE_WITHIN_DAYS = 7  # phase raises older than this at run time do not activate plans
NATIONAL = "national"


def _days(start: dt.date, end: dt.date) -> np.ndarray:
    return np.arange(np.datetime64(start, "D"), np.datetime64(end, "D") + 1)


def crossing_table(start: dt.date, end: dt.date) -> tuple[FlowTable, dict[str, Site]]:
    points = {s.code: s for s in Site.objects.filter(kind=Site.Kind.BORDER_POINT, active=True)}
    days = _days(start, end)
    t = days.size
    codes = sorted(points)
    index = {c: i for i, c in enumerate(codes)}
    pi: list[int] = []
    ji: list[int] = []
    ci: list[int] = []
    cells: list[tuple[str, str, str]] = []
    rows = (
        FlowCount.objects.filter(direction="in", date__gte=start, date__lte=end)
        .values_list("site__code", "date", "nationality", "group", "count")
        .iterator(chunk_size=5000)
    )
    for code, day, nat, grp, count in rows:
        if code in index:
            pi.append(index[code])
            ji.append((day - start).days)
            ci.append(count)
            cells.append((code, nat or "—", grp))
    p_arr, j_arr = np.array(pi, dtype=np.int64), np.array(ji, dtype=np.int64)
    totals = np.zeros((len(codes), t))
    np.add.at(totals, (p_arr, j_arr), np.array(ci, dtype=float))
    seen = np.zeros((len(codes), t), dtype=bool)
    seen[p_arr, j_arr] = True
    totals[~seen] = np.nan  # no row that day: not reported, never zero
    child: dict[tuple[str, str, str], np.ndarray] = {}
    for key, j, count in zip(cells, ji, ci, strict=True):
        if key not in child:
            child[key] = np.full(t, np.nan)
        child[key][j] = count
    keys = sorted(child)
    children = np.vstack([child[k] for k in keys]) if keys else np.empty((0, t))
    table = FlowTable(days=days, points=codes, totals=totals, child_keys=keys, children=children)
    return table, points


def other_streams(start: dt.date, end: dt.date) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Independent national streams and the over-capacity days."""
    days = _days(start, end)
    t = days.size
    streams: dict[str, np.ndarray] = {}
    over = np.zeros(t, dtype=bool)
    for kind in StreamKind.values:
        series = np.full(t, np.nan)
        for day, total in (
            StreamValue.objects.filter(kind=kind, date__gte=start, date__lte=end)
            .values("date")
            .annotate(total=Sum("value"))
            .values_list("date", "total")
        ):
            series[(day - start).days] = total
        if (~np.isnan(series)).sum() >= 14:
            streams[kind] = series
    for day in (
        StreamValue.objects.filter(
            kind=StreamKind.OCCUPANCY, date__gte=start, date__lte=end, capacity__isnull=False
        )
        .extra(where=["value > capacity"])
        .values_list("date", flat=True)
    ):
        over[(day - start).days] = True
    streams.update(_support_contacts(start, end))
    return streams, over


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _local_day(field: str, start: dt.date, end: dt.date) -> Any:
    """The local calendar day of a moment, computed by the database.

    PostgreSQL converts time zones itself. SQLite has none, and Django's TruncDate there calls
    Python once per row (85 s for a million support-line contacts); when the time zone keeps
    one UTC offset over the whole period (Guatemala has had no summer time since 2006), SQLite's
    own date() shifted by that offset gives the same days in a few seconds."""
    if connection.vendor == "sqlite":
        offsets = {
            _local_midnight(start + dt.timedelta(days=k)).utcoffset()
            for k in range((end - start).days + 2)
        }
        if len(offsets) == 1:
            minutes = int(offsets.pop().total_seconds() // 60)  # type: ignore[union-attr]
            return Func(
                F(field), Value(f"{minutes:+d} minutes"), function="date", output_field=DateField()
            )
    return TruncDate(field)


def _support_contacts(start: dt.date, end: dt.date) -> dict[str, np.ndarray]:
    from amparo.assistance.models import SupportContact

    t = (end - start).days + 1
    per_reason: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(t))
    first: dict[str, int] = {}
    rows = (
        SupportContact.objects.filter(
            received_at__gte=_local_midnight(start),
            received_at__lt=_local_midnight(end + dt.timedelta(days=1)),
        )
        .annotate(day=_local_day("received_at", start, end))
        .values("day", "reason_id")
        .annotate(n=Count("id"))
        .values_list("day", "reason_id", "n")
    )
    for day, reason, n in rows:
        j = (day - start).days
        if 0 <= j < t:
            per_reason[reason][j] += n
            first[reason] = min(first.get(reason, j), j)
    out = {}
    for reason, series in per_reason.items():
        series[: first[reason]] = np.nan  # before the first contact: not known
        if (~np.isnan(series)).sum() >= 14:
            out[f"contacts:{reason}"] = series
    return out


def _series_json(det: engine.Detection, i: int, days: np.ndarray) -> dict[str, Any]:
    lo, hi = det.expected.band()
    keep = slice(max(0, days.size - KEEP_DAYS), days.size)

    def values(a: np.ndarray, digits: int) -> list[float | None]:
        return [None if np.isnan(v) else round(float(v), digits) for v in a[i, keep]]

    return {
        "dates": [str(d) for d in days[keep]],
        "observed": values(det.observed, 0),
        "expected": values(det.expected.mu, 2),
        "lower": values(lo, 0),
        "upper": values(hi, 0),
        "statistic": values(det.statistic, 3),
        "phase": [engine.PHASE_NAMES[int(v)] for v in det.level[i, keep]],
    }


def _progress(run: DetectionRun, stage: str, percent: int) -> None:
    """Say where the run is, for the page that waits for it (outside the run's transaction)."""
    run.stage, run.progress = stage, percent
    DetectionRun.objects.filter(pk=run.pk).update(stage=stage, progress=percent)


def run_detection(
    *,
    actor: User | None,
    as_of: dt.date | None = None,
    budget: float = 1.0,
    run: DetectionRun | None = None,
) -> DetectionRun:
    """Run the engine on the database as of ``as_of`` (default today) and record everything.

    The engine's window ends on the last day with counts, at most ``as_of``: the days after it
    were not reported, and a window of unreported days reports every point as normal and draws
    no chart (issue 14: "run detection now" in 2026 over counts that stopped in March 2019 wiped
    the dashboard). So a run over a period with no new counts finds the same phases and charts
    again, and ``run.as_of`` says up to which day the data goes. With no counts at all the run
    is recorded as such (status "no_data") and the last results stay where they are.
    """
    requested = as_of or timezone.localdate()
    if run is None:
        run = DetectionRun.objects.create(
            requested_by=actor,
            requested_at=timezone.now(),
            as_of=requested,
            false_alarms_per_year=budget,
        )
    _progress(run, DetectionRun.Stage.READING, 5)
    end = last_count_day(requested)
    if end is None:
        return _no_counts(run, requested, actor)
    first = (
        FlowCount.objects.filter(date__lte=end).order_by("date").values_list("date", flat=True)
    ).first()
    start = max(first or end, end - dt.timedelta(days=HISTORY_DAYS))
    table, points = crossing_table(start, end)
    config = engine.EngineConfig(false_alarms_per_year=budget, watch_per_year=max(4.0, budget))
    others, over = other_streams(start, end)
    _progress(run, DetectionRun.Stage.DETECTING, 30)
    other_watch = None
    other_det = None
    if others:
        names = sorted(others)
        other_det = engine.detect(np.vstack([others[n] for n in names]), table.days, config)
        any_watch = engine.watch_flags(other_det).any(axis=0)
        other_watch = np.broadcast_to(any_watch, (len(table.points) + 1, table.days.size))
    capacity = (
        np.broadcast_to(over, (len(table.points) + 1, table.days.size)) if over.any() else None
    )
    result = batch.run(table, config, other_watch=other_watch, over_capacity=capacity)
    results = _results(run, result, points, table, others, other_det)
    # Drawn before the transaction: SQLite would hold its single write lock while drawing.
    _progress(run, DetectionRun.Stage.DRAWING, 60)
    _draw_charts(results)
    _progress(run, DetectionRun.Stage.RECORDING, 85)
    with transaction.atomic():
        _record(run, result, results, table, end, requested, config, others, over, actor)
    return run


def _no_counts(run: DetectionRun, requested: dt.date, actor: User | None) -> DetectionRun:
    """Nothing to detect on: say so on the run, keep the last results (never replaced by
    empty ones)."""
    run.status = DetectionRun.Status.NO_DATA
    run.finished_at = timezone.now()
    run.as_of = requested
    run.progress = 100
    run.summary = {"requested_as_of": str(requested), "last_count": None}
    run.save()
    audit_record(
        actor=actor, action="flows.detect", obj=run, detail={"as_of": str(requested), "counts": 0}
    )
    return run


def _results(
    run: DetectionRun,
    result: batch.BatchResult,
    points: dict[str, Site],
    table: FlowTable,
    others: dict[str, np.ndarray],
    other_det: engine.Detection | None,
) -> list[StreamResult]:
    """Each stream's phase and series, not yet saved."""
    det = result.detection
    results = []
    for i, key in enumerate([NATIONAL, *table.points]):
        results.append(
            StreamResult(
                run=run,
                key=key,
                site=points.get(key),
                phase=engine.PHASE_NAMES[int(det.level[i, -1])],
                h_low=float(det.h_low[i]),
                h_high=float(det.h_high[i]),
                series=_series_json(det, i, table.days),
            )
        )
    if other_det is not None:
        for i, name in enumerate(sorted(others)):
            results.append(
                StreamResult(
                    run=run,
                    key=name,
                    phase=engine.PHASE_NAMES[int(other_det.level[i, -1])],
                    h_low=float(other_det.h_low[i]),
                    h_high=float(other_det.h_high[i]),
                    series=_series_json(other_det, i, table.days),
                )
            )
    return results


def _draw_charts(results: list[StreamResult]) -> None:
    """The dashboard's and the point pages' charts, in every language of the site."""
    from .rendering import draw_charts

    for stream in results:
        if stream.key == NATIONAL or stream.site is not None:
            stream.charts = draw_charts(stream)


def _record(
    run: DetectionRun,
    result: batch.BatchResult,
    results: list[StreamResult],
    table: FlowTable,
    as_of: dt.date,
    requested: dt.date,
    config: engine.EngineConfig,
    others: dict[str, np.ndarray],
    over: np.ndarray,
    actor: User | None,
) -> None:
    det = result.detection
    keys = [NATIONAL, *table.points]
    points = {r.key: r.site for r in results if r.site is not None}
    drill = []
    if result.children is not None:
        ch = result.children
        for i, (point, nat, grp) in enumerate(result.child_keys):
            if ch.level[i, -30:].max() >= engine.WATCH:
                drill.append(
                    {
                        "point": point,
                        "nationality": nat,
                        "group": grp,
                        "phase": engine.PHASE_NAMES[int(ch.level[i, -1])],
                        "observed": None
                        if np.isnan(ch.observed[i, -1])
                        else int(ch.observed[i, -1]),
                        "expected": None
                        if np.isnan(ch.expected.mu[i, -1])
                        else round(float(ch.expected.mu[i, -1]), 1),
                    }
                )
    StreamResult.objects.bulk_create(results)
    # The charts of earlier runs are no longer shown (pages read the latest run's).
    StreamResult.objects.exclude(run=run).exclude(charts={}).update(charts={})
    changes = _phase_changes(
        run, keys, det, table, points, requested, config, bool(others), over
    )
    run.status = DetectionRun.Status.DONE
    run.finished_at = timezone.now()
    run.as_of = as_of
    run.progress = 100
    run.model_version = engine.MODEL_VERSION
    run.threshold_version = engine.THRESHOLD_VERSION
    run.summary = {
        "days": int(table.days.size),
        "points": len(table.points),
        "requested_as_of": str(requested),
        "phases": {k: engine.PHASE_NAMES[int(det.level[i, -1])] for i, k in enumerate(keys)},
        "other_streams": sorted(others),
        "drill_down": drill,
        "changes": len(changes),
    }
    run.save()
    audit_record(
        actor=actor,
        action="flows.detect",
        obj=run,
        detail={
            "as_of": str(as_of),
            "requested_as_of": str(requested),
            "changes": len(changes),
            "budget": config.false_alarms_per_year,
        },
    )


def _phase_changes(
    run: DetectionRun,
    keys: list[str],
    det: engine.Detection,
    table: FlowTable,
    points: dict[str, Site],
    as_of: dt.date,
    config: engine.EngineConfig,
    with_others: bool,
    over: np.ndarray,
) -> list[PhaseChange]:
    """Record transitions after the last recorded change of each stream (all on a first run)."""
    now = timezone.now()
    created = []
    last = {
        k: (on, to)
        for k, on, to in PhaseChange.objects.filter(key__in=keys)
        .order_by("key", "on", "at")
        .values_list("key", "on", "to_phase")
    }
    start = table.days[0].astype(dt.date)
    for i, key in enumerate(keys):
        level = det.level[i]
        prev_on, prev_phase = last.get(key, (None, Phase.NORMAL))
        current = prev_phase
        for j in range(level.size):
            day = start + dt.timedelta(days=j)
            if prev_on is not None and day <= prev_on:
                continue
            phase = engine.PHASE_NAMES[int(level[j])]
            if phase == current:
                continue
            # get_or_create: a run delivered twice, or two runs at once, record it once.
            change, created_now = PhaseChange.objects.get_or_create(
                key=key,
                on=day,
                to_phase=phase,
                defaults=dict(
                    site=points.get(key),
                    run=run,
                    from_phase=current,
                    at=now,
                    model_version=engine.MODEL_VERSION,
                    threshold_version=engine.THRESHOLD_VERSION,
                    inputs={
                        "observed": None
                        if np.isnan(det.observed[i, j])
                        else float(det.observed[i, j]),
                        "expected": None
                        if np.isnan(det.expected.mu[i, j])
                        else round(float(det.expected.mu[i, j]), 2),
                        "statistic": None
                        if np.isnan(det.statistic[i, j])
                        else round(float(det.statistic[i, j]), 4),
                        "low_threshold": round(float(det.h_low[i]), 4),
                        "high_threshold": round(float(det.h_high[i]), 4),
                        "false_alarms_per_year": config.false_alarms_per_year,
                        "quiet_days": config.quiet_days,
                        "independent_streams": with_others,
                        "over_capacity": bool(over[j]),
                        "rules": list(engine.PHASE_RULES),
                    },
                ),
            )
            if created_now:
                created.append(change)
                _activate_or_close(change, as_of, now)
            current = phase
    return created


def _activate_or_close(change: PhaseChange, as_of: dt.date, now: dt.datetime) -> None:
    from .actions import plan_activate

    order = ["normal", "watch", "alert", "emergency"]
    # Stepping down closes the activations of the phases left.
    left = order[order.index(change.to_phase) + 1 :]
    PlanActivation.objects.filter(key=change.key, phase__in=left, closed_at__isnull=True).update(
        closed_at=now
    )
    if change.is_raise and (as_of - change.on).days <= ACTIVATE_WITHIN_DAYS:
        for phase in order[order.index(change.from_phase) + 1 : order.index(change.to_phase) + 1]:
            if plan_for(phase) is not None:
                plan_activate(change=change, phase=phase, now=now)
