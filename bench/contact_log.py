"""Logging a support-line contact on the operator's page, with a year of contacts stored.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/amparo_import_bench \\
        .venv/bin/python bench/contact_log.py [--requests 400]

Target (issue 4): logging a contact is one request, p95 ≤ 50 ms with a year of contacts
(about a million rows; bench/import_contacts.py loads them) in the database. The operator's
POST of the contact form (session, CSRF, form, checks, insert, audit entry, 303 back to a fresh
form) is timed over loopback against gunicorn (1 sync worker: one request at a time), beside
a bare Django view in the same server that inserts the same row with no session, form, checks
or audit (bench/urls_bench.py). Requests alternate between the two so machine noise hits
both alike. Prints p50/p95 of each and the ratio of the p95s.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_bench"
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/amparo_import_bench")
PORT = 8766
PASSWORD = "contraseña-de-benchmark-2026"
FORM = {
    "channel": "call",
    "reason": "information",
    "outcome": "information",
    "caller_country": "US",
    "caller_city": "Houston",
    "duration_seconds": "240",
    "note": "",
}


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


class Session:
    """A browser's cookies over one keep-alive connection."""

    def __init__(self) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", PORT)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, fields: dict[str, str] | None = None
    ) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{PORT}{path}"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";")[0]
        return response.status, text

    def csrf(self, html: str) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert match, "no CSRF token in the page"
        return match.group(1)


def ensure_operator() -> None:
    import django

    django.setup()
    from amparo.assistance.models import SupportContact
    from amparo.core.models import Institution, Role, Team, User

    minex = Institution.objects.get(code="MINEX")
    user, _ = User.objects.get_or_create(
        username="bench-operator",
        defaults={
            "role": Role.OPERATOR,
            "institution": minex,
            "team": Team.objects.get(institution=minex, code="general"),
        },
    )
    user.set_password(PASSWORD)
    user.save()
    print(f"contacts in the database: {SupportContact.objects.count():,}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    ensure_operator()
    env = {**os.environ, "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL": "false"}
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "amparo.wsgi",
            "-w",
            "1",
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        browser = Session()
        for _ in range(100):
            try:
                browser.request("GET", "/healthz")
                break
            except OSError:
                browser = Session()
                time.sleep(0.2)
        _status, page = browser.request("GET", "/accounts/login/")
        status, _ = browser.request(
            "POST",
            "/accounts/login/",
            {
                "username": "bench-operator",
                "password": PASSWORD,
                "csrfmiddlewaretoken": browser.csrf(page),
            },
        )
        assert status == 302, f"login failed: {status}"
        _status, page = browser.request("GET", "/assistance/contacts/new/")
        token = browser.csrf(page)
        bare = Session()
        amparo_ms: list[float] = []
        bare_ms: list[float] = []
        for n in range(args.requests + 20):
            started = time.perf_counter()
            status, body = browser.request(
                "POST", "/assistance/contacts/new/", {**FORM, "csrfmiddlewaretoken": token}
            )
            took = (time.perf_counter() - started) * 1000
            assert status == 303, f"contact not logged: {status} {body[:300]}"
            started = time.perf_counter()
            status, _ = bare.request("POST", "/bare/contacts", FORM)
            took_bare = (time.perf_counter() - started) * 1000
            assert status == 303, status
            if n >= 20:  # warm-up: connections, caches
                amparo_ms.append(took)
                bare_ms.append(took_bare)
        p95, bare_p95 = percentile(amparo_ms, 95), percentile(bare_ms, 95)
        print(
            f"log a contact (Amparo page): p50 {statistics.median(amparo_ms):.1f} ms, "
            f"p95 {p95:.1f} ms over {len(amparo_ms)} requests"
        )
        print(
            f"bare insert view:            p50 {statistics.median(bare_ms):.1f} ms, "
            f"p95 {bare_p95:.1f} ms"
        )
        print(f"ratio of p95s: {p95 / bare_p95:.1f}")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
