"""Imports run in the django-tasks database worker (`manage.py db_worker`)."""

from django_tasks import task

from .engine import run_import
from .models import ImportJob


@task()
def run_import_task(job_id: str) -> str:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status != ImportJob.Status.QUEUED:
        return job.status  # already run (a task delivered twice does nothing)
    return run_import(job).status
