"""The matching engine: Splink models on DuckDB (default) or Spark, trained and saved as JSON.

Public API (stable; other apps and the command line use it):

- `dedupe(records, *, model="dedupe", threshold=0.5, backend="duckdb")
  -> (list[Pair], list[Cluster])`
- `link(left, right, *, model="missing", top=10, backend="duckdb") -> list[Candidate]`
- `person_records(queryset) -> list[dict]`: Person rows in the record layout.
- `train(model, records, *, path=None)`: re-estimates a model and writes its JSON file.

Records are dicts (or a pandas DataFrame) with the columns of `names.INPUT_COLUMNS`.
Nothing is fetched from the network: the models are read from amparo/matching/models/.
"""

from __future__ import annotations

import json
import logging
import math
import os
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from django.utils.translation import gettext as _

from amparo.matching.models_spec import MODELS, VERSION, model_label, settings_for
from amparo.matching.names import DERIVED_COLUMNS, INTEGER_COLUMNS, derive
from amparo.matching.records import check_records

if TYPE_CHECKING:
    from collections.abc import Iterable

MODELS_DIR = Path(__file__).parent / "models"
DEFAULT_BACKEND = "duckdb"
BACKENDS = ("duckdb", "spark")
# Pairs below this weight are never worth showing (about 1 in 1,000 odds).
LINK_FLOOR_WEIGHT = -10.0

logging.getLogger("splink").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Pair:
    record_id_l: str
    record_id_r: str
    match_probability: float


@dataclass(frozen=True)
class Cluster:
    record_id: str
    cluster_id: str


@dataclass(frozen=True)
class Candidate:
    left_id: str
    right_id: str
    rank: int
    match_probability: float
    explanation: dict[str, str]


def model_path(model: str) -> Path:
    return MODELS_DIR / f"{model_label(model)}.json"


# ---------------------------------------------------------------------------------------------
# Records


def prepare(records: Any, *, checked: bool = False) -> pd.DataFrame:
    """The model's derived columns for records in the input layout."""
    rows = records if checked else check_records(records)
    frame = pd.DataFrame([derive(r) for r in rows], columns=list(DERIVED_COLUMNS))
    for column in INTEGER_COLUMNS:
        frame[column] = frame[column].astype("Int64")
    return frame


# ---------------------------------------------------------------------------------------------
# Models


def load_settings(model: str, dialect: str = "duckdb", *, link: bool = False) -> dict[str, Any]:
    """The comparisons of `model` for `dialect`, with the trained values of its JSON file."""
    if model not in MODELS:
        raise ValueError(
            _("Unknown model %(model)r: use one of %(models)s")
            % {
                "model": model,
                "models": ", ".join(MODELS),
            }
        )
    settings = settings_for(model, dialect, link=link)
    path = model_path(model)
    if not path.exists():
        return settings
    trained = json.loads(path.read_text(encoding="utf-8"))
    by_name = {c["output_column_name"]: c for c in trained["comparisons"]}
    for comparison in settings["comparisons"]:
        saved = by_name.get(comparison["output_column_name"])
        labels = [lv["label_for_charts"] for lv in comparison["comparison_levels"]]
        if saved is None or labels != [lv["label_for_charts"] for lv in saved["comparison_levels"]]:
            raise RuntimeError(
                f"{path.name} does not match the comparisons in models_spec.py for "
                f"{comparison['output_column_name']!r}: retrain with `manage.py match train`"
            )
        for level, saved_level in zip(
            comparison["comparison_levels"], saved["comparison_levels"], strict=True
        ):
            for key in ("m_probability", "u_probability"):
                if key in saved_level:
                    level[key] = saved_level[key]
    settings["probability_two_random_records_match"] = trained[
        "probability_two_random_records_match"
    ]
    settings["amparo"] = trained.get("amparo", {})
    return settings


def _prior(settings: dict[str, Any], n_left: int, n_right: int | None) -> float:
    """Probability that two random records match, rescaled to the size of this run.

    Trained on N records with about d duplicates per record, lambda = d / N; on M records the
    same duplication rate gives d / M. Linking: one true match per left record at most.
    """
    meta = settings.pop("amparo", {})
    if n_right is not None:
        return min(0.5, 1.0 / max(n_right, 1))
    trained = settings["probability_two_random_records_match"]
    n_train = meta.get("training_records")
    if not n_train:
        return trained
    return min(0.5, trained * n_train / max(n_left, 2))


# ---------------------------------------------------------------------------------------------
# Backends


def _duckdb_api() -> Any:
    import duckdb
    from splink import DuckDBAPI

    con = duckdb.connect(":memory:")
    # One directory per process: DuckDB names its spill files the same in every process, so the
    # worker and a `manage.py match` run at the same time must not share one.
    temp = Path(tempfile.gettempdir()) / "amparo-matching-duckdb" / str(os.getpid())
    temp.mkdir(parents=True, exist_ok=True)
    con.execute(f"SET temp_directory = '{temp}'")
    con.execute("SET preserve_insertion_order = false")
    limit = os.environ.get("AMPARO_MATCHING_MEMORY", "4GB")
    con.execute(f"SET memory_limit = '{limit}'")
    return DuckDBAPI(connection=con)


_SPARK = None


def spark_session() -> Any:
    """A local Spark session (2 cores, no UI), created once per process."""
    global _SPARK
    if _SPARK is None:
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location

        cores = os.environ.get("AMPARO_SPARK_CORES", "2")
        partitions = os.environ.get("AMPARO_SPARK_PARTITIONS", "4")
        _SPARK = (
            SparkSession.builder.master(f"local[{cores}]")
            .appName("amparo-matching")
            .config("spark.ui.enabled", "false")
            .config("spark.jars", similarity_jar_location())  # jaro_winkler and friends
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", partitions)
            .config("spark.default.parallelism", partitions)
            .config("spark.sql.adaptive.enabled", "true")
            .config("spark.driver.memory", os.environ.get("AMPARO_SPARK_MEMORY", "2g"))
            .config("spark.sql.ansi.enabled", "false")
            .getOrCreate()
        )
        _SPARK.sparkContext.setLogLevel("ERROR")
        checkpoints = Path(tempfile.gettempdir()) / "amparo-matching-spark"
        _SPARK.sparkContext.setCheckpointDir(str(checkpoints))
    return _SPARK


def _spark_api() -> Any:
    from splink import SparkAPI

    method = os.environ.get("AMPARO_SPARK_LINEAGE", "persist")  # or parquet, for national scale
    return SparkAPI(spark_session=spark_session(), break_lineage_method=method)


def _register(db_api: Any, frame: pd.DataFrame, backend: str, name: str) -> Any:
    if backend == "spark":
        from pyspark.sql import types as T

        integer = INTEGER_COLUMNS
        schema = T.StructType(
            [
                T.StructField(c, T.IntegerType() if c in integer else T.StringType(), True)
                for c in frame.columns
            ]
        )
        rows = [
            tuple(
                None if (v is pd.NA or (isinstance(v, float) and math.isnan(v))) else v for v in row
            )
            for row in frame.astype(object).itertuples(index=False, name=None)
        ]
        table = spark_session().createDataFrame(rows, schema=schema)
        return db_api.register(table, table_name=name)
    return db_api.register(frame, table_name=name)


def _linker(frames: list[pd.DataFrame], settings: dict[str, Any], backend: str) -> Any:
    from splink import Linker

    if backend not in BACKENDS:
        raise ValueError(
            _("Unknown backend %(backend)r: use duckdb or spark") % {"backend": backend}
        )
    db_api = _spark_api() if backend == "spark" else _duckdb_api()
    # Names unique per run: a Spark session outlives a run and keeps its temporary views.
    run = uuid.uuid4().hex[:10]
    tables = [_register(db_api, f, backend, f"amparo_{run}_{i}") for i, f in enumerate(frames)]
    linker = Linker(tables if len(tables) > 1 else tables[0], settings, log_level=None)
    linker.amparo_left_table = f"amparo_{run}_0"  # the source_dataset value of the left file
    return linker


# ---------------------------------------------------------------------------------------------
# Explanations


def level_labels(settings: dict[str, Any]) -> dict[str, dict[int, str]]:
    """comparison name -> {gamma value: label}; gamma counts down from the first non-null level."""
    out: dict[str, dict[int, str]] = {}
    for comparison in settings["comparisons"]:
        levels = comparison["comparison_levels"]
        labels: dict[int, str] = {}
        value = len([lv for lv in levels if not lv.get("is_null_level")]) - 1
        for level in levels:
            if level.get("is_null_level"):
                labels[-1] = level["label_for_charts"]
            else:
                labels[value] = level["label_for_charts"]
                value -= 1
        out[comparison["output_column_name"]] = labels
    return out


def explain(row: dict[str, Any], labels: dict[str, dict[int, str]]) -> dict[str, str]:
    """Field -> translated label of the comparison level the pair reached."""
    explanation = {}
    for name, by_gamma in labels.items():
        gamma = row.get(f"gamma_{name}")
        if gamma is None or (isinstance(gamma, float) and math.isnan(gamma)):
            continue
        explanation[name] = _(by_gamma.get(int(gamma), ""))
    return explanation


# ---------------------------------------------------------------------------------------------
# Deduplication


def dedupe_frames(
    frame: pd.DataFrame, *, model: str = "dedupe", threshold: float = 0.5, backend: str = "duckdb"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pairs (record_id_l, record_id_r, match_probability) at or above the threshold and
    clusters (record_id, cluster_id) of all records, as DataFrames."""
    settings = load_settings(model, backend)
    settings["probability_two_random_records_match"] = _prior(settings, len(frame), None)
    if len(frame) < 2:
        clusters = pd.DataFrame({"record_id": frame["unique_id"], "cluster_id": frame["unique_id"]})
        return pd.DataFrame(columns=["record_id_l", "record_id_r", "match_probability"]), clusters
    linker = _linker([frame], settings, backend)
    predictions = linker.inference.predict(
        threshold_match_probability=threshold, warning_mode="never"
    )
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    )
    pairs = linker.misc.query_sql(
        "SELECT unique_id_l AS record_id_l, unique_id_r AS record_id_r, match_probability "
        f"FROM {predictions.physical_name} ORDER BY record_id_l, record_id_r",
        output_type="pandas",
    )
    clusters = linker.misc.query_sql(
        f"SELECT unique_id AS record_id, cluster_id FROM {clustered.physical_name} "
        "ORDER BY cluster_id, record_id",
        output_type="pandas",
    )
    return pairs, clusters


def dedupe(
    records: Any, *, model: str = "dedupe", threshold: float = 0.5, backend: str = DEFAULT_BACKEND
) -> tuple[list[Pair], list[Cluster]]:
    pairs, clusters = dedupe_frames(
        prepare(records), model=model, threshold=threshold, backend=backend
    )
    return (
        [
            Pair(str(a), str(b), float(p))
            for a, b, p in pairs[["record_id_l", "record_id_r", "match_probability"]].itertuples(
                index=False, name=None
            )
        ],
        [
            Cluster(str(r), str(c))
            for r, c in clusters[["record_id", "cluster_id"]].itertuples(index=False, name=None)
        ],
    )


# ---------------------------------------------------------------------------------------------
# Linking


def link_frame(
    left: pd.DataFrame,
    right: pd.DataFrame,
    *,
    model: str = "missing",
    top: int = 10,
    backend: str = DEFAULT_BACKEND,
) -> tuple[pd.DataFrame, dict[str, dict[int, str]]]:
    """The best `top` right records for each left record: left_id, right_id, rank,
    match_probability and the gamma_<field> columns (see `level_labels`)."""
    settings = load_settings(model, backend, link=True)
    settings["retain_matching_columns"] = True  # brings the gamma_ columns that explain
    settings["probability_two_random_records_match"] = _prior(settings, len(left), len(right))
    labels = level_labels(settings)
    gammas = ", ".join(f"gamma_{name}" for name in labels)
    columns = ["left_id", "right_id", "rank", "match_probability", *(f"gamma_{n}" for n in labels)]
    if left.empty or right.empty:
        return pd.DataFrame(columns=columns), labels
    # Splink needs distinct ids across the two inputs' tables only per side; keep them apart.
    linker = _linker([left, right], settings, backend)
    predictions = linker.inference.predict(
        threshold_match_weight=LINK_FLOOR_WEIGHT, warning_mode="never"
    )
    order = "match_probability DESC, match_weight DESC, right_id"
    # Splink orders each pair by dataset name; put the left file's record first.
    flip = f"source_dataset_l <> '{linker.amparo_left_table}'"
    sql = f"""
        SELECT left_id, right_id, rank, match_probability, {gammas} FROM (
            SELECT left_id, right_id, match_probability, {gammas},
                   row_number() OVER (PARTITION BY left_id ORDER BY {order}) AS rank
            FROM (
                SELECT CASE WHEN {flip} THEN unique_id_r ELSE unique_id_l END AS left_id,
                       CASE WHEN {flip} THEN unique_id_l ELSE unique_id_r END AS right_id,
                       match_probability, match_weight, {gammas}
                FROM {predictions.physical_name}
            ) oriented
        ) ranked WHERE rank <= {int(top)} ORDER BY left_id, rank
    """
    ranked = linker.misc.query_sql(sql, output_type="pandas")
    return ranked, labels


def link(
    left: Any,
    right: Any,
    *,
    model: str = "missing",
    top: int = 10,
    backend: str = DEFAULT_BACKEND,
) -> list[Candidate]:
    ranked, labels = link_frame(
        prepare(left), prepare(right), model=model, top=top, backend=backend
    )
    return [
        Candidate(
            left_id=str(row["left_id"]),
            right_id=str(row["right_id"]),
            rank=int(row["rank"]),
            match_probability=float(row["match_probability"]),
            explanation=explain(row, labels),
        )
        for row in ranked.to_dict("records")
    ]


# ---------------------------------------------------------------------------------------------
# People in the database


def person_records(queryset: Iterable[Any]) -> list[dict[str, str]]:
    """Person rows in the record layout (record_id = the person's UUID).

    Other names (aliases, previous names) go to other_names; the first active identity
    document to document_number (the others are still found by the document search).
    """
    from django.db.models import Prefetch, prefetch_related_objects

    from amparo.people.models import IdentityDocument, PersonName

    related = (
        Prefetch("documents", IdentityDocument.objects.filter(voided_at__isnull=True)),
        Prefetch("other_names", PersonName.objects.filter(voided_at__isnull=True)),
    )
    if hasattr(queryset, "select_related"):
        people = list(
            queryset.select_related(
                "nationality", "origin_municipality__department"
            ).prefetch_related(*related)
        )
    else:
        # A list of people: a few queries for all of them, not five for each (the worker and
        # the remains page pass up to 2,000).
        people = list(queryset)
        prefetch_related_objects(
            people, "nationality", "origin_municipality__department", *related
        )
    records = []
    for person in people:
        municipality = person.origin_municipality
        documents = sorted(person.documents.all(), key=lambda d: d.created_at)
        other = [str(n) for n in person.other_names.all()]
        records.append(
            {
                "record_id": str(person.pk),
                "given_names": person.given_names,
                "surname1": person.first_surname,
                "surname2": person.second_surname,
                "other_names": " ".join(other),
                "sex": person.sex if person.sex in ("F", "M", "X") else "",
                "birth_date": person.birth_date.isoformat()
                if person.birth_date and person.birth_date_precision == "exact"
                else "",
                "birth_year": str(person.birth_date.year)
                if person.birth_date and person.birth_date_precision != "exact"
                else "",
                "age": "" if person.age_years is None else str(person.age_years),
                "age_at": person.age_recorded_on.isoformat() if person.age_recorded_on else "",
                "nationality": getattr(person.nationality, "alpha3", "") or ""
                if person.nationality
                else "",
                # Departments and municipalities have one name (INE's), not a Spanish/English pair.
                "origin_department": municipality.department.name if municipality else "",
                "origin_municipality": municipality.name if municipality else "",
                "document_number": documents[0].number_normalized if documents else "",
            }
        )
    return records


# ---------------------------------------------------------------------------------------------
# Training


def train(
    model: str,
    records: Any,
    *,
    path: Path | None = None,
    seed: int = 20261101,
    max_pairs: float = 2e6,
) -> Path:
    """Estimate the model on unlabeled records and write its JSON file.

    u from random sampling, the prior from deterministic rules, m by expectation
    maximisation on two blockings (surnames; given name and birth year), so every
    comparison is estimated at least once.
    """
    from splink import block_on

    frame = prepare(records)
    settings = settings_for(model, "duckdb")
    linker = _linker([frame], settings, "duckdb")
    training = linker.training
    training.estimate_probability_two_random_records_match(
        [
            "l.s1 = r.s1 AND l.s2 = r.s2 AND l.g1 = r.g1 AND l.birth_year = r.birth_year",
            "l.document = r.document",
        ],
        recall=0.6,
    )
    training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
    training.estimate_parameters_using_expectation_maximisation(
        block_on("s1", "s2"), record_sample_proportion=1.0
    )
    # The second pass estimates the surname levels; a family's guessed age is seldom the
    # right year, so the family model blocks on the decade (the same year leaves EM too few
    # true pairs and it settles on "every true pair has both surnames").
    second = ("g1", "birth_decade") if model == "family" else ("g1", "birth_year")
    training.estimate_parameters_using_expectation_maximisation(
        block_on(*second), record_sample_proportion=1.0
    )
    saved = linker.misc.save_model_to_json()
    saved.pop("linker_uid", None)
    # Multi-threaded sums differ in the last bits from run to run; 9 significant digits make
    # the committed file reproducible.
    for comparison in saved["comparisons"]:
        for level in comparison["comparison_levels"]:
            for key in ("m_probability", "u_probability"):
                if isinstance(level.get(key), float):
                    level[key] = float(f"{level[key]:.9g}")
    prior = saved["probability_two_random_records_match"]
    saved["probability_two_random_records_match"] = float(f"{prior:.9g}")
    saved["amparo"] = {"model": model, "version": VERSION, "training_records": len(frame)}
    path = path or model_path(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(saved, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
