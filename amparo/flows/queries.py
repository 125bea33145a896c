"""Reads of the flows app. Counts, phases, runs and bulletins are aggregates with no personal
data: network-wide for every signed-in user with `flows.read`. Contingency tasks are scoped:
an institution sees its own queue; coordinators (`flows.coordinate`) see every institution's.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

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

# Counts are entered daily; three days without any (a weekend and a late office) is stale.
STALE_AFTER_DAYS = 3
# A run still waiting or running after this long was lost (its worker stopped).
PENDING_HOURS = 2


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
    """The run whose results the pages show: the latest that found counts to detect on."""
    return (
        DetectionRun.objects.filter(status=DetectionRun.Status.DONE)
        .order_by("-finished_at")
        .first()
    )


def run_get(run_id: uuid.UUID) -> DetectionRun:
    run = DetectionRun.objects.select_related("requested_by").filter(pk=run_id).first()
    if run is None:
        raise NotFound
    return run


def last_requested_run() -> DetectionRun | None:
    """The run asked for last, whatever became of it (waiting, running, done, nothing to
    detect on, failed): the dashboard says where it is."""
    return DetectionRun.objects.select_related("requested_by").order_by("-requested_at").first()


def pending_run() -> DetectionRun | None:
    """A run waiting for the worker or running, asked for within PENDING_HOURS (an older one
    was lost with its worker; asking again is allowed)."""
    since = timezone.now() - dt.timedelta(hours=PENDING_HOURS)
    return (
        DetectionRun.objects.filter(
            status__in=[DetectionRun.Status.QUEUED, DetectionRun.Status.RUNNING],
            requested_at__gte=since,
        )
        .order_by("-requested_at")
        .first()
    )


def last_count_day(on_or_before: dt.date | None = None) -> dt.date | None:
    """The last day with crossing counts (entries), on or before the given day."""
    rows = FlowCount.objects.filter(direction="in")
    if on_or_before is not None:
        rows = rows.filter(date__lte=on_or_before)
    return rows.order_by("-date").values_list("date", flat=True).first()


@dataclass(frozen=True)
class Staleness:
    """How old the counts are: the last day with counts, and whether that is too long ago."""

    last: dt.date | None  # None: no counts ever

    @property
    def stale(self) -> bool:
        return self.last is None or (timezone.localdate() - self.last).days > STALE_AFTER_DAYS


def counts_staleness() -> tuple[Staleness, dict[str, Staleness]]:
    """The last day with crossing counts overall and at each border point (one query; the
    unique key (site, date, ...) answers each point's last day from the index)."""
    last_day = (
        FlowCount.objects.filter(site=OuterRef("pk"), direction="in")
        .order_by("-date")
        .values("date")[:1]
    )
    per_point = {
        code: Staleness(last)
        for code, last in border_points().annotate(last=Subquery(last_day)).values_list(
            "code", "last"
        )
    }
    days = [s.last for s in per_point.values() if s.last is not None]
    return Staleness(max(days) if days else None), per_point


def run_streams(run: DetectionRun | None, picture: str = "card") -> dict[str, StreamResult]:
    """The run's streams by key, each with the kept SVG of one picture (``svg``)."""
    from .rendering import with_picture

    if run is None:
        return {}
    rows = with_picture(StreamResult.objects.filter(run=run).select_related("site"), picture)
    return {s.key: s for s in rows}


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
