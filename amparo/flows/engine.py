"""Flow-surge detection engine: expected counts, a sequential test, phases.

Pure numpy/scipy (no Django), vectorised over many streams at once. A *stream* is a daily
count series; a day not reported is NaN and stays NaN everywhere (never zero).

1. **Expected count** (:func:`fit_expected`): a quasi-Poisson log-linear GLM in the
   Farrington-flexible / Noufaily tradition: day-of-week effects, yearly harmonics, an
   optional trend, refitted every ``refit_every`` days on the previous ``window_days``
   (skipping the last ``guard_days`` before the refit, which may still be incomplete because
   of reporting delays). Past surges are down-weighted by their Anscombe residuals
   (Noufaily: weight ∝ s⁻² when s > 2.58), the dispersion φ is estimated from the weighted
   Pearson residuals and turned into a negative-binomial size r = μ/(φ−1). Streams with
   under ``min_glm_days`` observed days use the EARS C2 baseline instead (mean of days
   t−9…t−3); streams with under a year use the day-of-week model without seasonal terms.
   All streams share one design matrix, so the iteratively reweighted least squares runs
   batched over streams (one ``matmul`` per iteration instead of one GLM object per stream).
2. **Catch-up days**: the first day reported after a gap of up to 14 days is treated as
   covering the gap when its count is nearer the gap's summed expectation than one day's
   (geometric midpoint rule); it is then tested against the summed expectation.
3. **Sequential test** (:func:`nb_cusum`): a negative-binomial CUSUM of the log-likelihood
   ratio of "mean × ``shift``" against "mean". One day's contribution is capped at
   ``cap_share`` of the high threshold (default 1.0: one extreme day may alert, as a caravan
   arriving at once should; below 1.0 a single day never alerts by itself, which trades a
   day of delay for immunity to one-day data-entry spikes; bench/flows_eval.py compares).
   The statistic is bounded at twice the high threshold so that it falls back within days
   once the flow returns to normal.
4. **Thresholds** (:func:`calibrate_thresholds`): from a false-alarm budget (alerts per stream
   per year) by simulating the fitted null model (negative binomial with the fitted μ and r)
   and choosing, per stream, the smallest threshold whose simulated alert-episode rate stays
   within the budget. The low (watch) threshold uses ``watch_per_year``.
5. **Phases** (:func:`phase_levels`): normal < watch < alert < emergency; the readable rules
   are in :data:`PHASE_RULES`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import stats as sstats

MODEL_VERSION = (
    "nb-glm-2 (quasi-Poisson GLM, dow + 2 harmonics + trend, Noufaily weights, "
    "trimmed dispersion, EARS C2 < 56 days)"
)
THRESHOLD_VERSION = "nb-cusum-2 (NB CUSUM shift ×2, day cap 1.0 h, simulated null budget ×0.3)"

NORMAL, WATCH, ALERT, EMERGENCY = 0, 1, 2, 3
PHASE_NAMES = ("normal", "watch", "alert", "emergency")
PHASE_RULES = (
    "watch: the crossings statistic passes the low threshold",
    "alert: it passes the high threshold, or it passes the low threshold while an "
    "independent stream (shelter occupancy, support-line contacts, clinic attendances) "
    "passes its own low threshold within the last 2 days",
    "emergency: alert while a shelter is over capacity",
    "step down: a phase ends only after N quiet days without its trigger",
)

METHOD_GLM, METHOD_DOW, METHOD_EARS, METHOD_NONE = 0, 1, 2, 3


@dataclass(frozen=True)
class EngineConfig:
    false_alarms_per_year: float = 1.0
    watch_per_year: float = 4.0
    shift: float = 2.0
    cap_share: float = 1.0
    quiet_days: int = 3
    refit_every: int = 28
    window_days: int = 3 * 365
    guard_days: int = 2
    harmonics: int = 2
    trend: bool = True
    min_trend_days: int = 730
    long_gap_days: int = 365
    min_glm_days: int = 56
    min_season_days: int = 365
    max_catch_up_gap: int = 14
    sim_replicates: int = 8
    safety: float = 0.3
    seed: int = 20181019


@dataclass
class Expected:
    mu: np.ndarray  # (S, T) expected count
    size: np.ndarray  # (S, T) negative-binomial size r (inf = Poisson)
    method: np.ndarray  # (S, T) METHOD_* code

    def band(self, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
        """Central prediction interval of a day's count under the null model."""
        return nb_quantile(self.mu, self.size, (1 - level) / 2), nb_quantile(
            self.mu, self.size, (1 + level) / 2
        )


@dataclass
class Detection:
    expected: Expected
    observed: np.ndarray  # (S, T) counts as tested (NaN = missing)
    statistic: np.ndarray  # (S, T) CUSUM, NaN before any expectation exists
    h_low: np.ndarray  # (S,)
    h_high: np.ndarray  # (S,)
    level: np.ndarray  # (S, T) int phase after step-down rule
    catch_up: np.ndarray  # (S, T) bool
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- design


def design_matrix(days: np.ndarray, *, harmonics: int, trend: bool) -> np.ndarray:
    """Columns: intercept, 6 day-of-week dummies, yearly sin/cos pairs, optional trend."""
    days = np.asarray(days, dtype="datetime64[D]")
    n = days.shape[0]
    ordinal = (days - np.datetime64("1970-01-01", "D")).astype(np.int64)
    dow = (ordinal + 3) % 7  # 0 = Monday
    cols = [np.ones(n)]
    for d in range(1, 7):
        cols.append((dow == d).astype(float))
    doy = ordinal % 365.25 / 365.25
    for k in range(1, harmonics + 1):
        cols.append(np.sin(2 * np.pi * k * doy))
        cols.append(np.cos(2 * np.pi * k * doy))
    if trend:
        cols.append((ordinal - ordinal[0]) / 365.25)
    return np.column_stack(cols)


N_DOW_COLS = 7  # intercept + 6 dummies: the "day-of-week only" model for short streams


# --------------------------------------------------------------------------- GLM


def _batched_irls(
    x: np.ndarray, y: np.ndarray, prior_w: np.ndarray, iterations: int = 8
) -> tuple[np.ndarray, np.ndarray]:
    """Poisson log-link IRLS for S streams sharing design ``x`` (n, p).

    ``y`` and ``prior_w`` are (S, n); prior weight 0 removes a day (missing, catch-up,
    before a long gap). Returns coefficients (S, p) and fitted means (S, n).
    """
    s, n = y.shape
    p = x.shape[1]
    yy = np.where(prior_w > 0, y, 0.0)
    wsum = prior_w.sum(axis=1)
    mean = (prior_w * yy).sum(axis=1) / np.maximum(wsum, 1e-9)
    beta = np.zeros((s, p))
    beta[:, 0] = np.log(np.maximum(mean, 0.05))
    ridge = 1e-6 * np.eye(p)
    for _ in range(iterations):
        eta = np.clip(beta @ x.T, -10, 12)
        mu = np.exp(eta)
        z = eta + (yy - mu) / mu
        w = prior_w * mu
        xw = x[None, :, :] * w[:, :, None]  # (S, n, p)
        xwt = xw.transpose(0, 2, 1)  # (S, p, n): matmul is BLAS, einsum here is not
        xtwx = np.matmul(xwt, x) + ridge
        xtwz = np.matmul(xwt, z[:, :, None])[:, :, 0]
        beta = np.linalg.solve(xtwx, xtwz[:, :, None])[:, :, 0]
    mu = np.exp(np.clip(beta @ x.T, -10, 12))
    return beta, mu


OUTLIER = 2.58  # Noufaily: Anscombe residuals above this are down-weighted


def _anscombe(yy: np.ndarray, mu: np.ndarray, phi: np.ndarray) -> np.ndarray:
    return 1.5 * (np.cbrt(yy) ** 2 - np.cbrt(mu) ** 2) / (mu ** (1 / 6) * np.sqrt(phi)[:, None])


def _trimmed_phi(
    w0: np.ndarray, yy: np.ndarray, mu: np.ndarray, phi: np.ndarray, p: int
) -> tuple[np.ndarray, np.ndarray]:
    """Dispersion from the days that are not outliers, iterated: an inflated φ hides the
    outliers that inflate it, so past surges left in would make every later surge look like
    noise. (Trimming underestimates φ slightly; the simulated budget's safety factor and the
    bench calibration absorb it.)"""
    for _ in range(3):
        anscombe = _anscombe(yy, mu, phi)
        keep = w0 * (anscombe <= OUTLIER)
        dof = np.maximum(keep.sum(axis=1) - p, 1.0)
        phi = np.maximum(1.0, (keep * (yy - mu) ** 2 / mu).sum(axis=1) / dof)
    return phi, _anscombe(yy, mu, phi)


def _fit_window(x: np.ndarray, y: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fit, down-weight outliers (past surges), refit; return beta (S, p) and phi (S,)."""
    p = x.shape[1]
    w0 = mask.astype(float)
    beta, mu = _batched_irls(x, y, w0)
    yy = np.where(mask, y, 0.0)
    n_obs = w0.sum(axis=1)
    dof = np.maximum(n_obs - p, 1.0)
    phi = np.maximum(1.0, (w0 * (yy - mu) ** 2 / mu).sum(axis=1) / dof)
    phi, anscombe = _trimmed_phi(w0, yy, mu, phi, p)
    # Surges in the history must not inflate the expected count: weight ∝ s⁻² above 2.58.
    reweight = np.where(anscombe > OUTLIER, 1.0 / np.maximum(anscombe, 1e-9) ** 2, 1.0)
    w1 = w0 * reweight
    w1 *= n_obs[:, None] / np.maximum(w1.sum(axis=1), 1e-9)[:, None]
    beta, mu = _batched_irls(x, y, w1, iterations=5)
    phi, _ = _trimmed_phi(w0, yy, mu, phi, p)
    return beta, phi


def _long_gap_start(observed: np.ndarray, long_gap: int) -> np.ndarray:
    """(S, T) index of the first day after the latest gap of ≥ ``long_gap`` days up to t.

    History before a year-long silence is ignored: the stream restarts as a new one.
    """
    s, t = observed.shape
    start = np.zeros((s, t), dtype=np.int64)
    for i in range(s):
        idx = np.flatnonzero(observed[i])
        if idx.size < 2:
            continue
        gaps = np.diff(idx)
        restarts = idx[1:][gaps > long_gap]
        if restarts.size:
            pos = np.searchsorted(restarts, np.arange(t), side="right")
            values = np.concatenate([[0], restarts])
            start[i] = values[pos]
    return start


def fit_expected(counts: np.ndarray, days: np.ndarray, config: EngineConfig) -> Expected:
    """Prospective expected counts: day t only uses data reported before its refit day."""
    counts = np.asarray(counts, dtype=float)
    s, t = counts.shape
    observed = ~np.isnan(counts)
    x = design_matrix(days, harmonics=config.harmonics, trend=config.trend)
    catch_up_days = _after_gap(observed, config.max_catch_up_gap) > 0
    usable = observed & ~catch_up_days
    restart = _long_gap_start(observed, config.long_gap_days)
    mu = np.full((s, t), np.nan)
    size = np.full((s, t), np.inf)
    method = np.full((s, t), METHOD_NONE, dtype=np.int8)
    dow_cols = np.arange(N_DOW_COLS)
    season_cols = np.arange(N_DOW_COLS + 2 * config.harmonics)
    full_cols = np.arange(x.shape[1])
    for t0 in range(0, t, config.refit_every):
        t1 = min(t, t0 + config.refit_every)
        end = max(0, t0 - config.guard_days)
        begin = max(0, end - config.window_days)
        if end - begin < 7:
            continue
        cutoff = restart[:, t0]
        cols = np.arange(begin, end)
        mask = usable[:, begin:end] & (cols[None, :] >= cutoff[:, None])
        n_obs = mask.sum(axis=1)
        trend_ok = config.trend & (n_obs >= config.min_trend_days)
        season = (n_obs >= config.min_season_days) & ~trend_ok
        groups = (
            (METHOD_GLM, trend_ok, full_cols),
            (METHOD_GLM, season, season_cols),
            (
                METHOD_DOW,
                (n_obs >= config.min_glm_days) & (n_obs < config.min_season_days),
                dow_cols,
            ),
        )
        for code, which, cols_used in groups:
            if not which.any():
                continue
            xs = x[begin:end][:, cols_used]
            beta, phi = _fit_window(xs, counts[which, begin:end], mask[which])
            xf = x[t0:t1][:, cols_used]
            if config.trend and cols_used is full_cols:
                # Farrington: never extrapolate the trend past the end of the baseline.
                xf = xf.copy()
                xf[:, -1] = np.minimum(xf[:, -1], x[end - 1, -1])
            pred = np.exp(np.clip(beta @ xf.T, -10, 12))
            mu[which, t0:t1] = pred
            size[which, t0:t1] = np.where(
                phi[:, None] > 1.0 + 1e-6, pred / np.maximum(phi[:, None] - 1.0, 1e-9), np.inf
            )
            method[which, t0:t1] = code
    # Short or restarted streams: EARS C2 baseline (lag 2, 7 days), dispersion from it.
    need = method == METHOD_NONE
    if need.any():
        base_mean, base_sd = ears_baseline(counts, lag=2, width=7)
        ok = need & ~np.isnan(base_mean)
        mean = np.maximum(base_mean, 0.2)
        var = np.maximum(base_sd**2, mean)
        r = np.where(var > mean * 1.0001, mean**2 / np.maximum(var - mean, 1e-9), np.inf)
        mu = np.where(ok, mean, mu)
        size = np.where(ok, r, size)
        method = np.where(ok, METHOD_EARS, method).astype(np.int8)
    mu = np.where(np.isnan(mu), np.nan, np.maximum(mu, 0.05))
    return Expected(mu=mu, size=size, method=method)


# --------------------------------------------------------------------------- EARS


def ears_baseline(counts: np.ndarray, *, lag: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sd of days t−lag−width … t−lag−1 (NaN-aware, at least 3 observed days)."""
    counts = np.asarray(counts, dtype=float)
    s, t = counts.shape
    pad = np.full((s, lag + width), np.nan)
    padded = np.concatenate([pad, counts], axis=1)
    # Window i covers padded[i : i+width] = counts[i-lag-width .. i-lag-1].
    win = np.lib.stride_tricks.sliding_window_view(padded, width, axis=1)[:, :t, :]
    n = (~np.isnan(win)).sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(win, axis=2) / n
        sq = np.nansum((win - mean[:, :, None]) ** 2, axis=2)
        sd = np.sqrt(sq / np.maximum(n - 1, 1))
    mean = np.where(n >= 3, mean, np.nan)
    sd = np.where(n >= 3, sd, np.nan)
    return mean, sd


def ears_statistics(counts: np.ndarray, min_sigma: float = 0.5) -> dict[str, np.ndarray]:
    """EARS C1 (lag 0), C2 (lag 2) and C3 (sum of the last three C2 excesses over 1)."""
    counts = np.asarray(counts, dtype=float)
    out = {}
    for name, lag in (("C1", 0), ("C2", 2)):
        mean, sd = ears_baseline(counts, lag=lag, width=7)
        out[name] = (counts - mean) / np.maximum(sd, min_sigma)
    c2 = np.nan_to_num(np.maximum(out["C2"] - 1.0, 0.0))
    c3 = c2.copy()
    c3[:, 1:] += c2[:, :-1]
    c3[:, 2:] += c2[:, :-2]
    c3 = np.where(np.isnan(counts), np.nan, c3)
    out["C3"] = c3
    return out


def twice_mean_ratio(counts: np.ndarray, width: int = 28) -> np.ndarray:
    """Observed over the mean of the previous ``width`` days (the 'twice the mean' rule)."""
    counts = np.asarray(counts, dtype=float)
    s, t = counts.shape
    padded = np.concatenate([np.full((s, width), np.nan), counts], axis=1)
    win = np.lib.stride_tricks.sliding_window_view(padded, width, axis=1)[:, :t, :]
    n = (~np.isnan(win)).sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n >= 7, np.nansum(win, axis=2) / np.maximum(n, 1), np.nan)
        return counts / np.maximum(mean, 0.5)


# --------------------------------------------------------------------------- NB helpers


def nb_quantile(mu: np.ndarray, size: np.ndarray, q: float) -> np.ndarray:
    mu = np.asarray(mu, dtype=float)
    size = np.asarray(size, dtype=float)
    out = np.full(mu.shape, np.nan)
    ok = ~np.isnan(mu)
    pois = ok & ~np.isfinite(size)
    nb = ok & np.isfinite(size)
    out[pois] = sstats.poisson.ppf(q, mu[pois])
    r = size[nb]
    out[nb] = sstats.nbinom.ppf(q, r, r / (r + mu[nb]))
    return out


def nb_llr(y: np.ndarray, mu: np.ndarray, size: np.ndarray, shift: float) -> np.ndarray:
    """Log-likelihood ratio of NB(mean = shift·μ, r) against NB(μ, r); Poisson when r = ∞."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        finite = np.isfinite(size)
        r = np.where(finite, size, 1.0)
        nb = y * np.log(shift * (r + mu) / (r + shift * mu)) + r * np.log(
            (r + mu) / (r + shift * mu)
        )
        pois = y * np.log(shift) - (shift - 1.0) * mu
        return np.where(finite, nb, pois)


def _after_gap(observed: np.ndarray, max_gap: int) -> np.ndarray:
    """(S, T) number of missing days just before an observed day (0 if none or too long)."""
    s, t = observed.shape
    run = np.zeros((s, t), dtype=np.int64)
    current = np.zeros(s, dtype=np.int64)
    seen = np.zeros(s, dtype=bool)
    for j in range(t):
        obs = observed[:, j]
        run[:, j] = np.where(obs & seen, current, 0)
        current = np.where(obs, 0, current + 1)
        seen |= obs
    return np.where(run <= max_gap, run, 0)


def catch_up_adjust(
    counts: np.ndarray, exp: Expected, max_gap: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expected mean/size to test each day against, and which days are catch-up days."""
    observed = ~np.isnan(counts)
    gap = _after_gap(observed, max_gap)
    mu_fill = np.nan_to_num(exp.mu)
    csum = np.concatenate([np.zeros((counts.shape[0], 1)), np.cumsum(mu_fill, axis=1)], axis=1)
    idx = np.arange(counts.shape[1])[None, :]
    summed = (
        csum[np.arange(counts.shape[0])[:, None], idx + 1]
        - csum[np.arange(counts.shape[0])[:, None], np.maximum(idx - gap, 0)]
    )
    with np.errstate(invalid="ignore"):
        closer_to_sum = counts > np.sqrt(exp.mu * np.maximum(summed, exp.mu))
    is_catch_up = (gap > 0) & closer_to_sum & ~np.isnan(exp.mu)
    mu = np.where(is_catch_up, summed, exp.mu)
    # Sum of NB with r_i = μ_i/(φ−1) is NB with r = Σμ/(φ−1): scale r like μ.
    with np.errstate(invalid="ignore"):
        scaled = exp.size * (summed / np.maximum(np.nan_to_num(exp.mu), 1e-9))
    size = np.where(is_catch_up, scaled, exp.size)
    return mu, size, is_catch_up


# --------------------------------------------------------------------------- CUSUM


def nb_cusum(llr: np.ndarray, h_high: np.ndarray, cap_share: float) -> np.ndarray:
    """CUSUM over the last axis; broadcasting ``h_high`` against the leading axes.

    Missing days (NaN llr) leave the statistic unchanged; days before the first expectation
    are NaN in the output.
    """
    h = np.asarray(h_high, dtype=float)
    cap = cap_share * h
    top = 2.0 * h
    shape = np.broadcast_shapes(llr.shape[:-1], h.shape)
    s = np.zeros(shape)
    out = np.empty(shape + (llr.shape[-1],))
    started = np.zeros(shape, dtype=bool)
    for j in range(llr.shape[-1]):
        step = llr[..., j]
        valid = ~np.isnan(step)
        started = started | valid
        s = np.where(valid, np.clip(s + np.minimum(np.nan_to_num(step), cap), 0.0, top), s)
        out[..., j] = np.where(started, s, np.nan)
    return out


def hold_levels(raw: np.ndarray, quiet_days: int) -> np.ndarray:
    """Level on day t = highest raw level over the last ``quiet_days`` days (step-down rule)."""
    raw = np.asarray(raw)
    out = raw.copy()
    for k in range(1, quiet_days):
        out[..., k:] = np.maximum(out[..., k:], raw[..., :-k])
    return out


def count_episodes(flag: np.ndarray) -> np.ndarray:
    """Number of rising edges (alert episodes) along the last axis."""
    f = np.asarray(flag, dtype=bool)
    prev = np.concatenate([np.zeros(f.shape[:-1] + (1,), dtype=bool), f[..., :-1]], axis=-1)
    return (f & ~prev).sum(axis=-1)


def _simulate_null_llr(exp: Expected, config: EngineConfig) -> tuple[np.ndarray, float]:
    """LLR of replicated negative-binomial draws from the fitted null model (reps, S, span)."""
    rng = np.random.default_rng(config.seed)
    s, t = exp.mu.shape
    span = min(t, 730)  # the last (up to) two years of fitted expectations
    m = exp.mu[:, -span:]
    r = exp.size[:, -span:]
    ok = ~np.isnan(m)
    counts = ok.sum(axis=1, keepdims=True)
    fill = np.where(ok, m, 0.0).sum(axis=1, keepdims=True) / np.maximum(counts, 1)
    fill = np.where(counts > 0, fill, 1.0)
    m = np.nan_to_num(np.where(ok, m, fill), nan=1.0)
    r = np.where(np.isnan(r), np.inf, r)
    reps = config.sim_replicates
    mm = np.broadcast_to(m, (reps, s, span))
    rr = np.broadcast_to(r, (reps, s, span))
    finite = np.isfinite(rr)
    shape = np.where(finite, rr, 1.0)
    lam = np.where(finite, rng.gamma(shape, mm / shape), mm)
    y = rng.poisson(lam).astype(float)
    return nb_llr(y, mm, rr, config.shift), reps * span / 365.25


def _smallest_within(rate: np.ndarray, budget: float, grid: np.ndarray) -> np.ndarray:
    """Per stream, the smallest grid value from which every larger one is within budget."""
    within = rate <= budget
    ok_above = np.flip(np.logical_and.accumulate(np.flip(within, axis=0), axis=0), axis=0)
    first = np.where(ok_above.any(axis=0), ok_above.argmax(axis=0), grid.size - 1)
    return grid[first]


THRESHOLD_GRID = np.geomspace(0.1, 400.0, 56)


CALIBRATION_CHUNK = 16  # streams simulated at once: bounds memory at ~50 MB


def calibrate_thresholds(exp: Expected, config: EngineConfig) -> tuple[np.ndarray, np.ndarray]:
    """Per-stream (low, high) thresholds meeting the watch and alert budgets.

    The budgets are in episodes per stream per year under the simulated null model, scaled
    by ``config.safety`` because real data carry estimation error the simulation lacks.
    """
    s = exp.mu.shape[0]
    if s > CALIBRATION_CHUNK:
        parts = [
            _calibrate_chunk(
                Expected(
                    exp.mu[i : i + CALIBRATION_CHUNK],
                    exp.size[i : i + CALIBRATION_CHUNK],
                    exp.method[i : i + CALIBRATION_CHUNK],
                ),
                config,
            )
            for i in range(0, s, CALIBRATION_CHUNK)
        ]
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    return _calibrate_chunk(exp, config)


def _calibrate_chunk(exp: Expected, config: EngineConfig) -> tuple[np.ndarray, np.ndarray]:
    llr, years = _simulate_null_llr(exp, config)
    grid = THRESHOLD_GRID
    s = exp.mu.shape[0]
    # All grid values at once: statistic shape (G, reps, S, span).
    hs = np.broadcast_to(grid[:, None, None], (grid.size, 1, s))
    stat = nb_cusum(llr[None, ...], hs, config.cap_share)
    level = hold_levels(stat >= grid[:, None, None, None], config.quiet_days)
    rate = count_episodes(level).sum(axis=1) / years  # (G, S)
    h_high = _smallest_within(rate, config.false_alarms_per_year * config.safety, grid)
    # The low threshold reads the same statistic (capped by the high threshold).
    chosen = stat[np.searchsorted(grid, h_high), :, np.arange(s), :]  # (S, reps, span)
    chosen = chosen.transpose(1, 0, 2)
    low_grid = grid[grid <= h_high.max()]
    level = hold_levels(chosen[None] >= low_grid[:, None, None, None], config.quiet_days)
    rate = count_episodes(level).sum(axis=1) / years
    h_low = np.minimum(
        _smallest_within(rate, config.watch_per_year * config.safety, low_grid), h_high
    )
    return h_low, h_high


# --------------------------------------------------------------------------- phases


def phase_levels(
    stat: np.ndarray,
    h_low: np.ndarray,
    h_high: np.ndarray,
    *,
    quiet_days: int,
    other_watch: np.ndarray | None = None,
    over_capacity: np.ndarray | None = None,
) -> np.ndarray:
    """Apply :data:`PHASE_RULES`. ``other_watch``/``over_capacity`` are (S, T) booleans."""
    st = np.nan_to_num(stat, nan=0.0)
    watch = st >= h_low[:, None]
    alert = st >= h_high[:, None]
    if other_watch is not None:
        agree = hold_levels(other_watch.astype(np.int8), 3).astype(bool)
        alert |= watch & agree
    raw = np.where(alert, ALERT, np.where(watch, WATCH, NORMAL)).astype(np.int8)
    if over_capacity is not None:
        raw = np.where(alert & over_capacity, EMERGENCY, raw).astype(np.int8)
    return hold_levels(raw, quiet_days)


def detect(
    counts: np.ndarray,
    days: np.ndarray,
    config: EngineConfig | None = None,
    *,
    other_watch: np.ndarray | None = None,
    over_capacity: np.ndarray | None = None,
    thresholds: tuple[np.ndarray, np.ndarray] | None = None,
) -> Detection:
    """Fit, test and phase S streams of daily counts (S, T) over ``days`` (T,)."""
    config = config or EngineConfig()
    counts = np.atleast_2d(np.asarray(counts, dtype=float))
    exp = fit_expected(counts, days, config)
    mu, size, catch = catch_up_adjust(counts, exp, config.max_catch_up_gap)
    if thresholds is None:
        h_low, h_high = calibrate_thresholds(exp, config)
    else:
        h_low, h_high = thresholds
    llr = np.where(np.isnan(mu), np.nan, nb_llr(counts, mu, size, config.shift))
    stat = nb_cusum(llr, h_high, config.cap_share)
    level = phase_levels(
        stat,
        h_low,
        h_high,
        quiet_days=config.quiet_days,
        other_watch=other_watch,
        over_capacity=over_capacity,
    )
    return Detection(
        expected=exp,
        observed=counts,
        statistic=stat,
        h_low=h_low,
        h_high=h_high,
        level=level,
        catch_up=catch,
    )


def watch_flags(det: Detection) -> np.ndarray:
    """Days on which a stream is at or above its low threshold (for stream agreement)."""
    return np.nan_to_num(det.statistic, nan=0.0) >= det.h_low[:, None]


def drill_down(
    parent: Detection,
    children: np.ndarray,
    parent_index: np.ndarray,
    config: EngineConfig | None = None,
    share_window: int = 56,
) -> Detection:
    """Test the child streams (nationality × group) of flagged parents only.

    A child's expected count is its parent's expectation times the child's share of the
    parent over the previous ``share_window`` days (composition changes slowly), so the
    children need no model of their own and the budget is not spent again: children are
    reported only on days when their parent is at watch or above.
    """
    config = config or EngineConfig()
    children = np.asarray(children, dtype=float)
    pmu = parent.expected.mu[parent_index]
    pobs = parent.observed[parent_index]
    both = ~np.isnan(children) & ~np.isnan(pobs)
    cs = np.cumsum(np.where(both, children, 0.0), axis=1)
    ps = np.cumsum(np.where(both, pobs, 0.0), axis=1)
    lag = np.concatenate([np.zeros((cs.shape[0], 1)), cs], axis=1)
    plag = np.concatenate([np.zeros((ps.shape[0], 1)), ps], axis=1)
    t = children.shape[1]
    hi = np.arange(t)
    lo = np.maximum(hi - share_window, 0)
    csum = lag[:, hi] - lag[:, lo]
    psum = plag[:, hi] - plag[:, lo]
    share = (csum + 0.5) / (psum + 1.0)
    mu = np.maximum(pmu * share, 0.05)
    size = parent.expected.size[parent_index] * share
    exp = Expected(mu=mu, size=size, method=parent.expected.method[parent_index])
    h_low, h_high = calibrate_thresholds(exp, config)
    llr = np.where(np.isnan(mu), np.nan, nb_llr(children, mu, size, config.shift))
    stat = nb_cusum(llr, h_high, config.cap_share)
    flagged = parent.level[parent_index] >= WATCH
    level = np.where(
        flagged, phase_levels(stat, h_low, h_high, quiet_days=config.quiet_days), NORMAL
    ).astype(np.int8)
    return Detection(
        expected=exp,
        observed=children,
        statistic=stat,
        h_low=h_low,
        h_high=h_high,
        level=level,
        catch_up=np.zeros_like(children, dtype=bool),
    )
