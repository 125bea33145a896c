"""Reads of the tracing registers, scoped to the actor.

Who sees what (docs/tracing.md):

- A **missing-person report** is seen by the institution that recorded it; by the institution
  whose consulate a search request was sent through; by the consular institution (MINEX) when
  the person was last seen abroad (a national missing abroad); by the forensic institute
  (INACIF) once it was asked to compare the report with unidentified remains, or identified
  remains with it. A report about a **protected** person (a child, a victim) is seen only by the
  recording institution's recording team, never shared.
- **Unidentified remains** are seen by the institution that recorded them and by the forensic
  institute; identified remains also by whoever sees the report they were identified with.
- A **tracing request** is seen by the institution that recorded it; when the child is
  protected (an unaccompanied or separated child usually is), only by the recording team.

The role needs `tracing.read`. Every detail read is audited. Figures (counts) name no one:
with `stats.read` they cover the network, otherwise what the actor sees.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from amparo.core.audit import audit_record
from amparo.core.errors import NotFound
from amparo.core.models import User
from amparo.core.permissions import Perm, has_perm

from .models import MissingReport, SearchRequest, TracingRequest, UnidentifiedRemains


def home_country() -> str:
    return getattr(settings, "AMPARO_HOME_COUNTRY", "GT")


def consular_institution() -> str:
    """The institution whose consulates search for nationals abroad (MINEX)."""
    return getattr(settings, "AMPARO_CONSULAR_INSTITUTION", "MINEX")


def forensic_institution() -> str:
    """The forensic institute that identifies remains (INACIF)."""
    return getattr(settings, "AMPARO_FORENSIC_INSTITUTION", "INACIF")


def _readable(actor: User) -> bool:
    return has_perm(actor, Perm.TRACING_READ) and actor.institution_id is not None


def _code(actor: User) -> str:
    return actor.institution.code if actor.institution_id else ""


def is_forensic(actor: User) -> bool:
    return _code(actor) == forensic_institution()


def _own_team(actor: User, prefix: str = "") -> Q:
    """The recording team's entries (or entries recorded without a team)."""
    return Q(**{f"{prefix}team__isnull": True}) | Q(**{f"{prefix}team_id": actor.team_id})


def reports_visible_to(actor: User) -> QuerySet[MissingReport]:
    if not _readable(actor):
        return MissingReport.objects.none()
    own = Q(institution_id=actor.institution_id)
    searched = Exists(
        SearchRequest.objects.filter(
            report_id=OuterRef("pk"), site__institution_id=actor.institution_id
        )
    )
    shared = Q(searched)
    code = _code(actor)
    if code == consular_institution():
        shared |= ~Q(last_seen_country_id=home_country())
    if code == forensic_institution():
        identified = Exists(
            UnidentifiedRemains.objects.filter(
                report_id=OuterRef("pk"), institution_id=actor.institution_id
            )
        )
        shared |= Q(forensic_requested_at__isnull=False) | Q(identified)
    unprotected = Q(person__protected=False) & (own | shared)
    protected = Q(person__protected=True) & own & _own_team(actor)
    return MissingReport.objects.filter(unprotected | protected)


def remains_visible_to(actor: User) -> QuerySet[UnidentifiedRemains]:
    if not _readable(actor):
        return UnidentifiedRemains.objects.none()
    if is_forensic(actor):
        return UnidentifiedRemains.objects.all()
    linked = Q(report__isnull=False, report__in=reports_visible_to(actor).values("pk"))
    return UnidentifiedRemains.objects.filter(Q(institution_id=actor.institution_id) | linked)


def tracing_visible_to(actor: User) -> QuerySet[TracingRequest]:
    if not _readable(actor):
        return TracingRequest.objects.none()
    own = TracingRequest.objects.filter(institution_id=actor.institution_id)
    return own.filter(Q(child__protected=False) | _own_team(actor))


def _uuid(value: uuid.UUID | str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise NotFound from exc


def report_get(*, actor: User, report_id: uuid.UUID | str) -> MissingReport:
    """One report, its reading audited."""
    report = (
        reports_visible_to(actor)
        .select_related("person", "reporter", "site", "institution", "last_seen_country")
        .filter(pk=_uuid(report_id))
        .first()
    )
    if report is None:
        raise NotFound
    audit_record(actor=actor, action="missing_report.view", obj=report, person_id=report.person_id)
    return report


def remains_get(*, actor: User, remains_id: uuid.UUID | str) -> UnidentifiedRemains:
    remains = (
        remains_visible_to(actor)
        .select_related("institution", "found_country", "identified_by")
        .filter(pk=_uuid(remains_id))
        .first()
    )
    if remains is None:
        raise NotFound
    audit_record(actor=actor, action="remains.view", obj=remains, person_id=remains.person_id)
    return remains


def tracing_get(*, actor: User, request_id: uuid.UUID | str) -> TracingRequest:
    request = (
        tracing_visible_to(actor)
        .select_related("child", "site", "institution")
        .filter(pk=_uuid(request_id))
        .first()
    )
    if request is None:
        raise NotFound
    audit_record(actor=actor, action="tracing.view", obj=request, person_id=request.child_id)
    return request


# ---------------------------------------------------------------- figures


def _figures_scope(actor: User, visible: QuerySet[Any], everything: QuerySet[Any]) -> QuerySet:
    if has_perm(actor, Perm.STATS_READ):
        return everything
    if _readable(actor):
        return visible
    return everything.none()


@dataclass(frozen=True)
class MissingCounts:
    # Nationals still missing abroad, by the country where they were last seen.
    abroad_by_country: list[tuple[str, int]]
    abroad: int
    # Migrants still missing in the home country, by nationality ("" when not recorded).
    in_country_by_nationality: list[tuple[str, int]]
    in_country: int


def missing_counts(
    actor: User, *, start: date | None = None, end: date | None = None
) -> MissingCounts:
    """People still missing, from the reports themselves (reported between start and end)."""
    reports = _figures_scope(actor, reports_visible_to(actor), MissingReport.objects.all())
    reports = reports.filter(status=MissingReport.Status.MISSING).order_by()
    if start:
        reports = reports.filter(reported_on__gte=start)
    if end:
        reports = reports.filter(reported_on__lte=end)
    home = home_country()
    abroad = (
        reports.filter(person__nationality_id=home)
        .exclude(last_seen_country_id=home)
        .values_list("last_seen_country_id")
        .annotate(n=Count("id"))
        .order_by("-n", "last_seen_country_id")
    )
    inside = (
        reports.filter(last_seen_country_id=home)
        .values_list("person__nationality_id")
        .annotate(n=Count("id"))
        .order_by("-n", "person__nationality_id")
    )
    abroad_rows = [(code, n) for code, n in abroad]
    inside_rows = [(code or "", n) for code, n in inside]
    return MissingCounts(
        abroad_by_country=abroad_rows,
        abroad=sum(n for _, n in abroad_rows),
        in_country_by_nationality=inside_rows,
        in_country=sum(n for _, n in inside_rows),
    )


def reunified_count(actor: User, *, start: date | None = None, end: date | None = None) -> int:
    """How many families were reunified (outcome dated between start and end)."""
    requests = _figures_scope(actor, tracing_visible_to(actor), TracingRequest.objects.all())
    requests = requests.filter(status=TracingRequest.Status.REUNIFIED)
    if start:
        requests = requests.filter(outcome_on__gte=start)
    if end:
        requests = requests.filter(outcome_on__lte=end)
    return requests.order_by().count()


# ---------------------------------------------------------------- possible matches


@dataclass(frozen=True)
class PossibleMatch:
    kind: str  # "person" or "remains"
    target_id: uuid.UUID
    label: str
    rank: int
    match_probability: float
    explanation: dict[str, Any]


MATCH_POOL = 2000  # the most recent people and remains compared on one page
MATCH_TOP = 10


def _remains_record(remains: UnidentifiedRemains) -> dict[str, str]:
    """Remains in the engine's record layout: no name, an estimated age at the date found."""
    ages = [a for a in (remains.age_min, remains.age_max) if a is not None]
    return {
        "record_id": f"remains:{remains.pk}",
        "sex": remains.sex if remains.sex in ("F", "M") else "",
        "age": str(sum(ages) // len(ages)) if ages else "",
        "age_at": remains.found_on.isoformat() if ages else "",
    }


def _link(left: list[dict[str, str]], right: list[dict[str, str]], model: str) -> list[Any]:
    """The matching engine's candidates. A failure is raised, not taken for "no match": the
    page shows the panel as unavailable and logs why (tracing.views._possible_matches)."""
    if not left or not right:
        return []
    from amparo.matching.engine import link

    return link(left, right, model=model, top=MATCH_TOP)


def report_matches(actor: User, report: MissingReport) -> list[PossibleMatch]:
    """Found, sheltered or detained people the actor sees, and unidentified remains the actor
    sees, that may be the missing person, best first. Matching proposes; people decide: a
    person is confirmed through "found alive" (with the record and a reason), remains only by
    the forensic institute's identification on primary evidence."""
    from amparo.matching.engine import person_records
    from amparo.people.queries import persons_visible_to

    people = (
        persons_visible_to(actor).exclude(pk=report.person_id).order_by("-created_at")[:MATCH_POOL]
    )
    remains = list(
        remains_visible_to(actor)
        .filter(status=UnidentifiedRemains.Status.UNIDENTIFIED)
        .order_by("-found_on")[:MATCH_POOL]
    )
    by_id: dict[str, tuple[str, uuid.UUID, str]] = {}
    right = person_records(people)
    for p in people:
        by_id[str(p.pk)] = ("person", p.pk, p.full_name)
    for r in remains:
        right.append(_remains_record(r))
        by_id[f"remains:{r.pk}"] = ("remains", r.pk, r.reference)
    left = person_records([report.person])
    found = _link(left, right, "missing")
    return [
        PossibleMatch(
            kind=by_id[c.right_id][0],
            target_id=by_id[c.right_id][1],
            label=by_id[c.right_id][2],
            rank=c.rank,
            match_probability=c.match_probability,
            explanation=c.explanation,
        )
        for c in found
        if c.right_id in by_id
    ]


def remains_matches(actor: User, remains: UnidentifiedRemains) -> list[PossibleMatch]:
    """Missing-person reports the actor sees that may be these remains, best first."""
    from amparo.matching.engine import person_records

    reports = list(
        reports_visible_to(actor)
        .filter(status=MissingReport.Status.MISSING)
        .select_related("person")
        .order_by("-reported_on")[:MATCH_POOL]
    )
    if not reports:
        return []
    records = person_records([r.person for r in reports])
    by_person = {str(r.person_id): r for r in reports}
    found = _link([_remains_record(remains)], records, "missing")
    return [
        PossibleMatch(
            kind="report",
            target_id=by_person[c.right_id].pk,
            label=by_person[c.right_id].person.full_name,
            rank=c.rank,
            match_probability=c.match_probability,
            explanation=c.explanation,
        )
        for c in found
        if c.right_id in by_person
    ]


def tracing_matches(actor: User, request: TracingRequest) -> list[PossibleMatch]:
    """Adults abroad the actor sees who may be the child's relatives, best first (the engine's
    family model, matching on the relatives sought)."""
    from amparo.matching.engine import person_records
    from amparo.people.queries import persons_visible_to

    people = (
        persons_visible_to(actor)
        .exclude(pk=request.child_id)
        .exclude(pk__in=request.candidates.values("person_id"))
        .exclude(nationality_id__isnull=True, origin_place="")
        .order_by("-created_at")[:MATCH_POOL]
    )
    right = person_records(people)
    names = {str(p.pk): p.full_name for p in people}
    left = []
    for n, relative in enumerate(request.relatives_sought):
        parts = relative.get("name", "").split()
        left.append(
            {
                "record_id": f"sought:{n}",
                "given_names": " ".join(parts[:1]),
                "surname1": parts[1] if len(parts) > 1 else "",
                "surname2": " ".join(parts[2:]),
            }
        )
    found = _link(left, right, "family")
    best: dict[str, Any] = {}
    for c in found:
        if c.right_id in names and (
            c.right_id not in best or c.match_probability > best[c.right_id].match_probability
        ):
            best[c.right_id] = c
    ranked = sorted(best.values(), key=lambda c: -c.match_probability)[:MATCH_TOP]
    return [
        PossibleMatch(
            kind="person",
            target_id=uuid.UUID(c.right_id),
            label=names[c.right_id],
            rank=i + 1,
            match_probability=c.match_probability,
            explanation=c.explanation,
        )
        for i, c in enumerate(ranked)
    ]
