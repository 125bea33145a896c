"""Background work of the case engine, run by the django-tasks database worker."""

from django.utils.translation import gettext_lazy as _

from amparo.core.jobs import job

from .actions import deadlines_sweep


@job(_("Escalation of overdue case tasks"), retry=True)  # a second sweep finds nothing new
def sweep_deadlines() -> int:
    """Escalate overdue tasks. Enqueued by `manage.py cases_sweep --enqueue` (e.g. every
    15 minutes from cron or a systemd timer) and executed by `manage.py db_worker`."""
    return deadlines_sweep()
