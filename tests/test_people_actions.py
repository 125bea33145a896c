from datetime import date, timedelta

import pytest

from amparo.core.errors import Conflict, InvalidInput, NotFound
from amparo.core.models import AuditEntry, Role
from amparo.core.permissions import Forbidden
from amparo.people import actions
from amparo.people.actions import DocumentInput, PersonInput
from amparo.people.models import Involvement, Person, PersonSearchToken
from amparo.people.queries import person_get, person_search

from .conftest import register

pytestmark = pytest.mark.django_db


def test_register_keeps_name_parts_apart_and_is_audited(caseworker):
    person = register(
        caseworker,
        given="María José",
        first="Tzoc",
        second="Cux",
        nationality="gt",
        preferred_language="quc",
        origin_municipality="0901",
    )
    assert (person.given_names, person.first_surname, person.second_surname) == (
        "María José",
        "Tzoc",
        "Cux",
    )
    assert person.nationality_id == "GT"
    assert Involvement.objects.get(person=person).institution == caseworker.institution
    entry = AuditEntry.objects.get(action="person.register")
    assert entry.person_id == person.pk and entry.actor == caseworker


@pytest.mark.parametrize(
    "change, field",
    [
        ({"birth_date": date.today() + timedelta(days=3)}, "birth_date"),
        ({"birth_date": date(1850, 1, 1)}, "birth_date"),
        ({"age_years": 140}, "age_years"),
        ({"nationality": "XX"}, "nationality"),
        ({"origin_municipality": "9999"}, "origin_municipality"),
        ({"preferred_language": "zzz"}, "preferred_language"),
        ({"sex": "Q"}, "sex"),
        (
            {"birth_date": date(2000, 1, 1), "age_years": 5, "age_recorded_on": date(2020, 1, 1)},
            "age_years",
        ),
    ],
)
def test_bad_input_names_the_field_in_spanish_and_writes_nothing(caseworker, change, field):
    with pytest.raises(InvalidInput) as err:
        register(caseworker, **change)
    assert field in err.value.errors
    message = " ".join(err.value.errors[field])
    assert any(w in message for w in ("fecha", "edad", "Código", "código", "Valor")), message
    assert Person.objects.count() == 0 and AuditEntry.objects.count() == 0


def test_name_required(caseworker):
    with pytest.raises(InvalidInput) as err:
        register(caseworker, given="  ", first="")
    assert "given_names" in err.value.errors


def test_duplicate_document_is_refused_everywhere_in_the_network(person, other_caseworker):
    with pytest.raises(InvalidInput) as err:
        register(
            other_caseworker,
            given="Otra",
            documents=[DocumentInput("passport", "a-123 4567", "gt")],
        )
    assert "documents[0].number" in err.value.errors
    assert Person.objects.count() == 1


def test_dpi_must_have_13_digits(caseworker):
    with pytest.raises(InvalidInput) as err:
        register(caseworker, documents=[DocumentInput("dpi", "12345", "GT")])
    assert "documents[0].number" in err.value.errors


def test_link_by_document_brings_the_record_into_another_institution(person, other_caseworker):
    with pytest.raises(NotFound):
        person_get(actor=other_caseworker, person_id=person.pk)
    linked = actions.person_link(
        actor=other_caseworker, document=DocumentInput("passport", "A1234567", "GT")
    )
    assert linked.pk == person.pk
    assert person_get(actor=other_caseworker, person_id=person.pk).pk == person.pk


def test_protected_record_cannot_be_linked(caseworker, other_caseworker):
    child = register(
        caseworker,
        markers=["unaccompanied_child"],
        documents=[DocumentInput("birth_certificate", "N-77", "GT")],
    )
    assert child.protected
    with pytest.raises(InvalidInput):
        actions.person_link(
            actor=other_caseworker, document=DocumentInput("birth_certificate", "N-77", "GT")
        )


def test_concurrent_edit_is_a_conflict_that_shows_what_changed(person, caseworker):
    first = PersonInput(given_names="María José", first_surname="Tzoc", second_surname="Xoy")
    actions.person_update(actor=caseworker, person_id=person.pk, version=1, data=first)
    stale = PersonInput(given_names="María José", first_surname="Tzoc", second_surname="Cuxil")
    with pytest.raises(Conflict) as err:
        actions.person_update(actor=caseworker, person_id=person.pk, version=1, data=stale)
    assert err.value.current_version == 2
    assert err.value.changes["second_surname"] == {"yours": "Cuxil", "theirs": "Xoy"}
    assert Person.objects.get(pk=person.pk).second_surname == "Xoy"


def test_void_needs_a_reason_and_a_supervisor(person, caseworker, make_user):
    with pytest.raises(Forbidden):
        actions.person_void(actor=caseworker, person_id=person.pk, reason="duplicado")
    supervisor = make_user(Role.SUPERVISOR, "MINEX")
    with pytest.raises(InvalidInput):
        actions.person_void(actor=supervisor, person_id=person.pk, reason=" ")
    actions.person_void(actor=supervisor, person_id=person.pk, reason="registrado dos veces")
    assert Person.objects.filter(pk=person.pk, voided_at__isnull=False).exists()
    with pytest.raises(NotFound):
        person_get(actor=caseworker, person_id=person.pk)


def test_search_is_accent_case_and_apostrophe_insensitive_and_partial(caseworker):
    register(caseworker, given="José", first="Pérez", second="K'iche'")
    register(caseworker, given="Ana", first="García", second="López")
    assert [p.given_names for p in person_search(actor=caseworker, query="PEREZ").people] == [
        "José"
    ]
    assert len(person_search(actor=caseworker, query="per").people) == 1
    assert len(person_search(actor=caseworker, query="kiche").people) == 1
    assert len(person_search(actor=caseworker, query="jose per").people) == 1
    assert len(person_search(actor=caseworker, query="ana perez").people) == 0
    assert len(person_search(actor=caseworker, query="garcía").people) == 1


def test_search_by_document_number_ignores_spaces_and_dashes(caseworker):
    register(caseworker, documents=[DocumentInput("dpi", "2501 12345 0901", "GT")])
    assert len(person_search(actor=caseworker, query="2501-12345-0901").people) == 1
    assert len(person_search(actor=caseworker, query="250112").people) == 1


def test_other_names_are_searchable(person, caseworker):
    actions.name_add(actor=caseworker, person_id=person.pk, kind="alias", given_names="Chepa")
    assert person_search(actor=caseworker, query="chepa").people == [person]
    assert PersonSearchToken.objects.filter(person=person, token="chepa").exists()


def test_markers_make_a_record_protected_and_back(person, caseworker):
    actions.markers_set(
        actor=caseworker, person_id=person.pk, kinds=["trafficking_victim", "pregnant"]
    )
    person.refresh_from_db()
    assert person.protected
    actions.markers_set(actor=caseworker, person_id=person.pk, kinds=["pregnant"])
    person.refresh_from_db()
    assert not person.protected


def test_relations_and_households(person, caseworker):
    child = register(caseworker, given="Pedro", first="Tzoc", birth_date=date(2015, 3, 1))
    actions.relation_add(
        actor=caseworker, from_person_id=person.pk, to_person_id=child.pk, kind="parent"
    )
    with pytest.raises(InvalidInput):
        actions.relation_add(
            actor=caseworker, from_person_id=person.pk, to_person_id=person.pk, kind="parent"
        )
    household = actions.household_create(
        actor=caseworker, label="Familia Tzoc", member_ids=[person.pk, child.pk], head_id=person.pk
    )
    assert household.members.count() == 2


def test_age_at_a_date_is_kept_when_birth_date_is_unknown(caseworker):
    p = register(
        caseworker, age_years=15, age_recorded_on=date(2024, 6, 1), birth_date_precision="estimated"
    )
    assert p.age_on(date(2026, 6, 2)) == 17


def test_update_with_bad_marker_changes_nothing(person, caseworker):
    data = PersonInput(given_names="Otro", first_surname="Nombre")
    with pytest.raises(InvalidInput):
        actions.person_update(
            actor=caseworker, person_id=person.pk, version=1, data=data, markers=["bogus"]
        )
    person.refresh_from_db()
    assert person.given_names == "María José" and person.version == 1


def test_update_and_markers_in_one_step(person, caseworker):
    data = PersonInput(given_names="María José", first_surname="Tzoc")
    actions.person_update(
        actor=caseworker, person_id=person.pk, version=1, data=data, markers=["trafficking_victim"]
    )
    person.refresh_from_db()
    assert person.protected and person.version == 2


def test_adding_the_same_document_twice_says_so(person, caseworker):
    with pytest.raises(InvalidInput) as err:
        actions.document_add(
            actor=caseworker,
            person_id=person.pk,
            document=DocumentInput("passport", "A1234567", "GT"),
        )
    assert "ya tiene" in err.value.errors["number"][0]


def test_too_long_text_is_refused_not_cut(person, caseworker):
    with pytest.raises(InvalidInput) as err:
        actions.contact_add(
            actor=caseworker, person_id=person.pk, kind="phone", value="1", note="x" * 201
        )
    assert "note" in err.value.errors
    with pytest.raises(InvalidInput) as err:
        actions.name_add(
            actor=caseworker, person_id=person.pk, kind="alias", first_surname="y" * 101
        )
    assert "first_surname" in err.value.errors
