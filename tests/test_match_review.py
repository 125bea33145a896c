"""The review queue: the engine proposes likely duplicates in the background; a person
confirms (merge) or rejects, with a reason; protection and need-to-know hold."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import Client

from amparo.core.errors import InvalidInput
from amparo.core.models import Role
from amparo.matching.models import MatchCandidate
from amparo.matching.review import candidate_decide, candidates_for, candidates_refresh
from amparo.people.actions import DocumentInput

from .conftest import api_client, register

pytestmark = pytest.mark.django_db

# The authorization matrix's completeness check (test_api_authorization) includes these.
MATCH_OPERATIONS = {
    ("GET", "/api/v1/match-candidates"),
    ("GET", "/api/v1/match-candidates/{candidate_id}"),
    ("POST", "/api/v1/match-candidates/{candidate_id}/decision"),
}


@pytest.fixture
def supervisor(make_user):  # type: ignore[no-untyped-def]
    return make_user(Role.SUPERVISOR, "MINEX")


@pytest.fixture
def pair(supervisor):  # type: ignore[no-untyped-def]
    one = register(
        supervisor,
        given="José Luis",
        first="Tzoc",
        second="Ajanel",
        sex="M",
        birth_date=date(1990, 4, 12),
        documents=[DocumentInput("passport", "A1234567", "GT")],
    )
    two = register(
        supervisor,
        given="Pepe",
        first="Ajanel",
        second="Tzoc",
        sex="M",
        birth_date=date(1990, 12, 4),
    )
    register(
        supervisor,
        given="María",
        first="García",
        second="López",
        sex="F",
        birth_date=date(1971, 1, 1),
    )
    return one, two


def test_a_likely_duplicate_is_proposed_once(supervisor, pair):
    one, two = pair
    assert candidates_refresh(two.pk) >= 1
    candidates_refresh(one.pk)  # the same pair, seen from the other record
    rows = list(candidates_for(supervisor))
    assert len(rows) == 1
    c = rows[0]
    assert {c.person_a_id, c.person_b_id} == {one.pk, two.pk}
    assert c.match_probability >= 0.5 and c.explanation
    # Labelled with the model that proposed it, whose file the engine loaded.
    assert c.model == "dedupe_v2"


def test_confirm_merges_and_reject_keeps_apart(supervisor, pair):
    one, two = pair
    candidates_refresh(two.pk)
    c = candidates_for(supervisor).get()
    with pytest.raises(InvalidInput):
        candidate_decide(actor=supervisor, candidate_id=c.pk, same_person=True, reason=" ")
    done = candidate_decide(
        actor=supervisor,
        candidate_id=c.pk,
        same_person=True,
        reason="Mismo pasaporte",
        survivor_id=one.pk,
    )
    assert done.status == "confirmed" and done.merge.survivor_id == one.pk
    two.refresh_from_db()
    assert two.merged_into_id == one.pk
    with pytest.raises(InvalidInput):
        candidate_decide(actor=supervisor, candidate_id=c.pk, same_person=False, reason="x")


def test_reviewers_only_see_pairs_of_records_they_may_see(supervisor, make_user, pair):
    one, two = pair
    candidates_refresh(two.pk)
    assert candidates_for(make_user(Role.SUPERVISOR, "SBS")).count() == 0


def test_review_pages_and_api(supervisor, pair, make_user):
    one, two = pair
    candidates_refresh(two.pk)
    c = MatchCandidate.objects.get()
    client = Client()
    client.force_login(supervisor)
    assert one.given_names in client.get("/matching/").content.decode()
    page = client.get(f"/matching/{c.pk}/").content.decode()
    assert two.given_names in page and "A1234567" in page
    bad = client.post(f"/matching/{c.pk}/decision/", {"decision": "different", "reason": ""})
    assert bad.status_code == 422
    ok = client.post(f"/matching/{c.pk}/decision/", {"decision": "different", "reason": "Hermanos"})
    assert ok.status_code == 302
    c.refresh_from_db()
    assert c.status == "rejected" and c.reason == "Hermanos"
    api = api_client(supervisor)
    listed = api.get("/api/v1/match-candidates?status=rejected").json()
    assert [row["id"] for row in listed] == [c.pk]
    assert api.get(f"/api/v1/match-candidates/{c.pk}").json()["status"] == "rejected"
    again = api.post(
        f"/api/v1/match-candidates/{c.pk}/decision",
        json.dumps({"same_person": True, "reason": "x"}),
        content_type="application/json",
    )
    assert again.status_code == 422
    caseworker = api_client(make_user(Role.CASEWORKER, "MINEX"))
    assert caseworker.get("/api/v1/match-candidates").status_code == 403
