"""The public recruiter check under public traffic, beside a bare Django view, over loopback.

    .venv/bin/python bench/labour_public_check.py [--recruiters 5000] [--seconds 10] [--rounds 3]

Target (issue 6): at least 500 requests/s on 2 cores with p99 ≤ 100 ms and no errors.

Builds its own database (var/labour_bench.sqlite3, or DATABASE_URL) with the reference data
and `--recruiters` recruiters in the register (authorised, suspended, revoked, applications),
serves Amparo with gunicorn (2 sync workers: the machine has 2 cores) and loads it with wrk
(-t2 -c8; Debian package `wrk`; a Lua script cycles through 200 different name searches)
from a second process. The public API (`/api/v1/public/recruiters?q=`: schema-checked query,
the public register held in memory, public fields only) is measured beside a bare Django
view that runs the same query on every request and returns it with JsonResponse
(bench/labour_urls.py), through the same middleware, in interleaved rounds with /healthz (no
database) as the floor. Prints requests/s, p50 and p99 latency and errors per round, the
medians and the ratio API / bare.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.labour_settings"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'labour_bench.sqlite3'}")
PORT = 8771
CONNECTIONS = 8  # as bench/api_throughput.py
TARGET_RATE, TARGET_P99_MS = 500.0, 100.0

PLACES = (
    "Quetzaltenango Huehuetenango Chimaltenango Sacatepéquez Totonicapán Sololá Retalhuleu "
    "Suchitepéquez Escuintla Jutiapa Jalapa Chiquimula Zacapa Izabal Petén Quiché Cobán "
    "Salamá Mazatenango Antigua Mixco Villanueva Amatitlán Palín Tecpán Patzún Nahualá "
    "Momostenango Cantel Zunil Olintepeque Malacatán Ayutla Coatepeque Génova Flores "
    "Poptún Sayaxché Chisec Uspantán Nebaj Chajul Cotzal Joyabaj Sacapulas Cunén Aguacatán "
    "Chiantla Todos Santos Barillas Soloma Jacaltenango Nentón Cuilco Tacaná Sibinal Tajumulco"
).split()
FIRST = "Agencia Reclutadora Servicios Empleos Grupo Consultores Oportunidades Trabajo".split()
SECOND = "Norte Sur Maya Quetzal Volcán Lago Cosecha Campo Futuro Horizonte Puente Camino".split()
FORMS = ["S.A.", "Sociedad Anónima", "", "Ltda.", ""]


def _wrk_script(paths: list[str]) -> str:
    quoted = ", ".join(f'"{p}"' for p in paths)
    return (
        f"local paths = {{{quoted}}}\n"
        "local i = math.random(#paths)\n"
        "request = function()\n"
        "  i = i % #paths + 1\n"
        '  return wrk.format("GET", paths[i])\n'
        "end\n"
    )


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(base: str, paths: list[str], seconds: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_wrk_script(paths))
    try:
        cmd = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
        cmd += ["-s", script.name, base]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    errors = int(non2xx.group(1)) if non2xx else 0
    if sockets:
        errors += sum(int(g) for g in sockets.groups())
    if errors:
        print(out, file=sys.stderr)
    return {
        "rate": rate,
        "p50": _ms(*p50.groups()) if p50 else float("nan"),
        "p99": _ms(*p99.groups()) if p99 else float("nan"),
        "errors": errors,
    }


def build(count: int, seed: int = 413) -> list[str]:
    """The database: reference data and `count` recruiters; returns the name searches."""
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from amparo.core.models import Institution, Role, User
    from amparo.core.reference import load_all
    from amparo.labour.models import Recruiter
    from amparo.labour.names import new_number, normalise_name, tax_number_with_check

    if not Institution.objects.filter(code="MINTRAB").exists():
        load_all()
    rng = random.Random(seed)
    user, _ = User.objects.get_or_create(
        username="bench-labour",
        defaults={"role": Role.SUPERVISOR, "institution": Institution.objects.get(code="MINTRAB")},
    )
    have = Recruiter.objects.count()
    today = timezone.localdate()
    now = timezone.now()
    names: set[str] = set(Recruiter.objects.values_list("name_key", flat=True))
    rows = []
    while have + len(rows) < count:
        place = rng.choice(PLACES)
        name = " ".join(
            p for p in (rng.choice(FIRST), rng.choice(SECOND), place, rng.choice(FORMS)) if p
        )
        key = normalise_name(name)
        if key in names:
            continue
        names.add(key)
        status = rng.choices(
            ["authorised", "suspended", "revoked", "applied", "refused"], [70, 5, 5, 15, 5]
        )[0]
        start = today - timedelta(days=rng.randint(0, 900))
        rows.append(
            Recruiter(
                number=new_number(rng),
                kind=rng.choice(["organisation", "individual"]),
                name=name,
                name_key=key,
                tax_number=tax_number_with_check(str(rng.randint(100000, 99999999))),
                countries=rng.sample(["CA", "MX", "US"], rng.randint(1, 2)),
                sectors=rng.sample(["agriculture", "food_processing", "construction"], 1),
                documents=["Escritura"],
                applied_on=start,
                valid_from=None if status in ("applied", "refused") else start,
                valid_until=None
                if status in ("applied", "refused")
                else start + timedelta(days=rng.choice([365, 730, 1095])),
                institution_id=user.institution_id,
                status=status,
                status_at=now,
                history=[],
                created_by=user,
                source="bench",
            )
        )
    with transaction.atomic():
        Recruiter.objects.bulk_create(rows, batch_size=1000)
    # Searches people type: a place, a place with a word of the name, a misspelt legal form.
    queries = [p.lower() for p in PLACES]
    queries += [f"{rng.choice(SECOND)} {rng.choice(PLACES)}" for _ in range(100)]
    queries += [f"{rng.choice(FIRST)} {rng.choice(SECOND)} s.a." for _ in range(200 - len(queries))]
    return queries


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recruiters", type=int, default=5000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    (ROOT / "var").mkdir(exist_ok=True)
    import django

    django.setup()
    from amparo.labour.models import Recruiter

    queries = build(args.recruiters)
    env = {
        **os.environ,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "bench.labour_settings",
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "amparo.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{PORT}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        encoded = [urllib.parse.quote(q) for q in queries]
        api_paths = [f"/api/v1/public/recruiters?q={q}" for q in encoded]
        bare_paths = [f"/bare/recruiters?q={q}" for q in encoded]
        sample = urllib.request.urlopen(base + api_paths[0]).read()
        assert b'"items"' in sample, sample[:200]
        # Warm up: each worker loads the public register and compiles its templates once.
        wrk(base, api_paths, 2)
        wrk(base, bare_paths, 2)
        results: dict[str, list[dict[str, float]]] = {"api": [], "bare": [], "floor": []}
        for _ in range(args.rounds):  # interleaved: machine noise hits all alike
            results["api"].append(wrk(base, api_paths, args.seconds))
            results["bare"].append(wrk(base, bare_paths, args.seconds))
            results["floor"].append(wrk(base, ["/healthz"], args.seconds))
        print(
            f"recruiters in the register: {Recruiter.objects.count():,}; "
            f"{len(queries)} different name searches; "
            f"wrk -t2 -c{CONNECTIONS}, {args.seconds} s rounds"
        )
        labels = (
            ("api", "public check API"),
            ("bare", "bare Django view"),
            ("floor", "/healthz (no DB)"),
        )
        for name, label in labels:
            runs = results[name]
            rates = ", ".join(f"{r['rate']:,.0f}" for r in runs)
            p99s = ", ".join(f"{r['p99']:.1f}" for r in runs)
            print(
                f"{label:<18} {statistics.median(r['rate'] for r in runs):8,.0f} req/s  "
                f"p50 {statistics.median(r['p50'] for r in runs):6.1f} ms  "
                f"p99 {statistics.median(r['p99'] for r in runs):6.1f} ms  "
                f"errors {sum(int(r['errors']) for r in runs)}  "
                f"[rounds: {rates} req/s; p99 {p99s} ms]"
            )
        api_rate = statistics.median(r["rate"] for r in results["api"])
        bare_rate = statistics.median(r["rate"] for r in results["bare"])
        api_p99 = statistics.median(r["p99"] for r in results["api"])
        worst = max(r["p99"] for r in results["api"])
        errors = sum(int(r["errors"]) for r in results["api"])
        print(f"ratio API / bare: {api_rate / bare_rate:.2f}")
        met = api_rate >= TARGET_RATE and api_p99 <= TARGET_P99_MS and errors == 0
        print(
            f"target ≥ {TARGET_RATE:.0f} req/s and p99 ≤ {TARGET_P99_MS:.0f} ms (medians of the "
            f"rounds), no errors: {'MET' if met else 'NOT MET'} "
            f"(worst round p99 {worst:.1f} ms)"
        )
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
