"""Small numbers: cells from 1 to 4 hidden, and the cells that would give them away."""

from __future__ import annotations

from amparo.stats.compute import Cell, Table
from amparo.stats.registry import get
from amparo.stats.suppression import public_value, suppress


def _table(
    cells: dict[tuple[str, ...], int],
    dims: tuple[str, ...] = ("sex",),
    indicator: str = "consular.services",
) -> Table:
    ind = get(indicator)
    assert ind is not None
    return Table(ind, dims, [Cell(k, k, v) for k, v in cells.items()], sum(cells.values()))


def _hidden(shown) -> set[tuple[str, ...]]:  # type: ignore[no-untyped-def]
    return {key for key, _labels, value in shown.cells if value is None}


def test_a_single_small_cell_takes_the_next_smallest_with_it() -> None:
    shown = suppress(_table({("F",): 3, ("M",): 40, ("X",): 0, ("U",): 12}))
    # 3 alone could be worked out from the total: 12 goes too; the zero stays.
    assert _hidden(shown) == {("F",), ("U",)}
    assert shown.total == 55
    values = {k: v for k, _l, v in shown.cells}
    assert values[("M",)] == 40 and values[("X",)] == 0


def test_two_small_cells_protect_each_other_and_nothing_else_is_hidden() -> None:
    shown = suppress(_table({("F",): 2, ("M",): 1, ("U",): 30}))
    assert _hidden(shown) == {("F",), ("M",)}
    assert shown.total == 33


def test_a_small_total_hides_the_whole_table() -> None:
    shown = suppress(_table({("F",): 2, ("M",): 1}))
    assert shown.total is None and _hidden(shown) == {("F",), ("M",)}
    # Nothing hidden when nothing is small.
    assert suppress(_table({("F",): 5, ("M",): 9})).suppressed == 0


def test_two_way_tables_protect_rows_and_columns() -> None:
    cells = {
        ("F", "child"): 2, ("F", "adult"): 20, ("F", "older"): 9,
        ("M", "child"): 8, ("M", "adult"): 30, ("M", "older"): 11,
    }  # fmt: skip
    shown = suppress(_table(cells, ("sex", "age_group")))
    hidden = _hidden(shown)
    assert ("F", "child") in hidden
    # No row or column whose total is shown has exactly one hidden cell.
    for row in ("F", "M"):
        if shown.rows[row] is not None:
            assert len([k for k in hidden if k[0] == row]) != 1
    for col in ("child", "adult", "older"):
        if shown.columns[col] is not None:
            assert len([k for k in hidden if k[1] == col]) != 1
    # The 2 cannot be recomputed from any shown margin.
    assert len(hidden) >= 4
    assert shown.total == 80


def test_a_single_figure() -> None:
    services = get("consular.services")
    assert services is not None
    assert public_value(3, services) is None and public_value(0, services) == 0
    assert public_value(5, services) == 5


def test_sums_are_hidden_only_when_they_count_people() -> None:
    # Migrants entering at a crossing point are people counted in aggregate: protected.
    entries = suppress(_table({("F",): 3, ("M",): 40, ("U",): 12}, indicator="flows.entries"))
    assert _hidden(entries) == {("F",), ("U",)}
    # Pamphlets handed out name no one: shown as they are, however few.
    pamphlets = get("labour.pamphlets")
    assert pamphlets is not None
    shown = suppress(_table({("F",): 3, ("M",): 40}, indicator="labour.pamphlets"))
    assert _hidden(shown) == set() and shown.suppressed == 0
    assert public_value(3, pamphlets) == 3
