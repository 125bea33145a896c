"""Running one import: read, check every row, stage, then merge in one transaction.

1. Every row is read and checked (cells, then the row as a whole, then repeats within the
   file). Valid rows go to a temporary staging table; rejected rows to the reject file.
2. All or nothing (the default): any rejected row refuses the whole file and nothing reaches
   the real tables. Valid rows only: the valid rows are merged and the reject file lists the
   others with their line and reason.
3. The merge moves the staged rows into the real tables in one transaction, skipping rows
   whose (institution, source, reference) is already there: importing a file twice adds
   nothing.

Memory stays flat whatever the file size: rows stream through in batches; only a fingerprint
per reference is kept to find repeats within the file.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from amparo.core.audit import audit_record
from amparo.core.bulk import sqlite_text
from amparo.core.export import safe_row

from .layouts import CellError, Context, Layout, Merged, layout_get, local_zone
from .models import ImportJob
from .reading import FileRefused, RawRow, Source, open_source

log = logging.getLogger(__name__)

BATCH = 20_000
KEPT_ERRORS = 200
ANALYZE_AFTER = 10_000
KEY = "ref"

SQL_TYPES = {
    "postgresql": {"text": "text", "integer": "bigint", "date": "date", "datetime": "timestamptz"},
    "sqlite": {"text": "text", "integer": "integer", "date": "text", "datetime": "text"},
}


def staging_table(job: ImportJob) -> str:
    return f"import_stage_{job.pk.hex[:12]}"


class _Stage:
    """The temporary table valid rows wait in until the merge."""

    def __init__(self, job: ImportJob, layout: Layout) -> None:
        self.table = staging_table(job)
        self.columns = ["line", *[c.name for c in layout.columns]]
        types = SQL_TYPES[connection.vendor]
        cols = ", ".join(
            ["line integer", *[f"{c.name} {types[c.sql_type]}" for c in layout.columns]]
        )
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
            cursor.execute(f"CREATE TEMPORARY TABLE {self.table} ({cols})")
        self.pending: list[tuple[Any, ...]] = []
        self.count = 0
        # SQLite stores dates and times as text: convert only the columns that hold them.
        self._convert = [
            i + 1 for i, c in enumerate(layout.columns) if c.sql_type in ("date", "datetime")
        ]

    def add(self, row: tuple[Any, ...]) -> None:
        self.pending.append(row)
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        rows, self.pending = self.pending, []
        if connection.vendor == "postgresql":
            # One COPY statement, committed on its own: the rows are safe in the staging table.
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(
                    f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN"
                ) as out,
            ):
                for row in rows:
                    out.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(self.columns))
            # One transaction per batch: without it SQLite commits every row.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {self.table} VALUES ({marks})", self._for_sqlite(rows)
                )
        self.count += len(rows)

    def _for_sqlite(self, rows: list[tuple[Any, ...]]) -> list[list[Any]]:
        out = []
        for row in rows:
            values = list(row)
            for i in self._convert:
                values[i] = sqlite_text(values[i])
            out.append(values)
        return out

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")


class _Rejects:
    """The reject file: each refused line with its number, column and reason, then the
    original cells, so it can be corrected and imported again."""

    def __init__(self, header: list[str]) -> None:
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer)
        self.writer.writerow([_("line"), _("column"), _("reason"), *header])
        self.kept: list[dict[str, Any]] = []
        self.count = 0

    def add(self, row: RawRow, column: str, message: str) -> None:
        self.count += 1
        self.writer.writerow(safe_row([row.line, column, message, *row.cells]))
        if len(self.kept) < KEPT_ERRORS:
            self.kept.append({"line": row.line, "column": column, "message": message})


def _check_rows(
    job: ImportJob,
    layout: Layout,
    source: Source,
    ctx: Context,
    stage: _Stage,
    rejects: _Rejects,
    progress: Callable[[int, int], None],
) -> tuple[int, int]:
    """Read and check every row; stage the valid ones. Returns (rows seen, repeats skipped)."""
    positions = [
        source.header.index(c.name) if c.name in source.header else -1 for c in layout.columns
    ]
    parsers = [(c.parse, pos) for c, pos in zip(layout.columns, positions, strict=True)]
    names = [c.name for c in layout.columns]
    key_pos = source.header.index(KEY)
    seen: dict[int, tuple[int, int]] = {}  # hash(ref) -> (line, fingerprint of the row)
    rows = repeats = 0
    for raw in source.rows:
        rows += 1
        if rows % BATCH == 0:
            progress(rows, rejects.count)
        if raw.problem:
            rejects.add(raw, raw.problem_column, raw.problem)
            continue
        values: list[Any] = [raw.line]
        cells = raw.cells
        try:
            for parse, pos in parsers:
                values.append(parse(cells[pos] if pos >= 0 else "", ctx))
        except CellError as exc:
            rejects.add(raw, names[len(values) - 1], str(exc))  # the column that failed
            continue
        if layout.row_check is not None:
            problems = layout.row_check(dict(zip(names, values[1:], strict=True)))
            if problems:
                rejects.add(raw, problems[0][0], problems[0][1])
                continue
        # Python's hash: fast, and stable within the one process that reads the file.
        ref_hash = hash(cells[key_pos].strip())
        fingerprint = hash(tuple(cells))
        earlier = seen.get(ref_hash)
        if earlier is not None:
            if earlier[1] == fingerprint:
                repeats += 1  # the same row twice: harmless, kept once
                continue
            rejects.add(
                raw,
                KEY,
                _("The reference is already used by line %(line)s with other values.")
                % {"line": earlier[0]},
            )
            continue
        seen[ref_hash] = (raw.line, fingerprint)
        stage.add(tuple(values))
    stage.flush()
    return rows, repeats


def _save_rejects(job: ImportJob, rejects: _Rejects) -> None:
    if rejects.count:
        name = f"{Path(job.original_name).stem}-rechazos.csv"
        content = ("\ufeff" + rejects.buffer.getvalue()).encode("utf-8")
        job.reject_file.save(name, ContentFile(content), save=False)


def _update(job: ImportJob, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    ImportJob.objects.filter(pk=job.pk).update(**fields)


def run_import(
    job: ImportJob, *, on_progress: Callable[[ImportJob], None] | None = None
) -> ImportJob:
    """Run a queued job to its end. Never raises for bad input: the job says what happened."""
    layout = layout_get(job.kind)
    with translation.override(job.created_by.language or "es"):
        if layout is None:
            return _finish(job, ImportJob.Status.REFUSED, _("Unknown kind of import."))
        _update(job, status=ImportJob.Status.RUNNING, phase="reading", started_at=datetime.now(UTC))
        stage: _Stage | None = None
        try:
            source = open_source(
                Path(job.file.path),
                required=layout.required | {KEY},
                known=layout.known,
                sheet=job.sheet,
            )
            _update(
                job,
                encoding=source.encoding,
                delimiter=source.delimiter,
                total_bytes=source.total_bytes,
            )
            ctx = Context(job=job, tz=local_zone())
            layout.prepare(ctx)
            stage = _Stage(job, layout)
            rejects = _Rejects(source.header)

            def progress(rows: int, rejected: int) -> None:
                done = source.bytes_read or rows
                _update(job, rows_seen=rows, rows_rejected=rejected, processed_bytes=done)
                if on_progress:
                    on_progress(job)

            rows, repeats = _check_rows(job, layout, source, ctx, stage, rejects, progress)
            _save_rejects(job, rejects)
            _update(
                job,
                rows_seen=rows,
                rows_valid=stage.count,
                rows_rejected=rejects.count,
                errors=rejects.kept,
                processed_bytes=job.total_bytes,
                reject_file=job.reject_file.name or "",
            )
            if rows == 0:
                return _finish(job, ImportJob.Status.REFUSED, _("The file has no rows to import."))
            if rejects.count and job.mode == ImportJob.Mode.ALL_OR_NOTHING:
                return _finish(
                    job,
                    ImportJob.Status.REFUSED,
                    _(
                        "%(bad)s of %(rows)s rows have errors: nothing was imported. Correct them, "
                        "or import the valid rows only and correct the rejected ones afterwards."
                    )
                    % {"bad": rejects.count, "rows": rows},
                )
            _update(job, phase="writing")
            if on_progress:
                on_progress(job)
            with transaction.atomic():
                merged: Merged = layout.merge(ctx, stage.table)
                audit_record(
                    actor=job.created_by,
                    action="import.run",
                    obj=job,
                    detail={
                        "kind": job.kind,
                        "inserted": merged.inserted,
                        "existing": merged.existing,
                        "rejected": rejects.count,
                    },
                )
            _update(job, rows_inserted=merged.inserted, rows_existing=merged.existing + repeats)
            if merged.inserted >= ANALYZE_AFTER:
                _analyze(layout)
            message = _summary(job)
            if merged.not_reported:
                message += " " + ngettext(
                    "%(n)s row without a count (not reported) stored nothing.",
                    "%(n)s rows without a count (not reported) stored nothing.",
                    merged.not_reported,
                ) % {"n": merged.not_reported}
            return _finish(job, ImportJob.Status.DONE, message)
        except FileRefused as exc:
            return _finish(job, ImportJob.Status.REFUSED, str(exc))
        finally:
            if stage is not None:
                stage.drop()


def _analyze(layout: Layout) -> None:
    """Fresh statistics after a large import: without them the planner keeps the plans of an
    almost empty table (a list of a year of contacts took seconds instead of milliseconds)."""
    with connection.cursor() as cursor:
        for table in layout.tables:
            cursor.execute(f"ANALYZE {table}")


def _summary(job: ImportJob) -> str:
    return _("%(inserted)s rows added, %(existing)s already imported, %(rejected)s rejected.") % {
        "inserted": job.rows_inserted,
        "existing": job.rows_existing,
        "rejected": job.rows_rejected,
    }


def _finish(job: ImportJob, status: str, message: str) -> ImportJob:
    _update(job, status=status, phase="", message=message, finished_at=datetime.now(UTC))
    return job
