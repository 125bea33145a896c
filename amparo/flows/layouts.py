"""Import layout of daily flow counts (docs/imports.md, docs/flows.md).

Same rules as every import: validated cell by cell, a reject file with line and reason, all or
nothing unless the valid rows are asked for. A row with an empty count is "not reported" and
adds nothing (never a zero). A count already recorded with the same value is left alone, so
the same file imported twice adds nothing; a different value corrects it and keeps the old
value in the count's history (version + 1). Two rows of one file with the same key and
different counts refuse the whole file, naming both lines.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amparo.core.models import Country, Site
from amparo.imports.layouts import (
    CellError,
    Column,
    Context,
    Layout,
    Merged,
    a_date,
    integer,
    not_empty,
    not_future,
    register,
    required_text,
)
from amparo.imports.merging import new_staged_rows, staged_count
from amparo.imports.reading import FileRefused

from .actions import MAX_COUNT
from .models import Direction, FlowCount, Group

DIRECTIONS = {
    "in": "in",
    "entrada": "in",
    "ingreso": "in",
    "out": "out",
    "salida": "out",
    "egreso": "out",
}
GROUPS = {
    **{g: g for g in Group.values},
    "adultos": Group.ADULTS,
    "familias": Group.FAMILIES,
    "ninos_no_acompanados": Group.CHILDREN,
    "niñez_no_acompañada": Group.CHILDREN,
}


def _prepare(ctx: Context) -> None:
    ctx.codes["points"] = {
        code: pk.hex
        for code, pk in Site.objects.filter(kind=Site.Kind.BORDER_POINT, active=True).values_list(
            "code", "pk"
        )
    }
    ctx.codes["countries"] = set(Country.objects.values_list("code", flat=True))


def _point(value: str, ctx: Context) -> Any:
    found = ctx.codes["points"].get(Site.normal_code(value))
    if found is None:
        raise CellError(
            _("Unknown border crossing point “%(value)s”.") % {"value": value.strip()[:40]}
        )
    return found


def _direction(value: str, ctx: Context) -> str:
    key = value.strip().lower()
    if key not in DIRECTIONS:
        raise CellError(_("“%(value)s” is not in or out.") % {"value": value.strip()[:20]})
    return DIRECTIONS[key]


def _group(value: str, ctx: Context) -> str:
    key = value.strip().lower().replace(" ", "_")
    if key not in GROUPS:
        raise CellError(
            _("“%(value)s” is not adults, families or unaccompanied_children.")
            % {"value": value.strip()[:40]}
        )
    return str(GROUPS[key])


def _nationality(value: str, ctx: Context) -> str:
    key = value.strip().upper()
    if key and key not in ctx.codes["countries"]:
        raise CellError(_("Unknown code “%(value)s”.") % {"value": value.strip()[:40]})
    return key


def _merge(ctx: Context, table: str) -> Merged:
    job = ctx.job
    now = timezone.now()
    seen: dict[tuple, tuple[int, int]] = {}
    inserted = not_reported = 0
    for batch in new_staged_rows(ctx, table, FLOWS, None):
        for row in batch:
            if row["count"] is None:
                not_reported += 1  # nothing to store: a day not reported is not a zero
                continue
            site_id = row["point"]
            key = (
                site_id,
                row["date"],
                row["direction"],
                row["nationality"] or "",
                row["people_group"],
            )
            earlier = seen.get(key)
            if earlier is not None and earlier[1] != row["count"]:
                raise FileRefused(
                    _(
                        "Line %(line)s: the count %(count)s differs from line %(first)s (%(fc)s) "
                        "for the same date, point, direction, nationality and group: nothing "
                        "was imported."
                    )
                    % {
                        "line": row["line"],
                        "count": row["count"],
                        "first": earlier[0],
                        "fc": earlier[1],
                    }
                )
            seen[key] = (row["line"], row["count"])
    existing = {
        (r.site_id.hex, r.date, r.direction, r.nationality, r.group): r
        for r in FlowCount.objects.filter(
            site_id__in={k[0] for k in seen}, date__in={k[1] for k in seen}
        )
    }
    new = []
    for key, (_line, count) in seen.items():
        row = existing.get(key)
        if row is None:
            new.append(
                FlowCount(
                    site_id=key[0],
                    date=key[1],
                    direction=key[2],
                    nationality=key[3],
                    group=key[4],
                    count=count,
                    institution_id=job.institution_id,
                    entered_by_id=job.created_by_id,
                    entered_at=now,
                    source=f"import:{job.source}"[:80],
                )
            )
        elif row.count != count:
            row.history = [
                *row.history,
                {
                    "count": row.count,
                    "by": row.entered_by_id,
                    "at": row.entered_at.isoformat(),
                    "source": row.source,
                },
            ]
            row.count, row.version = count, row.version + 1
            row.entered_by_id, row.entered_at, row.source = (
                job.created_by_id,
                now,
                f"import:{job.source}"[:80],
            )
            row.save(
                update_fields=["history", "count", "version", "entered_by", "entered_at", "source"]
            )
            inserted += 1
    FlowCount.objects.bulk_create(new, batch_size=2000)
    inserted += len(new)
    return Merged(
        inserted=inserted,
        existing=staged_count(table) - inserted - not_reported,
        not_reported=not_reported,
    )


FLOWS = register(
    Layout(
        kind="flows",
        title=gettext_lazy("Migratory flow counts"),
        description=gettext_lazy(
            "One row per border crossing point, day, direction, nationality and group; "
            "an empty count means not reported."
        ),
        columns=(
            Column(
                "ref",
                required_text(80),
                help=gettext_lazy("Reference of the row in its source."),
                example="TU-2018-10-19-HN-A",
            ),
            Column("date", not_empty(not_future(a_date)), sql_type="date", example="2018-10-19"),
            Column(
                "point",
                not_empty(_point),
                help=gettext_lazy("Code of the border crossing point."),
                example="tecun-uman-i",
            ),
            Column(
                "direction", not_empty(_direction), values=tuple(Direction.choices), example="in"
            ),
            Column(
                "nationality",
                _nationality,
                required=False,
                help=gettext_lazy("ISO 3166 code; empty when not recorded."),
                example="HN",
            ),
            # "group" is an SQL keyword the staging table cannot use as a column name.
            Column(
                "people_group",
                not_empty(_group),
                values=tuple(Group.choices),
                example="families",
            ),
            Column(
                "count",
                integer(0, MAX_COUNT),
                required=False,
                sql_type="integer",
                help=gettext_lazy("Empty when the point did not report that day (not zero)."),
                example="1200",
            ),
        ),
        prepare=_prepare,
        merge=_merge,
        tables=(FlowCount._meta.db_table,),
    )
)
