import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from amparo.core.audit import audit_record, audit_verify
from amparo.core.errors import InvalidInput
from amparo.core.models import AuditEntry, Role
from amparo.core.queries import audit_search
from amparo.people.queries import person_get, person_search

from .conftest import register

pytestmark = pytest.mark.django_db


def _tamper(sql: str, params: list[object]) -> None:
    """What an intruder with database access would do: bypass the trigger and edit."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_no_update")
            cursor.execute("DROP TRIGGER audit_no_delete")
        else:
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER audit_no_change")
        cursor.execute(sql, params)


def test_reads_and_writes_of_personal_data_are_recorded(person, caseworker):
    person_get(actor=caseworker, person_id=person.pk)
    person_search(actor=caseworker, query="tzoc")
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions[-3:] == ["person.register", "person.view", "person.search"]
    view = AuditEntry.objects.get(action="person.view")
    assert view.actor_username == caseworker.username and view.person_id == person.pk


def test_chain_verifies_and_names_the_first_tampered_entry(caseworker):
    entries = [
        audit_record(actor=caseworker, action="test.write", detail={"n": i}) for i in range(5)
    ]
    call_command("audit_verify")
    assert audit_verify()[1] is None
    _tamper("UPDATE core_auditentry SET detail = %s WHERE id = %s", ['{"n": 99}', entries[2].pk])
    checked, broken = audit_verify()
    assert broken is not None and broken.entry_id == entries[2].pk
    with pytest.raises(CommandError, match=f"entry {entries[2].pk}"):
        call_command("audit_verify")


def test_deleting_an_entry_breaks_the_chain(caseworker):
    entries = [audit_record(actor=caseworker, action="test.write") for _ in range(3)]
    _tamper("DELETE FROM core_auditentry WHERE id = %s", [entries[1].pk])
    broken = audit_verify()[1]
    assert broken is not None and broken.entry_id == entries[2].pk


def test_entries_cannot_be_changed_or_deleted_through_the_database(caseworker):
    entry = audit_record(actor=caseworker, action="test.write")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="other")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()


def test_writers_use_separate_chains(make_user):
    users = [make_user(Role.CASEWORKER) for _ in range(4)]
    for user in users:
        audit_record(actor=user, action="test.write")
    assert AuditEntry.objects.values("shard").distinct().count() == 4
    assert audit_verify()[1] is None


def test_a_failed_action_leaves_no_audit_entry(caseworker):
    with pytest.raises(InvalidInput):
        register(caseworker, nationality="XX")
    assert not AuditEntry.objects.exists()


def test_auditors_see_their_institution_and_the_national_auditor_sees_all(
    person, caseworker, other_caseworker, make_user
):
    register(other_caseworker, given="Pedro")
    own = make_user(Role.AUDITOR, "MINEX")
    national = make_user(Role.AUDITOR, "COPADEH")
    assert {e.institution_id for e in audit_search(actor=own)} == {caseworker.institution_id}
    assert audit_search(actor=national).count() == 2
    assert audit_search(actor=caseworker).count() == 0
