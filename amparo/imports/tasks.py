"""Imports run in the django-tasks database worker (`manage.py db_worker`)."""

from django.utils.translation import gettext_lazy as _

from amparo.core.jobs import job

from .engine import run_import
from .models import ImportJob


# Not retried: the job is marked running before it can fail, and a second try would skip it.
@job(_("File import"), retry=False)
def run_import_task(job_id: str) -> str:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status != ImportJob.Status.QUEUED:
        return job.status  # already run (a task delivered twice does nothing)
    return run_import(job).status
