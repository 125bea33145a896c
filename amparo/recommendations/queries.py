"""Reads of the Recommendations Monitoring System.

UN documents and recommendations are public texts: every signed-in user reads them all
(RECS_READ), and the portal shows the published ones to anyone. Progress updates are the
institutions' own work until validated: an update is seen by its institution, by the national
coordinator, and by everyone once the coordinator validated it. None of this names migrants,
so reads are not audited (writes are).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from amparo.core.errors import NotFound
from amparo.core.models import User
from amparo.core.permissions import Perm, require

from .actions import is_coordinator
from .models import (
    Assignment,
    Document,
    FollowUpAction,
    Indicator,
    ProgressUpdate,
    Recommendation,
    RecommendationTag,
    Status,
)
from .textutil import fold

SEARCH_MAX = 200


def documents_for(actor: User) -> QuerySet[Document]:
    require(actor, Perm.RECS_READ)
    return Document.objects.select_related("mechanism")


def document_get(actor: User, document_id: Any) -> Document:
    try:
        return documents_for(actor).get(pk=document_id)
    except (Document.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound from exc


@dataclass
class Filters:
    q: str = ""
    mechanism: str = ""
    status: str = ""
    institution: str = ""
    theme: str = ""
    group: str = ""
    symbol: str = ""


def search(qs: QuerySet[Recommendation], text: str) -> QuerySet[Recommendation]:
    """Full text, accent-insensitive: PostgreSQL stems in Spanish and English over the
    accent-free column (GIN index of migration 0002); SQLite matches every word's stem."""
    text = " ".join(text.split())[:SEARCH_MAX]
    folded = fold(text)
    words = re.findall(r"[^\W_]+", folded)
    if not words:
        return qs
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = SearchVector("search_text", config="spanish") + SearchVector(
            "search_text", config="english"
        )
        query = SearchQuery(folded, config="spanish", search_type="plain") | SearchQuery(
            folded, config="english", search_type="plain"
        )
        # The same expression as the GIN index of migration 0002, so the index is used.
        return qs.annotate(_fts=vector).filter(_fts=query)
    for w in words:
        stem = w[:-1] if len(w) > 4 and w.endswith("s") else w
        qs = qs.filter(search_text__contains=stem[:7] if len(stem) > 7 else stem)
    return qs


def recommendations_for(
    actor: User | None, filters: Filters | None = None
) -> QuerySet[Recommendation]:
    """All recommendations for signed-in readers; only the published ones for the portal."""
    if actor is None or not actor.is_authenticated:
        qs = Recommendation.objects.filter(public=True)
    else:
        require(actor, Perm.RECS_READ)
        qs = Recommendation.objects.all()
    qs = qs.select_related("mechanism")
    f = filters or Filters()
    if f.mechanism:
        qs = qs.filter(mechanism_id=f.mechanism)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.symbol:
        qs = qs.filter(symbol=f.symbol.strip())
    if f.institution:
        qs = qs.filter(assignments__institution__code=f.institution).distinct()
    for vocab, code in (("theme", f.theme), ("group", f.group)):
        if code:
            qs = qs.filter(
                tags__vocabulary=vocab,
                tags__code=code,
                tags__state=RecommendationTag.State.CONFIRMED,
            )
    if f.q:
        qs = search(qs, f.q)
    return qs.order_by("symbol", "paragraph", "sub_item", "id")


def recommendation_get(actor: User | None, rec_id: Any) -> Recommendation:
    try:
        return recommendations_for(actor).get(pk=rec_id)
    except (Recommendation.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound from exc


def updates_visible_to(actor: User) -> QuerySet[ProgressUpdate]:
    require(actor, Perm.RECS_READ)
    qs = ProgressUpdate.objects.select_related("institution", "author", "recommendation")
    if is_coordinator(actor):
        return qs
    return qs.filter(
        Q(institution_id=actor.institution_id) | Q(stage=ProgressUpdate.Stage.VALIDATED)
    )


def update_get(actor: User, update_id: Any) -> ProgressUpdate:
    try:
        return updates_visible_to(actor).get(pk=update_id)
    except (ProgressUpdate.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound from exc


def pending_for(actor: User) -> QuerySet[ProgressUpdate]:
    """Updates waiting for this actor's signature."""
    qs = updates_visible_to(actor)
    if is_coordinator(actor):
        return qs.filter(stage=ProgressUpdate.Stage.INSTITUTION_VALIDATED)
    return qs.filter(stage=ProgressUpdate.Stage.SUBMITTED, institution_id=actor.institution_id)


@dataclass
class Late:
    institution: str
    recommendation: Recommendation
    what: str  # "indicator" / "action" / "no update"
    label: str
    due_on: date | None
    days_late: int


NO_UPDATE_DAYS = 180


def late_overview(actor: User, today: date | None = None) -> list[Late]:
    """Who is late: indicators and actions past their date, and lead institutions with no
    validated update for six months (the coordinator's overview)."""
    require(actor, Perm.RECS_READ)
    today = today or timezone.localdate()
    rows: list[Late] = []
    for ind in Indicator.objects.filter(due_on__lt=today).select_related(
        "institution", "recommendation__mechanism"
    ):
        rows.append(
            Late(
                ind.institution.code,
                ind.recommendation,
                "indicator",
                ind.name,
                ind.due_on,
                (today - ind.due_on).days,
            )
        )
    for act in FollowUpAction.objects.filter(due_on__lt=today, done_on__isnull=True).select_related(
        "institution", "recommendation__mechanism"
    ):
        rows.append(
            Late(
                act.institution.code,
                act.recommendation,
                "action",
                act.description[:120],
                act.due_on,
                (today - act.due_on).days,  # type: ignore[operator]
            )
        )
    cutoff = timezone.now() - timedelta(days=NO_UPDATE_DAYS)
    for a in Assignment.objects.filter(role=Assignment.Role.LEAD).select_related(
        "institution", "recommendation__mechanism"
    ):
        recent = ProgressUpdate.objects.filter(
            recommendation_id=a.recommendation_id,
            institution_id=a.institution_id,
            created_at__gte=cutoff,
        ).exists()
        if not recent and a.recommendation.status != Status.IMPLEMENTED and a.assigned_at < cutoff:
            rows.append(
                Late(
                    a.institution.code,
                    a.recommendation,
                    "no_update",
                    "",
                    None,
                    (timezone.now() - a.assigned_at).days,
                )
            )
    return sorted(rows, key=lambda r: (-r.days_late, r.institution))


def status_counts(qs: QuerySet[Recommendation]) -> dict[str, int]:
    from django.db.models import Count

    counts = dict(qs.order_by().values_list("status").annotate(n=Count("id")))
    return {s: counts.get(s, 0) for s in Status.values}
