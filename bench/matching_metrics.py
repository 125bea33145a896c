"""Linkage metrics for the person-matching benchmark: pairwise precision/recall/F1, best F1
over thresholds, cluster-level B-cubed, top-k recall, and recall by corruption type.

Inputs are pandas objects: `truth` maps record id -> entity id (a Series indexed by record id);
predicted pairs are a DataFrame with columns l, r (and p, the match probability); clusters map
record id -> cluster id (records missing from it are singletons).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class PRF:
    precision: float
    recall: float
    f1: float
    tp: int = 0
    predicted: int = 0
    true: int = 0


def prf(tp: int, predicted: int, true: int) -> PRF:
    p = tp / predicted if predicted else 1.0
    r = tp / true if true else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return PRF(p, r, f, int(tp), int(predicted), int(true))


def _c2(n: pd.Series | np.ndarray) -> int:
    n = np.asarray(n, dtype=np.int64)
    return int((n * (n - 1) // 2).sum())


def true_pair_count(truth: pd.Series) -> int:
    return _c2(truth.value_counts().to_numpy())


def normalise_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    """l < r, no self pairs, one row per pair (the highest p kept)."""
    a, b = pairs["l"].astype(str), pairs["r"].astype(str)
    out = pd.DataFrame({"l": np.where(a < b, a, b), "r": np.where(a < b, b, a)})
    out["p"] = pairs["p"].to_numpy() if "p" in pairs else 1.0
    out = out[out["l"] != out["r"]]
    return out.sort_values("p", ascending=False).drop_duplicates(["l", "r"])


def label_pairs(pairs: pd.DataFrame, truth: pd.Series) -> pd.DataFrame:
    """Adds `match` (both records of the same entity) to normalised pairs."""
    out = pairs.copy()
    el = out["l"].map(truth)
    er = out["r"].map(truth)
    out["match"] = (el == er) & el.notna()
    return out


def pairwise(pairs: pd.DataFrame, truth: pd.Series, threshold: float | None = None) -> PRF:
    """Pairwise precision/recall/F1 of the predicted pairs (those with p >= threshold)."""
    pairs = normalise_pairs(pairs)
    if threshold is not None:
        pairs = pairs[pairs["p"] >= threshold]
    labelled = label_pairs(pairs, truth)
    return prf(int(labelled["match"].sum()), len(labelled), true_pair_count(truth))


def best_f1(pairs: pd.DataFrame, truth: pd.Series) -> tuple[PRF, float]:
    """The best pairwise F1 over all thresholds on p, and that threshold."""
    labelled = label_pairs(normalise_pairs(pairs), truth).sort_values("p", ascending=False)
    true = true_pair_count(truth)
    if labelled.empty:
        return prf(0, 0, true), 1.0
    tp = labelled["match"].cumsum().to_numpy()
    n = np.arange(1, len(labelled) + 1)
    p = labelled["p"].to_numpy()
    # Only cut where the probability changes (ties go in together).
    last = np.r_[p[1:] != p[:-1], True]
    f1 = np.where(last, 2 * tp / (n + true), -1)
    i = int(np.argmax(f1))
    return prf(int(tp[i]), int(n[i]), true), float(p[i])


def _contingency(clusters: pd.Series, truth: pd.Series) -> pd.DataFrame:
    """One row per record of `truth`: its entity and cluster (singleton if unclustered)."""
    c = clusters.reindex(truth.index).astype(object)
    missing = c.isna()
    c[missing] = "__single__" + truth.index[missing].astype(str)
    return pd.DataFrame({"entity": truth.to_numpy(), "cluster": c.astype(str).to_numpy()})


def cluster_pairwise(clusters: pd.Series, truth: pd.Series) -> PRF:
    """Pairwise figures of the pairs implied by the clusters (transitive closure)."""
    df = _contingency(clusters, truth)
    tp = _c2(df.groupby(["cluster", "entity"]).size().to_numpy())
    predicted = _c2(df.groupby("cluster").size().to_numpy())
    return prf(tp, predicted, _c2(df.groupby("entity").size().to_numpy()))


def bcubed(clusters: pd.Series, truth: pd.Series, subset: pd.Index | None = None) -> PRF:
    """B-cubed precision/recall/F1 averaged over records (of `subset`, when given)."""
    df = _contingency(clusters, truth)
    df["cell"] = df.groupby(["cluster", "entity"])["entity"].transform("size")
    df["csize"] = df.groupby("cluster")["entity"].transform("size")
    df["esize"] = df.groupby("entity")["entity"].transform("size")
    if subset is not None:
        df = df[truth.index.isin(subset)]
    if df.empty:
        return prf(0, 0, 0)
    p = float((df["cell"] / df["csize"]).mean())
    r = float((df["cell"] / df["esize"]).mean())
    return PRF(p, r, 2 * p * r / (p + r) if p + r else 0.0, 0, len(df), len(df))


def group_pairwise(
    pairs: pd.DataFrame, truth: pd.Series, in_group: pd.Series, threshold: float | None = None
) -> PRF:
    """Pairwise figures restricted to a group of records (`in_group`: bool by record id):
    recall over the true pairs of the group's entities, precision over predicted pairs that
    touch the group."""
    pairs = normalise_pairs(pairs)
    if threshold is not None:
        pairs = pairs[pairs["p"] >= threshold]
    labelled = label_pairs(pairs, truth)
    touch = labelled["l"].map(in_group).fillna(False).astype(bool) | labelled["r"].map(
        in_group
    ).fillna(False).astype(bool)
    sub = labelled[touch]
    grouped_truth = truth[in_group.reindex(truth.index).fillna(False).astype(bool)]
    return prf(int(sub["match"].sum()), len(sub), true_pair_count(grouped_truth))


def true_pairs(truth: pd.Series) -> pd.DataFrame:
    """All true pairs (l < r) of a truth Series."""
    df = pd.DataFrame({"rid": truth.index.astype(str), "e": truth.to_numpy()})
    df = df[df.groupby("e")["rid"].transform("size") > 1]
    m = df.merge(df, on="e")
    m = m[m["rid_x"] < m["rid_y"]]
    return pd.DataFrame({"l": m["rid_x"].to_numpy(), "r": m["rid_y"].to_numpy()})


def recall_by_tag(
    found: pd.DataFrame, tags: pd.Series, keys: tuple[str, str] = ("l", "r")
) -> pd.DataFrame:
    """found: true pairs (columns keys) with a bool column `hit`; tags: record id ->
    'a;b' (the corruptions of the record). Each pair carries the union of its two records'
    tags ('none' when neither has one). Returns tag, pairs, recall (sorted by recall)."""
    a, b = keys
    ta = found[a].map(tags).fillna("")
    tb = found[b].map(tags).fillna("")
    union = [
        sorted(set(filter(None, x.split(";"))) | set(filter(None, y.split(";")))) or ["none"]
        for x, y in zip(ta, tb, strict=True)
    ]
    df = pd.DataFrame({"tag": union, "hit": found["hit"].to_numpy()})
    single = df[df["tag"].map(len) == 1].assign(tag=lambda d: d["tag"].str[0])
    only = single.groupby("tag")["hit"].agg(only_pairs="size", only_recall="mean")
    out = df.explode("tag").groupby("tag")["hit"].agg(pairs="size", recall="mean")
    out = out.join(only).fillna({"only_pairs": 0}).reset_index()
    out["only_pairs"] = out["only_pairs"].astype(int)
    return out.sort_values(["recall", "pairs"], ascending=[True, False]).reset_index(drop=True)


def topk_hits(candidates: pd.DataFrame, links: pd.DataFrame, k: int) -> pd.DataFrame:
    """For each true link (left_id, right_id): hit when right_id is among the left record's
    top-k candidates."""
    top = candidates[candidates["rank"] <= k][["left_id", "right_id"]].astype(str)
    top = top.assign(hit=True).drop_duplicates(["left_id", "right_id"])
    out = links.astype(str).merge(top, on=["left_id", "right_id"], how="left")
    out["hit"] = out["hit"].notna()
    return out


def topk_recall(candidates: pd.DataFrame, links: pd.DataFrame, k: int) -> float:
    """Share of left records (with at least one true link) that have a true right record
    among their top-k candidates."""
    if links.empty:
        return 1.0
    hits = topk_hits(candidates, links, k)
    return float(hits.groupby("left_id")["hit"].any().mean())
