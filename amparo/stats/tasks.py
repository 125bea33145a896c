"""Statistics pages and the State report's exports are computed in the django-tasks database
worker (`manage.py db_worker`); pages show the kept result or the progress meanwhile."""

from django.utils.translation import gettext_lazy as _

from amparo.core.jobs import job

from .jobs import run

# Someone is looking at a page waiting for these: they go before routine work in the queue
# (matching proposals, sweeps), which no one is watching.
PAGE_PRIORITY = 50


# Not retried by the worker: a computation can be long, and a failed one is recorded as failed
# with its reason (its page says so and keeps the last good result).
@job(
    _("Computation of statistics, the State report or an export"),
    retry=False,
    priority=PAGE_PRIORITY,
)
def compute_task(computation_id: str) -> str:
    return run(computation_id)
