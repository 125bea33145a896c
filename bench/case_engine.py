"""Protocol engine at scale: a stage transition with its audit entry, and the deadline sweep.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/amparo_bench \
        .venv/bin/python bench/case_engine.py --cases 1000000 --open 200000

Targets (issue 3): a transition p95 ≤ 20 ms on PostgreSQL with 1,000,000 cases; the sweep over
200,000 open cases ≤ 10 s. Cases are bulk-loaded (COPY) on the people that
bench/person_search.py created, in random stages of the child reception protocol; open cases
get their stage's tasks, a share of them overdue. Transitions are timed through
`actions.case_transition` (row lock, checks, task creation, timeline event, audit entry) on
fresh cases opened with `actions.case_open`. The comparison in the same run: a bare UPDATE of
the stage column through the ORM.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amparo.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--open", type=int, default=20_000)
    parser.add_argument("--transitions", type=int, default=200)
    args = parser.parse_args()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from amparo.cases import actions
    from amparo.cases.models import Case, Task
    from amparo.cases.protocol import protocol_get
    from amparo.core.models import User
    from amparo.demo.generator import _writer
    from amparo.people.queries import persons_visible_to

    call_command("migrate", verbosity=0)
    user = User.objects.get(username="consul.minex")
    protocol = protocol_get("child_reception")
    assert protocol is not None
    have = Case.objects.count()
    write = _writer()
    rng = random.Random(11)
    now = datetime.now(UTC)
    if have < args.cases:
        people = list(
            persons_visible_to(user).filter(protected=False).values_list("id", flat=True)[:200_000]
        )
        stages = [s for s in protocol.stages if not protocol.stages[s].final]
        started = time.monotonic()
        todo = args.cases - have
        open_left = max(args.open - Case.objects.filter(closed_at__isnull=True).count(), 0)
        while todo:
            size = min(20_000, todo)
            cases, tasks = [], []
            for _ in range(size):
                cid = uuid.UUID(int=rng.getrandbits(128), version=4)
                opened = now - timedelta(days=rng.randrange(1, 2000))
                is_open = open_left > 0
                open_left -= is_open
                stage = rng.choice(stages) if is_open else "closed"
                cases.append(
                    (
                        cid,
                        "child_reception",
                        1,
                        rng.choice(people),
                        user.institution_id,
                        user.team_id,
                        user.pk,
                        stage,
                        "{}",
                        False,
                        1,
                        opened,
                        user.pk,
                        None if is_open else opened + timedelta(days=30),
                        "" if is_open else "reunified_with_family",
                    )
                )
                if is_open:
                    for t in protocol.stages[stage].tasks:
                        due = now + timedelta(hours=rng.randrange(-72, 72))
                        tasks.append((cid, t.code, stage, t.title["es"], t.title["en"], due))
            with transaction.atomic():
                write(
                    "cases_case",
                    (
                        "id",
                        "protocol_code",
                        "protocol_version",
                        "person_id",
                        "institution_id",
                        "team_id",
                        "assigned_to_id",
                        "stage",
                        "data",
                        "sensitive",
                        "version",
                        "opened_at",
                        "opened_by_id",
                        "closed_at",
                        "closure_reason",
                    ),
                    cases,
                )
                write(
                    "cases_task",
                    ("case_id", "code", "stage", "title_es", "title_en", "due_at"),
                    tasks,
                )
            todo -= size
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"loaded {args.cases - have:,} cases in {time.monotonic() - started:.1f} s")
    print(
        f"database: {connection.vendor}, cases: {Case.objects.count():,}, open: "
        f"{Case.objects.filter(closed_at__isnull=True).count():,}, open tasks: "
        f"{Task.objects.filter(done_at__isnull=True).count():,}"
    )

    people = list(
        persons_visible_to(user)
        .filter(protected=False)
        .values_list("id", flat=True)[: args.transitions]
    )
    fresh = []
    for pid in people:
        case = actions.case_open(actor=user, protocol_code="child_reception", person_id=pid)
        actions.task_complete(actor=user, task_id=case.tasks.get(code="notify_family").pk)
        fresh.append(case.pk)
    engine, bare = [], []
    for cid in fresh:
        t0 = time.perf_counter()
        actions.case_transition(actor=user, case_id=cid, transition="receive")
        engine.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        Case.objects.filter(pk=cid).update(stage="reception")
        bare.append((time.perf_counter() - t0) * 1000)
    print(
        f"  transition (engine + audit) n={len(engine)} p50={statistics.median(engine):6.2f} ms "
        f"p95={percentile(engine, 95):6.2f} ms max={max(engine):6.2f} ms"
    )
    print(
        f"  bare UPDATE of the stage     n={len(bare)} p50={statistics.median(bare):6.2f} ms "
        f"p95={percentile(bare, 95):6.2f} ms (comparison, same run)"
    )

    sweeps = []
    for hours in (0, 24, 48):
        Task.objects.filter(escalated_at__isnull=False).update(escalated_at=None)
        t0 = time.perf_counter()
        escalated = actions.deadlines_sweep(now=now + timedelta(hours=hours))
        sweeps.append((time.perf_counter() - t0, escalated))
    for seconds, escalated in sweeps:
        print(f"  deadline sweep: {escalated:,} tasks escalated in {seconds:.2f} s")


if __name__ == "__main__":
    main()
