"""REST endpoints of the tracing app: missing-person reports and search requests, unidentified
remains, family tracing, and the figures. They parse, call actions and queries, serialize."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from amparo.core.apitypes import CleanInput, Day
from amparo.core.errors import InvalidInput
from amparo.core.models import User
from amparo.core.pagination import CappedLimitOffsetPagination
from amparo.core.permissions import Perm, has_perm, require
from amparo.people.queries import persons_visible_to

from . import actions, queries
from .models import (
    MissingReport,
    SearchRequest,
    TracingCandidate,
    TracingRequest,
    UnidentifiedRemains,
)

router = Router(tags=["tracing"])

INPUT_NAMES = {
    "person": "person_id",
    "reporter": "reporter_id",
    "child": "child_id",
    "found_person": "found_person_id",
    "report": "report_id",
}


@contextmanager
def _input_names() -> Iterator[None]:
    try:
        yield
    except InvalidInput as exc:
        raise InvalidInput({INPUT_NAMES.get(k, k): v for k, v in exc.errors.items()}) from exc


class PersonRef(Schema):
    id: uuid.UUID
    given_names: str
    first_surname: str
    second_surname: str
    sex: str
    birth_date: date | None
    nationality: str | None = Field(None, alias="nationality_id")


class HistoryStep(Schema):
    at: datetime
    status: str
    by: str
    what: str = ""
    reason: str = ""
    reference: str = ""


# ---------------------------------------------------------------- reports

ReportStatus = Literal["missing", "found_alive", "found_deceased"]


class SearchOut(Schema):
    id: uuid.UUID
    authority: str
    country: str = Field(alias="country_id")
    site: str = Field(alias="site.code")
    sent_on: date
    answer: str
    answered_on: date | None


class ReportOut(Schema):
    id: uuid.UUID
    status: str
    status_at: datetime
    institution: str = Field(alias="institution.code")
    person_id: uuid.UUID
    channel: str
    reported_on: date
    last_seen_country: str = Field(alias="last_seen_country_id")
    last_seen_place: str
    last_seen_on: date | None
    version: int


class ReportDetail(ReportOut):
    # The report shares the missing person's identity with whoever sees the report.
    person: PersonRef
    reporter_id: uuid.UUID | None
    reporter: PersonRef | None = Field(None, alias="shown_reporter")
    reporter_name: str
    reporter_relation: str
    reporter_contact: str
    route: str
    description: str
    clothing: str
    contacts: str
    reference_sample: bool
    sample_held_by: str
    sample_reference: str
    forensic_requested_at: datetime | None
    found_on: date | None
    found_country: str | None = Field(None, alias="found_country_id")
    found_place: str
    found_person_id: uuid.UUID | None
    outcome_note: str
    case_id: uuid.UUID | None
    searches: list[SearchOut] = Field(alias="shown_searches")
    history: list[HistoryStep]


class ReportIn(CleanInput):
    person_id: uuid.UUID | None = None
    channel: str = Field(..., max_length=20, examples=["consulate"])
    last_seen_country: str = Field(..., max_length=2, examples=["MX"])
    last_seen_place: str = Field("", max_length=200)
    last_seen_on: Day | None = None
    reported_on: Day | None = Field(None, description="Defaults to today")
    site: str = Field("", max_length=60)
    reporter_id: uuid.UUID | None = None
    reporter_name: str = Field("", max_length=200)
    reporter_relation: str = Field("", max_length=60)
    reporter_contact: str = Field("", max_length=200)
    route: str = Field("", max_length=actions.TEXT_MAX)
    description: str = Field("", max_length=actions.TEXT_MAX)
    clothing: str = Field("", max_length=actions.TEXT_MAX)
    contacts: str = Field("", max_length=actions.TEXT_MAX)
    reference_sample: bool = False
    sample_held_by: str = Field("", max_length=200)
    sample_reference: str = Field("", max_length=60)


class Versioned(CleanInput):
    version: int | None = Field(None, ge=1, description="The version you read")


class SearchIn(Versioned):
    authority: str = Field(..., max_length=200)
    country: str = Field(..., max_length=2, examples=["MX"])
    site: str = Field(..., max_length=60, examples=["mx-tapachula"])
    sent_on: Day | None = None


class AnswerIn(CleanInput):
    answer: str = Field(..., max_length=actions.TEXT_MAX)
    answered_on: Day | None = None


class FoundIn(Versioned):
    found_on: Day | None = None
    country: str = Field(..., max_length=2)
    place: str = Field("", max_length=200)
    note: str = Field("", max_length=actions.TEXT_MAX)
    found_person_id: uuid.UUID | None = Field(
        None, description="Another record of the person, confirmed with a note"
    )


class ReportQuery(CleanInput):
    status: ReportStatus | None = None
    last_seen_country: str = Field("", max_length=2)


def _report_detail(actor: User, report: MissingReport) -> MissingReport:
    report.shown_reporter = (  # type: ignore[attr-defined]
        persons_visible_to(actor).filter(pk=report.reporter_id).first()
        if report.reporter_id
        else None
    )
    report.shown_searches = list(report.search_requests.select_related("site"))  # type: ignore[attr-defined]
    return report


@router.get(
    "/missing-reports",
    response=list[ReportOut],
    summary="Missing-person reports you see, newest first",
)
@paginate(CappedLimitOffsetPagination)
def report_list(request: HttpRequest, filters: Query[ReportQuery]):  # type: ignore[no-untyped-def]
    require(request.user, Perm.TRACING_READ)
    reports = queries.reports_visible_to(request.user).select_related("institution")
    if filters.status:
        reports = reports.filter(status=filters.status)
    if filters.last_seen_country.strip():
        reports = reports.filter(last_seen_country_id=filters.last_seen_country.strip().upper())
    return reports.order_by("-reported_on", "-created_at", "-id")


@router.post("/missing-reports", response={201: ReportDetail}, summary="Record a report")
def report_add(request: HttpRequest, payload: ReportIn) -> Status:
    with _input_names():
        report = actions.report_record(
            actor=request.user, data=actions.ReportInput(**payload.dict())
        )
    report = queries.reports_visible_to(request.user).get(pk=report.pk)
    return Status(201, _report_detail(request.user, report))


class FiguresOut(Schema):
    abroad: int
    abroad_by_country: list[dict[str, Any]]
    in_country: int
    in_country_by_nationality: list[dict[str, Any]]
    reunified: int


class FiguresQuery(CleanInput):
    start: Day | None = Field(None, alias="from")
    end: Day | None = Field(None, alias="to")


@router.get(
    "/missing-reports/figures",
    response=FiguresOut,
    summary="People still missing (abroad by country, in Guatemala by nationality) and "
    "families reunified",
)
def figures(request: HttpRequest, period: Query[FiguresQuery]) -> dict[str, Any]:
    if not has_perm(request.user, Perm.STATS_READ):
        require(request.user, Perm.TRACING_READ)
    counts = queries.missing_counts(request.user, start=period.start, end=period.end)
    return {
        "abroad": counts.abroad,
        "abroad_by_country": [{"country": c, "count": n} for c, n in counts.abroad_by_country],
        "in_country": counts.in_country,
        "in_country_by_nationality": [
            {"nationality": c, "count": n} for c, n in counts.in_country_by_nationality
        ],
        "reunified": queries.reunified_count(request.user, start=period.start, end=period.end),
    }


@router.get(
    "/missing-reports/{report_id}", response=ReportDetail, summary="One report, with its history"
)
def report_read(request: HttpRequest, report_id: uuid.UUID) -> MissingReport:
    require(request.user, Perm.TRACING_READ)
    return _report_detail(request.user, queries.report_get(actor=request.user, report_id=report_id))


def _reread(actor: User, report_id: uuid.UUID) -> MissingReport:
    report = queries.reports_visible_to(actor).select_related("person").get(pk=report_id)
    return _report_detail(actor, report)


@router.post(
    "/missing-reports/{report_id}/searches",
    response={201: SearchOut},
    summary="Send a search request to a foreign authority through a consulate",
)
def report_search(request: HttpRequest, report_id: uuid.UUID, payload: SearchIn) -> Status:
    search = actions.search_request_send(
        actor=request.user,
        report_id=report_id,
        data=actions.SearchInput(
            authority=payload.authority,
            country=payload.country,
            site=payload.site,
            sent_on=payload.sent_on,
        ),
        version=payload.version,
    )
    return Status(201, search)


@router.post("/search-requests/{search_id}/answer", response=SearchOut, summary="Record the answer")
def search_answer(request: HttpRequest, search_id: uuid.UUID, payload: AnswerIn) -> SearchRequest:
    return actions.search_request_answer(
        actor=request.user,
        search_id=search_id,
        answer=payload.answer,
        answered_on=payload.answered_on,
    )


@router.post(
    "/missing-reports/{report_id}/forensic-request",
    response=ReportDetail,
    summary="Ask the forensic institute to compare the report with unidentified remains",
)
def report_forensic(request: HttpRequest, report_id: uuid.UUID, payload: Versioned) -> Any:
    actions.report_forensic_request(
        actor=request.user, report_id=report_id, version=payload.version
    )
    return _reread(request.user, report_id)


@router.post(
    "/missing-reports/{report_id}/found-alive",
    response=ReportDetail,
    summary="Record that the person was found alive",
)
def report_found(request: HttpRequest, report_id: uuid.UUID, payload: FoundIn) -> Any:
    with _input_names():
        actions.report_found_alive(
            actor=request.user,
            report_id=report_id,
            data=actions.FoundInput(
                found_on=payload.found_on,
                country=payload.country,
                place=payload.place,
                note=payload.note,
                found_person_id=payload.found_person_id,
            ),
            version=payload.version,
        )
    return _reread(request.user, report_id)


@router.post(
    "/missing-reports/{report_id}/case",
    response=ReportDetail,
    summary="Open the consular assistance case that follows a person found alive",
)
def report_case(request: HttpRequest, report_id: uuid.UUID) -> Any:
    actions.report_open_case(actor=request.user, report_id=report_id)
    return _reread(request.user, report_id)


# ---------------------------------------------------------------- remains


class RemainsOut(Schema):
    id: uuid.UUID
    status: str
    status_at: datetime
    institution: str = Field(alias="institution.code")
    reference: str
    found_on: date
    found_country: str = Field(alias="found_country_id")
    found_place: str
    age_min: int | None
    age_max: int | None
    sex: str
    version: int


class RemainsDetail(RemainsOut):
    latitude: Decimal | None
    longitude: Decimal | None
    descriptors: str
    belongings: str
    burial_place: str
    grave_reference: str
    report_id: uuid.UUID | None
    person_id: uuid.UUID | None
    evidence: list[str]
    identified_on: date | None
    identified_by: str | None = Field(None, alias="identified_by.username")
    identification_note: str
    history: list[HistoryStep]


class RemainsIn(CleanInput):
    reference: str = Field(..., max_length=60)
    found_on: Day | None = None
    found_country: str = Field(..., max_length=2)
    found_place: str = Field(..., max_length=200)
    latitude: Decimal | None = Field(None, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, max_digits=9, decimal_places=6)
    age_min: int | None = Field(None, ge=0, le=actions.MAX_AGE)
    age_max: int | None = Field(None, ge=0, le=actions.MAX_AGE)
    sex: Literal["F", "M", "U"] = "U"
    descriptors: str = Field("", max_length=actions.TEXT_MAX)
    belongings: str = Field("", max_length=actions.TEXT_MAX)
    burial_place: str = Field("", max_length=200)
    grave_reference: str = Field("", max_length=100)


class BurialIn(Versioned):
    burial_place: str = Field(..., max_length=200)
    grave_reference: str = Field("", max_length=100)


class IdentifyIn(Versioned):
    report_id: uuid.UUID
    evidence: list[Literal["fingerprints", "dental", "dna"]] = Field(..., max_length=3)
    note: str = Field(..., max_length=actions.TEXT_MAX)
    identified_on: Day | None = None


class RemainsQuery(CleanInput):
    status: Literal["unidentified", "identified"] | None = None


@router.get("/remains", response=list[RemainsOut], summary="Unidentified remains you see")
@paginate(CappedLimitOffsetPagination)
def remains_list(request: HttpRequest, filters: Query[RemainsQuery]):  # type: ignore[no-untyped-def]
    require(request.user, Perm.TRACING_READ)
    records = queries.remains_visible_to(request.user).select_related("institution")
    if filters.status:
        records = records.filter(status=filters.status)
    return records.order_by("-found_on", "-created_at", "-id")


@router.post("/remains", response={201: RemainsDetail}, summary="Record unidentified remains")
def remains_add(request: HttpRequest, payload: RemainsIn) -> Status:
    record = actions.remains_record(actor=request.user, data=actions.RemainsInput(**payload.dict()))
    return Status(201, record)


@router.get("/remains/{remains_id}", response=RemainsDetail, summary="One record of remains")
def remains_read(request: HttpRequest, remains_id: uuid.UUID) -> UnidentifiedRemains:
    require(request.user, Perm.TRACING_READ)
    return queries.remains_get(actor=request.user, remains_id=remains_id)


@router.post(
    "/remains/{remains_id}/burial", response=RemainsDetail, summary="Record the burial place"
)
def remains_burial(
    request: HttpRequest, remains_id: uuid.UUID, payload: BurialIn
) -> UnidentifiedRemains:
    return actions.remains_update_burial(
        actor=request.user,
        remains_id=remains_id,
        burial_place=payload.burial_place,
        grave_reference=payload.grave_reference,
        version=payload.version,
    )


@router.post(
    "/remains/{remains_id}/identify",
    response=RemainsDetail,
    summary="Identify remains on primary evidence (forensic staff)",
)
def remains_identify(
    request: HttpRequest, remains_id: uuid.UUID, payload: IdentifyIn
) -> UnidentifiedRemains:
    with _input_names():
        return actions.remains_identify(
            actor=request.user,
            remains_id=remains_id,
            data=actions.IdentifyInput(
                report_id=payload.report_id,
                evidence=list(payload.evidence),
                note=payload.note,
                identified_on=payload.identified_on,
            ),
            version=payload.version,
        )


# ---------------------------------------------------------------- family tracing

Relation = Literal["mother", "father", "sibling", "grandparent", "uncle_aunt", "other"]


class RelativeIn(CleanInput):
    name: str = Field(..., max_length=200)
    relation: Relation = "other"
    country: str = Field("", max_length=2)
    place: str = Field("", max_length=200)


class CandidateOut(Schema):
    id: uuid.UUID
    person_id: uuid.UUID
    relation: str
    how_found: str
    status: str
    verification: str
    reason: str
    decided_by: str | None = Field(None, alias="decided_by.username")
    decided_on: date | None


class TracingOut(Schema):
    id: uuid.UUID
    status: str
    status_at: datetime
    institution: str = Field(alias="institution.code")
    child_id: uuid.UUID
    child_where: str
    requested_on: date
    outcome_on: date | None
    version: int


class TracingDetail(TracingOut):
    child: PersonRef | None = Field(None, alias="shown_child")
    relatives_sought: list[RelativeIn]
    note: str
    outcome_reason: str
    candidates: list[CandidateOut] = Field(alias="shown_candidates")
    history: list[HistoryStep]


class TracingIn(CleanInput):
    child_id: uuid.UUID | None = None
    child_where: str = Field(..., max_length=10, examples=["returned"])
    relatives: list[RelativeIn] = Field(..., max_length=10)
    requested_on: Day | None = None
    site: str = Field("", max_length=60)
    note: str = Field("", max_length=actions.TEXT_MAX)


class CandidateIn(Versioned):
    person_id: uuid.UUID | None = None
    relation: str = Field(..., max_length=20)
    how_found: str = Field(..., max_length=200)


class DecisionIn(CleanInput):
    verified: bool
    verification: str = Field("", max_length=200, description="Required to verify")
    reason: str = Field("", max_length=actions.TEXT_MAX, description="Required to reject")


class OutcomeIn(Versioned):
    status: Literal["in_progress", "reunified", "not_reunified"]
    on: Day | None = None
    reason: str = Field("", max_length=actions.TEXT_MAX)


class TracingQuery(CleanInput):
    status: Literal["open", "in_progress", "reunified", "not_reunified"] | None = None


def _tracing_detail(actor: User, record: TracingRequest) -> TracingRequest:
    record.shown_child = persons_visible_to(actor).filter(pk=record.child_id).first()  # type: ignore[attr-defined]
    record.shown_candidates = list(record.candidates.select_related("decided_by"))  # type: ignore[attr-defined]
    return record


@router.get("/tracing-requests", response=list[TracingOut], summary="Tracing requests you see")
@paginate(CappedLimitOffsetPagination)
def tracing_list(request: HttpRequest, filters: Query[TracingQuery]):  # type: ignore[no-untyped-def]
    require(request.user, Perm.TRACING_READ)
    records = queries.tracing_visible_to(request.user).select_related("institution")
    if filters.status:
        records = records.filter(status=filters.status)
    return records.order_by("-requested_on", "-created_at", "-id")


@router.post("/tracing-requests", response={201: TracingDetail}, summary="Record a tracing request")
def tracing_add(request: HttpRequest, payload: TracingIn) -> Status:
    with _input_names():
        record = actions.tracing_open(
            actor=request.user,
            data=actions.TracingInput(
                child_id=payload.child_id,
                child_where=payload.child_where,
                relatives=[actions.RelativeSought(**r.dict()) for r in payload.relatives],
                requested_on=payload.requested_on,
                site=payload.site,
                note=payload.note,
            ),
        )
    return Status(201, _tracing_detail(request.user, record))


@router.get(
    "/tracing-requests/{request_id}",
    response=TracingDetail,
    summary="One tracing request, with its candidates and history",
)
def tracing_read(request: HttpRequest, request_id: uuid.UUID) -> TracingRequest:
    require(request.user, Perm.TRACING_READ)
    record = queries.tracing_get(actor=request.user, request_id=request_id)
    return _tracing_detail(request.user, record)


@router.post(
    "/tracing-requests/{request_id}/candidates",
    response={201: CandidateOut},
    summary="Add a relative found",
)
def candidate_add(request: HttpRequest, request_id: uuid.UUID, payload: CandidateIn) -> Status:
    with _input_names():
        candidate = actions.tracing_candidate_add(
            actor=request.user,
            request_id=request_id,
            person_id=payload.person_id,
            relation=payload.relation,
            how_found=payload.how_found,
            version=payload.version,
        )
    return Status(201, candidate)


@router.post(
    "/tracing-candidates/{candidate_id}/decision",
    response=CandidateOut,
    summary="Verify a relative found, or reject them with a reason",
)
def candidate_decide(
    request: HttpRequest, candidate_id: uuid.UUID, payload: DecisionIn
) -> TracingCandidate:
    return actions.tracing_candidate_decide(
        actor=request.user,
        candidate_id=candidate_id,
        verified=payload.verified,
        verification=payload.verification,
        reason=payload.reason,
    )


@router.post(
    "/tracing-requests/{request_id}/outcome",
    response=TracingDetail,
    summary="Reunification in progress, reunified, or not reunified with the reason",
)
def tracing_outcome(request: HttpRequest, request_id: uuid.UUID, payload: OutcomeIn) -> Any:
    record = actions.tracing_outcome(
        actor=request.user,
        request_id=request_id,
        status=payload.status,
        on=payload.on,
        reason=payload.reason,
        version=payload.version,
    )
    return _tracing_detail(request.user, record)
