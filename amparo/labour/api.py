"""REST endpoints of the labour app: the public check (anonymous), the recruiter register and
its decisions, fraud reports, employers, job offers and their workers, pamphlets, workplace
visits, support services and the figures. They parse, call actions and queries, serialize."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from amparo.core.apitypes import CleanInput, Day
from amparo.core.errors import InvalidInput, NotFound
from amparo.core.pagination import CappedLimitOffsetPagination
from amparo.core.permissions import Perm, has_perm, require

from . import actions, public, queries
from .models import (
    Employer,
    FraudReport,
    JobOffer,
    PamphletDistribution,
    Placement,
    Recruiter,
    Sector,
    SupervisionEvent,
    SupportService,
    WorkplaceVisit,
)
from .names import normalise_name

router = Router(tags=["labour"])

INPUT_NAMES = {"person": "person_id", "employer": "employer_id", "offer": "offer_id"}


@contextmanager
def _input_names() -> Iterator[None]:
    try:
        yield
    except InvalidInput as exc:
        raise InvalidInput({INPUT_NAMES.get(k, k): v for k, v in exc.errors.items()}) from exc


class HistoryStep(Schema):
    at: datetime
    status: str
    by: str
    what: str = ""
    reason: str = ""
    valid_from: str = ""
    valid_until: str = ""
    on: str = ""
    note: str = ""


# ---------------------------------------------------------------- the public check

PublicState = Literal["authorised", "expired", "not_yet_valid", "suspended", "revoked"]


class PublicRecruiter(Schema):
    name: str
    number: str
    kind: str
    status: PublicState
    authorised_today: bool
    valid_from: date | None
    valid_until: date | None
    countries: list[str]
    sectors: list[str]


class PublicAnswer(Schema):
    items: list[PublicRecruiter]
    truncated: bool


class PublicQuery(CleanInput):
    q: str = Field("", max_length=100, description="Part of the name, 3 characters at least")
    number: str = Field("", max_length=40, description="The exact registration number")


@router.get(
    "/public/recruiters",
    auth=None,
    response=PublicAnswer,
    summary="Public check: is a recruiter authorised today, for which countries and sectors",
)
def public_recruiters(request: HttpRequest, query: Query[PublicQuery]) -> HttpResponse:
    error, body = queries.public_lookup_json(queries.PublicQuery(q=query.q, number=query.number))
    if error == "short":
        raise InvalidInput.field(
            "q",
            _("Type %(n)s letters of the name at least, or the exact registration number.")
            % {"n": queries.PUBLIC_MIN_CHARS},
        )
    if error == "number":
        raise InvalidInput.field("number", _("A registration number looks like RC-7KQ2-M9XD."))
    # The answer is public, plain and already encoded (once per generation): sent as it is,
    # without a second validation, so the check stays fast under public traffic.
    response = HttpResponse(body, content_type="application/json")
    response["Cache-Control"] = f"public, max-age={queries.PUBLIC_TTL}"
    return response


class FraudReportIn(CleanInput):
    recruiter_name: str = Field(max_length=200)
    description: str = Field(max_length=2000)
    number: str = Field("", max_length=40)
    place: str = Field("", max_length=200)
    reporter_name: str = Field("", max_length=200)
    reporter_contact: str = Field("", max_length=200)
    website: str = Field("", max_length=200, description="Leave empty (spam trap)")


class Accepted(Schema):
    detail: str


@router.post(
    "/public/fraud-reports",
    auth=None,
    response={202: Accepted, 429: Accepted},
    summary="Report a suspected recruitment fraud (anonymous allowed)",
)
def public_fraud_report(request: HttpRequest, payload: FraudReportIn) -> Status:
    if public.report_flood(request):
        return Status(429, {"detail": _("Too many reports from your connection. Try again later.")})
    thanks = _("Thank you. The labour ministry will review your report.")
    if public.is_bot(payload.website):
        return Status(202, {"detail": thanks})  # a bot is told nothing
    data = payload.dict(exclude={"website"})
    language = (getattr(request, "LANGUAGE_CODE", "") or "es")[:2]
    actions.fraud_report_submit(data=actions.FraudReportInput(**data, language=language))
    return Status(202, {"detail": thanks})


# ---------------------------------------------------------------- recruiter register


class RecruiterOut(Schema):
    id: uuid.UUID
    number: str
    kind: str
    name: str
    tax_number: str
    status: str
    valid_from: date | None
    valid_until: date | None
    countries: list[str]
    sectors: list[str]
    version: int


class EventOut(Schema):
    id: uuid.UUID
    kind: str
    occurred_on: date
    summary: str
    decision: str
    fine_amount: Decimal | None
    by: str = Field(alias="created_by.username")


class RecruiterDetail(RecruiterOut):
    representative: str
    address: str
    contact: str
    documents: list[str]
    guarantee_amount: Decimal | None
    guarantee_reference: str
    applied_on: date
    distinct_from: list[str]
    history: list[HistoryStep]
    events: list[EventOut] = Field(alias="shown_events")


class RecruiterQuery(CleanInput):
    q: str = Field("", max_length=100)
    status: Literal["", "applied", "authorised", "refused", "suspended", "revoked"] = ""


@router.get("/recruiters", response=list[RecruiterOut], summary="The recruiter register")
@paginate(CappedLimitOffsetPagination)
def recruiter_list(request: HttpRequest, filters: Query[RecruiterQuery]):  # type: ignore[no-untyped-def]
    require(request.user, Perm.LABOUR_READ)
    return queries.recruiter_search(request.user, filters.q, filters.status).order_by(
        "name_key", "id"
    )


class RecruiterIn(CleanInput):
    kind: Literal["organisation", "individual"]
    name: str = Field(max_length=200)
    tax_number: str = Field(max_length=20)
    countries: list[str] = Field(max_length=60)
    sectors: list[str] = Field(max_length=len(Sector.values))
    documents: list[str] = Field(max_length=50)
    representative: str = Field("", max_length=200)
    address: str = Field("", max_length=300)
    contact: str = Field("", max_length=200)
    guarantee_amount: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    guarantee_reference: str = Field("", max_length=100)
    applied_on: Day | None = None
    distinct_from: str = Field("", max_length=40)


def _recruiter_detail(recruiter: Recruiter) -> Recruiter:
    recruiter.shown_events = list(recruiter.events.select_related("created_by"))  # type: ignore[attr-defined]
    return recruiter


@router.post("/recruiters", response={201: RecruiterDetail}, summary="Register an application")
def recruiter_add(request: HttpRequest, payload: RecruiterIn) -> Status:
    recruiter = actions.recruiter_apply(
        actor=request.user, data=actions.RecruiterInput(**payload.dict())
    )
    return Status(201, _recruiter_detail(recruiter))


@router.get(
    "/recruiters/{recruiter_id}", response=RecruiterDetail, summary="One recruiter, with history"
)
def recruiter_read(request: HttpRequest, recruiter_id: uuid.UUID) -> Recruiter:
    require(request.user, Perm.LABOUR_READ)
    return _recruiter_detail(queries.recruiter_get(actor=request.user, recruiter_id=recruiter_id))


class DecisionIn(CleanInput):
    decision: Literal["authorise", "refuse", "renew", "suspend", "reinstate", "revoke"]
    reason: str = Field("", max_length=4000)
    valid_from: Day | None = None
    valid_until: Day | None = None
    version: int | None = Field(None, ge=1)


@router.post(
    "/recruiters/{recruiter_id}/decision",
    response=RecruiterDetail,
    summary="Authorise, refuse, renew, suspend, reinstate or revoke (supervisors)",
)
def recruiter_decision(request: HttpRequest, recruiter_id: uuid.UUID, payload: DecisionIn) -> Any:
    require(request.user, Perm.LABOUR_READ)
    queries.recruiter_get(actor=request.user, recruiter_id=recruiter_id)
    recruiter = actions.recruiter_decide(
        actor=request.user,
        recruiter_id=recruiter_id,
        data=actions.DecisionInput(**payload.dict()),
    )
    return _recruiter_detail(recruiter)


class SupervisionIn(CleanInput):
    kind: Literal["inspection", "complaint", "sanction"]
    summary: str = Field(max_length=4000)
    decision: str = Field("", max_length=4000)
    occurred_on: Day | None = None
    fine_amount: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    version: int | None = Field(None, ge=1)


@router.post(
    "/recruiters/{recruiter_id}/supervision",
    response={201: EventOut},
    summary="Record an inspection, a complaint or a sanction",
)
def recruiter_supervision(
    request: HttpRequest, recruiter_id: uuid.UUID, payload: SupervisionIn
) -> Status:
    require(request.user, Perm.LABOUR_READ)
    queries.recruiter_get(actor=request.user, recruiter_id=recruiter_id)
    event: SupervisionEvent = actions.recruiter_supervise(
        actor=request.user,
        recruiter_id=recruiter_id,
        data=actions.SupervisionInput(**payload.dict()),
    )
    return Status(201, event)


class FraudReportOut(Schema):
    id: uuid.UUID
    recruiter_name: str
    recruiter_number: str | None = Field(None, alias="recruiter.number")
    description: str
    place: str
    reporter_name: str
    reporter_contact: str
    status: str
    received_at: datetime
    review_note: str


class FraudQuery(CleanInput):
    status: Literal["", "new", "reviewed"] = ""


@router.get(
    "/fraud-reports", response=list[FraudReportOut], summary="Fraud reports (labour ministry)"
)
@paginate(CappedLimitOffsetPagination)
def fraud_report_list(request: HttpRequest, filters: Query[FraudQuery]):  # type: ignore[no-untyped-def]
    require(request.user, Perm.LABOUR_READ)
    records = queries.fraud_reports_visible_to(request.user).select_related("recruiter")
    if filters.status:
        records = records.filter(status=filters.status)
    return records.order_by("-received_at", "-id")


class ReviewIn(CleanInput):
    note: str = Field(max_length=4000)


@router.post("/fraud-reports/{report_id}/review", response=FraudReportOut, summary="Mark reviewed")
def fraud_report_review(request: HttpRequest, report_id: uuid.UUID, payload: ReviewIn) -> Any:
    require(request.user, Perm.LABOUR_READ)
    if not queries.fraud_reports_visible_to(request.user).filter(pk=report_id).exists():
        raise NotFound
    report: FraudReport = actions.fraud_report_review(
        actor=request.user, report_id=report_id, note=payload.note
    )
    return report


# ---------------------------------------------------------------- employers and offers


class EmployerOut(Schema):
    id: uuid.UUID
    name: str
    country: str = Field(alias="country_id")
    region: str
    city: str
    sector: str


class EmployerIn(CleanInput):
    name: str = Field(max_length=200)
    country: str = Field(max_length=2)
    sector: str = Field(max_length=20)
    region: str = Field("", max_length=120)
    city: str = Field("", max_length=120)


class NameQuery(CleanInput):
    q: str = Field("", max_length=100)


@router.get("/employers", response=list[EmployerOut], summary="Employers abroad")
@paginate(CappedLimitOffsetPagination)
def employer_list(request: HttpRequest, filters: Query[NameQuery]):  # type: ignore[no-untyped-def]
    require(request.user, Perm.LABOUR_READ)
    records = Employer.objects.all()
    if filters.q.strip():
        records = records.filter(name_key__contains=normalise_name(filters.q))
    return records.order_by("name_key", "id")


@router.post("/employers", response={201: EmployerOut}, summary="Register an employer")
def employer_add(request: HttpRequest, payload: EmployerIn) -> Status:
    return Status(
        201,
        actions.employer_create(actor=request.user, data=actions.EmployerInput(**payload.dict())),
    )


class OfferOut(Schema):
    id: uuid.UUID
    employer: EmployerOut
    programme: str
    country: str = Field(alias="country_id")
    sector: str
    positions: int
    starts_on: date
    ends_on: date
    conditions: str
    recruiter_number: str | None = Field(None, alias="recruiter.number")
    status: str


class OfferIn(CleanInput):
    employer_id: uuid.UUID
    programme: str = Field(max_length=120)
    sector: str = Field(max_length=20)
    positions: int = Field(ge=0, le=10_000_000)
    starts_on: Day
    ends_on: Day
    conditions: str = Field("", max_length=4000)
    country: str = Field("", max_length=2)
    recruiter_number: str = Field("", max_length=40)


class OfferQuery(CleanInput):
    country: str = Field("", max_length=2)


@router.get("/job-offers", response=list[OfferOut], summary="Job offers of your institution")
@paginate(CappedLimitOffsetPagination)
def offer_list(request: HttpRequest, filters: Query[OfferQuery]):  # type: ignore[no-untyped-def]
    require(request.user, Perm.LABOUR_READ)
    records = queries.offers_visible_to(request.user).select_related("employer", "recruiter")
    if filters.country.strip():
        records = records.filter(country_id=filters.country.strip().upper())
    return records.order_by("-starts_on", "id")


@router.post("/job-offers", response={201: OfferOut}, summary="Record a job offer")
def offer_add(request: HttpRequest, payload: OfferIn) -> Status:
    with _input_names():
        offer = actions.offer_create(actor=request.user, data=actions.OfferInput(**payload.dict()))
    return Status(201, offer)


class PlacementOut(Schema):
    id: uuid.UUID
    offer_id: uuid.UUID
    person_id: uuid.UUID
    name: str = Field(alias="person.full_name")
    sex: str = Field(alias="person.sex")
    site: str | None = Field(None, alias="site.code")
    status: str
    registered_on: date
    departed_on: date | None
    returned_on: date | None
    previous_id: uuid.UUID | None
    version: int
    history: list[HistoryStep]


class OfferDetail(OfferOut):
    workers: list[PlacementOut]


@router.get("/job-offers/{offer_id}", response=OfferDetail, summary="One offer and its workers")
def offer_read(request: HttpRequest, offer_id: uuid.UUID) -> JobOffer:
    require(request.user, Perm.LABOUR_READ)
    offer = queries.offer_get(actor=request.user, offer_id=offer_id)
    offer.workers = queries.placements_of_offer(actor=request.user, offer=offer)  # type: ignore[attr-defined]
    return offer


class PlacementIn(CleanInput):
    person_id: uuid.UUID
    site: str = Field("", max_length=60)
    registered_on: Day | None = None


@router.post(
    "/job-offers/{offer_id}/workers",
    response={201: PlacementOut},
    summary="Register a worker for an offer",
)
def placement_add(request: HttpRequest, offer_id: uuid.UUID, payload: PlacementIn) -> Status:
    with _input_names():
        placement = actions.placement_register(
            actor=request.user, offer_id=offer_id, data=actions.PlacementInput(**payload.dict())
        )
    return Status(201, placement)


class StepIn(CleanInput):
    status: Literal[
        "preselected", "selected", "prepared", "deployed", "returned", "not_selected", "withdrawn"
    ]
    on: Day | None = None
    note: str = Field("", max_length=4000)
    version: int | None = Field(None, ge=1)


@router.post("/placements/{placement_id}/step", response=PlacementOut, summary="Move a worker on")
def placement_move(request: HttpRequest, placement_id: uuid.UUID, payload: StepIn) -> Placement:
    return actions.placement_step(
        actor=request.user, placement_id=placement_id, data=actions.StepInput(**payload.dict())
    )


class ReadmitIn(CleanInput):
    offer_id: uuid.UUID
    site: str = Field("", max_length=60)


@router.post(
    "/placements/{placement_id}/readmit",
    response={201: PlacementOut},
    summary="Readmit a returned worker for the next season",
)
def placement_readmission(
    request: HttpRequest, placement_id: uuid.UUID, payload: ReadmitIn
) -> Status:
    with _input_names():
        placement = actions.placement_readmit(
            actor=request.user,
            placement_id=placement_id,
            offer_id=payload.offer_id,
            site=payload.site,
        )
    return Status(201, placement)


class PamphletOut(Schema):
    id: uuid.UUID
    site: str = Field(alias="site.code")
    country: str = Field(alias="country_id")
    programme: str
    distributed_on: date
    quantity: int


class PamphletIn(CleanInput):
    site: str = Field(max_length=60)
    country: str = Field(max_length=2)
    programme: str = Field(max_length=120)
    quantity: int = Field(ge=0, le=10_000_000)
    distributed_on: Day | None = None


@router.get("/pamphlets", response=list[PamphletOut], summary="Pamphlets handed out")
@paginate(CappedLimitOffsetPagination)
def pamphlet_list(request: HttpRequest):  # type: ignore[no-untyped-def]
    require(request.user, Perm.LABOUR_READ)
    return (
        queries.pamphlets_visible_to(request.user)
        .select_related("site")
        .order_by("-distributed_on", "id")
    )


@router.post("/pamphlets", response={201: PamphletOut}, summary="Count pamphlets handed out")
def pamphlet_add(request: HttpRequest, payload: PamphletIn) -> Status:
    row: PamphletDistribution = actions.pamphlets_record(
        actor=request.user, data=actions.PamphletInput(**payload.dict())
    )
    return Status(201, row)


# ---------------------------------------------------------------- support abroad


class VisitOut(Schema):
    id: uuid.UUID
    employer_id: uuid.UUID
    employer: str = Field(alias="employer.name")
    site: str = Field(alias="site.code")
    kind: str
    visited_on: date
    workers_met: int
    findings: str
    follow_up: str


class VisitIn(CleanInput):
    employer_id: uuid.UUID
    site: str = Field(max_length=60)
    kind: Literal["inspection", "visit"]
    findings: str = Field(max_length=4000)
    visited_on: Day | None = None
    workers_met: int = Field(0, ge=0, le=100_000)
    follow_up: str = Field("", max_length=4000)


@router.get("/workplace-visits", response=list[VisitOut], summary="Workplace visits")
@paginate(CappedLimitOffsetPagination)
def visit_list(request: HttpRequest):  # type: ignore[no-untyped-def]
    require(request.user, Perm.LABOUR_READ)
    return (
        queries.visits_visible_to(request.user)
        .select_related("employer", "site")
        .order_by("-visited_on", "id")
    )


@router.post("/workplace-visits", response={201: VisitOut}, summary="Record a workplace visit")
def visit_add(request: HttpRequest, payload: VisitIn) -> Status:
    with _input_names():
        visit: WorkplaceVisit = actions.visit_record(
            actor=request.user, data=actions.VisitInput(**payload.dict())
        )
    return Status(201, visit)


class ServiceOut(Schema):
    id: uuid.UUID
    person_id: uuid.UUID
    employer_id: uuid.UUID | None
    site: str = Field(alias="site.code")
    kind: str
    given_on: date
    description: str
    breach_of_contract: bool
    case_id: uuid.UUID | None


class ServiceIn(CleanInput):
    person_id: uuid.UUID
    site: str = Field(max_length=60)
    kind: str = Field(max_length=20)
    employer_id: uuid.UUID | None = None
    given_on: Day | None = None
    description: str = Field("", max_length=4000)
    breach_of_contract: bool = False


@router.get("/support-services", response=list[ServiceOut], summary="Support services abroad")
@paginate(CappedLimitOffsetPagination)
def service_list(request: HttpRequest):  # type: ignore[no-untyped-def]
    require(request.user, Perm.LABOUR_READ)
    return queries.services_list(request.user, limit=1000)


@router.post(
    "/support-services",
    response={201: ServiceOut},
    summary="Record a support service (a breach of contract opens a labour-rights case)",
)
def service_add(request: HttpRequest, payload: ServiceIn) -> Status:
    with _input_names():
        service: SupportService = actions.service_record(
            actor=request.user, data=actions.ServiceInput(**payload.dict())
        )
    return Status(201, service)


# ---------------------------------------------------------------- figures


class RecruitedOut(Schema):
    country: str
    sex: str
    workers: int


class LabourFiguresOut(Schema):
    year: int | None
    recruited: list[RecruitedOut]
    recruited_total: int
    pamphlets_total: int
    pamphlets: list[dict[str, Any]]
    visits: list[dict[str, Any]]
    services: list[dict[str, Any]]
    services_total: int
    breaches: int


class YearQuery(CleanInput):
    year: int | None = Field(None, ge=1900, le=2999)


@router.get(
    "/labour/figures",
    response=LabourFiguresOut,
    summary="Workers recruited by destination and sex; pamphlets, visits, support services",
)
def figures(request: HttpRequest, filters: Query[YearQuery]) -> dict[str, Any]:
    if not has_perm(request.user, Perm.STATS_READ):
        require(request.user, Perm.LABOUR_READ)
    return queries.labour_figures(actor=request.user, year=filters.year)
