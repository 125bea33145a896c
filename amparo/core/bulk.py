"""Writing many rows fast: COPY on PostgreSQL, executemany on SQLite.

Used where the ORM's per-object cost would dominate (bulk imports, demo data). Callers pass
plain tuples of Python values in the table's column order, inside their own transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from django.db import connection

Writer = Callable[[str, Sequence[str], Iterable[tuple[Any, ...]]], int]


def bulk_writer() -> Writer:
    """A function (table, columns, rows) -> rows written, for the default database."""
    if connection.vendor == "postgresql":

        def copy(table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> int:
            written = 0
            with connection.cursor() as cursor:
                sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
                with cursor.cursor.copy(sql) as out:
                    for row in rows:
                        out.write_row(row)
                        written += 1
            return written

        return copy

    adapt = sqlite_adapter()

    def insert(table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> int:
        marks = ", ".join(["%s"] * len(columns))
        values = [tuple(adapt(v) for v in row) for row in rows]
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", values
            )
        return len(values)

    return insert


def sqlite_text(value: date | datetime | None) -> str | None:
    """A date, or a datetime as Django's SQLite backend stores it (UTC, no offset)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(" ")
    return value.isoformat()


def sqlite_adapter() -> Callable[[Any], Any]:
    """Python values as Django stores them in SQLite (UUID hex, UTC datetimes as text)."""
    ops = connection.ops

    def adapt(value: Any) -> Any:
        if isinstance(value, uuid.UUID):
            return value.hex
        if isinstance(value, datetime):
            return ops.adapt_datetimefield_value(value)
        if isinstance(value, date):
            return value.isoformat()
        return value

    return adapt
