"""Starting imports: the file is kept, the job queued for the background worker."""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO

from django.core.files import File
from django.utils.translation import gettext as _

from amparo.core.audit import audit_record
from amparo.core.errors import InvalidInput
from amparo.core.models import User
from amparo.core.permissions import Perm, require

from .layouts import layout_get
from .models import ImportJob

MAX_IMPORT_BYTES = 512 * 1024 * 1024
SOURCE_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,39}$")
SUFFIXES = {".csv", ".txt", ".xlsx"}


def import_create(
    *,
    actor: User,
    kind: str,
    file: IO[bytes],
    name: str,
    source: str,
    mode: str = ImportJob.Mode.ALL_OR_NOTHING,
    date_order: str = ImportJob.DateOrder.DAY_MONTH,
    sheet: str = "",
    size: int | None = None,
) -> ImportJob:
    """Keep the uploaded file and queue its import. Checks the options, not the rows: the
    rows are checked by the background task (engine.run_import)."""
    require(actor, Perm.IMPORT_RUN)
    errors: dict[str, list[str]] = {}
    if layout_get(kind) is None:
        errors["kind"] = [_("Choose what the file holds.")]
    source = source.strip().lower()
    if not SOURCE_RE.match(source):
        errors["source"] = [
            _(
                "Name the source system in lower-case letters, digits, dots, dashes or "
                "underscores (40 at most), e.g. consulado-la."
            )
        ]
    if mode not in ImportJob.Mode.values:
        errors["mode"] = [_("Choose all or nothing, or valid rows only.")]
    if date_order not in ImportJob.DateOrder.values:
        errors["date_order"] = [_("Choose the order of day and month in the file's dates.")]
    if Path(name).suffix.lower() not in SUFFIXES:
        errors["file"] = [_("Send a CSV or XLSX file.")]
    elif size is not None and size > MAX_IMPORT_BYTES:
        errors["file"] = [_("The file is larger than 512 MB: split it.")]
    elif size == 0:
        errors["file"] = [_("The file is empty.")]
    if actor.institution_id is None:
        errors["kind"] = [_("Your account belongs to no institution.")]
    if errors:
        raise InvalidInput(errors)
    job = ImportJob(
        kind=kind,
        institution_id=actor.institution_id,
        created_by=actor,
        original_name=Path(name).name[:200],
        source=source,
        mode=mode,
        date_order=date_order,
        sheet=sheet.strip()[:100],
    )
    job.file.save(f"{job.pk.hex}{Path(name).suffix.lower()}", File(file), save=False)
    job.total_bytes = job.file.size
    job.save()
    audit_record(actor=actor, action="import.create", obj=job, detail={"kind": kind})
    return job


def import_enqueue(job: ImportJob) -> None:
    from .tasks import run_import_task

    run_import_task.enqueue(str(job.pk))
