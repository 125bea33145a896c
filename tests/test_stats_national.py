"""Done means: with the national demo loaded, the report's figures are the delegation's
(CMW/C/SR.413), here at reduced scale; the benchmark loads them at full scale."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from amparo.demo.national import scaled_volumes
from amparo.stats import compute as C
from amparo.stats.registry import get

pytestmark = pytest.mark.django_db

SCALE = 0.01

# Indicator, period, and the delegation's figure (a VOLUMES key), or a sum of them.
DELEGATION: list[tuple[str, tuple[str, str], tuple[str, ...]]] = [
    ("support_line.calls", ("2018-01-01", "2018-12-31"), ("contacts",)),
    ("consular.mobile_consulates", ("2018-01-01", "2018-12-31"), ("mobile_consulates",)),
    ("consular.services", ("2018-01-01", "2018-12-31"), ("services",)),
    ("consular.people_served", ("2018-01-01", "2018-12-31"), ("served_people",)),
    ("civil_registry.birth", ("2018-01-01", "2019-03-31"), ("births",)),
    ("civil_registry.marriage", ("2018-01-01", "2019-03-31"), ("marriages",)),
    ("civil_registry.death", ("2018-01-01", "2019-03-31"), ("deaths",)),
    ("travel_documents.child_passport", ("2018-01-01", "2019-03-31"), ("child_passports",)),
    ("travel_documents.special_pass", ("2018-01-01", "2019-03-31"), ("special_passes",)),
    (
        "travel_documents.travel_authorisation",
        ("2018-01-01", "2019-03-31"),
        ("travel_authorisations",),
    ),
    ("children.sheltered", ("2018-01-01", "2018-12-31"), ("sheltered_children",)),
    ("returnees.people", ("2018-01-01", "2018-12-31"), ("returnees",)),
    ("returnees.households", ("2018-01-01", "2018-12-31"), ("returnee_households",)),
    ("returnees.stay_programme", ("2018-01-01", "2019-03-31"), ("stay_adolescents",)),
    ("trafficking.complaints", ("2018-01-01", "2018-11-30"), ("trafficking_complaints",)),
    ("trafficking.cases_brought", ("2018-01-01", "2018-08-31"), ("trafficking_brought",)),
    (
        "violence.health_cases",
        ("2018-01-01", "2018-12-31"),
        ("violence_2018_women", "violence_2018_men"),
    ),
    (
        "violence.health_cases",
        ("2019-01-01", "2019-03-31"),
        ("violence_2019_women", "violence_2019_men"),
    ),
]


@pytest.fixture
def national() -> dict[str, int]:
    call_command("demo", national=True, scale=SCALE, stdout=io.StringIO())
    return scaled_volumes(SCALE)


def _report(start: str, end: str, *ids: str) -> dict[str, dict]:
    out = io.StringIO()
    args = ["report", "--from", start, "--to", end, "--format", "json"]
    for i in ids:
        args += ["--indicator", i]
    call_command("stats", *args, stdout=out)
    data = json.loads(out.getvalue())
    assert data["period"] == {"from": start, "to": end} and data["suppressed"] is False
    return {item["id"]: item for item in data["indicators"]}


def test_the_report_reproduces_the_delegations_figures(national: dict[str, int]) -> None:
    for indicator, (start, end), keys in DELEGATION:
        expected = sum(national[k] for k in keys)
        got = _report(start, end, indicator)[indicator]
        assert got["value"] == expected, (indicator, start, end)
        # Every table of the figure adds up to it where each record falls in one cell.
        for table in got["disaggregations"]:
            assert table["total"] == expected
            if get(indicator).measure == "records" and len(table["dimensions"]) == 1:  # type: ignore[union-attr]
                assert sum(c["value"] for c in table["cells"]) == expected


def test_labour_and_flows_figures_come_from_their_records(national: dict[str, int]) -> None:
    """Para. 9, 25-27 and 49: recruited workers, inspections and services in Montreal,
    pamphlets, migrants entering, and people supported under the caravan plan."""
    from amparo.flows import demo as flows_demo
    from amparo.labour.demo import scaled_volumes as labour_volumes

    labour = labour_volumes(SCALE)
    got = _report("2018-01-01", "2018-12-31")
    assert got["labour.workers_recruited"]["value"] == labour["recruited"]
    assert got["labour.workplace_inspections"]["value"] == labour["inspections"]
    assert got["labour.support_services"]["value"] == labour["services"]
    assert got["labour.pamphlets"]["value"] == (
        labour["pamphlets_canada"] + labour["pamphlets_mexico"]
    )
    entering = {
        name: sum(max(1, round(n * SCALE)) for n in groups.values())
        for name, (_first, _last, groups) in flows_demo.PERIODS.items()
    }
    assert got["flows.entries"]["value"] == entering["2018"]
    first_quarter = _report("2019-01-01", "2019-03-31")
    assert first_quarter["flows.entries"]["value"] == entering["2019Q1"]
    assert first_quarter["flows.people_supported"]["value"] == round(
        flows_demo.PEOPLE_SUPPORTED * SCALE
    )
    by_group = next(
        t for t in got["flows.entries"]["disaggregations"] if t["dimensions"] == ["group"]
    )
    assert sum(c["value"] for c in by_group["cells"]) == entering["2018"]


def test_violence_by_sex_and_every_indicator_in_one_report(national: dict[str, int]) -> None:
    for year, (start, end) in {"2018": ("2018-01-01", "2018-12-31"),
                               "2019": ("2019-01-01", "2019-03-31")}.items():  # fmt: skip
        got = _report(start, end, "violence.health_cases")["violence.health_cases"]
        sex = next(t for t in got["disaggregations"] if t["dimensions"] == ["sex"])
        by = {c["key"][0]: c["value"] for c in sex["cells"]}
        assert by["F"] == national[f"violence_{year}_women"]
        assert by["M"] == national[f"violence_{year}_men"]
    # The full catalogue in one run: every indicator is there, with its definition.
    everything = _report("2018-01-01", "2019-03-31")
    assert set(everything) >= {i for i, _p, _k in DELEGATION}
    assert all(item["definition"] and item["title"] for item in everything.values())
    assert everything["children.sheltered"]["value"] == national["sheltered_children"]
    # Children in the shelters are all under 18 at arrival.
    ages = next(
        t
        for t in everything["children.sheltered"]["disaggregations"]
        if t["dimensions"] == ["age_group"]
    )
    assert {c["key"][0] for c in ages["cells"] if c["value"]} <= {"child", "adolescent"}
    quedate = next(
        t
        for t in everything["returnees.stay_programme"]["disaggregations"]
        if t["dimensions"] == ["age_group"]
    )
    assert {c["key"][0] for c in quedate["cells"] if c["value"]} == {"adolescent"}


def test_figures_by_institution_and_an_empty_period(national: dict[str, int]) -> None:
    ind = get("children.sheltered")
    assert ind is not None
    from amparo.core.models import Institution

    sbs = Institution.objects.get(code="SBS")
    period = C.Period(date(2018, 1, 1), date(2018, 12, 31))
    assert C.compute(ind, period, institution_id=sbs.pk).value == national["sheltered_children"]
    minex = Institution.objects.get(code="MINEX")
    assert C.compute(ind, period, institution_id=minex.pk).value == 0
    # A period with no records gives zeros; a cumulative figure ("since 2016") carries on.
    empty = _report("2030-01-01", "2030-12-31")
    assert {item["value"] for item in empty.values() if not item["cumulative"]} == {0}
    assert empty["returnees.stay_programme"]["value"] == national["stay_adolescents"]


def test_bad_command_input_is_refused_with_a_message() -> None:
    with pytest.raises(CommandError, match="--from"):
        call_command("stats", "report", "--from", "2018-13-01", "--to", "2018-12-31")
    with pytest.raises(CommandError, match="before"):
        call_command("stats", "report", "--from", "2019-01-01", "--to", "2018-12-31")
    with pytest.raises(CommandError, match="unknown indicator"):
        call_command(
            "stats", "report", "--from", "2018-01-01", "--to", "2018-12-31", "--indicator", "x"
        )
    out = io.StringIO()
    call_command("stats", "list", stdout=out)
    assert "consular.people_served" in out.getvalue()


def test_one_scan_gives_the_tables_of_one_query_each(national: dict[str, int]) -> None:
    """On PostgreSQL every table of a figure comes from one GROUPING SETS scan: the same cells
    as one GROUP BY per table (the path SQLite takes)."""
    from amparo.stats.registry import catalogue

    period = C.Period(date(2018, 1, 1), date(2019, 3, 31))
    for ind in catalogue():
        dims = list(ind.disaggregations)
        sets = [(d,) for d in dims] + [tuple(dims[:3]), tuple(dims[:2]), (dims[0],)]
        fig = C.compute(ind, period, sets)
        qs = C.base_queryset(ind, period)
        assert fig.value == C.total(ind, qs), ind.id
        # One table alone: its cells add up to the figure, or the figure is counted apart.
        for one_set in ([dims[0]], dims[:3]):
            alone = C.compute(ind, period, [tuple(one_set)])
            assert alone.value == fig.value and alone.tables[0].total == fig.value, ind.id
        for got in fig.tables:
            one = C.table(ind, qs, got.dimensions)
            assert [(c.key, c.value) for c in got.cells] == [(c.key, c.value) for c in one.cells], (
                ind.id,
                got.dimensions,
            )
            assert got.total == one.total


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the benchmark exports with PostgreSQL's COPY",
)
def test_benchmark_floor_gives_the_same_tables(national: dict[str, int], tmp_path) -> None:  # type: ignore[no-untyped-def]
    """bench/stats_report.py in small: DuckDB over an export of the rows gives Amparo's tables."""
    import duckdb

    from amparo.stats.registry import get
    from bench import stats_report as bench

    con = duckdb.connect()
    period = C.Period(*bench.YEAR)
    for ind_id in ("consular.people_served", "children.sheltered", "returnees.people"):
        ind = get(ind_id)
        assert ind is not None
        dims = tuple(ind.disaggregations)
        fig = C.compute(ind, period)
        header = bench.duckdb_load(con, ind, bench.export_rows(ind, dims, tmp_path))
        got = bench.duckdb_tables(con, ind, header, dims, [(d,) for d in dims])
        assert got[()][()] == fig.value
        for table in fig.tables:
            mine = {c.key: c.value for c in table.cells if c.value}
            theirs = {tuple(map(str, k)): v for k, v in got[table.dimensions].items() if v}
            assert mine == theirs, (ind_id, table.dimensions)
