"""Detection in the django-tasks database worker (`manage.py db_worker`)."""

from django.utils.translation import gettext_lazy as _

from amparo.core.jobs import job

from .models import DetectionRun


# Not retried: a failed run is marked failed on the DetectionRun, which a second try would skip.
@job(_("Detection of unusual migratory flows"), retry=False)
def detection_task(run_id: str) -> str:
    """Run a queued detection (enqueued on demand, or daily by cron/systemd timer via
    `manage.py flows run --enqueue`)."""
    from .detection import run_detection

    run = DetectionRun.objects.select_related("requested_by").get(pk=run_id)
    if run.status != DetectionRun.Status.QUEUED:
        return run.status  # delivered twice: nothing to do
    try:
        run_detection(
            actor=run.requested_by, as_of=run.as_of, budget=run.false_alarms_per_year, run=run
        )
    except Exception as exc:  # recorded on the run so the coordinator sees why
        DetectionRun.objects.filter(pk=run.pk).update(
            status=DetectionRun.Status.FAILED, error=str(exc)[:2000]
        )
        raise
    return DetectionRun.Status.DONE
