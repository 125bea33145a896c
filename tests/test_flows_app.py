"""The flows app over the database: counts, detection runs, phases, contingency tasks,
bulletins, pages and every API operation by role."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from amparo.core.errors import Conflict, InvalidInput, NotFound
from amparo.core.models import AuditEntry, Institution, Role, Site, User
from amparo.core.permissions import ROLE_PERMISSIONS, Perm
from amparo.flows import actions
from amparo.flows.models import (
    ContingencyTask,
    DetectionRun,
    FlowCount,
    PhaseChange,
    PlanActivation,
)

from .conftest import api_client

pytestmark = pytest.mark.django_db
POINT = "tecun-uman-i"


def _igm_user() -> User:
    inst = Institution.objects.get(code="IGM")
    user, _ = User.objects.get_or_create(
        username="igm-flows-loader", defaults={"role": Role.OPERATOR, "institution": inst}
    )
    return user


def load_counts(
    days: int = 420,
    surge_days: int = 4,
    surge: float = 4.0,
    seed: int = 3,
    end: dt.date | None = None,
    stops: dict[str, dt.date] | None = None,
) -> None:
    """Daily entries at two points up to yesterday (or ``end``); a surge at Tecún Umán in the
    last days. ``stops``: a point's last day with counts, when it stopped sending them."""
    rng = np.random.default_rng(seed)
    user = _igm_user()
    now = timezone.now()
    end = end or timezone.localdate() - dt.timedelta(days=1)
    rows = []
    for code, level in ((POINT, 60), ("el-ceibo", 25)):
        site = Site.objects.get(code=code)
        for j in range(days):
            day = end - dt.timedelta(days=days - 1 - j)
            if stops and code in stops and day > stops[code]:
                break
            if j % 37 == 5:
                continue  # not reported: missing, not zero
            mult = surge if code == POINT and j >= days - surge_days else 1.0
            for group, share in (
                ("adults", 0.6),
                ("families", 0.3),
                ("unaccompanied_children", 0.1),
            ):
                n = int(rng.poisson(level * share * mult))
                rows.append(
                    FlowCount(
                        site=site,
                        date=day,
                        direction="in",
                        nationality="HN",
                        group=group,
                        count=n,
                        institution_id=user.institution_id,
                        entered_by=user,
                        entered_at=now,
                    )
                )
    FlowCount.objects.bulk_create(rows)


def alert_world() -> tuple[PhaseChange, PlanActivation]:
    """A phase change to alert at Tecún Umán with its plan activated (no engine run)."""
    now = timezone.now()
    run = DetectionRun.objects.create(
        requested_at=now,
        as_of=timezone.localdate(),
        status=DetectionRun.Status.DONE,
        finished_at=now,
    )
    change = PhaseChange.objects.create(
        key=POINT,
        site=Site.objects.get(code=POINT),
        run=run,
        on=timezone.localdate(),
        from_phase="normal",
        to_phase="alert",
        at=now,
        inputs={"observed": 300, "expected": 60.0},
        model_version="m",
        threshold_version="t",
    )
    activation = actions.plan_activate(change=change, phase="alert", now=now)
    assert activation is not None
    return change, activation


@pytest.fixture
def supervisor(make_user: Any) -> User:
    return make_user(Role.SUPERVISOR, "MINEX")


def test_detection_raises_alert_activates_plan_and_fills_queues(
    supervisor: User, make_user: Any
) -> None:
    load_counts()
    run = actions.detection_request(actor=supervisor, budget=1.0)
    assert run.status == DetectionRun.Status.DONE
    assert run.summary["phases"][POINT] in ("alert", "emergency")
    assert run.summary["phases"]["el-ceibo"] in ("normal", "watch")
    change = PhaseChange.objects.filter(key=POINT, to_phase="alert").latest("on")
    assert change.inputs["observed"] > change.inputs["expected"]
    assert change.model_version and change.threshold_version
    activation = PlanActivation.objects.get(change=change, phase="alert")
    codes = set(activation.tasks.values_list("institution__code", flat=True))
    assert {"MSPAS", "SBS", "PGN_PNA", "MINEX", "PNC", "IGM"} <= codes
    # Each institution sees its own queue; the coordinator sees all.
    from amparo.flows.queries import tasks_for

    health = make_user(Role.CASEWORKER, "MSPAS")
    assert {t.institution.code for t in tasks_for(health)} == {"MSPAS"}
    assert tasks_for(supervisor).count() >= 6
    # Running again records no duplicate change and no second activation.
    actions.detection_request(actor=supervisor, budget=1.0)
    assert (
        PlanActivation.objects.filter(key=POINT, phase="alert", closed_at__isnull=True).count() == 1
    )
    assert AuditEntry.objects.filter(action="flows.detect").count() == 2


def test_drill_down_names_the_nationality_and_group(supervisor: User) -> None:
    load_counts()
    run = actions.detection_request(actor=supervisor)
    assert any(d["point"] == POINT and d["nationality"] == "HN" for d in run.summary["drill_down"])


def test_a_count_is_versioned_not_overwritten(make_user: Any) -> None:
    user = make_user(Role.OPERATOR, "IGM")
    data = actions.CountInput(POINT, dt.date(2019, 1, 15), "in", "HN", "families", 40)
    row, what = actions.count_record(actor=user, data=data)
    assert what == "created"
    assert actions.count_record(actor=user, data=data)[1] == "unchanged"
    data.count, data.version = 55, 1
    row, what = actions.count_record(actor=user, data=data)
    assert (what, row.count, row.version, row.history[0]["count"]) == ("changed", 55, 2, 40)
    data.count, data.version = 60, 1
    with pytest.raises(Conflict):
        actions.count_record(actor=user, data=data)


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("site", "nowhere", "site"),
        ("site", "sbs-cnr-guatemala", "site"),
        ("count", -1, "count"),
        ("date", dt.date(2999, 1, 1), "date"),
        ("nationality", "ZZ", "nationality"),
        ("group", "pets", "group"),
        ("direction", "up", "direction"),
    ],
)
def test_bad_counts_are_refused_at_their_field(
    make_user: Any, field: str, value: Any, error: str
) -> None:
    user = make_user(Role.OPERATOR, "IGM")
    data = actions.CountInput(POINT, dt.date(2019, 1, 15), "in", "HN", "adults", 3)
    setattr(data, field, value)
    with pytest.raises(InvalidInput) as exc:
        actions.count_record(actor=user, data=data)
    assert error in exc.value.errors


def test_phone_form_saves_a_day_and_shows_errors_at_fields(make_user: Any) -> None:
    client = Client()
    client.force_login(make_user(Role.OPERATOR, "IGM"))
    url = reverse("flows:entry")
    ok = client.post(
        url,
        {
            "site": POINT,
            "date": "2019-01-16",
            "direction": "in",
            "nationality": "HN",
            "adults": "120",
            "families": "",
            "unaccompanied_children": "7",
        },
    )
    assert ok.status_code == 303
    assert set(FlowCount.objects.filter(date="2019-01-16").values_list("group", "count")) == {
        ("adults", 120),
        ("unaccompanied_children", 7),
    }
    bad = client.post(url, {"site": POINT, "date": "2999-01-01", "direction": "in", "adults": "-4"})
    assert bad.status_code == 422
    assert "usa-error-message" in bad.content.decode()
    empty = client.post(url, {"site": POINT, "date": "2019-01-17", "direction": "in"})
    assert empty.status_code == 422


def test_shelter_over_capacity_turns_alert_into_emergency(supervisor: User, make_user: Any) -> None:
    load_counts()
    worker = make_user(Role.CASEWORKER, "SBS")
    shelter = Site.objects.get(code="sbs-cnr-guatemala")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    actions.stream_record(
        actor=worker,
        kind="occupancy",
        site=shelter.code,
        date=yesterday,
        value=(shelter.capacity or 50) + 20,
    )
    run = actions.detection_request(actor=supervisor)
    assert run.summary["phases"][POINT] == "emergency"
    assert PlanActivation.objects.filter(key=POINT, phase="emergency").exists()


def test_dashboard_bulletins_and_tasks_pages(supervisor: User, make_user: Any) -> None:
    load_counts()
    actions.detection_request(actor=supervisor)
    client = Client()
    client.force_login(supervisor)
    page = client.get(reverse("flows:dashboard"))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    change = PhaseChange.objects.filter(key=POINT, to_phase="alert").latest("on")
    pdf = client.get(reverse("flows:bulletin_pdf", args=[change.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    data = json.loads(client.get(reverse("flows:bulletin_json", args=[change.pk])).content)
    assert data["phase"] == "alert" and data["recent_days"] and data["plans"]
    assert (
        client.post(reverse("flows:acknowledge", args=[change.pk]), {"note": "Visto"}).status_code
        == 303
    )
    change.refresh_from_db()
    assert change.acknowledged_by == supervisor
    again = client.post(reverse("flows:acknowledge", args=[change.pk]), {"note": "otra vez"})
    assert again.status_code == 422
    health = make_user(Role.CASEWORKER, "MSPAS")
    hc = Client()
    hc.force_login(health)
    tasks = hc.get(reverse("flows:tasks")).content.decode()
    assert "puestos de salud" in tasks and "albergues temporales" not in tasks
    task = ContingencyTask.objects.filter(institution__code="MSPAS").first()
    assert (
        hc.post(reverse("flows:task_done", args=[task.pk]), {"note": "Instalados"}).status_code
        == 303
    )
    assert hc.get(reverse("flows:point", args=[POINT])).status_code == 200
    assert hc.get(reverse("flows:point", args=["nowhere"])).status_code == 404


def test_people_supported_are_counted_with_versions(make_user: Any) -> None:
    _change, activation = alert_world()
    user = make_user(Role.CASEWORKER, "MSPAS")
    activation = actions.support_add(
        actor=user, activation_id=activation.pk, people=6000, version=1
    )
    activation = actions.support_add(actor=user, activation_id=activation.pk, people=927, version=2)
    assert activation.people_supported == 6927
    with pytest.raises(Conflict):
        actions.support_add(actor=user, activation_id=activation.pk, people=1, version=1)
    with pytest.raises(InvalidInput):
        actions.support_add(actor=user, activation_id=activation.pk, people=0)


def test_another_institutions_task_is_not_found(make_user: Any) -> None:
    _change, activation = alert_world()
    task = activation.tasks.get(institution__code="SBS")
    with pytest.raises(NotFound):
        actions.task_done(actor=make_user(Role.SUPERVISOR, "MINEX"), task_id=task.pk)


def test_background_run_goes_through_the_task(supervisor: User, settings: Any) -> None:
    load_counts(days=120, surge_days=0)
    run = actions.detection_request(actor=supervisor, background=True)
    from amparo.flows.tasks import detection_task

    assert detection_task.call(str(run.pk)) == "done"
    run.refresh_from_db()
    assert run.status == DetectionRun.Status.DONE and run.summary["points"] >= 2


# ---------------------------------------------------------------- API, every operation by role

API_BODIES: dict[tuple[str, str], tuple[Perm, int, dict[str, Any] | None]] = {
    ("GET", "/api/v1/flows/points"): (Perm.FLOWS_READ, 200, None),
    ("GET", "/api/v1/flows/counts"): (Perm.FLOWS_READ, 200, None),
    ("POST", "/api/v1/flows/counts"): (
        Perm.FLOWS_WRITE,
        201,
        {
            "site": POINT,
            "date": "2019-01-20",
            "direction": "in",
            "nationality": "HN",
            "group": "adults",
            "count": 12,
        },
    ),
    ("POST", "/api/v1/flows/streams"): (
        Perm.FLOWS_WRITE,
        200,
        {"kind": "occupancy", "site": "sbs-cnr-guatemala", "date": "2019-01-20", "value": 30},
    ),
    ("POST", "/api/v1/flows/runs"): (Perm.FLOWS_COORDINATE, 201, {"false_alarms_per_year": 1}),
    ("GET", "/api/v1/flows/runs/latest"): (Perm.FLOWS_READ, 200, None),
    ("GET", "/api/v1/flows/phase-changes"): (Perm.FLOWS_READ, 200, None),
    ("GET", "/api/v1/flows/phase-changes/{change_id}/bulletin"): (Perm.FLOWS_READ, 200, None),
    ("POST", "/api/v1/flows/phase-changes/{change_id}/acknowledge"): (
        Perm.FLOWS_COORDINATE,
        200,
        {"note": "Visto"},
    ),
    ("GET", "/api/v1/flows/tasks"): (Perm.FLOWS_READ, 200, None),
    ("POST", "/api/v1/flows/tasks/{task_id}/done"): (Perm.FLOWS_WRITE, 200, {"note": "Hecho"}),
    ("GET", "/api/v1/flows/activations"): (Perm.FLOWS_READ, 200, None),
    ("POST", "/api/v1/flows/activations/{activation_id}/support"): (
        Perm.FLOWS_WRITE,
        200,
        {"people": 5},
    ),
}


def test_every_operation_is_in_the_matrix() -> None:
    from .matrix_flows import API_OPERATIONS

    assert set(API_BODIES) == API_OPERATIONS


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("where", ["own", "other"])
@pytest.mark.parametrize("key", list(API_BODIES), ids=lambda k: f"{k[0]} {k[1]}")
def test_api_operation_by_role(make_user: Any, role: str, where: str, key: tuple[str, str]) -> None:
    change, activation = alert_world()
    DetectionRun.objects.filter(pk=change.run_id).update(summary={"phases": {}})
    user = make_user(role, "MINEX")
    holder = "MINEX" if where == "own" else "SBS"
    task = activation.tasks.get(institution__code=holder)
    method, path = key
    perm, ok, body = API_BODIES[key]
    url = path.format(change_id=change.pk, task_id=task.pk, activation_id=activation.pk)
    kwargs = (
        {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}
    )
    status = api_client(user).generic(method, url, **kwargs).status_code
    if perm not in ROLE_PERMISSIONS[role]:
        expected = 403
    elif key[1].endswith("/done") and where == "other":
        expected = 404
    else:
        expected = ok
    assert status == expected, f"{role} {method} {path} ({where}) → {status}, expected {expected}"


def test_api_errors_are_per_field(make_user: Any) -> None:
    client = api_client(make_user(Role.OPERATOR, "IGM"))
    bad = client.post(
        "/api/v1/flows/counts",
        json.dumps(
            {
                "site": "nowhere",
                "date": "2019-01-20",
                "direction": "in",
                "group": "adults",
                "count": 1,
            }
        ),
        content_type="application/json",
    )
    assert bad.status_code == 422 and "site" in bad.content.decode()
    neg = client.post(
        "/api/v1/flows/counts",
        json.dumps(
            {"site": POINT, "date": "2019-01-20", "direction": "in", "group": "adults", "count": -1}
        ),
        content_type="application/json",
    )
    assert neg.status_code == 422
    odd = client.post("/api/v1/flows/counts", b"\x00\xff", content_type="application/json")
    assert odd.status_code in (400, 422)
    stale_first = client.post(
        "/api/v1/flows/counts",
        json.dumps(
            {"site": POINT, "date": "2019-01-21", "direction": "in", "group": "adults", "count": 3}
        ),
        content_type="application/json",
    )
    assert stale_first.status_code == 201
    stale = client.post(
        "/api/v1/flows/counts",
        json.dumps(
            {
                "site": POINT,
                "date": "2019-01-21",
                "direction": "in",
                "group": "adults",
                "count": 4,
                "version": 7,
            }
        ),
        content_type="application/json",
    )
    assert stale.status_code == 409
    assert (
        client.get(
            "/api/v1/flows/phase-changes/00000000-0000-0000-0000-000000000000/bulletin"
        ).status_code
        == 404
    )


# ---------------------------------------------------------------- imports

FLOW_HEADER = "ref,date,point,direction,nationality,people_group,count"


def _import(user: User, lines: list[str], settings: Any, tmp_path: Any, **options: Any) -> Any:
    import io

    from amparo.imports.actions import import_create
    from amparo.imports.engine import run_import

    settings.MEDIA_ROOT = tmp_path
    data = "\n".join([FLOW_HEADER, *lines]).encode()
    options.setdefault("source", "igm")
    job = import_create(
        actor=user, kind="flows", file=io.BytesIO(data), name="f.csv", size=len(data), **options
    )
    return run_import(job)


def test_import_is_idempotent_versions_changes_and_keeps_missing(
    supervisor: User, settings: Any, tmp_path: Any
) -> None:
    lines = [
        "a1,2018-10-19,TECUN_UMAN_I,entrada,HN,adultos,1200",
        "a2,2018-10-19,tecun-uman-i,in,HN,families,300",
        "a3,2018-10-19,tecun-uman-i,in,HN,unaccompanied_children,",
    ]
    job = _import(supervisor, lines, settings, tmp_path)
    assert job.status == "done", job.message
    assert FlowCount.objects.filter(date="2018-10-19").count() == 2  # the empty count is not a 0
    assert (job.rows_inserted, job.rows_existing) == (2, 0)
    assert "1 fila sin cifra (no reportada) no guardó nada" in job.message
    again = _import(supervisor, lines, settings, tmp_path)
    assert again.status == "done" and again.rows_inserted == 0
    lines[1] = "a2,2018-10-19,tecun-uman-i,in,HN,families,350"
    _import(supervisor, lines, settings, tmp_path)
    row = FlowCount.objects.get(date="2018-10-19", group="families")
    assert (row.count, row.version, row.history[0]["count"]) == (350, 2, 300)


def test_import_rejects_bad_rows_with_line_and_reason(
    supervisor: User, settings: Any, tmp_path: Any
) -> None:
    job = _import(
        supervisor,
        [
            "b1,2018-10-19,nowhere,in,HN,adults,3",
            "b2,2999-10-19,tecun-uman-i,in,HN,adults,3",
            "b3,2018-10-19,tecun-uman-i,in,HN,adults,-3",
            "b4,2018-10-19,tecun-uman-i,sideways,HN,adults,3",
        ],
        settings,
        tmp_path,
    )
    assert job.status == "refused" and job.rows_rejected == 4
    assert not FlowCount.objects.exists()
    dup = _import(
        supervisor,
        [
            "c1,2018-10-20,tecun-uman-i,in,HN,adults,3",
            "c2,2018-10-20,tecun-uman-i,in,HN,adults,4",
        ],
        settings,
        tmp_path,
    )
    assert dup.status == "refused" and "c2" not in dup.message and "3" in dup.message
    assert not FlowCount.objects.exists()


def test_manage_flows_run_command() -> None:
    from io import StringIO

    from django.core.management import call_command

    load_counts(days=100, surge_days=0)
    out = StringIO()
    call_command("flows", "run", stdout=out)
    assert DetectionRun.objects.filter(status="done").count() == 1
    call_command("flows", "run", "--enqueue", stdout=out)
    assert DetectionRun.objects.filter(status="queued").count() == 1


def test_support_line_contacts_are_a_stream_per_reason(make_user: Any) -> None:
    from amparo.assistance.models import SupportContact
    from amparo.flows.detection import other_streams

    operator = make_user(Role.OPERATOR, "MINEX")
    start = dt.date(2019, 1, 1)
    rows = []
    for j in range(30):
        for _k in range(3 if j != 10 else 0):
            at = timezone.make_aware(dt.datetime(2019, 1, 1, 12) + dt.timedelta(days=j + 5))
            rows.append(
                SupportContact(
                    institution=operator.institution,
                    received_at=at,
                    channel="call",
                    reason_id="detention",
                    outcome="information",
                    recorded_by=operator,
                )
            )
    SupportContact.objects.bulk_create(rows)
    streams, over = other_streams(start, start + dt.timedelta(days=40))
    series = streams["contacts:detention"]
    assert np.isnan(series[:5]).all()  # before the first contact: not known
    assert series[5] == 3 and series[15] == 0  # after it, a day without contacts is a zero
    assert not over.any()
