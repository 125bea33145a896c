"""The two baselines of the person-matching benchmark, with the engine's command-line contract
(same inputs, same output files), so one scorer grades all three:

    python bench/matching_baselines.py splink dedupe INPUT.csv --out DIR
    python bench/matching_baselines.py rapidfuzz link LEFT.csv RIGHT.csv --out DIR

splink:    Splink (DuckDB) with a generic configuration: full name (lower case) compared with
           Jaro-Winkler at 0.9/0.7, birth date exact; blocking on birth date or on surname and
           given names; u by random sampling, m by EM; clusters at p >= 0.5.
rapidfuzz: block on the first letter of the surname and the birth year (from the date, the
           year, or the age at a date); token_sort_ratio of the full names >= 85 within a block;
           clusters are the connected components.
"""

from __future__ import annotations

import argparse
import os
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

THRESHOLD = 0.5
RAPIDFUZZ_CUTOFF = 85


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def full_name(df: pd.DataFrame) -> pd.Series:
    parts = df["given_names"] + " " + df["surname1"] + " " + df["surname2"]
    return parts.str.lower().str.split().str.join(" ")


def fold(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn"
    )


def birth_year(df: pd.DataFrame) -> pd.Series:
    year = pd.to_numeric(df["birth_date"].str[:4], errors="coerce")
    year = year.fillna(pd.to_numeric(df["birth_year"], errors="coerce"))
    est = pd.to_numeric(df["age_at"].str[:4], errors="coerce") - pd.to_numeric(
        df["age"], errors="coerce"
    )
    return year.fillna(est)


def clusters_from_pairs(ids: list[str], pairs: pd.DataFrame) -> pd.DataFrame:
    parent = {i: i for i in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in zip(pairs["record_id_l"], pairs["record_id_r"], strict=True):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return pd.DataFrame({"record_id": ids, "cluster_id": [find(i) for i in ids]})


def write_dedupe(out: Path, ids: list[str], pairs: pd.DataFrame) -> None:
    out.mkdir(parents=True, exist_ok=True)
    pairs.to_csv(out / "pairs.csv", index=False)
    clusters_from_pairs(ids, pairs[pairs["match_probability"] >= THRESHOLD]).to_csv(
        out / "clusters.csv", index=False
    )


def write_link(out: Path, cand: pd.DataFrame) -> None:
    out.mkdir(parents=True, exist_ok=True)
    cand = cand.sort_values(["left_id", "match_probability"], ascending=[True, False])
    cand["rank"] = cand.groupby("left_id").cumcount() + 1
    cand = cand[cand["rank"] <= 10]
    cand[["left_id", "right_id", "rank", "match_probability"]].to_csv(
        out / "candidates.csv", index=False
    )


# --- Splink, generic configuration ----------------------------------------------------------


def _splink_prepare(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unique_id": df["record_id"],
            "full_name": full_name(df).replace("", None),
            "given_names": df["given_names"].str.lower().replace("", None),
            "surname1": df["surname1"].str.lower().replace("", None),
            "birth_date": df["birth_date"].replace("", None),
        }
    )


def _splink_linker(frames: list[pd.DataFrame], link_type: str):
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on
    from splink.backends.duckdb import DuckDBAPI

    settings = SettingsCreator(
        link_type=link_type,
        comparisons=[
            cl.JaroWinklerAtThresholds("full_name", [0.9, 0.7]),
            cl.ExactMatch("birth_date"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("birth_date"),
            block_on("surname1", "given_names"),
        ],
        retain_matching_columns=False,
    )
    db = DuckDBAPI()
    sdfs = [db.register(f) for f in frames]
    linker = Linker(sdfs if len(sdfs) > 1 else sdfs[0], settings, log_level=30)
    try:
        linker.training.estimate_probability_two_random_records_match(
            [block_on("full_name", "birth_date")], recall=0.7
        )
    except ValueError:
        pass
    if not linker._settings_obj._probability_two_random_records_match > 0:
        # No exact pair at all (tiny inputs): back to Splink's default prior.
        linker._settings_obj._probability_two_random_records_match = 1e-4
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=5)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("surname1", "given_names")
    )
    return linker


def splink_dedupe(path: Path, out: Path) -> None:
    df = read(path)
    linker = _splink_linker([_splink_prepare(df)], "dedupe_only")
    pred = linker.inference.predict(threshold_match_probability=0.01).as_pandas_dataframe()
    pairs = pd.DataFrame(
        {
            "record_id_l": pred["unique_id_l"],
            "record_id_r": pred["unique_id_r"],
            "match_probability": pred["match_probability"].round(6),
        }
    )
    write_dedupe(out, df["record_id"].tolist(), pairs)


def splink_link(left: Path, right: Path, out: Path) -> None:
    dl, dr = read(left), read(right)
    linker = _splink_linker([_splink_prepare(dl), _splink_prepare(dr)], "link_only")
    pred = linker.inference.predict(threshold_match_probability=0.001).as_pandas_dataframe()
    left_ids = set(dl["record_id"])
    flip = ~pred["unique_id_l"].isin(left_ids)
    cand = pd.DataFrame(
        {
            "left_id": np.where(flip, pred["unique_id_r"], pred["unique_id_l"]),
            "right_id": np.where(flip, pred["unique_id_l"], pred["unique_id_r"]),
            "match_probability": pred["match_probability"].round(6),
        }
    )
    write_link(out, cand)


# --- rapidfuzz blocking and threshold -------------------------------------------------------


def _rf_prepare(df: pd.DataFrame) -> pd.DataFrame:
    names = full_name(df).map(fold)
    return pd.DataFrame(
        {
            "id": df["record_id"],
            "name": names,
            "block": df["surname1"].map(fold).str[:1]
            + "|"
            + birth_year(df).astype("Int64").astype(str),
        }
    )


def rapidfuzz_dedupe(path: Path, out: Path) -> None:
    from rapidfuzz import fuzz, process

    df = read(path)
    prep = _rf_prepare(df)
    rows: list[tuple[str, str, float]] = []
    for _, block in prep.groupby("block", sort=False):
        if len(block) < 2:
            continue
        names = block["name"].tolist()
        ids = block["id"].tolist()
        scores = process.cdist(
            names, names, scorer=fuzz.token_sort_ratio, score_cutoff=RAPIDFUZZ_CUTOFF, workers=1
        )
        ii, jj = np.nonzero(np.triu(scores, 1))
        rows += [
            (ids[i], ids[j], round(float(scores[i, j]) / 100, 4))
            for i, j in zip(ii, jj, strict=True)
        ]
    pairs = pd.DataFrame(rows, columns=["record_id_l", "record_id_r", "match_probability"])
    write_dedupe(out, df["record_id"].tolist(), pairs)


def rapidfuzz_link(left: Path, right: Path, out: Path) -> None:
    from rapidfuzz import fuzz, process

    pl, pr = _rf_prepare(read(left)), _rf_prepare(read(right))
    by_block = {k: g for k, g in pr.groupby("block", sort=False)}
    rows: list[tuple[str, str, float]] = []
    for key, block in pl.groupby("block", sort=False):
        other = by_block.get(key)
        if other is None:
            continue
        scores = process.cdist(
            block["name"].tolist(),
            other["name"].tolist(),
            scorer=fuzz.token_sort_ratio,
            score_cutoff=RAPIDFUZZ_CUTOFF,
            workers=1,
        )
        lids, rids = block["id"].tolist(), other["id"].tolist()
        ii, jj = np.nonzero(scores)
        rows += [
            (lids[i], rids[j], round(float(scores[i, j]) / 100, 4))
            for i, j in zip(ii, jj, strict=True)
        ]
    write_link(out, pd.DataFrame(rows, columns=["left_id", "right_id", "match_probability"]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Person-matching baselines (engine's CLI).")
    parser.add_argument("method", choices=["splink", "rapidfuzz"])
    parser.add_argument("task", choices=["dedupe", "link"])
    parser.add_argument("inputs", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "2")
    if args.task == "dedupe":
        {"splink": splink_dedupe, "rapidfuzz": rapidfuzz_dedupe}[args.method](
            args.inputs[0], args.out
        )
    else:
        if len(args.inputs) != 2:
            sys.exit("link needs LEFT.csv RIGHT.csv")
        {"splink": splink_link, "rapidfuzz": rapidfuzz_link}[args.method](
            args.inputs[0], args.inputs[1], args.out
        )


if __name__ == "__main__":
    main()
