"""Proposing and deciding duplicate records of a person.

`candidates_refresh` runs in the background worker when a person is registered or changed:
it compares the person with the records that share a name part or a document number and
keeps the pairs the dedupe model finds likely. Reviewers see the pairs whose two records they
may both see (protection and need-to-know hold), and confirm (merge) or reject, with a reason.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.core.audit import audit_record
from amparo.core.errors import InvalidInput, NotFound
from amparo.core.models import User
from amparo.core.permissions import Perm, require
from amparo.people.actions import person_merge
from amparo.people.models import Person, PersonSearchToken
from amparo.people.queries import persons_visible_to

from .models import MatchCandidate
from .models_spec import model_label

MODEL = "dedupe"
PROPOSE_AT = 0.5  # below this the pair is not worth a reviewer's time
POOL = 2_000  # records compared with one person at most


def _alive() -> QuerySet[Person]:
    return Person.objects.filter(voided_at__isnull=True, merged_into__isnull=True)


def _pool(person: Person) -> QuerySet[Person]:
    """At most POOL records sharing a search token (a folded name part or a document number),
    those sharing the most tokens first: thousands may share a common surname, and a likely
    duplicate shares several (both surnames, a given name, a document number). Read from the
    token index, not by testing every record."""
    tokens = PersonSearchToken.objects.filter(person=person).values("token")
    ranked = (
        PersonSearchToken.objects.filter(
            token__in=tokens, person__voided_at__isnull=True, person__merged_into__isnull=True
        )
        .exclude(person=person)
        .values("person")
        .annotate(shared=Count("token", distinct=True))
        .order_by("-shared", "person")[:POOL]
    )
    return Person.objects.filter(pk__in=[row["person"] for row in ranked])


def candidates_refresh(person_id: uuid.UUID) -> int:
    """Propose the likely duplicates of one person; returns how many pairs are open now."""
    from .engine import link, person_records

    person = _alive().filter(pk=person_id).first()
    if person is None:
        return 0
    pool = person_records(_pool(person))
    if not pool:
        return 0
    found = link(person_records([person]), pool, model=MODEL, top=10)
    now = timezone.now()
    proposed = 0
    for candidate in found:
        if candidate.match_probability < PROPOSE_AT:
            continue
        a, b = sorted([uuid.UUID(candidate.left_id), uuid.UUID(candidate.right_id)], key=str)
        pair, created = MatchCandidate.objects.get_or_create(
            person_a_id=a,
            person_b_id=b,
            defaults={
                "model": model_label(MODEL),
                "match_probability": candidate.match_probability,
                "explanation": candidate.explanation,
                "proposed_at": now,
            },
        )
        if not created and pair.status == MatchCandidate.Status.OPEN:
            pair.match_probability = candidate.match_probability
            pair.explanation = candidate.explanation
            pair.save(update_fields=["match_probability", "explanation"])
        proposed += 1
    return proposed


def candidates_for(actor: User) -> QuerySet[MatchCandidate]:
    """Pairs the actor may review: both records visible to them."""
    require(actor, Perm.PERSON_MERGE)
    # Correlated EXISTS per pair, not IN (subquery): PostgreSQL hashed every person and
    # involvement of the institution first (3.6 s a page at national volume, queue empty).
    def seen(side: str) -> Q:  # a record merged into one the actor sees stays reviewable
        own = persons_visible_to(actor).filter(pk=OuterRef(side))
        absorbed_into = persons_visible_to(actor).filter(pk=OuterRef(f"{side}__merged_into"))
        return Q(Exists(own)) | Q(Exists(absorbed_into))

    return MatchCandidate.objects.filter(seen("person_a") & seen("person_b")).select_related(
        "person_a", "person_b"
    )


def candidate_get(actor: User, candidate_id: int) -> MatchCandidate:
    candidate = candidates_for(actor).filter(pk=candidate_id).first()
    if candidate is None:
        raise NotFound
    audit_record(
        actor=actor,
        action="match.view",
        obj=candidate,
        person_id=candidate.person_a_id,
        detail={"other": str(candidate.person_b_id)},
    )
    return candidate


def candidate_decide(
    *,
    actor: User,
    candidate_id: int,
    same_person: bool,
    reason: str,
    survivor_id: uuid.UUID | None = None,
) -> MatchCandidate:
    """Confirm (the two records are merged into the chosen survivor) or reject."""
    require(actor, Perm.PERSON_MERGE)
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput.field("reason", _("Say why."))
    with transaction.atomic():
        candidate = (
            candidates_for(actor).select_for_update(of=("self",)).filter(pk=candidate_id).first()
        )
        if candidate is None:
            raise NotFound
        if candidate.status != MatchCandidate.Status.OPEN:
            raise InvalidInput.field("status", _("This pair was already decided."))
        if same_person:
            survivor_id = survivor_id or candidate.person_a_id
            if survivor_id not in (candidate.person_a_id, candidate.person_b_id):
                raise InvalidInput.field("survivor", _("Keep one of the two records."))
            absorbed_id = (
                candidate.person_b_id
                if survivor_id == candidate.person_a_id
                else candidate.person_a_id
            )
            candidate.merge = person_merge(
                actor=actor,
                survivor_id=survivor_id,
                absorbed_id=absorbed_id,
                reason=reason,
                evidence={
                    "model": candidate.model,
                    "match_probability": round(candidate.match_probability, 4),
                },
            )
            candidate.status = MatchCandidate.Status.CONFIRMED
        else:
            candidate.status = MatchCandidate.Status.REJECTED
        candidate.decided_by, candidate.decided_at, candidate.reason = actor, timezone.now(), reason
        candidate.save(update_fields=["status", "decided_by", "decided_at", "reason", "merge"])
        audit_record(
            actor=actor,
            action="match.confirm" if same_person else "match.reject",
            obj=candidate,
            person_id=candidate.person_a_id,
            reason=reason,
            detail={"other": str(candidate.person_b_id)},
        )
    return candidate
