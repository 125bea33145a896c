"""The import pages: upload, progress, rejected rows, layouts."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from amparo.assistance.models import SupportContact
from amparo.core.models import AuditEntry, Role
from amparo.imports.models import ImportJob
from amparo.imports.tasks import run_import_task

from .test_imports import CONTACT_HEADER, CONTACTS, csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(user)
    return client


def upload(client: Client, data: bytes, **fields: str):  # type: ignore[no-untyped-def]
    form = {"kind": "contacts", "source": "cc", "mode": "all", "date_order": "dmy", "sheet": ""}
    form.update(fields)
    form["file"] = SimpleUploadedFile("contactos.csv", data, content_type="text/csv")
    return client.post(reverse("imports:page"), form)


def test_upload_queues_and_the_worker_imports(make_user):
    supervisor = make_user(Role.SUPERVISOR, "MINEX")
    client = client_for(supervisor)
    assert client.get(reverse("imports:page")).status_code == 200
    response = upload(client, csv_bytes(CONTACT_HEADER, CONTACTS))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "imports:detail", args=[job.pk]
    )
    page = client.get(response["Location"])
    assert 'hx-trigger="every 2s"' in page.content.decode()  # still queued: the page polls
    run_import_task.call(str(job.pk))  # what the worker runs (the worker: test_worker.py)
    partial = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "every 2s" not in partial and SupportContact.objects.count() == 3


def test_rejected_rows_are_listed_and_downloadable(make_user):
    from amparo.imports.engine import run_import

    supervisor = make_user(Role.SUPERVISOR, "MINEX")
    client = client_for(supervisor)
    bad = [*CONTACTS, "A4,2018-03-16 08:00,call,US,X,nope,information,1,=HYPERLINK(1)"]
    upload(client, csv_bytes(CONTACT_HEADER, bad), mode="valid")
    job = run_import(ImportJob.objects.get())
    page = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "nope" in page and reverse("imports:rejects", args=[job.pk]) in page
    rejects = client.get(reverse("imports:rejects", args=[job.pk]))
    body = b"".join(rejects.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in body  # the formula is defused
    assert AuditEntry.objects.filter(action="import.rejects_download").exists()


def test_bad_options_are_shown_at_their_fields(make_user):
    client = client_for(make_user(Role.SUPERVISOR, "MINEX"))
    response = upload(client, b"x", source="Mal nombre!", kind="contacts")
    assert response.status_code == 422
    assert "source" in response.content.decode() and ImportJob.objects.count() == 0


def test_only_supervisors_import_and_only_their_institution_sees(make_user):
    caseworker = make_user(Role.CASEWORKER, "MINEX")
    assert client_for(caseworker).get(reverse("imports:page")).status_code == 403
    supervisor = make_user(Role.SUPERVISOR, "MINEX")
    upload(client_for(supervisor), csv_bytes(CONTACT_HEADER, CONTACTS))
    job = ImportJob.objects.get()
    other = client_for(make_user(Role.SUPERVISOR, "SBS"))
    assert other.get(reverse("imports:detail", args=[job.pk])).status_code == 404
    assert other.get(reverse("imports:rejects", args=[job.pk])).status_code == 404


def test_layouts_are_published_with_example_files(make_user):
    client = client_for(make_user(Role.OPERATOR, "MINEX"))
    page = client.get(reverse("imports:layouts")).content.decode()
    for kind in (
        "contacts",
        "consular_services",
        "civil_registrations",
        "travel_documents",
        "mobile_consulates",
    ):
        assert f'id="layout-{kind}"' in page
    example = client.get(reverse("imports:layout_template", args=["contacts"]))
    assert example.content.decode("utf-8-sig").startswith(CONTACT_HEADER)
    assert client.get(reverse("imports:layout_template", args=["nothing"])).status_code == 404


def test_navigation_shows_imports_to_supervisors_only(make_user):
    link = f'href="{reverse("imports:page")}"'
    home = reverse("home")
    assert link in client_for(make_user(Role.SUPERVISOR, "MINEX")).get(home).content.decode()
    assert link not in client_for(make_user(Role.CASEWORKER, "MINEX")).get(home).content.decode()


def test_a_file_larger_than_the_request_limit_uploads(make_user, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000  # the file alone is larger than this
    client = client_for(make_user(Role.SUPERVISOR, "MINEX"))
    lines = [f"R{n},2018-03-14 09:25,call,US,Houston,detention,information,1," for n in range(200)]
    response = upload(client, csv_bytes(CONTACT_HEADER, lines))
    assert response.status_code == 302 and ImportJob.objects.count() == 1
    bad = upload(client, csv_bytes(CONTACT_HEADER, lines), sheet="a\x00b")
    assert bad.status_code == 400 and ImportJob.objects.count() == 1
