"""Asking the background worker for statistics: a kept result is reused while the data it
read is unchanged; otherwise (never computed, data changed, or asked again after a failure)
the request is queued for the worker. Nothing here computes a figure: pages never wait."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from amparo.core.models import User
from amparo.core.permissions import Perm, require

from .jobs import data_fingerprint, request_key
from .models import Computation

logger = logging.getLogger(__name__)

# A computation "running" for longer than this lost its worker (stopped, crashed, restarted):
# the national State report takes seconds, so an hour leaves room for a loaded machine.
STALLED_AFTER = timedelta(hours=1)


def computation_request(
    *, actor: User, kind: str, params: dict[str, Any], language: str
) -> Computation:
    """The computation for what was asked, queued if its kept result is missing or stale."""
    require(actor, Perm.STATS_READ)
    job, created = Computation.objects.get_or_create(
        key=request_key(kind, params, language),
        defaults={
            "kind": kind,
            "params": params,
            "language": language,
            "requested_at": timezone.now(),
        },
    )
    if created:
        return _enqueue(job)
    if _stalled(job):
        logger.error("Statistics computation %s lost its worker; queued again", job.pk)
        return _requeue(job, only_if=Computation.Status.RUNNING)
    if job.in_progress:
        return job
    fingerprint = data_fingerprint()
    if job.status == Computation.Status.DONE and job.fingerprint == fingerprint:
        return job
    if job.status == Computation.Status.FAILED and job.run_fingerprint == fingerprint:
        return job  # the same data would fail the same way: the page offers to try again
    return _requeue(job, only_if=job.status)


def computation_retry(*, actor: User, job: Computation) -> Computation:
    """Ask again for a computation that failed."""
    require(actor, Perm.STATS_READ)
    if job.status != Computation.Status.FAILED:
        return job
    return _requeue(job, only_if=Computation.Status.FAILED)


def _stalled(job: Computation) -> bool:
    started = job.started_at
    return (
        job.status == Computation.Status.RUNNING
        and started is not None
        and started < timezone.now() - STALLED_AFTER
    )


def _requeue(job: Computation, *, only_if: str) -> Computation:
    # Conditional: of two requests at the same moment, one queues the work.
    queued = Computation.objects.filter(Q(pk=job.pk) & Q(status=only_if)).update(
        status=Computation.Status.QUEUED,
        requested_at=timezone.now(),
        started_at=None,
        finished_at=None,
        steps_done=0,
    )
    if queued:
        return _enqueue(job)
    job.refresh_from_db()
    return job


def _enqueue(job: Computation) -> Computation:
    from .tasks import compute_task

    try:
        compute_task.enqueue(str(job.pk))
    except Exception as exc:  # noqa: BLE001 - the queue itself failing is shown on the page
        logger.exception("Could not queue statistics computation %s", job.pk)
        Computation.objects.filter(pk=job.pk).update(
            status=Computation.Status.FAILED, finished_at=timezone.now(), error=str(exc)[:500]
        )
    job.refresh_from_db()  # with the immediate backend (tests) the work is already done
    return job
