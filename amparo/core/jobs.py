"""Background jobs: their names for people, retries of transient errors, and no silent failure.

Tasks run in the django-tasks database worker (`manage.py db_worker`), which keeps every run in
django_tasks_db's `DBTaskResult` (status, times, the exception and its traceback). On top:

- `job(label, retry=...)` declares a task with the words people read about it and, where
  running it again is harmless, retries a transient database error (a locked SQLite file, a
  PostgreSQL deadlock or serialisation failure, a dropped connection) before giving up;
- every failure is logged (logger "amparo.jobs", with the traceback), whatever the worker's
  verbosity (`db_worker --verbosity 0` silences django-tasks' own log);
- `failed_recently` lists failures for the system administrators' home page and `health`
  counts them for /healthz, with the worker's last sign of life: the worker runs
  `worker_heartbeat` every few minutes, and the heartbeat queues the next one.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ParamSpec, TypeVar

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tasks import task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import TaskResultStatus, task_backends, task_finished
from django_tasks_db.models import DBTaskResult, get_date_max

from .models import Role, User

logger = logging.getLogger("amparo.jobs")

P = ParamSpec("P")
T = TypeVar("T")

# Seconds to wait before the second and the third attempt after a transient error: long enough
# for a write lock or a failover to clear, short enough not to hold the worker up.
RETRY_DELAYS: tuple[float, ...] = (1.0, 4.0)
# Words of the database errors that pass by themselves (SQLite, PostgreSQL, psycopg).
TRANSIENT_MARKERS = (
    "database is locked",
    "database table is locked",
    "deadlock detected",
    "could not serialize access",
    "could not connect",
    "server closed the connection",
    "connection already closed",
    "the connection is closed",
    "terminating connection",
)
HEARTBEAT_EVERY = timedelta(minutes=5)
SEEN_WITHIN = timedelta(minutes=15)  # three heartbeats missed: the worker is not running
HEALTH_MAX_AGE = 30.0  # seconds /healthz reuses its figures (monitors poll it often)


@dataclass(frozen=True)
class Job:
    label: Promise | str
    retry: bool


JOBS: dict[str, Job] = {}


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, InterfaceError):
        return True
    text = str(exc).lower()
    return isinstance(exc, OperationalError) and any(m in text for m in TRANSIENT_MARKERS)


def _retrying(func: Callable[P, T]) -> Callable[P, T]:
    path = f"{func.__module__}.{func.__qualname__}"

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        for attempt, delay in enumerate((*RETRY_DELAYS, None), start=1):
            try:
                return func(*args, **kwargs)
            except (OperationalError, InterfaceError) as exc:
                # Inside a caller's transaction a retry would run in a broken transaction.
                if delay is None or not is_transient(exc) or connection.in_atomic_block:
                    raise
                logger.warning(
                    "task %s: transient database error on attempt %s, retried in %s s: %s",
                    path,
                    attempt,
                    delay,
                    exc,
                )
                connection.close_if_unusable_or_obsolete()
                time.sleep(delay)
        raise AssertionError("unreachable")  # the last attempt returns or raises

    return run


def job(label: Promise | str, *, retry: bool, **options: Any) -> Callable[[Callable[P, T]], Any]:
    """`@task()` with the task's name for people (`label`, lazily translated) and, if `retry`,
    a few more attempts on a transient database error. Say `retry=False` when a second run
    would not redo the work (a job that marks its record as started before it can fail)."""

    def declare(func: Callable[P, T]) -> Any:
        declared = task(**options)(_retrying(func) if retry else func)
        JOBS[declared.module_path] = Job(label, retry)
        return declared

    return declare


def _discover() -> None:
    """Every app's tasks module, so every job has its label in the web process too."""
    if not getattr(_discover, "done", False):
        autodiscover_modules("tasks")
        _discover.done = True  # type: ignore[attr-defined]


def job_label(task_path: str) -> str:
    _discover()
    known = JOBS.get(task_path)
    return str(known.label) if known else gettext("Other background task")


# --------------------------------------------------------------------------- failures


def _error_line(traceback: str, exception_class_path: str) -> str:
    """The last line of the traceback ("AttributeError: ... has no attribute ..."), short."""
    lines = [line.strip() for line in traceback.strip().splitlines() if line.strip()]
    line = lines[-1] if lines else exception_class_path.rsplit(".", 1)[-1]
    return line if len(line) <= 300 else line[:299] + "…"


def _on_finished(sender: object, task_result: Any, **kwargs: Any) -> None:
    """Log every failure (with its traceback) and keep the heartbeat going in the worker."""
    if task_result.status == TaskResultStatus.FAILED:
        error = task_result.errors[-1] if task_result.errors else None
        path = task_result.task.module_path
        logger.error(
            "background task failed: %s (%s, id %s)\n%s",
            job_label(path),
            path,
            task_result.id,
            error.traceback if error else "(no traceback recorded)",
        )
    try:
        if isinstance(task_backends[task_result.backend], DatabaseBackend):
            beat_next()
    except DatabaseError:
        logger.exception("the worker heartbeat could not be queued")


task_finished.connect(_on_finished, dispatch_uid="amparo.jobs.finished")


@dataclass(frozen=True)
class FailedJob:
    id: str
    label: str
    failed_at: datetime
    error: str


def failed_recently(*, within: timedelta = timedelta(days=7), limit: int = 20) -> list[FailedJob]:
    """Failed runs of background tasks, most recent first."""
    rows = (
        DBTaskResult.objects.failed()
        .filter(finished_at__gte=timezone.now() - within)
        .order_by("-finished_at")
        .only("id", "task_path", "finished_at", "traceback", "exception_class_path")[:limit]
    )
    return [
        FailedJob(
            id=str(r.id),
            label=job_label(r.task_path),
            failed_at=r.finished_at,
            error=_error_line(r.traceback, r.exception_class_path),
        )
        for r in rows
    ]


def failures_count(*, within: timedelta = timedelta(hours=24), task_path: str = "") -> int:
    rows = DBTaskResult.objects.failed().filter(finished_at__gte=timezone.now() - within)
    return (rows.filter(task_path=task_path) if task_path else rows).count()


def sees_job_failures(user: User) -> bool:
    """System administrators keep the worker running: they are told of its failures."""
    return user.is_authenticated and user.role == Role.SYSTEM_ADMIN


# --------------------------------------------------------------------------- the worker's health


@dataclass(frozen=True)
class WorkerState:
    last_seen: datetime | None
    seen_recently: bool
    waiting: int
    oldest_waiting: datetime | None


def worker_state(now: datetime | None = None) -> WorkerState:
    now = now or timezone.now()
    seen = DBTaskResult.objects.aggregate(last=Max("started_at"))["last"]
    ready = DBTaskResult.objects.ready()
    # A task waits from when it was queued, or from the time it was to run after, if any.
    at_once = ready.filter(run_after=get_date_max()).aggregate(t=Min("enqueued_at"))["t"]
    delayed = ready.exclude(run_after=get_date_max()).aggregate(t=Min("run_after"))["t"]
    oldest = min((t for t in (at_once, delayed) if t is not None), default=None)
    return WorkerState(
        last_seen=seen,
        seen_recently=seen is not None and now - seen <= SEEN_WITHIN,
        waiting=ready.count() if oldest else 0,
        oldest_waiting=oldest,
    )


def health(now: datetime | None = None) -> dict[str, Any]:
    """What /healthz says of the background work: counts and times only (it is public)."""
    now = now or timezone.now()
    state = worker_state(now)
    return {
        "tasks": {
            "failed_last_24h": failures_count(),
            "waiting": state.waiting,
            "oldest_waiting_seconds": int((now - state.oldest_waiting).total_seconds())
            if state.oldest_waiting
            else 0,
        },
        "worker": {
            "last_seen": state.last_seen.isoformat() if state.last_seen else None,
            "seen_recently": state.seen_recently,
        },
    }


_HEALTH: dict[str, Any] = {}


def health_cached(max_age: float = HEALTH_MAX_AGE) -> dict[str, Any]:
    """`health()`, computed at most every `max_age` seconds per process: /healthz stays the
    cheap page monitors and load balancers poll."""
    at = _HEALTH.get("at")
    if at is None or time.monotonic() - at > max_age:
        try:
            _HEALTH["value"] = health()
        except DatabaseError:
            logger.exception("the health of the background work could not be read")
            _HEALTH["value"] = {"tasks": None, "worker": None, "database": "unavailable"}
        _HEALTH["at"] = time.monotonic()
    return _HEALTH["value"]


def health_forget() -> None:
    _HEALTH.clear()


def beat_next() -> None:
    """Queue the next heartbeat unless one is waiting already."""
    waiting = DBTaskResult.objects.filter(
        task_path=worker_heartbeat.module_path, status=TaskResultStatus.READY
    )
    if not waiting.exists():
        worker_heartbeat.using(run_after=timezone.now() + HEARTBEAT_EVERY).enqueue()


@job(_("Background worker heartbeat"), retry=True)
def worker_heartbeat() -> str:
    """Shows the worker's loop is running (its start time is the worker's last sign of life);
    the next beat is queued when this one finishes, the old ones are forgotten."""
    DBTaskResult.objects.filter(
        task_path=worker_heartbeat.module_path,
        status=TaskResultStatus.SUCCESSFUL,
        finished_at__lt=timezone.now() - timedelta(hours=1),
    ).delete()
    return "ok"
