"""The support-line operator's page at national volume: "your latest contacts" is read from an
index that holds its whole order, on SQLite and PostgreSQL, whoever the operator is. Timings
are in bench/operator_screens.py; here the query plans, which decide them, are asserted.

On SQLite the planner is given the statistics of the national demo (1,017,564 contacts, all
recorded by one operator), as `ANALYZE` leaves them there: with them, and the old index
(operator, received_at DESC) that lacked the tie-break, it scanned and sorted the whole table.
PostgreSQL's planner is told not to scan the table (a small test table would be scanned
whatever the indexes), so the plan shows which index it can read the order from.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from amparo.assistance.actions import (
    CivilRegistrationInput,
    ContactInput,
    TravelDocumentInput,
    civil_registration_record,
    contact_log,
    travel_document_request,
)
from amparo.assistance.models import SupportContact
from amparo.assistance.queries import latest_contacts_query
from amparo.core.models import Municipality, Role, User
from amparo.people.actions import DocumentInput

from .conftest import register

pytestmark = pytest.mark.django_db

NATIONAL_CONTACTS = 1_017_564
INDEX = "contact_operator_latest"


@pytest.fixture
def operator(make_user: Any) -> User:
    return make_user(Role.OPERATOR, "MINEX")


@pytest.fixture
def national_operator(operator: User, make_user: Any) -> User:
    """An operator with contacts about a person from Huehuetenango with a passport, some
    received in the same second (the order's tie-break decides), beside a colleague's."""
    municipality = Municipality.objects.filter(department__code="13").first()
    assert municipality is not None
    person = register(
        operator,
        given="Juana",
        first="Pérez",
        second="Mateo",
        documents=[DocumentInput("passport", "B7654321", "GT")],
        origin_municipality=municipality.code,
        nationality="GT",
    )
    colleague = make_user(Role.OPERATOR, "MINEX")
    for actor in (operator, operator, colleague):
        contact_log(
            actor=actor,
            data=ContactInput(
                channel="call", reason="information", outcome="information", person_id=person.pk
            ),
        )
    moment = datetime(2018, 6, 1, 10, 0, tzinfo=datetime.now().astimezone().tzinfo)
    SupportContact.objects.bulk_create(
        SupportContact(
            institution_id=operator.institution_id,
            received_at=moment + timedelta(seconds=n // 3),
            channel="call",
            reason_id="information",
            outcome="information",
            caller_country_id="US",
            recorded_by=operator,
        )
        for n in range(300)
    )
    return operator


def _national_statistics() -> None:
    """SQLite's statistics as `ANALYZE` leaves them after the national demo: a million
    contacts, one institution and one operator for all of them."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute(
            "SELECT idx, stat FROM sqlite_stat1 WHERE tbl = %s", [SupportContact._meta.db_table]
        )
        rows = cursor.fetchall()
        for idx, stat in rows:
            columns = len(stat.split()) - 1
            if idx is None:
                national = str(NATIONAL_CONTACTS)
            elif idx == "contact_person":
                national = "37621 2"
            else:  # institution or operator first: every row shares the first column
                national = " ".join([str(NATIONAL_CONTACTS)] * 2 + ["1"] * (columns - 1))
            cursor.execute(
                "UPDATE sqlite_stat1 SET stat = %s WHERE tbl = %s AND idx IS %s",
                [national, SupportContact._meta.db_table, idx],
            )
        cursor.execute("ANALYZE sqlite_schema")  # the planner reloads the statistics


def _plan(actor: User) -> str:
    if connection.vendor == "sqlite":
        _national_statistics()
        return latest_contacts_query(actor).explain()
    # The question is whether an index can give the order, not which plan today's statistics
    # favour (the suite's other tests leave the table's statistics anywhere): with scans and
    # sorts priced out, a Sort node remains only where no index holds the whole order.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        return latest_contacts_query(actor).explain()


@pytest.mark.parametrize("who", ["the operator who recorded them", "a new operator"])
def test_latest_contacts_are_read_from_the_operator_index_in_its_order(
    national_operator: User, make_user: Any, who: str
) -> None:
    actor = national_operator if who.startswith("the") else make_user(Role.OPERATOR, "MINEX")
    plan = _plan(actor)
    assert INDEX in plan, plan
    # No sort of the operator's contacts: the index gives the whole order, tie-break included
    # (PostgreSQL may sort the nothing it expects for a new operator: that costs nothing).
    assert "TEMP B-TREE" not in plan, plan
    if actor == national_operator:
        assert "Sort" not in plan, plan
    if connection.vendor == "sqlite":
        assert f"SEARCH assistance_supportcontact USING INDEX {INDEX}" in plan, plan


def test_the_page_lists_the_operator_s_own_latest_contacts_newest_first(
    national_operator: User,
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(national_operator, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/assistance/contacts/new/")
    assert response.status_code == 200
    shown = [row["contact"] for row in response.context["latest"]]
    expected = list(
        SupportContact.objects.filter(recorded_by=national_operator).order_by(
            "-received_at", "-id"
        )[:10]
    )
    assert shown == expected and len(shown) == 10
    # The two logged today come first, the newest one first; then the 2018 contacts.
    assert shown[0].id > shown[1].id and shown[0].person_id is not None
    assert "Juana" in response.content.decode()


# --- the contacts list over a long period ------------------------------------------------------

YEAR = "/assistance/contacts/?start=2018-01-01&end=2018-12-31"


def _list_query_plan(client: Client, url: str, *, operator_index_stats: bool) -> str:
    """The plan of the contacts list's own query (the page of rows, newest first)."""
    if connection.vendor == "sqlite":
        _national_statistics()
        if not operator_index_stats:  # as right after the migration that added the index
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM sqlite_stat1 WHERE idx = %s", [INDEX])
                cursor.execute("ANALYZE sqlite_schema")
    sql = _list_sql(client, url, "supportcontact")
    assert "core_user" not in sql, sql  # who recorded each row is read apart, by id
    return _explain(sql)


def _explain(sql: str) -> str:
    """The plan of a query as run; PostgreSQL told not to scan the (small) test tables."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
        else:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def _list_sql(client: Client, url: str, table: str) -> str:
    """The SQL of the page of rows a list page reads (the one with ORDER BY)."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return next(
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and "ORDER BY" in q["sql"] and table in q["sql"]
    )


@pytest.mark.parametrize("operator_index_stats", [True, False])
def test_a_year_of_contacts_is_listed_from_the_institution_index(
    national_operator: User, operator_index_stats: bool
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(national_operator, backend="django.contrib.auth.backends.ModelBackend")
    plan = _list_query_plan(client, YEAR, operator_index_stats=operator_index_stats)
    if connection.vendor == "sqlite":
        # Newest first along the institution's index: only ties of one second are sorted.
        assert "contact_inst_recv" in plan and INDEX not in plan, plan
        assert "TEMP B-TREE FOR ORDER BY" not in plan, plan


def test_the_list_names_who_recorded_each_contact(national_operator: User) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(national_operator, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(YEAR).content.decode()
    assert page.count(f">{national_operator.username}</td>") == 50


def test_a_year_s_figures_are_counted_after_the_list(national_operator: User) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(national_operator, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(YEAR)
    assert response.context["tables"] is None  # not counted while the list waits
    figures = "/assistance/contacts/figures/?start=2018-01-01&amp;end=2018-12-31"
    page = response.content.decode()
    assert f'hx-get="{figures}"' in page and f'href="{figures}"' in page
    assert "Mostrar las cifras con estos filtros" in page
    fragment = client.get(figures.replace("&amp;", "&"), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    by_reason = fragment.context["tables"][0]
    assert by_reason["name"] == "reason" and sum(n for _l, n in by_reason["rows"]) == 300
    whole = client.get(figures.replace("&amp;", "&"))  # without JavaScript: a page
    assert whole.status_code == 200 and "<html" in whole.content.decode()


def test_a_month_s_figures_are_counted_after_the_list_too(national_operator: User) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(national_operator, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/assistance/contacts/?start=2018-06-01&end=2018-06-30")
    assert response.context["tables"] is None
    assert "hx-get" in response.content.decode().split('id="counts-heading"')[1][:400]
    fragment = client.get(
        "/assistance/contacts/figures/?start=2018-06-01&end=2018-06-30", HTTP_HX_REQUEST="true"
    )
    tables = fragment.context["tables"]
    assert sum(n for _l, n in tables[1]["rows"]) == 300  # by channel: every call of June


# --- the consular registers' lists -------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "table", "index"),
    [
        ("/assistance/travel-documents/", "assistance_traveldocument", "traveldoc_inst_list"),
        ("/assistance/civil-registry/", "assistance_civilregistration", "civilreg_inst_list"),
    ],
)
def test_a_register_s_list_is_read_newest_first_from_its_index(
    operator: User, url: str, table: str, index: str
) -> None:
    person = register(
        operator, given="Ana", first="Cux", origin_municipality="1301", nationality="GT"
    )
    for day in (2, 3, 4):
        travel_document_request(
            actor=operator,
            data=TravelDocumentInput(
                kind="child_passport", person_id=person.pk, site="US_LOS_ANGELES"
            ),
        )
        civil_registration_record(
            actor=operator,
            data=CivilRegistrationInput(
                kind="birth",
                person_id=person.pk,
                site="US_LOS_ANGELES",
                event_date=date(2020, 5, day),
                event_country="US",
                event_place="Los Angeles, CA",
            ),
        )
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(operator, backend="django.contrib.auth.backends.ModelBackend")
    plan = _explain(_list_sql(client, url, table))
    assert index in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan


# --- other lists' queries at national volume -------------------------------------------------


def test_labour_figures_read_the_years_once_each(make_user: Any) -> None:
    """The years offered on the labour figures page: one row a year, not one a placement (the
    model's ordering in the DISTINCT read 18,118 placements at national volume)."""
    from amparo.labour.queries import figure_years

    chief = make_user(Role.SUPERVISOR, "MINTRAB")
    with CaptureQueriesContext(connection) as queries:
        assert figure_years(chief) == []
    sql = queries.captured_queries[-1]["sql"]
    assert "DISTINCT" in sql and "ORDER BY" not in sql and "registered_on" not in sql, sql


def test_the_cases_list_counts_overdue_tasks_of_the_cases_shown_only(
    caseworker: User, person: Any
) -> None:
    """Overdue tasks are counted per case on the page, not by joining every task and grouping
    (PostgreSQL sorted the national demo's 42,000 tasks for each page of cases)."""
    from django.utils import timezone

    from amparo.cases.actions import case_open
    from amparo.cases.models import Task

    case = case_open(actor=caseworker, protocol_code="child_reception", person_id=person.pk)
    Task.objects.filter(case=case).update(due_at=timezone.now() - timedelta(hours=1))
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(caseworker, backend="django.contrib.auth.backends.ModelBackend")
    sql = _list_sql(client, "/cases/", "cases_case")
    assert sql.count("GROUP BY") == sql.count('GROUP BY U0."case_id"') == 1, sql  # per case
    assert 'LEFT OUTER JOIN "cases_task"' not in sql, sql
    assert "2 vencidas" in client.get("/cases/").content.decode()


def test_the_duplicates_queue_checks_each_pair_s_people_one_by_one(make_user: Any) -> None:
    """Each proposed pair's people are checked by a correlated EXISTS, not IN (subquery):
    PostgreSQL hashed every person and involvement of the institution first (3.6 s a page)."""
    from amparo.matching.review import candidates_for

    supervisor = make_user(Role.SUPERVISOR, "MINEX")
    sql = str(candidates_for(supervisor).query)
    assert "IN (SELECT" not in sql and sql.count("EXISTS") >= 4, sql
