"""REST endpoints of the flows app: counts, other streams, detection runs, phase changes and
their bulletins, contingency tasks and people supported. They parse, call actions and
queries, serialize."""

import uuid
from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from amparo.core.apitypes import CleanInput, Day
from amparo.core.pagination import CappedLimitOffsetPagination
from amparo.core.permissions import Perm, require

from . import actions, queries
from .bulletin import bulletin_data
from .models import ContingencyTask, DetectionRun, FlowCount, PhaseChange, PlanActivation

router = Router(tags=["flows"])


class PointOut(Schema):
    code: str
    name: str
    phase: str
    expected: float | None
    observed: float | None


@router.get(
    "/flows/points",
    response=list[PointOut],
    summary="Border crossing points and their current phase",
)
def point_list(request: HttpRequest) -> list[dict[str, Any]]:
    require(request.user, Perm.FLOWS_READ)
    streams = queries.run_streams(queries.latest_run())
    out = []
    for site in queries.border_points():
        s = streams.get(site.code)
        series = s.series if s else {}
        out.append(
            {
                "code": site.code,
                "name": site.name,
                "phase": s.phase if s else "normal",
                "expected": (series.get("expected") or [None])[-1],
                "observed": (series.get("observed") or [None])[-1],
            }
        )
    return out


class CountQuery(Schema):
    site: str = ""
    start: Day | None = None
    end: Day | None = None


class CountOut(Schema):
    id: int
    site: str = Field(..., alias="site.code")
    date: date
    direction: str
    nationality: str
    group: str
    count: int
    version: int
    history: list[dict[str, Any]]


@router.get("/flows/counts", response=list[CountOut], summary="Daily counts, newest first")
@paginate(CappedLimitOffsetPagination)
def count_list(request: HttpRequest, filters: Query[CountQuery]):  # type: ignore[no-untyped-def]
    return queries.counts_for(
        request.user, site=filters.site.strip(), start=filters.start, end=filters.end
    )


class CountIn(CleanInput):
    site: str = Field(..., max_length=60)
    date: Day
    direction: Literal["in", "out"]
    nationality: str = Field("", max_length=2)
    group: str = Field(..., max_length=30)
    count: int = Field(..., ge=0, le=actions.MAX_COUNT)
    version: int | None = None


class CountResult(CountOut):
    result: str


@router.post(
    "/flows/counts",
    response={200: CountResult, 201: CountResult},
    summary="Record a day's count (201 new, 200 changed or unchanged; 409 on a stale version)",
)
def count_add(request: HttpRequest, payload: CountIn) -> Status:
    row, what = actions.count_record(actor=request.user, data=actions.CountInput(**payload.dict()))
    row = FlowCount.objects.select_related("site").get(pk=row.pk)
    row.result = what  # type: ignore[attr-defined]
    return Status(201 if what == "created" else 200, row)


class StreamIn(CleanInput):
    kind: Literal["occupancy", "clinic"]
    site: str = Field(..., max_length=60)
    date: Day
    value: int = Field(..., ge=0, le=actions.MAX_COUNT)
    version: int | None = None


class StreamOut(Schema):
    kind: str
    site: str = Field(..., alias="site.code")
    date: date
    value: int
    capacity: int | None
    version: int


@router.post(
    "/flows/streams",
    response=StreamOut,
    summary="Shelter occupancy or clinic attendances for a day",
)
def stream_add(request: HttpRequest, payload: StreamIn) -> Any:
    return actions.stream_record(actor=request.user, **payload.dict())


class RunIn(CleanInput):
    false_alarms_per_year: float = Field(1.0, gt=0, le=365)
    as_of: Day | None = None
    background: bool = False


class RunOut(Schema):
    id: uuid.UUID
    status: str
    as_of: date
    requested_at: datetime
    finished_at: datetime | None
    false_alarms_per_year: float
    model_version: str
    threshold_version: str
    summary: dict[str, Any]


@router.post(
    "/flows/runs", response={201: RunOut}, summary="Run detection now, or queue it (coordinators)"
)
def run_add(request: HttpRequest, payload: RunIn) -> Status:
    run = actions.detection_request(
        actor=request.user,
        budget=payload.false_alarms_per_year,
        as_of=payload.as_of,
        background=payload.background,
    )
    return Status(201, DetectionRun.objects.get(pk=run.pk))


@router.get(
    "/flows/runs/latest", response={200: RunOut, 404: dict}, summary="The latest finished run"
)
def run_latest(request: HttpRequest) -> Any:
    require(request.user, Perm.FLOWS_READ)
    run = queries.latest_run()
    if run is None:
        return Status(404, {"detail": "no detection run yet"})
    return run


class ChangeOut(Schema):
    id: uuid.UUID
    key: str
    on: date
    from_phase: str
    to_phase: str
    at: datetime
    inputs: dict[str, Any]
    model_version: str
    threshold_version: str
    acknowledged_by: str | None = Field(None, alias="acknowledged_by.username")
    acknowledged_at: datetime | None


class ChangeQuery(Schema):
    key: str = ""
    alerts_only: bool = False


@router.get("/flows/phase-changes", response=list[ChangeOut], summary="Phase changes, newest first")
@paginate(CappedLimitOffsetPagination)
def change_list(request: HttpRequest, filters: Query[ChangeQuery]):  # type: ignore[no-untyped-def]
    return queries.changes_for(
        request.user, key=filters.key.strip(), raises_only=filters.alerts_only
    )


@router.get(
    "/flows/phase-changes/{change_id}/bulletin",
    response=dict,
    summary="The bulletin of a phase change (JSON)",
)
def change_bulletin(request: HttpRequest, change_id: uuid.UUID) -> dict[str, Any]:
    return bulletin_data(queries.change_get(request.user, change_id))


class NoteIn(CleanInput):
    note: str = Field("", max_length=2000)


@router.post(
    "/flows/phase-changes/{change_id}/acknowledge",
    response=ChangeOut,
    summary="Acknowledge a phase change (coordinators)",
)
def change_acknowledge(request: HttpRequest, change_id: uuid.UUID, payload: NoteIn) -> PhaseChange:
    change = actions.phase_acknowledge(actor=request.user, change_id=change_id, note=payload.note)
    return PhaseChange.objects.select_related("acknowledged_by").get(pk=change.pk)


class TaskOut(Schema):
    id: int
    institution: str = Field(..., alias="institution.code")
    code: str
    title: str
    due_at: datetime
    done_at: datetime | None
    plan: str = Field(..., alias="activation.plan_code")
    phase: str = Field(..., alias="activation.phase")
    stream: str = Field(..., alias="activation.key")


class TaskQuery(Schema):
    open: bool = False


@router.get(
    "/flows/tasks",
    response=list[TaskOut],
    summary="Contingency tasks of your institution (all, for coordinators)",
)
@paginate(CappedLimitOffsetPagination)
def task_list(request: HttpRequest, filters: Query[TaskQuery]):  # type: ignore[no-untyped-def]
    return queries.tasks_for(request.user, open_only=filters.open)


@router.post(
    "/flows/tasks/{task_id}/done", response=TaskOut, summary="Mark a contingency task done"
)
def task_done(request: HttpRequest, task_id: int, payload: NoteIn) -> ContingencyTask:
    task = actions.task_done(actor=request.user, task_id=task_id, note=payload.note)
    return ContingencyTask.objects.select_related("institution", "activation").get(pk=task.pk)


class ActivationOut(Schema):
    id: uuid.UUID
    plan_code: str
    phase: str
    key: str
    activated_at: datetime
    closed_at: datetime | None
    people_supported: int
    version: int


@router.get(
    "/flows/activations", response=list[ActivationOut], summary="Contingency-plan activations"
)
@paginate(CappedLimitOffsetPagination)
def activation_list(request: HttpRequest):  # type: ignore[no-untyped-def]
    return queries.activations_for(request.user)


class SupportIn(CleanInput):
    people: int = Field(..., ge=1, le=actions.MAX_COUNT)
    version: int | None = None


@router.post(
    "/flows/activations/{activation_id}/support",
    response=ActivationOut,
    summary="Add people supported under a plan",
)
def activation_support(
    request: HttpRequest, activation_id: uuid.UUID, payload: SupportIn
) -> PlanActivation:
    return actions.support_add(
        actor=request.user,
        activation_id=activation_id,
        people=payload.people,
        version=payload.version,
    )
