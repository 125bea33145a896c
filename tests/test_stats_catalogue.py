"""The indicator catalogue: declarations checked at load, GROUP BY computation, zeros."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amparo.cases.models import ServiceDelivery
from amparo.core.models import Institution, Site, User
from amparo.people.models import Person
from amparo.stats import compute as C
from amparo.stats.registry import (
    DIMENSIONS,
    Indicator,
    IndicatorError,
    Measure,
    Unit,
    catalogue,
    get,
    register,
    unregister,
    validate,
)

pytestmark = pytest.mark.django_db

TZ = timezone.get_current_timezone()


def _ind(**kw: object) -> Indicator:
    base: dict[str, object] = {
        "id": "test.x",
        "title": "X",
        "definition": "X",
        "model": "cases.ServiceDelivery",
        "date_field": "delivered_at",
        "unit": Unit.SERVICES,
        "app": "tests",
    }
    base.update(kw)
    return Indicator(**base)  # type: ignore[arg-type]


def test_every_registered_indicator_is_valid_and_has_the_required_dimensions() -> None:
    items = catalogue()
    assert len(items) >= 30
    ids = [i.id for i in items]
    assert len(ids) == len(set(ids))
    for ind in items:
        validate(ind)
        assert str(ind.title) and str(ind.definition)
    services = get("consular.services")
    assert services is not None
    assert {"sex", "age_group", "nationality", "department", "country_of_stay"} <= set(
        services.disaggregations
    )
    assert {"migration_status", "protocol", "institution"} <= set(DIMENSIONS)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"model": "cases.Nothing"}, "unknown model “cases.Nothing”"),
        ({"date_field": "delivered_on"}, "date_field: “delivered_on” is not a field of"),
        ({"date_field": "kind"}, "is not a date or date-time field"),
        (
            {"disaggregations": {"sex": "person__gender"}},
            "disaggregation “sex”: “gender” is not a field of people.Person",
        ),
        ({"disaggregations": {"colour": "kind"}}, "unknown disaggregation “colour”"),
        ({"disaggregations": {"age_group": "kind"}}, "must name a person"),
        ({"filters": {"site__kindd": "x"}}, "filter “site__kindd”: “kindd” is not a field"),
        ({"measure": Measure.DISTINCT}, "needs a count_field"),
        ({"measure": Measure.DISTINCT, "count_field": "persn"}, "count_field: “persn”"),
    ],
)
def test_a_bad_definition_is_rejected_at_load_with_a_clear_message(kw, message) -> None:  # type: ignore[no-untyped-def]
    bad = _ind(**kw)
    with pytest.raises(IndicatorError, match=message) as exc:
        register(bad)
    assert "Indicator “test.x” (tests)" in str(exc.value)
    assert get("test.x") is None


def test_lookups_and_json_keys_are_accepted_in_filters() -> None:
    ok = _ind(filters={"site__kind__in": ["consulate"], "site__detail__programme": "x"})
    validate(ok)


def _person(sex: str, born: date | None, nationality: str = "GT", **kw: object) -> Person:
    return Person.objects.create(
        given_names="Ana", first_surname="Pérez", sex=sex, birth_date=born,
        nationality_id=nationality, **kw,
    )  # fmt: skip


def _service(person: Person, at: datetime, site: Site, kind: str = "passport") -> None:
    ServiceDelivery.objects.create(
        person=person,
        institution=site.institution,
        site=site,
        kind=kind,
        delivered_at=at,
        delivered_by=User.objects.first() or _user(),
        source="test",
        external_ref=str(uuid.uuid4()),
    )


def _user() -> User:
    return User.objects.create_user(username="u", institution=Institution.objects.get(code="MINEX"))


def test_groups_distinct_people_age_at_the_records_date_and_zeros() -> None:
    _user()
    site = Site.objects.filter(kind="consulate").order_by("code").first()
    assert site is not None
    at = datetime(2018, 6, 1, 10, tzinfo=TZ)
    girl = _person("F", date(2008, 6, 2))  # 9 on the day: a child
    teen = _person("M", date(2006, 6, 1))  # 12 that very day: an adolescent
    adult = _person("F", date(1980, 1, 1))
    older = _person("M", date(1950, 1, 1))
    guess = _person("M", None, age_years=15, birth_date_precision="estimated")
    unknown = _person("U", None, nationality="MX")
    for p in (girl, teen, adult, older, guess, unknown):
        _service(p, at, site)
    _service(adult, at + timedelta(days=3), site, "consular_id")  # same person again
    _service(adult, datetime(2019, 1, 1, 0, 30, tzinfo=TZ), site)  # after the period
    _service(adult, datetime(2017, 12, 31, 23, 30, tzinfo=TZ), site)  # before it

    period = C.Period(date(2018, 1, 1), date(2018, 12, 31))
    people = get("consular.people_served")
    services = get("consular.services")
    assert people and services
    with CaptureQueriesContext(connection) as queries:
        fig = C.compute(people, period, [("sex",), ("age_group",), ("sex", "age_group")])
    # One query for the total and one per table.
    assert len([q for q in queries.captured_queries if "SELECT" in q["sql"]]) <= 1 + 3 + 3
    assert fig.value == 6
    by = {t.dimensions: {c.key: c.value for c in t.cells} for t in fig.tables}
    assert by[("sex",)] == {("F",): 2, ("M",): 3, ("X",): 0, ("U",): 1}
    assert by[("age_group",)] == {
        ("child",): 1, ("adolescent",): 2, ("adult",): 1, ("older",): 1, ("unknown",): 1,
    }  # fmt: skip
    assert by[("sex", "age_group")][("M", "adolescent")] == 2
    assert C.compute(services, period).value == 7
    assert sum(c.value for c in C.compute(services, period, [("kind",)]).tables[0].cells) == 7

    # A period with no records: zeros, every fixed category still listed.
    empty = C.compute(services, C.Period(date(2030, 1, 1), date(2030, 1, 31)))
    assert empty.value == 0
    sex = next(t for t in empty.tables if t.dimensions == ("sex",))
    assert {c.value for c in sex.cells} == {0} and len(sex.cells) == 4
    assert all(t.total == 0 for t in empty.tables)

    # The records behind a cell are the ones it counts.
    cell = C.cell_queryset(services, period, ("sex", "age_group"), ("M", "adolescent"))
    assert cell.count() == 2
    assert C.cell_queryset(services, period, ("nationality",), ("MX",)).count() == 1


def test_a_period_must_not_end_before_it_starts() -> None:
    with pytest.raises(ValueError):
        C.Period(date(2019, 1, 1), date(2018, 1, 1))


def test_an_app_registers_its_own_indicator() -> None:
    mine = _ind(id="test.mine", disaggregations={"kind": "kind"})
    register(mine)
    try:
        assert get("test.mine") is mine
        assert mine in catalogue()
    finally:
        unregister("test.mine")


def test_a_duration_is_a_sum_and_is_never_suppressed() -> None:
    from amparo.assistance.models import ContactReason, SupportContact
    from amparo.stats.suppression import suppress

    user = _user()
    reason = ContactReason.objects.order_by("code").first()
    assert reason is not None
    for seconds in (60, 240):
        SupportContact.objects.create(
            institution=user.institution, received_at=datetime(2018, 3, 1, 9, tzinfo=TZ),
            channel="call", reason=reason, outcome="information", duration_seconds=seconds,
            recorded_by=user, source="test", external_ref=str(uuid.uuid4()),
        )  # fmt: skip
    ind = get("support_line.call_time")
    assert ind is not None and ind.measure == Measure.SUM
    fig = C.compute(ind, C.Period(date(2018, 1, 1), date(2018, 12, 31)))
    assert fig.value == 300
    outcome = next(t for t in fig.tables if t.dimensions == ("outcome",))
    assert {c.key: c.value for c in outcome.cells}[("information",)] == 300
    assert suppress(outcome).suppressed == 0
    assert C.compute(ind, C.Period(date(2030, 1, 1), date(2030, 1, 2))).value == 0


def test_which_tables_add_up_to_their_figure() -> None:
    services, people, members = (
        get("consular.services"),
        get("consular.people_served"),
        get("returnees.people"),
    )
    assert services and people and members
    assert C.adds_up(services, ("sex", "age_group", "kind"))
    assert not C.adds_up(people, ("sex",))  # distinct people: one may be in two cells
    calls = get("support_line.call_time")
    assert calls and C.adds_up(calls, ("reason",))
    many = Indicator(
        **{
            **services.__dict__,
            "id": "test.many",
            "disaggregations": {"sex": "person__cases__person__sex"},
        }
    )
    assert not C.adds_up(many, ("sex",))
