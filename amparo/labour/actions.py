"""Writes of the labour registers: the recruiter register and its supervision, fraud reports,
employers and job offers, workers from registration to return, pamphlets, workplace visits and
support services abroad.

Each action checks the role and the scope, refuses bad input with a message per field, and
writes the record and its audit entry in one transaction. A stale `version` is a Conflict.
A recruiter's status changes only here, and every change empties the public check's cache.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.cases.actions import case_open
from amparo.core.audit import audit_record
from amparo.core.errors import Conflict, InvalidInput, NotFound
from amparo.core.models import Country, Site, User
from amparo.core.permissions import Forbidden, Perm, require
from amparo.people.queries import persons_visible_to

from . import queries
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
from .names import (
    closest,
    new_number,
    normalise_name,
    normalise_number,
    normalise_tax_number,
    tax_number_valid,
)

# The consular assistance protocol has the labour-rights request type and the consular
# lawyer's legal action (amparo/protocols/assistance_abroad).
LABOUR_RIGHTS_PROTOCOL = "assistance_abroad"
TEXT_MAX = 4000
MAX_AUTHORISATION_YEARS = 5
MAX_POSITIONS = 100_000
MAX_PAMPHLETS = 1_000_000

Errors = dict[str, list[str]]


def _text(errors: Errors, name: str, value: str, limit: int = TEXT_MAX, required=False) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[name] = [_("This field is required.")]
    elif len(value) > limit:
        errors[name] = [_("Too long (%(n)s characters at most).") % {"n": f"{limit:,}"}]
    return value


def _countries(errors: Errors, name: str, codes: list[str], required=True) -> list[str]:
    clean = list(dict.fromkeys((c or "").strip().upper() for c in codes if (c or "").strip()))
    if not clean:
        if required:
            errors[name] = [_("Choose at least one country.")]
        return []
    known = set(Country.objects.filter(code__in=clean).values_list("code", flat=True))
    unknown = [c for c in clean if c not in known]
    if unknown:
        errors[name] = [_("Unknown country code “%(code)s”.") % {"code": unknown[0][:10]}]
    return clean


def _country(errors: Errors, name: str, code: str) -> str:
    found = _countries(errors, name, [code])
    if name in errors and errors[name] == [_("Choose at least one country.")]:
        errors[name] = [_("Choose the country.")]
    return found[0] if found else ""


def _sector(errors: Errors, name: str, value: str) -> str:
    if value not in Sector.values:
        errors[name] = [_("Choose the sector.")]
    return value


def _not_future(errors: Errors, name: str, value: date | None, today: date) -> None:
    if value is not None and value > today:
        errors[name] = [_("The date cannot be in the future.")]


def _step(record: Any, actor: User, status: str, now: datetime, **detail: Any) -> None:
    record.status, record.status_at = status, now
    entry = {"at": now.isoformat(), "status": status, "by": actor.username}
    record.history = [*record.history, {**entry, **{k: v for k, v in detail.items() if v}}]
    record.version += 1


def _note(record: Any, actor: User, now: datetime, what: str, **detail: Any) -> None:
    """A step that does not change the status (an inspection, a complaint, a renewal asked)."""
    entry = {"at": now.isoformat(), "status": record.status, "by": actor.username, "what": what}
    record.history = [*record.history, {**entry, **{k: v for k, v in detail.items() if v}}]
    record.version += 1


def _check_version(record: Any, version: int | None) -> None:
    if version is not None and record.version != version:
        raise Conflict(
            _("Someone else changed this record while you were working on it."),
            current_version=record.version,
            changes={"status": {"theirs": record.status}},
        )


def _ministry(actor: User, perm: Perm) -> None:
    """Only the labour ministry keeps the recruiter register (its role checked first)."""
    require(actor, perm)
    if not queries.is_ministry(actor):
        raise Forbidden(perm)


def _office(actor: User, code: str, name: str = "site", required=False) -> Site | None:
    """An active site of the actor's institution, its parent or its units (a ministry office,
    a border labour-mobility office, a consulate)."""
    code = (code or "").strip()
    if not code:
        if required:
            raise InvalidInput.field(name, _("Choose the site."))
        return None
    site = Site.objects.filter(
        code=Site.normal_code(code[:60]),
        institution_id__in=queries.family_ids(actor),
        active=True,
    ).first()
    if site is None:
        raise InvalidInput.field(name, _("Unknown site “%(code)s”.") % {"code": code[:60]})
    return site


# ---------------------------------------------------------------- recruiter register


@dataclass
class RecruiterInput:
    kind: str
    name: str
    tax_number: str
    countries: list[str]
    sectors: list[str]
    documents: list[str] = field(default_factory=list)
    representative: str = ""
    address: str = ""
    contact: str = ""
    guarantee_amount: Decimal | None = None
    guarantee_reference: str = ""
    applied_on: date | None = None
    # A supervisor's confirmation that a similar record is a different recruiter: its number.
    distinct_from: str = ""


def _duplicate(
    actor: User, key: str, nit: str, distinct: str, exclude: uuid.UUID | None = None
) -> None:
    """Refuse a probable duplicate at the field, naming the existing record."""
    existing = Recruiter.objects.exclude(pk=exclude) if exclude else Recruiter.objects.all()
    confirmed = normalise_number(distinct) if distinct else ""
    if confirmed:
        require(actor, Perm.LABOUR_DECIDE)  # only a supervisor confirms it is different
    same_nit = existing.filter(tax_number=nit).exclude(number=confirmed).first() if nit else None
    if same_nit is not None:
        raise InvalidInput.field(
            "tax_number",
            _("This tax number is already registered to “%(name)s” (%(number)s).")
            % {"name": same_nit.name, "number": same_nit.number},
        )
    choices = dict(existing.exclude(number=confirmed).values_list("pk", "name_key"))
    found = closest(key, choices)
    if found is not None:
        other = Recruiter.objects.get(pk=found[0])
        raise InvalidInput.field(
            "name",
            _(
                "Probably already registered as “%(name)s” (%(number)s). If it is a different "
                "recruiter, a supervisor confirms it by giving that number."
            )
            % {"name": other.name, "number": other.number},
        )


def recruiter_apply(*, actor: User, data: RecruiterInput) -> Recruiter:
    """Register a recruiter's application for registration and authorisation."""
    _ministry(actor, Perm.LABOUR_WRITE)
    today = timezone.localdate()
    errors: Errors = {}
    if data.kind not in Recruiter.Kind.values:
        errors["kind"] = [_("Choose an agency or an individual recruiter.")]
    name = _text(errors, "name", " ".join((data.name or "").split()), 200, required=True)
    key = normalise_name(name)
    if name and len(key.replace(" ", "")) < 3:
        errors["name"] = [_("Give the full name (three letters at least).")]
    nit = normalise_tax_number(data.tax_number or "")
    if not nit:
        errors["tax_number"] = [_("Give the tax number (NIT).")]
    elif not tax_number_valid(nit):
        errors["tax_number"] = [_("This is not a valid NIT: check the digits and the last one.")]
    countries = _countries(errors, "countries", data.countries)
    if "GT" in countries:
        errors["countries"] = [_("Recruiting for work abroad: choose the destination countries.")]
    sectors = list(dict.fromkeys(data.sectors))
    if not sectors:
        errors["sectors"] = [_("Choose at least one sector.")]
    elif any(s not in Sector.values for s in sectors):
        errors["sectors"] = [_("Unknown sector.")]
    documents = [" ".join(d.split())[:200] for d in data.documents if d and d.strip()]
    if not documents:
        errors["documents"] = [_("List the documents submitted with the application.")]
    representative = _text(errors, "representative", data.representative, 200)
    if data.kind == Recruiter.Kind.ORGANISATION and not representative:
        errors["representative"] = [_("An agency names its legal representative.")]
    address = _text(errors, "address", data.address, 300)
    contact = _text(errors, "contact", data.contact, 200)
    guarantee = data.guarantee_amount
    if guarantee is not None and (guarantee <= 0 or guarantee >= Decimal("1e10")):
        errors["guarantee_amount"] = [_("Give the guarantee's amount in quetzales.")]
    guarantee_ref = _text(errors, "guarantee_reference", data.guarantee_reference, 100)
    applied_on = data.applied_on or today
    _not_future(errors, "applied_on", applied_on, today)
    if errors:
        raise InvalidInput(errors)
    _duplicate(actor, key, nit, data.distinct_from)
    now = timezone.now()
    with transaction.atomic():
        recruiter = Recruiter(
            number=new_number(),
            kind=data.kind,
            name=name,
            name_key=key,
            tax_number=nit,
            representative=representative,
            address=address,
            contact=contact,
            countries=countries,
            sectors=sectors,
            documents=documents,
            guarantee_amount=guarantee,
            guarantee_reference=guarantee_ref,
            applied_on=applied_on,
            distinct_from=[normalise_number(data.distinct_from)] if data.distinct_from else [],
            institution_id=actor.institution_id,
            status=Recruiter.Status.APPLIED,
            status_at=now,
            history=[],
            version=0,
            created_by=actor,
        )
        _step(recruiter, actor, Recruiter.Status.APPLIED, now, what="applied")
        while Recruiter.objects.filter(number=recruiter.number).exists():
            recruiter.number = new_number()  # 2^40 numbers: a clash is vanishingly rare
        recruiter.save()
        audit_record(
            actor=actor,
            action="labour.recruiter.apply",
            obj=recruiter,
            detail={"distinct_from": recruiter.distinct_from},
        )
    return recruiter


# What each decision needs and where it leads.
DECISIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "authorise": ((Recruiter.Status.APPLIED,), Recruiter.Status.AUTHORISED),
    "refuse": ((Recruiter.Status.APPLIED,), Recruiter.Status.REFUSED),
    "renew": ((Recruiter.Status.AUTHORISED,), Recruiter.Status.AUTHORISED),
    "suspend": ((Recruiter.Status.AUTHORISED,), Recruiter.Status.SUSPENDED),
    "reinstate": ((Recruiter.Status.SUSPENDED,), Recruiter.Status.AUTHORISED),
    "revoke": (
        (Recruiter.Status.AUTHORISED, Recruiter.Status.SUSPENDED),
        Recruiter.Status.REVOKED,
    ),
}


@dataclass
class DecisionInput:
    decision: str
    reason: str = ""
    valid_from: date | None = None
    valid_until: date | None = None
    version: int | None = None


def recruiter_decide(*, actor: User, recruiter_id: uuid.UUID, data: DecisionInput) -> Recruiter:
    """A supervisor's decision: authorise for a period, refuse with reasons, renew, suspend,
    reinstate or revoke. Every decision but an authorisation or renewal needs its reasons."""
    _ministry(actor, Perm.LABOUR_DECIDE)
    if data.decision not in DECISIONS:
        raise InvalidInput.field("decision", _("Choose a decision."))
    errors: Errors = {}
    reason = _text(errors, "reason", data.reason)
    if data.decision in ("refuse", "suspend", "revoke", "reinstate") and not reason:
        errors["reason"] = [_("Give the reasons for the decision.")]
    today = timezone.localdate()
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        recruiter = Recruiter.objects.select_for_update().filter(pk=recruiter_id).first()
        if recruiter is None:
            raise NotFound
        _check_version(recruiter, data.version)
        allowed, target = DECISIONS[data.decision]
        if recruiter.status not in allowed:
            raise InvalidInput.field(
                "decision",
                _("Not possible while the recruiter is “%(status)s”.")
                % {"status": recruiter.get_status_display()},
            )
        detail: dict[str, Any] = {"what": data.decision, "reason": reason}
        if data.decision == "authorise":
            start = data.valid_from or today
            end = data.valid_until
            if end is None:
                raise InvalidInput.field("valid_until", _("Give the end of the authorisation."))
            _period(start, end)
            recruiter.valid_from, recruiter.valid_until = start, end
            detail |= {"valid_from": start.isoformat(), "valid_until": end.isoformat()}
        elif data.decision == "renew":
            end = data.valid_until
            current = recruiter.valid_until or today
            if end is None or end <= current:
                raise InvalidInput.field(
                    "valid_until",
                    _("The renewal must end after the current authorisation (%(day)s).")
                    % {"day": current.isoformat()},
                )
            # A renewal after expiry starts again today; otherwise it extends the period, by
            # a new term counted from the current end.
            expired = current < today
            _period(today if expired else current, end)
            start = today if expired else (recruiter.valid_from or today)
            recruiter.valid_from, recruiter.valid_until = start, end
            detail |= {"valid_from": start.isoformat(), "valid_until": end.isoformat()}
        now = timezone.now()
        _step(recruiter, actor, target, now, **detail)
        recruiter.save()
        audit_record(
            actor=actor,
            action=f"labour.recruiter.{data.decision}",
            obj=recruiter,
            reason=reason,
            detail={k: v for k, v in detail.items() if k != "reason"},
        )
        # Now for this process, and again once committed: a reader that cached the old state
        # between the two is forgotten too.
        queries.public_invalidate()
        transaction.on_commit(queries.public_invalidate)
    return recruiter


def _period(start: date, end: date) -> None:
    if end < start:
        raise InvalidInput.field(
            "valid_until", _("The end of the authorisation comes before its start.")
        )
    if end > start + timedelta(days=366 * MAX_AUTHORISATION_YEARS):
        raise InvalidInput.field(
            "valid_until",
            _("An authorisation lasts %(n)s years at most.") % {"n": MAX_AUTHORISATION_YEARS},
        )


@dataclass
class SupervisionInput:
    kind: str
    summary: str
    decision: str = ""
    occurred_on: date | None = None
    fine_amount: Decimal | None = None
    version: int | None = None


def recruiter_supervise(
    *, actor: User, recruiter_id: uuid.UUID, data: SupervisionInput
) -> SupervisionEvent:
    """An inspection, a complaint (its handling) or a sanction, with its decision. Inspections
    and complaints are recorded by ministry staff; a sanction is a supervisor's decision."""
    _ministry(actor, Perm.LABOUR_WRITE)
    if data.kind == SupervisionEvent.Kind.SANCTION:
        _ministry(actor, Perm.LABOUR_DECIDE)
    errors: Errors = {}
    if data.kind not in SupervisionEvent.Kind.values:
        errors["kind"] = [_("Choose an inspection, a complaint or a sanction.")]
    summary = _text(errors, "summary", data.summary, required=True)
    decision = _text(errors, "decision", data.decision)
    if data.kind == SupervisionEvent.Kind.SANCTION and not decision:
        errors["decision"] = [_("A sanction states its decision.")]
    today = timezone.localdate()
    occurred = data.occurred_on or today
    _not_future(errors, "occurred_on", occurred, today)
    fine = data.fine_amount
    if fine is not None and (fine <= 0 or fine >= Decimal("1e10")):
        errors["fine_amount"] = [_("Give the fine in quetzales.")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        recruiter = Recruiter.objects.select_for_update().filter(pk=recruiter_id).first()
        if recruiter is None:
            raise NotFound
        _check_version(recruiter, data.version)
        if recruiter.status == Recruiter.Status.APPLIED and data.kind == "sanction":
            raise InvalidInput.field("kind", _("An application is decided, not sanctioned."))
        event = SupervisionEvent.objects.create(
            recruiter=recruiter,
            kind=data.kind,
            occurred_on=occurred,
            summary=summary,
            decision=decision,
            fine_amount=fine,
            created_by=actor,
        )
        _note(recruiter, actor, timezone.now(), data.kind, decision=decision[:200])
        recruiter.save(update_fields=["history", "version"])
        audit_record(
            actor=actor,
            action=f"labour.recruiter.{data.kind}",
            obj=recruiter,
            detail={"event": str(event.pk)},
        )
    return event


# ---------------------------------------------------------------- fraud reports (public)


@dataclass
class FraudReportInput:
    recruiter_name: str
    description: str
    number: str = ""
    place: str = ""
    reporter_name: str = ""
    reporter_contact: str = ""
    language: str = "es"


def fraud_report_submit(*, data: FraudReportInput) -> FraudReport:
    """A suspected fraud reported by anyone, signed in or not; the reporter may stay anonymous.
    Rate limits and the honeypot are the caller's (labour/public.py)."""
    errors: Errors = {}
    name = _text(errors, "recruiter_name", data.recruiter_name, 200, required=True)
    description = _text(errors, "description", data.description, 2000, required=True)
    if description and len(description) < 10:
        errors["description"] = [_("Tell us a little more about what happened.")]
    place = _text(errors, "place", data.place, 200)
    reporter = _text(errors, "reporter_name", data.reporter_name, 200)
    contact = _text(errors, "reporter_contact", data.reporter_contact, 200)
    recruiter = None
    if data.number.strip():
        number = normalise_number(data.number[:40])
        recruiter = Recruiter.objects.filter(number=number).first() if number else None
        if recruiter is None:
            errors["number"] = [
                _("No recruiter has this registration number: check it or leave it empty.")
            ]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        report = FraudReport.objects.create(
            recruiter=recruiter,
            recruiter_name=name,
            description=description,
            place=place,
            reporter_name=reporter,
            reporter_contact=contact,
            language=(data.language or "es")[:2],
            received_at=timezone.now(),
        )
        audit_record(actor=None, action="labour.fraud_report.submit", obj=report)
    return report


def fraud_report_review(*, actor: User, report_id: uuid.UUID, note: str) -> FraudReport:
    _ministry(actor, Perm.LABOUR_WRITE)
    errors: Errors = {}
    note = _text(errors, "note", note, required=True)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        report = queries.fraud_reports_visible_to(actor).select_for_update().filter(pk=report_id)
        report = report.first()
        if report is None:
            raise NotFound
        if report.status != FraudReport.Status.NEW:
            raise InvalidInput.field("note", _("This report was already reviewed."))
        report.status = FraudReport.Status.REVIEWED
        report.reviewed_at, report.reviewed_by, report.review_note = timezone.now(), actor, note
        report.save()
        audit_record(actor=actor, action="labour.fraud_report.review", obj=report)
    return report


# ---------------------------------------------------------------- employers and offers


@dataclass
class EmployerInput:
    name: str
    country: str
    sector: str
    region: str = ""
    city: str = ""


def employer_create(*, actor: User, data: EmployerInput) -> Employer:
    require(actor, Perm.LABOUR_WRITE)
    errors: Errors = {}
    name = _text(errors, "name", " ".join((data.name or "").split()), 200, required=True)
    country = _country(errors, "country", data.country)
    sector = _sector(errors, "sector", data.sector)
    region = _text(errors, "region", data.region, 120)
    city = _text(errors, "city", data.city, 120)
    if errors:
        raise InvalidInput(errors)
    key = normalise_name(name)
    same = Employer.objects.filter(country_id=country)
    found = closest(key, dict(same.values_list("pk", "name_key")))
    if found is not None:
        other = Employer.objects.get(pk=found[0])
        raise InvalidInput.field(
            "name",
            _("This employer is already registered as “%(name)s”: choose it.")
            % {"name": other.name},
        )
    with transaction.atomic():
        employer = Employer.objects.create(
            name=name,
            name_key=key,
            country_id=country,
            sector=sector,
            region=region,
            city=city,
            created_by=actor,
        )
        audit_record(actor=actor, action="labour.employer.create", obj=employer)
    return employer


@dataclass
class OfferInput:
    employer_id: uuid.UUID | None
    programme: str
    sector: str
    positions: int | None
    starts_on: date | None
    ends_on: date | None
    conditions: str
    country: str = ""  # the employer's country when empty
    recruiter_number: str = ""


def offer_create(*, actor: User, data: OfferInput) -> JobOffer:
    """An employer's job offer. Without conditions (wage, hours, housing, transport) it is
    refused: the worker must know them before leaving. A recruiter named must be authorised
    for the country and the sector on the start date."""
    require(actor, Perm.LABOUR_WRITE)
    errors: Errors = {}
    employer = Employer.objects.filter(pk=data.employer_id).first() if data.employer_id else None
    if employer is None:
        errors["employer"] = [_("Choose the employer.")]
    programme = _text(errors, "programme", data.programme, 120, required=True)
    sector = _sector(errors, "sector", data.sector)
    country = _country(errors, "country", data.country or (employer.country_id if employer else ""))
    if data.positions is None or not 1 <= data.positions <= MAX_POSITIONS:
        errors["positions"] = [_("Give the number of positions (1 or more).")]
    if data.starts_on is None:
        errors["starts_on"] = [_("Give the start date.")]
    if data.ends_on is None:
        errors["ends_on"] = [_("Give the end date.")]
    elif data.starts_on is not None and data.ends_on <= data.starts_on:
        errors["ends_on"] = [_("The end date must come after the start date.")]
    conditions = _text(errors, "conditions", data.conditions)
    if not conditions:
        errors["conditions"] = [
            _(
                "State the conditions (wage, hours, housing, transport): an offer without "
                "them is not accepted."
            )
        ]
    elif len(conditions) < 20:
        errors["conditions"] = [_("Describe the conditions: wage, hours, housing, transport.")]
    recruiter = None
    if data.recruiter_number.strip():
        number = normalise_number(data.recruiter_number[:40])
        recruiter = Recruiter.objects.filter(number=number).first() if number else None
        day = data.starts_on or timezone.localdate()
        if recruiter is None:
            errors["recruiter_number"] = [_("No recruiter has this registration number.")]
        elif not queries.authorised_on(recruiter, day):
            errors["recruiter_number"] = [
                _("“%(name)s” is not authorised on %(day)s (%(state)s).")
                % {
                    "name": recruiter.name,
                    "day": day.isoformat(),
                    "state": queries.public_state(recruiter, day).replace("_", " "),
                }
            ]
        elif country and country not in recruiter.countries:
            errors["recruiter_number"] = [_("This recruiter is not authorised for that country.")]
        elif sector and sector not in recruiter.sectors:
            errors["recruiter_number"] = [_("This recruiter is not authorised for that sector.")]
    if errors:
        raise InvalidInput(errors)
    assert employer is not None and data.starts_on and data.ends_on and data.positions
    with transaction.atomic():
        offer = JobOffer.objects.create(
            employer=employer,
            programme=programme,
            country_id=country,
            sector=sector,
            positions=data.positions,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            conditions=conditions,
            recruiter=recruiter,
            institution_id=actor.institution_id,
            created_by=actor,
        )
        audit_record(actor=actor, action="labour.offer.create", obj=offer)
    return offer


# ---------------------------------------------------------------- workers (placements)


@dataclass
class PlacementInput:
    person_id: uuid.UUID | None
    site: str = ""
    registered_on: date | None = None


def _visible_person(actor: User, person_id: uuid.UUID | None, name: str = "person") -> Any:
    person = persons_visible_to(actor).filter(pk=person_id).first() if person_id else None
    if person is None:
        raise InvalidInput.field(name, _("Find the person in your records and choose them."))
    return person


def placement_register(*, actor: User, offer_id: uuid.UUID, data: PlacementInput) -> Placement:
    """Register a worker (a person found or registered first in the people register) for an
    offer, at a ministry office or a border labour-mobility office."""
    require(actor, Perm.LABOUR_WRITE)
    offer = queries.offer_get(actor=actor, offer_id=offer_id)
    today = timezone.localdate()
    errors: Errors = {}
    registered_on = data.registered_on or today
    _not_future(errors, "registered_on", registered_on, today)
    if errors:
        raise InvalidInput(errors)
    person = _visible_person(actor, data.person_id)
    site = _office(actor, data.site)
    if offer.status != JobOffer.Status.OPEN:
        raise InvalidInput.field("person", _("This offer is closed."))
    if Placement.objects.filter(offer=offer, person=person).exists():
        raise InvalidInput.field("person", _("This worker is already registered for this offer."))
    return _placement_create(actor, offer, person, site, registered_on, Placement.Status.REGISTERED)


def _placement_create(
    actor: User,
    offer: JobOffer,
    person: Any,
    site: Site | None,
    registered_on: date,
    status: str,
    previous: Placement | None = None,
) -> Placement:
    now = timezone.now()
    try:
        with transaction.atomic():
            placement = Placement(
                offer=offer,
                person=person,
                site=site,
                registered_on=registered_on,
                previous=previous,
                institution_id=actor.institution_id,
                team_id=actor.team_id,
                status=status,
                status_at=now,
                history=[],
                version=0,
                created_by=actor,
            )
            _step(
                placement,
                actor,
                status,
                now,
                what="readmitted" if previous else "registered",
                site=site.code if site else "",
            )
            placement.save()
            audit_record(
                actor=actor,
                action="labour.placement.readmit" if previous else "labour.placement.register",
                obj=placement,
                person_id=person.pk,
            )
    except IntegrityError as exc:  # two clerks registering the same worker at once
        raise InvalidInput.field(
            "person", _("This worker is already registered for this offer.")
        ) from exc
    return placement


# Where each status may lead.
PLACEMENT_STEPS: dict[str, tuple[str, ...]] = {
    Placement.Status.REGISTERED: ("preselected", "not_selected", "withdrawn"),
    Placement.Status.PRESELECTED: ("selected", "not_selected", "withdrawn"),
    Placement.Status.SELECTED: ("prepared", "withdrawn"),
    Placement.Status.PREPARED: ("deployed", "withdrawn"),
    Placement.Status.DEPLOYED: ("returned",),
}


@dataclass
class StepInput:
    status: str
    on: date | None = None
    note: str = ""
    version: int | None = None


def placement_step(*, actor: User, placement_id: uuid.UUID, data: StepInput) -> Placement:
    """Move a worker on: pre-selection, selection, pre-departure information, departure,
    return; or not selected, withdrew. The date of departure and of return are kept."""
    require(actor, Perm.LABOUR_WRITE)
    errors: Errors = {}
    note = _text(errors, "note", data.note)
    today = timezone.localdate()
    on = data.on or today
    _not_future(errors, "on", on, today)
    if data.status not in Placement.Status.values:
        errors["status"] = [_("Choose the next step.")]
    if data.status == Placement.Status.NOT_SELECTED and not note:
        errors["note"] = [_("Say why the worker was not selected.")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        placement = (
            queries.placements_visible_to(actor)
            .select_for_update(of=("self",))
            .filter(pk=placement_id)
            .first()
        )
        if placement is None:
            raise NotFound
        _check_version(placement, data.version)
        if data.status not in PLACEMENT_STEPS.get(placement.status, ()):
            raise InvalidInput.field(
                "status",
                _("Not possible while the worker is “%(status)s”.")
                % {"status": placement.get_status_display()},
            )
        if data.status == Placement.Status.DEPLOYED:
            placement.departed_on = on
        if data.status == Placement.Status.RETURNED:
            if placement.departed_on and on < placement.departed_on:
                raise InvalidInput.field("on", _("The return comes before the departure."))
            placement.returned_on = on
        _step(placement, actor, data.status, timezone.now(), on=on.isoformat(), note=note)
        placement.save()
        audit_record(
            actor=actor,
            action=f"labour.placement.{data.status}",
            obj=placement,
            person_id=placement.person_id,
        )
    return placement


def placement_readmit(
    *, actor: User, placement_id: uuid.UUID, offer_id: uuid.UUID, site: str = ""
) -> Placement:
    """Readmit a worker who came back for the next season's offer: selected directly."""
    require(actor, Perm.LABOUR_WRITE)
    previous = queries.placements_visible_to(actor).filter(pk=placement_id).first()
    if previous is None:
        raise NotFound
    try:
        offer = queries.offer_get(actor=actor, offer_id=offer_id)
    except NotFound:
        raise InvalidInput.field("offer", _("Choose an offer of your institution.")) from None
    if previous.status != Placement.Status.RETURNED:
        raise InvalidInput.field("offer", _("Only a worker who came back can be readmitted."))
    if hasattr(previous, "next_season"):
        raise InvalidInput.field("offer", _("This worker was already readmitted."))
    if offer.starts_on <= previous.offer.starts_on:
        raise InvalidInput.field("offer", _("Choose an offer of a later season."))
    if Placement.objects.filter(offer=offer, person_id=previous.person_id).exists():
        raise InvalidInput.field("offer", _("This worker is already registered for this offer."))
    return _placement_create(
        actor,
        offer,
        previous.person,
        _office(actor, site) or previous.site,
        timezone.localdate(),
        Placement.Status.SELECTED,
        previous=previous,
    )


@dataclass
class PamphletInput:
    site: str
    country: str
    programme: str
    quantity: int | None
    distributed_on: date | None = None


def pamphlets_record(*, actor: User, data: PamphletInput) -> PamphletDistribution:
    """Information pamphlets handed out at a site for a programme on a day: a count."""
    require(actor, Perm.LABOUR_WRITE)
    errors: Errors = {}
    country = _country(errors, "country", data.country)
    programme = _text(errors, "programme", data.programme, 120, required=True)
    if data.quantity is None or not 1 <= data.quantity <= MAX_PAMPHLETS:
        errors["quantity"] = [_("Give how many pamphlets were handed out (1 or more).")]
    today = timezone.localdate()
    day = data.distributed_on or today
    _not_future(errors, "distributed_on", day, today)
    if errors:
        raise InvalidInput(errors)
    site = _office(actor, data.site, required=True)
    with transaction.atomic():
        row = PamphletDistribution.objects.create(
            site=site,
            country_id=country,
            programme=programme,
            distributed_on=day,
            quantity=data.quantity,
            institution_id=actor.institution_id,
            created_by=actor,
        )
        audit_record(actor=actor, action="labour.pamphlets.record", obj=row)
    return row


# ---------------------------------------------------------------- support abroad


@dataclass
class VisitInput:
    employer_id: uuid.UUID | None
    site: str
    kind: str
    findings: str
    visited_on: date | None = None
    workers_met: int | None = 0
    follow_up: str = ""


def visit_record(*, actor: User, data: VisitInput) -> WorkplaceVisit:
    """A consular inspection or weekly visit to a workplace: findings and follow-up."""
    require(actor, Perm.LABOUR_WRITE)
    errors: Errors = {}
    employer = Employer.objects.filter(pk=data.employer_id).first() if data.employer_id else None
    if employer is None:
        errors["employer"] = [_("Choose the employer.")]
    if data.kind not in WorkplaceVisit.Kind.values:
        errors["kind"] = [_("Choose an inspection or a visit.")]
    findings = _text(errors, "findings", data.findings, required=True)
    follow_up = _text(errors, "follow_up", data.follow_up)
    today = timezone.localdate()
    day = data.visited_on or today
    _not_future(errors, "visited_on", day, today)
    workers = data.workers_met or 0
    if not 0 <= workers <= MAX_POSITIONS:
        errors["workers_met"] = [_("Give how many workers were met.")]
    if errors:
        raise InvalidInput(errors)
    site = _office(actor, data.site, required=True)
    with transaction.atomic():
        visit = WorkplaceVisit.objects.create(
            employer=employer,
            site=site,
            kind=data.kind,
            visited_on=day,
            workers_met=workers,
            findings=findings,
            follow_up=follow_up,
            institution_id=actor.institution_id,
            created_by=actor,
        )
        audit_record(actor=actor, action="labour.visit.record", obj=visit)
    return visit


@dataclass
class ServiceInput:
    person_id: uuid.UUID | None
    site: str
    kind: str
    employer_id: uuid.UUID | None = None
    given_on: date | None = None
    description: str = ""
    breach_of_contract: bool = False


def service_record(*, actor: User, data: ServiceInput) -> SupportService:
    """A support service given to a worker abroad. A breach of contract opens a labour-rights
    case (consular assistance protocol) for the consular lawyer, in the same transaction."""
    require(actor, Perm.LABOUR_WRITE)
    errors: Errors = {}
    if data.kind not in SupportService.Kind.values:
        errors["kind"] = [_("Choose the service.")]
    employer = None
    if data.employer_id:
        employer = Employer.objects.filter(pk=data.employer_id).first()
        if employer is None:
            errors["employer"] = [_("Choose the employer.")]
    description = _text(errors, "description", data.description)
    if data.breach_of_contract and not description:
        errors["description"] = [_("Describe the breach of contract.")]
    if data.breach_of_contract and employer is None and "employer" not in errors:
        errors["employer"] = [_("A breach of contract names the employer.")]
    today = timezone.localdate()
    day = data.given_on or today
    _not_future(errors, "given_on", day, today)
    if errors:
        raise InvalidInput(errors)
    person = _visible_person(actor, data.person_id)
    site = _office(actor, data.site, required=True)
    with transaction.atomic():
        case = None
        if data.breach_of_contract:
            case = case_open(actor=actor, protocol_code=LABOUR_RIGHTS_PROTOCOL, person_id=person.pk)
        service = SupportService.objects.create(
            person=person,
            employer=employer,
            site=site,
            kind=data.kind,
            given_on=day,
            description=description,
            breach_of_contract=data.breach_of_contract,
            case=case,
            institution_id=actor.institution_id,
            team_id=actor.team_id,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="labour.service.record",
            obj=service,
            person_id=person.pk,
            detail={"case": str(case.pk) if case else None},
        )
    return service


def decimal_or_none(value: Any, name: str) -> Decimal | None:
    """A form or API amount: empty is none; anything else must be a number."""
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        raise InvalidInput.field(name, _("Give an amount in quetzales.")) from None
