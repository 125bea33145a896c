"""Importing 250,000 records in the UN Universal Human Rights Index (UHRI) export layout, and
full-text search over them (issue 9).

    .venv/bin/python bench/recommendations_import.py --db sqlite
    .venv/bin/python bench/recommendations_import.py --db postgres [--records 250000]

Targets: the import ≤ 5 minutes with bounded memory; search (Spanish and English stemming,
accent-insensitive) p95 ≤ 200 ms on PostgreSQL. The import runs as operators run it
(`manage.py recommendations import-uhri FILE`) in a child process, on a fresh database;
its peak resident memory is read from the kernel. Bounded memory is shown by a run on a
fifth of the records measured in the same run: the peak must not grow with the file.
Then the same file again (re-import: everything unchanged). Search: 200 queries (Spanish and
English, with and without accents) as the list endpoint runs them (count capped at 1,001,
first page of 50), timed in this process.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_DB = "amparo_recs_bench"

BODIES = ["CMW", "CERD", "CRC", "CEDAW", "CAT", "CCPR", "CESCR", "UPR", "UPR", "UPR", "SP"]
EN = [
    "ensure access to justice for migrant workers and members of their families",
    "strengthen consular protection of nationals detained abroad",
    "set up a single register of returned migrants, broken down by sex and age",
    "investigate complaints of trafficking in persons and protect the victims",
    "adopt alternatives to the detention of children and families",
    "guarantee birth registration of children born abroad",
    "reduce the cost of remittances and promote their productive use",
    "combat xenophobia and hate speech against migrants in transit",
    "search for disappeared migrants with the participation of their families",
    "train police and border officials on the rights of migrants",
    "regulate private recruitment agencies and prohibit fees charged to workers",
    "provide emergency health care to migrants regardless of their status",
]
ES = [
    "garantice el acceso a la justicia de los trabajadores migratorios y sus familiares",
    "fortalezca la protección consular de los nacionales detenidos en el extranjero",
    "cree un registro único de migrantes retornados, desglosado por sexo y edad",
    "investigue las denuncias de trata de personas y proteja a las víctimas",
    "adopte alternativas a la detención de niños, niñas y familias",
    "garantice la inscripción del nacimiento de los niños nacidos en el extranjero",
    "reduzca el costo de las remesas y promueva su uso productivo",
    "combata la xenofobia y el discurso de odio contra los migrantes en tránsito",
    "busque a los migrantes desaparecidos con la participación de sus familias",
    "capacite a la policía y a los agentes fronterizos sobre los derechos de los migrantes",
    "regule las agencias privadas de contratación y prohíba el cobro de comisiones",
    "brinde atención médica urgente a los migrantes sin importar su situación",
]
PLACES = ["Petén", "Quiché", "Huehuetenango", "San Marcos", "Izabal", "Chiquimula", "Escuintla"]
QUERIES = [
    "proteccion consular",
    "protección consular",
    "trabajadores migratorios",
    "trata de personas",
    "victimas de trata",
    "detención de niños",
    "remesas",
    "inscripcion del nacimiento",
    "xenofobia",
    "desaparecidos",
    "agencias de contratación",
    "atención médica",
    "consular protection",
    "migrant workers",
    "trafficking victims",
    "detention of children",
    "remittances cost",
    "birth registration",
    "hate speech",
    "disappeared migrants",
    "recruitment agencies",
    "health care",
    "Petén",
    "peten retornados",
]


def write_export(path: Path, records: int, seed: int = 2019) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as fh:
        fh.write("[\n")
        for i in range(records):
            body = rng.choice(BODIES)
            spanish = rng.random() < 0.5
            phrase = rng.choice(ES if spanish else EN)
            place = rng.choice(PLACES)
            who = (
                "El Comité recomienda al Estado parte que"
                if spanish
                else ("The Committee recommends that the State party")
            )
            text = f"{rng.randint(1, 150)}. {who} {phrase}, en particular en {place} ({i})."
            if body == "UPR":
                text = f"{rng.randint(100, 140)}.{rng.randint(1, 250)} {phrase.capitalize()} ({i})"
            symbol = (
                f"A/HRC/{rng.randint(8, 55)}/{rng.randint(1, 20)}"
                if body == "UPR"
                else f"{body}/C/GTM/CO/{rng.randint(1, 7)}"
            )
            record = {
                "AnnotationId": f"b{i:07d}",
                "Symbol": symbol,
                "Body": body,
                "Text": text,
                "Themes": ["Migrants", rng.choice(["Justice", "Trafficking", "Detention"])],
                "AffectedPersons": [rng.choice(["Migrants", "Children", "Women"])],
                "Sdgs": [rng.choice(["10.7", "16.3", "8.8"])],
                "PublicationDate": f"{rng.randint(2008, 2025)}-0{rng.randint(1, 9)}-"
                f"1{rng.randint(0, 9)}",
                "UprCycle": rng.randint(1, 4) if body == "UPR" else None,
                "UprRecommendingState": rng.choice(["Mexico", "Spain", "Canada"])
                if body == "UPR"
                else None,
                "UprPosition": "Supported" if body == "UPR" else None,
            }
            fh.write(json.dumps(record, ensure_ascii=False))
            fh.write(",\n" if i + 1 < records else "\n")
        fh.write("]\n")


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


def fresh_database(kind: str) -> dict[str, str]:
    env = dict(os.environ)
    if kind == "sqlite":
        path = ROOT / "var" / "recs_bench.sqlite3"
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
    manage(env, "migrate", "--verbosity", "0")
    manage(env, "seed")
    return env


def timed_import(env: dict[str, str], path: Path) -> tuple[float, float, str]:
    """Seconds, peak resident MB (this child alone) and the command's summary line."""
    started = time.perf_counter()
    code = (
        "import resource, subprocess, sys; "
        f"r = subprocess.run([{PY!r}, 'manage.py', 'recommendations', 'import-uhri', "
        f"{str(path)!r}],"
        " capture_output=True, text=True); "
        "print(r.stdout.strip() or r.stderr.strip()[-300:]); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    # A wrapper process per import, so each peak is that import's alone.
    out = subprocess.run(
        [PY, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout.splitlines()
    seconds = time.perf_counter() - started
    return seconds, int(out[-1]) / 1024, out[0]


def search_times(env: dict[str, str], rounds: int) -> list[float]:
    os.environ["DATABASE_URL"] = env["DATABASE_URL"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amparo.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from amparo.core.models import Institution, Role, User
    from amparo.core.pagination import COUNT_CAP
    from amparo.recommendations.queries import Filters, recommendations_for

    user, _ = User.objects.get_or_create(
        username="bench-recs",
        defaults={"role": Role.ANALYST, "institution": Institution.objects.get(code="COPADEH")},
    )
    times = []
    for _ in range(rounds):
        for q in QUERIES:
            started = time.perf_counter()
            qs = recommendations_for(user, Filters(q=q))
            n = qs.order_by()[: COUNT_CAP + 1].count()
            rows = list(qs[:50])
            times.append(time.perf_counter() - started)
            assert n > 0 and rows, q
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--records", type=int, default=250_000)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument(
        "--search-only", action="store_true", help="search the database of the last run"
    )
    args = parser.parse_args()
    if args.search_only:
        url = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
        if args.db == "sqlite":
            url = f"sqlite:///{ROOT / 'var' / 'recs_bench.sqlite3'}"
        report_search({"DATABASE_URL": url}, args.rounds)
        return
    var = ROOT / "var"
    var.mkdir(exist_ok=True)
    big, small = var / f"uhri_{args.records}.json", var / f"uhri_{args.records // 5}.json"
    for path, n in ((big, args.records), (small, args.records // 5)):
        if not path.exists():
            write_export(path, n)
    print(f"export: {args.records:,} records, {big.stat().st_size / 1e6:.0f} MB; db: {args.db}")

    env = fresh_database(args.db)
    s_small, mb_small, line = timed_import(env, small)
    n_small = args.records // 5
    print(f"  import {n_small:>7,} records: {s_small:6.1f} s, peak {mb_small:5.0f} MB ({line})")
    env = fresh_database(args.db)
    s_big, mb_big, line = timed_import(env, big)
    print(f"  import {args.records:>7,} records: {s_big:6.1f} s, peak {mb_big:5.0f} MB ({line})")
    s_again, mb_again, line = timed_import(env, big)
    print(f"  re-import, same file:     {s_again:6.1f} s, peak {mb_again:5.0f} MB ({line})")
    report_search(env, args.rounds)


def report_search(env: dict[str, str], rounds: int) -> None:
    times = search_times(env, rounds)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    median = statistics.median(times) * 1000
    print(
        f"  search ({len(QUERIES)} queries × {rounds}): median {median:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
