"""Writes of the flows app: counts, other streams, detection runs, acknowledgements,
contingency tasks and people supported. Each is atomic and writes its audit entry.

A count already recorded with the same value is left alone (an import run twice adds
nothing); a different value replaces it only with the version the writer read (409 when
stale, except for imports, which correct the count and keep the old value in `history`).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.core.audit import audit_record
from amparo.core.errors import Conflict, InvalidInput, NotFound
from amparo.core.models import Country, Institution, Site, User
from amparo.core.permissions import Perm, require

from .models import (
    ContingencyTask,
    DetectionRun,
    FlowCount,
    Group,
    PhaseChange,
    PlanActivation,
    StreamKind,
    StreamValue,
)
from .plans import plan_for

logger = logging.getLogger(__name__)

MAX_COUNT = 1_000_000
MAX_BUDGET = 365.0


def border_point(code: str, field: str = "site") -> Site:
    site = Site.objects.filter(
        code=Site.normal_code(code or ""), kind=Site.Kind.BORDER_POINT, active=True
    ).first()
    if site is None:
        raise InvalidInput.field(
            field, _("Unknown border crossing point “%(code)s”.") % {"code": (code or "")[:60]}
        )
    return site


def _check_date(errors: dict[str, list[str]], value: dt.date | None, name: str = "date") -> None:
    if value is None:
        errors[name] = [_("Enter the date.")]
    elif value > timezone.localdate():
        errors[name] = [_("The date cannot be in the future.")]


def _check_count(errors: dict[str, list[str]], name: str, value: int | None) -> None:
    if value is not None and not 0 <= value <= MAX_COUNT:
        errors[name] = [
            _("Enter a whole number between 0 and %(max)s.") % {"max": f"{MAX_COUNT:,}"}
        ]


@dataclass
class CountInput:
    site: str
    date: dt.date | None
    direction: str
    nationality: str
    group: str
    count: int | None
    version: int | None = None


def _validate(data: CountInput) -> tuple[Site | None, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    site = None
    try:
        site = border_point(data.site)
    except InvalidInput as exc:
        errors.update(exc.errors)
    _check_date(errors, data.date)
    if data.direction not in ("in", "out"):
        errors["direction"] = [_("Choose entering or leaving.")]
    nat = (data.nationality or "").strip().upper()
    if nat and not Country.objects.filter(code=nat).exists():
        errors["nationality"] = [_("Unknown country code.")]
    if data.group not in Group.values:
        errors["group"] = [_("Choose adults, families or unaccompanied children.")]
    if data.count is None:
        errors["count"] = [_("Enter the count (leave the day out if it was not counted).")]
    _check_count(errors, "count", data.count)
    return site, errors


def _upsert(
    actor: User, site: Site, data: CountInput, now: dt.datetime, source: str, strict: bool
) -> tuple[FlowCount, str]:
    nat = (data.nationality or "").strip().upper()
    row = (
        FlowCount.objects.select_for_update()
        .filter(
            site=site, date=data.date, direction=data.direction, nationality=nat, group=data.group
        )
        .first()
    )
    if row is None:
        row = FlowCount.objects.create(
            site=site,
            date=data.date,
            direction=data.direction,
            nationality=nat,
            group=data.group,
            count=data.count,
            institution_id=actor.institution_id,
            entered_by=actor,
            entered_at=now,
            source=source,
        )
        return row, "created"
    if row.count == data.count:
        return row, "unchanged"
    if strict and data.version is not None and data.version != row.version:
        raise Conflict(
            _("Someone else changed this count while you were working on it."),
            current_version=row.version,
            changes={"count": {"theirs": row.count}},
        )
    row.history = [
        *row.history,
        {
            "count": row.count,
            "by": row.entered_by.username,
            "at": row.entered_at.isoformat(),
            "source": row.source,
        },
    ]
    row.count, row.version = data.count, row.version + 1
    row.entered_by, row.entered_at, row.source = actor, now, source
    row.institution_id = actor.institution_id
    row.save()
    return row, "changed"


def count_record(*, actor: User, data: CountInput, source: str = "api") -> tuple[FlowCount, str]:
    """Record one count; returns the row and "created", "changed" or "unchanged"."""
    require(actor, Perm.FLOWS_WRITE)
    site, errors = _validate(data)
    if errors:
        raise InvalidInput(errors)
    now = timezone.now()
    with transaction.atomic():
        row, what = _upsert(actor, site, data, now, source, strict=True)  # type: ignore[arg-type]
        if what != "unchanged":
            audit_record(
                actor=actor,
                action=f"flows.count_{what}",
                obj=row,
                detail={"count": row.count, "version": row.version},
            )
    return row, what


def counts_record_day(
    *,
    actor: User,
    site: str,
    date: dt.date | None,
    direction: str,
    nationality: str,
    counts: dict[str, int | None],
    source: str = "form",
) -> dict[str, str]:
    """The phone form: one point, day and nationality; a count per group (empty = not counted)."""
    require(actor, Perm.FLOWS_WRITE)
    errors: dict[str, list[str]] = {}
    rows = []
    for group in Group.values:
        value = counts.get(group)
        if value is None:
            continue
        data = CountInput(site, date, direction, nationality, group, value)
        _site, problems = _validate(data)
        for name, messages in problems.items():
            errors[group if name == "count" else name] = messages
        rows.append(data)
    if not rows and not errors:
        errors["adults"] = [_("Enter at least one count.")]
    if errors:
        raise InvalidInput(errors)
    point = border_point(site)
    now = timezone.now()
    done: dict[str, str] = {}
    with transaction.atomic():
        for data in rows:
            row, what = _upsert(actor, point, data, now, source, strict=False)
            done[data.group] = what
            if what != "unchanged":
                audit_record(
                    actor=actor,
                    action=f"flows.count_{what}",
                    obj=row,
                    detail={"count": row.count, "version": row.version},
                )
    return done


def stream_record(
    *,
    actor: User,
    kind: str,
    site: str,
    date: dt.date | None,
    value: int | None,
    version: int | None = None,
) -> StreamValue:
    """Shelter occupancy or clinic attendances of a site for a day."""
    require(actor, Perm.FLOWS_WRITE)
    errors: dict[str, list[str]] = {}
    if kind not in StreamKind.values:
        errors["kind"] = [_("Choose shelter occupancy or clinic attendances.")]
    place = Site.objects.filter(code=Site.normal_code(site or ""), active=True).first()
    wanted = (
        (Site.Kind.SHELTER, Site.Kind.RECEPTION_CENTRE)
        if kind == StreamKind.OCCUPANCY
        else (
            Site.Kind.CLINIC,
            Site.Kind.SHELTER,
            Site.Kind.RECEPTION_CENTRE,
            Site.Kind.BORDER_POINT,
        )
    )
    if place is None or place.kind not in wanted:
        errors["site"] = [
            _("Unknown site “%(code)s” for this stream.") % {"code": (site or "")[:60]}
        ]
    _check_date(errors, date)
    if value is None:
        errors["value"] = [_("Enter the value.")]
    _check_count(errors, "value", value)
    if errors:
        raise InvalidInput(errors)
    now = timezone.now()
    with transaction.atomic():
        row = (
            StreamValue.objects.select_for_update().filter(kind=kind, site=place, date=date).first()
        )
        if row is None:
            row = StreamValue.objects.create(
                kind=kind,
                site=place,
                date=date,
                value=value,
                entered_by=actor,
                entered_at=now,
                capacity=place.capacity if kind == StreamKind.OCCUPANCY else None,  # type: ignore[union-attr]
            )
        elif row.value != value:
            if version is not None and version != row.version:
                raise Conflict(
                    _("Someone else changed this value while you were working on it."),
                    current_version=row.version,
                    changes={"value": {"theirs": row.value}},
                )
            row.history = [
                *row.history,
                {
                    "value": row.value,
                    "by": row.entered_by.username,
                    "at": row.entered_at.isoformat(),
                },
            ]
            row.value, row.version, row.entered_by, row.entered_at = (
                value,
                row.version + 1,
                actor,
                now,
            )
            row.save()
        audit_record(
            actor=actor,
            action="flows.stream_record",
            obj=row,
            detail={"kind": kind, "value": value, "version": row.version},
        )
    return row


def detection_request(
    *, actor: User, budget: float = 1.0, as_of: dt.date | None = None, background: bool = False
) -> DetectionRun:
    """Run detection now (or queue it for the worker). Coordinators only."""
    require(actor, Perm.FLOWS_COORDINATE)
    if not 0 < budget <= MAX_BUDGET:
        raise InvalidInput.field(
            "false_alarms_per_year", _("Enter a number of false alerts per year between 0 and 365.")
        )
    if as_of is not None and as_of > timezone.localdate():
        raise InvalidInput.field("as_of", _("The date cannot be in the future."))
    if not background:
        # Imported here: the engine takes seconds to import, which a page must not wait for.
        from .detection import run_detection

        return run_detection(actor=actor, as_of=as_of, budget=budget)
    from .queries import pending_run

    with transaction.atomic():
        # One run at a time: a second click while one waits or runs follows that one.
        waiting = pending_run()
        if waiting is not None:
            return waiting
        run = DetectionRun.objects.create(
            requested_by=actor,
            requested_at=timezone.now(),
            as_of=as_of or timezone.localdate(),
            false_alarms_per_year=budget,
        )
        audit_record(actor=actor, action="flows.detect_queued", obj=run)
    transaction.on_commit(lambda: _enqueue_detection(run))
    return run


def _enqueue_detection(run: DetectionRun) -> None:
    """Hand the run to the worker; if the queue refuses it, the run says so (never left
    waiting for nothing)."""
    from .tasks import detection_task

    try:
        detection_task.enqueue(str(run.pk))
    except Exception as exc:
        logger.exception("detection run %s could not be queued", run.pk)
        run.status, run.error = DetectionRun.Status.FAILED, str(exc)[:2000]
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])


def phase_acknowledge(*, actor: User, change_id: uuid.UUID, note: str = "") -> PhaseChange:
    require(actor, Perm.FLOWS_COORDINATE)
    note = note.strip()
    if len(note) > 2000:
        raise InvalidInput.field("note", _("Too long (%(n)s characters at most).") % {"n": "2,000"})
    with transaction.atomic():
        change = PhaseChange.objects.select_for_update().filter(pk=change_id).first()
        if change is None:
            raise NotFound
        if change.acknowledged_at is not None:
            raise InvalidInput.field("note", _("This phase change was already acknowledged."))
        change.acknowledged_by, change.acknowledged_at = actor, timezone.now()
        change.acknowledge_note = note
        change.save()
        audit_record(
            actor=actor, action="flows.phase_acknowledge", obj=change, detail={"note": note}
        )
    return change


def plan_activate(
    *, change: PhaseChange | None, phase: str, now: dt.datetime, key: str | None = None
) -> PlanActivation | None:
    """Set a phase's plan in motion: one task per institution in its queue. Called by the
    detection run (inside its transaction); an open activation of the same plan and stream
    is not duplicated."""
    plan = plan_for(phase)
    if plan is None:
        return None
    key = key or (change.key if change else "national")
    if PlanActivation.objects.filter(key=key, plan_code=plan.code, closed_at__isnull=True).exists():
        return None
    activation = PlanActivation.objects.create(
        change=change,
        phase=phase,
        plan_code=plan.code,
        key=key,
        activated_at=now,
    )
    institutions = {
        i.code: i for i in Institution.objects.filter(code__in=[t.institution for t in plan.tasks])
    }
    skipped = []
    tasks = []
    for task in plan.tasks:
        inst = institutions.get(task.institution)
        if inst is None:
            skipped.append(task.institution)
            continue
        tasks.append(
            ContingencyTask(
                activation=activation,
                institution=inst,
                code=task.code,
                title_es=task.title_es,
                title_en=task.title_en,
                due_at=now + dt.timedelta(hours=task.due_hours),
            )
        )
    ContingencyTask.objects.bulk_create(tasks)
    if skipped:
        activation.history = [{"at": now.isoformat(), "skipped_institutions": skipped}]
        activation.save(update_fields=["history"])
    audit_record(
        actor=None,
        action="flows.plan_activate",
        obj=activation,
        detail={"plan": plan.code, "tasks": len(tasks), "key": key},
    )
    return activation


def task_done(*, actor: User, task_id: int, note: str = "") -> ContingencyTask:
    """Mark a contingency task done: only its institution's staff (coordinators see every
    queue but do not close another institution's task for it)."""
    require(actor, Perm.FLOWS_WRITE)
    with transaction.atomic():
        task = ContingencyTask.objects.select_for_update().filter(pk=task_id).first()
        if task is None or task.institution_id != actor.institution_id:
            raise NotFound
        if task.done_at is not None:
            raise InvalidInput.field("note", _("This task is already done."))
        if len(note) > 2000:
            raise InvalidInput.field(
                "note", _("Too long (%(n)s characters at most).") % {"n": "2,000"}
            )
        task.done_at, task.done_by, task.note = timezone.now(), actor, note.strip()
        task.save()
        audit_record(actor=actor, action="flows.task_done", obj=task)
    return task


def support_add(
    *, actor: User, activation_id: uuid.UUID, people: int | None, version: int | None = None
) -> PlanActivation:
    """Add people supported under a plan activation (e.g. a day's attentions at health posts)."""
    require(actor, Perm.FLOWS_WRITE)
    if people is None or not 1 <= people <= MAX_COUNT:
        raise InvalidInput.field(
            "people", _("Enter a whole number between 1 and %(max)s.") % {"max": f"{MAX_COUNT:,}"}
        )
    with transaction.atomic():
        activation = PlanActivation.objects.select_for_update().filter(pk=activation_id).first()
        if activation is None:
            raise NotFound
        if version is not None and version != activation.version:
            raise Conflict(
                _("Someone else changed this record while you were working on it."),
                current_version=activation.version,
                changes={"people_supported": {"theirs": activation.people_supported}},
            )
        activation.people_supported += people
        activation.version += 1
        activation.history = [
            *activation.history,
            {
                "at": timezone.now().isoformat(),
                "by": actor.username,
                "people": people,
                "institution": actor.institution.code if actor.institution_id else "",
            },
        ]
        activation.save()
        audit_record(
            actor=actor, action="flows.support_add", obj=activation, detail={"people": people}
        )
    return activation
