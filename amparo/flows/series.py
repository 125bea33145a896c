"""Flow rows → validated daily series (shared by the command line, imports and the app).

A row is (date, point, direction, nationality, group, count). ``count`` None means "not
reported" and is kept as NaN in every series: a missing day is never a zero.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.utils.translation import gettext as _

COLUMNS = ("date", "point", "direction", "nationality", "group", "count")
DIRECTIONS = ("in", "out")
UNSPECIFIED = "unspecified"
MAX_ERRORS = 50
LONG_GAP_DAYS = 365


class FlowInputError(ValueError):
    """Bad input: every message names its line and column."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("\n".join(messages))


@dataclass(frozen=True)
class FlowRow:
    line: int
    date: dt.date
    point: str
    direction: str
    nationality: str
    group: str
    count: int | None


@dataclass
class FlowTable:
    """Daily series keyed by point (direction 'in' by default) plus the disaggregated rows."""

    days: np.ndarray  # datetime64[D], consecutive
    points: list[str]
    totals: np.ndarray  # (P, T) sum of reported rows, NaN when no row reported
    child_keys: list[tuple[str, str, str]]  # (point, nationality, group)
    children: np.ndarray  # (C, T)
    warnings: list[str] = field(default_factory=list)


def _parse_row(line: int, raw: dict[str, str], today: dt.date, errors: list[str]) -> FlowRow | None:
    before = len(errors)
    text = (raw.get("date") or "").strip()
    try:
        day = dt.date.fromisoformat(text)
        if len(text) != 10:
            raise ValueError
    except ValueError:
        errors.append(
            _("line %(line)d, column date: %(value)r is not a date YYYY-MM-DD")
            % {"line": line, "value": text}
        )
        day = None
    if day is not None and day > today:
        errors.append(
            _("line %(line)d, column date: %(value)s is in the future")
            % {"line": line, "value": text}
        )
    point = (raw.get("point") or "").strip()
    if not point:
        errors.append(
            _("line %(line)d, column point: the crossing point is empty") % {"line": line}
        )
    direction = (raw.get("direction") or "").strip().lower()
    if direction not in DIRECTIONS:
        errors.append(
            _("line %(line)d, column direction: %(value)r is not 'in' or 'out'")
            % {"line": line, "value": direction}
        )
    count_text = (raw.get("count") or "").strip()
    count: int | None = None
    if count_text:
        try:
            number = float(count_text)
            if number != int(number):
                raise ValueError
            count = int(number)
        except (ValueError, OverflowError):
            errors.append(
                _("line %(line)d, column count: %(value)r is not a whole number")
                % {"line": line, "value": count_text}
            )
        else:
            if count < 0:
                errors.append(
                    _("line %(line)d, column count: %(value)d is negative")
                    % {"line": line, "value": count}
                )
    if len(errors) > before or day is None:
        return None
    return FlowRow(
        line=line,
        date=day,
        point=point,
        direction=direction,
        nationality=(raw.get("nationality") or "").strip() or UNSPECIFIED,
        group=(raw.get("group") or "").strip() or UNSPECIFIED,
        count=count,
    )


def read_rows(path: Path, *, today: dt.date | None = None) -> list[FlowRow]:
    """Read and validate a flow CSV; raise FlowInputError listing every problem found."""
    today = today or dt.date.today()
    errors: list[str] = []
    rows: list[FlowRow] = []
    try:
        handle = open(path, newline="", encoding="utf-8-sig")
    except OSError as exc:
        message = _("cannot read %(path)s: %(error)s") % {"path": path, "error": exc}
        raise FlowInputError([message]) from None
    with handle:
        try:
            reader = csv.DictReader(handle)
            header = [h.strip().lower() for h in (reader.fieldnames or [])]
            missing = [c for c in COLUMNS if c not in header]
            if missing:
                raise FlowInputError(
                    [_("line 1: missing column(s): %(cols)s") % {"cols": ", ".join(missing)}]
                )
            reader.fieldnames = header
            for line, raw in enumerate(reader, start=2):
                row = _parse_row(line, raw, today, errors)
                if row is not None:
                    rows.append(row)
                if len(errors) >= MAX_ERRORS:
                    errors.append(_("stopped after %(n)d errors") % {"n": MAX_ERRORS})
                    break
        except UnicodeDecodeError:
            raise FlowInputError([_("the file is not UTF-8 text")]) from None
        except csv.Error as exc:
            raise FlowInputError([_("CSV error: %(error)s") % {"error": exc}]) from None
    if not rows and not errors:
        errors.append(_("the file has no data rows"))
    errors.extend(check_duplicates(rows))
    if errors:
        raise FlowInputError(errors)
    return rows


def check_duplicates(rows: Iterable[FlowRow]) -> list[str]:
    """Same key twice: ignored when the counts agree, an error naming both lines otherwise."""
    seen: dict[tuple, FlowRow] = {}
    errors: list[str] = []
    for row in rows:
        key = (row.date, row.point, row.direction, row.nationality, row.group)
        first = seen.get(key)
        if first is None:
            seen[key] = row
        elif first.count != row.count:
            errors.append(
                _(
                    "line %(line)d, column count: %(count)s differs from line %(first)d (%(fc)s) "
                    "for the same date, point, direction, nationality and group"
                )
                % {
                    "line": row.line,
                    "count": _blank(row.count),
                    "first": first.line,
                    "fc": _blank(first.count),
                }
            )
    return errors


def _blank(count: int | None) -> str:
    return "—" if count is None else str(count)


def _unique(rows: Iterable[FlowRow]) -> Iterator[FlowRow]:
    seen: set[tuple] = set()
    for row in rows:
        key = (row.date, row.point, row.direction, row.nationality, row.group)
        if key not in seen:
            seen.add(key)
            yield row


def build_table(
    rows: list[FlowRow], *, direction: str = "in", end: dt.date | None = None
) -> FlowTable:
    """Point totals and (point, nationality, group) series for one direction.

    A point-day is reported when at least one of its rows has a count; rows left empty add
    nothing. A point-day with no reported row is NaN. Points appear even when every one of
    their rows is in the other direction (their series is then entirely missing).
    """
    chosen = [r for r in _unique(rows) if r.direction == direction]
    all_points = sorted({r.point for r in rows})
    first = min(r.date for r in rows)
    last = end or max(r.date for r in rows)
    t = (last - first).days + 1
    days = np.arange(np.datetime64(first, "D"), np.datetime64(first, "D") + t)
    p_index = {p: i for i, p in enumerate(all_points)}
    keys = sorted({(r.point, r.nationality, r.group) for r in chosen})
    k_index = {k: i for i, k in enumerate(keys)}
    reported = [r for r in chosen if r.count is not None and (r.date - first).days < t]
    pi = np.array([p_index[r.point] for r in reported], dtype=np.int64)
    ki = np.array([k_index[(r.point, r.nationality, r.group)] for r in reported], dtype=np.int64)
    ji = np.array([(r.date - first).days for r in reported], dtype=np.int64)
    ci = np.array([r.count for r in reported], dtype=float)
    totals = np.zeros((len(all_points), t))
    np.add.at(totals, (pi, ji), ci)
    seen = np.zeros((len(all_points), t), dtype=bool)
    seen[pi, ji] = True
    totals[~seen] = np.nan  # no row reported that day: missing, not zero
    children = np.full((len(keys), t), np.nan)
    children[ki, ji] = ci
    table = FlowTable(
        days=days, points=all_points, totals=totals, child_keys=keys, children=children
    )
    table.warnings = long_gap_warnings(table)
    return table


def long_gap_warnings(table: FlowTable) -> list[str]:
    """A year or more without data: said aloud, and the engine restarts the stream after it."""
    out = []
    for i, point in enumerate(table.points):
        idx = np.flatnonzero(~np.isnan(table.totals[i]))
        if idx.size == 0:
            out.append(
                _(
                    "point %(point)s: no day reported; its phase stays normal and its "
                    "expected count empty"
                )
                % {"point": point}
            )
            continue
        gaps = np.diff(np.concatenate([[-1], idx, [table.days.size]])) - 1
        for g, start in zip(gaps, np.concatenate([[0], idx + 1]), strict=True):
            if g >= LONG_GAP_DAYS:
                out.append(
                    _(
                        "point %(point)s: %(n)d days without data from %(day)s; the history "
                        "before the gap is ignored (the stream restarts)"
                    )
                    % {
                        "point": point,
                        "n": int(g),
                        "day": str(table.days[min(start, table.days.size - 1)]),
                    }
                )
    return out
