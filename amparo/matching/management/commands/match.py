"""manage.py match: the matching engine on files (contract documented in docs/matching.md).

  match dedupe INPUT.csv --out DIR [--model dedupe] [--threshold 0.5] [--backend duckdb|spark]
      -> DIR/pairs.csv (record_id_l, record_id_r, match_probability)
         DIR/clusters.csv (record_id, cluster_id)
  match link LEFT.csv RIGHT.csv --out DIR [--model missing] [--top 10] [--backend ...]
      -> DIR/candidates.csv (left_id, right_id, rank, match_probability)
  match train MODEL [INPUT.csv] [--out FILE]
      -> re-estimates a model (on the seeded synthetic records when no file is given)

Bad input stops the command before anything is written, naming the line and the column.
"""

from __future__ import annotations

import csv
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from amparo.matching import engine
from amparo.matching.models_spec import MODELS
from amparo.matching.records import InputError, read_csv


def _write(frame: pd.DataFrame, columns: list[str], out: Path, name: str) -> None:
    """Write atomically: a partial file is never left under the final name."""
    handle, temp = tempfile.mkstemp(dir=out, prefix=f".{name}.", suffix=".tmp")
    os.close(handle)
    frame = frame[columns]
    if "match_probability" in frame:
        frame = frame.assign(match_probability=frame["match_probability"].round(6))
    frame.to_csv(temp, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    os.replace(temp, out / name)


class Command(BaseCommand):
    help = "Find duplicates in a file of person records, or link two files (docs/matching.md)."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        dedupe = sub.add_parser("dedupe", help="pairs and clusters of duplicates in one file")
        dedupe.add_argument("input", type=Path)
        dedupe.add_argument("--out", type=Path, required=True)
        dedupe.add_argument("--model", default="dedupe", choices=MODELS)
        dedupe.add_argument("--threshold", type=float, default=0.5)
        dedupe.add_argument("--backend", default="duckdb", choices=engine.BACKENDS)
        link = sub.add_parser("link", help="ranked candidates in RIGHT for each LEFT record")
        link.add_argument("left", type=Path)
        link.add_argument("right", type=Path)
        link.add_argument("--out", type=Path, required=True)
        link.add_argument("--model", default="missing", choices=MODELS)
        link.add_argument("--top", type=int, default=10)
        link.add_argument("--backend", default="duckdb", choices=engine.BACKENDS)
        train = sub.add_parser("train", help="re-estimate a model and write its JSON file")
        train.add_argument("model", choices=MODELS)
        train.add_argument("input", type=Path, nargs="?")
        train.add_argument("--out", type=Path)
        for p in (dedupe, link, train):
            p.called_from_command_line = getattr(parser, "called_from_command_line", False)

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        action = options["action"]
        try:
            if action == "dedupe":
                self._dedupe(options)
            elif action == "link":
                self._link(options)
            else:
                self._train(options)
        except InputError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"] > 0:
            self.stderr.write(f"{time.monotonic() - started:.1f} s")

    def _read(self, path: Path) -> pd.DataFrame:
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        try:
            return engine.prepare(read_csv(path), checked=True)
        except InputError as exc:
            raise CommandError(f"{path.name}: {exc}") from exc

    def _out(self, out: Path) -> Path:
        out.mkdir(parents=True, exist_ok=True)
        return out

    def _dedupe(self, options: dict[str, Any]) -> None:
        if not 0 < options["threshold"] <= 1:
            raise CommandError(_("--threshold must be above 0 and at most 1"))
        frame = self._read(options["input"])
        pairs, clusters = engine.dedupe_frames(
            frame,
            model=options["model"],
            threshold=options["threshold"],
            backend=options["backend"],
        )
        out = self._out(options["out"])
        _write(pairs, ["record_id_l", "record_id_r", "match_probability"], out, "pairs.csv")
        _write(clusters, ["record_id", "cluster_id"], out, "clusters.csv")
        self.stdout.write(
            _("%(records)s records, %(pairs)s pairs, %(clusters)s clusters")
            % {
                "records": len(frame),
                "pairs": len(pairs),
                "clusters": clusters["cluster_id"].nunique(),
            }
        )

    def _link(self, options: dict[str, Any]) -> None:
        if options["top"] < 1:
            raise CommandError(_("--top must be at least 1"))
        left = self._read(options["left"])
        right = self._read(options["right"])
        ranked, _labels = engine.link_frame(
            left, right, model=options["model"], top=options["top"], backend=options["backend"]
        )
        out = self._out(options["out"])
        columns = ["left_id", "right_id", "rank", "match_probability"]
        _write(ranked, columns, out, "candidates.csv")
        self.stdout.write(
            _("%(left)s records linked to %(right)s: %(n)s candidates")
            % {"left": len(left), "right": len(right), "n": len(ranked)}
        )

    def _train(self, options: dict[str, Any]) -> None:
        from amparo.matching.training import training_records

        model = options["model"]
        if options["input"]:
            if not options["input"].is_file():
                raise CommandError(_("No such file: %(path)s") % {"path": options["input"]})
            records = read_csv(options["input"])
        else:
            records = training_records(model)
        path = engine.train(model, records, path=options["out"])
        self.stdout.write(_("Model written to %(path)s") % {"path": path})
