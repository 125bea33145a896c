"""National demo of migratory flows, January 2018 – March 2019 (CMW/C/SR.413, paragraphs 25–27).

Daily counts per border crossing point, direction, nationality and group, with the caravans of
October 2018 and January 2019 entering through the Honduran border (Agua Caliente, El Florido,
Corinto) and leaving towards Mexico (Tecún Umán, El Carmen). Exact figures of the record:
11,800 entries in 2018 and 7,998 in January–March 2019 (direction "in"), split into exact group
totals. Shelter occupancy rises over capacity during the caravans. A detection run as of
31 March 2019 records the phases, and the caravan contingency plan of January 2019 is
activated with its 6,927 people supported. Deterministic (seeded), bulk inserts.

    from amparo.flows.demo import generate_flows
    generate_flows(seed=2019, scale=1.0)   # → FlowsSummary
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils import timezone

from amparo.core.audit import audit_record
from amparo.core.models import Institution, Role, Site, Team, User

from .models import (
    PHASE_ORDER,
    ContingencyTask,
    DetectionRun,
    FlowCount,
    Phase,
    PhaseChange,
    PlanActivation,
    StreamKind,
    StreamValue,
)

START, END = dt.date(2018, 1, 1), dt.date(2019, 3, 31)
PERIODS = {
    # period: (first day, last day, entries by group) — sums 11,800 and 7,998.
    "2018": (
        dt.date(2018, 1, 1),
        dt.date(2018, 12, 31),
        {"adults": 7_080, "families": 3_894, "unaccompanied_children": 826},
    ),
    "2019Q1": (
        dt.date(2019, 1, 1),
        dt.date(2019, 3, 31),
        {"adults": 4_799, "families": 2_639, "unaccompanied_children": 560},
    ),
}
PEOPLE_SUPPORTED = 6_927
# Baseline share of the daily entries by point (codes of amparo/core/data/border_points.csv).
POINTS = {
    "agua-caliente": 3.0,
    "el-florido": 2.0,
    "corinto": 1.5,
    "tecun-uman-i": 1.2,
    "tecun-uman-ii": 0.8,
    "el-carmen": 0.8,
    "la-mesilla": 0.7,
    "el-ceibo": 0.6,
    "melchor-de-mencos": 0.4,
    "san-cristobal": 0.6,
    "valle-nuevo": 0.5,
    "pedro-de-alvarado": 0.5,
}
NATIONALITIES = {"HN": 0.62, "SV": 0.2, "NI": 0.1, "CU": 0.08}
GROUPS = ("adults", "families", "unaccompanied_children")
# Caravans: (first day, days, entry points and weights, people relative to a baseline day).
CARAVANS = (
    (dt.date(2018, 10, 15), 16, {"agua-caliente": 0.6, "el-florido": 0.3, "corinto": 0.1}, 36.0),
    (dt.date(2019, 1, 15), 14, {"agua-caliente": 0.55, "el-florido": 0.3, "corinto": 0.15}, 70.0),
)
EXITS = {"tecun-uman-i": 0.6, "tecun-uman-ii": 0.25, "el-carmen": 0.15}
SHELTERS = ("sbs-cnr-guatemala", "sbs-cnr-quetzaltenango")


@dataclass(frozen=True)
class FlowsSummary:
    counts: int
    entries_2018: int
    entries_2019q1: int
    phase_changes: int
    people_supported: int


def _intensity(rng: np.random.Generator, codes: list[str], days: np.ndarray) -> np.ndarray:
    """(P, T) expected entries: point share × weekday × season, plus the caravans."""
    t = days.size
    base = np.array([POINTS[c] for c in codes])[:, None]
    ordinal = (days - np.datetime64("1970-01-01")).astype(np.int64)
    weekday = np.where((ordinal + 3) % 7 >= 5, 0.8, 1.05)
    season = 1 + 0.2 * np.sin(2 * np.pi * (ordinal % 365.25) / 365.25)
    lam = base * weekday[None, :] * season[None, :] * rng.gamma(12, 1 / 12, (len(codes), t))
    start = np.datetime64(START)
    for first, length, where, people in CARAVANS:
        j0 = int((np.datetime64(first) - start).astype(int))
        # Waves: a fast rise, a peak on days 2–4, a tail.
        shape = np.array([0.5, 1.5, 2.2, 2.0, 1.6, *np.linspace(1.2, 0.2, length - 5)])
        shape = shape / shape.sum() * people * base.sum()
        for code, weight in where.items():
            i = codes.index(code)
            lam[i, j0 : j0 + length] += shape * weight
    return lam


def _allocate(rng: np.random.Generator, total: int, weights: np.ndarray) -> np.ndarray:
    """Exactly `total` people spread in proportion to `weights` (multinomial)."""
    flat = weights.ravel()
    return rng.multinomial(total, flat / flat.sum()).reshape(weights.shape)


def _loader() -> User:
    inst = Institution.objects.get(code="IGM")
    user, _ = User.objects.get_or_create(
        username="registro.igm",
        defaults={
            "institution": inst,
            "team": Team.objects.filter(institution=inst).first(),
            "role": Role.OPERATOR,
            "first_name": "Registro",
        },
    )
    return user


def generate_flows(*, seed: int = 2019, scale: float = 1.0, detect: bool = True) -> FlowsSummary:
    """Load the flows demo; raises RuntimeError if it is loaded already. Needs the reference
    data (`manage.py seed`: border points, shelters, institutions). `detect=False` skips the
    detection run and the plan activation (about 20 s on SQLite)."""
    if not scale > 0:
        raise ValueError("The scale must be positive.")
    if FlowCount.objects.filter(source="demo").exists():
        raise RuntimeError("The flows demo is loaded already.")
    rng = np.random.default_rng(seed)
    sites = {
        s.code: s for s in Site.objects.filter(code__in=list(POINTS), kind=Site.Kind.BORDER_POINT)
    }
    codes = [c for c in POINTS if c in sites]
    if not codes:
        raise RuntimeError("No border crossing points: run `manage.py seed` first.")
    days = np.arange(np.datetime64(START), np.datetime64(END) + 1)
    t = days.size
    lam = _intensity(rng, codes, days)
    # About 3 % of point-days not reported (never during a caravan peak).
    reported = rng.random(lam.shape) > 0.03
    reported |= lam > 8 * np.median(lam)
    nat_w = np.array(list(NATIONALITIES.values()))
    entries = np.zeros((len(codes), t, len(NATIONALITIES), len(GROUPS)), dtype=np.int64)
    start = np.datetime64(START)
    for first, last, groups in PERIODS.values():
        j0 = int((np.datetime64(first) - start).astype(int))
        j1 = int((np.datetime64(last) - start).astype(int)) + 1
        w = (lam[:, j0:j1] * reported[:, j0:j1])[:, :, None] * nat_w[None, None, :]
        for g, name in enumerate(GROUPS):
            entries[:, j0:j1, :, g] = _allocate(rng, max(1, round(groups[name] * scale)), w)
    # Exits towards Mexico: most entrants leave by the Mexican border about 4 days later.
    total_in = entries.sum(axis=0)  # (T, N, G)
    shifted = np.concatenate([np.zeros((4, *total_in.shape[1:])), total_in[:-4]], axis=0)
    exit_w = np.array([EXITS.get(c, 0.0) for c in codes])
    exits = np.zeros_like(entries)
    for i, weight in enumerate(exit_w):
        if weight:
            exits[i] = rng.binomial(shifted.astype(np.int64), 0.85 * weight)
    user = _loader()
    now = timezone.now()
    rows: list[FlowCount] = []
    for direction, array in (("in", entries), ("out", exits)):
        for i, code in enumerate(codes):
            site = sites[code]
            for j in np.flatnonzero(reported[i]):
                day = START + dt.timedelta(days=int(j))
                cell = array[i, j]
                nz = np.argwhere(cell > 0)
                if direction == "in" and nz.size == 0:
                    nz = np.array([[0, 0]])  # a reported day with nobody: a real zero
                for n, g in nz:
                    rows.append(
                        FlowCount(
                            site=site,
                            date=day,
                            direction=direction,
                            nationality=list(NATIONALITIES)[n],
                            group=GROUPS[g],
                            count=int(cell[n, g]),
                            institution_id=user.institution_id,
                            entered_by=user,
                            entered_at=now,
                            source="demo",
                        )
                    )
    with transaction.atomic():
        FlowCount.objects.bulk_create(rows, batch_size=5000)
        _shelters(rng, days, total_in.sum(axis=(1, 2)), user, now)
        audit_record(actor=None, action="demo.flows", detail={"counts": len(rows)})
    changes = 0
    supported = 0
    if detect:
        from .detection import run_detection

        run = run_detection(actor=None, as_of=END)
        changes = run.changes.count()
        supported = _caravan_plan(now, max(1, round(PEOPLE_SUPPORTED * scale)))
        _close_as_history(run)
    in_2018 = int(entries[:, : (dt.date(2019, 1, 1) - START).days].sum())
    return FlowsSummary(
        counts=len(rows),
        entries_2018=in_2018,
        entries_2019q1=int(entries.sum()) - in_2018,
        phase_changes=changes,
        people_supported=supported,
    )


def _shelters(
    rng: np.random.Generator, days: np.ndarray, entries: np.ndarray, user: User, now: dt.datetime
) -> None:
    """Occupancy of the SBS shelters: a base load plus a share of the last week's entrants."""
    sites = list(Site.objects.filter(code__in=SHELTERS))
    week = np.convolve(entries, np.ones(7), mode="full")[: days.size]
    rows = []
    for k, site in enumerate(sites):
        cap = site.capacity or 50
        base = rng.poisson(0.55 * cap, days.size)
        load = base + rng.binomial(week.astype(np.int64), 0.012 / (k + 1))
        for j in range(days.size):
            rows.append(
                StreamValue(
                    kind=StreamKind.OCCUPANCY,
                    site=site,
                    date=START + dt.timedelta(days=j),
                    value=int(load[j]),
                    capacity=cap,
                    entered_by=user,
                    entered_at=now,
                )
            )
    StreamValue.objects.bulk_create(rows, batch_size=5000)


def _caravan_plan(now: dt.datetime, people: int) -> int:
    """The caravan contingency plan of January 2019, with the 6,927 people it supported,
    attached to the first national alert of January 2019 (a point's alert if the nation had
    none)."""
    from .actions import plan_activate

    january = PhaseChange.objects.filter(
        on__gte=dt.date(2019, 1, 10),
        on__lte=dt.date(2019, 1, 31),
        to_phase__in=[Phase.ALERT, Phase.EMERGENCY],
    ).order_by("on")
    change = january.filter(key="national").first() or january.first()
    with transaction.atomic():
        activation = plan_activate(
            change=change, phase=Phase.ALERT, now=now, key=change.key if change else "national"
        )
        if activation is None:
            activation = PlanActivation.objects.filter(plan_code="caravan-2019").first()
        if activation is None:
            return 0
        activation.people_supported = people
        activation.history = [
            *activation.history,
            {
                "at": _evening(END).isoformat(),
                "by": "demo",
                "people": people,
                "institution": "MSPAS",
                "note": "Plan de contingencia de caravanas 2019 (CMW/C/SR.413 §27)",
            },
        ]
        activation.save()
    return people


def _evening(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(18), timezone.get_current_timezone())


def _close_as_history(run: DetectionRun) -> None:
    """Every plan the demo's detection run set in motion belongs to history: dated at the
    morning of the phase change that set it off, its tasks done when due, closed on the evening
    of the step-down that ended it (at the latest 31 March 2019). So no institution finds a 2019
    task open in its queue today, and the statistics count the people supported in 2019."""
    local = timezone.get_current_timezone()
    changes = list(run.changes.order_by("on"))
    for activation in PlanActivation.objects.filter(change__run=run).select_related("change"):
        change = activation.change
        assert change is not None  # filtered on its run
        activated = dt.datetime.combine(change.on, dt.time(8), local)
        ended = next(
            (
                later.on
                for later in changes
                if later.key == change.key
                and later.on > change.on
                and PHASE_ORDER.index(later.to_phase) < PHASE_ORDER.index(activation.phase)
            ),
            END,
        )
        shift = activated - activation.activated_at
        tasks = list(activation.tasks.all())
        for task in tasks:
            task.due_at += shift
            task.done_at = task.due_at
        ContingencyTask.objects.bulk_update(tasks, ["due_at", "done_at"])
        activation.activated_at = activated
        activation.closed_at = max(_evening(ended), activated)
        activation.save(update_fields=["activated_at", "closed_at"])
