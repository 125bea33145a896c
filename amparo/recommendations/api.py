"""REST endpoints of the Recommendations Monitoring System. They parse, call actions and
queries, serialize. The `public/...` operations need no sign-in (the portal)."""

import uuid
from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from amparo.core.apitypes import CleanInput, Day
from amparo.core.errors import InvalidInput, NotFound
from amparo.core.pagination import CappedLimitOffsetPagination
from amparo.core.permissions import Perm, require

from . import actions, queries, report, tagging
from .models import (
    Document,
    FocalPoint,
    Mechanism,
    ProgressUpdate,
    Recommendation,
    Submission,
)
from .portal import client_key

router = Router(tags=["recommendations"])

# ---------------------------------------------------------------- schemas


class MechanismOut(Schema):
    code: str
    kind: str
    name_es: str
    name_en: str


class DocumentOut(Schema):
    id: uuid.UUID
    symbol: str
    mechanism: str = Field(alias="mechanism_id")
    kind: str
    language: str
    date: date | None
    title: str
    version: int


class SubItemOut(Schema):
    label: str
    text: str


class ParagraphOut(Schema):
    number: int
    heading: str
    section: str
    category: str
    text: str
    sub_items: list[SubItemOut]


class QuestionOut(Schema):
    paragraph: int
    text: str
    answered_in: list[int]


class TurnOut(Schema):
    paragraph: int
    paragraphs: list[int]
    speaker: str
    country: str | None
    role: str
    function: str
    procedural: bool
    questions: list[QuestionOut]


class DocumentDetail(DocumentOut):
    paragraphs: list[ParagraphOut]
    turns: list[TurnOut]
    unanswered: list[QuestionOut]


class ImportOut(Schema):
    document: DocumentOut
    created: int
    changed: int
    unchanged: int


class UhriOut(Schema):
    records: int
    created: int
    changed: int
    unchanged: int


class TagOut(Schema):
    vocabulary: str
    code: str
    state: str
    score: float


class AssignmentOut(Schema):
    institution: str
    role: str


class ActionOut(Schema):
    id: int
    institution: str
    description: str
    due_on: date | None
    done_on: date | None


class IndicatorOut(Schema):
    id: int
    institution: str
    name: str
    stats_indicator: str
    frequency: str
    due_on: date
    baseline: str
    target: str


class RecommendationOut(Schema):
    id: uuid.UUID
    reference: str
    mechanism: str = Field(alias="mechanism_id")
    symbol: str
    paragraph: int | None
    sub_item: str
    text: str
    status: str
    public: bool
    published_on: date | None
    version: int


class RecommendationDetail(RecommendationOut):
    chapeau: str
    source_themes: list[str]
    source_groups: list[str]
    source_sdgs: list[str]
    upr: dict[str, Any]
    group_id: int | None
    tags: list[TagOut]
    assignments: list[AssignmentOut]
    actions: list[ActionOut]
    indicators: list[IndicatorOut]
    history: list[dict[str, Any]]


class UpdateOut(Schema):
    id: uuid.UUID
    recommendation_id: uuid.UUID
    institution: str
    author: str
    text: str
    proposed_status: str
    evidence: str
    evidence_url: str
    stage: str
    history: list[dict[str, Any]]
    version: int
    created_at: datetime


class SuggestionOut(Schema):
    institutions: list[dict[str, Any]]
    tags: list[TagOut]
    similar: list[RecommendationOut]


class LateOut(Schema):
    institution: str
    recommendation_id: uuid.UUID
    reference: str
    what: str
    label: str
    due_on: date | None
    days_late: int


class FocalPointOut(Schema):
    institution: str
    kind: str
    username: str


class SubmissionOut(Schema):
    id: int
    recommendation_id: uuid.UUID
    organisation: str
    text: str
    link: str
    state: str
    created_at: datetime


class PublicRecommendationOut(Schema):
    id: uuid.UUID
    reference: str
    mechanism: str
    symbol: str
    text: str
    status: str
    status_label: str


class PublicDetail(PublicRecommendationOut):
    evidence: list[dict[str, Any]]
    submissions: list[dict[str, Any]]


class SectionOut(Schema):
    number: int
    heading: str
    question: str
    text: str
    edited: bool
    sources: list[str]
    words: int
    figures: list[str]


class DraftOut(Schema):
    id: uuid.UUID
    title: str
    loipr: str
    words: int
    limit: int
    over: bool
    version: int
    sections: list[SectionOut]


# ---------------------------------------------------------------- inputs


class DocumentIn(CleanInput):
    mechanism: str = ""
    kind: str = ""
    symbol: str = ""
    date: Day | None = None


class TagIn(CleanInput):
    vocabulary: str
    code: str
    confirm: bool = True


class AssignmentIn(CleanInput):
    institution: str
    role: Literal["lead", "contributing"]


class ActionIn(CleanInput):
    description: str
    due_on: Day | None = None


class IndicatorIn(CleanInput):
    name: str
    frequency: str
    due_on: Day | None = None
    stats_indicator: str = ""
    baseline: str = ""
    target: str = ""


class UpdateIn(CleanInput):
    text: str
    proposed_status: str
    evidence: str = ""
    evidence_url: str = ""


class DecisionIn(CleanInput):
    approve: bool
    reason: str = ""
    version: int | None = None


class PublishIn(CleanInput):
    public: bool
    version: int | None = None


class FocalPointIn(CleanInput):
    institution: str
    kind: Literal["principal", "alternate"]
    username: str


class SubmissionIn(CleanInput):
    organisation: str
    email: str
    text: str
    link: str = ""
    website: str = ""  # a honeypot: people leave it empty, robots fill it


class ModerationIn(CleanInput):
    publish: bool
    reason: str = ""


class DraftIn(CleanInput):
    loipr_id: uuid.UUID
    title: str


class SectionIn(CleanInput):
    text: str
    version: int | None = None


class ListFilters(CleanInput):
    q: str = Field("", max_length=200)
    mechanism: str = ""
    status: str = ""
    institution: str = ""
    theme: str = ""
    group: str = ""
    symbol: str = ""


# ---------------------------------------------------------------- helpers


def _document_detail(doc: Document) -> dict[str, Any]:
    turns = list(doc.turns.all())
    return {
        **DocumentOut.from_orm(doc).dict(),
        "mechanism_id": doc.mechanism_id,
        "paragraphs": list(doc.paragraphs.all()),
        "turns": [{**t.__dict__, "country": t.country or None} for t in turns],
        "unanswered": [q for t in turns for q in t.questions if not q["answered_in"]],
    }


def _rec_detail(rec: Recommendation) -> dict[str, Any]:
    return {
        **{f: getattr(rec, f) for f in RecommendationOut.model_fields if f != "mechanism"},
        "mechanism_id": rec.mechanism_id,
        "reference": rec.reference,
        "chapeau": rec.chapeau,
        "source_themes": rec.source_themes,
        "source_groups": rec.source_groups,
        "source_sdgs": rec.source_sdgs,
        "upr": rec.upr,
        "group_id": rec.group_id,
        "tags": list(rec.tags.all()),
        "assignments": [
            {"institution": a.institution.code, "role": a.role}
            for a in rec.assignments.select_related("institution")
        ],
        "actions": [
            {**a.__dict__, "institution": a.institution.code}
            for a in rec.actions.select_related("institution")
        ],
        "indicators": [
            {**i.__dict__, "institution": i.institution.code}
            for i in rec.indicators.select_related("institution")
        ],
        "history": rec.history,
    }


def _update_out(u: ProgressUpdate) -> dict[str, Any]:
    return {
        **{f: getattr(u, f) for f in UpdateOut.model_fields if f not in ("institution", "author")},
        "institution": u.institution.code,
        "author": u.author.username,
    }


def _public(rec: Recommendation) -> dict[str, Any]:
    return {
        "id": rec.id,
        "reference": rec.reference,
        "mechanism": rec.mechanism_id,
        "symbol": rec.symbol,
        "text": rec.text,
        "status": rec.status,
        "status_label": rec.get_status_display(),
    }


def _draft_out(view: report.DraftView) -> dict[str, Any]:
    return {
        "id": view.draft.id,
        "title": view.draft.title,
        "loipr": view.draft.loipr.symbol,
        "words": view.words,
        "limit": view.limit,
        "over": view.over,
        "version": view.draft.version,
        "sections": [s.__dict__ for s in view.sections],
    }


def _draft(request: HttpRequest, draft_id: uuid.UUID) -> Any:
    from .models import ReportDraft

    require(request.user, Perm.RECS_VALIDATE)
    draft = ReportDraft.objects.select_related("loipr").filter(pk=draft_id).first()
    if draft is None:
        raise NotFound
    return draft


# ---------------------------------------------------------------- documents


@router.get("/recommendations/mechanisms", response=list[MechanismOut], summary="Mechanisms")
def mechanisms_list(request: HttpRequest) -> Any:
    require(request.user, Perm.RECS_READ)
    return Mechanism.objects.all()


@router.get("/recommendations/documents", response=list[DocumentOut], summary="UN documents")
@paginate(CappedLimitOffsetPagination)
def documents_list(request: HttpRequest) -> Any:
    return queries.documents_for(request.user)


@router.post(
    "/recommendations/documents",
    response={201: ImportOut},
    summary="Import a document (text, DOCX or PDF; Spanish or English)",
)
def document_upload(
    request: HttpRequest, payload: Form[DocumentIn], file: File[UploadedFile]
) -> Status:
    """Parsed into paragraphs (and turns, for summary records); concluding observations give
    their recommendations. The same symbol again updates the document without duplicates."""
    if file.size and file.size > actions.MAX_UPLOAD:
        raise InvalidInput.field("file", "The file is larger than 20 MB.")
    imported = actions.document_import(
        actor=request.user,
        name=file.name or "document",
        data=file.read(),
        mechanism=payload.mechanism,
        kind=payload.kind,
        symbol=payload.symbol,
        on=payload.date,
    )
    r = imported.result
    return Status(
        201,
        {
            "document": imported.document,
            "created": r.created,
            "changed": r.changed,
            "unchanged": r.unchanged,
        },
    )


@router.get(
    "/recommendations/documents/{document_id}",
    response=DocumentDetail,
    summary="A document with its paragraphs, turns and unanswered questions",
)
def document_get(request: HttpRequest, document_id: uuid.UUID) -> Any:
    return _document_detail(queries.document_get(request.user, document_id))


@router.post(
    "/recommendations/uhri-imports",
    response=UhriOut,
    summary="Import a UN Universal Human Rights Index JSON export (all or nothing)",
)
def uhri_upload(request: HttpRequest, file: File[UploadedFile]) -> Any:
    from .uhri import uhri_import

    return uhri_import(actor=request.user, stream=file, name=file.name or "")


# ---------------------------------------------------------------- recommendations


@router.get(
    "/recommendations/items",
    response=list[RecommendationOut],
    summary="Recommendations: full-text search and filters",
)
@paginate(CappedLimitOffsetPagination)
def recommendations_list(request: HttpRequest, filters: Query[ListFilters]) -> Any:
    return queries.recommendations_for(request.user, queries.Filters(**filters.dict()))


@router.get(
    "/recommendations/items/{rec_id}", response=RecommendationDetail, summary="A recommendation"
)
def recommendation_get(request: HttpRequest, rec_id: uuid.UUID) -> Any:
    return _rec_detail(queries.recommendation_get(request.user, rec_id))


@router.get(
    "/recommendations/items/{rec_id}/suggestions",
    response=SuggestionOut,
    summary="Suggested institutions, tags and similar recommendations",
)
def recommendation_suggestions(request: HttpRequest, rec_id: uuid.UUID) -> Any:
    rec = queries.recommendation_get(request.user, rec_id)
    return {
        "institutions": [
            {"institution": c, "score": s, "why": w}
            for c, s, w in tagging.suggest_institutions(rec)
        ],
        "tags": list(rec.tags.filter(state="suggested")),
        "similar": list(
            Recommendation.objects.filter(group_id=rec.group_id).exclude(pk=rec.pk)[:20]
        )
        if rec.group_id
        else [],
    }


@router.post("/recommendations/items/{rec_id}/tags", response=TagOut, summary="Confirm a tag")
def recommendation_tag(request: HttpRequest, rec_id: uuid.UUID, payload: TagIn) -> Any:
    queries.recommendation_get(request.user, rec_id)
    return actions.tag_decide(
        actor=request.user,
        recommendation_id=rec_id,
        vocabulary=payload.vocabulary,
        code=payload.code,
        confirm=payload.confirm,
    )


@router.post(
    "/recommendations/items/{rec_id}/assignments",
    response={201: AssignmentOut},
    summary="Assign a lead or contributing institution (national coordinator)",
)
def recommendation_assign(request: HttpRequest, rec_id: uuid.UUID, payload: AssignmentIn) -> Any:
    a = actions.assignment_set(
        actor=request.user,
        recommendation_id=rec_id,
        institution=payload.institution,
        role=payload.role,
    )
    return Status(201, {"institution": a.institution.code, "role": a.role})


@router.delete(
    "/recommendations/items/{rec_id}/assignments/{institution}",
    response={204: None},
    summary="Remove an institution's assignment",
)
def recommendation_unassign(request: HttpRequest, rec_id: uuid.UUID, institution: str) -> Any:
    actions.assignment_remove(actor=request.user, recommendation_id=rec_id, institution=institution)
    return Status(204, None)


@router.post(
    "/recommendations/items/{rec_id}/actions",
    response={201: ActionOut},
    summary="Add an action planned by your institution",
)
def recommendation_action(request: HttpRequest, rec_id: uuid.UUID, payload: ActionIn) -> Any:
    a = actions.action_add(
        actor=request.user,
        recommendation_id=rec_id,
        description=payload.description,
        due_on=payload.due_on,
    )
    return Status(201, {**a.__dict__, "institution": a.institution.code})


@router.post(
    "/recommendations/items/{rec_id}/indicators",
    response={201: IndicatorOut},
    summary="Add an indicator with its due date and frequency",
)
def recommendation_indicator(request: HttpRequest, rec_id: uuid.UUID, payload: IndicatorIn) -> Any:
    i = actions.indicator_add(actor=request.user, recommendation_id=rec_id, **payload.dict())
    return Status(201, {**i.__dict__, "institution": i.institution.code})


@router.post(
    "/recommendations/items/{rec_id}/updates",
    response={201: UpdateOut},
    summary="Report progress, with evidence (focal points)",
)
def recommendation_update(request: HttpRequest, rec_id: uuid.UUID, payload: UpdateIn) -> Any:
    u = actions.update_submit(actor=request.user, recommendation_id=rec_id, **payload.dict())
    return Status(201, _update_out(u))


@router.post(
    "/recommendations/items/{rec_id}/publication",
    response=RecommendationOut,
    summary="Publish on the portal or withdraw (national coordinator)",
)
def recommendation_publish(request: HttpRequest, rec_id: uuid.UUID, payload: PublishIn) -> Any:
    return actions.recommendation_publish(
        actor=request.user, recommendation_id=rec_id, public=payload.public, version=payload.version
    )


class GroupIn(CleanInput):
    threshold: float = Field(0.45, ge=0.2, le=0.95)


@router.post(
    "/recommendations/groups",
    response=dict[str, int],
    summary="Group similar recommendations across mechanisms and cycles (regroups all)",
)
def recommendations_group(request: HttpRequest, payload: GroupIn) -> Any:
    return {
        "groups": actions.recommendations_group(actor=request.user, threshold=payload.threshold)
    }


# ---------------------------------------------------------------- updates, focal points, late


@router.get(
    "/recommendations/updates",
    response=list[UpdateOut],
    summary="Progress updates you may see (pending=true: awaiting your signature)",
)
@paginate(CappedLimitOffsetPagination)
def updates_list(request: HttpRequest, pending: bool = False) -> Any:
    qs = queries.pending_for(request.user) if pending else queries.updates_visible_to(request.user)
    return [_update_out(u) for u in qs[:1000]]


@router.post(
    "/recommendations/updates/{update_id}/decision",
    response=UpdateOut,
    summary="Validate or return an update (institution's validator, then national coordinator)",
)
def update_decide(request: HttpRequest, update_id: uuid.UUID, payload: DecisionIn) -> Any:
    require(request.user, Perm.RECS_VALIDATE)
    queries.update_get(request.user, update_id)
    u = actions.update_decide(actor=request.user, update_id=update_id, **payload.dict())
    return _update_out(u)


@router.get("/recommendations/focal-points", response=list[FocalPointOut], summary="Focal points")
def focal_points_list(request: HttpRequest) -> Any:
    require(request.user, Perm.RECS_READ)
    return [
        {"institution": f.institution.code, "kind": f.kind, "username": f.user.username}
        for f in FocalPoint.objects.select_related("institution", "user")
    ]


@router.post(
    "/recommendations/focal-points",
    response={201: FocalPointOut},
    summary="Name an institution's principal or alternate focal point",
)
def focal_point_set(request: HttpRequest, payload: FocalPointIn) -> Any:
    f = actions.focal_point_set(actor=request.user, **payload.dict())
    return Status(
        201, {"institution": f.institution.code, "kind": f.kind, "username": f.user.username}
    )


@router.get(
    "/recommendations/late", response=list[LateOut], summary="Who is late (coordinator overview)"
)
def late_list(request: HttpRequest) -> Any:
    return [
        {
            **r.__dict__,
            "recommendation_id": r.recommendation.pk,
            "reference": r.recommendation.reference,
        }
        for r in queries.late_overview(request.user)
    ]


# ---------------------------------------------------------------- civil society


@router.get(
    "/recommendations/submissions",
    response=list[SubmissionOut],
    summary="Information sent by civil society, awaiting moderation (national coordinator)",
)
def submissions_list(request: HttpRequest) -> Any:
    require(request.user, Perm.RECS_VALIDATE)
    if not actions.is_coordinator(request.user):
        return []
    return Submission.objects.filter(state=Submission.State.PENDING)[:500]


@router.post(
    "/recommendations/submissions/{submission_id}/moderation",
    response=SubmissionOut,
    summary="Publish or reject information sent by civil society",
)
def submission_moderate(request: HttpRequest, submission_id: int, payload: ModerationIn) -> Any:
    return actions.submission_moderate(
        actor=request.user,
        submission_id=submission_id,
        publish=payload.publish,
        reason=payload.reason,
    )


@router.get(
    "/recommendations/public/items",
    response=list[PublicRecommendationOut],
    auth=None,
    summary="Published recommendations (no sign-in)",
)
@paginate(CappedLimitOffsetPagination)
def public_list(request: HttpRequest, filters: Query[ListFilters]) -> Any:
    return [
        _public(r)
        for r in queries.recommendations_for(None, queries.Filters(**filters.dict()))[:1000]
    ]


@router.get(
    "/recommendations/public/items/{rec_id}",
    response=PublicDetail,
    auth=None,
    summary="A published recommendation with its status, evidence and civil-society input",
)
def public_get(request: HttpRequest, rec_id: uuid.UUID) -> Any:
    from .portal import public_detail

    return public_detail(queries.recommendation_get(None, rec_id))


@router.post(
    "/recommendations/public/items/{rec_id}/submissions",
    response={202: dict[str, str]},
    auth=None,
    summary="Send information on a published recommendation (moderated before publication)",
)
def public_submit(request: HttpRequest, rec_id: uuid.UUID, payload: SubmissionIn) -> Any:
    if payload.website:
        # A robot filled the hidden field: answer as if accepted, keep nothing.
        return Status(202, {"detail": "received"})
    actions.submission_send(
        recommendation_id=rec_id,
        organisation=payload.organisation,
        email=payload.email,
        text=payload.text,
        link=payload.link,
        language=(getattr(request, "LANGUAGE_CODE", "es") or "es")[:2],
        client=client_key(request),
    )
    return Status(202, {"detail": "received"})


# ---------------------------------------------------------------- report drafts


@router.post(
    "/recommendations/drafts",
    response={201: DraftOut},
    summary="Start the next report, in the order of a list of issues",
)
def draft_create(request: HttpRequest, payload: DraftIn) -> Any:
    draft = actions.draft_create(actor=request.user, loipr_id=payload.loipr_id, title=payload.title)
    return Status(201, _draft_out(report.build(draft)))


@router.get("/recommendations/drafts/{draft_id}", response=DraftOut, summary="A report draft")
def draft_get(request: HttpRequest, draft_id: uuid.UUID) -> Any:
    return _draft_out(report.build(_draft(request, draft_id)))


@router.put(
    "/recommendations/drafts/{draft_id}/sections/{paragraph}",
    response=DraftOut,
    summary="Save the text answering one paragraph of the list of issues",
)
def draft_section(
    request: HttpRequest, draft_id: uuid.UUID, paragraph: int, payload: SectionIn
) -> Any:
    _draft(request, draft_id)
    draft = actions.draft_section_save(
        actor=request.user,
        draft_id=draft_id,
        paragraph=paragraph,
        text=payload.text,
        version=payload.version,
    )
    return _draft_out(report.build(draft))


@router.get(
    "/recommendations/drafts/{draft_id}/export",
    summary="The draft as DOCX or PDF",
    response={200: None},
)
def draft_export(
    request: HttpRequest, draft_id: uuid.UUID, format: Literal["docx", "pdf"] = "docx"
) -> HttpResponse:
    view = report.build(_draft(request, draft_id))
    if format == "pdf":
        body, mime = report.to_pdf(view), "application/pdf"
    else:
        body = report.to_docx(view)
        mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    response = HttpResponse(body, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="draft-{view.draft.pk}.{format}"'
    return response
