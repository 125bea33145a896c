"""API read throughput against a bare Django JSON view, side by side, over loopback.

    .venv/bin/python bench/api_throughput.py [--seconds 10] [--rounds 3]

Serves Amparo with gunicorn (2 sync workers, the machine has 2 cores) on the benchmark
database (var/bench.sqlite3 from bench/person_search.py, or DATABASE_URL), and loads it with
wrk (Debian package `wrk`) from a second process. Each API read (bearer token, scoped,
audited, schema-validated) is measured beside a bare Django view that reads the same rows and
returns them with JsonResponse (bench/urls_bench.py), through the same middleware. Prints
requests/s per round, the medians and the ratio API / bare.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_bench"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
PORT = 8765


def wrk(url: str, seconds: int, token: str | None) -> float:
    cmd = ["wrk", "-t2", "-c8", f"-d{seconds}s", url]
    if token:
        cmd[1:1] = ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise SystemExit(f"{url}: {non2xx.group(1)} failed responses\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    import django

    django.setup()
    from amparo.core.models import User
    from amparo.core.tokens import token_create
    from amparo.people.queries import persons_visible_to

    user = User.objects.get(username="operadora.minex")
    token = token_create(actor=user, user=user, name="bench", days=1)
    person = persons_visible_to(user).order_by("id").first()
    assert person is not None, "run bench/person_search.py first to create the people"
    env = {**os.environ, "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1"}
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
        for _ in range(50):
            try:
                urllib.request.urlopen(base + "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        # Each API read beside a bare Django view reading the same rows (bench/urls_bench.py).
        pairs = {
            "one person": (f"/api/v1/persons/{person.pk}", f"/bare/persons/{person.pk}"),
            "page of 20 countries": ("/api/v1/countries?limit=20", "/bare/countries"),
            "page of 20 people": ("/api/v1/persons?limit=20", "/bare/persons"),
        }
        results: dict[tuple[str, str], list[float]] = {}
        for _ in range(args.rounds):  # interleaved rounds: machine noise hits all alike
            results.setdefault(("floor", "/healthz"), []).append(
                wrk(base + "/healthz", args.seconds, None)
            )
            for name, (api_path, bare_path) in pairs.items():
                results.setdefault((name, "api"), []).append(
                    wrk(base + api_path, args.seconds, token)
                )
                results.setdefault((name, "bare"), []).append(
                    wrk(base + bare_path, args.seconds, None)
                )
        floor = statistics.median(results[("floor", "/healthz")])
        print(f"{'JSON view without database (/healthz)':<44} {floor:8,.0f} req/s")
        for name in pairs:
            api_rate = statistics.median(results[(name, "api")])
            bare_rate = statistics.median(results[(name, "bare")])
            print(
                f"{name:<22} API {api_rate:8,.0f} req/s  bare {bare_rate:8,.0f} req/s  "
                f"ratio {api_rate / bare_rate:5.2f}  "
                f"[api {', '.join(f'{v:,.0f}' for v in results[(name, 'api')])}; "
                f"bare {', '.join(f'{v:,.0f}' for v in results[(name, 'bare')])}]"
            )
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
