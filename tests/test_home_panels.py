"""The home page points each user to what waits for them in flows, recommendations and
statistics, and shows nothing of what their role may not see."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from amparo.core.models import Institution, Role, User
from amparo.flows.models import ContingencyTask, DetectionRun, PlanActivation

pytestmark = pytest.mark.django_db


def _home(user: User) -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def _alert_with_task(institution: str) -> None:
    now = timezone.now()
    DetectionRun.objects.create(
        requested_at=now,
        finished_at=now,
        status=DetectionRun.Status.DONE,
        as_of=dt.date(2019, 1, 20),
        summary={"phases": {"national": "alert"}},
    )
    activation = PlanActivation.objects.create(
        phase="alert", plan_code="caravan-2019", key="national", activated_at=now
    )
    ContingencyTask.objects.create(
        activation=activation,
        institution=Institution.objects.get(code=institution),
        code="health-posts",
        title_es="Puestos de salud",
        title_en="Health posts",
        due_at=now + dt.timedelta(hours=24),
    )


def test_flows_phase_and_open_tasks_on_the_home_page(make_user: Any) -> None:
    _alert_with_task("MSPAS")
    health = _home(make_user(Role.CASEWORKER, "MSPAS"))
    assert 'id="flows-heading"' in health
    assert "Fase nacional: Alerta" in health and "2019-01-20" in health
    assert 'href="/flows/tasks/"' in health
    # Another institution sees the phase, not the health ministry's task.
    other = _home(make_user(Role.CASEWORKER, "SBS"))
    assert "Fase nacional: Alerta" in other
    assert 'href="/flows/tasks/"' not in other


def test_recommendations_and_statistics_links_by_role(make_user: Any) -> None:
    caseworker = _home(make_user(Role.CASEWORKER, "MINEX"))
    assert 'id="recs-heading"' not in caseworker  # reports progress, signs nothing
    assert 'href="/stats/report/"' not in caseworker
    validator = _home(make_user(Role.SUPERVISOR, "MINEX"))
    assert 'id="recs-heading"' in validator and "0 informes de avance" in validator
    analyst = _home(make_user(Role.ANALYST, "INE"))
    assert 'href="/stats/report/"' in analyst and 'href="/stats/questions/"' in analyst
    operator = _home(make_user(Role.OPERATOR, "MINEX"))
    assert 'id="recs-heading"' not in operator and 'id="figures-heading"' not in operator


def test_a_validator_is_not_asked_to_sign_their_own_update(make_user: Any) -> None:
    from amparo.recommendations import actions
    from tests.matrix_recommendations import recs_world

    holder = make_user(Role.SUPERVISOR, "MINEX")
    world = recs_world(make_user, holder)
    # The supervisor is also the institution's alternate focal point and reports progress.
    actions.focal_point_set(
        actor=world["coordinator"], institution="MINEX", kind="alternate",
        username=holder.username,
    )  # fmt: skip
    actions.update_submit(
        actor=holder,
        recommendation_id=world["rec"].pk,
        text="Segundo avance",
        proposed_status="in_progress",
        evidence="Informe 7",
    )
    # Two updates wait at MINEX: the focal point's, and the supervisor's own.
    assert "1 informe de avance en espera de su firma" in _home(holder)
    other = make_user(Role.SUPERVISOR, "MINEX")
    assert "2 informes de avance en espera de su firma" in _home(other)
