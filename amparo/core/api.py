"""Reference data, the signed-in user and the audit trail in the REST API."""

import uuid
from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from amparo.core.pagination import CappedLimitOffsetPagination as LimitOffsetPagination

from .models import Country, Department, Institution, Language, Municipality, Site
from .permissions import ROLE_PERMISSIONS, Perm, require
from .queries import audit_search

router = Router(tags=["network"])


class MeOut(Schema):
    username: str
    full_name: str
    role: str
    institution: str | None
    team: str | None
    permissions: list[str]


class InstitutionOut(Schema):
    id: uuid.UUID
    code: str
    acronym_es: str
    acronym_en: str
    name_es: str
    name_en: str
    sector: str
    parent: str | None = Field(None, alias="parent.code")


class SiteOut(Schema):
    id: uuid.UUID
    code: str
    kind: str
    name_es: str
    name_en: str
    institution: str = Field(alias="institution.code")
    country: str = Field(alias="country_id")
    city: str
    municipality: str | None = Field(None, alias="municipality_id")
    capacity: int | None


class SiteFilters(Schema):
    kind: str | None = Field(None, max_length=30)
    country: str | None = Field(None, max_length=2)
    institution: str | None = Field(None, max_length=40)


class DepartmentOut(Schema):
    code: str
    name: str


class MunicipalityOut(Schema):
    code: str
    department: str = Field(alias="department_id")
    name: str


class CodeOut(Schema):
    code: str
    name_es: str
    name_en: str


class LanguageOut(CodeOut):
    family: str
    national: bool


class AuditOut(Schema):
    id: int
    at: datetime
    actor_username: str
    institution_id: uuid.UUID | None
    action: str
    object_type: str
    object_id: str
    person_id: uuid.UUID | None
    ip: str | None
    reason: str
    detail: dict[str, object]


class AuditFilters(Schema):
    username: str = Field("", max_length=150)
    action: str = Field("", max_length=60)
    person_id: str = Field("", max_length=36)
    since: datetime | None = None
    until: datetime | None = None


@router.get("/me", response=MeOut, summary="The signed-in user")
def me(request: HttpRequest) -> dict[str, object]:
    user = request.user
    return {
        "username": user.username,
        "full_name": user.get_full_name(),
        "role": user.role,
        "institution": user.institution.code if user.institution else None,
        "team": user.team.code if user.team else None,
        "permissions": sorted(ROLE_PERMISSIONS.get(user.role, frozenset())),
    }


@router.get("/institutions", response=list[InstitutionOut])
@paginate(LimitOffsetPagination)
def institutions(request: HttpRequest):  # type: ignore[no-untyped-def]
    require(request.user, Perm.REFERENCE_READ)
    return Institution.objects.select_related("parent").order_by("code")


@router.get("/sites", response=list[SiteOut])
@paginate(LimitOffsetPagination)
def sites(request: HttpRequest, filters: Query[SiteFilters]):  # type: ignore[no-untyped-def]
    require(request.user, Perm.REFERENCE_READ)
    qs = Site.objects.select_related("institution").filter(active=True).order_by("code")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.country:
        qs = qs.filter(country_id=filters.country.upper())
    if filters.institution:
        qs = qs.filter(institution__code=filters.institution)
    return qs


@router.get("/departments", response=list[DepartmentOut])
def departments(request: HttpRequest) -> object:
    require(request.user, Perm.REFERENCE_READ)
    return Department.objects.order_by("code")


@router.get("/municipalities", response=list[MunicipalityOut])
@paginate(LimitOffsetPagination)
def municipalities(request: HttpRequest, department: str | None = Query(None, max_length=2)):  # type: ignore[no-untyped-def]
    require(request.user, Perm.REFERENCE_READ)
    qs = Municipality.objects.order_by("code")
    return qs.filter(department_id=department) if department else qs


@router.get("/countries", response=list[CodeOut])
@paginate(LimitOffsetPagination)
def countries(request: HttpRequest):  # type: ignore[no-untyped-def]
    require(request.user, Perm.REFERENCE_READ)
    return Country.objects.order_by("code")


@router.get("/languages", response=list[LanguageOut])
@paginate(LimitOffsetPagination)
def languages(request: HttpRequest, national: bool | None = None):  # type: ignore[no-untyped-def]
    require(request.user, Perm.REFERENCE_READ)
    qs = Language.objects.order_by("code")
    return qs.filter(national=national) if national is not None else qs


@router.get("/audit", response=list[AuditOut], tags=["audit"], summary="Search the audit trail")
@paginate(LimitOffsetPagination)
def audit(request: HttpRequest, filters: Query[AuditFilters]):  # type: ignore[no-untyped-def]
    require(request.user, Perm.AUDIT_READ)
    return audit_search(actor=request.user, **filters.dict())
