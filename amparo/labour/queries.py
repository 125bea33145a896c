"""Reads of the labour registers, scoped to the actor, and the public check.

Who sees what (docs/labour.md):

- The **recruiter register** (organisations and individuals who recruit for work abroad, not
  migrants) is network-wide for anyone with `labour.read`: consulates must know whether the
  agency that sent a worker is authorised. Only the labour ministry (MINTRAB and its units)
  writes it, and only its supervisors decide.
- **Fraud reports** from the public reach the labour ministry's queue only.
- **Job offers and placements** (workers) are seen by the institution that recorded them; a
  protected worker only by the recording team.
- **Workplace visits and support services** are seen by the institution that recorded them
  (the consulate's ministry).
- **Figures** (counts) name no one: with `stats.read` they cover the network, otherwise what
  the actor's institution recorded.
- The **public check** reveals public fields only, for recruiters that were ever authorised.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from amparo.core.audit import audit_record
from amparo.core.errors import NotFound
from amparo.core.models import Institution, User
from amparo.core.permissions import Perm, has_perm

from .models import (
    FraudReport,
    JobOffer,
    PamphletDistribution,
    Placement,
    Recruiter,
    SupportService,
    WorkplaceVisit,
)
from .names import normalise_name, normalise_number

PUBLIC_MIN_CHARS = 3
PUBLIC_LIMIT = 20
PUBLIC_TTL = 60  # seconds; every status change also invalidates the cached answers
PUBLIC_STATUSES = (
    Recruiter.Status.AUTHORISED,
    Recruiter.Status.SUSPENDED,
    Recruiter.Status.REVOKED,
)
# Recruited means selected and beyond: the worker left, is abroad or came back.
RECRUITED = (
    Placement.Status.SELECTED,
    Placement.Status.PREPARED,
    Placement.Status.DEPLOYED,
    Placement.Status.RETURNED,
)


def ministry_code() -> str:
    """The labour ministry, which keeps the recruiter register (MINTRAB)."""
    return getattr(settings, "AMPARO_LABOUR_MINISTRY", "MINTRAB")


def ministry_ids() -> set[uuid.UUID]:
    """The ministry and its units (MINTRAB_DGE, MINTRAB_DML): each may keep the register."""
    found: set[uuid.UUID] = set()
    frontier = set(Institution.objects.filter(code=ministry_code()).values_list("pk", flat=True))
    while frontier:
        found |= frontier
        frontier = (
            set(Institution.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            - found
        )
    return found


def is_ministry(actor: User) -> bool:
    return actor.institution_id is not None and actor.institution_id in ministry_ids()


def family_ids(actor: User) -> set[uuid.UUID]:
    """The actor's institution, its parent and its units: whose offices it may work at."""
    if actor.institution_id is None:
        return set()
    inst = actor.institution
    ids = {inst.pk, *Institution.objects.filter(parent_id=inst.pk).values_list("pk", flat=True)}
    if inst.parent_id:
        ids.add(inst.parent_id)
    return ids


def _readable(actor: User) -> bool:
    return has_perm(actor, Perm.LABOUR_READ) and actor.institution_id is not None


# ---------------------------------------------------------------- recruiter register


def recruiters_visible_to(actor: User) -> QuerySet[Recruiter]:
    return Recruiter.objects.all() if _readable(actor) else Recruiter.objects.none()


def recruiter_get(*, actor: User, recruiter_id: uuid.UUID) -> Recruiter:
    recruiter = recruiters_visible_to(actor).filter(pk=recruiter_id).first()
    if recruiter is None:
        raise NotFound
    return recruiter


def recruiter_search(actor: User, query: str = "", status: str = "") -> QuerySet[Recruiter]:
    records = recruiters_visible_to(actor)
    if status in Recruiter.Status.values:
        records = records.filter(status=status)
    query = query.strip()[:100]
    if query:
        number = normalise_number(query)
        key = normalise_name(query)
        cond = Q(name_key__contains=key) if key else Q(pk__in=[])
        if number:
            cond |= Q(number=number)
        digits = "".join(ch for ch in query.upper() if ch.isalnum())
        if digits and any(ch.isdigit() for ch in digits):
            cond |= Q(tax_number=digits)
        records = records.filter(cond)
    return records


def authorised_on(recruiter: Recruiter, day: date) -> bool:
    return bool(
        recruiter.status == Recruiter.Status.AUTHORISED
        and recruiter.valid_from
        and recruiter.valid_until
        and recruiter.valid_from <= day <= recruiter.valid_until
    )


def fraud_reports_visible_to(actor: User) -> QuerySet[FraudReport]:
    if not _readable(actor) or not is_ministry(actor):
        return FraudReport.objects.none()
    return FraudReport.objects.all()


# ---------------------------------------------------------------- the public check


def public_state(recruiter: Recruiter, today: date) -> str:
    """What the public is told: authorised today, expired, not yet valid, suspended, revoked."""
    if recruiter.status == Recruiter.Status.AUTHORISED:
        if authorised_on(recruiter, today):
            return "authorised"
        if recruiter.valid_from and today < recruiter.valid_from:
            return "not_yet_valid"
        return "expired"
    return recruiter.status


def public_fields(recruiter: Recruiter, today: date) -> dict[str, Any]:
    """Only what the public may see: no people, no complaints, no documents."""
    state = public_state(recruiter, today)
    return {
        "name": recruiter.name,
        "number": recruiter.number,
        "kind": recruiter.kind,
        "status": state,
        "authorised_today": state == "authorised",
        "valid_from": recruiter.valid_from.isoformat() if recruiter.valid_from else None,
        "valid_until": recruiter.valid_until.isoformat() if recruiter.valid_until else None,
        "countries": list(recruiter.countries),
        "sectors": list(recruiter.sectors),
    }


GENERATION_KEY = "labour:public:generation"


def public_invalidate() -> None:
    """Forget the public register held in memory (any recruiter's status or period changed).

    Each process keeps the public part of the register in memory, stamped with a generation
    number kept in the cache; bumping it makes every process reload on its next request. With a
    shared cache (Redis, database) that is at once everywhere; with the default per-process
    cache (LocMemCache) the other processes reload within PUBLIC_TTL seconds.
    """
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        # No generation yet (a fresh or emptied cache): a random one, never one a process may
        # still hold a snapshot of.
        cache.set(GENERATION_KEY, secrets.randbits(40), None)


@dataclass
class _Snapshot:
    generation: int
    day: date
    loaded: float
    rows: list[tuple[str, dict[str, Any]]]  # (name key, public fields), by name key
    by_number: dict[str, dict[str, Any]]
    stamp: tuple[int, str]
    # Answers already given in this generation (the same names are asked again and again),
    # and their JSON: bounded, so a flood of different searches cannot fill the memory.
    answers: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    encoded: dict[tuple[str, str], bytes] = field(default_factory=dict)


MEMO_LIMIT = 5000


_snapshot: _Snapshot | None = None


def _stamp() -> tuple[int, str]:
    """What changes whenever a recruiter's status or period does (every decision sets
    `status_at`): one aggregate query, far cheaper than reloading the register."""
    found = Recruiter.objects.aggregate(n=Count("id"), last=Max("status_at"))
    return found["n"], str(found["last"])


def _public_register() -> _Snapshot:
    """The public part of the register, from memory; reloaded (one query) when a recruiter's
    status changed, at midnight (who is authorised "today" changes), or when the check made
    every PUBLIC_TTL seconds finds the register changed behind the cache's back."""
    global _snapshot
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # A fresh or emptied cache starts a new random generation, so a process never takes
        # its old snapshot for current after the cache was lost.
        cache.add(GENERATION_KEY, secrets.randbits(40), None)
        generation = cache.get(GENERATION_KEY, 0)
    today = timezone.localdate()
    now = time.monotonic()
    snap = _snapshot
    if snap is not None and snap.generation == generation and snap.day == today:
        if now - snap.loaded <= PUBLIC_TTL:
            return snap
        stamp = _stamp()
        if stamp == snap.stamp:
            # Unchanged: keep the snapshot and its answers (a reload every minute would
            # stall the requests queued behind it).
            snap.loaded = now
            return snap
    stamp = _stamp()
    records = Recruiter.objects.filter(status__in=PUBLIC_STATUSES).order_by("name_key", "number")
    rows = [(r.name_key, public_fields(r, today)) for r in records.iterator()]
    snap = _Snapshot(generation, today, now, rows, {f["number"]: f for _, f in rows}, stamp)
    _snapshot = snap
    return snap


@dataclass(frozen=True)
class PublicQuery:
    """A public question: a name (3 characters at least) or an exact registration number."""

    q: str = ""
    number: str = ""


def _question(query: PublicQuery) -> tuple[str, str]:
    """("number", RC-...) or ("name", normalised name); ("error", why) when unusable."""
    if query.number.strip():
        number = normalise_number(query.number[:40])
        return ("number", number) if number else ("error", "number")
    key = normalise_name(query.q[:100])
    if len(key.replace(" ", "")) < PUBLIC_MIN_CHARS:
        return ("error", "short")
    return ("name", key)


def _answer(snap: _Snapshot, question: tuple[str, str]) -> dict[str, Any]:
    kind, key = question
    if kind == "number":
        found = snap.by_number.get(key)
        return {"items": [found] if found else [], "truncated": False, "error": ""}
    items: list[dict[str, Any]] = []
    for name_key, fields in snap.rows:
        if key in name_key:
            items.append(fields)
            if len(items) > PUBLIC_LIMIT:
                break
    return {"items": items[:PUBLIC_LIMIT], "truncated": len(items) > PUBLIC_LIMIT, "error": ""}


def public_lookup(query: PublicQuery) -> dict[str, Any]:
    """The public answer: the recruiters found (capped), their public fields, whether the
    search was too short or the number malformed."""
    question = _question(query)
    if question[0] == "error":
        return {"items": [], "truncated": False, "error": question[1]}
    snap = _public_register()
    answer = snap.answers.get(question)
    if answer is None:
        answer = _answer(snap, question)
        if len(snap.answers) < MEMO_LIMIT:
            snap.answers[question] = answer
    return answer


def public_lookup_json(query: PublicQuery) -> tuple[str, bytes]:
    """The public answer as the API sends it (items and truncated), encoded once per
    generation; or the error ("short", "number") and nothing."""
    question = _question(query)
    if question[0] == "error":
        return question[1], b""
    snap = _public_register()
    encoded = snap.encoded.get(question)
    if encoded is None:
        answer = public_lookup(query)
        body = {"items": answer["items"], "truncated": answer["truncated"]}
        encoded = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        if len(snap.encoded) < MEMO_LIMIT:
            snap.encoded[question] = encoded
    return "", encoded


# ---------------------------------------------------------------- programmes and workers


def offers_visible_to(actor: User) -> QuerySet[JobOffer]:
    if not _readable(actor):
        return JobOffer.objects.none()
    return JobOffer.objects.filter(institution_id=actor.institution_id)


def offer_get(*, actor: User, offer_id: uuid.UUID) -> JobOffer:
    offer = (
        offers_visible_to(actor)
        .select_related("employer", "country", "recruiter")
        .filter(pk=offer_id)
        .first()
    )
    if offer is None:
        raise NotFound
    return offer


def placements_visible_to(actor: User) -> QuerySet[Placement]:
    if not _readable(actor):
        return Placement.objects.none()
    return Placement.objects.filter(institution_id=actor.institution_id).filter(
        Q(person__protected=False) | Q(team_id=actor.team_id)
    )


def placements_of_offer(*, actor: User, offer: JobOffer) -> list[Placement]:
    """The workers of an offer: personal data, so the read is audited."""
    rows = list(
        placements_visible_to(actor)
        .filter(offer=offer)
        .select_related("person", "site")
        .order_by("person__first_surname", "person__given_names")[:1000]
    )
    audit_record(
        actor=actor, action="labour.placements.list", obj=offer, detail={"shown": len(rows)}
    )
    return rows


def placement_get(*, actor: User, placement_id: uuid.UUID) -> Placement:
    placement = (
        placements_visible_to(actor)
        .select_related("person", "offer", "offer__employer", "site")
        .filter(pk=placement_id)
        .first()
    )
    if placement is None:
        raise NotFound
    audit_record(
        actor=actor, action="labour.placement.read", obj=placement, person_id=placement.person_id
    )
    return placement


def pamphlets_visible_to(actor: User) -> QuerySet[PamphletDistribution]:
    if not _readable(actor):
        return PamphletDistribution.objects.none()
    return PamphletDistribution.objects.filter(institution_id=actor.institution_id)


# ---------------------------------------------------------------- support abroad


def visits_visible_to(actor: User) -> QuerySet[WorkplaceVisit]:
    if not _readable(actor):
        return WorkplaceVisit.objects.none()
    return WorkplaceVisit.objects.filter(institution_id=actor.institution_id)


def services_visible_to(actor: User) -> QuerySet[SupportService]:
    if not _readable(actor):
        return SupportService.objects.none()
    return SupportService.objects.filter(institution_id=actor.institution_id).filter(
        Q(person__protected=False) | Q(team_id=actor.team_id)
    )


def services_list(actor: User, limit: int = 200) -> list[SupportService]:
    rows = list(
        services_visible_to(actor)
        .select_related("person", "employer", "site", "case")
        .order_by("-given_on", "-created_at")[:limit]
    )
    audit_record(actor=actor, action="labour.services.list", detail={"shown": len(rows)})
    return rows


# ---------------------------------------------------------------- figures


def _scope(actor: User, records: QuerySet[Any]) -> QuerySet[Any]:
    """Figures name no one: the network with stats.read, else the actor's institution."""
    if has_perm(actor, Perm.STATS_READ):
        return records
    if not _readable(actor):
        return records.none()
    return records.filter(institution_id=actor.institution_id)


@dataclass(frozen=True)
class RecruitedRow:
    country: str
    sex: str
    workers: int


def recruited_by_destination_and_sex(*, actor: User, year: int | None = None) -> list[RecruitedRow]:
    """How many workers were recruited (selected and beyond), for which country, by sex.

    A worker placed twice in the year (two offers) counts once per offer country."""
    records = _scope(actor, Placement.objects.filter(status__in=RECRUITED))
    if year is not None:
        records = records.filter(offer__starts_on__year=year)
    rows = (
        records.values("offer__country_id", "person__sex")
        .annotate(workers=Count("person_id", distinct=True))
        .order_by("offer__country_id", "person__sex")
    )
    return [RecruitedRow(r["offer__country_id"], r["person__sex"], r["workers"]) for r in rows]


def labour_figures(*, actor: User, year: int | None = None) -> dict[str, Any]:
    """Every figure of the labour pages for one year (or all years)."""
    recruited = recruited_by_destination_and_sex(actor=actor, year=year)
    pamphlets = _scope(actor, PamphletDistribution.objects.all())
    visits = _scope(actor, WorkplaceVisit.objects.all())
    services = _scope(actor, SupportService.objects.all())
    if year is not None:
        pamphlets = pamphlets.filter(distributed_on__year=year)
        visits = visits.filter(visited_on__year=year)
        services = services.filter(given_on__year=year)
    return {
        "year": year,
        "recruited": recruited,
        "recruited_total": sum(r.workers for r in recruited),
        "pamphlets": list(
            pamphlets.values("country_id", "site__code")
            .annotate(quantity=Sum("quantity"))
            .order_by("country_id", "site__code")
        ),
        "pamphlets_total": pamphlets.aggregate(n=Sum("quantity"))["n"] or 0,
        "visits": list(
            visits.values("site__code", "kind").annotate(n=Count("id")).order_by("site__code")
        ),
        "services": list(
            services.values("site__code", "kind").annotate(n=Count("id")).order_by("site__code")
        ),
        "services_total": services.count(),
        "breaches": services.filter(breach_of_contract=True).count(),
    }


def figure_years(actor: User) -> list[int]:
    years = (
        _scope(actor, Placement.objects.all())
        .annotate(y=ExtractYear("offer__starts_on"))
        .values_list("y", flat=True)
        .order_by()  # without it the model's ordering joins the DISTINCT: one row a placement
        .distinct()
    )
    return sorted({y for y in years if y}, reverse=True)
