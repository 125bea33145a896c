"""The whole-product walk: every demo role, every page it can reach, every form, every
background task, on the standard demo and the national demo at a reduced scale.

What it does (docs/testing.md says more):
1. Loads the standard demo (a few people, cases resting in every stage, tracing) and the
   national demo at 1/1000 scale, once, into the test database.
2. Signs in as every demo account (with its second factor where the role needs one), starts
   at the home page and follows every in-app link and htmx fragment, visiting each URL
   pattern once or twice (detail pages of every record kind, not thousands of them).
3. Submits every form once empty (a refusal must say why, never a 5xx) and once filled as a
   generic user would (never a 5xx).
4. Opens one page per URL pattern in chromium, signed in as the role that found it, and
   checks the layout at 375, 1024, 1280 and 1440 px and axe-core's WCAG A/AA rules.
5. Runs the real worker (`db_worker --batch`) after each role, enqueues any kind of task
   the walk did not set off itself, and requires every task result to have succeeded.
Every failure is collected; the test fails once, at the end, with the list grouped by area.
"""

from __future__ import annotations

import os
import re
import time
import traceback
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from . import test_browser as tb
from .conftest import empty_audit_trail
from .walk import browser as checks
from .walk.language import findings
from .walk.pages import Form, Page, emptied, filled, parse, pattern, query, route

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

DEMO_PASSWORD = "amparo-demo-2026"
DEMO_PEOPLE = int(os.environ.get("WALK_PEOPLE", "120"))
NATIONAL_SCALE = float(os.environ.get("WALK_SCALE", "0.001"))
PER_PATTERN = 2  # URLs of one pattern visited by the first role that meets it (1 for others)
QUERY_VARIANTS = 2  # sets of query parameters followed per route (filters, periods, pages)
PAGES_PER_ROLE = 300  # a bound, so that a page spawning endless links cannot stall CI
LOADING: dict[str, float] = {}  # seconds each demo took to load, for the summary
# One report and one progress log per database: the two suites run side by side in CI.
_VENDOR = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
REPORT = settings.PROJECT_DIR / "var" / f"walk-report-{_VENDOR}.txt"
PROGRESS = settings.PROJECT_DIR / "var" / f"walk-progress-{_VENDOR}.log"


# --- what the walk found ------------------------------------------------------------------


@dataclass
class Findings:
    """Failures keyed by (area, kind, pattern, message), each with the roles that met it."""

    failures: dict[tuple[str, str, str, str], set[str]] = field(
        default_factory=lambda: defaultdict(set)
    )
    refused: dict[str, str] = field(default_factory=dict)  # form main paths refused (info)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    # Each kind of task: (runs, seconds in all, seconds of the slowest run).
    task_times: dict[str, tuple[int, float, float]] = field(default_factory=dict)
    # English, codes and UTC on Spanish pages: (kind, word) to its first context and pages.
    language: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def add(self, role: str, url: str, kind: str, message: str) -> None:
        where = pattern(url) if url.startswith("/") else url
        area = where.strip("/").split("/")[0].split("?")[0] or "home"
        self.failures[(area, kind, where, message)].add(role)

    def add_language(self, role: str, url: str, kind: str, word: str, context: str) -> None:
        seen = self.language.setdefault((kind, word), {"context": context, "pages": set()})
        seen["pages"].add(pattern(url))
        seen.setdefault("roles", set()).add(role)

    def all(self) -> dict[tuple[str, str, str, str], set[str]]:
        """The failures, with the language findings as one failure per word."""
        every = dict(self.failures)
        for (kind, word), seen in self.language.items():
            pages = sorted(seen["pages"])
            where = ", ".join(pages[:4]) + (f" and {len(pages) - 4} more" if len(pages) > 4 else "")
            area = pages[0].strip("/").split("/")[0].split("?")[0] or "home"
            roles = seen["roles"]
            who = ", ".join(sorted(roles)[:3]) + (f" +{len(roles) - 3}" if len(roles) > 3 else "")
            every[(area, kind, "", f"{word!r} in “{seen['context']}” on {where}")] = {who}
        return every

    def report(self) -> str:
        by_area: dict[str, list[str]] = defaultdict(list)
        every = self.all()
        for (area, kind, where, message), roles in sorted(every.items()):
            who = ", ".join(sorted(roles))
            place = f"{where} — " if where else ""
            by_area[area].append(f"  [{kind}] {place}{message}  ({who})")
        lines = [f"The walk found {len(every)} problem(s):"]
        for area in sorted(by_area):
            lines.append(f"{area}:")
            lines.extend(by_area[area])
        return "\n".join(lines)


# --- fixtures -------------------------------------------------------------------------------


# Debian's chromium, launched once per module as for every browser test (test_browser.py).
chromium = tb.browser


@pytest.fixture
def demo_data(
    chromium: Any, transactional_db: None, settings: Any, tmp_path_factory: Any
) -> Iterator[None]:
    """The standard demo and the national demo at 1/1000, loaded once for the whole walk."""
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("walk-media"))  # uploads and exports
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = StringIO()
    started = time.monotonic()
    PROGRESS.parent.mkdir(exist_ok=True)
    PROGRESS.write_text("", encoding="utf-8")
    REPORT.write_text("(loading the demo data)\n", encoding="utf-8")
    _progress("loading the standard demo")
    call_command("demo", people=DEMO_PEOPLE, cases_per_stage=1, stdout=out)
    _progress("loading the national demo")
    standard = time.monotonic()
    call_command("demo", national=True, scale=NATIONAL_SCALE, stdout=out)
    LOADING["standard demo"] = standard - started
    LOADING["national demo"] = time.monotonic() - standard
    _progress("demo data loaded")
    yield
    empty_audit_trail()


# --- signing in -----------------------------------------------------------------------------


def demo_accounts() -> list[Any]:
    """Every account the demos made that opens with the demo password; administrators and
    auditors last (their forms may change other accounts)."""
    from amparo.core.models import Role, User

    last = {Role.INSTITUTION_ADMIN, Role.SYSTEM_ADMIN, Role.AUDITOR}
    users = [u for u in User.objects.filter(is_active=True) if u.check_password(DEMO_PASSWORD)]
    return sorted(users, key=lambda u: (u.role in last, u.role, u.username))


def sign_in(user: Any, found: Findings) -> Client | None:
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client(HTTP_ACCEPT_LANGUAGE="es", raise_request_exception=False)
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": DEMO_PASSWORD}
    )
    if response.status_code != 302:
        found.add(user.username, "/accounts/login/", "sign-in", f"HTTP {response.status_code}")
        return None
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        response = client.post("/accounts/verify/", {"token": f"{totp(device.bin_key):06d}"})
        if response.status_code != 302:
            found.add(user.username, "/accounts/verify/", "sign-in", f"HTTP {response.status_code}")
            return None
    return client


# --- the crawl ------------------------------------------------------------------------------


@dataclass
class Walker:
    found: Findings
    seen_patterns: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    seen_by_role: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    browser_queue: dict[str, str] = field(default_factory=dict)  # pattern: its first full page
    browsed: set[str] = field(default_factory=set)
    forms_done: set[str] = field(default_factory=set)
    downloads_done: set[str] = field(default_factory=set)
    query_variants: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def fetch(
        self, client: Client, role: str, method: str, url: str, data: Any = None
    ) -> tuple[int, Page | None, Any]:
        """One request; a 5xx is recorded with the exception that caused it."""
        self.found.counts["requests"] += 1
        exceptions: list[BaseException] = []
        from django.core.signals import got_request_exception

        def keep(sender: Any, request: Any = None, **kwargs: Any) -> None:
            import sys

            exceptions.append(sys.exc_info()[1])  # type: ignore[arg-type]

        got_request_exception.connect(keep)
        began = time.monotonic()
        try:
            if method == "GET":
                response = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
            else:
                response = client.post(url, data or {}, HTTP_ACCEPT_LANGUAGE="es")
        finally:
            got_request_exception.disconnect(keep)
        status = response.status_code
        _progress(f"{role} {method} {url} {status} {time.monotonic() - began:.2f}s")
        if status >= 500:
            self.found.add(role, url, "5xx", f"{method} → {status}: {_cause(exceptions)}")
            return status, None, response
        content_type = response.get("Content-Type", "")
        if "text/html" not in content_type or response.streaming:
            return status, None, response
        page = parse(url, response.content)
        self.check_language(role, url, page)
        return status, page, response

    def check_language(self, role: str, url: str, page: Page) -> None:
        if page.full and page.lang and page.lang != "es":
            self.found.add(role, url, "language", f'<html lang="{page.lang}">, not es')
        for finding in findings(page.text):
            # One failure per word (the menu's words are on every page), with where it shows.
            self.found.add_language(role, url, finding.kind, finding.word, finding.text)

    def take_browser_queue(self) -> list[str]:
        """The pages found since the last call that the browser has not seen (one a pattern)."""
        urls = [url for key, url in self.browser_queue.items() if key not in self.browsed]
        self.browsed |= set(self.browser_queue)
        return urls

    def crawl(self, client: Client, account: str, kind: str, start: list[str]) -> list[Form]:
        """Breadth first from `start`. The pages linked from the start (the menu and the home
        page) are visited by every account; deeper, each pattern is visited by one account of
        each role (twice by the first account to meet it): the work grows with the number of
        patterns and roles, not with the number of records or accounts."""
        queue: deque[tuple[str, str, int]] = deque((url, "start", 0) for url in start)
        mine: dict[str, int] = defaultdict(int)  # patterns this account visited
        visited: set[str] = set()
        forms: list[Form] = []
        pages = 0
        while queue and pages < PAGES_PER_ROLE:
            url, source, depth = queue.popleft()
            key = pattern(url)
            if url in visited:
                continue
            if depth <= 1:
                cap = 1 if mine[key] or self.seen_patterns[key] >= PER_PATTERN else PER_PATTERN
                if mine[key] >= cap:
                    continue
            else:
                cap = PER_PATTERN if self.seen_patterns[key] < PER_PATTERN else 1
                if self.seen_by_role[(kind, key)] >= cap or mine[key] >= cap:
                    continue
            variants = self.query_variants[route(url)]
            if key not in variants and len(variants) >= QUERY_VARIANTS:
                continue
            variants.add(key)
            if _looks_like_download(url):  # one of each format: its status, not its variants
                if route(url) in self.downloads_done:
                    continue
                self.downloads_done.add(route(url))
            visited.add(url)
            mine[key] += 1
            self.seen_by_role[(kind, key)] += 1
            self.seen_patterns[key] += 1
            pages += 1
            status, page, response = self.fetch(client, account, "GET", url)
            if status in (301, 302, 303):
                target = response["Location"]
                if target.startswith("/") and not target.startswith("/accounts/"):
                    queue.appendleft((target, source, depth))
                continue
            if 400 <= status < 500 and source != "fragment":
                self.found.add(account, url, "broken link", f"HTTP {status} (linked from {source})")
            if page is None or status != 200:
                continue
            # The browser sees each route once (its layout does not change with the query).
            where = route(url)
            if page.full and where not in self.browser_queue and where != "/":
                if not _looks_like_download(url):
                    self.browser_queue[where] = url
            forms.extend(page.forms)
            for link, fragment in page.links:
                queue.append((link, "fragment" if fragment else pattern(url), depth + 1))
        self.found.counts["pages"] += pages
        return forms

    def submit_forms(self, client: Client, role: str, forms: list[Form]) -> None:
        today = timezone.localdate()
        for form in forms:
            if form.key in self.forms_done:
                continue
            self.forms_done.add(form.key)
            self.found.counts["forms"] += 1
            if form.method == "GET":
                self.fetch(client, role, "GET", query(form, today))
                continue
            # One bad input: nothing typed. Refused with a message, or accepted, never a 5xx.
            status, page, _r = self.fetch(client, role, "POST", form.action, emptied(form))
            required = [f.name for f in form.user_fields if f.required]
            if page is not None and status != 302 and required and not page.has_error:
                self.found.add(
                    role,
                    form.action,
                    "form",
                    f"empty submission refused without a message "
                    f"(HTTP {status}, form on {pattern(form.where)})",
                )
            if status == 302 and required:
                self.found.add(
                    role,
                    form.action,
                    "form",
                    f"empty submission accepted though {', '.join(required)} required",
                )
            # The main path, filled as a generic user would.
            data = filled(form, today)
            for f in form.fields:
                if f.type == "file" and f.name:
                    data[f.name] = SimpleUploadedFile(
                        "recorrido.csv", b"columna\nvalor\n", content_type="text/csv"
                    )
            status, page, response = self.fetch(client, role, "POST", form.action, data)
            if status in (301, 302, 303) and response["Location"].startswith("/"):
                self.fetch(client, role, "GET", response["Location"])
            elif status < 500:
                self.found.refused[form.key] = f"HTTP {status} ({role}, on {pattern(form.where)})"


def _progress(line: str) -> None:
    """One line per step in var/walk-progress.log, to see where a slow walk spends its time."""
    with PROGRESS.open("a", encoding="utf-8") as log:
        log.write(f"{time.strftime('%H:%M:%S')} {line}\n")


def _looks_like_download(url: str) -> bool:
    return bool(re.search(r"\.(csv|pdf|json|xlsx|ods|odt|docx|zip)(\?|$)|/export|/file$", url))


def _cause(exceptions: list[BaseException]) -> str:
    if not exceptions:
        return "(no exception recorded)"
    exc = exceptions[-1]
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/amparo/" in f.filename]
    where = (
        f" at {Path(frames[-1].filename).relative_to(settings.PROJECT_DIR)}:{frames[-1].lineno}"
        if frames
        else ""
    )
    return f"{type(exc).__name__}: {str(exc)[:200]}{where}"


# --- the browser ---------------------------------------------------------------------------


def browse(
    chromium: Any,
    base_url: str,
    client: Client | None,
    account: str,
    urls: list[str],
    found: Findings,
) -> None:
    """Layout at four widths, axe, and console errors, in one context signed in as the
    account (its session from the test client)."""
    if not urls:
        return
    began = time.monotonic()
    context = chromium.new_context(base_url=base_url, locale="es-GT")
    context.set_default_timeout(15_000)
    if client is not None:
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}]
        )
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: console.append(str(exc)))
    try:
        for url in urls:
            console.clear()
            _progress(f"{account} browser {url}")
            try:
                problems = checks.check_page(page, url, axe_phone=url == "/")
            except Exception as exc:  # a page that never loads is a finding, not a crash
                problems = [("browser", f"{type(exc).__name__}: {str(exc)[:200]}")]
            found.counts["browser pages"] += 1
            for kind, message in problems:
                found.add(account, url, kind, message)
            for message in dict.fromkeys(console):
                found.add(account, url, "console", message[:300])
    finally:
        context.close()
        found.seconds["browser"] += time.monotonic() - began


# --- background tasks -----------------------------------------------------------------------


def run_worker(found: Findings) -> None:
    _progress("worker")
    began = time.monotonic()
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    found.seconds["worker"] += time.monotonic() - began


def task_kinds() -> dict[str, Any]:
    """Every task the application declares (`@task` in any amparo module), by module path."""
    import sys

    from django.utils.module_loading import autodiscover_modules
    from django_tasks.base import Task

    autodiscover_modules("tasks")
    kinds: dict[str, Any] = {}
    for name, module in list(sys.modules.items()):
        if name.startswith("amparo.") and module is not None:
            for value in vars(module).values():
                if isinstance(value, Task) and value.module_path.startswith("amparo."):
                    kinds[value.module_path] = value
    return kinds


def enqueue_the_rest(done: set[str], kinds: dict[str, Any], tmp: Path) -> list[str]:
    """Set off every kind of task the walk did not, as the application's own paths would;
    a kind that needs arguments and has no recipe here is reported (the walk must learn it)."""
    import inspect

    from amparo.core.models import User
    from amparo.people.models import Person

    missing = []
    for path, task in kinds.items():
        if path in done:
            continue
        name = path.rsplit(".", 1)[-1]
        needs = [
            p
            for p in inspect.signature(task.func).parameters.values()
            if p.default is inspect.Parameter.empty
        ]
        if not needs:
            task.enqueue()
        elif name == "match_person":
            person = Person.objects.filter(origin_municipality__isnull=False).first()
            task.enqueue(str((person or Person.objects.first()).pk))
        elif name == "detection_task":
            call_command("flows", "run", enqueue=True, stdout=StringIO())
        elif name == "run_import_task":
            supervisor = User.objects.get(username="supervisora.minex")
            source = tmp / "contactos.csv"
            source.write_text(
                "ref,received_at,channel,caller_country,caller_city,reason,outcome,"
                "duration_seconds,note\nW1,2019-03-14 09:25,call,US,Houston,detention,"
                "information,312,\n",
                encoding="utf-8",
            )
            call_command(
                "import",
                "contacts",
                str(source),
                source="cc",
                user=supervisor.username,
                enqueue=True,
                stdout=StringIO(),
            )
        else:
            missing.append(path)
    return missing


def check_tasks(found: Findings) -> None:
    """Every result succeeded; none still waiting unless scheduled for later (a retry, the
    worker's heartbeat). The slowest run of each kind is kept for the summary."""
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    for result in DBTaskResult.objects.all():
        found.counts["tasks"] += 1
        where = f"task:{result.task_path}"
        if result.status == "FAILED":
            lines = (result.traceback or "").strip().splitlines()
            last = lines[-1] if lines else result.exception_class_path
            found.add("worker", where, "task failed", last[:300])
        elif result.status == "RUNNING" or (result.status == "READY" and result.run_after <= now):
            found.add("worker", where, "task stuck", f"still {result.status}")
        if result.started_at and result.finished_at:
            took = (result.finished_at - result.started_at).total_seconds()
            name = result.task_path.rsplit(".", 1)[-1]
            runs, total, slowest = found.task_times.get(name, (0, 0.0, 0.0))
            found.task_times[name] = (runs + 1, total + took, max(slowest, took))


# --- the walk -------------------------------------------------------------------------------


def test_every_role_walks_the_whole_product(
    demo_data: None, chromium: Any, live_server: Any, tmp_path: Path, capsys: Any
) -> None:

    started = time.monotonic()
    found = Findings()
    walker = Walker(found)
    kinds = task_kinds()

    # Before signing in: the public pages (recruiter check, recommendations portal).
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="es", raise_request_exception=False)
    forms = walker.crawl(
        anonymous,
        "anonymous",
        "anonymous",
        ["/accounts/login/", "/labour/check/", "/recommendations/portal/"],
    )
    walker.submit_forms(anonymous, "anonymous", forms)
    browse(chromium, live_server.url, None, "anonymous", walker.take_browser_queue(), found)

    homes_checked: set[str] = set()
    for user in demo_accounts():
        client = sign_in(user, found)
        if client is None:
            continue
        began = time.monotonic()
        try:
            forms = walker.crawl(client, user.username, user.role, ["/"])
            walker.submit_forms(client, user.username, forms)
        except Exception as exc:  # the walk's own fault: reported, the other roles still walk
            found.add(user.username, "/", "walk error", _cause([exc]))
        found.seconds["pages and forms"] += time.monotonic() - began
        run_worker(found)
        # The home page once per role (the menu is the role's), and each new pattern once.
        urls = walker.take_browser_queue()
        if user.role not in homes_checked:
            homes_checked.add(user.role)
            urls = ["/", *urls]
        browse(chromium, live_server.url, client, user.username, urls, found)
        # So far, in case the run is stopped: the same report the end writes in full.
        REPORT.write_text(f"(walk in progress: {user.username})\n{found.report()}\n", "utf-8")

    # Every kind of background task, through the real worker.
    from django_tasks_db.models import DBTaskResult

    run_worker(found)
    done = set(DBTaskResult.objects.values_list("task_path", flat=True))
    for path in enqueue_the_rest(done, kinds, tmp_path):
        found.add(
            "worker", f"task:{path}", "task not exercised", "the walk has no way to set it off"
        )
    run_worker(found)
    check_tasks(found)
    finished = time.monotonic()

    loading = ", ".join(f"{name} {s:.0f} s" for name, s in LOADING.items())
    summary = (
        f"walk ({loading}): {len(demo_accounts())} accounts, {found.counts['pages']} pages "
        f"({len(walker.seen_patterns)} patterns), {found.counts['forms']} forms, "
        f"{found.counts['requests']} requests, {found.counts['browser pages']} pages in chromium, "
        f"{found.counts['tasks']} task results in {finished - started:.0f} s ("
        + ", ".join(f"{name} {s:.0f} s" for name, s in found.seconds.items())
        + ")"
    )
    slowest = ", ".join(
        f"{name} {runs}× {total:.0f} s (slowest {most:.1f} s)"
        for name, (runs, total, most) in sorted(found.task_times.items())
    )
    refused = "\n".join(f"  {key}: {why}" for key, why in sorted(found.refused.items()))
    text = (
        f"{summary}\ntasks: {slowest}\n{found.report()}\n\n"
        "Forms whose generic main path was refused "
        f"(information, not failures):\n{refused}\n"
    )
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(text, encoding="utf-8")
    with capsys.disabled():
        print(f"\n{summary} (report: {REPORT})")
    assert not found.all(), found.report()
