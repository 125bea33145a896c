"""The State report over the national demo data, on PostgreSQL, beside DuckDB.

    .venv/bin/python bench/stats_report.py [--scale 1.0] [--runs 5] [--fresh]

Targets (issue 8): the full 2018 report (every indicator of the catalogue, its total and one
table per allowed dimension) ≤ 10 s; any single indicator with three disaggregations ≤ 1 s.

The database (amparo_stats_bench, or DATABASE_URL) is migrated, seeded and loaded with
`demo --national --scale S` once (or again with --fresh). Then, medians of --runs:

1. the full 2018 report, as `build_report` computes it (one GROUP BY per indicator × set);
2. each indicator with its three costliest disaggregations crossed (one GROUP BY), the slowest
   indicator reported;
3. the floor: the same rows exported once from PostgreSQL (COPY of each indicator's rows with
   its date, counted value and dimension columns, the age group worked out per row) and the
   same tables computed by DuckDB from that export, in memory; its figures are checked equal to
   Amparo's.

Prints the figures and the ratio Amparo / DuckDB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amparo.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/amparo_stats_bench")

YEAR = (date(2018, 1, 1), date(2018, 12, 31))
Q1_2019 = (date(2019, 1, 1), date(2019, 3, 31))
FIFTEEN_MONTHS = (date(2018, 1, 1), date(2019, 3, 31))

# The delegation's figures (CMW/C/SR.413, issue 8), as said in the record: at full scale the
# report must give each exactly. (indicator, period, figure, paragraph)
DELEGATION: list[tuple[str, tuple[date, date], int, str]] = [
    ("support_line.calls", YEAR, 1_017_564, "5"),
    ("consular.services", YEAR, 85_538, "5"),
    ("consular.people_served", YEAR, 54_413, "5"),
    ("children.sheltered", YEAR, 5_119, "6"),
    ("returnees.people", YEAR, 3_784, "10"),
    ("returnees.households", YEAR, 1_692, "10"),
    ("returnees.stay_programme", FIFTEEN_MONTHS, 1_568, "11"),
    ("civil_registry.birth", FIFTEEN_MONTHS, 15_173, "15"),
    ("civil_registry.marriage", FIFTEEN_MONTHS, 1_774, "15"),
    ("civil_registry.death", FIFTEEN_MONTHS, 1_222, "15"),
    ("travel_documents.child_passport", FIFTEEN_MONTHS, 5_685, "15"),
    ("travel_documents.special_pass", FIFTEEN_MONTHS, 130, "15"),
    ("travel_documents.travel_authorisation", FIFTEEN_MONTHS, 83, "15"),
    ("trafficking.complaints", (date(2018, 1, 1), date(2018, 11, 30)), 229, "17"),
    ("trafficking.cases_brought", (date(2018, 1, 1), date(2018, 8, 31)), 119, "17"),
    ("violence.health_cases", YEAR, 19, "53"),
    ("violence.health_cases", Q1_2019, 13, "53"),
    ("labour.workers_recruited", YEAR, 18_118, "8"),
    ("labour.workplace_inspections", YEAR, 130, "9"),
    ("labour.support_services", YEAR, 5_282, "9"),
    ("labour.pamphlets", YEAR, 8_500, "4"),
    ("flows.entries", YEAR, 11_800, "27"),
    ("flows.entries", Q1_2019, 7_998, "27"),
    ("flows.people_supported", Q1_2019, 6_927, "27"),
]


def check_delegation() -> list[str]:
    """Each delegation figure against the report's; returns the differences (none: exact)."""
    from amparo.stats.compute import Period, compute
    from amparo.stats.registry import get

    wrong = []
    for ind_id, (start, end), figure, para in DELEGATION:
        ind = get(ind_id)
        value = compute(ind, Period(start, end), []).value if ind else None
        mark = "=" if value == figure else "≠"
        print(f"  para. {para:>2} {ind_id} {start}…{end}: {value} {mark} {figure:,}")
        if value != figure:
            wrong.append(f"{ind_id} {start}…{end}: {value} instead of {figure}")
    return wrong


def _manage(*args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], check=True, cwd=ROOT)


def prepare(scale: float, fresh: bool) -> float:
    """Create and load the database if needed; returns the load time (0 if it was there)."""
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}"')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    _manage("migrate", "-v", "0")
    import django

    django.setup()
    from amparo.demo.national import national_loaded

    if national_loaded():
        return 0.0
    _manage("seed")
    started = time.monotonic()
    _manage("demo", "--national", "--scale", str(scale))
    return time.monotonic() - started


def median_time(fn: Any, runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def three(ind: Any) -> tuple[str, ...]:
    """The three dimensions that cost most to cross: people's first (they join a person)."""
    order = [
        "age_group", "department", "nationality", "sex", "country_of_stay", "kind", "site",
        "reason", "outcome", "status", "protocol", "institution", "channel",
    ]  # fmt: skip
    dims = sorted(ind.disaggregations, key=lambda d: order.index(d) if d in order else 99)
    return tuple(dims[:3])


def export_rows(ind: Any, dims: tuple[str, ...], directory: Path) -> Path:
    """COPY the indicator's rows (no period filter: DuckDB applies it) to a CSV file."""
    from django.db import connection

    from amparo.stats.compute import AGE_KEY, Period, base_queryset, grouped
    from amparo.stats.registry import Measure

    everything = Period(date(1900, 1, 1), date(2100, 12, 31))
    qs = grouped(ind, base_queryset(ind, everything), dims)
    value = ind.count_field if ind.measure != Measure.RECORDS else "pk"
    names = [AGE_KEY if d == "age_group" else ind.disaggregations[d] for d in dims]
    sql, params = qs.values_list(ind.date_field, value, *names).query.sql_with_params()
    path = directory / f"{ind.id}.csv"
    with connection.cursor() as cursor, path.open("wb") as out:
        # Django's PostgreSQL cursor binds on the client: mogrify gives the literal query.
        query = cursor.cursor.mogrify(sql, params)
        with cursor.cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
            for chunk in copy:
                out.write(chunk)
    return path


def duckdb_load(con: Any, ind: Any, path: Path) -> list[str]:
    """The export into an in-memory DuckDB table named after the indicator, typed once at
    load (not timed): the record's local day as a DATE, every other column as text."""
    table = ind.id.replace(".", "_")
    source = f"read_csv_auto('{path}', all_varchar=true)"
    first = con.execute(f"SELECT * FROM {source} LIMIT 0").description[0][0]
    sample = con.execute(f'SELECT max("{first}") FROM {source}').fetchone()[0] or ""
    if "+" in sample:  # a date-time with its offset: the local day is what Amparo counts
        day = f"CAST(timezone('America/Guatemala', CAST(\"{first}\" AS TIMESTAMPTZ)) AS DATE)"
    else:
        day = f'CAST("{first}" AS DATE)'
    con.execute(
        f'CREATE OR REPLACE TABLE {table} AS SELECT {day} AS stats_day, * EXCLUDE ("{first}") '
        f"FROM {source}"
    )
    return [d[0] for d in con.execute(f"SELECT * FROM {table} LIMIT 0").description]


def duckdb_tables(
    con: Any, ind: Any, header: list[str], columns: tuple[str, ...], sets: list[tuple[str, ...]]
) -> dict[tuple[str, ...], dict[tuple[str, ...], float]]:
    """The same tables in DuckDB, as Amparo computes them on PostgreSQL: the total and every
    table in one GROUPING SETS query."""
    from amparo.stats.registry import Measure

    t = ind.id.replace(".", "_")
    value = header[1]
    start, end = YEAR
    where = f"stats_day <= DATE '{end}'"
    if not ind.cumulative:
        where += f" AND stats_day >= DATE '{start}'"
    agg = {
        Measure.RECORDS: "count(*)",
        Measure.DISTINCT: f'count(DISTINCT "{value}")',
        Measure.SUM: f'coalesce(sum(CAST("{value}" AS DOUBLE)), 0)',
    }[ind.measure]
    names = [f'"{header[2 + i]}"' for i in range(len(columns))]
    position = {d: i for i, d in enumerate(columns)}
    spec = ", ".join("(" + ", ".join(names[position[d]] for d in dims) + ")" for dims in sets)
    spec = f"{spec}, ()" if spec else "()"
    bits = f"GROUPING({', '.join(names)})" if names else "0"
    rows = con.execute(
        f"SELECT {', '.join([*names, bits, agg])} FROM {t} WHERE {where} "
        f"GROUP BY GROUPING SETS ({spec})"
    ).fetchall()
    width = len(names)
    out: dict[tuple[str, ...], dict[tuple[str, ...], float]] = {(): {(): 0}}
    for row in rows:
        g, n = row[width], row[width + 1]
        if g == (1 << width) - 1:
            out[()] = {(): n}
            continue
        grouped = [i for i in range(width) if not g & (1 << (width - 1 - i))]
        dims = tuple(columns[i] for i in grouped)
        out.setdefault(dims, {})[tuple(row[i] or "" for i in grouped)] = n
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    load = prepare(args.scale, args.fresh)
    import django

    django.setup()
    import tempfile

    import duckdb
    from django.db import connection

    from amparo.stats.compute import Period, compute
    from amparo.stats.registry import catalogue
    from amparo.stats.report import build_report

    with connection.cursor() as cursor:
        tables = ["assistance_supportcontact", "cases_servicedelivery", "cases_case",
                  "cases_caseevent", "assistance_civilregistration", "assistance_traveldocument",
                  "people_person"]  # fmt: skip
        sizes = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {table}")
            sizes[table] = cursor.fetchone()[0]
    period = Period(*YEAR)
    print(f"scale {args.scale}; load {load:.0f} s (0: already loaded); rows: {sizes}")
    print(f"rows in these tables: {sum(sizes.values()):,}")
    build_report(period)  # warm the caches (catalogue, content types, plans)
    full, report = median_time(lambda: build_report(period), args.runs)
    queries = sum(len(f.tables) for f in report.figures)
    print(f"full 2018 report: median {full:.2f} s over {args.runs} runs "
          f"({len(report.figures)} indicators, {queries} tables)")  # fmt: skip

    singles: list[tuple[float, str, tuple[str, ...]]] = []
    for ind in catalogue():
        dims = three(ind)
        took, _fig = median_time(lambda ind=ind, dims=dims: compute(ind, period, [dims]), args.runs)
        singles.append((took, ind.id, dims))
    singles.sort(reverse=True)
    for took, name, dims in singles[:5]:
        print(f"  {name} by {' × '.join(dims)}: median {took * 1000:.0f} ms")
    print(f"slowest single indicator with three disaggregations: {singles[0][0] * 1000:.0f} ms")

    # The floor: DuckDB over an export of the same rows.
    con = duckdb.connect()
    export_time = 0.0
    duck_total = 0.0
    mismatches = []
    with tempfile.TemporaryDirectory() as tmp:
        for fig in report.figures:
            ind = fig.indicator
            dims = tuple(ind.disaggregations)
            started = time.perf_counter()
            path = export_rows(ind, dims, Path(tmp))
            header = duckdb_load(con, ind, path)
            export_time += time.perf_counter() - started
            sets = [(d,) for d in dims]
            took, got = median_time(
                lambda ind=ind, header=header, dims=dims, sets=sets: duckdb_tables(
                    con, ind, header, dims, sets
                ),
                args.runs,
            )
            duck_total += took
            if got[()][()] != fig.value:
                mismatches.append((ind.id, fig.value, got[()][()]))
            for table in fig.tables:
                mine = {c.key: c.value for c in table.cells if c.value}
                theirs = {k: v for k, v in got.get(table.dimensions, {}).items() if v}
                if {k: float(v) for k, v in mine.items()} != {
                    tuple(str(x) for x in k): float(v) for k, v in theirs.items()
                }:
                    mismatches.append((ind.id, table.dimensions))
    print(
        f"DuckDB, same tables from the export (in memory): {duck_total:.2f} s "
        f"(export from PostgreSQL and load into DuckDB {export_time:.1f} s, not counted)"
    )
    print(f"ratio Amparo / DuckDB: {full / duck_total:.1f}")
    print(f"tables that differ: {mismatches or 'none'}")
    if args.scale == 1.0:
        print("the delegation's figures (full scale):")
        wrong = check_delegation()
        print(f"figures that differ from the record: {wrong or 'none'}")
        if wrong or mismatches:
            sys.exit(1)


if __name__ == "__main__":
    main()
