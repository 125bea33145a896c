"""The labour demo data, scaled down: the reported figures come out of the app's queries.

On PostgreSQL (DATABASE_URL=postgres://...) the bulk rows go through COPY."""

from __future__ import annotations

import pytest

from amparo.core.models import Role
from amparo.labour import queries
from amparo.labour.demo import LabourAlreadyLoaded, generate_labour, scaled_volumes
from amparo.labour.models import Placement, Recruiter, SupportService
from amparo.people.queries import persons_visible_to

pytestmark = pytest.mark.django_db
SCALE = 0.01


def test_the_scaled_figures_come_out_of_the_queries(make_user) -> None:  # type: ignore[no-untyped-def]
    summary = generate_labour(scale=SCALE, seed=7)
    volumes = scaled_volumes(SCALE)
    assert summary.volumes == volumes
    analyst = make_user(Role.ANALYST, "MINEX")  # statistics: the whole network
    figures = queries.labour_figures(actor=analyst, year=2018)
    assert figures["recruited_total"] == volumes["recruited"] == 181
    by_country: dict[str, int] = {}
    men = 0
    for row in figures["recruited"]:
        by_country[row.country] = by_country.get(row.country, 0) + row.workers
        men += row.workers if row.sex == "M" else 0
    assert set(by_country) == {"CA", "MX"} and by_country["CA"] > by_country["MX"]
    assert men / volumes["recruited"] > 0.85  # mostly men
    pamphlets = {p["country_id"]: 0 for p in figures["pamphlets"]}
    for p in figures["pamphlets"]:
        pamphlets[p["country_id"]] += p["quantity"]
    assert pamphlets == {"CA": volumes["pamphlets_canada"], "MX": volumes["pamphlets_mexico"]}
    assert (
        sum(v["n"] for v in figures["visits"] if v["site__code"] == "ca-montreal")
        == (volumes["inspections"])
    )
    assert figures["services_total"] == volumes["services"]
    # The ministry sees its workers (and counts them the same); the consulate its services.
    clerk = make_user(Role.CASEWORKER, "MINTRAB")
    own = queries.recruited_by_destination_and_sex(actor=clerk, year=2018)
    assert sum(r.workers for r in own) == volumes["recruited"]
    consul = make_user(Role.CASEWORKER, "MINEX")
    assert queries.labour_figures(actor=consul, year=2018)["services_total"] == volumes["services"]
    served = SupportService.objects.values_list("person_id", flat=True)
    assert persons_visible_to(consul).filter(pk__in=served).count() == len(set(served))
    # Placements hold what the actions write: a history ending in the status, versions.
    placement = Placement.objects.filter(status="returned").first()
    assert placement.history[-1]["status"] == "returned"
    assert placement.version == len(placement.history)
    assert placement.departed_on <= placement.returned_on
    assert Placement.objects.exclude(status__in=queries.RECRUITED).exists()  # not counted
    # The public check finds the demo recruiters authorised today.
    answer = queries.public_lookup(queries.PublicQuery(q="servicios laborales"))
    assert answer["items"] and not answer["error"]
    assert Recruiter.objects.filter(source="demo").count() == summary.recruiters


def test_a_second_load_is_refused() -> None:
    generate_labour(scale=0.001, seed=1)
    with pytest.raises(LabourAlreadyLoaded):
        generate_labour(scale=0.001, seed=1)


def test_the_figures_come_out_of_the_statistics_catalogue() -> None:
    from datetime import date

    from amparo.stats import compute as C
    from amparo.stats.registry import get

    volumes = generate_labour(scale=SCALE, seed=11).volumes
    year = C.Period(date(2018, 1, 1), date(2018, 12, 31))

    def value(indicator: str, dims: list[tuple[str, ...]] | None = None) -> C.Figure:
        found = get(indicator)
        assert found is not None
        return C.compute(found, year, dims or [])

    assert value("labour.workers_recruited").value == volumes["recruited"]
    by_country = value("labour.workers_recruited", [("country_of_stay",)]).tables[0].cells
    assert sum(c.value for c in by_country) == volumes["recruited"]
    assert value("labour.pamphlets").value == (
        volumes["pamphlets_canada"] + volumes["pamphlets_mexico"]
    )
    assert value("labour.workplace_inspections").value == volumes["inspections"]
    assert value("labour.support_services").value == volumes["services"]
