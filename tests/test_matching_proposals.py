"""Which records a person is compared with in the background: those sharing the most search
tokens first, so a common surname shared by thousands does not crowd out the likely
duplicate; read in a few queries, not five per record."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amparo.core.models import Role
from amparo.matching import review
from amparo.matching.engine import person_records
from amparo.matching.review import candidates_for, candidates_refresh

from .conftest import register
from .test_matching_pages import HUEHUETENANGO, family

pytestmark = pytest.mark.django_db


def test_the_likely_duplicate_is_compared_even_when_many_share_a_surname(make_user, monkeypatch):
    supervisor = make_user(Role.SUPERVISOR, "MINEX")
    for given in ("Berta", "Carla", "Dora", "Elsa", "Flor"):  # registered first
        register(
            supervisor,
            given=given,
            first="Tzoc",
            second="López",
            sex="F",
            birth_date=date(1990, 1, 1),
            origin_municipality=HUEHUETENANGO,
        )
    people = family(supervisor)
    monkeypatch.setattr(review, "POOL", 3)  # fewer places than people sharing "Tzoc"
    assert candidates_refresh(people.missing.pk) >= 1
    pair = candidates_for(supervisor).get()
    assert {pair.person_a_id, pair.person_b_id} == {people.missing.pk, people.found.pk}


def test_a_list_of_people_is_read_in_a_few_queries(make_user):
    supervisor = make_user(Role.SUPERVISOR, "MINEX")
    people = family(supervisor)
    everyone = [people.missing, people.found, people.mother, people.sister]
    fresh = [type(p).objects.get(pk=p.pk) for p in everyone]  # nothing cached on them
    with CaptureQueriesContext(connection) as queries:
        records = person_records(fresh)
    assert len(queries) <= 6  # not 5 per person
    assert [r["origin_municipality"] for r in records[:3]] == ["Huehuetenango"] * 3
    assert records[0]["document_number"] and records[2]["document_number"]
