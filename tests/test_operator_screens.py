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

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client

from amparo.assistance.actions import ContactInput, contact_log
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
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
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
