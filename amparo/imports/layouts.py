"""Published column layouts: what each kind of import reads, and how each cell is checked.

A layout is declared once; the same declaration checks the rows, documents the columns on the
import page and in docs/imports.md, and names the staging table's columns.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .models import ImportJob


class CellError(ValueError):
    """One cell's value is refused; the message names what was expected."""


@dataclass
class Context:
    """What the parsers of one import need: the job's options and the code lists."""

    job: ImportJob
    codes: dict[str, Any] = field(default_factory=dict)
    tz: Any = None

    @property
    def month_first(self) -> bool:
        return self.job.date_order == ImportJob.DateOrder.MONTH_DAY


Parser = Callable[[str, Context], Any]


@dataclass(frozen=True)
class Column:
    name: str
    parse: Parser
    required: bool = True
    # "text", "integer", "date", "datetime": the staging column's type.
    sql_type: str = "text"
    help: str | Promise = ""
    example: str = ""
    # The values a cell may hold, as (code, label): the import page shows each code as code
    # (what the file must contain) beside its label, never as one sentence of codes.
    values: tuple[tuple[str, str | Promise], ...] = ()


@dataclass(frozen=True)
class Merged:
    inserted: int
    existing: int
    not_reported: int = 0  # rows that say "no data" (flows: an empty count) and store nothing


@dataclass(frozen=True)
class Layout:
    kind: str
    title: str | Promise
    columns: tuple[Column, ...]
    # Loads the code lists the parsers look values up in (one query each, not one per row).
    prepare: Callable[[Context], None]
    # Moves the staged rows (table name given) into the real tables; returns the counts.
    merge: Callable[[Context, str], Merged]
    # Checks across the cells of one parsed row: [(column, message)].
    row_check: Callable[[dict[str, Any]], list[tuple[str, str]]] | None = None
    description: str | Promise = ""
    # The tables a large import grows: their planner statistics are refreshed after it.
    tables: tuple[str, ...] = ()

    @property
    def required(self) -> set[str]:
        return {c.name for c in self.columns if c.required}

    @property
    def known(self) -> set[str]:
        return {c.name for c in self.columns}


LAYOUTS: dict[str, Layout] = {}


def register(layout: Layout) -> Layout:
    LAYOUTS[layout.kind] = layout
    return layout


def layout_get(kind: str) -> Layout | None:
    return LAYOUTS.get(kind)


# ---------------------------------------------------------------- cell parsers


def text(max_length: int) -> Parser:
    def parse(value: str, ctx: Context) -> str:
        cleaned = " ".join(value.split())
        if len(cleaned) > max_length:
            raise CellError(_("At most %(n)s characters.") % {"n": max_length})
        return cleaned

    return parse


def required_text(max_length: int) -> Parser:
    inner = text(max_length)

    def parse(value: str, ctx: Context) -> str:
        cleaned = inner(value, ctx)
        if not cleaned:
            raise CellError(_("This cell cannot be empty."))
        return cleaned

    return parse


def integer(low: int, high: int) -> Parser:
    def parse(value: str, ctx: Context) -> int | None:
        value = value.strip()
        if not value:
            return None
        try:
            number = int(value)
        except ValueError:
            raise CellError(_("“%(value)s” is not a whole number.") % {"value": value}) from None
        if not low <= number <= high:
            raise CellError(
                _("%(value)s is out of range (%(low)s to %(high)s).")
                % {"value": number, "low": low, "high": high}
            )
        return number

    return parse


def code(list_name: str, *, normalise: Callable[[str], str] = str.strip) -> Parser:
    """A value from a code list loaded by the layout's `prepare` into ctx.codes[list_name]
    (a set of codes, or a dict from code to what it stands for)."""

    def parse(value: str, ctx: Context) -> Any:
        key = normalise(value)
        if not key:
            return None
        known = ctx.codes[list_name]
        if key not in known:
            raise CellError(_("Unknown code “%(value)s”.") % {"value": value.strip()[:40]})
        return known[key] if isinstance(known, dict) else key

    return parse


def choice(values: Iterable[str]) -> Parser:
    allowed = frozenset(values)

    def parse(value: str, ctx: Context) -> str | None:
        key = value.strip().lower()
        if not key:
            return None
        if key not in allowed:
            raise CellError(
                _("“%(value)s” is not one of: %(allowed)s.")
                % {"value": value.strip()[:40], "allowed": ", ".join(sorted(allowed))}
            )
        return key

    return parse


def not_empty(parser: Parser) -> Parser:
    def parse(value: str, ctx: Context) -> Any:
        result = parser(value, ctx)
        if result is None or result == "":
            raise CellError(_("This cell cannot be empty."))
        return result

    return parse


_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_SLASH_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def _day_month(value: str, ctx: Context) -> date:
    if m := _ISO_DATE.match(value):
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise CellError(_("“%(value)s” is not a real date.") % {"value": value}) from None
    m = _SLASH_DATE.match(value)
    if not m:
        raise CellError(
            _("“%(value)s” is not a date: write YYYY-MM-DD or DD/MM/YYYY.") % {"value": value[:40]}
        )
    first, second, year = int(m[1]), int(m[2]), int(m[3])
    day, month = (second, first) if ctx.month_first else (first, second)
    try:
        return date(year, month, day)
    except ValueError:
        pass
    try:  # would the other order make it a date? Then the file's order is the other one.
        date(year, day, month)
    except ValueError:
        raise CellError(_("“%(value)s” is not a real date.") % {"value": value}) from None
    order = _("month/day/year") if not ctx.month_first else _("day/month/year")
    raise CellError(
        _(
            "“%(value)s” is not a valid date in this file's order; the file seems to write "
            "%(order)s: import it again choosing that date order."
        )
        % {"value": value, "order": order}
    )


def a_date(value: str, ctx: Context) -> date | None:
    value = value.strip()
    if not value:
        return None
    return _day_month(value.split(" ")[0].split("T")[0] if ":" in value else value, ctx)


_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$")


def a_datetime(value: str, ctx: Context) -> datetime | None:
    """A date and time; without an offset it is local time of the deployment (TIME_ZONE)."""
    value = value.strip()
    if not value:
        return None
    if "T" in value or value[:4].isdigit():
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None:
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=ctx.tz)
            return parsed
    day_part, _sep, time_part = value.partition(" ")
    day = _day_month(day_part, ctx)
    moment = time(0)
    if time_part.strip():
        m = _TIME.match(time_part.strip())
        if not m or int(m[1]) > 23 or int(m[2]) > 59 or int(m[3] or 0) > 59:
            raise CellError(
                _("“%(value)s” is not a time: write HH:MM.") % {"value": time_part[:20]}
            )
        moment = time(int(m[1]), int(m[2]), int(m[3] or 0))
    return datetime.combine(day, moment, tzinfo=ctx.tz)


def not_future(parser: Parser) -> Parser:
    now = datetime.now(UTC)

    def parse(value: str, ctx: Context) -> Any:
        result = parser(value, ctx)
        if isinstance(result, datetime) and result > now:
            raise CellError(_("The date is in the future."))
        if type(result) is date and result > now.date():
            raise CellError(_("The date is in the future."))
        return result

    return parse


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)
