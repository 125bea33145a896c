"""Reads of people, always scoped to what the actor may see (need-to-know)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from amparo.core.audit import audit_record
from amparo.core.errors import InvalidInput, NotFound
from amparo.core.labels import action_label
from amparo.core.models import AuditEntry, User
from amparo.core.permissions import Perm, has_perm, require

from .models import (
    Household,
    HouseholdMember,
    Involvement,
    Person,
    PersonMerge,
    PersonSearchToken,
    Relation,
)
from .text import name_tokens, normalize_document_number

SEARCH_LIMIT = 25


def persons_visible_to(actor: User) -> QuerySet[Person]:
    """People the actor may see.

    The actor's institution sees the people it holds; a protected person (child, victim) only
    through the actor's own team, or through an involvement held by the whole institution.
    """
    if not has_perm(actor, Perm.PERSON_READ) or actor.institution_id is None:
        return Person.objects.none()
    # Correlated EXISTS rather than IN (subquery): one person or one page is checked row by
    # row through the involvement index instead of materialising the institution's people.
    return Person.objects.filter(voided_at__isnull=True, merged_into__isnull=True).filter(
        _visible_via(actor, "pk", "protected")
    )


def persons_visible_count(actor: User, *, cap: int) -> int:
    """How many people the actor may see, counted up to `cap` + 1 (more means "more than cap").

    The same rule as `persons_visible_to`, read from the institution's involvements: an
    institution holding a few hundred of a million people counts them through its own index
    instead of checking every person.
    """
    if not has_perm(actor, Perm.PERSON_READ) or actor.institution_id is None:
        return 0
    involvements = Involvement.objects.filter(
        institution_id=actor.institution_id,
        ended_at__isnull=True,
        person__voided_at__isnull=True,
        person__merged_into__isnull=True,
    ).filter(Q(person__protected=False) | Q(team__isnull=True) | Q(team_id=actor.team_id))
    return involvements.order_by().values("person_id").distinct()[: cap + 1].count()


def _visible_via(actor: User, person_ref: str, protected_lookup: str) -> Q:
    """The need-to-know rule as a per-row condition: `person_ref` names the person's id in the
    outer query and `protected_lookup` its protected flag."""
    own = Involvement.objects.filter(
        person_id=OuterRef(person_ref), institution_id=actor.institution_id, ended_at__isnull=True
    )
    own_team = own.filter(Q(team__isnull=True) | Q(team_id=actor.team_id))
    return Q(Exists(own), **{protected_lookup: False}) | Q(
        Exists(own_team), **{protected_lookup: True}
    )


def _held_by_institution(actor: User) -> QuerySet[Person]:
    """Every person the actor's institution holds, whatever team: the break-glass scope."""
    held = Involvement.objects.filter(institution_id=actor.institution_id, ended_at__isnull=True)
    return Person.objects.filter(
        voided_at__isnull=True, merged_into__isnull=True, pk__in=held.values("person_id")
    )


def person_get(
    *, actor: User, person_id: uuid.UUID | str, purpose: str = "view", break_glass: bool = False
) -> Person:
    """One person the actor may see, following merges to the survivor; the read is audited.

    `break_glass` reads a protected person of the actor's institution held by another team,
    after `person_break_glass` recorded why; the read is audited as such.
    """
    require(actor, Perm.BREAK_GLASS if break_glass else Perm.PERSON_READ)
    try:
        pid = uuid.UUID(str(person_id))
    except ValueError as exc:
        raise NotFound from exc
    scope = _held_by_institution(actor) if break_glass else persons_visible_to(actor)
    visible = scope.select_related(
        "nationality", "origin_municipality__department", "preferred_language"
    )
    person = visible.filter(pk=pid).first()
    if person is None:
        # A merged record points to its survivor: old links keep working.
        survivor = Person.objects.filter(pk=pid).values_list("merged_into_id", flat=True).first()
        person = visible.filter(pk=survivor).first() if survivor else None
    if person is None:
        raise NotFound
    action = f"person.{purpose}_break_glass" if break_glass else f"person.{purpose}"
    audit_record(actor=actor, action=action, obj=person, person_id=person.pk)
    return person


BREAK_GLASS_MIN_REASON = 10


def person_break_glass(*, actor: User, person_id: uuid.UUID, reason: str) -> bool:
    """Record why a supervisor must read a protected person another team holds.

    Returns False when no break-glass is needed (the actor already sees the person). The
    entry is what the institution's auditor reviews (core.queries.break_glass_reads).
    """
    require(actor, Perm.BREAK_GLASS)
    if persons_visible_to(actor).filter(pk=person_id).exists():
        return False
    reason = " ".join(reason.split())
    if len(reason) < BREAK_GLASS_MIN_REASON:
        raise InvalidInput.field(
            "reason", _("Explain in a sentence why you must read this record.")
        )
    person = _held_by_institution(actor).filter(pk=person_id).first()
    if person is None:
        raise NotFound
    audit_record(
        actor=actor,
        action="person.break_glass",
        obj=person,
        person_id=person.pk,
        reason=reason[:1000],
    )
    return True


def _prefix_range(token: str) -> Q:
    # A range on the indexed column is a prefix match that uses the b-tree on every database.
    upper = token[:-1] + chr(ord(token[-1]) + 1)
    return Q(token__gte=token, token__lt=upper)


RARITY_PROBE = 2000


def _rarest_first(tokens: list[str]) -> list[str]:
    """Order tokens so the scan starts from the one with the fewest index entries.

    "maría tzoc" must start from "tzoc": counting at most RARITY_PROBE entries per token is a
    bounded index range scan, far cheaper than walking every "maría".
    """
    if len(tokens) == 1:
        return tokens

    def entries(token: str) -> int:
        probe = PersonSearchToken.objects.filter(_prefix_range(token)).values("pk")[:RARITY_PROBE]
        return probe.count()

    return sorted(tokens, key=lambda t: (entries(t), -len(t)))


@dataclass(frozen=True)
class SearchResult:
    people: list[Person]
    truncated: bool


def person_search(*, actor: User, query: str, limit: int = SEARCH_LIMIT) -> SearchResult:
    """Prefix search on every name part and document number, accent- and case-insensitive.

    Every query token must prefix-match a token of the person. The search itself is audited
    (what was asked and how many people were shown), not each person it lists.
    """
    doc = normalize_document_number(query)
    # Names carry no digits: a query with digits is a document number, however it is spaced.
    tokens = [doc.lower()] if any(ch.isdigit() for ch in doc) else name_tokens(query)
    if not tokens:
        return SearchResult([], False)
    if not has_perm(actor, Perm.PERSON_READ) or actor.institution_id is None:
        return SearchResult([], False)
    ordered = _rarest_first(tokens)
    matches = PersonSearchToken.objects.filter(_prefix_range(ordered[0]))
    for token in ordered[1:]:
        matches = matches.filter(
            Exists(
                PersonSearchToken.objects.filter(person_id=OuterRef("person_id")).filter(
                    _prefix_range(token)
                )
            )
        )
    # Walk the token index in order and check each candidate's visibility by correlated
    # lookups: the first page is found after a few index entries, whatever the table size.
    ids = list(
        matches.filter(_visible_via(actor, "person_id", "person__protected"))
        .order_by("token", "person_id")
        .values_list("person_id", flat=True)[: (limit + 1) * 3]
    )
    unique_ids = list(dict.fromkeys(ids))
    # Voided and merged records are rare: dropping them here keeps the scan above index-driven.
    alive = Person.objects.filter(voided_at__isnull=True, merged_into__isnull=True)
    by_id = alive.select_related("nationality").in_bulk(unique_ids[: limit + 1])
    people = [by_id[i] for i in unique_ids if i in by_id][:limit]
    truncated = len(unique_ids) > len(people)
    audit_record(
        actor=actor, action="person.search", detail={"query": query[:100], "shown": len(people)}
    )
    return SearchResult(people, truncated)


def person_candidates_by_document(*, numbers: list[tuple[str, str, str]]) -> list[uuid.UUID]:
    """People anywhere in the network holding one of these (type, country, number) documents.

    Used only to avoid duplicates at registration: the caller links instead of creating.
    """
    from .models import IdentityDocument

    q = Q()
    for doc_type, country, number in numbers:
        q |= Q(
            doc_type=doc_type,
            issuing_country_id=country,
            number_normalized=normalize_document_number(number),
        )
    if not numbers:
        return []
    return list(
        IdentityDocument.objects.filter(q, voided_at__isnull=True).values_list(
            "person_id", flat=True
        )
    )


def relations_visible_to(
    *, actor: User, person: Person
) -> tuple[QuerySet[Relation], QuerySet[Relation]]:
    """The person's relations, both ways, to people the actor may see: a relation must never
    disclose a person that only another institution holds."""
    if not has_perm(actor, Perm.PERSON_READ) or actor.institution_id is None:
        return Relation.objects.none(), Relation.objects.none()
    active = Relation.objects.filter(voided_at__isnull=True).order_by("created_at")

    def alive(side: str) -> Q:
        # The other person checked row by row (correlated EXISTS on the involvement index),
        # never "IN (every person the actor sees)": that scanned half a million people.
        return Q(**{f"{side}__voided_at__isnull": True, f"{side}__merged_into__isnull": True}) & (
            _visible_via(actor, f"{side}_id", f"{side}__protected")
        )

    return (
        active.filter(alive("to_person"), from_person=person).select_related("to_person"),
        active.filter(alive("from_person"), to_person=person).select_related("from_person"),
    )


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime
    action: str
    label: str
    actor: str
    institution: str
    detail: dict[str, object]


def person_ids_of(person: Person) -> list[uuid.UUID]:
    """The person's record and the records merged into it: where their history is kept."""
    # Read from the merges, not from `Person.merged_into`: that column is NULL on nearly every
    # row, and SQLite's statistics then make it scan the whole person table for one lookup.
    # Only `person_merge` sets the pointer, always with its active merge record.
    merges = PersonMerge.objects.filter(survivor=person, undone_at__isnull=True)
    return [person.pk, *merges.values_list("absorbed_id", flat=True)]


def person_timeline(*, actor: User, person: Person) -> list[TimelineEvent]:
    """What happened to the person that the actor's institution may know about.

    Writes by the actor's own institution are shown in full; later capabilities (cases,
    referrals, services) add their events through the same function.
    """
    entries = (
        AuditEntry.objects.filter(
            person_id__in=person_ids_of(person), institution_id=actor.institution_id
        )
        .exclude(action__in=["person.view", "person.edit_form"])
        .order_by("-at")[:200]
    )
    return [
        TimelineEvent(
            at=e.at,
            action=e.action,
            label=action_label(e.action),
            actor=e.actor_username,
            institution=str(actor.institution),
            detail=e.detail,
        )
        for e in entries
    ]


# --- households -----------------------------------------------------------------------------


def _visible_members(actor: User) -> QuerySet[HouseholdMember]:
    """Memberships of people the actor may see (the need-to-know rule, per row)."""
    return HouseholdMember.objects.filter(
        person__voided_at__isnull=True, person__merged_into__isnull=True
    ).filter(_visible_via(actor, "person_id", "person__protected"))


def households_visible_to(actor: User) -> QuerySet[Household]:
    """Households with at least one member the actor may see: like a person, a household is
    shared by the institutions that hold its members."""
    if not has_perm(actor, Perm.PERSON_READ) or actor.institution_id is None:
        return Household.objects.none()
    return Household.objects.filter(
        Exists(_visible_members(actor).filter(household_id=OuterRef("pk")))
    )


@dataclass(frozen=True)
class HouseholdView:
    household: Household
    # Only the members the actor may see, head first; a member another institution holds
    # alone is not shown (not even counted), so the household discloses nobody.
    members: list[HouseholdMember]

    @property
    def head(self) -> HouseholdMember | None:
        return next((m for m in self.members if m.is_head), None)


def _member_order(member: HouseholdMember) -> tuple[bool, str, str]:
    p = member.person
    return (not member.is_head, p.first_surname.lower(), p.given_names.lower())


def household_views(actor: User, households: QuerySet[Household]) -> list[HouseholdView]:
    """Each household with its visible members, in two queries whatever the number."""
    found = list(households)
    members = (
        _visible_members(actor)
        .filter(household_id__in=[h.pk for h in found])
        .select_related("person")
    )
    by_household: dict[uuid.UUID, list[HouseholdMember]] = {h.pk: [] for h in found}
    for m in members:
        by_household[m.household_id].append(m)
    return [HouseholdView(h, sorted(by_household[h.pk], key=_member_order)) for h in found]


def household_get(*, actor: User, household_id: uuid.UUID | str) -> HouseholdView:
    """One household the actor may see, with its visible members; the read is audited on the
    household (not on each member: opening a household is not reading each person's file)."""
    require(actor, Perm.PERSON_READ)
    try:
        hid = uuid.UUID(str(household_id))
    except ValueError as exc:
        raise NotFound from exc
    views = household_views(actor, households_visible_to(actor).filter(pk=hid))
    if not views:
        raise NotFound
    audit_record(actor=actor, action="household.view", obj=views[0].household)
    return views[0]


def households_of(*, actor: User, person: Person) -> list[HouseholdView]:
    """The households the person belongs to, as the actor may see them (person page)."""
    return household_views(
        actor,
        households_visible_to(actor)
        .filter(householdmember__person=person)
        .order_by("label", "pk"),
    )
