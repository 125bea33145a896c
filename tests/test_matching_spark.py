"""The same model on Spark (local mode) gives the same top candidates as on DuckDB."""

from __future__ import annotations

import os
import shutil

import pytest

from amparo.matching import engine
from amparo.matching.training import training_records

os.environ.setdefault("AMPARO_SPARK_PARTITIONS", "1")

pytestmark = pytest.mark.skipif(
    shutil.which("java") is None,
    reason="java is not installed (Spark needs it; .ci/run installs Debian's openjdk)",
)


def test_spark_and_duckdb_agree_on_top_candidates() -> None:
    records = training_records("missing", people=150, seed=3)
    right = [r for r in records if "-" not in r["record_id"]]
    left = [r for r in records if r["record_id"].endswith("-0")][:40]
    duck = engine.link(left, right, model="missing", top=3, backend="duckdb")
    spark = engine.link(left, right, model="missing", top=3, backend="spark")
    best = lambda cands: {c.left_id: c for c in cands if c.rank == 1}  # noqa: E731
    duck_best, spark_best = best(duck), best(spark)
    assert duck_best.keys() == spark_best.keys() and len(duck_best) >= 35
    for left_id, candidate in duck_best.items():
        other = spark_best[left_id]
        assert other.right_id == candidate.right_id
        assert other.match_probability == pytest.approx(candidate.match_probability, abs=1e-3)
        assert other.explanation == candidate.explanation
