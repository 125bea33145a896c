"""The real background worker (django-tasks database backend) runs the deadline sweep."""

from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from amparo.cases import actions
from amparo.cases.models import Task

pytestmark = pytest.mark.django_db(transaction=True)
TEST_PROTOCOLS = Path(__file__).parent / "protocols"


def test_enqueued_sweep_is_run_by_the_database_worker(live_reference, settings, make_user) -> None:
    from .conftest import register

    settings.AMPARO_EXTRA_PROTOCOL_DIRS = [str(TEST_PROTOCOLS)]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    caseworker = make_user()
    person = register(caseworker)
    case = actions.case_open(actor=caseworker, protocol_code="test_minimal", person_id=person.pk)
    Task.objects.filter(case=case).update(due_at=timezone.now() - timedelta(hours=1))
    out = StringIO()
    call_command("cases_sweep", enqueue=True, stdout=out)
    assert "enqueued" in out.getvalue()
    assert Task.objects.get(case=case).escalated_at is None
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert Task.objects.get(case=case).escalated_at is not None


def test_import_runs_in_the_background_worker(live_reference, settings, make_user, tmp_path):
    from amparo.assistance.models import SupportContact
    from amparo.core.models import Role
    from amparo.imports.models import ImportJob

    from .test_imports import CONTACT_HEADER, CONTACTS, csv_bytes

    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    supervisor = make_user(Role.SUPERVISOR, "MINEX")
    path = Path(tmp_path) / "contactos.csv"
    path.write_bytes(csv_bytes(CONTACT_HEADER, CONTACTS))
    call_command(
        "import",
        "contacts",
        str(path),
        source="cc",
        user=supervisor.username,
        enqueue=True,
        stdout=StringIO(),
    )
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.QUEUED and SupportContact.objects.count() == 0
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and SupportContact.objects.count() == 3


def test_duplicates_of_people_from_a_known_municipality_are_proposed_by_the_worker(
    live_reference, settings, make_user
):
    """Every person saved queues `match_person`; the worker proposes the likely duplicate.
    (Once, every such task failed on the place of origin and the queue stayed empty.)"""
    from django_tasks_db.models import DBTaskResult

    from amparo.core.models import Role
    from amparo.matching.models import MatchCandidate

    from .test_matching_pages import family

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    people = family(make_user(Role.SUPERVISOR, "MINEX"))
    queued = DBTaskResult.objects.filter(task_path="amparo.matching.tasks.match_person")
    assert queued.count() >= 4  # one per person registered (and per change)
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert not queued.exclude(status="SUCCESSFUL").exists()
    pair = MatchCandidate.objects.get()
    assert {pair.person_a_id, pair.person_b_id} == {people.missing.pk, people.found.pk}
    assert pair.explanation["origin"]  # the place of origin compared, by its name
