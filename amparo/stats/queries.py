"""Reads of the statistics, scoped to the actor.

- Figures (counts) name no one: with `stats.read` (supervisors, analysts) they cover the whole
  network or one institution, exactly. Published and exported tables are suppressed
  (suppression.py) whoever asks.
- The records behind a figure name people: only with `stats.records` (supervisors), only the
  records of the actor's own institution, and only people the actor may see (a protected
  person only by the team that holds her). Every such read is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet

from amparo.core.audit import audit_record
from amparo.core.errors import NotFound
from amparo.core.models import Institution, User
from amparo.core.permissions import Perm, require
from amparo.people.queries import persons_visible_to

from .compute import Figure, Period, cell_queryset, compute
from .registry import Indicator, get, resolve_path

RECORDS_LIMIT = 500


def indicator_or_404(indicator_id: str) -> Indicator:
    ind = get(indicator_id)
    if ind is None:
        raise NotFound
    return ind


def figure_for(
    actor: User,
    ind: Indicator,
    period: Period,
    dims: Sequence[Sequence[str]] | None = None,
    *,
    institution: Institution | None = None,
) -> Figure:
    """The exact figure (network-wide, or one institution's) for a `stats.read` user."""
    require(actor, Perm.STATS_READ)
    figure = compute(ind, period, dims, institution_id=institution.pk if institution else None)
    figure.institution = institution.code if institution else ""
    return figure


def person_path(ind: Indicator) -> str:
    """The field path of the person a record is about ('' when it is about no one)."""
    if "age_group" in ind.disaggregations:
        return ind.disaggregations["age_group"]
    for name in ("person", "child"):
        try:
            resolve_path(ind.model_class, name)
        except FieldDoesNotExist:
            continue
        return name
    return ""


@dataclass
class RecordRow:
    pk: Any
    at: Any
    person_id: Any
    values: list[str]


@dataclass
class Records:
    indicator: Indicator
    period: Period
    dims: tuple[str, ...]
    key: tuple[str, ...]
    count: int
    rows: list[RecordRow]


def records_behind(
    actor: User,
    ind: Indicator,
    period: Period,
    dims: Sequence[str] = (),
    key: Sequence[str] = (),
) -> Records:
    """The records behind a cell (or the whole figure) that the actor may open; audited."""
    require(actor, Perm.STATS_RECORDS)
    if actor.institution_id is None or not ind.institution_field:
        raise NotFound
    qs: QuerySet[Any] = cell_queryset(
        ind, period, tuple(dims), tuple(key), institution_id=actor.institution_id
    )
    person = person_path(ind)
    if person:
        qs = qs.filter(**{f"{person}__in": persons_visible_to(actor)})
    qs = qs.distinct() if person and "__" in person else qs
    count = qs.count()
    fields = ["pk", ind.date_field, *([person] if person else [])]
    columns = [ind.disaggregations[d] for d in dims if d != "age_group"]
    rows = [
        RecordRow(
            pk=row[0],
            at=row[1],
            person_id=row[2] if person else None,
            values=["" if v is None else str(v) for v in row[len(fields) :]],
        )
        for row in qs.order_by(ind.date_field, "pk").values_list(*fields, *columns)[:RECORDS_LIMIT]
    ]
    audit_record(
        actor=actor,
        action="stats.records",
        detail={
            "indicator": ind.id,
            "period": [period.start.isoformat(), period.end.isoformat()],
            "cell": dict(zip(dims, key, strict=True)),
            "count": count,
        },
    )
    return Records(ind, period, tuple(dims), tuple(key), count, rows)
