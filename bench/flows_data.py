"""Seeded generator of realistic daily migratory flows with injected surges (known onsets).

Per crossing point: a base level (log-uniform 10–300 entries a day), its own weekly profile,
yearly seasonality, a mild trend, gamma-Poisson over-dispersion, a composition over
4 nationalities × 3 groups; single missing days, reporting gaps of 2–7 days of which half
end with a catch-up day (the gap's counts reported together), one-day data-entry spikes
(an extra digit typed); surges of many sizes (×1.5 … ×10), ramps (0–3 days) and durations
(1–14 days) at one or several points at once (caravans move along the border).

Usage as a script writes a CSV in the `manage.py flows detect` layout:
    .venv/bin/python bench/flows_data.py OUT.csv [--years 2] [--points 4] [--seed 7]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
from dataclasses import dataclass, field

import numpy as np

POINTS = [
    "TECUN_UMAN_I",
    "TECUN_UMAN_II",
    "EL_CARMEN",
    "LA_MESILLA",
    "GRACIAS_A_DIOS",
    "INGENIEROS",
    "EL_CEIBO",
    "BETHEL",
    "MELCHOR_DE_MENCOS",
    "AGUA_CALIENTE",
    "EL_FLORIDO",
    "CORINTO",
    "ANGUIATU",
    "SAN_CRISTOBAL",
    "VALLE_NUEVO",
    "PEDRO_DE_ALVARADO",
]
NATIONALITIES = ["HN", "SV", "NI", "CU"]
GROUPS = ["adults", "families", "unaccompanied_children"]
SIZES = [1.5, 2.0, 3.0, 5.0, 10.0]


@dataclass
class Surge:
    point: int
    onset: int  # first day with extra flow (day index)
    end: int  # last day with extra flow
    size: float  # peak multiplier of the expected flow
    ramp: int
    event: int


@dataclass
class FlowData:
    days: np.ndarray  # datetime64[D] (T,)
    points: list[str]
    children: np.ndarray  # (P, N*G, T) float, NaN = not reported
    mean: np.ndarray  # (P, T) true surge-free mean
    surges: list[Surge] = field(default_factory=list)
    spikes: list[tuple[int, int]] = field(default_factory=list)

    @property
    def totals(self) -> np.ndarray:
        """(P, T) point totals, NaN when the point did not report that day."""
        return np.where(np.isnan(self.children[:, 0, :]), np.nan, np.nansum(self.children, axis=1))

    def child_keys(self) -> list[tuple[str, str]]:
        return [(n, g) for n in NATIONALITIES for g in GROUPS]


def _surge_events(
    rng: np.random.Generator, n_points: int, t: int, per_point_year: float, warmup: int
) -> list[Surge]:
    """Events at 1–3 points, the same point never hit twice within 45 days."""
    surges: list[Surge] = []
    busy = np.zeros((n_points, t), dtype=bool)
    wanted = int(per_point_year * n_points * (t - warmup) / 365.25)
    event = 0
    attempts = 0
    while event < wanted and attempts < wanted * 50:
        attempts += 1
        onset = int(rng.integers(warmup, t - 20))
        k = min(n_points, int(rng.choice([1, 1, 1, 2, 3])))
        pts = rng.choice(n_points, size=k, replace=False)
        size = float(rng.choice(SIZES))
        ramp = int(rng.integers(0, 4))
        duration = int(rng.integers(1, 15))
        ok = all(not busy[p, max(0, onset - 45) : min(t, onset + duration + 45)].any() for p in pts)
        if not ok:
            continue
        for p in pts:
            start = onset + int(rng.integers(0, 2)) if k > 1 else onset
            end = min(t - 1, start + ramp + duration - 1)
            busy[p, start : end + 1] = True
            surges.append(Surge(int(p), start, end, size, ramp, event))
        event += 1
    return surges


def generate(
    *,
    seed: int = 2019,
    years: float = 6.0,
    n_points: int = 15,
    surges_per_point_year: float = 0.0,
    warmup_days: int = 365,
    start: str = "2013-01-01",
    dispersion_range: tuple[float, float] = (5.0, 30.0),
) -> FlowData:
    rng = np.random.default_rng(seed)
    t = int(round(years * 365.25))
    days = np.arange(np.datetime64(start), np.datetime64(start) + t)
    ordinal = (days - np.datetime64("1970-01-01")).astype(np.int64)
    dow = (ordinal + 3) % 7
    doy = ordinal % 365.25 / 365.25
    p = n_points
    base = np.exp(rng.uniform(np.log(10), np.log(300), p))
    weekly = rng.uniform(0.7, 1.25, (p, 7))
    weekly /= weekly.mean(axis=1, keepdims=True)
    amp = rng.uniform(0.1, 0.35, p)
    phase = rng.uniform(0, 2 * np.pi, p)
    trend = rng.uniform(-0.08, 0.1, p)
    mean = (
        base[:, None]
        * weekly[np.arange(p)[:, None], dow[None, :]]
        * (1 + amp[:, None] * np.sin(2 * np.pi * doy[None, :] + phase[:, None]))
        * np.exp(trend[:, None] * np.arange(t)[None, :] / 365.25)
    )
    surges = (
        _surge_events(rng, p, t, surges_per_point_year, warmup_days)
        if surges_per_point_year > 0
        else []
    )
    mult = np.ones((p, t))
    for s in surges:
        length = s.end - s.onset + 1
        steps = np.ones(length) * s.size
        for i in range(min(s.ramp, length)):
            steps[i] = 1 + (s.size - 1) * (i + 1) / (s.ramp + 1)
        mult[s.point, s.onset : s.end + 1] = np.maximum(mult[s.point, s.onset : s.end + 1], steps)
    # Gamma-Poisson size per point: 5 → day-to-day CV 45 % on top of Poisson, 30 → 18 %.
    dispersion = rng.uniform(*dispersion_range, p)
    lam = rng.gamma(dispersion[:, None], mean * mult / dispersion[:, None])
    total = rng.poisson(lam)
    shares = rng.dirichlet(np.full(len(NATIONALITIES) * len(GROUPS), 1.5), p)
    children = np.empty((p, shares.shape[1], t))
    for i in range(p):
        children[i] = rng.multinomial(total[i], shares[i]).T
    children = children.astype(float)
    # Reporting: single missing days, gaps with catch-up, data-entry spikes.
    spikes: list[tuple[int, int]] = []
    for i in range(p):
        single = rng.random(t) < 0.02
        children[i, :, single] = np.nan
        n_gaps = rng.poisson(3 * t / 365.25)
        for _ in range(n_gaps):
            g0 = int(rng.integers(1, t - 10))
            g = int(rng.integers(2, 8))
            after = g0 + g
            if after >= t:
                continue
            gap_counts = np.nan_to_num(children[i, :, g0:after]).sum(axis=1)
            children[i, :, g0:after] = np.nan
            if rng.random() < 0.5 and not np.isnan(children[i, 0, after]):
                children[i, :, after] += gap_counts  # catch-up day
        for _ in range(rng.poisson(1.0 * t / 365.25)):
            d = int(rng.integers(0, t))
            if np.isnan(children[i, 0, d]):
                continue
            c = int(rng.integers(children.shape[1]))
            children[i, c, d] = children[i, c, d] * 10 + rng.integers(0, 10)
            spikes.append((i, d))
    return FlowData(
        days=days,
        points=POINTS[:p],
        children=children,
        mean=mean,
        surges=surges,
        spikes=spikes,
    )


def write_csv(data: FlowData, path: str, *, direction: str = "in") -> int:
    """One row per point, day, nationality and group; an empty count when not reported."""
    rows = 0
    keys = data.child_keys()
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["date", "point", "direction", "nationality", "group", "count"])
        for j, day in enumerate(data.days):
            d = str(day)
            for i, point in enumerate(data.points):
                for c, (nat, grp) in enumerate(keys):
                    v = data.children[i, c, j]
                    writer.writerow([d, point, direction, nat, grp, "" if np.isnan(v) else int(v)])
                    rows += 1
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out")
    parser.add_argument("--years", type=float, default=2.0)
    parser.add_argument("--points", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--surges", type=float, default=2.0, help="per point and year")
    args = parser.parse_args()
    end = dt.date.today() - dt.timedelta(days=1)
    start = end - dt.timedelta(days=int(round(args.years * 365.25)) - 1)
    data = generate(
        seed=args.seed,
        years=args.years,
        n_points=args.points,
        surges_per_point_year=args.surges,
        warmup_days=180,
        start=start.isoformat(),
    )
    n = write_csv(data, args.out)
    print(f"{n} rows, {len(data.surges)} surges written to {args.out}")


if __name__ == "__main__":
    main()
