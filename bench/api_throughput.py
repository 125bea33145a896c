"""API read throughput against a bare Django JSON view, side by side, over loopback.

    .venv/bin/python bench/api_throughput.py [--seconds 10] [--rounds 3]

Serves Amparo with gunicorn (2 sync workers, the machine has 2 cores) on the benchmark
database (var/bench.sqlite3 from bench/person_search.py, or DATABASE_URL), and loads it with
wrk (Debian package `wrk`) from a second process: the bare view `/healthz` (a JsonResponse
through the same middleware), then API reads with a bearer token — one person (scoped and
audited), a page of people, and a page of countries. Prints requests/s per round, the median,
and each API endpoint's ratio to the bare view.
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
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amparo.settings")
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
        targets = {
            "bare Django JSON view (/healthz)": (base + "/healthz", None),
            "API one person (audited)": (base + f"/api/v1/persons/{person.pk}", token),
            "API people page (20, audited)": (base + "/api/v1/persons?limit=20", token),
            "API countries page (20)": (base + "/api/v1/countries?limit=20", token),
        }
        results: dict[str, list[float]] = {name: [] for name in targets}
        for _ in range(args.rounds):  # interleaved rounds: machine noise hits all alike
            for name, (url, tok) in targets.items():
                results[name].append(wrk(url, args.seconds, tok))
        bare = statistics.median(results["bare Django JSON view (/healthz)"])
        for name, values in results.items():
            median = statistics.median(values)
            rounds = ", ".join(f"{v:,.0f}" for v in values)
            print(f"{name:<34} median {median:8,.0f} req/s  ratio {median / bare:5.2f}  [{rounds}]")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
