"""Import layouts of the support line and the consular registers (docs/imports.md).

Every layout has a `ref` column: the row's reference in the system it comes from. With the
import's source name it makes the row unique, so the same file imported twice adds nothing.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amparo.cases.models import ServiceDelivery, ServiceKind
from amparo.core.models import Country, Site
from amparo.imports.layouts import (
    CellError,
    Column,
    Context,
    Layout,
    Merged,
    a_date,
    a_datetime,
    choice,
    code,
    integer,
    not_empty,
    not_future,
    register,
    required_text,
    text,
)
from amparo.imports.merging import new_staged_rows, sql_merge, staged_count
from amparo.people.bulk import PersonRow, people_resolve
from amparo.people.models import DocumentType, Sex

from .actions import ADULT_AGE, CONSULAR_SERVICE_KINDS
from .models import CivilRegistration, ContactReason, SupportContact, TravelDocument

REF = Column(
    "ref",
    required_text(80),
    help=gettext_lazy("Reference of the row in its source system."),
    example="MX-2018-000123",
)


def _upper(value: str) -> str:
    return value.strip().upper()


def _lower(value: str) -> str:
    return value.strip().lower()


def _load_countries(ctx: Context) -> None:
    ctx.codes["countries"] = set(Country.objects.values_list("code", flat=True))


# ---------------------------------------------------------------- contacts

CHANNEL_ALIASES = {
    "llamada": "call",
    "mensaje": "message",
    "formulario_web": "web_form",
    "presencial": "walk_in",
}


def _prepare_contacts(ctx: Context) -> None:
    _load_countries(ctx)
    ctx.codes["reasons"] = set(ContactReason.objects.values_list("code", flat=True))


def _merge_contacts(ctx: Context, table: str) -> Merged:
    job = ctx.job
    target = SupportContact._meta.db_table
    sql = (
        f"INSERT INTO {target} (institution_id, received_at, channel, caller_country_id, "
        "caller_city, reason_id, outcome, duration_seconds, recorded_by_id, note, source, "
        "external_ref, import_job_id) "
        "SELECT %s, received_at, channel, caller_country, caller_city, reason, outcome, "
        f"coalesce(duration_seconds, 0), %s, note, %s, ref, %s FROM {table} WHERE true "
        "ON CONFLICT (institution_id, source, external_ref) DO NOTHING"
    )
    return sql_merge(table, sql, [job.institution_id, job.created_by_id, job.source, job.pk])


_CHANNELS = choice(SupportContact.Channel.values)


def _channel(value: str, ctx: Context) -> str | None:
    key = _lower(value)
    return _CHANNELS(CHANNEL_ALIASES.get(key, key), ctx)


CONTACTS = register(
    Layout(
        kind="contacts",
        title=gettext_lazy("Support-line contacts"),
        description=gettext_lazy(
            "One row per call, message, web form or visit to the support line."
        ),
        columns=(
            REF,
            Column(
                "received_at",
                not_empty(not_future(a_datetime)),
                sql_type="datetime",
                help=gettext_lazy("Date and time (local time unless an offset is given)."),
                example="2018-03-14 09:25",
            ),
            Column(
                "channel",
                not_empty(_channel),
                values=tuple(SupportContact.Channel.choices),
                example="call",
            ),
            Column(
                "caller_country",
                code("countries", normalise=_upper),
                required=False,
                help=gettext_lazy("ISO 3166 code of the caller's country."),
                example="US",
            ),
            Column("caller_city", text(120), required=False, example="Houston"),
            Column(
                "reason",
                not_empty(code("reasons", normalise=_lower)),
                help=gettext_lazy("Code of the contact reason (see the list)."),
                example="detention",
            ),
            Column(
                "outcome",
                not_empty(choice(SupportContact.Outcome.values)),
                values=tuple(SupportContact.Outcome.choices),
                example="information",
            ),
            Column(
                "duration_seconds",
                integer(0, 24 * 3600),
                required=False,
                sql_type="integer",
                example="312",
            ),
            Column("note", text(1000), required=False),
        ),
        prepare=_prepare_contacts,
        merge=_merge_contacts,
        tables=(SupportContact._meta.db_table,),
    )
)


# ---------------------------------------------------------------- mobile consulates


def mobile_site_code(source: str, ref: str) -> str:
    """The code of a mobile consulate imported from `source` with reference `ref`."""
    return slugify(f"mc-{source}-{ref}")[:60]


def _prepare_sites(ctx: Context) -> None:
    _load_countries(ctx)
    sites = Site.objects.filter(institution_id=ctx.job.institution_id)
    # Site ids as hex text: that is how they wait in the staging table.
    ctx.codes["consulates"] = {
        code: pk.hex
        for code, pk in sites.filter(kind=Site.Kind.CONSULATE).values_list("code", "pk")
    }
    # A service's site: a consulate by its code, or a mobile consulate by its reference.
    prefix = mobile_site_code(ctx.job.source, "")
    places = dict(ctx.codes["consulates"])
    for code_, pk in sites.filter(
        kind=Site.Kind.MOBILE_CONSULATE, code__startswith=prefix
    ).values_list("code", "pk"):
        places[code_] = pk.hex
    ctx.codes["sites"] = places


def _site(value: str, ctx: Context) -> Any:
    key = Site.normal_code(value)
    places = ctx.codes["sites"]
    found = places.get(key) or places.get(mobile_site_code(ctx.job.source, value.strip()))
    if found is None:
        raise CellError(
            _("Unknown consulate or mobile consulate “%(value)s”.") % {"value": value.strip()[:40]}
        )
    return found


def _check_event(row: dict[str, Any]) -> list[tuple[str, str]]:
    opens, closes = row["opens_on"], row.get("closes_on") or row["opens_on"]
    if closes < opens:
        return [("closes_on", _("The last day cannot be before the first."))]
    if (closes - opens).days > 31:
        return [("closes_on", _("A mobile consulate lasts at most a month."))]
    return []


def _merge_events(ctx: Context, table: str) -> Merged:
    job, inserted = ctx.job, 0
    parents = {s.pk.hex: s for s in Site.objects.filter(pk__in=ctx.codes["consulates"].values())}
    existing = set(
        Site.objects.filter(code__startswith=mobile_site_code(job.source, "")).values_list(
            "code", flat=True
        )
    )
    for batch in new_staged_rows(ctx, table, MOBILE_CONSULATES, None):
        new = []
        for row in batch:
            code_ = mobile_site_code(job.source, row["ref"])
            if code_ in existing:
                continue
            existing.add(code_)
            parent = parents[uuid.UUID(str(row["consulate"])).hex]
            label = row["place"] or row["city"]
            opens = row["opens_on"]
            new.append(
                Site(
                    code=code_,
                    institution_id=parent.institution_id,
                    kind=Site.Kind.MOBILE_CONSULATE,
                    parent=parent,
                    country_id=parent.country_id,
                    city=row["city"],
                    region=row["region"] or parent.region,
                    opens_on=opens,
                    closes_on=row["closes_on"] or opens,
                    name_es=f"Consulado móvil {label} ({opens:%d/%m/%Y})"[:200],
                    name_en=f"Mobile consulate {label} ({opens:%Y-%m-%d})"[:200],
                    detail={"source": job.source, "ref": row["ref"], "import_job": str(job.pk)},
                )
            )
        Site.objects.bulk_create(new)
        inserted += len(new)
    return Merged(inserted=inserted, existing=staged_count(table) - inserted)


MOBILE_CONSULATES = register(
    Layout(
        kind="mobile_consulates",
        title=gettext_lazy("Mobile consulates"),
        description=gettext_lazy(
            "One row per mobile consulate: which consulate ran it, where and when."
        ),
        columns=(
            REF,
            Column(
                "consulate",
                not_empty(code("consulates", normalise=Site.normal_code)),
                help=gettext_lazy("Code of the consulate that runs it."),
                example="us-los-angeles",
            ),
            Column("city", required_text(120), example="Bakersfield"),
            Column("region", text(120), required=False, example="California"),
            Column("place", text(150), required=False, example="Iglesia San Juan"),
            Column("opens_on", not_empty(a_date), sql_type="date", example="2018-03-10"),
            Column("closes_on", a_date, required=False, sql_type="date", example="2018-03-11"),
        ),
        prepare=_prepare_sites,
        merge=_merge_events,
        row_check=_check_event,
    )
)


# ---------------------------------------------------------------- people in rows

PERSON_COLUMNS = (
    Column("given_names", required_text(200), example="María José"),
    Column("first_surname", text(100), required=False, example="Tzoc"),
    Column("second_surname", text(100), required=False, example="Cux"),
    Column(
        "sex",
        choice(Sex.values + ["f", "m", "x", "u"]),
        required=False,
        values=tuple(Sex.choices),
        example="F",
    ),
    Column("birth_date", not_future(a_date), required=False, sql_type="date", example="1990-07-21"),
    Column(
        "document_type",
        choice(DocumentType.values),
        required=False,
        values=tuple(DocumentType.choices),
        example="passport",
    ),
    Column("document_number", text(40), required=False, example="A1234567"),
    Column("document_country", code("countries", normalise=_upper), required=False, example="GT"),
)


def _person_check(row: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    doc = [row.get(f"{prefix}document_{k}") for k in ("type", "number", "country")]
    if any(doc) and not all(doc):
        return [
            (
                f"{prefix}document_number",
                _("A document needs its type, number and issuing country."),
            )
        ]
    return []


def person_of(row: dict[str, Any], prefix: str = "") -> PersonRow:
    return PersonRow(
        given_names=row[f"{prefix}given_names"],
        first_surname=row.get(f"{prefix}first_surname") or "",
        second_surname=row.get(f"{prefix}second_surname") or "",
        sex=(row.get(f"{prefix}sex") or "U").upper(),
        birth_date=row.get(f"{prefix}birth_date"),
        doc_type=row.get(f"{prefix}document_type") or "",
        doc_number=row.get(f"{prefix}document_number") or "",
        doc_country=row.get(f"{prefix}document_country") or "",
    )


def _merge_python(ctx: Context, table: str, layout: Layout, model: Any, build: Any) -> Merged:
    """Rows not imported yet, with their people found or created, written in batches."""
    inserted = 0
    for batch in new_staged_rows(ctx, table, layout, model._meta.db_table):
        objects = build(ctx, batch)
        model.objects.bulk_create(objects, batch_size=2000)
        inserted += len(objects)
    return Merged(inserted=inserted, existing=staged_count(table) - inserted)


def _people(ctx: Context, batch: list[dict[str, Any]], prefix: str = "") -> list[Any]:
    return people_resolve(
        actor=ctx.job.created_by, rows=[person_of(r, prefix) for r in batch], source=ctx.job.source
    )


def _imported(ctx: Context, row: dict[str, Any]) -> dict[str, Any]:
    job = ctx.job
    return {
        "institution_id": job.institution_id,
        "source": job.source,
        "external_ref": row["ref"],
        "import_job_id": job.pk,
    }


# ---------------------------------------------------------------- consular services


def _build_services(ctx: Context, batch: list[dict[str, Any]]) -> list[ServiceDelivery]:
    people = _people(ctx, batch)
    return [
        ServiceDelivery(
            person_id=pid,
            site_id=row["site"],
            kind=row["kind"],
            delivered_at=row["delivered_at"],
            delivered_by_id=ctx.job.created_by_id,
            note=row["note"],
            **_imported(ctx, row),
        )
        for row, pid in zip(batch, people, strict=True)
    ]


SERVICES = register(
    Layout(
        kind="consular_services",
        title=gettext_lazy("Consular services"),
        description=gettext_lazy(
            "One row per service given to a person at a consulate or mobile consulate."
        ),
        columns=(
            REF,
            Column(
                "delivered_at",
                not_empty(not_future(a_datetime)),
                sql_type="datetime",
                example="2018-03-10 11:00",
            ),
            Column(
                "site",
                not_empty(_site),
                help=gettext_lazy(
                    "Consulate code, or the reference of a mobile consulate imported from the same "
                    "source."
                ),
                example="us-los-angeles",
            ),
            Column(
                "kind",
                not_empty(choice(CONSULAR_SERVICE_KINDS)),
                values=tuple((kind, ServiceKind(kind).label) for kind in CONSULAR_SERVICE_KINDS),
                example="passport",
            ),
            *PERSON_COLUMNS,
            Column("note", text(500), required=False),
        ),
        prepare=_prepare_sites,
        merge=lambda ctx, table: _merge_python(
            ctx, table, SERVICES, ServiceDelivery, _build_services
        ),
        tables=(ServiceDelivery._meta.db_table, "people_person", "people_personsearchtoken"),
        row_check=_person_check,
    )
)


# ---------------------------------------------------------------- civil registry


def _optional(parse: Any) -> Any:
    def inner(value: str, ctx: Context) -> Any:
        return parse(value, ctx) if value.strip() else None

    return inner


# The other spouse of a marriage: the same columns, prefixed, all optional.
SPOUSE_COLUMNS = tuple(
    Column(f"spouse_{c.name}", _optional(c.parse), required=False, sql_type=c.sql_type)
    for c in PERSON_COLUMNS
)


def _check_civil(row: dict[str, Any]) -> list[tuple[str, str]]:
    problems = _person_check(row) + _person_check(row, "spouse_")
    status, kind = row.get("status") or "recorded", row["kind"]
    if kind == CivilRegistration.Kind.MARRIAGE and not row.get("spouse_given_names"):
        problems.append(("spouse_given_names", _("A marriage needs the other spouse.")))
    if row["recorded_on"] < row["event_date"]:
        problems.append(("recorded_on", _("An act cannot be recorded before it happened.")))
    if status == "registered" and not row.get("registry_reference"):
        problems.append(("registry_reference", _("Enter the registry entry number.")))
    if status == "rejected" and not row.get("rejection_reason"):
        problems.append(("rejection_reason", _("Say why the registry rejected the entry.")))
    return problems


def _history(row: dict[str, Any], first: str, first_on: date, status: str, user: str) -> list:
    steps = [{"at": first_on.isoformat(), "status": first, "by": user, "import": row["ref"]}]
    if status != first:
        steps.append(
            {"at": timezone.now().isoformat(), "status": status, "by": user, "import": row["ref"]}
        )
    return steps


def _build_civil(ctx: Context, batch: list[dict[str, Any]]) -> list[CivilRegistration]:
    people = _people(ctx, batch)
    spouses_rows = [r for r in batch if r.get("spouse_given_names")]
    spouses = dict(
        zip(
            (r["ref"] for r in spouses_rows),
            _people(ctx, spouses_rows, "spouse_") if spouses_rows else [],
            strict=True,
        )
    )
    user = ctx.job.created_by
    out = []
    for row, pid in zip(batch, people, strict=True):
        status = row["status"] or CivilRegistration.Status.RECORDED
        out.append(
            CivilRegistration(
                person_id=pid,
                other_person_id=spouses.get(row["ref"]),
                site_id=row["site"],
                kind=row["kind"],
                event_date=row["event_date"],
                event_country_id=row["event_country"],
                event_place=row["event_place"],
                recorded_on=row["recorded_on"],
                status=status,
                status_at=timezone.now(),
                registry_reference=row["registry_reference"],
                rejection_reason=row["rejection_reason"],
                created_by=user,
                history=_history(row, "recorded", row["recorded_on"], status, user.username),
                **_imported(ctx, row),
            )
        )
    return out


CIVIL_REGISTRATIONS = register(
    Layout(
        kind="civil_registrations",
        title=gettext_lazy("Civil registry notifications"),
        description=gettext_lazy("One row per birth, marriage or death of a national abroad."),
        columns=(
            REF,
            Column(
                "kind",
                not_empty(choice(CivilRegistration.Kind.values)),
                values=tuple(CivilRegistration.Kind.choices),
                example="birth",
            ),
            Column(
                "recorded_on", not_empty(not_future(a_date)), sql_type="date", example="2018-05-20"
            ),
            Column(
                "event_date", not_empty(not_future(a_date)), sql_type="date", example="2018-05-02"
            ),
            Column("event_country", not_empty(code("countries", normalise=_upper)), example="US"),
            Column("event_place", text(200), required=False, example="Los Angeles, CA"),
            Column("site", not_empty(_site), example="us-los-angeles"),
            Column(
                "status",
                choice(CivilRegistration.Status.values),
                required=False,
                example="recorded",
            ),
            Column("registry_reference", text(60), required=False),
            Column("rejection_reason", text(500), required=False),
            *PERSON_COLUMNS,
            *SPOUSE_COLUMNS,
        ),
        prepare=_prepare_sites,
        merge=lambda ctx, table: _merge_python(
            ctx, table, CIVIL_REGISTRATIONS, CivilRegistration, _build_civil
        ),
        tables=(CivilRegistration._meta.db_table, "people_person"),
        row_check=_check_civil,
    )
)


# ---------------------------------------------------------------- travel documents


def _age(born: date | None, on: date) -> int | None:
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _check_travel(row: dict[str, Any]) -> list[tuple[str, str]]:
    problems = _person_check(row)
    status = row.get("status") or "requested"
    basis = row.get("consent_basis") or ""
    age = _age(row.get("birth_date"), row["requested_on"])
    child = row["kind"] == TravelDocument.Kind.CHILD_PASSPORT or age is None or age < ADULT_AGE
    if status in ("checked", "issued"):
        if not basis:
            problems.append(("consent_basis", _("A checked request states the consent.")))
        elif child and basis == "adult":
            problems.append(
                (
                    "consent_basis",
                    _(
                        "The applicant is a child: both parents' consent or a court order "
                        "is required."
                    ),
                )
            )
        elif basis == "both_parents" and not (row.get("parent1_name") and row.get("parent2_name")):
            problems.append(("parent2_name", _("Name both parents who gave their consent.")))
        elif basis == "court_order" and not row.get("court_order"):
            problems.append(("court_order", _("Enter the court order's reference.")))
    if status == "issued" and not row.get("issued_number"):
        problems.append(("issued_number", _("Enter the document number.")))
    if status == "refused" and not row.get("refusal_reason"):
        problems.append(("refusal_reason", _("Say why the request is refused.")))
    return problems


def _build_travel(ctx: Context, batch: list[dict[str, Any]]) -> list[TravelDocument]:
    people = _people(ctx, batch)
    user = ctx.job.created_by
    out = []
    for row, pid in zip(batch, people, strict=True):
        status = row["status"] or TravelDocument.Status.REQUESTED
        parents = [
            {"name": row[k], "document": "", "relation": "parent"}
            for k in ("parent1_name", "parent2_name")
            if row[k]
        ]
        out.append(
            TravelDocument(
                person_id=pid,
                site_id=row["site"],
                kind=row["kind"],
                requested_on=row["requested_on"],
                status=status,
                status_at=timezone.now(),
                consent_basis=row["consent_basis"] or "",
                parents=parents,
                court_order=row["court_order"],
                document_number=row["issued_number"],
                refusal_reason=row["refusal_reason"],
                created_by=user,
                history=_history(row, "requested", row["requested_on"], status, user.username),
                **_imported(ctx, row),
            )
        )
    return out


TRAVEL_DOCUMENTS = register(
    Layout(
        kind="travel_documents",
        title=gettext_lazy("Travel documents"),
        description=gettext_lazy(
            "One row per request for a child's passport, special pass or travel authorisation."
        ),
        columns=(
            REF,
            Column(
                "kind",
                not_empty(choice(TravelDocument.Kind.values)),
                values=tuple(TravelDocument.Kind.choices),
                example="child_passport",
            ),
            Column(
                "requested_on", not_empty(not_future(a_date)), sql_type="date", example="2018-07-02"
            ),
            Column("site", not_empty(_site), example="mx-tapachula"),
            Column(
                "status",
                choice(TravelDocument.Status.values),
                required=False,
                values=tuple(TravelDocument.Status.choices),
                example="issued",
            ),
            Column(
                "consent_basis",
                choice(TravelDocument.ConsentBasis.values),
                required=False,
                values=tuple(TravelDocument.ConsentBasis.choices),
                example="both_parents",
            ),
            Column("parent1_name", text(200), required=False, example="Rosa Coc"),
            Column("parent2_name", text(200), required=False, example="Juan Ical"),
            Column("court_order", text(120), required=False),
            Column(
                "issued_number",
                text(40),
                required=False,
                example="P0123456",
                help=gettext_lazy("Number of the document issued."),
            ),
            Column("refusal_reason", text(500), required=False),
            *PERSON_COLUMNS,
        ),
        prepare=_prepare_sites,
        merge=lambda ctx, table: _merge_python(
            ctx, table, TRAVEL_DOCUMENTS, TravelDocument, _build_travel
        ),
        tables=(TravelDocument._meta.db_table, "people_person"),
        row_check=_check_travel,
    )
)
