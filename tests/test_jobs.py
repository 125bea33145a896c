"""No silent failure of background work: a failed task is logged with its traceback, kept with
its error, shown to system administrators (home page) and counted in /healthz; a transient
database error is retried; reviewers are told when duplicate proposals fail."""

from __future__ import annotations

import importlib
import logging
import pkgutil
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

import amparo
from amparo.core import jobs
from amparo.core.models import Role, User
from amparo.matching.models import MatchCandidate
from amparo.matching.tasks import match_person

from .test_matching_pages import family, signed_in

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
ENGINE_DOWN = "el motor de coincidencias no responde"


def verified(user: User) -> Client:
    """A client signed in with the second factor administrators need."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device = TOTPDevice.objects.create(user=user, name="teléfono", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def healthz() -> dict[str, Any]:
    jobs.health_forget()  # the view reuses its figures for 30 s
    response = Client().get("/healthz")
    assert response.status_code == 200
    return response.json()


def engine_down(*args: object, **kwargs: object) -> None:
    raise RuntimeError(ENGINE_DOWN)


@pytest.mark.django_db(transaction=True)
def test_a_failed_proposal_is_logged_kept_and_told(
    live_reference, settings, make_user, monkeypatch, caplog
):
    settings.TASKS = DB_TASKS
    monkeypatch.setattr("amparo.matching.engine.link", engine_down)
    supervisor = make_user(Role.SUPERVISOR, "MINEX")
    family(supervisor)  # four people registered: four proposal tasks queued
    with caplog.at_level(logging.ERROR, logger="amparo.jobs"):
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    failed = DBTaskResult.objects.failed().filter(task_path=match_person.module_path)
    assert failed.exists() and MatchCandidate.objects.count() == 0
    assert ENGINE_DOWN in failed.first().traceback  # kept with its error
    logged = [r for r in caplog.records if r.name == "amparo.jobs" and r.levelno == logging.ERROR]
    assert len(logged) == failed.count()
    text = logged[0].getMessage()
    assert "Propuestas de duplicados de una persona" in text
    assert "Traceback" in text and ENGINE_DOWN in text

    admin = make_user(Role.SYSTEM_ADMIN, "MINEX")
    home = verified(admin).get(reverse("home")).content.decode()
    assert 'id="jobs-heading"' in home
    assert "Propuestas de duplicados de una persona" in home
    assert f"RuntimeError: {ENGINE_DOWN}" in home
    assert "match_person" not in home  # the label, not the code
    assert 'id="jobs-heading"' not in signed_in(supervisor).get(reverse("home")).content.decode()

    queue = signed_in(supervisor).get(reverse("matching:queue"))
    assert queue.status_code == 200
    assert "La búsqueda de duplicados falló" in queue.content.decode()

    health = healthz()
    assert health["status"] == "ok"
    assert health["tasks"]["failed_last_24h"] == failed.count()
    assert health["worker"]["seen_recently"] is True
    body = str(health)
    assert ENGINE_DOWN not in body and "Tzoc" not in body  # open page: no error text, no names
    # The worker keeps a sign of life: the next heartbeat is queued.
    assert DBTaskResult.objects.filter(
        task_path=jobs.worker_heartbeat.module_path, status="READY"
    ).exists()


@pytest.mark.django_db(transaction=True)
def test_a_locked_database_is_retried_and_the_proposal_made(
    live_reference, settings, make_user, monkeypatch, caplog
):
    from amparo.matching import engine

    settings.TASKS = DB_TASKS
    monkeypatch.setattr(jobs, "RETRY_DELAYS", (0.0, 0.0))
    real_link = engine.link
    calls = {"n": 0}

    def locked_once(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("database is locked")
        return real_link(*args, **kwargs)

    monkeypatch.setattr("amparo.matching.engine.link", locked_once)
    people = family(make_user(Role.SUPERVISOR, "MINEX"))
    with caplog.at_level(logging.WARNING, logger="amparo.jobs"):
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    assert not DBTaskResult.objects.failed().exists()
    pair = MatchCandidate.objects.get()
    assert {pair.person_a_id, pair.person_b_id} == {people.missing.pk, people.found.pk}
    assert any("database is locked" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db(transaction=True)
def test_an_error_that_is_not_transient_is_not_retried(settings, monkeypatch):
    settings.TASKS = DB_TASKS
    monkeypatch.setattr(jobs, "RETRY_DELAYS", (0.0, 0.0))
    calls = {"n": 0}

    def broken(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        raise OperationalError("no such column: people_person.origin")

    monkeypatch.setattr("amparo.matching.tasks.candidates_refresh", broken)
    match_person.enqueue("00000000-0000-0000-0000-000000000001")
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert calls["n"] == 1
    assert DBTaskResult.objects.failed().count() == 1


def test_transient_errors_are_told_apart():
    assert jobs.is_transient(OperationalError("database is locked"))
    assert jobs.is_transient(OperationalError("deadlock detected\nDETAIL: ..."))
    assert jobs.is_transient(OperationalError("could not serialize access due to update"))
    assert not jobs.is_transient(OperationalError("no such table: matching_matchcandidate"))
    assert not jobs.is_transient(RuntimeError("database is locked"))


def test_every_background_task_has_a_label_in_spanish():
    tasks: list[Task] = []
    for app in pkgutil.iter_modules(amparo.__path__):
        try:
            module = importlib.import_module(f"amparo.{app.name}.tasks")
        except ModuleNotFoundError:
            continue
        tasks += [v for v in vars(module).values() if isinstance(v, Task)]
    assert len(tasks) >= 5
    unlabelled = [t.module_path for t in tasks if t.module_path not in jobs.JOBS]
    assert not unlabelled, f"declare with amparo.core.jobs.job(label, retry=...): {unlabelled}"
    for t in tasks:
        assert jobs.job_label(t.module_path) != "Otra tarea en segundo plano"


@pytest.mark.django_db
def test_the_health_endpoint_without_a_worker(make_user):
    health = healthz()
    assert health["status"] == "ok"
    assert health["tasks"] == {"failed_last_24h": 0, "waiting": 0, "oldest_waiting_seconds": 0}
    assert health["worker"] == {"last_seen": None, "seen_recently": False}

    result = match_person.enqueue("00000000-0000-0000-0000-000000000001")
    an_hour_ago = timezone.now() - timedelta(hours=1)
    DBTaskResult.objects.filter(pk=result.id).update(enqueued_at=an_hour_ago)
    health = healthz()
    assert health["tasks"]["waiting"] == 1
    assert health["tasks"]["oldest_waiting_seconds"] >= 3600

    admin = make_user(Role.SYSTEM_ADMIN, "MINEX")
    home = verified(admin).get(reverse("home")).content.decode()
    assert "El proceso en segundo plano aún no se ha visto" in home
    assert "1 tarea está en espera" in home
    assert "Ninguna tarea en segundo plano falló en los últimos 7 días" in home


@pytest.mark.django_db
def test_the_review_queue_answers_when_its_status_cannot_be_read(make_user, monkeypatch, caplog):
    def unreadable() -> None:
        raise OperationalError("no such table: django_tasks_database_dbtaskresult")

    monkeypatch.setattr("amparo.matching.views.proposals_state", unreadable)
    supervisor = make_user(Role.SUPERVISOR, "MINEX")
    with caplog.at_level(logging.ERROR, logger="amparo.pages"):
        response = signed_in(supervisor).get(reverse("matching:queue"))
    assert response.status_code == 200
    assert "No se pudo comprobar si se están proponiendo duplicados" in response.content.decode()
    assert any(r.exc_info for r in caplog.records if r.name == "amparo.pages")
