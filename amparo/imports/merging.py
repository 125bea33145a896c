"""Helpers the layouts' merge functions share: moving staged rows into the real tables."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

from django.db import connection

from amparo.core.bulk import sqlite_adapter

from .layouts import Context, Layout, Merged

FETCH = 2000


def params(*values: Any) -> list[Any]:
    """Query parameters as the database driver takes them (SQLite has no UUID type)."""
    if connection.vendor == "sqlite":
        adapt = sqlite_adapter()
        return [adapt(v) for v in values]
    return list(values)


def sql_merge(table: str, insert_sql: str, args: Sequence[Any]) -> Merged:
    """Run an INSERT ... SELECT from the staging table that skips references already
    imported (ON CONFLICT DO NOTHING on the (institution, source, external_ref) key)."""
    staged = staged_count(table)
    with connection.cursor() as cursor:
        cursor.execute(insert_sql, params(*args))
        inserted = max(cursor.rowcount, 0)
    return Merged(inserted=inserted, existing=staged - inserted)


def _typed(layout: Layout) -> list[tuple[str, str]]:
    return [("line", "integer"), *[(c.name, c.sql_type) for c in layout.columns]]


def _from_sqlite(value: Any, sql_type: str) -> Any:
    if value is None or connection.vendor != "sqlite":
        return value
    if sql_type == "datetime":
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    if sql_type == "date":
        return date.fromisoformat(value)
    return value


def new_staged_rows(
    ctx: Context, table: str, layout: Layout, target: str | None
) -> Iterator[list[dict[str, Any]]]:
    """Batches of staged rows, as typed dicts; with a `target` table, only the rows whose
    (institution, source, reference) is not in it yet."""
    columns = _typed(layout)
    names = ", ".join(f"s.{name}" for name, _t in columns)
    where, args = "", []
    if target is not None:
        where = (
            f"WHERE NOT EXISTS (SELECT 1 FROM {target} t WHERE t.institution_id = %s "
            "AND t.source = %s AND t.external_ref = s.ref)"
        )
        args = params(ctx.job.institution_id, ctx.job.source)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {names} FROM {table} s {where} ORDER BY s.line", args)
        while batch := cursor.fetchmany(FETCH):
            yield [
                {name: _from_sqlite(v, t) for (name, t), v in zip(columns, row, strict=True)}
                for row in batch
            ]


def staged_count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        return cursor.fetchone()[0]
