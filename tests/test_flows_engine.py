"""The flow-surge engine, the command-line contract and a tiny run of the evaluation bench."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pytest
import statsmodels.api as sm
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from amparo.flows import engine
from amparo.flows.series import FlowInputError, build_table, read_rows
from bench import flows_eval
from bench.flows_data import generate, write_csv


def _days(n: int, start: str = "2016-01-01") -> np.ndarray:
    return np.arange(np.datetime64(start), np.datetime64(start) + n)


def _series(n: int, level: float, seed: int = 1, size: float = 20.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    days = _days(n)
    dow = ((days - np.datetime64("1970-01-01")).astype(int) + 3) % 7
    mu = level * np.where(dow >= 5, 0.6, 1.1)
    return rng.poisson(rng.gamma(size, mu / size)).astype(float)


def test_batched_glm_matches_statsmodels() -> None:
    y = _series(400, 50)
    x = engine.design_matrix(_days(400), harmonics=2, trend=False)
    beta, _mu = engine._batched_irls(x, y[None, :], np.ones((1, 400)), iterations=25)
    ref = sm.GLM(y, x, family=sm.families.Poisson()).fit()
    assert np.allclose(beta[0], ref.params, atol=1e-4)


def test_expected_knows_the_weekday_and_ignores_missing_days() -> None:
    y = _series(900, 80)
    y[::9] = np.nan
    exp = engine.fit_expected(y[None, :], _days(900), engine.EngineConfig())
    days = _days(900)
    dow = ((days - np.datetime64("1970-01-01")).astype(int) + 3) % 7
    late = np.arange(900) > 500
    weekend = np.nanmean(exp.mu[0, late & (dow >= 5)])
    weekday = np.nanmean(exp.mu[0, late & (dow < 5)])
    assert weekend == pytest.approx(48, rel=0.12)
    assert weekday == pytest.approx(88, rel=0.12)
    # The missing days stay missing in what is tested.
    det = engine.detect(y[None, :], days)
    assert np.isnan(det.observed[0, ::9]).all()


def test_a_past_surge_does_not_inflate_the_expectation() -> None:
    y = _series(800, 60)
    y[600:614] *= 6
    exp = engine.fit_expected(y[None, :], _days(800), engine.EngineConfig())
    assert np.nanmean(exp.mu[0, 700:]) < 75


def test_short_streams_use_ears() -> None:
    y = _series(40, 30)
    exp = engine.fit_expected(y[None, :], _days(40), engine.EngineConfig())
    assert (exp.method[0, 10:] == engine.METHOD_EARS).all()
    assert np.isnan(exp.mu[0, :3]).all()


def test_surge_detected_quickly_and_steps_down_after_quiet_days() -> None:
    y = _series(900, 100, seed=3)
    y[800:810] = y[800:810] * 3
    det = engine.detect(y[None, :], _days(900))
    first = int(np.argmax(det.level[0, 800:] >= engine.ALERT))
    assert det.level[0, 800 + first] >= engine.ALERT and first <= 1
    assert (det.level[0, 830:] <= engine.WATCH).all()
    # No alert in the quiet year before.
    assert (det.level[0, 400:790] >= engine.ALERT).sum() < 10


def test_catch_up_day_is_tested_against_the_gap() -> None:
    y = _series(700, 50)
    y[600:604] = np.nan
    y[604] = 5 * 50  # four missing days reported together with the fifth
    det = engine.detect(y[None, :], _days(700))
    assert det.catch_up[0, 604]
    assert det.level[0, 604] < engine.ALERT


def test_phase_rules_agreement_and_capacity() -> None:
    stat = np.array([[0.0, 1.0, 1.0, 3.0, 3.0, 0.0, 0.0, 0.0, 0.0]])
    low, high = np.array([0.5]), np.array([2.0])
    plain = engine.phase_levels(stat, low, high, quiet_days=2)
    assert list(plain[0]) == [0, 1, 1, 2, 2, 2, 0, 0, 0]
    other = np.array([[0, 1, 0, 0, 0, 0, 0, 0, 0]], dtype=bool)
    agreed = engine.phase_levels(stat, low, high, quiet_days=1, other_watch=other)
    assert agreed[0, 1] == engine.ALERT
    cap = np.array([[0, 0, 0, 0, 1, 0, 0, 0, 0]], dtype=bool)
    emergency = engine.phase_levels(stat, low, high, quiet_days=3, over_capacity=cap)
    assert list(emergency[0, 3:8]) == [2, 3, 3, 3, 0]


def test_thresholds_follow_the_budget() -> None:
    mu = np.full((1, 730), 60.0)
    exp = engine.Expected(mu=mu, size=np.full((1, 730), 15.0), method=np.zeros((1, 730), np.int8))
    tight = engine.calibrate_thresholds(exp, engine.EngineConfig(false_alarms_per_year=0.2))
    loose = engine.calibrate_thresholds(exp, engine.EngineConfig(false_alarms_per_year=20))
    assert tight[1][0] > loose[1][0]
    assert (tight[0] <= tight[1]).all()


def test_ears_and_the_twice_rule() -> None:
    y = np.full((1, 30), 10.0)
    y[0, ::2] = 12
    y[0, 25] = 40
    c = engine.ears_statistics(y)
    assert c["C1"][0, 25] > 3 and c["C2"][0, 25] > 3 and c["C3"][0, 25] > 2
    assert engine.twice_mean_ratio(y)[0, 25] > 2


# ---------------------------------------------------------------- command line


@pytest.fixture(autouse=True)
def english() -> None:
    """Messages are checked in English here (the Spanish catalogue is the lead's)."""
    translation.activate("en")


def _write(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", newline="") as out:
        w = csv.writer(out)
        w.writerow(["date", "point", "direction", "nationality", "group", "count"])
        w.writerows(rows)
    return path


def test_cli_writes_one_row_per_point_and_date(tmp_path: Path) -> None:
    end = dt.date.today() - dt.timedelta(days=1)
    start = end - dt.timedelta(days=499)
    data = generate(
        seed=4,
        years=500 / 365.25,
        n_points=2,
        surges_per_point_year=2,
        warmup_days=200,
        start=start.isoformat(),
    )
    src = tmp_path / "in.csv"
    write_csv(data, str(src))
    call_command(
        "flows", "detect", str(src), "--out", str(tmp_path / "out"), "--false-alarms-per-year", "1"
    )
    with open(tmp_path / "out" / "phases.csv") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["point", "date", "phase", "expected", "observed", "statistic"]
    assert len(rows) == 2 * 500
    assert {r["phase"] for r in rows} <= {"normal", "watch", "alert", "emergency"}
    missing = [r for r in rows if r["observed"] == ""]
    assert missing, "missing days are written empty, never 0"
    by_point = {(r["point"], r["date"]): r for r in rows}
    s = data.surges[0]
    window = [str(data.days[j]) for j in range(s.onset, s.end + 4)]
    if s.size >= 3:
        assert any(by_point[(data.points[s.point], d)]["phase"] != "normal" for d in window)
    assert (tmp_path / "out" / "thresholds.csv").exists()


def test_cli_refuses_bad_input_naming_line_and_column(tmp_path: Path) -> None:
    src = _write(
        tmp_path / "bad.csv",
        [
            ["2019-01-01", "TECUN", "in", "HN", "adults", "10"],
            ["2019-01-02", "TECUN", "in", "HN", "adults", "-1"],
            ["2019-13-02", "TECUN", "in", "HN", "adults", "3"],
            ["2999-01-02", "TECUN", "in", "HN", "adults", "3"],
            ["2019-01-01", "TECUN", "in", "HN", "adults", "12"],
            ["2019-01-03", "", "sideways", "HN", "adults", "1.5"],
        ],
    )
    with pytest.raises(CommandError) as err:
        call_command("flows", "detect", str(src), "--out", str(tmp_path / "o"))
    text = str(err.value)
    for expected in (
        "line 3, column count",
        "line 4, column date",
        "line 5, column date",
        "line 6, column count",
        "differs from line 2",
        "line 7, column point",
        "line 7, column direction",
    ):
        assert expected in text
    assert not (tmp_path / "o" / "phases.csv").exists()


def test_cli_missing_columns_and_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("date,point,count\n2019-01-01,A,3\n")
    with pytest.raises(CommandError, match="missing column"):
        call_command("flows", "detect", str(path), "--out", str(tmp_path / "o"))
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(CommandError):
        call_command("flows", "detect", str(path), "--out", str(tmp_path / "o"))


def test_a_year_without_data_is_said_and_the_stream_restarts(tmp_path: Path) -> None:
    rows = []
    for j in range(100):
        rows.append(
            [str(dt.date(2017, 1, 1) + dt.timedelta(days=j)), "A", "in", "HN", "adults", "20"]
        )
    for j in range(60):
        rows.append(
            [str(dt.date(2018, 6, 1) + dt.timedelta(days=j)), "A", "in", "HN", "adults", "30"]
        )
    table = build_table(read_rows(_write(tmp_path / "g.csv", rows)))
    assert any("days without data" in w for w in table.warnings)
    exp = engine.fit_expected(table.totals, table.days, engine.EngineConfig())
    gap_end = (dt.date(2018, 6, 1) - dt.date(2017, 1, 1)).days
    # After the restart the expectation comes from the new data (EARS), not the old level.
    assert exp.method[0, gap_end + 20] == engine.METHOD_EARS
    assert exp.mu[0, gap_end + 20] == pytest.approx(30, rel=0.05)


def test_duplicate_rows_with_the_same_count_are_ignored(tmp_path: Path) -> None:
    rows = [["2019-01-01", "A", "in", "HN", "adults", "5"]] * 2
    table = build_table(read_rows(_write(tmp_path / "d.csv", rows)))
    assert table.totals[0, 0] == 5
    with pytest.raises(FlowInputError):
        read_rows(
            _write(
                tmp_path / "e.csv",
                [
                    ["2019-01-01", "A", "in", "HN", "adults", "5"],
                    ["2019-01-01", "A", "in", "HN", "adults", "6"],
                ],
            )
        )


def test_bench_smoke() -> None:
    clean = generate(seed=1, years=2.2, n_points=2)
    surged = generate(seed=2, years=2.2, n_points=2, surges_per_point_year=3)
    knob, fa = flows_eval.calibrate(
        flows_eval.engine_alarms, clean, 1.0, 0.05, 20.0, increasing=True, steps=5
    )
    assert fa <= 1.0
    result = flows_eval.score(flows_eval.engine_alarms(knob)(surged), surged)
    assert result["n"] > 0 and 0 <= result["detected"] <= 1
