"""The operator's screens at national volume, timed as the browser meets them.

    DATABASE_URL=sqlite:////tmp/national.sqlite3 .venv/bin/python bench/operator_screens.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/national .venv/bin/python \\
        bench/operator_screens.py [--iterations 200] [--list-requests 30]

The database is the standard demo plus `manage.py demo --national` (1,017,564 support-line
contacts, all recorded by operadora.minex); `--build-scale S` builds it first (migrate, demo,
demo --national --scale S) when it holds no contacts. The CI smoke run (tests/test_bench_smoke.py)
uses the small database of bench/import_contacts.py instead: `--heavy` names the operator who
recorded its contacts, `--demo-accounts` adds the demo accounts, and pages whose account the
database lacks are left out.

Target (issue 14, item 4): the support-line form loads, and saves-and-reloads, with p95
≤ 150 ms, for the operator who recorded every contact and for a new operator; every list page
reachable from the menus ≤ 300 ms p95. Served by gunicorn (1 sync worker: one request at a
time) over loopback, as the browser does it: GET the form, POST a contact, follow the 303 and
GET the reloaded form. Each iteration does the same against a bare Django view in the same
server that reads the same rows (reasons, countries, the operator's 10 latest contacts) and
inserts the same row, with no session, form, checks, audit or template (bench/urls_bench.py):
the floor. Prints p50/p95 of each step, the ratio of the p95s, and the query plan of "your
latest contacts" on this database.
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
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'operator_bench.sqlite3'}")
PORT = 8767
HEAVY = "operadora.minex"  # the national demo records every contact as her
NEW = "bench-new-operator"
FORM = {
    "channel": "call",
    "reason": "information",
    "outcome": "information",
    "caller_country": "US",
    "caller_city": "Houston",
    "duration_seconds": "240",
    "note": "",
}
FORM_TARGET_MS = 150.0
LIST_TARGET_MS = 300.0

# Every list page reachable from the menus (and the section menus under them), with the demo
# account that opens it: the one whose institution holds that register's national data.
NOV_2018 = "start=2018-11-01&end=2018-11-30"  # a month of a busy year: ~85,000 contacts
YEAR_2018 = "start=2018-01-01&end=2018-12-31"
# (label, URL name, query string, account)
LIST_PAGES: list[tuple[str, str, str, str]] = [
    ("people search (a surname)", "people:search", "q=L%C3%B3pez", "consul.minex"),
    ("cases list", "cases:list", "", "consul.minex"),
    ("cases list (supervisor)", "cases:list", "", "supervisora.minex"),
    ("cases waiting for my approval", "cases:approvals", "", "supervisora.minex"),
    ("my overdue tasks", "cases:overdue", "", "consul.minex"),
    ("referrals", "cases:referrals", "", "consul.minex"),
    ("referrals to accept", "cases:referrals", "status=sent", "consul.minex"),
    ("support-line contacts (30 days)", "assistance:contacts", "", HEAVY),
    ("support-line contacts (Nov 2018)", "assistance:contacts", NOV_2018, HEAVY),
    ("support-line contacts (2018)", "assistance:contacts", YEAR_2018, HEAVY),
    ("consular services", "assistance:consular", "", HEAVY),
    ("civil registry", "assistance:civil_registry", "", HEAVY),
    ("civil registry (RENAP)", "assistance:civil_registry", "", "registrador.renap"),
    ("travel documents", "assistance:travel_documents", "", HEAVY),
    ("missing-person reports", "tracing:reports", "", "forense.inacif"),
    ("remains", "tracing:remains", "", "forense.inacif"),
    ("family-tracing requests", "tracing:requests", "", "trabajadora.sbs"),
    ("tracing figures", "tracing:figures", "", "forense.inacif"),
    ("recruiters", "labour:recruiters", "", "supervisora.mintrab"),
    ("fraud reports", "labour:fraud_reports", "", "supervisora.mintrab"),
    ("job offers", "labour:offers", "", "supervisora.mintrab"),
    ("pamphlets", "labour:pamphlets", "", "supervisora.mintrab"),
    ("visits", "labour:visits", "", "supervisora.mintrab"),
    ("labour services", "labour:services", "", "supervisora.mintrab"),
    ("labour figures", "labour:figures", "", "supervisora.mintrab"),
    ("flows dashboard", "flows:dashboard", "", "operador.igm"),
    ("flows streams", "flows:streams", "", "operador.igm"),
    ("flows alerts", "flows:alerts", "", "operador.igm"),
    ("flows tasks", "flows:tasks", "", "operador.igm"),
    ("flows entry", "flows:entry", "", "operador.igm"),
    ("recommendations", "recommendations:index", "", "coordinadora.copadeh"),
    ("recommendation documents", "recommendations:documents", "", "coordinadora.copadeh"),
    ("UHRI", "recommendations:uhri", "", "coordinadora.copadeh"),
    ("focal points", "recommendations:focal_points", "", "coordinadora.copadeh"),
    ("late actions", "recommendations:late", "", "coordinadora.copadeh"),
    ("submissions", "recommendations:submissions", "", "coordinadora.copadeh"),
    ("drafts", "recommendations:drafts", "", "coordinadora.copadeh"),
    ("updates to sign", "recommendations:to_sign", "", "coordinadora.copadeh"),
    ("possible duplicates", "matching:queue", "", "supervisora.minex"),
    ("imports", "imports:page", "", "supervisora.minex"),
    ("audit trail", "audit", "", "auditor.nacional"),
    ("audit trail (MINEX)", "audit", "", "auditora.minex"),
]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


class Session:
    """A browser's cookies over one keep-alive connection."""

    def __init__(self) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, fields: dict[str, str] | None = None
    ) -> tuple[int, str, str]:
        """(status, body, Location) of one request; cookies kept as a browser keeps them."""
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
        return response.status, text, response.getheader("Location") or ""

    def timed(
        self, method: str, path: str, fields: dict[str, str] | None = None
    ) -> tuple[float, int, str, str]:
        started = time.perf_counter()
        status, text, location = self.request(method, path, fields)
        return (time.perf_counter() - started) * 1000, status, text, location


def csrf(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


# --- set-up, in this process ----------------------------------------------------------------


def build_if_empty(scale: float) -> None:
    """migrate, demo, demo --national --scale: the national demo, for a smoke run."""
    from django.core.management import call_command

    from amparo.assistance.models import SupportContact

    call_command("migrate", verbosity=0)
    if not SupportContact.objects.exists():
        quiet = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the commands
        call_command("demo", people=200, stdout=quiet)
        call_command("demo", national=True, scale=scale, stdout=quiet)


def prepare_accounts(heavy_name: str, demo_accounts: bool) -> dict[str, object]:
    """The new operator (MINEX, no contacts) and the heavy one, with the demo password (the
    password every demo account has); returns what the run prints about the data."""
    from amparo.assistance.models import SupportContact
    from amparo.core.models import Institution, Role, Team, User
    from amparo.demo.generator import DEMO_PASSWORD, create_demo_users

    if demo_accounts and not User.objects.filter(username=HEAVY).exists():
        create_demo_users()
    minex = Institution.objects.get(code="MINEX")
    user, _ = User.objects.get_or_create(
        username=NEW,
        defaults={
            "role": Role.OPERATOR,
            "institution": minex,
            "team": Team.objects.get(institution=minex, code="general"),
            "first_name": "Nueva",
        },
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
    heavy = User.objects.get(username=heavy_name)
    if heavy_name != HEAVY:  # a bench account: it signs in with the same password
        heavy.set_password(DEMO_PASSWORD)
        heavy.save()
    return {
        "contacts": SupportContact.objects.count(),
        "heavy": heavy,
        "new": user,
        "heavy_contacts": SupportContact.objects.filter(recorded_by=heavy).count(),
        "password": DEMO_PASSWORD,
    }


def latest_contacts_plan(actor: object) -> list[str]:
    """The plan's lines of "your latest contacts" for this operator, on this database."""
    from django.db import connection

    from amparo.assistance.queries import latest_contacts_query

    plan = latest_contacts_query(actor).explain()  # type: ignore[arg-type]
    if connection.vendor == "postgresql":
        keys = ("Scan", "Sort", "Limit")
        return [line.strip() for line in plan.splitlines() if any(k in line for k in keys)]
    return [line.strip() for line in plan.splitlines() if line.strip()]


def load() -> str:
    """The machine's load average: the figures are only as quiet as the machine was."""
    return "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def second_factor(username: str) -> str:
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
    return f"{totp(device.bin_key):06d}" if device else ""


# --- the run, over HTTP ---------------------------------------------------------------------


def sign_in(username: str, password: str) -> Session:
    browser = Session()
    _s, page, _l = browser.request("GET", "/accounts/login/")
    status, _t, location = browser.request(
        "POST",
        "/accounts/login/",
        {"username": username, "password": password, "csrfmiddlewaretoken": csrf(page)},
    )
    assert status == 302, f"{username}: sign-in failed ({status})"
    _s, _t, location = browser.request("GET", "/")
    if "verify" in location:  # administrators and auditors: the second factor first
        _s, page, _l = browser.request("GET", location)
        token = second_factor(username)
        status, _t, _l = browser.request(
            "POST", location, {"token": token, "csrfmiddlewaretoken": csrf(page)}
        )
        assert status == 302, f"{username}: second factor refused ({status})"
    return browser


def operator_run(browser: Session, bare: Session, user_id: int, iterations: int) -> dict:
    """GET the form, POST a contact, GET the page the 303 names; the bare floor alike."""
    warm = max(3, iterations // 10)
    steps: dict[str, list[float]] = {
        k: [] for k in ("load", "post", "reload", "save+reload", "bare load", "bare save+reload")
    }
    for n in range(iterations + warm):
        took_load, status, page, _l = browser.timed("GET", "/assistance/contacts/new/")
        assert status == 200, f"form: {status}"
        took_post, status, body, location = browser.timed(
            "POST", "/assistance/contacts/new/", {**FORM, "csrfmiddlewaretoken": csrf(page)}
        )
        assert status == 303, f"contact not logged: {status} {body[:300]}"
        took_reload, status, page, _l = browser.timed("GET", location)
        assert status == 200, f"reloaded form: {status}"
        bare_path = f"/bare/contact-form/{user_id}"
        took_bare_load, status, _t, _l = bare.timed("GET", bare_path)
        assert status == 200, status
        took_bare_post, status, _t, location = bare.timed("POST", bare_path, FORM)
        assert status == 303, status
        took_bare_reload, status, _t, _l = bare.timed("GET", location)
        assert status == 200, status
        if n >= warm:  # warm-up: connections, caches
            steps["load"].append(took_load)
            steps["post"].append(took_post)
            steps["reload"].append(took_reload)
            steps["save+reload"].append(took_post + took_reload)
            steps["bare load"].append(took_bare_load)
            steps["bare save+reload"].append(took_bare_post + took_bare_reload)
    return steps


def report_operator(label: str, steps: dict[str, list[float]]) -> bool:
    print(f"\n{label} ({load()})")
    for name, values in steps.items():
        print(
            f"  {name:<18} p50 {statistics.median(values):7.1f} ms  "
            f"p95 {percentile(values, 95):7.1f} ms  (n={len(values)})"
        )
    ok = True
    for name, floor in (("load", "bare load"), ("save+reload", "bare save+reload")):
        p95, bare_p95 = percentile(steps[name], 95), percentile(steps[floor], 95)
        verdict = "ok" if p95 <= FORM_TARGET_MS else "OVER TARGET"
        ok &= p95 <= FORM_TARGET_MS
        print(
            f"  {name}: p95 / bare p95 = {p95 / bare_p95:.1f}  "
            f"({verdict}, target ≤ {FORM_TARGET_MS:.0f} ms)"
        )
    return ok


def list_run(password: str, requests: int, heavy: str) -> bool:
    from django.urls import NoReverseMatch, reverse

    from amparo.core.models import User

    sessions: dict[str, Session] = {}
    ok = True
    print(
        f"\nlist pages (p95 target ≤ {LIST_TARGET_MS:.0f} ms), {requests} requests each "
        f"({load()})"
    )
    present = set(User.objects.values_list("username", flat=True))
    for label, name, query, account in LIST_PAGES:
        username = heavy if account == HEAVY else account
        try:
            path = reverse(name) + (f"?{query}" if query else "")
        except NoReverseMatch:
            print(f"  {label:<36} (no such page in this version)")
            continue
        if username not in present:
            print(f"  {label:<36} (no account {username} in this database)")
            continue
        if username not in sessions:
            sessions[username] = sign_in(username, password)
        browser = sessions[username]
        times = []
        for n in range(requests + 2):
            took, status, _t, _l = browser.timed("GET", path)
            if status != 200:  # said and counted as a miss; the other pages are still timed
                break
            if n >= 2:
                times.append(took)
        if status != 200:
            ok = False
            print(f"  {label:<36} ANSWERED {status}  [{username} {path}]")
            continue
        p95 = percentile(times, 95)
        over = p95 > LIST_TARGET_MS
        ok &= not over
        print(
            f"  {label:<36} p50 {statistics.median(times):7.1f} ms  p95 {p95:7.1f} ms"
            f"{'  OVER TARGET' if over else ''}  [{username} {path}]"
        )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--list-requests", type=int, default=30)
    parser.add_argument("--build-scale", type=float, default=0.0)
    parser.add_argument("--skip-lists", action="store_true")
    parser.add_argument("--heavy", default=HEAVY, help="the operator with many contacts")
    parser.add_argument("--demo-accounts", action="store_true", help="create them if missing")
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection

    if args.build_scale:
        build_if_empty(args.build_scale)
    data = prepare_accounts(args.heavy, args.demo_accounts)
    print(
        f"database: {connection.vendor} {connection.Database.sqlite_version if connection.vendor == 'sqlite' else connection.pg_version}; "  # noqa: E501
        f"contacts: {data['contacts']:,}, recorded by {args.heavy}: {data['heavy_contacts']:,}"
    )
    for who in ("heavy", "new"):
        print(f"plan of 'your latest contacts' for {data[who]}:")  # type: ignore[str-bytes-safe]
        for line in latest_contacts_plan(data[who]):
            print(f"  {line}")
    connection.close()
    env = {**os.environ, "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL": "false"}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "amparo.wsgi", "-w", "1", "-b", f"127.0.0.1:{PORT}"]
        + ["--log-level", "warning", "--timeout", "300"],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(150):
            try:
                Session().request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        password = str(data["password"])
        ok = True
        for who, label in (("heavy", f"{args.heavy} (recorded the contacts)"), ("new", NEW)):
            user = data[who]
            browser = sign_in(user.username, password)  # type: ignore[attr-defined]
            steps = operator_run(browser, Session(), user.pk, args.iterations)  # type: ignore[attr-defined]
            ok &= report_operator(f"support-line form, {label}", steps)
        if not args.skip_lists:
            ok &= list_run(password, args.list_requests, args.heavy)
        print(f"\nall targets met: {'yes' if ok else 'NO'} ({load()})")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
