"""REST endpoints of the review queue: proposed duplicates, decided by a person."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema

from .models import MatchCandidate
from .review import candidate_decide, candidate_get, candidates_for

router = Router(tags=["matching"])
PAGE = 100


class CandidateOut(Schema):
    id: int
    person_a_id: uuid.UUID
    person_b_id: uuid.UUID
    model: str
    match_probability: float
    explanation: dict[str, str]
    status: str
    proposed_at: datetime
    decided_at: datetime | None
    reason: str


class DecisionIn(Schema):
    same_person: bool
    reason: str = Field(..., min_length=1, max_length=2000)
    survivor_id: uuid.UUID | None = None


@router.get("/match-candidates", response=list[CandidateOut], summary="Proposed duplicates")
def candidates(request: HttpRequest, status: str = "open") -> list[MatchCandidate]:
    rows = candidates_for(request.user)
    if status in MatchCandidate.Status.values:
        rows = rows.filter(status=status)
    return list(rows.order_by("-match_probability", "pk")[:PAGE])


@router.get("/match-candidates/{candidate_id}", response=CandidateOut, summary="One pair")
def candidate(request: HttpRequest, candidate_id: int) -> MatchCandidate:
    return candidate_get(request.user, candidate_id)


@router.post(
    "/match-candidates/{candidate_id}/decision",
    response=CandidateOut,
    summary="Same person (merge) or different people",
)
def decision(request: HttpRequest, candidate_id: int, payload: DecisionIn) -> MatchCandidate:
    return candidate_decide(
        actor=request.user,
        candidate_id=candidate_id,
        same_person=payload.same_person,
        reason=payload.reason,
        survivor_id=payload.survivor_id,
    )
