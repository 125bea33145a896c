"""Computing an indicator for a period: one GROUP BY query per indicator and set of
disaggregations, over the records themselves (nothing is pre-aggregated, so every figure can be
traced back to its records)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection, models
from django.db.models import Case, Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .registry import AGE_GROUPS, DIMENSIONS, Indicator, Measure, resolve_path

AGE_KEY = "stats_age_group"


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(_("The end of the period is before its start."))

    def __str__(self) -> str:
        return f"{self.start.isoformat()} – {self.end.isoformat()}"


@dataclass
class Cell:
    key: tuple[str, ...]  # the values' codes, one per dimension
    labels: tuple[str, ...]
    value: int | float


@dataclass
class Table:
    indicator: Indicator
    dimensions: tuple[str, ...]
    cells: list[Cell]
    total: int | float

    def as_dict(self) -> dict[str, Any]:
        return {
            "dimensions": list(self.dimensions),
            "cells": [
                {"key": list(c.key), "labels": list(c.labels), "value": c.value} for c in self.cells
            ],
            "total": self.total,
        }


@dataclass
class Figure:
    indicator: Indicator
    period: Period
    value: int | float
    tables: list[Table] = field(default_factory=list)
    extracted_at: datetime = field(default_factory=timezone.now)
    institution: str = ""  # code, when scoped to one institution


def _bounds(ind: Indicator, period: Period) -> Q:
    """The records whose date falls in the period (local days, both ends included)."""
    target = resolve_path(ind.model_class, ind.date_field)
    start = None if ind.cumulative else period.start
    if isinstance(target, models.DateTimeField):
        tz = timezone.get_current_timezone()
        q = Q(
            **{
                f"{ind.date_field}__lt": datetime.combine(
                    period.end + timedelta(days=1), time.min, tzinfo=tz
                )
            }
        )
        if start:
            q &= Q(**{f"{ind.date_field}__gte": datetime.combine(start, time.min, tzinfo=tz)})
        return q
    q = Q(**{f"{ind.date_field}__lte": period.end})
    if start:
        q &= Q(**{f"{ind.date_field}__gte": start})
    return q


def base_queryset(ind: Indicator, period: Period, *, institution_id: Any = None) -> QuerySet[Any]:
    """The records an indicator counts for the period (one institution's, if given)."""
    qs = ind.model_class._default_manager.filter(**ind.filters).filter(_bounds(ind, period))
    if ind.excludes:
        qs = qs.exclude(**ind.excludes)
    if institution_id is not None and ind.institution_field:
        qs = qs.filter(**{f"{ind.institution_field}": institution_id})
    return qs


def _aggregate(ind: Indicator) -> Any:
    if ind.measure == Measure.DISTINCT:
        return Count(ind.count_field, distinct=True)
    if ind.measure == Measure.SUM:
        return Coalesce(Sum(ind.count_field), 0)
    return Count("pk")


# Days in N years, rounded: the age at the record's date is exact to within a day.
def _years(n: int) -> timedelta:
    return timedelta(days=round(n * 365.2425))


def age_group_expression(ind: Indicator) -> Case:
    """The person's age group at the record's date: from the birth date, or else from the
    recorded age in years (estimated ages)."""
    person = ind.disaggregations["age_group"]
    birth, years = f"{person}__birth_date", f"{person}__age_years"
    at_type = (
        models.DateTimeField()
        if isinstance(resolve_path(ind.model_class, ind.date_field), models.DateTimeField)
        else models.DateField()
    )
    whens = [When(**{f"{birth}__isnull": True, f"{years}__isnull": True}, then=Value("unknown"))]
    for code, _label, low, high in AGE_GROUPS:
        if low is None:
            continue
        cond: dict[str, Any] = {f"{birth}__isnull": True, f"{years}__gte": low}
        if high is not None:
            cond[f"{years}__lt"] = high
        whens.append(When(**cond, then=Value(code)))
    for code, _label, _low, high in AGE_GROUPS:
        if high is None:
            continue
        limit = models.ExpressionWrapper(F(ind.date_field) - _years(high), output_field=at_type)
        whens.append(When(**{f"{birth}__gt": limit}, then=Value(code)))
    return Case(*whens, default=Value("older"), output_field=models.CharField())


def _group_names(ind: Indicator, dims: Sequence[str]) -> list[str]:
    return [AGE_KEY if d == "age_group" else ind.disaggregations[d] for d in dims]


def grouped(ind: Indicator, qs: QuerySet[Any], dims: Sequence[str]) -> QuerySet[Any]:
    """The queryset with the dimensions' columns (the age group annotated) ready to group."""
    if "age_group" in dims:
        qs = qs.annotate(**{AGE_KEY: age_group_expression(ind)})
    return qs


def total(ind: Indicator, qs: QuerySet[Any]) -> int | float:
    return qs.aggregate(n=_aggregate(ind))["n"] or 0


def _check_dims(ind: Indicator, dims: Sequence[str]) -> None:
    for d in dims:
        if d not in ind.disaggregations:
            raise ValueError(
                _("“%(indicator)s” cannot be split by “%(dimension)s”.")
                % {"indicator": ind.id, "dimension": d}
            )


def table(
    ind: Indicator,
    qs: QuerySet[Any],
    dims: Sequence[str],
    whole: int | float | None = None,
    *,
    add_up: bool = False,
) -> Table:
    """One GROUP BY: the figure split by `dims`. Categories with fixed choices (sex, kind,
    age group) are listed with zeros when nothing was recorded, so tables keep their shape.
    `whole` is the figure's total when the caller has it already; with `add_up` it is the sum
    of the cells (right only when each record falls in exactly one cell: see `adds_up`)."""
    _check_dims(ind, dims)
    names = _group_names(ind, dims)
    rows = grouped(ind, qs, dims).order_by().values(*names).annotate(stats_n=_aggregate(ind))
    found: dict[tuple[str, ...], int | float] = {}
    for row in rows:
        key = tuple("" if row[n] is None else str(row[n]) for n in names)
        found[key] = found.get(key, 0) + (row["stats_n"] or 0)
    if add_up:
        whole = sum(found.values())
    return make_table(ind, dims, found, total(ind, qs) if whole is None else whole)


def adds_up(ind: Indicator, dims: Sequence[str]) -> bool:
    """Whether a table's cells add up to the figure: records or sums (not distinct counts),
    split along paths that give each record one value (no many-to-many or reverse link)."""
    if ind.measure == Measure.DISTINCT:
        return False
    for d in dims:
        current: Any = ind.model_class
        for part in ind.disaggregations[d].split("__"):
            field = current._meta.get_field(part)
            if field.many_to_many or field.one_to_many:
                return False
            if field.related_model is None:
                break
            current = field.related_model
    return True


def make_table(
    ind: Indicator, dims: Sequence[str], found: dict[tuple[str, ...], int | float], whole: Any
) -> Table:
    labels = [value_labels(ind, d, {k[i] for k in found}) for i, d in enumerate(dims)]
    if len(dims) == 1:
        for code in labels[0]:
            found.setdefault((code,), 0)
    order = [list(lab) for lab in labels]
    cells = [
        Cell(key, tuple(labels[i].get(k, k or _("Not recorded")) for i, k in enumerate(key)), v)
        for key, v in sorted(
            found.items(),
            key=lambda kv: (
                tuple(
                    order[i].index(k) if k in order[i] else len(order[i])
                    for i, k in enumerate(kv[0])
                )
                + kv[0]
            ),
        )
    ]
    return Table(ind, tuple(dims), cells, whole)


def grouping_sets(
    ind: Indicator, qs: QuerySet[Any], sets: Sequence[Sequence[str]]
) -> tuple[int | float, list[Table]]:
    """The total and every table in ONE scan (PostgreSQL's GROUPING SETS): the records with
    their dimension columns form a subquery, grouped by each set and by nothing (the total)."""
    from django.db import connections

    for dims in sets:
        _check_dims(ind, dims)
    asked = [tuple(dims) for dims in sets]
    sets = list(dict.fromkeys(asked))  # a set asked twice is grouped once
    used = list(dict.fromkeys(d for dims in sets for d in dims))
    cols = {d: f"stats_d{i}" for i, d in enumerate(used)}
    inner = grouped(ind, qs, used).order_by()
    refs: dict[str, Any] = {
        cols[d]: F(AGE_KEY if d == "age_group" else ind.disaggregations[d]) for d in used
    }
    if ind.measure != Measure.RECORDS:
        refs["stats_v"] = F(ind.count_field)
    inner = inner.annotate(**refs).values(*refs)
    sql, params = inner.query.sql_with_params()
    agg = {
        Measure.RECORDS: "count(*)",
        Measure.DISTINCT: "count(DISTINCT stats_v)",
        Measure.SUM: "coalesce(sum(stats_v), 0)",
    }[ind.measure]
    names = [cols[d] for d in used]
    bits = f"GROUPING({', '.join(names)})" if names else "0"
    spec = ", ".join(f"({', '.join(cols[d] for d in dims)})" for dims in sets)
    spec = f"{spec}, ()" if spec else "()"
    select = ", ".join([*names, f"{bits} AS stats_g", f"{agg} AS stats_n"])
    query = f"SELECT {select} FROM ({sql}) stats_rows GROUP BY GROUPING SETS ({spec})"
    # Which columns each set groups by: GROUPING() has a 0 bit for a grouped column.
    width = len(names)
    mask = {
        sum(1 << (width - 1 - used.index(d)) for d in used if d not in dims): tuple(dims)
        for dims in sets
    }
    whole_mask = (1 << width) - 1
    found: dict[tuple[str, ...], dict[tuple[str, ...], int | float]] = {tuple(d): {} for d in sets}
    whole: int | float = 0
    with connections[qs.db].cursor() as cursor:
        cursor.execute(query, params)
        for row in cursor.fetchall():
            g, n = row[width], row[width + 1] or 0
            if g == whole_mask:
                whole = n
                continue
            dims = mask[g]
            key = tuple("" if row[used.index(d)] is None else str(row[used.index(d)]) for d in dims)
            found[dims][key] = found[dims].get(key, 0) + n
    return whole, [make_table(ind, dims, dict(found[dims]), whole) for dims in asked]


def _code_choices(target: Any, codes: set[str]) -> list[tuple[str, Any]]:
    """Labels for a text field that declares no choices: a case's protocol by the protocol's
    title; a status kept on a shared base (registrations, travel documents) by its model's
    `Status` choices. Protocols only those counted (there are many, most not in every table)."""
    name = getattr(target, "name", "")
    if name == "protocol_code":
        from amparo.cases.protocol import protocols_latest

        return [(p.code, p.title) for p in protocols_latest() if p.code in codes]
    status = getattr(getattr(target, "model", None), "Status", None)
    if name == "status" and status is not None:
        return list(status.choices)
    return []


def value_labels(ind: Indicator, dim: str, codes: set[str]) -> dict[str, str]:
    """Display labels for a dimension's codes, in display order; fixed choices come first
    (all of them, so a category with no record shows as zero)."""
    if dim == "age_group":
        return {code: str(label) for code, label, _l, _h in AGE_GROUPS}
    target = resolve_path(ind.model_class, ind.disaggregations[dim])
    choices = getattr(target, "choices", None) or _code_choices(target, codes)
    if choices:
        out = {str(k): str(v) for k, v in choices}
        out.update({c: c or _("Not recorded") for c in sorted(codes) if c not in out})
        return out
    related = getattr(target, "related_model", None)
    if related is not None and codes:
        objects = related._default_manager.in_bulk([c for c in codes if c])
        english = (get_language() or "es").startswith("en")
        out = {}
        for pk, obj in objects.items():
            name = ""
            for attr in (
                "acronym_en" if english else "acronym_es",
                "name_en" if english else "name_es",
                "name",
            ):
                name = getattr(obj, attr, "") or name
                if name:
                    break
            out[str(pk)] = name or str(obj)
        if "" in codes:
            out[""] = _("Not recorded")
        return dict(sorted(out.items(), key=lambda kv: kv[1]))
    return {c: c or _("Not recorded") for c in sorted(codes)}


def compute(
    ind: Indicator,
    period: Period,
    disaggregations: Sequence[Sequence[str]] | None = None,
    *,
    institution_id: Any = None,
) -> Figure:
    """The figure for the period and its tables (by default one per allowed dimension)."""
    qs = base_queryset(ind, period, institution_id=institution_id)
    sets = disaggregations if disaggregations is not None else [(d,) for d in ind.disaggregations]
    sets = [tuple(dims) for dims in sets]
    if len(sets) == 1 and sets[0] and adds_up(ind, sets[0]):
        # One table that adds up to the figure: one plain GROUP BY (which PostgreSQL can run
        # in parallel) gives both; twice as fast as grouping sets on a million rows.
        one = table(ind, qs, sets[0], add_up=True)
        return Figure(ind, period, one.total, [one])
    if connection.vendor == "postgresql" and sets and all(sets):
        whole, tables = grouping_sets(ind, qs, sets)
        return Figure(ind, period, whole, tables)
    figure = Figure(ind, period, total(ind, qs))
    figure.tables = [table(ind, qs, dims, figure.value) for dims in sets]
    return figure


def cell_queryset(
    ind: Indicator,
    period: Period,
    dims: Sequence[str] = (),
    key: Sequence[str] = (),
    *,
    institution_id: Any = None,
) -> QuerySet[Any]:
    """The records behind one cell of a table (or behind the figure, without dims)."""
    if len(dims) != len(key):
        raise ValueError(_("A cell needs one value per dimension."))
    qs = grouped(ind, base_queryset(ind, period, institution_id=institution_id), dims)
    for d, name, value in zip(dims, _group_names(ind, dims), key, strict=True):
        if d not in DIMENSIONS or d not in ind.disaggregations:
            raise ValueError(
                _("“%(indicator)s” cannot be split by “%(dimension)s”.")
                % {"indicator": ind.id, "dimension": d}
            )
        if value == "" and d != "age_group":
            qs = (
                qs.filter(**{f"{name}__isnull": True}) | qs.filter(**{name: ""})
                if _is_text(ind, d)
                else qs.filter(**{f"{name}__isnull": True})
            )
        else:
            qs = qs.filter(**{name: value})
    return qs


def _is_text(ind: Indicator, dim: str) -> bool:
    target = resolve_path(ind.model_class, ind.disaggregations[dim])
    return isinstance(target, models.CharField) and not target.is_relation


def series(
    ind: Indicator, period: Period, *, institution_id: Any = None
) -> list[tuple[date, int | float]]:
    """The figure month by month over the period (one GROUP BY; months without records are
    zeros). A cumulative indicator is counted month by month, not carried over."""
    from django.db.models.functions import TruncMonth

    monthly = Indicator(**{**ind.__dict__, "cumulative": False})
    qs = base_queryset(monthly, period, institution_id=institution_id)
    tz = timezone.get_current_timezone()
    target = resolve_path(ind.model_class, ind.date_field)
    trunc = (
        TruncMonth(ind.date_field, tzinfo=tz)
        if isinstance(target, models.DateTimeField)
        else TruncMonth(ind.date_field)
    )
    found: dict[date, int | float] = {}
    for row in (
        qs.annotate(stats_month=trunc)
        .order_by()
        .values("stats_month")
        .annotate(stats_n=_aggregate(ind))
    ):
        month = row["stats_month"]
        month = month.date() if isinstance(month, datetime) else month
        found[month] = row["stats_n"] or 0
    out = []
    month = period.start.replace(day=1)
    while month <= period.end:
        out.append((month, found.get(month, 0)))
        month = (month + timedelta(days=32)).replace(day=1)
    return out
