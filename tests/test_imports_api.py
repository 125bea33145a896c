"""The import endpoints: layouts, upload (multipart), progress, rejected rows; by role."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from amparo.core.models import Role
from amparo.core.permissions import ROLE_PERMISSIONS, Perm
from amparo.imports.engine import run_import
from amparo.imports.models import ImportJob

from .conftest import api_client
from .test_imports import CONTACT_HEADER, CONTACTS, csv_bytes

pytestmark = pytest.mark.django_db

# The authorization matrix's completeness check (test_api_authorization) includes these.
IMPORT_OPERATIONS: dict[tuple[str, str], Perm] = {
    ("GET", "/api/v1/import-layouts"): Perm.REFERENCE_READ,
    ("GET", "/api/v1/imports"): Perm.IMPORT_RUN,
    ("POST", "/api/v1/imports"): Perm.IMPORT_RUN,
    ("GET", "/api/v1/imports/{job_id}"): Perm.IMPORT_RUN,
    ("GET", "/api/v1/imports/{job_id}/rejects"): Perm.IMPORT_RUN,
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def post_file(client: Client, data: bytes, **fields: str):  # type: ignore[no-untyped-def]
    form = {"kind": "contacts", "source": "cc", "mode": "valid", **fields}
    form["file"] = SimpleUploadedFile("contactos.csv", data, content_type="text/csv")
    return client.post("/api/v1/imports", form)


def test_upload_follow_and_download_rejects(make_user):
    client = api_client(make_user(Role.SUPERVISOR, "MINEX"))
    bad = [*CONTACTS, "A4,2018-03-16 08:00,call,US,X,nope,information,1,"]
    response = post_file(client, csv_bytes(CONTACT_HEADER, bad))
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    assert response.json()["status"] == "queued"
    run_import(ImportJob.objects.get(pk=job_id))  # what the worker does
    job = client.get(f"/api/v1/imports/{job_id}").json()
    assert (job["status"], job["rows_inserted"], job["rows_rejected"]) == ("done", 3, 1)
    assert job["errors"][0]["column"] == "reason" and job["has_reject_file"]
    rejects = client.get(f"/api/v1/imports/{job_id}/rejects")
    assert rejects.status_code == 200
    assert "nope" in b"".join(rejects.streaming_content).decode("utf-8-sig")
    assert [j["id"] for j in client.get("/api/v1/imports").json()] == [job_id]


def test_bad_options_are_422_by_field(make_user):
    client = api_client(make_user(Role.SUPERVISOR, "MINEX"))
    response = post_file(client, b"x", kind="nothing", source="Mal!")
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"kind", "source"}
    assert ImportJob.objects.count() == 0


def test_layouts_are_published(make_user):
    client = api_client(make_user(Role.OPERATOR, "MINEX"))
    kinds = {layout["kind"]: layout for layout in client.get("/api/v1/import-layouts").json()}
    assert set(kinds) == {
        "contacts",
        "mobile_consulates",
        "consular_services",
        "civil_registrations",
        "travel_documents",
        "flows",
    }
    assert kinds["contacts"]["columns"][0] == {
        "name": "ref",
        "required": True,
        "help": kinds["contacts"]["columns"][0]["help"],
        "example": "MX-2018-000123",
        "values": [],
    }
    channel = next(c for c in kinds["contacts"]["columns"] if c["name"] == "channel")
    assert any(code == "call" and label for code, label in channel["values"])


@pytest.mark.parametrize("role", list(Role))
def test_import_endpoints_by_role(make_user, role):
    owner = make_user(Role.SUPERVISOR, "MINEX")
    job_id = post_file(api_client(owner), csv_bytes(CONTACT_HEADER, [*CONTACTS, "x"])).json()["id"]
    run_import(ImportJob.objects.get(pk=job_id))
    for where in ("MINEX", "SBS"):
        client = api_client(make_user(role, where))
        for (method, template), perm in IMPORT_OPERATIONS.items():
            path = template.replace("{job_id}", job_id)
            if method == "POST":
                status = post_file(
                    client, csv_bytes(CONTACT_HEADER, CONTACTS), source="r"
                ).status_code
                ok = 202
            else:
                status = client.get(path).status_code
                ok = 404 if where == "SBS" and "{job_id}" in template else 200
            expected = ok if perm in ROLE_PERMISSIONS[role] else 403
            assert status == expected, f"{role}@{where} {method} {path} → {status}"


def test_without_credentials_401():
    for method, template in IMPORT_OPERATIONS:
        path = template.replace("{job_id}", "00000000-0000-4000-8000-000000000000")
        assert Client().generic(method, path).status_code == 401
