"""Person search latency at scale, and demo generation speed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/amparo_bench \
        .venv/bin/python bench/person_search.py --people 1000000
    .venv/bin/python bench/person_search.py --people 100000          # SQLite (var/bench.sqlite3)

Generates the people if the database holds fewer, then times `person_search` (the function
the page and the API call, audit write included) for surname prefixes, full names and
document numbers, as the demo operator of MINEX. The comparison measured in the same run is
the naive search a first version would write: case-insensitive `LIKE '%…%'` over the name
columns (`icontains`), sorted by surname like the real results, on the same queries.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amparo.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")


def _ensure_postgres_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--naive-queries", type=int, default=20)
    args = parser.parse_args()

    url = os.environ["DATABASE_URL"]
    if url.startswith("postgres"):
        _ensure_postgres_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Q

    from amparo.core.models import User
    from amparo.demo import names
    from amparo.demo.generator import create_demo_users, generate_people
    from amparo.people.models import IdentityDocument, Person
    from amparo.people.queries import person_search, persons_visible_to

    call_command("migrate", verbosity=0)
    call_command("seed", verbosity=0, stdout=open(os.devnull, "w"))
    create_demo_users()
    have = Person.objects.count()
    if have < args.people:
        started = time.monotonic()
        generate_people(count=args.people - have, seed=2019 + have, batch_size=20_000)
        elapsed = time.monotonic() - started
        print(
            f"generated {args.people - have:,} people in {elapsed:.1f} s "
            f"({(args.people - have) / elapsed:,.0f}/s)"
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    actor = User.objects.get(username="operadora.minex")
    rng = random.Random(7)
    surnames = list(names.SPANISH_SURNAMES) + list(names.MAYAN_SURNAMES)
    givens = list(names.FEMALE_GIVEN) + list(names.MALE_GIVEN)
    docs = list(
        IdentityDocument.objects.filter(person__in=persons_visible_to(actor)).values_list(
            "number", flat=True
        )[:5000]
    )
    queries = {
        "surname prefix": [
            rng.choice(surnames)[: rng.choice([3, 4, 5])] for _ in range(args.queries)
        ],
        "given + surname": [
            f"{rng.choice(givens)} {rng.choice(surnames)}" for _ in range(args.queries)
        ],
        "document number": [rng.choice(docs) for _ in range(args.queries)],
    }
    print(
        f"database: {connection.vendor}, people: {Person.objects.count():,}, "
        f"visible to the operator: {persons_visible_to(actor).count():,}"
    )
    for kind, qs in queries.items():
        person_search(actor=actor, query=qs[0])  # warm the cache
        times = []
        for q in qs:
            t0 = time.perf_counter()
            person_search(actor=actor, query=q)
            times.append((time.perf_counter() - t0) * 1000)
        print(
            f"  {kind:<16} n={len(times)} p50={statistics.median(times):6.1f} ms "
            f"p95={percentile(times, 95):6.1f} ms max={max(times):6.1f} ms"
        )
    naive = []
    for q in queries["surname prefix"][: args.naive_queries]:
        t0 = time.perf_counter()
        list(
            persons_visible_to(actor)
            .filter(
                Q(given_names__icontains=q)
                | Q(first_surname__icontains=q)
                | Q(second_surname__icontains=q)
            )
            .order_by("first_surname", "id")[:25]
        )
        naive.append((time.perf_counter() - t0) * 1000)
    print(
        f"  naive icontains  n={len(naive)} p50={statistics.median(naive):6.1f} ms "
        f"p95={percentile(naive, 95):6.1f} ms (comparison, same run)"
    )


if __name__ == "__main__":
    main()
