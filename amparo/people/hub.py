"""The person page as the hub of a person's records: what each capability holds about them, as
far as the actor may see it, and what the actor may do next.

Each section is read through its own app's scoped query (`cases_visible_to`,
`contacts_visible_to`, `reports_visible_to`, ...), narrowed to the person (and the records
merged into them), newest first and cut at HUB_LIMIT: one query per section whatever the
number of records, so the page stays fast for a person with a long history. A section the
actor's role may not read is None (not shown), which is different from an empty one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from amparo.assistance.queries import (
    CONSULAR_SITES,
    civil_registrations_visible_to,
    consular_sites,
    contacts_visible_to,
    travel_documents_visible_to,
)
from amparo.cases.labels import stage_name
from amparo.cases.models import Referral, ServiceDelivery
from amparo.cases.protocol import Protocol, protocol_get, protocols_latest, text
from amparo.cases.queries import cases_visible_to
from amparo.core.models import User
from amparo.core.permissions import Perm, has_perm
from amparo.labour.queries import placements_visible_to
from amparo.tracing.queries import reports_visible_to, tracing_visible_to

from .models import HouseholdMember, Person
from .queries import HouseholdView, households_of, person_ids_of

HUB_LIMIT = 10


@dataclass(frozen=True)
class Section:
    rows: list[Any]
    more: bool  # more records than shown: the section links to the full list


def first_rows(queryset: QuerySet[Any], limit: int = HUB_LIMIT) -> Section:
    rows = list(queryset[: limit + 1])
    return Section(rows[:limit], len(rows) > limit)


@dataclass(frozen=True)
class CaseRow:
    case: Any
    protocol_name: str
    stage_name: str  # empty when the case was referred without sharing its stage
    owner: bool
    via_household: bool  # the case is opened on another member of the person's household


@dataclass
class PersonHub:
    households: list[HouseholdView]
    cases: Section | None = None
    case_rows: list[CaseRow] = field(default_factory=list)
    referrals: Section | None = None
    services: Section | None = None
    consular: Section | None = None
    contacts: Section | None = None
    missing_reports: Section | None = None
    tracing_requests: Section | None = None
    civil_registrations: Section | None = None
    travel_documents: Section | None = None
    placements: Section | None = None
    # What the actor may do from the page.
    may: dict[str, bool] = field(default_factory=dict)
    protocols: list[Protocol] = field(default_factory=list)


def protocols_runnable_by(actor: User) -> list[Protocol]:
    """The protocols the actor's institution runs (a protocol without owners: anyone)."""
    code = actor.institution.code if actor.institution_id else ""
    return [p for p in protocols_latest() if not p.owners or code in p.owners]


def case_rows_of(actor: User, ids: list[uuid.UUID], section: Section) -> list[CaseRow]:
    rows = []
    for case in section.rows:
        protocol = protocol_get(case.protocol_code, case.protocol_version)
        owner = case.institution_id == actor.institution_id
        rows.append(
            CaseRow(
                case=case,
                protocol_name=text(protocol.name) if protocol else case.protocol_code,
                stage_name=stage_name(protocol, case.stage) if owner else "",
                owner=owner,
                via_household=case.person_id not in ids,
            )
        )
    return rows


def _cases(hub: PersonHub, actor: User, ids: list[uuid.UUID]) -> None:
    if not has_perm(actor, Perm.CASE_READ):
        return
    # The person's own cases, and those of their household (a reintegration case is opened on
    # the head, for every member).
    households = HouseholdMember.objects.filter(person_id__in=ids).values("household_id")
    mine = Q(person_id__in=ids) | Q(household_id__in=households)
    hub.cases = first_rows(cases_visible_to(actor).filter(mine).order_by("-opened_at"))
    hub.case_rows = case_rows_of(actor, ids, hub.cases)
    ours = Q(from_institution_id=actor.institution_id) | Q(to_institution_id=actor.institution_id)
    hub.referrals = first_rows(
        Referral.objects.filter(ours, case__person_id__in=ids)
        .filter(case__in=cases_visible_to(actor))
        .select_related("from_institution", "to_institution")
        .order_by("-sent_at")
    )


def _services(hub: PersonHub, actor: User, ids: list[uuid.UUID]) -> None:
    """Services the actor's institution gave the person; those at a consulate are the
    consular services (the consular register's own section)."""
    if not (has_perm(actor, Perm.CASE_READ) or has_perm(actor, Perm.ASSISTANCE_READ)):
        return
    given = ServiceDelivery.objects.filter(
        institution_id=actor.institution_id, person_id__in=ids
    ).select_related("site")
    consular = Q(site__kind__in=CONSULAR_SITES)
    hub.services = first_rows(given.exclude(consular).order_by("-delivered_at"))
    if has_perm(actor, Perm.ASSISTANCE_READ):
        hub.consular = first_rows(given.filter(consular).order_by("-delivered_at"))


def _assistance(hub: PersonHub, actor: User, ids: list[uuid.UUID]) -> None:
    if not has_perm(actor, Perm.ASSISTANCE_READ):
        return
    hub.contacts = first_rows(
        contacts_visible_to(actor)
        .filter(person__isnull=False, person_id__in=ids)
        .select_related("reason")
        .order_by("-received_at")
    )
    hub.civil_registrations = first_rows(
        civil_registrations_visible_to(actor)
        .filter(Q(person_id__in=ids) | Q(other_person_id__in=ids))
        .select_related("event_country")
        .order_by("-recorded_on", "-created_at")
    )
    hub.travel_documents = first_rows(
        travel_documents_visible_to(actor)
        .filter(person_id__in=ids)
        .order_by("-requested_on", "-created_at")
    )


def _tracing(hub: PersonHub, actor: User, ids: list[uuid.UUID]) -> None:
    if not has_perm(actor, Perm.TRACING_READ):
        return
    hub.missing_reports = first_rows(
        reports_visible_to(actor)
        .filter(Q(person_id__in=ids) | Q(found_person_id__in=ids) | Q(reporter_id__in=ids))
        .select_related("last_seen_country")
        .order_by("-reported_on", "-created_at")
    )
    hub.tracing_requests = first_rows(
        tracing_visible_to(actor).filter(child_id__in=ids).order_by("-requested_on", "-created_at")
    )


def _labour(hub: PersonHub, actor: User, ids: list[uuid.UUID]) -> None:
    if not has_perm(actor, Perm.LABOUR_READ):
        return
    hub.placements = first_rows(
        placements_visible_to(actor)
        .filter(person_id__in=ids)
        .select_related("offer__employer", "offer__country")
        .order_by("-registered_on", "-created_at")
    )


def _may_be_child(person: Person) -> bool:
    """Family tracing is for children: offered unless the person is known to be an adult."""
    age = person.age_on(timezone.localdate())
    return age is None or age < ADULT_AGE


ADULT_AGE = 18


def _may(hub: PersonHub, actor: User, person: Person) -> None:
    write_assistance = has_perm(actor, Perm.ASSISTANCE_WRITE)
    has_consulate = write_assistance and consular_sites(actor).exists()
    hub.protocols = protocols_runnable_by(actor) if has_perm(actor, Perm.CASE_WRITE) else []
    hub.may = {
        "open_case": bool(hub.protocols),
        "record_service": has_perm(actor, Perm.CASE_WRITE),
        "consular_service": has_consulate,
        "civil_registration": write_assistance,
        "travel_document": write_assistance,
        "log_contact": write_assistance,
        "report_missing": has_perm(actor, Perm.TRACING_WRITE),
        "request_tracing": has_perm(actor, Perm.TRACING_WRITE) and _may_be_child(person),
        "manage_household": has_perm(actor, Perm.PERSON_WRITE),
    }


def person_hub(*, actor: User, person: Person) -> PersonHub:
    """Everything the person page lists about `person` for `actor`, and the actions offered."""
    ids = person_ids_of(person)
    hub = PersonHub(households=households_of(actor=actor, person=person))
    _cases(hub, actor, ids)
    _services(hub, actor, ids)
    _assistance(hub, actor, ids)
    _tracing(hub, actor, ids)
    _labour(hub, actor, ids)
    _may(hub, actor, person)
    return hub
