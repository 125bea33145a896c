"""Merging two records of one person, and undoing it: nothing lost, both restored."""

from __future__ import annotations

import pytest

from amparo.core.errors import InvalidInput, NotFound
from amparo.core.models import AuditEntry, Role
from amparo.core.permissions import Forbidden
from amparo.people.actions import DocumentInput, person_merge, person_unmerge
from amparo.people.models import Involvement, Person, PersonSearchToken
from amparo.people.queries import person_get, person_search, person_timeline, persons_visible_to

from .conftest import register

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor(make_user):  # type: ignore[no-untyped-def]
    return make_user(Role.SUPERVISOR, "MINEX")


def test_merge_then_undo_restores_both_records(supervisor, make_user):
    survivor = register(supervisor, given="José", first="Tzoc")
    absorbed = register(
        supervisor,
        given="Pepe",
        first="Tzoc",
        second="Cux",
        documents=[DocumentInput("passport", "G7654321", "GT")],
    )
    tokens_before = set(
        PersonSearchToken.objects.filter(person=survivor).values_list("token", flat=True)
    )
    merge = person_merge(
        actor=supervisor,
        survivor_id=survivor.pk,
        absorbed_id=absorbed.pk,
        reason="Mismo pasaporte en el consulado",
        evidence={"match_probability": 0.99},
    )
    # The absorbed record is hidden from lists and follows to the survivor.
    assert not persons_visible_to(supervisor).filter(pk=absorbed.pk).exists()
    assert person_get(actor=supervisor, person_id=absorbed.pk).pk == survivor.pk
    # The survivor is found by the absorbed record's document and nickname.
    assert [p.pk for p in person_search(actor=supervisor, query="G7654321").people] == [survivor.pk]
    assert survivor.pk in [p.pk for p in person_search(actor=supervisor, query="pepe").people]
    # Its history shows on the survivor's timeline.
    actions = [e.action for e in person_timeline(actor=supervisor, person=survivor)]
    assert "person.register" in actions and "person.merge" in actions
    assert AuditEntry.objects.filter(action="person.merge", person_id=absorbed.pk).exists()

    person_unmerge(actor=supervisor, merge_id=merge.pk, reason="Eran hermanos")
    absorbed.refresh_from_db()
    assert absorbed.merged_into is None
    assert persons_visible_to(supervisor).filter(pk=absorbed.pk).exists()
    assert (
        set(PersonSearchToken.objects.filter(person=survivor).values_list("token", flat=True))
        == tokens_before
    )
    assert [p.pk for p in person_search(actor=supervisor, query="G7654321").people] == [absorbed.pk]
    with pytest.raises(NotFound):  # undone once
        person_unmerge(actor=supervisor, merge_id=merge.pk, reason="otra vez")


def test_survivor_is_held_by_the_absorbed_records_holders_until_undone(supervisor, make_user):
    survivor = register(supervisor, given="Ana", first="Coc")
    sbs = make_user(Role.CASEWORKER, "SBS")
    absorbed = register(sbs, given="Ana", first="Coc", second="Ical")
    # MINEX learns of the SBS record (as a link would) to be able to decide the merge.
    Involvement.objects.create(person=absorbed, institution=supervisor.institution)
    merge = person_merge(
        actor=supervisor, survivor_id=survivor.pk, absorbed_id=absorbed.pk, reason="x"
    )
    assert persons_visible_to(sbs).filter(pk=survivor.pk).exists()
    person_unmerge(actor=supervisor, merge_id=merge.pk, reason="y")
    assert not persons_visible_to(sbs).filter(pk=survivor.pk).exists()


def test_merge_refusals(supervisor, make_user):
    one = register(supervisor, given="Luis")
    other = register(make_user(Role.CASEWORKER, "SBS"), given="Luis")
    with pytest.raises(InvalidInput) as exc:
        person_merge(actor=supervisor, survivor_id=one.pk, absorbed_id=one.pk, reason="x")
    assert "absorbed" in exc.value.errors
    with pytest.raises(InvalidInput) as exc:  # a record the supervisor cannot see
        person_merge(actor=supervisor, survivor_id=one.pk, absorbed_id=other.pk, reason="x")
    assert "absorbed" in exc.value.errors
    with pytest.raises(InvalidInput) as exc:
        person_merge(actor=supervisor, survivor_id=one.pk, absorbed_id=other.pk, reason=" ")
    assert "reason" in exc.value.errors
    with pytest.raises(Forbidden):
        person_merge(
            actor=make_user(Role.CASEWORKER, "MINEX"),
            survivor_id=one.pk,
            absorbed_id=other.pk,
            reason="x",
        )
    assert Person.objects.filter(merged_into__isnull=False).count() == 0


def test_protection_follows_the_merge_and_its_undo(supervisor):
    survivor = register(supervisor, given="Rosa")
    absorbed = register(supervisor, given="Rosa", markers=["trafficking_victim"])
    merge = person_merge(
        actor=supervisor, survivor_id=survivor.pk, absorbed_id=absorbed.pk, reason="x"
    )
    survivor.refresh_from_db()
    assert survivor.protected
    person_unmerge(actor=supervisor, merge_id=merge.pk, reason="y")
    survivor.refresh_from_db()
    assert not survivor.protected


# The authorization matrix's completeness check (test_api_authorization) includes these.
MERGE_OPERATIONS = {
    ("POST", "/api/v1/persons/{person_id}/merge"),
    ("POST", "/api/v1/person-merges/{merge_id}/undo"),
}


@pytest.mark.parametrize("role", list(Role))
def test_merge_api_by_role(make_user, role):
    import json

    from amparo.core.permissions import ROLE_PERMISSIONS, Perm

    from .conftest import api_client

    user = make_user(role, "MINEX")
    holder = make_user(Role.CASEWORKER, "MINEX")
    one, two = register(holder, given="Eva"), register(holder, given="Eva")
    client = api_client(user)
    body = json.dumps({"absorbed_id": str(two.pk), "reason": "mismo documento"})
    merged = client.post(f"/api/v1/persons/{one.pk}/merge", body, content_type="application/json")
    if Perm.PERSON_MERGE not in ROLE_PERMISSIONS[role]:
        assert merged.status_code == 403
        return
    assert merged.status_code == 200, merged.content
    merge_id = merged.json()["id"]
    undo = client.post(
        f"/api/v1/person-merges/{merge_id}/undo",
        json.dumps({"reason": "error"}),
        content_type="application/json",
    )
    assert undo.status_code == 200 and undo.json()["undone_at"]
    again = client.post(
        f"/api/v1/person-merges/{merge_id}/undo",
        json.dumps({"reason": "error"}),
        content_type="application/json",
    )
    assert again.status_code == 404
    other = api_client(make_user(Role.SUPERVISOR, "SBS"))
    refused = other.post(f"/api/v1/persons/{one.pk}/merge", body, content_type="application/json")
    assert refused.status_code == 422 and "survivor" in refused.content.decode()
