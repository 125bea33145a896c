"""Import endpoints: publish the layouts, upload a file, follow it, fetch its rejected rows."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from amparo.core.errors import NotFound
from amparo.core.permissions import Perm, require

from .actions import import_create, import_enqueue
from .layouts import LAYOUTS
from .models import ImportJob
from .views import rejects_response

router = Router(tags=["imports"])
RECENT = 50


class ColumnOut(Schema):
    name: str
    required: bool
    help: str
    example: str
    # The values a cell may hold: code (what the file contains) and its label.
    values: list[tuple[str, str]] = []


class LayoutOut(Schema):
    kind: str
    title: str
    description: str
    columns: list[ColumnOut]


class ImportIn(Schema):
    kind: str
    source: str
    mode: str = ImportJob.Mode.ALL_OR_NOTHING
    date_order: str = ImportJob.DateOrder.DAY_MONTH
    sheet: str = ""


class ImportErrorOut(Schema):
    line: int
    column: str
    message: str


class ImportOut(Schema):
    id: uuid.UUID
    kind: str
    original_name: str
    source: str
    mode: str
    date_order: str
    status: str
    phase: str
    progress_percent: int
    rows_seen: int
    rows_valid: int
    rows_rejected: int
    rows_inserted: int
    rows_existing: int
    encoding: str
    delimiter: str
    message: str
    errors: list[ImportErrorOut]
    has_reject_file: bool
    created_at: datetime
    finished_at: datetime | None


def _out(job: ImportJob) -> dict[str, Any]:
    return {
        **{name: getattr(job, name) for name in ImportOut.model_fields if hasattr(job, name)},
        "has_reject_file": bool(job.reject_file),
    }


@router.get("/import-layouts", response=list[LayoutOut], summary="Published column layouts")
def layouts(request: HttpRequest) -> list[dict[str, Any]]:
    require(request.user, Perm.REFERENCE_READ)
    return [
        {
            "kind": kind,
            "title": str(layout.title),
            "description": str(layout.description),
            "columns": [
                {
                    "name": c.name,
                    "required": c.required,
                    "help": str(c.help),
                    "example": c.example,
                    "values": [(value, str(label)) for value, label in c.values],
                }
                for c in layout.columns
            ],
        }
        for kind, layout in sorted(LAYOUTS.items())
    ]


def _jobs(request: HttpRequest):  # type: ignore[no-untyped-def]
    require(request.user, Perm.IMPORT_RUN)
    return ImportJob.objects.filter(institution_id=request.user.institution_id)


@router.get("/imports", response=list[ImportOut], summary="Recent imports of your institution")
def imports_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_out(job) for job in _jobs(request)[:RECENT]]


@router.post("/imports", response={202: ImportOut}, summary="Upload a CSV or XLSX file for import")
def import_upload(
    request: HttpRequest, payload: Form[ImportIn], file: File[UploadedFile]
) -> Status:
    """The file is kept and queued; follow `GET /imports/{id}` until `status` is done or
    refused."""
    job = import_create(
        actor=request.user,
        kind=payload.kind,
        file=file,
        name=file.name or "",
        size=file.size,
        source=payload.source,
        mode=payload.mode,
        date_order=payload.date_order,
        sheet=payload.sheet,
    )
    import_enqueue(job)
    return Status(202, _out(job))


def _job(request: HttpRequest, job_id: uuid.UUID) -> ImportJob:
    job = _jobs(request).filter(pk=job_id).first()
    if job is None:
        raise NotFound
    return job


@router.get("/imports/{job_id}", response=ImportOut, summary="An import's progress and result")
def import_get(request: HttpRequest, job_id: uuid.UUID) -> dict[str, Any]:
    return _out(_job(request, job_id))


@router.get("/imports/{job_id}/rejects", summary="The rejected rows (CSV)")
def import_rejects(request: HttpRequest, job_id: uuid.UUID) -> FileResponse:
    job = _job(request, job_id)
    if not job.reject_file:
        raise NotFound
    return rejects_response(request, job)
