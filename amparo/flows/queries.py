"""Reads of the flows app. Counts, phases, runs and bulletins are aggregates with no personal
data: network-wide for every signed-in user with `flows.read`. Contingency tasks are scoped:
an institution sees its own queue; coordinators (`flows.coordinate`) see every institution's.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from amparo.core.errors import NotFound
from amparo.core.models import Site, User
from amparo.core.permissions import Perm, has_perm, require

from .models import (
    ContingencyTask,
    DetectionRun,
    FlowCount,
    PhaseChange,
    PlanActivation,
    StreamResult,
)


def border_points() -> QuerySet[Site]:
    return Site.objects.filter(kind=Site.Kind.BORDER_POINT, active=True).order_by("name_es")


def point_get(code: str) -> Site:
    site = border_points().filter(code=Site.normal_code(code)).first()
    if site is None:
        raise NotFound
    return site


def counts_for(
    actor: User, *, site: str = "", start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet[FlowCount]:
    require(actor, Perm.FLOWS_READ)
    qs = FlowCount.objects.select_related("site").order_by(
        "-date", "site__code", "direction", "nationality", "group"
    )
    if site:
        qs = qs.filter(site__code=Site.normal_code(site))
    if start:
        qs = qs.filter(date__gte=start)
    if end:
        qs = qs.filter(date__lte=end)
    return qs


def latest_run() -> DetectionRun | None:
    return (
        DetectionRun.objects.filter(status=DetectionRun.Status.DONE)
        .order_by("-finished_at")
        .first()
    )


def run_streams(run: DetectionRun | None) -> dict[str, StreamResult]:
    if run is None:
        return {}
    return {s.key: s for s in StreamResult.objects.filter(run=run).select_related("site")}


def changes_for(actor: User, *, key: str = "", raises_only: bool = False) -> QuerySet[PhaseChange]:
    require(actor, Perm.FLOWS_READ)
    qs = PhaseChange.objects.select_related("site", "acknowledged_by").order_by("-on", "-at")
    if key:
        qs = qs.filter(key=key)
    if raises_only:
        qs = qs.filter(to_phase__in=["alert", "emergency"])
    return qs


def change_get(actor: User, change_id) -> PhaseChange:  # type: ignore[no-untyped-def]
    change = changes_for(actor).filter(pk=change_id).first()
    if change is None:
        raise NotFound
    return change


def tasks_for(actor: User, *, open_only: bool = False) -> QuerySet[ContingencyTask]:
    require(actor, Perm.FLOWS_READ)
    qs = ContingencyTask.objects.select_related("institution", "activation", "done_by")
    if not has_perm(actor, Perm.FLOWS_COORDINATE):
        qs = qs.filter(institution_id=actor.institution_id)
    if open_only:
        qs = qs.filter(done_at__isnull=True)
    return qs.order_by("done_at", "due_at", "id")


def activations_for(actor: User) -> QuerySet[PlanActivation]:
    require(actor, Perm.FLOWS_READ)
    return PlanActivation.objects.select_related("change").order_by("-activated_at")


def activation_get(actor: User, activation_id) -> PlanActivation:  # type: ignore[no-untyped-def]
    activation = activations_for(actor).filter(pk=activation_id).first()
    if activation is None:
        raise NotFound
    return activation
