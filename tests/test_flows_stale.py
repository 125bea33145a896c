"""Say what the data cannot (issue 14): a detection run never replaces good results with
empty ones, and the dashboard says when its counts are stale and since when, overall and per
crossing point.

What we saw: counts stopped on 31 March 2019 (the national demo); "run detection now" in 2026
looked at the last four years, found nothing, and the dashboard lost every chart and showed
every point as normal, without a word about the missing counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from amparo.core.models import Role, User
from amparo.flows import actions, queries
from amparo.flows.detection import run_detection
from amparo.flows.models import DetectionRun, StreamResult

from .test_flows_app import POINT, load_counts

pytestmark = pytest.mark.django_db
LAST_COUNTS = dt.date(2019, 3, 31)


@pytest.fixture
def supervisor(make_user: Any) -> User:
    return make_user(Role.SUPERVISOR, "MINEX")


def _dashboard(user: User) -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(user)
    page = client.get(reverse("flows:dashboard"))
    assert page.status_code == 200
    return page.content.decode()


def _card(page: str, code: str) -> str:
    start = page.rindex('<li class="usa-card', 0, page.index(f"/flows/points/{code}/"))
    return page[start : page.index("</li>", start)]


def _observed_days(run: DetectionRun, key: str) -> int:
    series = StreamResult.objects.get(run=run, key=key).series
    return sum(v is not None for v in series["observed"])


def test_a_run_with_no_new_counts_keeps_the_phases_and_the_charts(supervisor: User) -> None:
    load_counts(end=LAST_COUNTS)  # a surge at Tecún Umán in the last days of March 2019
    first = actions.detection_request(actor=supervisor, as_of=LAST_COUNTS)
    assert first.summary["phases"][POINT] in ("alert", "emergency")
    # Years later, with no count since: "run detection now" (as of today).
    again = actions.detection_request(actor=supervisor)
    assert again.status == DetectionRun.Status.DONE
    assert again.as_of == LAST_COUNTS  # the data goes up to there, and the run says so
    assert again.summary["requested_as_of"] == str(timezone.localdate())
    assert again.summary["phases"] == first.summary["phases"]
    assert _observed_days(again, POINT) == _observed_days(first, POINT) > 300
    assert queries.latest_run() == again
    page = _dashboard(supervisor)
    # Overall: a warning that names the last day with counts.
    assert "Sin conteos desde el 31 de marzo de 2019" in page
    assert "no la de hoy" in page
    # Per point: its chart, its phase of that day, and the same warning.
    card = _card(page, POINT)
    assert "<svg" in card and "Sin conteos desde el 31 de marzo de 2019" in card
    assert "Alerta" in card or "Emergencia" in card
    assert "Datos hasta el 31 de marzo de 2019" in page
    # The home page's flows panel says it too.
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(supervisor)
    assert "Sin conteos desde el 31 de marzo de 2019" in client.get("/").content.decode()


def test_a_run_without_any_counts_leaves_the_last_results_in_place(supervisor: User) -> None:
    load_counts(end=LAST_COUNTS)
    good = actions.detection_request(actor=supervisor, as_of=LAST_COUNTS)
    before_the_counts = LAST_COUNTS - dt.timedelta(days=2000)
    empty = run_detection(actor=supervisor, as_of=before_the_counts)
    assert queries.latest_run() == good
    assert not StreamResult.objects.filter(run=empty).exists()
    assert empty.status == "no_data"
    page = _dashboard(supervisor)
    assert "<svg" in _card(page, POINT)
    assert "no había nada en qué detectar" in page  # the run asked for last says what it found


def test_one_point_stops_sending_counts_and_only_its_card_says_so(supervisor: User) -> None:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    stopped = yesterday - dt.timedelta(days=20)
    load_counts(stops={"el-ceibo": stopped})
    actions.detection_request(actor=supervisor)
    page = _dashboard(supervisor)
    assert 'id="stale-counts"' not in page  # counts arrive: the dashboard is current
    day = stopped.day
    assert f"Sin conteos desde el {day} de" in _card(page, "el-ceibo")
    assert "Sin conteos desde" not in _card(page, POINT)
    # A point that never sent any count has no phase to show, not "normal".
    never = _card(page, "la-mesilla")
    assert "Sin conteos registrados" in never and "Sin datos" in never and "Normal" not in never


def test_fresh_counts_are_not_stale() -> None:
    load_counts(days=30)
    overall, per_point = queries.counts_staleness()
    assert overall.last == timezone.localdate() - dt.timedelta(days=1) and not overall.stale
    assert not per_point[POINT].stale and per_point["la-mesilla"].stale


def test_a_run_waiting_long_for_the_worker_is_said(supervisor: User) -> None:
    """No silent wait: a run queued ten minutes ago and never started says the background
    worker may be stopped; a click meanwhile follows that run, not a new one."""
    load_counts(days=30)
    run = actions.detection_request(actor=supervisor, background=True)
    DetectionRun.objects.filter(pk=run.pk).update(
        requested_at=timezone.now() - dt.timedelta(minutes=10)
    )
    assert actions.detection_request(actor=supervisor, background=True) == run
    page = _dashboard(supervisor)
    assert "puede que el proceso en segundo plano esté detenido" in page
    assert reverse("flows:run_status", args=[run.pk]) in page  # still followed
