"""`demo --national`: the figures of CMW/C/SR.413, scaled down, exact through the app's queries.

On PostgreSQL (DATABASE_URL=postgres://...) every test here goes through the COPY path.
"""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from amparo.assistance import queries as q
from amparo.assistance.actions import (
    CIVIL_STEPS,
    ParentConsent,
    TravelCheckInput,
    age_on,
    travel_check_errors,
)
from amparo.assistance.models import CivilRegistration, SupportContact, TravelDocument
from amparo.cases.models import Case, CaseEvent, ServiceDelivery, Task
from amparo.core.audit import audit_verify
from amparo.core.models import Site, User
from amparo.demo.national import (
    CIVIL_KINDS,
    PERIOD,
    TRAVEL_KINDS,
    VOLUMES,
    YEAR,
    national_loaded,
    scaled_volumes,
)
from amparo.people.models import Involvement
from amparo.people.queries import person_search, persons_visible_to

pytestmark = pytest.mark.django_db

SCALE = 0.002


def _load(scale: float = SCALE, **opts: object) -> str:
    out = io.StringIO()
    call_command("demo", national=True, scale=scale, stdout=out, **opts)
    return out.getvalue()


def _at(entry: dict) -> datetime:
    return datetime.fromisoformat(entry["at"])


def test_scale_multiplies_every_volume_and_keeps_each_register() -> None:
    assert scaled_volumes(1.0) == VOLUMES
    small = scaled_volumes(SCALE)
    assert small["contacts"] == round(1_017_564 * SCALE) == 2035
    assert small["services"] == 171 and small["served_people"] == 109
    # Rounded to zero, a register still gets one entry.
    assert small["special_passes"] == small["travel_authorisations"] == 1
    with pytest.raises(ValueError):
        scaled_volumes(0)
    with pytest.raises(CommandError):
        _load(scale=0)


def test_national_demo_reproduces_the_scaled_figures() -> None:
    text = _load()
    volumes = scaled_volumes(SCALE)
    consul = User.objects.get(username="consul.minex")

    figures = q.consular_service_figures(consul, start=YEAR[0], end=YEAR[1])
    assert figures.services == volumes["services"]
    assert figures.people == volumes["served_people"]
    # Para. 5: the services were given by the mobile consulates.
    assert figures.mobile_services == figures.services
    assert {kind for kind, _ in figures.by_kind} <= {
        "passport",
        "consular_id",
        "birth_registration",
        "civil_registry",
        "certification",
        "legal_aid",
        "lawyer",
        "information",
    }
    # The consular services (the shelter stays and "Quédate" trainings are other registers).
    services = ServiceDelivery.objects.filter(external_ref__startswith="national/service/")
    assert services.count() == volumes["services"]
    assert set(services.values_list("source", flat=True)) == {"demo"}
    assert set(services.values_list("delivered_by__username", flat=True)) == {"consul.minex"}
    assert services.filter(institution__code="MINEX").count() == volumes["services"]

    year = q.ContactFilter(start=YEAR[0], end=YEAR[1])
    assert q.contacts_filtered(consul, year).count() == volumes["contacts"]
    # Para. 5 counts telephone calls: every contact of the line is a call.
    calls = q.ContactFilter(start=YEAR[0], end=YEAR[1], channel="call")
    assert q.contacts_filtered(consul, calls).count() == volumes["contacts"]
    assert SupportContact.objects.count() == volumes["contacts"]
    contacts = SupportContact.objects.all()
    assert contacts.filter(person__isnull=True).count() > 0.9 * volumes["contacts"]
    assert contacts.filter(person__isnull=False).exists()
    assert contacts.filter(caller_country="US").count() > 0.7 * volumes["contacts"]
    assert contacts.filter(case__isnull=False).count() == 0
    assert set(contacts.values_list("outcome", flat=True)) <= {"information", "referred", "dropped"}
    # Daytime is busier than the night; weekdays busier than weekends (server time).
    hours = [c.received_at.astimezone(q.timezone.get_current_timezone()) for c in contacts]
    assert sum(9 <= h.hour < 17 for h in hours) > 3 * sum(h.hour < 6 for h in hours)
    assert sum(h.weekday() < 5 for h in hours) / len(hours) > 5 / 7

    mobile = q.mobile_consulates(consul, year=2018)
    assert mobile.count() == volumes["mobile_consulates"]
    for site in mobile:
        assert site.parent.kind == Site.Kind.CONSULATE
        assert site.parent.country_id in {"US", "MX", "CA"}
        assert site.country_id == site.parent.country_id
        assert 0 <= (site.closes_on - site.opens_on).days <= 1
        assert YEAR[0] <= site.opens_on and site.closes_on <= YEAR[1]

    civil = q.register_counts(q.civil_registrations_visible_to(consul), "recorded_on", *PERIOD)
    assert {k: sum(v.values()) for k, v in civil.items()} == {
        kind: volumes[name] for name, kind in CIVIL_KINDS.items()
    }
    travel = q.register_counts(q.travel_documents_visible_to(consul), "requested_on", *PERIOD)
    assert {k: sum(v.values()) for k, v in travel.items()} == {
        kind: volumes[name] for name, kind in TRAVEL_KINDS.items()
    }
    assert "1,017,564" not in text and f"{volumes['contacts']:,}" in text


def test_minex_users_see_and_find_the_national_people() -> None:
    _load()
    volumes = scaled_volumes(SCALE)
    operator = User.objects.get(username="operadora.minex")
    served = ServiceDelivery.objects.filter(external_ref__startswith="national/service/").values(
        "person_id"
    )
    assert persons_visible_to(operator).filter(pk__in=served).count() == volumes["served_people"]
    registers = [
        *CivilRegistration.objects.values_list("person_id", flat=True),
        *CivilRegistration.objects.exclude(other_person=None).values_list(
            "other_person_id", flat=True
        ),
        *TravelDocument.objects.values_list("person_id", flat=True),
    ]
    assert persons_visible_to(operator).filter(pk__in=registers).count() == len(set(registers))
    # The consular registers' people are MINEX's; the cases' people are held by the
    # institution that runs the case (SBS, SOSEP, MP, MSPAS), by its protection team; the
    # workers of the temporary work programmes are the labour ministry's.
    assert set(Involvement.objects.values_list("institution__code", flat=True)) == {
        "MINEX", "SBS", "SOSEP", "MP", "MSPAS", "MINTRAB",
    }  # fmt: skip
    assert (
        not Involvement.objects.filter(person_id__in=served)
        .exclude(institution__code="MINEX")
        .exists()
    )
    someone = persons_visible_to(operator).filter(pk__in=served).first()
    assert someone in person_search(actor=operator, query=someone.first_surname).people
    # Another institution sees none of them.
    igm = User.objects.get(username="operador.igm")
    assert not persons_visible_to(igm).filter(pk__in=served).exists()


def test_register_entries_hold_what_the_actions_would_write() -> None:
    _load(scale=0.01)
    cutoff = q.day_range(*PERIOD)[1]
    statuses: set[str] = set()
    for record in CivilRegistration.objects.select_related("person", "created_by"):
        history = record.history
        assert record.version == len(history)
        assert history[0]["status"] == "recorded"
        assert history[0]["by"] == record.created_by.username == "consul.minex"
        assert _at(history[0]) == record.created_at
        assert history[-1]["status"] == record.status
        assert _at(history[-1]) == record.status_at < cutoff
        for before, after in zip(history, history[1:], strict=False):
            who = CIVIL_STEPS[(before["status"], after["status"])]
            assert after["by"] == ("consul.minex" if who == "owner" else "registrador.renap")
            assert _at(before) < _at(after)
        rejected = [e for e in history if e["status"] == "rejected"]
        assert record.rejection_reason == (rejected[-1]["reason"] if rejected else "")
        if record.status == "registered":
            assert record.registry_reference == history[-1]["reference"]
        else:
            assert record.registry_reference == ""
        assert PERIOD[0] <= record.recorded_on <= PERIOD[1]
        assert record.event_date <= record.recorded_on
        assert record.source == "demo" and record.external_ref.startswith(
            f"national/{record.kind}/"
        )
        if record.kind == "marriage":
            assert record.other_person_id and record.other_person_id != record.person_id
        else:
            assert record.other_person_id is None
        if record.kind == "birth":
            assert record.person.birth_date == record.event_date
        statuses.add(record.status)
    assert {"recorded", "sent", "acknowledged", "registered"} <= statuses

    steps = {
        ("requested", "checked"),
        ("checked", "issued"),
        ("requested", "refused"),
        ("checked", "refused"),
    }
    for doc in TravelDocument.objects.select_related("person"):
        history = doc.history
        assert doc.version == len(history) and history[-1]["status"] == doc.status
        assert history[0]["status"] == "requested" and _at(history[-1]) == doc.status_at
        pairs = zip(history, history[1:], strict=False)
        assert {(a["status"], b["status"]) for a, b in pairs} <= steps
        assert PERIOD[0] <= doc.requested_on <= PERIOD[1]
        age = age_on(doc.person, doc.requested_on)
        assert age is not None and 0 <= age < 18
        checked = any(e["status"] == "checked" for e in history)
        if checked:
            # The action's own consent check accepts it.
            check = TravelCheckInput(
                consent_basis=doc.consent_basis,
                parents=[
                    ParentConsent(p["name"], p["document"], p["relation"]) for p in doc.parents
                ],
                court_order=doc.court_order,
            )
            assert travel_check_errors(check, is_child=True) == {}
            assert doc.consent_basis in {"both_parents", "court_order"}
            assert history[1]["basis"] == doc.consent_basis
        else:
            assert doc.consent_basis == "" and doc.parents == [] and doc.court_order == ""
        if doc.status == "issued":
            assert doc.document_number and doc.document_number == history[-1]["number"]
        else:
            assert doc.document_number == ""
        assert bool(doc.refusal_reason) == (doc.status == "refused")


def test_second_load_is_refused_and_if_empty_skips() -> None:
    _load()
    assert national_loaded()
    before = (SupportContact.objects.count(), ServiceDelivery.objects.count())
    with pytest.raises(CommandError, match="already loaded"):
        _load()
    assert "not added" in _load(if_empty=True)
    assert (SupportContact.objects.count(), ServiceDelivery.objects.count()) == before
    assert audit_verify()[1] is None


def test_same_seed_same_data() -> None:
    # The national registers only (labour and flows have their own determinism tests).
    from amparo.demo.national import generate_national

    generate_national(scale=SCALE, seed=2019)
    first = list(
        SupportContact.objects.order_by("external_ref").values_list(
            "external_ref", "received_at", "reason", "caller_city", "duration_seconds"
        )
    )
    refs = sorted(CivilRegistration.objects.values_list("id", "status"))
    cases = sorted(Case.objects.values_list("id", "stage", "opened_at", "closure_reason"))
    # A fresh database for the second load: remove what the first one wrote.
    SupportContact.objects.all().delete()
    ServiceDelivery.objects.all().delete()
    CivilRegistration.objects.all().delete()
    TravelDocument.objects.all().delete()
    Site.objects.filter(kind=Site.Kind.MOBILE_CONSULATE).delete()
    from amparo.people.models import Household, Person

    Task.objects.all().delete()
    CaseEvent.objects.all().delete()
    Case.objects.all().delete()
    Household.objects.all().delete()

    Person.objects.all().delete()
    generate_national(scale=SCALE, seed=2019)
    again = list(
        SupportContact.objects.order_by("external_ref").values_list(
            "external_ref", "received_at", "reason", "caller_city", "duration_seconds"
        )
    )
    assert again == first
    assert sorted(CivilRegistration.objects.values_list("id", "status")) == refs
    assert sorted(Case.objects.values_list("id", "stage", "opened_at", "closure_reason")) == cases


def test_json_columns_are_real_json() -> None:
    """COPY (PostgreSQL) and executemany (SQLite) store history and parents as JSON arrays."""
    _load()
    total = CivilRegistration.objects.count()
    assert CivilRegistration.objects.filter(history__0__status="recorded").count() == total
    typeof = "jsonb_typeof" if connection.vendor == "postgresql" else "json_type"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT {typeof}(history), {typeof}(parents) FROM "
            f"{TravelDocument._meta.db_table}"
        )
        assert cursor.fetchall() == [("array", "array")]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path of PostgreSQL")
def test_postgresql_copy_keeps_time_zones_and_identity_ids() -> None:
    _load()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(received_at AT TIME ZONE 'America/Guatemala'),"
            " max(received_at AT TIME ZONE 'America/Guatemala'), count(DISTINCT id)"
            " FROM assistance_supportcontact"
        )
        low, high, ids = cursor.fetchone()
    assert low.date() >= YEAR[0] and high.date() <= YEAR[1]
    assert ids == scaled_volumes(SCALE)["contacts"]
    # Ids follow time: the identity column numbered the rows in the order they were copied.
    ordered = list(SupportContact.objects.order_by("id").values_list("received_at", flat=True))
    assert ordered == sorted(ordered)
    assert date(2018, 1, 1) <= ordered[0].date()


def test_cases_hold_what_the_engine_would_write() -> None:
    """The shelter, returnee, trafficking and violence cases: every step allowed by the protocol
    from the stage before, with its forms saved and its tasks done first; the version counts
    the changes; closed cases have a closure reason of the protocol."""
    from amparo.cases.protocol import protocol_get
    from amparo.people.models import HouseholdMember

    _load(scale=0.01)
    volumes = scaled_volumes(0.01)
    cases = Case.objects.prefetch_related("events", "tasks").select_related("person")
    assert cases.count() >= volumes["sheltered_children"] + volumes["returnee_households"]
    seen: set[str] = set()
    for case in cases:
        protocol = protocol_get(case.protocol_code, case.protocol_version)
        assert protocol is not None
        events = list(case.events.all())
        assert events[0].kind == "opened" and events[0].at == case.opened_at
        assert events[0].detail["source"] == "demo"
        stage = protocol.initial_stage.code
        forms: set[str] = set()
        done: set[str] = set()
        tasks = {t.code: t for t in case.tasks.all()}
        for e in events[1:]:
            if e.kind == "form":
                forms.add(e.detail["form"])
            elif e.kind == "task_done":
                done.add(e.detail["task"])
                assert tasks[e.detail["task"]].done_at == e.at
            else:
                assert e.kind == "transition"
                spec = protocol.transitions[e.detail["transition"]]
                assert e.stage_from == stage and stage in spec.sources
                assert set(spec.requires_forms) <= forms
                assert set(spec.requires_tasks) <= done
                stage = e.stage_to
        assert stage == case.stage
        assert case.version == len(events) - len([e for e in events if e.kind == "task_done"])
        assert set(case.data) == forms
        if protocol.stages[stage].final:
            assert case.closed_at == events[-1].at or case.closed_at <= events[-1].at
            assert case.closure_reason in protocol.closure_reasons
            assert not [t for t in tasks.values() if t.done_at is None]
        else:
            assert case.closed_at is None
            assert {t.stage for t in tasks.values() if t.done_at is None} <= {stage}
        if case.protocol_code in {"trafficking_victims", "child_reception"}:
            assert case.sensitive and case.person.protected
        seen.add(case.protocol_code)
    assert seen == {"child_reception", "returnee_reintegration", "trafficking_victims"}
    returnee_cases = Case.objects.filter(protocol_code="returnee_reintegration")
    assert not returnee_cases.filter(household__isnull=True).exists()
    members = HouseholdMember.objects.filter(household__cases__in=returnee_cases)
    assert members.count() == volumes["returnees"]
    assert members.filter(is_head=True).count() == volumes["returnee_households"]
    # Every member but the head is related to the head (spouse, child, relative); the head not.
    assert not members.filter(is_head=True).exclude(relation_to_head="").exists()
    assert not members.filter(is_head=False, relation_to_head="").exists()
    for case in returnee_cases[:20]:
        assert case.data["reception"]["members_returned"] == case.household.members.count()
    assert audit_verify()[1] is None
