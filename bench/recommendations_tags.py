"""Precision and recall of the tag suggestions, per label, on the labelled set written for this
project (tests/recommendations_data/labelled_tags.tsv: 125 short recommendations, Spanish and
English, with their themes and affected groups).

Two suggesters, measured in the same run:
- rules: the keyword lexicons alone (what a fresh installation suggests);
- rules + similarity: the same, plus the k nearest examples a person already confirmed
  (5-fold cross-validation: the four other folds play the confirmed tags).

Usage: .venv/bin/python bench/recommendations_tags.py
"""

from __future__ import annotations

import csv
import random
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from amparo.recommendations.tagging import Example, Suggester  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "tests" / "recommendations_data" / "labelled_tags.tsv"
VOCABS = ("theme", "group")


def load() -> list[Example]:
    out = []
    with DATA.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            labels = {("theme", t) for t in row["themes"].split(",") if t}
            labels |= {("group", g) for g in row["groups"].split(",") if g}
            out.append(Example(row["text"], labels))
    return out


def evaluate(
    examples: list[Example], with_similarity: bool, folds: int = 5, min_sim: float | None = None
) -> tuple[Counter, Counter, Counter]:
    tp: Counter = Counter()
    fp: Counter = Counter()
    fn: Counter = Counter()
    order = list(range(len(examples)))
    random.Random(7).shuffle(order)
    for f in range(folds):
        test = [examples[i] for i in order[f::folds]]
        train = [examples[i] for i in order if i not in set(order[f::folds])]
        suggester = Suggester(train if with_similarity else [])
        if min_sim is not None:
            suggester.min_sim = min_sim
        for ex in test:
            got = {lab for lab in suggester.suggest(ex.text) if lab[0] in VOCABS}
            for lab in got & ex.labels:
                tp[lab] += 1
            for lab in got - ex.labels:
                fp[lab] += 1
            for lab in ex.labels - got:
                fn[lab] += 1
    return tp, fp, fn


def ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def main() -> None:
    examples = load()
    runs = {"rules": evaluate(examples, False), "rules+similar": evaluate(examples, True)}
    labels = sorted({lab for ex in examples for lab in ex.labels})
    print(f"{len(examples)} labelled recommendations, {len(labels)} labels")
    print(f"{'label':32} {'n':>3}  {'P rules':>7} {'R rules':>7}  {'P +sim':>7} {'R +sim':>7}")
    for lab in labels:
        cells = []
        for tp, fp, fn in runs.values():
            cells += [ratio(tp[lab], tp[lab] + fp[lab]), ratio(tp[lab], tp[lab] + fn[lab])]
        n = sum(1 for ex in examples if lab in ex.labels)
        print(
            f"{lab[0] + ':' + lab[1]:32} {n:>3}  "
            + "  ".join(f"{cells[i]:7.2f} {cells[i + 1]:7.2f}" for i in (0, 2))
        )
    for name, (tp, fp, fn) in runs.items():
        t, p, n = sum(tp.values()), sum(fp.values()), sum(fn.values())
        prec, rec = ratio(t, t + p), ratio(t, t + n)
        f1 = ratio(2 * prec * rec, prec + rec)
        print(f"micro {name:14} precision {prec:.3f} recall {rec:.3f} F1 {f1:.3f}")
    print("similarity threshold sweep (rules + similar):")
    for min_sim in (0.25, 0.35, 0.45, 0.5, 0.6):
        tp, fp, fn = evaluate(examples, True, min_sim=min_sim)
        t, p, n = sum(tp.values()), sum(fp.values()), sum(fn.values())
        prec, rec = ratio(t, t + p), ratio(t, t + n)
        print(f"  min_sim {min_sim:.2f}: precision {prec:.3f} recall {rec:.3f}")


if __name__ == "__main__":
    main()
