"""Statistics are computed by the background worker: pages answer at once with the kept result
or its progress, results are kept until the records change, a failed update keeps the last good
result and says since when it is stale, exports are files written by the worker, and the
default period is the latest one with records."""

from __future__ import annotations

import csv
import io
import logging
import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from amparo.assistance.actions import ContactInput, contact_log
from amparo.core.models import Role, User
from amparo.people.actions import DocumentInput, PersonInput, person_register, person_update
from amparo.people.models import Person
from amparo.stats import jobs, pages
from amparo.stats.models import Computation
from amparo.stats.tasks import compute_task

from .test_web_matrix import _signed_in

pytestmark = pytest.mark.django_db

YEAR = "start=2018-01-01&end=2018-12-31"
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
TZ = timezone.get_current_timezone()


def _migrant(operator: User) -> Person:
    """A caller as the support line records one: origin municipality, passport."""
    return person_register(
        actor=operator,
        data=PersonInput(
            given_names="Juana Isabel",
            first_surname="Ajú",
            second_surname="Tum",
            sex="F",
            birth_date=date(1990, 4, 2),
            nationality="GT",
            origin_municipality="0101",
        ),
        documents=[DocumentInput("passport", "P7788991", "GT")],
    )


def _call(operator: User, person: Person, at: datetime) -> None:
    contact_log(
        actor=operator,
        data=ContactInput(
            channel="call",
            reason="legal_advice",
            outcome="information",
            caller_country="US",
            duration_seconds=300,
            received_at=at,
            person_id=person.pk,
        ),
    )


@pytest.fixture
def calls(make_user) -> tuple[User, Person]:  # type: ignore[no-untyped-def]
    """Three calls of one migrant in 2018."""
    operator = make_user(Role.OPERATOR, "MINEX")
    person = _migrant(operator)
    for month in (2, 5, 9):
        _call(operator, person, datetime(2018, month, 12, 10, tzinfo=TZ))
    return operator, person


@pytest.fixture
def analyst(make_user) -> Client:  # type: ignore[no-untyped-def]
    return _signed_in(make_user(Role.ANALYST, "INE"))


def _figure(html: str) -> str:
    """The indicator page's headline figure."""
    found = re.search(r'<p class="font-body-lg"><strong>([^<]+)</strong>', html)
    assert found, html
    return found.group(1)


def _calls_page(client: Client, query: str = YEAR) -> Any:
    url = reverse("stats:indicator", args=["support_line.calls"]) + "?" + query
    return client.get(url)


def _no_computing(*_a: Any, **_k: Any) -> Any:
    raise AssertionError("the page computed a figure itself")


def test_pages_answer_at_once_and_the_worker_computes(calls, analyst, settings, monkeypatch):  # type: ignore[no-untyped-def]
    settings.TASKS = DATABASE
    from django_tasks_db.models import DBTaskResult

    monkeypatch.setattr(pages, "compute", _no_computing)
    monkeypatch.setattr(pages, "series", _no_computing)
    for name in ("stats:index", "stats:questions", "stats:report"):
        page = analyst.get(reverse(name) + "?" + YEAR)
        assert page.status_code == 200, name
        text = page.content.decode()
        # The page polls its computation and says the worker is on it.
        assert 'hx-trigger="every 2s"' in text and "<progress" in text
        assert "proceso en segundo plano" in text
    page = _calls_page(analyst)
    assert page.status_code == 200 and "<strong>" not in page.content.decode()
    assert Computation.objects.filter(status="queued").count() == 4
    assert DBTaskResult.objects.count() == 4
    monkeypatch.undo()
    job = Computation.objects.get(kind="indicator")
    compute_task.call(str(job.pk))  # what the worker does (the worker itself: below)
    polled = analyst.get(reverse("stats:computation", args=[job.pk]))
    assert polled.status_code == 200
    assert "hx-trigger" not in polled.content.decode()  # done: the polling stops
    assert _figure(polled.content.decode()) == "3"
    # Asked again: the kept result, nothing queued again.
    again = _calls_page(analyst)
    assert _figure(again.content.decode()) == "3"
    assert DBTaskResult.objects.count() == 4


def test_result_is_kept_until_a_record_changes(calls, analyst, settings, monkeypatch):  # type: ignore[no-untyped-def]
    settings.TASKS = IMMEDIATE
    operator, person = calls
    assert _figure(_calls_page(analyst).content.decode()) == "3"
    first = Computation.objects.get(kind="indicator")
    monkeypatch.setattr(pages, "compute", _no_computing)
    assert _figure(_calls_page(analyst).content.decode()) == "3"  # reused, not recomputed
    monkeypatch.undo()
    assert Computation.objects.get(pk=first.pk).computed_at == first.computed_at
    _call(operator, person, datetime(2018, 11, 3, 9, tzinfo=TZ))
    assert _figure(_calls_page(analyst).content.decode()) == "4"
    assert Computation.objects.get(pk=first.pk).computed_at > first.computed_at
    # An update of a record (not only a new one) changes what the statistics read.
    before = jobs.data_fingerprint()
    person_update(
        actor=operator,
        person_id=person.pk,
        version=Person.objects.get(pk=person.pk).version,
        data=PersonInput(
            given_names="Juana Isabel", first_surname="Ajú", second_surname="Tum", sex="F",
            birth_date=date(1991, 4, 2), nationality="GT", origin_municipality="0101",
        ),  # fmt: skip
    )
    assert jobs.data_fingerprint() != before


def test_a_failed_update_keeps_the_last_good_result(calls, analyst, settings, monkeypatch, caplog):  # type: ignore[no-untyped-def]
    settings.TASKS = IMMEDIATE
    operator, person = calls
    assert _figure(_calls_page(analyst).content.decode()) == "3"
    good = Computation.objects.get(kind="indicator")
    _call(operator, person, datetime(2018, 12, 1, 9, tzinfo=TZ))

    def broken(*_a: Any, **_k: Any) -> Any:
        raise RuntimeError("la base de datos está bloqueada")

    monkeypatch.setattr(pages, "compute", broken)
    with caplog.at_level(logging.ERROR, logger="amparo.stats.jobs"):
        page = _calls_page(analyst)
    assert page.status_code == 200
    text = page.content.decode()
    # The last good figures, said to be stale since they were computed, and why.
    assert _figure(text) == "3"
    stamp = timezone.localtime(good.computed_at).strftime("%Y-%m-%d %H:%M")
    assert "desactualizadas" in text and stamp in text
    assert "la base de datos está bloqueada" in text and "Intentar de nuevo" in text
    assert any("failed" in r.getMessage() for r in caplog.records)
    kept = Computation.objects.get(pk=good.pk)
    assert kept.status == "failed" and kept.computed_at == good.computed_at and kept.html
    # Never computed and failing: the reason, not a blank page.
    first = _calls_page(analyst, "start=2017-01-01&end=2017-12-31").content.decode()
    assert "No se pudieron calcular" in first and "la base de datos está bloqueada" in first
    # Asked again once the cause is gone: the new figures.
    monkeypatch.undo()
    again = analyst.post(reverse("stats:computation_again", args=[good.pk]))
    assert again.status_code == 302
    assert _figure(analyst.get(again["Location"]).content.decode()) == "4"


def test_exports_are_files_written_by_the_worker(calls, analyst, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.TASKS = DATABASE
    settings.MEDIA_ROOT = tmp_path
    operator, person = calls
    for day in (3, 4, 5):  # six calls: enough to be published (small numbers are hidden)
        _call(operator, person, datetime(2018, 10, day, 16, tzinfo=TZ))
    url = reverse("stats:export", args=["csv"]) + "?" + YEAR
    waiting = analyst.get(url)
    assert waiting.status_code == 200 and waiting["Content-Type"].startswith("text/html")
    assert "generando el archivo" in waiting.content.decode()
    job = Computation.objects.get(kind="export")
    compute_task.call(str(job.pk))
    ready = analyst.get(reverse("stats:computation", args=[job.pk])).content.decode()
    download = reverse("stats:computation_file", args=[job.pk])
    assert download in ready
    response = analyst.get(url)  # the link itself now gives the file
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    calls_row = next(r for r in rows if r["indicator_id"] == "support_line.calls")
    assert calls_row["value"] == "6"
    assert 'filename="amparo-informe-nacional-20180101-20181231.csv"' in (
        response["Content-Disposition"]
    )


def test_default_period_is_the_latest_full_year_with_records(calls, analyst, make_user, settings):  # type: ignore[no-untyped-def]
    from amparo.cases.models import Case
    from amparo.stats.forms import default_period

    settings.TASKS = IMMEDIATE
    operator, person = calls
    caseworker = make_user(Role.CASEWORKER, "MINEX")
    # Old records (2018 and January to March 2019), and a case opened today (this year).
    for day in (date(2018, 3, 1), date(2019, 3, 20)):
        Case.objects.create(
            protocol_code="assistance_abroad", protocol_version=1, person=person,
            institution=caseworker.institution, stage="intake", opened_by=caseworker,
            opened_at=datetime.combine(day, datetime.min.time(), tzinfo=TZ),
        )  # fmt: skip
    Case.objects.create(
        protocol_code="assistance_abroad", protocol_version=1, person=person,
        institution=caseworker.institution, stage="intake", opened_by=caseworker,
        opened_at=timezone.now(),
    )  # fmt: skip
    period = default_period()
    assert (period.start, period.end) == (date(2018, 1, 1), date(2018, 12, 31))
    page = analyst.get(reverse("stats:indicator", args=["support_line.calls"]))
    assert page.context["period"] == period
    assert _figure(page.content.decode()) == "3"


def test_only_this_years_records_give_the_year_so_far(make_user) -> None:  # type: ignore[no-untyped-def]
    from amparo.cases.models import Case
    from amparo.stats.forms import default_period

    caseworker = make_user(Role.CASEWORKER, "MINEX")
    person = _migrant(make_user(Role.OPERATOR, "MINEX"))
    Case.objects.create(
        protocol_code="assistance_abroad", protocol_version=1, person=person,
        institution=caseworker.institution, stage="intake", opened_by=caseworker,
        opened_at=timezone.now() - timedelta(minutes=5),
    )  # fmt: skip
    today = timezone.localdate()
    period = default_period()
    assert (period.start, period.end) == (date(today.year, 1, 1), today)


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_computes_pages_and_exports(  # type: ignore[no-untyped-def]
    live_reference, make_user, settings, tmp_path
):
    settings.TASKS = DATABASE
    settings.MEDIA_ROOT = tmp_path
    operator = make_user(Role.OPERATOR, "MINEX")
    person = _migrant(operator)
    _call(operator, person, datetime(2018, 6, 1, 12, tzinfo=TZ))
    client = _signed_in(make_user(Role.ANALYST, "INE"))
    assert "<strong>" not in _calls_page(client).content.decode()
    export = reverse("stats:export", args=["xlsx"]) + "?" + YEAR
    assert client.get(export)["Content-Type"].startswith("text/html")
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert set(Computation.objects.values_list("status", flat=True)) == {"done"}
    assert _figure(_calls_page(client).content.decode()) == "1"
    xlsx = client.get(export)
    assert xlsx["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def test_a_computation_that_lost_its_worker_is_queued_again(calls, analyst, settings):  # type: ignore[no-untyped-def]
    settings.TASKS = DATABASE
    page = _calls_page(analyst)
    job = Computation.objects.get(kind="indicator")
    # The worker took it and stopped (killed, machine restarted) without a word.
    Computation.objects.filter(pk=job.pk).update(
        status="running", started_at=timezone.now() - timedelta(hours=2)
    )
    settings.TASKS = IMMEDIATE
    page = _calls_page(analyst)
    assert _figure(page.content.decode()) == "3"
    assert Computation.objects.get(pk=job.pk).status == "done"


def test_a_worker_of_another_version_does_not_recompute_in_a_loop(  # type: ignore[no-untyped-def]
    calls, analyst, settings, monkeypatch
):
    settings.TASKS = DATABASE
    _calls_page(analyst)
    job = Computation.objects.get(kind="indicator")
    current = jobs._code_digest
    monkeypatch.setattr(jobs, "_code_digest", lambda: "an older Amparo")
    compute_task.call(str(job.pk))  # a worker not yet restarted after an upgrade
    monkeypatch.setattr(jobs, "_code_digest", current)
    assert _figure(_calls_page(analyst).content.decode()) == "3"
    assert Computation.objects.get(pk=job.pk).status == "done"  # kept, not queued again
