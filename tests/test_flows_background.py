""""Run detection now" never keeps the page waiting (issue 14: 16 s with no feedback): the
page answers at once, the run goes to the background worker, the dashboard shows its progress
(polled with htmx), then reloads to show its results."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from amparo.core.models import Role
from amparo.flows.models import DetectionRun, StreamResult

from .conftest import empty_audit_trail
from .test_flows_app import POINT, load_counts

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def db_worker_backend(settings: Any, live_reference: None) -> Any:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    yield
    empty_audit_trail()


def test_run_detection_now_goes_to_the_worker_and_the_page_follows_it(
    db_worker_backend: None, make_user: Any
) -> None:
    load_counts(end=dt.date(2019, 3, 31))
    coordinator = make_user(Role.SUPERVISOR, "MINEX")
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(coordinator)

    response = client.post(reverse("flows:run"), {"false_alarms_per_year": "1"})
    assert response.status_code == 303 and response["Location"].endswith("#run-status")
    run = DetectionRun.objects.get()
    # Queued, not run: the page did not wait for the engine.
    assert run.status == DetectionRun.Status.QUEUED and not StreamResult.objects.exists()
    page = client.get(reverse("flows:dashboard")).content.decode()
    status = reverse("flows:run_status", args=[run.pk])
    assert f'hx-get="{status}"' in page and 'role="status"' in page
    assert "La detección espera al proceso en segundo plano" in page
    # A second click while it waits follows the same run.
    client.post(reverse("flows:run"), {"false_alarms_per_year": "1"})
    assert DetectionRun.objects.count() == 1
    polled = client.get(status, HTTP_HX_REQUEST="true")
    assert polled.status_code == 200 and "HX-Refresh" not in polled
    assert "0%" in polled.content.decode() and "<progress" in polled.content.decode()

    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    run.refresh_from_db()
    assert run.status == DetectionRun.Status.DONE and run.progress == 100
    # Once over, the poll reloads the dashboard, which shows the outcome and the charts the
    # worker drew and kept (the page does not draw them).
    polled = client.get(status, HTTP_HX_REQUEST="true")
    assert polled["HX-Refresh"] == "true"
    kept = StreamResult.objects.get(run=run, key=POINT).charts
    assert kept["es:card"].startswith("<svg") and kept["en:page"].startswith("<svg")
    page = client.get(reverse("flows:dashboard")).content.decode()
    assert "Detección terminada el" in page and "hx-get" not in page
    assert kept["es:card"][:200] in page
