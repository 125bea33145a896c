"""The person-matching benchmark (bench/matching_*.py): deterministic data with consistent
truth, metric functions on hand-made examples, and a small end-to-end run through the CLI."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from bench import matching_data as D
from bench import matching_metrics as M
from bench.matching_eval import ENGINE_CLI, febrl_entity, febrl_frame

ROOT = Path(__file__).resolve().parent.parent
FILES = ["records.csv", "truth.csv", "meta.csv", "left.csv", "right.csv", "links.csv"]


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("mb") / "a"
    D.generate(out, 2000, seed=11)
    return out


def _digest(folder: Path) -> dict[str, str]:
    return {f: hashlib.sha256((folder / f).read_bytes()).hexdigest() for f in FILES}


def test_generator_is_deterministic(data, tmp_path):
    D.generate(tmp_path / "b", 2000, seed=11)
    assert _digest(data) == _digest(tmp_path / "b")
    D.generate(tmp_path / "c", 2000, seed=12)
    assert _digest(data)["records.csv"] != _digest(tmp_path / "c")["records.csv"]


def test_truth_is_consistent(data):
    records = pd.read_csv(data / "records.csv", dtype=str, keep_default_na=False)
    truth = pd.read_csv(data / "truth.csv", dtype=str)
    meta = pd.read_csv(data / "meta.csv", dtype=str, keep_default_na=False)
    assert list(records.columns) == D.COLUMNS
    assert len(records) == 2000 and records["record_id"].is_unique
    assert list(truth["record_id"]) == list(records["record_id"])
    assert list(meta["record_id"]) == list(records["record_id"])
    assert (truth["person_id"] == meta["person_id"]).all()
    sizes = truth["person_id"].value_counts()
    assert sizes.max() <= 6 and (sizes > 1).sum() > 200  # duplicates to find
    # Person-level attributes agree across a person's records.
    assert (meta.groupby("person_id")["group"].nunique() == 1).all()
    assert (meta.groupby("person_id")["child"].nunique() == 1).all()
    assert {"mayan", "spanish"} == set(meta["group"]) and {"0", "1"} == set(meta["child"])
    tags = {t for c in meta["corruptions"] for t in c.split(";") if t}
    assert tags <= set(D.CORRUPTIONS)
    for t in ["nickname", "mayan_orthography", "swap_surnames", "day_month_swap", "age_at"]:
        assert t in tags
    assert set(records["nationality"]) - {""} <= {"GTM", "HND", "SLV", "MEX"}
    assert records["birth_date"].str.fullmatch(r"(\d{4}-\d\d-\d\d)?").all()
    # Link task: every true link joins a report and a found record of the same person.
    left = pd.read_csv(data / "left_meta.csv", dtype=str).set_index("record_id")
    right = pd.read_csv(data / "right_meta.csv", dtype=str).set_index("record_id")
    links = pd.read_csv(data / "links.csv", dtype=str)
    assert len(links) > 50
    assert (
        links["left_id"].map(left["person_id"]) == links["right_id"].map(right["person_id"])
    ).all()
    same = left.reset_index().merge(right.reset_index(), on="person_id")
    assert len(same) == len(links)


def test_corruptions_do_what_they_say():
    import random

    rng = random.Random(1)
    p = D.Person(
        "p1",
        ["María", "José"],
        "Pérez",
        "Q'uich",
        "F",
        D.dt.date(1990, 3, 7),
        "GTM",
        "13",
        "1301",
        "1234567890101",
        True,
        spouse="García",
    )

    def rec() -> D.Record:
        return D._base_record("r", p, random.Random(0), doc_share=1)

    r = rec()
    assert D.apply(r, "accent_drop", rng) and r.given == ["Maria", "Jose"]
    r = rec()
    assert D.apply(r, "swap_surnames", rng) and (r.surname1, r.surname2) == ("Q'uich", "Pérez")
    r = rec()
    assert D.apply(r, "short_compound", rng) and r.given == ["María"]
    r = rec()
    assert D.apply(r, "day_month_swap", rng) and r.birth_date == "1990-07-03"
    r = rec()
    assert D.apply(r, "spouse_surname", rng) and r.surname2.endswith("de García")
    r = rec()
    assert D.apply(r, "mayan_orthography", rng) and r.surname2 in {"Quich", "Kuich", "Kich"}
    r = rec()
    assert D.apply(r, "doc_typo", rng) and r.document != p.document
    assert len(r.document) == len(p.document)
    r = rec()
    assert D.apply(r, "age_at", rng) and r.birth_date == "" and r.age and r.age_at
    r = rec()
    D.apply(r, "case", rng)
    assert D.apply(r, "typo_phonetic", rng)
    assert all(x.isupper() or x.islower() for x in r.given + [r.surname1])


def test_pairwise_metrics_by_hand():
    # Entities: A = {1, 2, 3}, B = {4, 5}, C = {6}. True pairs: 12 13 23 45 (4).
    truth = pd.Series(list("AAABBC"), index=list("123456"))
    assert M.true_pair_count(truth) == 4
    pairs = pd.DataFrame(
        {
            "l": ["2", "1", "4", "3", "5"],
            "r": ["1", "3", "6", "1", "4"],
            "p": [0.9, 0.8, 0.7, 0.6, 0.4],
        }
    )
    # Deduplicated: (1,2) .9, (1,3) .8, (4,6) .7, (4,5) .4  -> at 0.5: tp 2 of 3 predicted.
    r = M.pairwise(pairs, truth, threshold=0.5)
    assert (r.tp, r.predicted, r.true) == (2, 3, 4)
    assert r.precision == pytest.approx(2 / 3) and r.recall == pytest.approx(0.5)
    assert r.f1 == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    best, at = M.best_f1(pairs, truth)
    # Cuts: .9 -> 1/1, F1 2/5; .8 -> 2/2, F1 4/6; .7 -> 2/3, F1 4/7; .4 -> 3/4, F1 6/8.
    assert best.f1 == pytest.approx(0.75) and at == pytest.approx(0.4)
    grp = M.group_pairwise(pairs, truth, pd.Series([False] * 3 + [True] * 3, index=list("123456")))
    assert (grp.tp, grp.predicted, grp.true) == (1, 2, 1)


def test_cluster_metrics_by_hand():
    truth = pd.Series(list("AAABBC"), index=list("123456"))
    clusters = pd.Series(["x", "x", "y", "z", "z"], index=list("12345"))  # 6 unclustered
    # Clusters {1,2} {3} {4,5} {6}: precision 1; recall: records 1,2 -> 2/3, 3 -> 1/3, 4,5,6 -> 1.
    b = M.bcubed(clusters, truth)
    assert b.precision == pytest.approx(1.0)
    assert b.recall == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 3) / 6)
    c = M.cluster_pairwise(clusters, truth)
    assert (c.tp, c.predicted, c.true) == (2, 2, 4)
    # One cluster for everything: recall 1, precision (3*3/6 + 2*2/6 + 1*1/6)/6.
    allin = pd.Series(["k"] * 6, index=list("123456"))
    b = M.bcubed(allin, truth)
    assert b.recall == pytest.approx(1.0)
    assert b.precision == pytest.approx((3 * 0.5 + 2 * (2 / 6) + 1 / 6) / 6)
    sub = M.bcubed(clusters, truth, pd.Index(["4", "5"]))
    assert sub.f1 == pytest.approx(1.0)


def test_topk_and_corruption_recall_by_hand():
    cand = pd.DataFrame(
        {
            "left_id": ["a", "a", "a", "b", "b", "c"],
            "right_id": ["x", "y", "z", "w", "v", "u"],
            "rank": [1, 2, 6, 1, 2, 1],
            "match_probability": [0.9, 0.5, 0.1, 0.8, 0.7, 0.6],
        }
    )
    links = pd.DataFrame({"left_id": ["a", "b", "d"], "right_id": ["z", "v", "q"]})
    assert M.topk_recall(cand, links, 1) == 0
    assert M.topk_recall(cand, links, 5) == pytest.approx(1 / 3)
    assert M.topk_recall(cand, links, 10) == pytest.approx(2 / 3)
    hits = M.topk_hits(cand, links, 5).rename(columns={"left_id": "l", "right_id": "r"})
    tags = pd.Series({"a": "nickname", "z": "case", "b": "", "v": "nickname", "d": ""})
    out = M.recall_by_tag(hits, tags).set_index("tag")
    assert out.loc["nickname", "pairs"] == 2 and out.loc["nickname", "recall"] == 0.5
    assert out.loc["none", "pairs"] == 1 and out.loc["none", "recall"] == 0
    assert out.loc["nickname", "only_pairs"] == 1 and out.loc["nickname", "only_recall"] == 1
    assert out.loc["case", "only_pairs"] == 0
    tp = M.true_pairs(pd.Series(list("AAAB"), index=list("1234")))
    assert sorted(zip(tp["l"], tp["r"], strict=True)) == [("1", "2"), ("1", "3"), ("2", "3")]


def test_febrl_mapping():
    df = pd.DataFrame(
        {
            "given_name": ["lachlan", None],
            "surname": ["berry", "waller"],
            "date_of_birth": ["19990219", "19081331"],
            "soc_sec_id": ["7364009", "6988048"],
        },
        index=pd.Index(["rec-122-org", "rec-122-dup-0"], name="rec_id"),
    )
    out = febrl_frame(df)
    assert list(out.columns) == D.COLUMNS
    assert out["birth_date"].tolist() == ["1999-02-19", ""]
    assert out["birth_year"].tolist() == ["", "1908"]
    assert out["document_number"].tolist() == ["7364009", "6988048"]
    assert febrl_entity(df.index).tolist() == ["122", "122"]


def test_rapidfuzz_baseline_runs_end_to_end(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            "bench/matching_eval.py",
            "--records",
            "600",
            "--seed",
            "3",
            "--methods",
            "rapidfuzz",
            "--skip-febrl",
            "--work",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert "### Deduplication" in out.stdout and "### Missing-to-found link" in out.stdout


@pytest.mark.skipif(
    not ENGINE_CLI.exists(), reason="the engine's CLI (manage.py match) has not landed yet"
)
@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="run once, with the SQLite suite",
)
def test_engine_smoke_eval(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            "bench/matching_eval.py",
            "--records",
            "2000",
            "--skip-baselines",
            "--skip-febrl",
            "--work",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert "Amparo engine dedupe" in out.stdout and "FAILED" not in out.stdout
    assert "### Missing-to-found link" in out.stdout
