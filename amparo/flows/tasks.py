"""Detection in the django-tasks database worker (`manage.py db_worker`)."""

import logging

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amparo.core.jobs import job

from .models import DetectionRun

logger = logging.getLogger(__name__)
# A coordinator is watching the dashboard for it: before routine work in the queue (matching
# proposals of a large import, sweeps), as the statistics pages' computations.
WATCHED_PRIORITY = 50


# Not retried: the run is marked running before it can fail; a second attempt would find it so.
@job(_("Detection of migratory-flow surges"), retry=False, priority=WATCHED_PRIORITY)
def detection_task(run_id: str) -> str:
    """Run a queued detection (enqueued on demand from the dashboard, or daily by cron/systemd
    timer via `manage.py flows run --enqueue`). The page that asked for it follows the run's
    status, stage and progress."""
    from .detection import run_detection

    # Taken by one worker only: a task delivered twice finds the run no longer queued.
    claimed = DetectionRun.objects.filter(pk=run_id, status=DetectionRun.Status.QUEUED).update(
        status=DetectionRun.Status.RUNNING, stage=DetectionRun.Stage.READING, progress=1
    )
    run = DetectionRun.objects.select_related("requested_by").get(pk=run_id)
    if not claimed:
        return run.status  # delivered twice: nothing to do
    try:
        run = run_detection(
            actor=run.requested_by, as_of=run.as_of, budget=run.false_alarms_per_year, run=run
        )
    except Exception as exc:  # recorded on the run so the coordinator sees why
        logger.exception("detection run %s failed", run_id)
        DetectionRun.objects.filter(pk=run_id).update(
            status=DetectionRun.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    return run.status
