"""Importing a year of support-line contacts (1,017,564 rows) from CSV.

    .venv/bin/python bench/import_contacts.py --db sqlite
    .venv/bin/python bench/import_contacts.py --db postgres

Targets (issue 4): ≤ 60 s into PostgreSQL and ≤ 120 s into SQLite on 2 cores, peak memory
≤ 500 MB. The import runs as operators run it (`manage.py import contacts FILE`) in a child
process whose peak resident memory is read from the kernel (getrusage of children). The
comparison in the same run: PostgreSQL's own COPY of the same file into a bare table of text
columns (no checks, no indexes, no idempotency). Each run starts from a fresh scratch
database (SQLite file under var/, or PostgreSQL database `amparo_import_bench`).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_DB = "amparo_import_bench"
REASONS = [
    "information",
    "passport",
    "consular_id",
    "detention",
    "legal_advice",
    "deportation",
    "missing_person",
    "labour_rights",
    "civil_registry",
    "family",
    "other",
]
OUTCOMES = ["information", "information", "information", "referred", "dropped"]
CITIES = {
    "US": ["Los Angeles", "Houston", "New York", "Miami", "Chicago"],
    "MX": ["Tapachula", "Ciudad de México", "Tijuana"],
    "CA": ["Montreal"],
}
HEADER = [
    "ref",
    "received_at",
    "channel",
    "caller_country",
    "caller_city",
    "reason",
    "outcome",
    "duration_seconds",
    "note",
]


def write_csv(path: Path, rows: int, seed: int = 2018) -> None:
    rng = random.Random(seed)
    start = datetime(2018, 1, 1)
    countries = ["US"] * 8 + ["MX"] + ["CA"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for n in range(rows):
            country = rng.choice(countries)
            at = start + timedelta(seconds=rng.randrange(365 * 86400))
            out.writerow(
                [
                    f"CC-2018-{n:07d}",
                    at.strftime("%Y-%m-%d %H:%M:%S"),
                    "call",
                    country,
                    rng.choice(CITIES[country]),
                    rng.choice(REASONS),
                    rng.choice(OUTCOMES),
                    rng.randrange(30, 1800),
                    "",
                ]
            )


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


def fresh_database(kind: str) -> dict[str, str]:
    env = dict(os.environ)
    if kind == "sqlite":
        path = ROOT / "var" / "import_bench.sqlite3"
        path.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
            conn.execute(f"CREATE DATABASE {PG_DB}")
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
    env["MEDIA_ROOT"] = str(ROOT / "var" / "import_bench_media")
    manage(env, "migrate", "--verbosity", "0")
    manage(env, "seed")
    subprocess.run(
        [
            PY,
            "manage.py",
            "user_create",
            "bench-importer",
            "--institution",
            "MINEX",
            "--role",
            "supervisor",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return env


def timed_import(env: dict[str, str], path: Path) -> tuple[float, float]:
    """Seconds and peak resident MB of `manage.py import contacts` in a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(
        [
            PY,
            "manage.py",
            "import",
            "contacts",
            str(path),
            "--source",
            "bench",
            "--user",
            "bench-importer",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest child so far: the import is by far the largest.
    return seconds, max(peak_kb, before) / 1024


def bare_copy(path: Path) -> float:
    import psycopg

    with psycopg.connect(f"postgres://postgres@127.0.0.1:5432/{PG_DB}", autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bare_contacts")
        conn.execute(f"CREATE TABLE bare_contacts ({', '.join(f'{c} text' for c in HEADER)})")
        started = time.perf_counter()
        with (
            conn.cursor() as cur,
            cur.copy("COPY bare_contacts FROM STDIN (FORMAT csv, HEADER true)") as copy,
            path.open("rb") as handle,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        seconds = time.perf_counter() - started
        conn.execute("DROP TABLE bare_contacts")
    return seconds


def count_rows(env: dict[str, str]) -> int:
    out = subprocess.run(
        [
            PY,
            "manage.py",
            "shell",
            "-c",
            "from amparo.assistance.models import SupportContact as S; print(S.objects.count())",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return int(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rows", type=int, default=1_017_564)
    args = parser.parse_args()
    path = ROOT / "var" / f"contacts-{args.rows}.csv"
    path.parent.mkdir(exist_ok=True)
    if not path.exists():
        write_csv(path, args.rows)
    size_mb = path.stat().st_size / 1e6
    env = fresh_database(args.db)
    seconds, peak_mb = timed_import(env, path)
    imported = count_rows(env)
    again, _peak = timed_import(env, path)  # the same file again: adds nothing
    assert count_rows(env) == imported == args.rows, (imported, args.rows)
    print(f"db={args.db} rows={args.rows:,} file={size_mb:.0f} MB")
    print(
        f"import: {seconds:.1f} s ({args.rows / seconds:,.0f} rows/s), peak memory {peak_mb:.0f} MB"
    )
    print(f"re-import of the same file: {again:.1f} s, 0 rows added")
    if args.db == "postgres":
        copy = bare_copy(path)
        print(f"bare COPY of the same file: {copy:.1f} s; import/COPY ratio {seconds / copy:.1f}")


if __name__ == "__main__":
    main()
