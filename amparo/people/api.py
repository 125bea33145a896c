"""People endpoints of the REST API. They parse, call queries and actions, and serialize."""

import uuid
from datetime import date, datetime
from typing import Literal

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from amparo.core.audit import audit_record
from amparo.core.pagination import COUNT_CAP, MAX_OFFSET
from amparo.core.pagination import CappedLimitOffsetPagination as LimitOffsetPagination
from amparo.core.permissions import Perm, require

from . import actions
from .models import Person
from .queries import (
    HouseholdView,
    household_get,
    household_views,
    households_visible_to,
    person_get,
    person_search,
    persons_visible_to,
)

router = Router(tags=["people"])


class DocumentIn(Schema):
    doc_type: str = Field(..., max_length=30, examples=["passport"])
    number: str = Field(..., max_length=60)
    issuing_country: str = Field(..., max_length=2, examples=["GT"])
    expires_on: date | None = None


class PersonIn(Schema):
    given_names: str = Field("", max_length=200, examples=["María Josefa"])
    first_surname: str = Field("", max_length=100, examples=["Tzoc"])
    second_surname: str = Field("", max_length=100)
    sex: str = Field("U", max_length=1, description="F, M, X or U")
    birth_date: date | None = None
    birth_date_precision: str = Field("exact", max_length=10)
    age_years: int | None = Field(None, ge=0, le=150)
    age_recorded_on: date | None = None
    nationality: str | None = Field(None, max_length=2, description="ISO 3166 alpha-2")
    origin_municipality: str | None = Field(None, max_length=4, description="INE code")
    origin_place: str = Field("", max_length=200)
    preferred_language: str | None = Field(None, max_length=3, description="ISO 639-3")
    other_languages: list[str] = Field(default_factory=list, max_length=20)

    def to_input(self) -> actions.PersonInput:
        return actions.PersonInput(**self.dict())


class PersonCreateIn(PersonIn):
    documents: list[DocumentIn] = Field(default_factory=list, max_length=10)
    markers: list[str] = Field(default_factory=list, max_length=20)


class PersonUpdateIn(PersonIn):
    version: int = Field(..., ge=1, description="The version you read; a newer one is a conflict")


class DocumentOut(Schema):
    id: int
    doc_type: str
    number: str
    issuing_country: str = Field(alias="issuing_country_id")
    expires_on: date | None


class ContactIn(Schema):
    kind: Literal["phone", "whatsapp", "email", "address"]
    value: str = Field(..., max_length=300)
    country: str | None = Field(None, max_length=2)
    note: str = Field("", max_length=200)


class ContactOut(Schema):
    id: int
    kind: str
    value: str
    country: str | None = Field(None, alias="country_id")
    note: str


class NameIn(Schema):
    kind: str = Field("alias", max_length=20)
    given_names: str = Field("", max_length=200)
    first_surname: str = Field("", max_length=100)
    second_surname: str = Field("", max_length=100)


class NameOut(NameIn):
    id: int


class MarkersIn(Schema):
    markers: list[str] = Field(..., max_length=20)


class RelationIn(Schema):
    to_person: uuid.UUID
    kind: str = Field(..., max_length=20)


class LinkIn(Schema):
    document: DocumentIn
    reason: str = Field("", max_length=500)


class VoidIn(Schema):
    reason: str = Field(..., min_length=1, max_length=1000)


class PersonSummary(Schema):
    id: uuid.UUID
    given_names: str
    first_surname: str
    second_surname: str
    sex: str
    birth_date: date | None
    age_years: int | None
    nationality: str | None = Field(None, alias="nationality_id")
    protected: bool
    version: int


class PersonOut(PersonSummary):
    birth_date_precision: str
    age_recorded_on: date | None
    origin_municipality: str | None = Field(None, alias="origin_municipality_id")
    origin_place: str
    preferred_language: str | None = Field(None, alias="preferred_language_id")
    other_languages: list[str]
    markers: list[str]
    documents: list[DocumentOut]
    contacts: list[ContactOut]
    other_names: list[NameOut]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_other_languages(obj: Person) -> list[str]:
        return sorted(obj.other_languages.values_list("code", flat=True))

    @staticmethod
    def resolve_markers(obj: Person) -> list[str]:
        return sorted(obj.markers.filter(voided_at__isnull=True).values_list("kind", flat=True))

    @staticmethod
    def resolve_documents(obj: Person) -> list[object]:
        return list(obj.documents.filter(voided_at__isnull=True))

    @staticmethod
    def resolve_contacts(obj: Person) -> list[object]:
        return list(obj.contacts.filter(voided_at__isnull=True))

    @staticmethod
    def resolve_other_names(obj: Person) -> list[object]:
        return list(obj.other_names.filter(voided_at__isnull=True))


class SearchOut(Schema):
    results: list[PersonSummary]
    truncated: bool


class PersonFilters(Schema):
    sex: Literal["F", "M", "X", "U"] | None = None
    nationality: str | None = Field(None, max_length=2)
    protected: bool | None = None


@router.get("/persons", response=list[PersonSummary], summary="List people you hold")
@paginate(LimitOffsetPagination)
def persons_list(request: HttpRequest, filters: Query[PersonFilters]):  # type: ignore[no-untyped-def]
    require(request.user, Perm.PERSON_READ)
    qs = persons_visible_to(request.user).order_by("first_surname", "second_surname", "id")
    if filters.sex:
        qs = qs.filter(sex=filters.sex)
    if filters.nationality:
        qs = qs.filter(nationality_id=filters.nationality.upper())
    if filters.protected is not None:
        qs = qs.filter(protected=filters.protected)
    audit_record(actor=request.user, action="person.list", detail=filters.dict())
    return qs


@router.get("/persons/search", response=SearchOut, summary="Search by name part or document")
def persons_search(
    request: HttpRequest, q: str = Query(..., min_length=1, max_length=100)
) -> dict[str, object]:
    require(request.user, Perm.PERSON_READ)
    result = person_search(actor=request.user, query=q)
    return {"results": result.people, "truncated": result.truncated}


@router.post("/persons", response={201: PersonOut}, summary="Register a person")
def persons_create(request: HttpRequest, payload: PersonCreateIn) -> Status:
    person = actions.person_register(
        actor=request.user,
        data=PersonIn(**payload.dict(exclude={"documents", "markers"})).to_input(),
        documents=[actions.DocumentInput(**d.dict()) for d in payload.documents],
        markers=payload.markers,
    )
    return Status(201, person)


@router.post("/persons/link", response=PersonOut, summary="Link an existing person by document")
def persons_link(request: HttpRequest, payload: LinkIn) -> Person:
    return actions.person_link(
        actor=request.user,
        document=actions.DocumentInput(**payload.document.dict()),
        reason=payload.reason,
    )


@router.get("/persons/{person_id}", response=PersonOut, summary="One person")
def persons_detail(request: HttpRequest, person_id: uuid.UUID) -> Person:
    return person_get(actor=request.user, person_id=person_id)


@router.put("/persons/{person_id}", response=PersonOut, summary="Update a person's details")
def persons_update(request: HttpRequest, person_id: uuid.UUID, payload: PersonUpdateIn) -> Person:
    data = PersonIn(**payload.dict(exclude={"version"})).to_input()
    return actions.person_update(
        actor=request.user, person_id=person_id, version=payload.version, data=data
    )


@router.post("/persons/{person_id}/void", response=PersonSummary, summary="Void a record")
def persons_void(request: HttpRequest, person_id: uuid.UUID, payload: VoidIn) -> Person:
    return actions.person_void(actor=request.user, person_id=person_id, reason=payload.reason)


@router.post("/persons/{person_id}/documents", response={201: DocumentOut})
def persons_document_add(request: HttpRequest, person_id: uuid.UUID, payload: DocumentIn) -> Status:
    doc = actions.document_add(
        actor=request.user, person_id=person_id, document=actions.DocumentInput(**payload.dict())
    )
    return Status(201, doc)


@router.post("/persons/{person_id}/contacts", response={201: ContactOut})
def persons_contact_add(request: HttpRequest, person_id: uuid.UUID, payload: ContactIn) -> Status:
    contact = actions.contact_add(actor=request.user, person_id=person_id, **payload.dict())
    return Status(201, contact)


@router.post("/persons/{person_id}/names", response={201: NameOut})
def persons_name_add(request: HttpRequest, person_id: uuid.UUID, payload: NameIn) -> Status:
    return Status(201, actions.name_add(actor=request.user, person_id=person_id, **payload.dict()))


@router.put("/persons/{person_id}/markers", response=MarkersIn)
def persons_markers_set(
    request: HttpRequest, person_id: uuid.UUID, payload: MarkersIn
) -> dict[str, list[str]]:
    kinds = actions.markers_set(actor=request.user, person_id=person_id, kinds=payload.markers)
    return {"markers": kinds}


@router.post("/persons/{person_id}/relations", response={201: RelationIn})
def persons_relation_add(request: HttpRequest, person_id: uuid.UUID, payload: RelationIn) -> Status:
    relation = actions.relation_add(
        actor=request.user,
        from_person_id=person_id,
        to_person_id=payload.to_person,
        kind=payload.kind,
    )
    return Status(201, {"to_person": relation.to_person_id, "kind": relation.kind})


class MergeIn(Schema):
    absorbed_id: uuid.UUID
    reason: str = Field(..., min_length=1, max_length=2000)
    evidence: dict[str, str | float | int] = Field(default_factory=dict)


class MergeOut(Schema):
    id: int
    survivor_id: uuid.UUID
    absorbed_id: uuid.UUID
    reason: str
    merged_at: datetime
    undone_at: datetime | None


class UndoIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)


@router.post(
    "/persons/{person_id}/merge",
    response=MergeOut,
    summary="Merge another record of the same person into this one",
)
def persons_merge(request: HttpRequest, person_id: uuid.UUID, payload: MergeIn) -> object:
    """A person decides: the other record points to this one from now on; undo restores both."""
    return actions.person_merge(
        actor=request.user,
        survivor_id=person_id,
        absorbed_id=payload.absorbed_id,
        reason=payload.reason,
        evidence=payload.evidence,
    )


@router.post("/person-merges/{merge_id}/undo", response=MergeOut, summary="Undo a merge")
def person_merges_undo(request: HttpRequest, merge_id: int, payload: UndoIn) -> object:
    return actions.person_unmerge(actor=request.user, merge_id=merge_id, reason=payload.reason)


# --- households -----------------------------------------------------------------------------
# The same actions as the household pages. A household is visible while one of its members
# is; only the members the caller may see are listed.


class HouseholdMemberIn(Schema):
    person: uuid.UUID
    relation: str = Field(
        "",
        max_length=20,
        description="Relation to the head: spouse, child, stepchild, parent, sibling, "
        "grandchild, grandparent, relative or non_relative (empty for the head)",
    )


class HouseholdCreateIn(Schema):
    label: str = Field(..., min_length=1, max_length=200, examples=["Hogar Cux Tzul"])
    head: uuid.UUID = Field(..., description="One of the members")
    members: list[HouseholdMemberIn] = Field(..., min_length=1, max_length=30)


class HouseholdPatchIn(Schema):
    label: str | None = Field(None, min_length=1, max_length=200)
    head: uuid.UUID | None = Field(None, description="Another member becomes the head")
    former_head_relation: str = Field(
        "", max_length=20, description="With `head`: the former head's relation to the new one"
    )


class HouseholdRelationIn(Schema):
    relation: str = Field(..., min_length=1, max_length=20)


class HouseholdMemberOut(Schema):
    person: uuid.UUID
    full_name: str
    is_head: bool
    relation: str
    relation_label: str


class HouseholdOut(Schema):
    id: uuid.UUID
    label: str
    created_at: datetime
    head: uuid.UUID | None
    members: list[HouseholdMemberOut]


class HouseholdPage(Schema):
    items: list[HouseholdOut]
    count: int = Field(..., description=f"Exact up to {COUNT_CAP}; {COUNT_CAP + 1} means more")


class HouseholdFilters(Schema):
    person: uuid.UUID | None = Field(None, description="Only the households of this person")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


def _household_out(view: HouseholdView) -> dict[str, object]:
    return {
        "id": view.household.pk,
        "label": view.household.label,
        "created_at": view.household.created_at,
        "head": view.head.person_id if view.head else None,
        "members": [
            {
                "person": m.person_id,
                "full_name": m.person.full_name,
                "is_head": m.is_head,
                "relation": m.relation_to_head,
                "relation_label": m.get_relation_to_head_display() if m.relation_to_head else "",
            }
            for m in view.members
        ],
    }


def _household(request: HttpRequest, household_id: uuid.UUID) -> dict[str, object]:
    return _household_out(household_get(actor=request.user, household_id=household_id))


@router.get("/households", response=HouseholdPage, summary="List the households you can see")
def households_list(request: HttpRequest, filters: Query[HouseholdFilters]) -> dict[str, object]:
    require(request.user, Perm.PERSON_READ)
    qs = households_visible_to(request.user)
    if filters.person:
        qs = qs.filter(householdmember__person_id=filters.person)
    qs = qs.order_by("label", "id")
    page = household_views(request.user, qs[filters.offset : filters.offset + filters.limit])
    audit_record(
        actor=request.user,
        action="household.list",
        detail={"person": str(filters.person or ""), "shown": len(page)},
    )
    count = qs.order_by()[: COUNT_CAP + 1].count()
    return {"items": [_household_out(v) for v in page], "count": count}


@router.post("/households", response={201: HouseholdOut}, summary="Create a household")
def households_create(request: HttpRequest, payload: HouseholdCreateIn) -> Status:
    ids = [m.person for m in payload.members]
    household = actions.household_create(
        actor=request.user,
        label=payload.label,
        member_ids=ids,
        head_id=payload.head,
        relations={m.person: m.relation for m in payload.members if m.person != payload.head},
    )
    return Status(201, _household(request, household.pk))


@router.get("/households/{household_id}", response=HouseholdOut, summary="One household")
def households_detail(request: HttpRequest, household_id: uuid.UUID) -> dict[str, object]:
    return _household(request, household_id)


@router.patch(
    "/households/{household_id}", response=HouseholdOut, summary="Rename or change the head"
)
def households_patch(
    request: HttpRequest, household_id: uuid.UUID, payload: HouseholdPatchIn
) -> dict[str, object]:
    with transaction.atomic():
        if payload.label is not None:
            actions.household_rename(
                actor=request.user, household_id=household_id, label=payload.label
            )
        if payload.head is not None:
            actions.household_head_change(
                actor=request.user,
                household_id=household_id,
                head_id=payload.head,
                former_head_relation=payload.former_head_relation,
            )
    return _household(request, household_id)


@router.get(
    "/households/{household_id}/members",
    response=list[HouseholdMemberOut],
    summary="The members of a household you can see",
)
def households_members(request: HttpRequest, household_id: uuid.UUID) -> object:
    return _household(request, household_id)["members"]


@router.post(
    "/households/{household_id}/members",
    response={201: HouseholdOut},
    summary="Add a member, with their relation to the head",
)
def households_member_add(
    request: HttpRequest, household_id: uuid.UUID, payload: HouseholdMemberIn
) -> Status:
    actions.household_member_add(
        actor=request.user,
        household_id=household_id,
        person_id=payload.person,
        relation=payload.relation,
    )
    return Status(201, _household(request, household_id))


@router.patch(
    "/households/{household_id}/members/{person_id}",
    response=HouseholdOut,
    summary="Change a member's relation to the head",
)
def households_member_relation(
    request: HttpRequest,
    household_id: uuid.UUID,
    person_id: uuid.UUID,
    payload: HouseholdRelationIn,
) -> dict[str, object]:
    actions.household_member_relation(
        actor=request.user,
        household_id=household_id,
        person_id=person_id,
        relation=payload.relation,
    )
    return _household(request, household_id)


@router.delete(
    "/households/{household_id}/members/{person_id}",
    response=HouseholdOut,
    summary="Remove a member (not the head while others remain)",
)
def households_member_remove(
    request: HttpRequest, household_id: uuid.UUID, person_id: uuid.UUID
) -> dict[str, object]:
    actions.household_member_remove(
        actor=request.user, household_id=household_id, person_id=person_id
    )
    return _household(request, household_id)
