"""Case endpoints of the REST API: parse, call the engine, serialize."""

import uuid
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from amparo.core.apitypes import CleanInput, Moment
from amparo.core.pagination import CappedLimitOffsetPagination
from amparo.core.permissions import Perm, require

from . import actions
from .protocol import protocols_latest, text
from .queries import case_detail, case_get, case_list, referrals_incoming, supervisor_dashboard

router = Router(tags=["cases"])


class ProtocolOut(Schema):
    code: str
    version: int
    name: str
    stages: list[str]
    transitions: list[str]
    forms: dict[str, dict[str, Any]]


class CaseSummary(Schema):
    id: uuid.UUID
    protocol_code: str
    stage: str
    person_id: uuid.UUID
    opened_at: datetime
    closed_at: datetime | None
    version: int


class CaseOut(Schema):
    id: uuid.UUID
    protocol_code: str
    protocol_version: int
    protocol_name: str
    owner: bool
    institution: str
    sensitive: bool
    opened_at: datetime
    closed_at: datetime | None
    closure_reason: str
    person_id: uuid.UUID | None
    person_name: str | None
    stage: str | None
    stage_name: str | None
    version: int
    data: dict[str, Any]
    assigned_to: str | None
    tasks: list[dict[str, Any]]
    transitions: list[dict[str, Any]]
    events: list[dict[str, Any]]
    pending_approval: dict[str, Any] | None


class CaseIn(Schema):
    protocol: str = Field(..., max_length=60)
    person_id: uuid.UUID
    household_id: uuid.UUID | None = None


class TransitionIn(Schema):
    transition: str = Field(..., max_length=60)
    version: int | None = Field(None, ge=1)
    closure_reason: str = Field("", max_length=60)


class FormIn(Schema):
    data: dict[str, Any]
    version: int | None = Field(None, ge=1)


class NoteIn(Schema):
    text: str = Field(..., min_length=1, max_length=10_000)


class DecisionIn(Schema):
    approve: bool
    reason: str = Field("", max_length=2000)


class ReferralIn(Schema):
    to_institution: str = Field(..., max_length=40)
    reason: str = Field(..., max_length=2000)
    shares: list[str] = Field(..., max_length=4)
    services: list[str] = Field(default_factory=list, max_length=11)
    override_reason: str = Field("", max_length=2000)


class ReferralOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    from_institution: str = Field(alias="from_institution.code")
    to_institution: str = Field(alias="to_institution.code")
    reason: str
    shares: list[str]
    services_requested: list[str]
    status: str
    sent_at: datetime
    override: bool

    @staticmethod
    def resolve_override(obj: Any) -> bool:
        return bool(obj.override_reason)


class ReferralDecisionIn(Schema):
    accept: bool
    reason: str = Field("", max_length=2000)


class ConsentIn(Schema):
    scopes: list[str] = Field(..., max_length=4)
    recipient: str | None = Field(None, max_length=40)


class ConsentOut(Schema):
    id: int
    scopes: list[str]
    recipient: str | None = Field(None, alias="recipient.code")
    given_at: datetime
    withdrawn_at: datetime | None


class ServiceIn(CleanInput):
    person_id: uuid.UUID
    kind: str = Field(..., max_length=30)
    case_id: uuid.UUID | None = None
    referral_id: uuid.UUID | None = None
    site: str | None = Field(None, max_length=60)
    delivered_at: Moment | None = None
    note: str = Field("", max_length=500)


class ServiceOut(Schema):
    id: int
    person_id: uuid.UUID
    case_id: uuid.UUID | None
    kind: str
    delivered_at: datetime


class CaseFilters(Schema):
    stage: str = Field("", max_length=60)
    protocol: str = Field("", max_length=60)
    mine: bool = False
    open: bool = True


class DashboardOut(Schema):
    open_cases: int
    overdue_tasks: int
    pending_approvals: int
    by_stage: list[dict[str, Any]]
    by_worker: list[dict[str, Any]]


def _detail(request: HttpRequest, case_id: uuid.UUID) -> dict[str, object]:
    return case_detail(case_get(actor=request.user, case_id=case_id))


@router.get(
    "/protocols", response=list[ProtocolOut], summary="Protocols in force (latest versions)"
)
def protocols(request: HttpRequest) -> list[dict[str, object]]:
    require(request.user, Perm.CASE_READ)
    return [
        {
            "code": p.code,
            "version": p.version,
            "name": text(p.name),
            "stages": list(p.stages),
            "transitions": list(p.transitions),
            "forms": {code: f.schema for code, f in p.forms.items()},
        }
        for p in protocols_latest()
    ]


@router.get("/cases", response=list[CaseSummary], summary="Cases you may see")
@paginate(CappedLimitOffsetPagination)
def cases(request: HttpRequest, filters: Query[CaseFilters]):  # type: ignore[no-untyped-def]
    require(request.user, Perm.CASE_READ)
    return case_list(
        actor=request.user,
        stage=filters.stage,
        protocol=filters.protocol,
        mine=filters.mine,
        open_only=filters.open,
    )


@router.post("/cases", response={201: CaseOut}, summary="Open a case")
def case_create(request: HttpRequest, payload: CaseIn) -> Status:
    case = actions.case_open(
        actor=request.user,
        protocol_code=payload.protocol,
        person_id=payload.person_id,
        household_id=payload.household_id,
    )
    return Status(201, _detail(request, case.pk))


@router.get("/cases/{case_id}", response=CaseOut, summary="One case, as far as you may see it")
def case_read(request: HttpRequest, case_id: uuid.UUID) -> dict[str, object]:
    return _detail(request, case_id)


@router.post("/cases/{case_id}/transitions", response=CaseOut, summary="Take a protocol step")
def case_step(request: HttpRequest, case_id: uuid.UUID, payload: TransitionIn) -> dict[str, object]:
    actions.case_transition(
        actor=request.user,
        case_id=case_id,
        transition=payload.transition,
        version=payload.version,
        closure_reason=payload.closure_reason,
    )
    return _detail(request, case_id)


@router.put("/cases/{case_id}/forms/{form}", response=CaseOut, summary="Save a protocol form")
def case_form(
    request: HttpRequest, case_id: uuid.UUID, form: str, payload: FormIn
) -> dict[str, object]:
    actions.case_form_save(
        actor=request.user,
        case_id=case_id,
        form=form[:60],
        data=payload.data,
        version=payload.version,
    )
    return _detail(request, case_id)


@router.post("/cases/{case_id}/notes", response={201: dict[str, Any]}, summary="Add a note")
def case_note(request: HttpRequest, case_id: uuid.UUID, payload: NoteIn) -> Status:
    note = actions.note_add(actor=request.user, case_id=case_id, text=payload.text)
    return Status(201, {"id": note.pk, "at": note.at})


@router.post("/cases/{case_id}/referrals", response={201: ReferralOut}, summary="Refer the case")
def case_refer(request: HttpRequest, case_id: uuid.UUID, payload: ReferralIn) -> Status:
    referral = actions.referral_send(
        actor=request.user,
        case_id=case_id,
        to_institution=payload.to_institution,
        reason=payload.reason,
        shares=payload.shares,
        services=payload.services,
        override_reason=payload.override_reason,
    )
    return Status(201, referral)


@router.post("/tasks/{task_id}/complete", response=dict[str, Any], summary="Mark a task done")
def task_done(request: HttpRequest, task_id: int) -> dict[str, object]:
    task = actions.task_complete(actor=request.user, task_id=task_id)
    return {"id": task.pk, "code": task.code, "done_at": task.done_at}


@router.post(
    "/approvals/{approval_id}/decide", response=dict[str, Any], summary="Approve or reject a step"
)
def approval(request: HttpRequest, approval_id: int, payload: DecisionIn) -> dict[str, object]:
    decided = actions.approval_decide(
        actor=request.user, approval_id=approval_id, approve=payload.approve, reason=payload.reason
    )
    return {"id": decided.pk, "approved": decided.approved}


@router.get(
    "/referrals/incoming", response=list[ReferralOut], summary="Referrals to your institution"
)
@paginate(CappedLimitOffsetPagination)
def incoming(request: HttpRequest):  # type: ignore[no-untyped-def]
    require(request.user, Perm.CASE_READ)
    return referrals_incoming(actor=request.user)


@router.post("/referrals/{referral_id}/decide", response=ReferralOut, summary="Accept or decline")
def referral_decision(
    request: HttpRequest, referral_id: uuid.UUID, payload: ReferralDecisionIn
) -> object:
    return actions.referral_decide(
        actor=request.user, referral_id=referral_id, accept=payload.accept, reason=payload.reason
    )


@router.post("/persons/{person_id}/consents", response={201: ConsentOut}, summary="Record consent")
def consent_add(request: HttpRequest, person_id: uuid.UUID, payload: ConsentIn) -> Status:
    consent = actions.consent_record(
        actor=request.user,
        person_id=person_id,
        scopes=payload.scopes,
        recipient_code=payload.recipient,
    )
    return Status(201, consent)


@router.post("/consents/{consent_id}/withdraw", response=ConsentOut, summary="Withdraw consent")
def consent_withdraw(request: HttpRequest, consent_id: int) -> object:
    return actions.consent_withdraw(actor=request.user, consent_id=consent_id)


@router.post("/services", response={201: ServiceOut}, summary="Record a service delivered")
def service_add(request: HttpRequest, payload: ServiceIn) -> Status:
    service = actions.service_record(
        actor=request.user,
        person_id=payload.person_id,
        kind=payload.kind,
        case_id=payload.case_id,
        referral_id=payload.referral_id,
        site_code=payload.site,
        delivered_at=payload.delivered_at,
        note=payload.note,
    )
    return Status(201, service)


@router.get("/dashboard", response=DashboardOut, summary="Caseload, overdue tasks, stages")
def dashboard(request: HttpRequest) -> dict[str, object]:
    require(request.user, Perm.CASE_APPROVE)
    board = supervisor_dashboard(actor=request.user)
    return {
        "open_cases": board.open_cases,
        "overdue_tasks": board.overdue_count,
        "pending_approvals": board.pending_approvals,
        "by_stage": board.by_stage,
        "by_worker": board.by_worker,
    }
