"""Statistics pages and the State report's exports are computed in the django-tasks database
worker (`manage.py db_worker`); pages show the kept result or the progress meanwhile."""

from django_tasks import task

from .jobs import run


@task()
def compute_task(computation_id: str) -> str:
    return run(computation_id)
