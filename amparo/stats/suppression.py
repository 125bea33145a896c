"""Protection of small numbers in published and exported tables.

A count between 1 and THRESHOLD - 1 could point at a person (one trafficking victim of a given
nationality and age), so it is suppressed (primary suppression). A suppressed cell could still
be worked out from the total and the other cells of its row or column, so in every row and
column whose total is shown, a row or column with exactly one suppressed cell gets a second one
suppressed: the smallest other non-zero cell, or, if there is none, the total itself
(complementary suppression). This is repeated until nothing changes. Zeros are shown: they
reveal no one. Sums that count no one (durations, pamphlets handed out) are not suppressed;
sums of people counted in aggregate (migrants entering at a crossing point) are.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from .compute import Table
from .registry import Indicator, Measure, Unit

THRESHOLD = 5


@dataclass
class Shown:
    """A table as published: `None` where a value is suppressed."""

    dimensions: tuple[str, ...]
    cells: list[tuple[tuple[str, ...], tuple[str, ...], int | float | None]]
    total: int | float | None
    # 2-D tables: the margins, by the value of the first and of the second dimension.
    rows: dict[str, int | float | None] = field(default_factory=dict)
    columns: dict[str, int | float | None] = field(default_factory=dict)
    suppressed: int = 0
    title: str = ""  # the dimensions' names, for display


def _small(value: float, threshold: int) -> bool:
    return 0 < value < threshold


def counts_people(indicator: Indicator) -> bool:
    """Whether a small value of this indicator could point at someone."""
    return indicator.measure != Measure.SUM or indicator.unit == Unit.PEOPLE


def suppress_groups(
    values: dict[Hashable, float], groups: list[tuple[Hashable, list[Hashable]]], threshold: int
) -> set[Hashable]:
    """The keys to hide. `values` holds every cell and every total; each group is (its total's
    key, its members' keys): a group whose total is shown may not have exactly one member
    hidden."""
    hidden = {k for k, v in values.items() if _small(v, threshold)}
    changed = True
    while changed:
        changed = False
        for total, members in groups:
            if total in hidden:
                continue
            gone = [m for m in members if m in hidden]
            if len(gone) != 1:
                continue
            others = sorted(
                (m for m in members if m not in hidden and values.get(m, 0) > 0),
                key=lambda m: (values[m], str(m)),
            )
            hidden.add(others[0] if others else total)
            changed = True
    return hidden


def suppress(table: Table, threshold: int = THRESHOLD) -> Shown:
    """The table as it may be published."""
    dims = table.dimensions
    if not counts_people(table.indicator) or not dims:
        cells = [(c.key, c.labels, c.value) for c in table.cells]
        small = counts_people(table.indicator) and _small(table.total, threshold)
        return Shown(dims, cells, None if small else table.total, suppressed=int(small))
    values: dict[Hashable, float] = {("cell", c.key): c.value for c in table.cells}
    values[("total",)] = table.total
    groups: list[tuple[Hashable, list[Hashable]]] = []
    rows: dict[str, float] = {}
    cols: dict[str, float] = {}
    if len(dims) == 1:
        groups.append((("total",), [("cell", c.key) for c in table.cells]))
    else:
        # Margins of a 2-D table (further dimensions are folded into the second).
        for c in table.cells:
            a, b = c.key[0], "\x1f".join(c.key[1:])
            rows[a] = rows.get(a, 0) + c.value
            cols[b] = cols.get(b, 0) + c.value
        values.update({("row", a): v for a, v in rows.items()})
        values.update({("col", b): v for b, v in cols.items()})
        for a in rows:
            members = [("cell", c.key) for c in table.cells if c.key[0] == a]
            groups.append((("row", a), members))
        for b in cols:
            members = [("cell", c.key) for c in table.cells if "\x1f".join(c.key[1:]) == b]
            groups.append((("col", b), members))
        groups.append((("total",), [("row", a) for a in rows]))
        groups.append((("total",), [("col", b) for b in cols]))
    hidden = suppress_groups(values, groups, threshold)

    def shown(key: Hashable) -> Any:
        return None if key in hidden else values[key]

    return Shown(
        dims,
        [(c.key, c.labels, shown(("cell", c.key))) for c in table.cells],
        shown(("total",)),
        rows={a: shown(("row", a)) for a in rows},
        columns={b: shown(("col", b)) for b in cols},
        suppressed=len(hidden),
    )


def public_value(
    value: int | float, indicator: Indicator, threshold: int = THRESHOLD
) -> int | float | None:
    """A single published figure: hidden when it is small and could point at someone."""
    return None if counts_people(indicator) and _small(value, threshold) else value
