"""Reads of the support line and consular registers, scoped to the actor's institution.

Lists are keyset-friendly (newest first on an index) and counts are capped, so pages stay fast
with a year of contacts (about a million rows) in the database.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from amparo.cases.models import ServiceDelivery
from amparo.core.audit import audit_record
from amparo.core.errors import NotFound
from amparo.core.models import Site, User
from amparo.core.permissions import Perm, has_perm
from amparo.people.models import Person
from amparo.people.queries import persons_visible_to

from .models import CivilRegistration, SupportContact, TravelDocument

PAGE_SIZE = 50
COUNTED = ("reason", "channel", "outcome")
COUNT_CAP = 10_000
CONSULAR_SITES = (Site.Kind.CONSULATE, Site.Kind.MOBILE_CONSULATE)


def civil_registry_code() -> str:
    """The institution that registers civil acts notified from abroad (RENAP in Guatemala)."""
    return getattr(settings, "AMPARO_CIVIL_REGISTRY", "RENAP")


def _readable(actor: User) -> bool:
    return has_perm(actor, Perm.ASSISTANCE_READ) and actor.institution_id is not None


def contacts_visible_to(actor: User) -> QuerySet[SupportContact]:
    if not _readable(actor):
        return SupportContact.objects.none()
    return SupportContact.objects.filter(institution_id=actor.institution_id)


LATEST_CONTACTS = 10


def latest_contacts_query(
    actor: User, limit: int = LATEST_CONTACTS
) -> QuerySet[SupportContact]:
    """The operator's own latest contacts, newest first ("your latest contacts" on the page
    they log contacts on, read after every save). The order is exactly that of the index
    `contact_operator_latest` (operator, received_at DESC, id DESC): the database reads
    `limit` entries of it, whether the operator recorded none or a million contacts; with a
    tie-break the index did not hold it sorted every contact of the operator first."""
    return (
        contacts_visible_to(actor)
        .filter(recorded_by=actor)
        .select_related("reason", "caller_country")
        .order_by("-received_at", "-id")[:limit]
    )


def civil_registrations_visible_to(actor: User) -> QuerySet[CivilRegistration]:
    """The recording institution sees its entries; the civil registry those sent to it."""
    if not _readable(actor):
        return CivilRegistration.objects.none()
    mine = Q(institution_id=actor.institution_id)
    if actor.institution is not None and actor.institution.code == civil_registry_code():
        return CivilRegistration.objects.filter(mine | ~Q(status=CivilRegistration.Status.RECORDED))
    return CivilRegistration.objects.filter(mine)


def travel_documents_visible_to(actor: User) -> QuerySet[TravelDocument]:
    if not _readable(actor):
        return TravelDocument.objects.none()
    return TravelDocument.objects.filter(institution_id=actor.institution_id)


def consular_sites(actor: User) -> QuerySet[Site]:
    """The consulates and mobile consulates of the actor's institution."""
    return Site.objects.filter(institution_id=actor.institution_id, kind__in=CONSULAR_SITES)


def mobile_consulates(actor: User, *, year: int | None = None) -> QuerySet[Site]:
    sites = consular_sites(actor).filter(kind=Site.Kind.MOBILE_CONSULATE).select_related("parent")
    if year is not None:
        sites = sites.filter(opens_on__year=year)
    return sites.order_by("-opens_on", "code")


def day_range(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in the server's time zone."""
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


@dataclass(frozen=True)
class ContactFilter:
    start: date | None = None
    end: date | None = None
    reason: str = ""
    channel: str = ""
    outcome: str = ""


@dataclass(frozen=True)
class ContactPage:
    rows: list[SupportContact]
    # People on this page the actor may see, by id: others show as "person on record".
    people: dict[uuid.UUID, Person]
    count: int
    capped: bool
    offset: int


def contacts_filtered(actor: User, filters: ContactFilter) -> QuerySet[SupportContact]:
    contacts = contacts_visible_to(actor)
    if filters.start or filters.end:
        lo, hi = day_range(filters.start or date(1900, 1, 1), filters.end or date(2999, 12, 31))
        contacts = contacts.filter(received_at__gte=lo, received_at__lt=hi)
    for name in ("reason", "channel", "outcome"):
        value = getattr(filters, name)
        if value:
            contacts = contacts.filter(**{f"{name}_id" if name == "reason" else name: value})
    return contacts


def with_recorders(rows: list[SupportContact]) -> None:
    """Attach who recorded each contact, read in one query. Not a join in the list's query:
    with the users joined, SQLite may start from them and read each operator's contacts by
    the operator index, then sort a year of them (6 s for 2018 at national volume)."""
    users = User.objects.in_bulk({r.recorded_by_id for r in rows})
    for row in rows:
        row.recorded_by = users[row.recorded_by_id]


def capped_count(queryset: QuerySet, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """Count up to `cap` rows: an exact total of a million rows is not worth a slow page."""
    count = queryset.order_by()[: cap + 1].count()
    return min(count, cap), count > cap


def contact_page(
    *, actor: User, filters: ContactFilter, offset: int = 0, limit: int = PAGE_SIZE
) -> ContactPage:
    contacts = contacts_filtered(actor, filters)
    rows = list(
        contacts.select_related("reason", "caller_country").order_by("-received_at", "-id")[
            offset : offset + limit
        ]
    )
    with_recorders(rows)
    person_ids = {r.person_id for r in rows if r.person_id}
    people = (
        {p.pk: p for p in persons_visible_to(actor).filter(pk__in=person_ids)} if person_ids else {}
    )
    if people:  # named people were read: the page's reading is audited, as lists of people are
        audit_record(
            actor=actor, action="contact.list", detail={"people": sorted(str(p) for p in people)}
        )
    count, capped = capped_count(contacts)
    return ContactPage(rows=rows, people=people, count=count, capped=capped, offset=offset)


def contact_counts(actor: User, filters: ContactFilter) -> dict[str, list[tuple[str, int]]]:
    """Contacts of the period by reason, channel and outcome (figures, no one named)."""
    # One scan of the covering index, grouped by all three; the three tables are sums of it.
    rows = (
        contacts_filtered(actor, filters)
        .order_by()
        .values_list("reason", "channel", "outcome")
        .annotate(n=Count("*"))
    )
    totals: dict[str, Counter[str]] = {name: Counter() for name in COUNTED}
    for reason, channel, outcome, n in rows:
        for name, value in zip(COUNTED, (reason, channel, outcome), strict=True):
            totals[name][value] += n
    return {name: totals[name].most_common() for name in COUNTED}


@dataclass(frozen=True)
class ServiceFigures:
    services: int
    people: int
    by_kind: list[tuple[str, int]]
    mobile_services: int


def consular_service_figures(actor: User, *, start: date, end: date) -> ServiceFigures:
    """Services at the institution's consulates and mobile consulates, against the number of
    distinct people served: the "85,538 services to 54,413 people" of the 2019 dialogue."""
    lo, hi = day_range(start, end)
    services = ServiceDelivery.objects.filter(
        institution_id=actor.institution_id,
        delivered_at__gte=lo,
        delivered_at__lt=hi,
        site__kind__in=CONSULAR_SITES,
    ).order_by()
    if not _readable(actor):
        services = services.none()
    totals = services.aggregate(n=Count("id"), people=Count("person_id", distinct=True))
    return ServiceFigures(
        services=totals["n"] or 0,
        people=totals["people"] or 0,
        by_kind=[
            (row["kind"], row["n"])
            for row in services.values("kind").annotate(n=Count("id")).order_by("-n")
        ],
        mobile_services=services.filter(site__kind=Site.Kind.MOBILE_CONSULATE).count(),
    )


def register_counts(queryset: QuerySet, date_field: str, start: date, end: date) -> dict:
    """Entries of a register by kind and status, for a period of their key date."""
    rows = (
        queryset.filter(**{f"{date_field}__gte": start, f"{date_field}__lte": end})
        .order_by()
        .values("kind", "status")
        .annotate(n=Count("id"))
    )
    table: dict[str, dict[str, int]] = {}
    for row in rows:
        table.setdefault(row["kind"], {})[row["status"]] = row["n"]
    return table


def civil_registration_get(*, actor: User, record_id: uuid.UUID | str) -> CivilRegistration:
    return _get(civil_registrations_visible_to(actor), actor, record_id, "civil_registration")


def travel_document_get(*, actor: User, record_id: uuid.UUID | str) -> TravelDocument:
    return _get(travel_documents_visible_to(actor), actor, record_id, "travel_document")


def _get(queryset: QuerySet, actor: User, record_id: uuid.UUID | str, name: str):  # type: ignore[no-untyped-def]
    """One entry, its reading audited: it names a person."""
    try:
        pk = uuid.UUID(str(record_id))
    except ValueError as exc:
        raise NotFound from exc
    record = queryset.select_related("person", "site", "institution").filter(pk=pk).first()
    if record is None:
        raise NotFound
    audit_record(actor=actor, action=f"{name}.view", obj=record, person_id=record.person_id)
    return record
