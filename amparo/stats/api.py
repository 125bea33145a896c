"""REST endpoints of the stats app: the indicator catalogue, and one indicator's figure for a
period with its breakdowns (exact counts, for `stats.read` users: supervisors and analysts)."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from amparo.core.apitypes import CleanInput, Day
from amparo.core.errors import InvalidInput
from amparo.core.models import Institution
from amparo.core.permissions import Perm, require

from . import queries
from .compute import Period
from .forms import default_period
from .registry import UNIT_LABELS, catalogue
from .report import figure_dict

router = Router(tags=["stats"])


class IndicatorOut(Schema):
    id: str
    title: str
    definition: str
    unit: str
    section: str
    app: str
    cumulative: bool
    disaggregations: list[str]


class CellOut(Schema):
    key: list[str]
    labels: list[str]
    value: int | float


class TableOut(Schema):
    dimensions: list[str]
    cells: list[CellOut]
    total: int | float


class FigureOut(Schema):
    id: str
    title: str
    definition: str
    unit: str
    cumulative: bool
    value: int | float
    period_from: str
    period_to: str
    institution: str | None
    extracted_at: str
    disaggregations: list[TableOut]


class FigureQuery(CleanInput):
    start: Day | None = Field(None, alias="from")
    end: Day | None = Field(None, alias="to")
    institution: str = Field("", max_length=40)
    by: list[str] = Field(default_factory=list, max_length=3)


@router.get("/stats/indicators", response=list[IndicatorOut], summary="The indicator catalogue")
def indicator_list(request: HttpRequest) -> list[dict[str, Any]]:
    require(request.user, Perm.STATS_READ)
    return [
        {
            "id": ind.id,
            "title": str(ind.title),
            "definition": str(ind.definition),
            "unit": str(UNIT_LABELS.get(ind.unit, ind.unit)),
            "section": ind.section,
            "app": ind.app,
            "cumulative": ind.cumulative,
            "disaggregations": list(ind.disaggregations),
        }
        for ind in catalogue()
    ]


@router.get(
    "/stats/indicators/{indicator_id}",
    response=FigureOut,
    summary="An indicator's figure for a period, broken down (by up to three dimensions)",
)
def indicator_figure(
    request: HttpRequest, indicator_id: str, params: Query[FigureQuery]
) -> dict[str, Any]:
    require(request.user, Perm.STATS_READ)
    ind = queries.indicator_or_404(indicator_id)
    default = default_period()
    start, end = params.start or default.start, params.end or default.end
    errors: dict[str, list[str]] = {}
    if end < start:
        errors["to"] = [_("The end of the period is before its start.")]
    unknown = [d for d in params.by if d not in ind.disaggregations]
    if unknown:
        errors["by"] = [
            _("This indicator cannot be broken down by: %(list)s.") % {"list": ", ".join(unknown)}
        ]
    institution = None
    if params.institution:
        institution = Institution.objects.filter(code=params.institution).first()
        if institution is None:
            errors["institution"] = [_("Unknown institution.")]
    if errors:
        raise InvalidInput(errors)
    sets = [tuple(params.by)] if params.by else None
    fig = queries.figure_for(request.user, ind, Period(start, end), sets, institution=institution)
    data = figure_dict(fig)
    return {
        **data,
        "period_from": start.isoformat(),
        "period_to": end.isoformat(),
        "institution": institution.code if institution else None,
        "extracted_at": fig.extracted_at.isoformat(),
    }
