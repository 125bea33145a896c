"""Assistance endpoints of the REST API: the migrant support line, mobile consulates, consular
service figures, the consular civil registry and travel documents.

They parse the input, call the app's actions and queries, and serialize. Consular services
themselves are recorded with `POST /services` (cases API) at a consulate or mobile-consulate
site code.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from amparo.core.apitypes import FIRST_DAY, LAST_DAY, CleanInput, Day, Moment
from amparo.core.errors import InvalidInput
from amparo.core.models import User
from amparo.core.pagination import COUNT_CAP, MAX_OFFSET, CappedLimitOffsetPagination
from amparo.core.permissions import Perm, require
from amparo.people.models import Person
from amparo.people.queries import persons_visible_to

from . import actions
from .models import CivilRegistration, ContactReason, SupportContact, TravelDocument
from .queries import (
    ContactFilter,
    civil_registration_get,
    civil_registrations_visible_to,
    civil_registry_code,
    consular_service_figures,
    contact_counts,
    contact_page,
    mobile_consulates,
    travel_document_get,
    travel_documents_visible_to,
)

router = Router(tags=["assistance"])

# The actions name some fields by what they are ("person"); the API by what is sent.
INPUT_NAMES = {"person": "person_id", "other_person": "other_person_id", "case": "case_id"}


@contextmanager
def _input_names() -> Iterator[None]:
    try:
        yield
    except InvalidInput as exc:
        raise InvalidInput({INPUT_NAMES.get(k, k): v for k, v in exc.errors.items()}) from exc


def _upper(value: str | None) -> str | None:
    return value.strip().upper() if value else value


# ---------------------------------------------------------------- shared output


class PersonRef(Schema):
    id: uuid.UUID
    given_names: str
    first_surname: str
    second_surname: str
    sex: str
    birth_date: date | None


class HistoryStep(Schema):
    at: datetime
    status: str
    by: str
    reason: str = ""
    reference: str = ""
    basis: str = ""
    number: str = ""


def _shown(actor: User, person_id: uuid.UUID | None, *, registry: bool = False) -> Person | None:
    """The person named on a record, if the actor may see who it is."""
    if person_id is None:
        return None
    people = Person.objects.all() if registry else persons_visible_to(actor)
    return people.filter(pk=person_id).first()


# ---------------------------------------------------------------- support line


class ContactReasonOut(Schema):
    code: str
    name: str
    name_es: str
    name_en: str
    protocol: str
    opens_case: bool

    @staticmethod
    def resolve_opens_case(obj: ContactReason) -> bool:
        return bool(obj.protocol)


Channel = Literal["call", "message", "web_form", "walk_in"]
Outcome = Literal[
    "information", "referred", "case_opened", "case_updated", "missing_report", "dropped"
]


class ContactQuery(CleanInput):
    start: Day | None = Field(None, alias="from")
    end: Day | None = Field(None, alias="to")
    reason: str = Field("", max_length=40)
    channel: Channel | None = None
    outcome: Outcome | None = None

    def to_filter(self) -> ContactFilter:
        return ContactFilter(
            start=self.start,
            end=self.end,
            reason=self.reason.strip(),
            channel=self.channel or "",
            outcome=self.outcome or "",
        )


class Page(CleanInput):
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class ContactIn(CleanInput):
    channel: str = Field(..., max_length=20, examples=["call"])
    reason: str = Field(..., max_length=40, examples=["missing_person"])
    outcome: str = Field("", max_length=20, description="Required unless a case is followed up")
    caller_country: str | None = Field(None, max_length=2, description="ISO 3166 alpha-2")
    caller_city: str = Field("", max_length=120)
    duration_seconds: int = Field(0, description="0 to 86400")
    received_at: Moment | None = Field(None, description="Defaults to now")
    person_id: uuid.UUID | None = None
    open_case: bool = Field(False, description="Open a case under the reason's protocol")
    urgency: str = Field("urgent", max_length=20, description="For a case opened")
    case_id: uuid.UUID | None = Field(None, description="Add the contact to this case")
    note: str = Field("", max_length=1000)


class ContactOut(Schema):
    id: int
    received_at: datetime
    channel: str
    reason: str
    outcome: str
    caller_country: str | None
    caller_city: str
    duration_seconds: int
    person: PersonRef | None
    person_on_record: bool
    case_id: uuid.UUID | None
    recorded_by: str
    note: str


class ContactPageOut(Schema):
    items: list[ContactOut]
    count: int


class CodeCount(Schema):
    code: str
    count: int


class ContactSummaryOut(Schema):
    total: int
    reason: list[CodeCount]
    channel: list[CodeCount]
    outcome: list[CodeCount]


def _contact(contact: SupportContact, person: Person | None) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "received_at": contact.received_at,
        "channel": contact.channel,
        "reason": contact.reason_id,
        "outcome": contact.outcome,
        "caller_country": contact.caller_country_id,
        "caller_city": contact.caller_city,
        "duration_seconds": contact.duration_seconds,
        "person": person,
        "person_on_record": contact.person_id is not None,
        "case_id": contact.case_id,
        "recorded_by": contact.recorded_by.username,
        "note": contact.note,
    }


def _checked(filters: ContactQuery) -> ContactFilter:
    """Refuse a period that ends before it starts and a reason not on the list."""
    errors: dict[str, list[str]] = {}
    if filters.start and filters.end and filters.end < filters.start:
        errors["to"] = [_("The end of the period cannot be before its start.")]
    reason = filters.reason.strip()
    if reason and not ContactReason.objects.filter(code=reason).exists():
        errors["reason"] = [_("Choose a reason from the list.")]
    if errors:
        raise InvalidInput(errors)
    return filters.to_filter()


@router.get(
    "/contact-reasons", response=list[ContactReasonOut], summary="Reasons for a support contact"
)
def contact_reasons(request: HttpRequest) -> list[ContactReason]:
    require(request.user, Perm.REFERENCE_READ)
    return list(ContactReason.objects.filter(active=True).order_by("code"))


@router.get("/contacts", response=ContactPageOut, summary="Support-line contacts, newest first")
def contacts(
    request: HttpRequest, filters: Query[ContactQuery], page: Query[Page]
) -> dict[str, object]:
    require(request.user, Perm.ASSISTANCE_READ)
    result = contact_page(
        actor=request.user, filters=_checked(filters), offset=page.offset, limit=page.limit
    )
    count = result.count if result.count <= COUNT_CAP and not result.capped else COUNT_CAP + 1
    return {
        "items": [_contact(row, result.people.get(row.person_id)) for row in result.rows],
        "count": count,
    }


@router.post("/contacts", response={201: ContactOut}, summary="Log a support-line contact")
def contact_create(request: HttpRequest, payload: ContactIn) -> Status:
    data = actions.ContactInput(
        **{**payload.dict(), "caller_country": _upper(payload.caller_country)}
    )
    with _input_names():
        contact = actions.contact_log(actor=request.user, data=data)
    return Status(201, _contact(contact, contact.person))


@router.get(
    "/contacts/summary", response=ContactSummaryOut, summary="Contacts by reason, channel, outcome"
)
def contacts_summary(request: HttpRequest, filters: Query[ContactQuery]) -> dict[str, object]:
    require(request.user, Perm.ASSISTANCE_READ)
    counts = contact_counts(request.user, _checked(filters))
    table = {name: [{"code": c, "count": n} for c, n in rows] for name, rows in counts.items()}
    return {"total": sum(n for _code, n in counts["channel"]), **table}


# ---------------------------------------------------------------- mobile consulates and figures


class MobileConsulateIn(CleanInput):
    consulate: str = Field(..., max_length=60, examples=["us-los-angeles"])
    city: str = Field(..., max_length=120, examples=["Bakersfield"])
    region: str = Field("", max_length=120)
    opens_on: Day
    closes_on: Day | None = Field(None, description="Defaults to opens_on; at most a month")
    place: str = Field("", max_length=120)


class MobileConsulateOut(Schema):
    code: str
    name: str
    consulate: str | None = Field(None, alias="parent.code")
    country: str = Field(alias="country_id")
    city: str
    region: str
    opens_on: date | None
    closes_on: date | None


class YearQuery(CleanInput):
    year: int | None = Field(None, ge=FIRST_DAY.year, le=LAST_DAY.year)


class FiguresQuery(CleanInput):
    start: Day = Field(..., alias="from")
    end: Day = Field(..., alias="to")


class FiguresOut(Schema):
    start: date = Field(alias="from")
    end: date = Field(alias="to")
    services: int
    people: int
    by_kind: list[CodeCount]
    mobile_services: int


@router.get(
    "/mobile-consulates",
    response=list[MobileConsulateOut],
    summary="Your institution's mobile consulates, latest first",
)
@paginate(CappedLimitOffsetPagination)
def mobile_consulate_list(request: HttpRequest, filters: Query[YearQuery]):  # type: ignore[no-untyped-def]
    require(request.user, Perm.ASSISTANCE_READ)
    return mobile_consulates(request.user, year=filters.year)


@router.post(
    "/mobile-consulates", response={201: MobileConsulateOut}, summary="Plan a mobile consulate"
)
def mobile_consulate_add(request: HttpRequest, payload: MobileConsulateIn) -> Status:
    site = actions.mobile_consulate_create(
        actor=request.user,
        consulate_code=payload.consulate,
        city=payload.city,
        region=payload.region,
        opens_on=payload.opens_on,
        closes_on=payload.closes_on,
        place=payload.place,
    )
    return Status(201, site)


@router.get(
    "/consular-services/figures",
    response=FiguresOut,
    by_alias=True,
    summary="Services at consulates and mobile consulates against people served",
)
def consular_figures(request: HttpRequest, period: Query[FiguresQuery]) -> dict[str, object]:
    require(request.user, Perm.ASSISTANCE_READ)
    if period.end < period.start:
        raise InvalidInput.field("to", _("The end of the period cannot be before its start."))
    figures = consular_service_figures(request.user, start=period.start, end=period.end)
    return {
        "from": period.start,
        "to": period.end,
        "services": figures.services,
        "people": figures.people,
        "by_kind": [{"code": kind, "count": n} for kind, n in figures.by_kind],
        "mobile_services": figures.mobile_services,
    }


# ---------------------------------------------------------------- register entries

CivilKind = Literal["birth", "marriage", "death"]
CivilStatus = Literal["recorded", "sent", "acknowledged", "rejected", "registered"]
TravelKind = Literal["child_passport", "special_pass", "travel_authorisation"]
TravelStatus = Literal["requested", "checked", "issued", "refused"]


class EntryOut(Schema):
    """What every register entry shows in a list."""

    id: uuid.UUID
    kind: str
    status: str
    status_at: datetime
    institution: str = Field(alias="institution.code")
    site: str = Field(alias="site.code")
    person_id: uuid.UUID
    version: int
    created_at: datetime


class EntryDetail(EntryOut):
    person: PersonRef | None = Field(
        None, alias="shown_person", description="Null when you may not see who it is"
    )
    history: list[HistoryStep]
    created_by: str = Field(alias="created_by.username")


class CivilRegistrationOut(EntryOut):
    event_date: date
    event_country: str = Field(alias="event_country_id")
    recorded_on: date


class CivilRegistrationDetail(EntryDetail, CivilRegistrationOut):
    event_place: str
    other_person_id: uuid.UUID | None
    other_person: PersonRef | None = Field(None, alias="shown_other_person")
    rejection_reason: str
    registry_reference: str


class CivilRegistrationIn(CleanInput):
    kind: str = Field(..., max_length=20, examples=["birth"])
    person_id: uuid.UUID | None = None
    site: str = Field(..., max_length=60, examples=["us-los-angeles"])
    event_date: Day | None = None
    event_country: str = Field(..., max_length=2, examples=["US"])
    event_place: str = Field("", max_length=200)
    other_person_id: uuid.UUID | None = Field(None, description="The other spouse (marriage)")
    recorded_on: Day | None = Field(None, description="Defaults to today")


class CivilStepIn(CleanInput):
    status: str = Field(..., max_length=20, examples=["sent"])
    reason: str = Field("", max_length=2000, description="Required to reject")
    registry_reference: str = Field("", max_length=60, description="Required to register")
    version: int | None = Field(None, ge=1, description="The version you read")


class CivilQuery(CleanInput):
    kind: CivilKind | None = None
    status: CivilStatus | None = None


class TravelDocumentOut(EntryOut):
    requested_on: date


class ParentIn(CleanInput):
    name: str = Field(..., max_length=200)
    document: str = Field("", max_length=60)
    relation: Literal["mother", "father", "parent", "guardian"] = "parent"


class TravelDocumentDetail(EntryDetail, TravelDocumentOut):
    consent_basis: str
    parents: list[ParentIn]
    court_order: str
    document_number: str
    refusal_reason: str


class TravelDocumentIn(CleanInput):
    kind: str = Field(..., max_length=30, examples=["child_passport"])
    person_id: uuid.UUID | None = None
    site: str = Field(..., max_length=60, examples=["us-los-angeles"])
    requested_on: Day | None = Field(None, description="Defaults to today")


class TravelCheckIn(CleanInput):
    consent_basis: str = Field(..., max_length=20, examples=["both_parents"])
    parents: list[ParentIn] = Field(default_factory=list, max_length=4)
    court_order: str = Field("", max_length=120)
    version: int | None = Field(None, ge=1, description="The version you read")


class TravelDecisionIn(CleanInput):
    issue: bool
    document_number: str = Field("", max_length=40, description="Required to issue")
    reason: str = Field("", max_length=2000, description="Required to refuse")
    version: int | None = Field(None, ge=1, description="The version you read")


class TravelQuery(CleanInput):
    kind: TravelKind | None = None
    status: TravelStatus | None = None


def _civil_detail(actor: User, record: CivilRegistration) -> CivilRegistration:
    # The civil registry registers the people named in the acts notified to it.
    registry = (
        actor.institution is not None
        and actor.institution.code == civil_registry_code()
        and record.status != CivilRegistration.Status.RECORDED
    )
    record.shown_person = _shown(actor, record.person_id, registry=registry)  # type: ignore[attr-defined]
    record.shown_other_person = _shown(actor, record.other_person_id, registry=registry)  # type: ignore[attr-defined]
    return record


def _travel_detail(actor: User, record: TravelDocument) -> TravelDocument:
    record.shown_person = _shown(actor, record.person_id)  # type: ignore[attr-defined]
    return record


@router.get(
    "/civil-registrations",
    response=list[CivilRegistrationOut],
    summary="Civil registry entries you recorded or that were sent to you",
)
@paginate(CappedLimitOffsetPagination)
def civil_registration_list(request: HttpRequest, filters: Query[CivilQuery]):  # type: ignore[no-untyped-def]
    require(request.user, Perm.ASSISTANCE_READ)
    entries = civil_registrations_visible_to(request.user).select_related("institution", "site")
    if filters.kind:
        entries = entries.filter(kind=filters.kind)
    if filters.status:
        entries = entries.filter(status=filters.status)
    return entries.order_by("-recorded_on", "-created_at", "-id")


@router.post(
    "/civil-registrations", response={201: CivilRegistrationDetail}, summary="Record a civil act"
)
def civil_registration_add(request: HttpRequest, payload: CivilRegistrationIn) -> Status:
    data = actions.CivilRegistrationInput(
        **{**payload.dict(), "event_country": _upper(payload.event_country) or ""}
    )
    with _input_names():
        record = actions.civil_registration_record(actor=request.user, data=data)
    return Status(201, _civil_detail(request.user, record))


@router.get(
    "/civil-registrations/{record_id}",
    response=CivilRegistrationDetail,
    summary="One civil registry entry, with its history",
)
def civil_registration_read(request: HttpRequest, record_id: uuid.UUID) -> CivilRegistration:
    require(request.user, Perm.ASSISTANCE_READ)
    record = civil_registration_get(actor=request.user, record_id=record_id)
    return _civil_detail(request.user, record)


@router.post(
    "/civil-registrations/{record_id}/steps",
    response=CivilRegistrationDetail,
    summary="Send, acknowledge, reject or register an entry",
)
def civil_registration_step(
    request: HttpRequest, record_id: uuid.UUID, payload: CivilStepIn
) -> CivilRegistration:
    record = actions.civil_registration_advance(
        actor=request.user,
        record_id=record_id,
        status=payload.status,
        reason=payload.reason,
        registry_reference=payload.registry_reference,
        version=payload.version,
    )
    return _civil_detail(request.user, record)


@router.get(
    "/travel-documents",
    response=list[TravelDocumentOut],
    summary="Travel document requests of your institution, newest first",
)
@paginate(CappedLimitOffsetPagination)
def travel_document_list(request: HttpRequest, filters: Query[TravelQuery]):  # type: ignore[no-untyped-def]
    require(request.user, Perm.ASSISTANCE_READ)
    entries = travel_documents_visible_to(request.user).select_related("institution", "site")
    if filters.kind:
        entries = entries.filter(kind=filters.kind)
    if filters.status:
        entries = entries.filter(status=filters.status)
    return entries.order_by("-requested_on", "-created_at", "-id")


@router.post(
    "/travel-documents", response={201: TravelDocumentDetail}, summary="Request a travel document"
)
def travel_document_add(request: HttpRequest, payload: TravelDocumentIn) -> Status:
    with _input_names():
        record = actions.travel_document_request(
            actor=request.user, data=actions.TravelDocumentInput(**payload.dict())
        )
    return Status(201, _travel_detail(request.user, record))


@router.get(
    "/travel-documents/{record_id}",
    response=TravelDocumentDetail,
    summary="One travel document request, with its history",
)
def travel_document_read(request: HttpRequest, record_id: uuid.UUID) -> TravelDocument:
    require(request.user, Perm.ASSISTANCE_READ)
    record = travel_document_get(actor=request.user, record_id=record_id)
    return _travel_detail(request.user, record)


@router.post(
    "/travel-documents/{record_id}/check",
    response=TravelDocumentDetail,
    summary="Check the consent behind a request",
)
def travel_document_checked(
    request: HttpRequest, record_id: uuid.UUID, payload: TravelCheckIn
) -> TravelDocument:
    check = actions.TravelCheckInput(
        consent_basis=payload.consent_basis,
        parents=[actions.ParentConsent(**p.dict()) for p in payload.parents],
        court_order=payload.court_order,
    )
    record = actions.travel_document_check(
        actor=request.user, record_id=record_id, check=check, version=payload.version
    )
    return _travel_detail(request.user, record)


@router.post(
    "/travel-documents/{record_id}/decision",
    response=TravelDocumentDetail,
    summary="Issue or refuse a requested document",
)
def travel_document_decision(
    request: HttpRequest, record_id: uuid.UUID, payload: TravelDecisionIn
) -> TravelDocument:
    record = actions.travel_document_decide(
        actor=request.user,
        record_id=record_id,
        issue=payload.issue,
        document_number=payload.document_number,
        reason=payload.reason,
        version=payload.version,
    )
    return _travel_detail(request.user, record)
