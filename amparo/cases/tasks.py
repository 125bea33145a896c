"""Background work of the case engine, run by the django-tasks database worker."""

from django_tasks import task

from .actions import deadlines_sweep


@task()
def sweep_deadlines() -> int:
    """Escalate overdue tasks. Enqueued by `manage.py cases_sweep --enqueue` (e.g. every
    15 minutes from cron or a systemd timer) and executed by `manage.py db_worker`."""
    return deadlines_sweep()
