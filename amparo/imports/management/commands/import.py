"""manage.py import KIND FILE --source NAME --user USERNAME [--valid-rows] [--date-order mdy]
[--sheet NAME] [--enqueue]: the command-line twin of the import page."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from amparo.core.errors import InvalidInput
from amparo.core.models import User
from amparo.core.permissions import Forbidden
from amparo.imports.actions import import_create, import_enqueue
from amparo.imports.engine import run_import
from amparo.imports.layouts import LAYOUTS
from amparo.imports.models import ImportJob


class Command(BaseCommand):
    help = "Import a CSV or XLSX file of one kind (see docs/imports.md for the layouts)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", help="one of: " + ", ".join(sorted(LAYOUTS)))
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", required=True, help="name of the source system")
        parser.add_argument("--user", required=True, help="username the import is made by")
        parser.add_argument(
            "--valid-rows",
            action="store_true",
            help="import the valid rows and write the others to a reject file",
        )
        parser.add_argument("--date-order", choices=["dmy", "mdy"], default="dmy")
        parser.add_argument("--sheet", default="", help="XLSX sheet to read")
        parser.add_argument(
            "--enqueue", action="store_true", help="queue for the worker instead of running now"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['user']!r}")
        try:
            with path.open("rb") as handle:
                job = import_create(
                    actor=user,
                    kind=options["kind"],
                    file=handle,
                    name=path.name,
                    source=options["source"],
                    mode=ImportJob.Mode.VALID_ROWS
                    if options["valid_rows"]
                    else ImportJob.Mode.ALL_OR_NOTHING,
                    date_order=options["date_order"],
                    sheet=options["sheet"],
                    size=path.stat().st_size,
                )
        except InvalidInput as exc:
            raise CommandError(str(exc)) from exc
        except Forbidden as exc:
            raise CommandError(str(exc)) from exc
        if options["enqueue"]:
            import_enqueue(job)
            self.stdout.write(f"Queued import {job.pk}")
            return
        job = run_import(job, on_progress=self._progress)
        sys.stderr.write("\n")
        for error in job.errors[:20]:
            self.stdout.write(f"  line {error['line']} {error['column']}: {error['message']}")
        if job.reject_file:
            self.stdout.write(f"Rejected rows: {job.reject_file.path}")
        self.stdout.write(job.message)
        if job.status != ImportJob.Status.DONE:
            raise CommandError(f"Import {job.pk} refused")

    def _progress(self, job: ImportJob) -> None:
        sys.stderr.write(
            f"\r{job.phase:8} {job.progress_percent:3d}%  rows {job.rows_seen:,}  "
            f"rejected {job.rows_rejected:,}"
        )
        sys.stderr.flush()
