"""Writes of the support line, mobile consulates, civil registry and travel documents.

Each action checks the actor's role and scope, refuses bad input with a message per field,
and writes the record and its audit entry in one transaction. Consular services are recorded
with `cases.actions.service_record` at a consulate or mobile-consulate site.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from amparo.cases.actions import case_form_save, case_open, note_add
from amparo.cases.models import Case
from amparo.cases.queries import cases_owned_by
from amparo.core.audit import audit_record
from amparo.core.errors import InvalidInput
from amparo.core.models import Country, Site, User
from amparo.core.permissions import Perm, require
from amparo.core.tracked import locked, step_take
from amparo.people.models import Person
from amparo.people.queries import persons_visible_to

from .models import CivilRegistration, ContactReason, SupportContact, TravelDocument
from .queries import (
    civil_registrations_visible_to,
    civil_registry_code,
    travel_documents_visible_to,
)

MAX_CONTACT_SECONDS = 24 * 3600
ADULT_AGE = 18
# The request form's country field knows these; any other country is "other".
REQUEST_COUNTRIES = {"US", "MX", "CA", "BZ"}
URGENCIES = ("life_or_liberty", "urgent", "ordinary")
# The services a consulate or mobile consulate gives (CMW/C/SR.413 para. 42).
CONSULAR_SERVICE_KINDS = (
    "passport",
    "consular_id",
    "birth_registration",
    "civil_registry",
    "certification",
    "legal_aid",
    "lawyer",
    "information",
)


# ---------------------------------------------------------------- support line


@dataclass
class ContactInput:
    channel: str
    reason: str
    outcome: str = ""
    caller_country: str | None = None
    caller_city: str = ""
    duration_seconds: int = 0
    received_at: datetime | None = None
    person_id: uuid.UUID | None = None
    # Follow-up: open a case under the reason's protocol, or add the contact to a case.
    open_case: bool = False
    urgency: str = "urgent"
    case_id: uuid.UUID | None = None
    note: str = ""


def validate_contact(data: ContactInput, *, now: datetime | None = None) -> dict[str, list[str]]:
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if data.channel not in SupportContact.Channel.values:
        errors["channel"] = [_("Choose how the person got in touch.")]
    if not ContactReason.objects.filter(code=data.reason, active=True).exists():
        errors["reason"] = [_("Choose a reason from the list.")]
    if data.outcome and data.outcome not in SupportContact.Outcome.values:
        errors["outcome"] = [_("Choose an outcome from the list.")]
    if data.caller_country and not Country.objects.filter(code=data.caller_country).exists():
        errors["caller_country"] = [_("Unknown country code.")]
    if not 0 <= data.duration_seconds <= MAX_CONTACT_SECONDS:
        errors["duration_seconds"] = [_("The duration must be between 0 and 24 hours.")]
    if data.received_at is not None and data.received_at > now:
        errors["received_at"] = [_("A contact cannot be received in the future.")]
    if data.open_case and data.case_id:
        errors["case"] = [_("Either open a new case or add the contact to a case, not both.")]
    if data.open_case and data.person_id is None:
        errors["person"] = [_("Find or register the person before opening a case.")]
    if data.open_case and data.urgency not in URGENCIES:
        errors["urgency"] = [_("Choose the urgency.")]
    if len(data.note) > 1000:
        errors["note"] = [_("The note is too long (1,000 characters at most).")]
    return errors


def _request_form(contact: ContactInput, reason: ContactReason) -> dict[str, Any]:
    country = contact.caller_country if contact.caller_country in REQUEST_COUNTRIES else "other"
    form: dict[str, Any] = {
        "request_type": reason.request_type or "other",
        "country": country,
        "channel": "call_centre",
        "urgency": contact.urgency,
    }
    if contact.note:
        form["description"] = contact.note
    return form


def _follow_up(actor: User, data: ContactInput, reason: ContactReason) -> tuple[Case | None, str]:
    """Open or update the case the contact leads to; returns it and the contact's outcome."""
    if data.open_case:
        if not reason.protocol:
            raise InvalidInput.field("open_case", _("This reason does not open a case."))
        case = case_open(actor=actor, protocol_code=reason.protocol, person_id=data.person_id)
        case = case_form_save(
            actor=actor, case_id=case.pk, form="request", data=_request_form(data, reason)
        )
        missing = reason.request_type == "missing_person"
        outcome = (
            SupportContact.Outcome.MISSING_REPORT if missing else SupportContact.Outcome.CASE_OPENED
        )
        return case, outcome
    if data.case_id:
        case = cases_owned_by(actor).filter(pk=data.case_id).first()
        if case is None:
            raise InvalidInput.field("case", _("No such case in your records."))
        text = _("Support-line contact (%(reason)s).") % {"reason": reason.name}
        note_add(actor=actor, case_id=case.pk, text=f"{text} {data.note}".strip())
        return case, SupportContact.Outcome.CASE_UPDATED
    return None, data.outcome


def contact_log(*, actor: User, data: ContactInput) -> SupportContact:
    """Log one contact with the support line, and open or update its case if asked."""
    require(actor, Perm.ASSISTANCE_WRITE)
    if not data.open_case and not data.case_id and not data.outcome:
        raise InvalidInput.field("outcome", _("Choose the outcome of the contact."))
    errors = validate_contact(data)
    if errors:
        raise InvalidInput(errors)
    reason = ContactReason.objects.get(code=data.reason)
    with transaction.atomic():
        person = None
        if data.person_id is not None:
            person = persons_visible_to(actor).filter(pk=data.person_id).first()
            if person is None:
                raise InvalidInput.field("person", _("No such person in your records."))
        case, outcome = _follow_up(actor, data, reason)
        contact = SupportContact.objects.create(
            institution_id=actor.institution_id,
            received_at=data.received_at or timezone.now(),
            channel=data.channel,
            caller_country_id=data.caller_country or None,
            caller_city=" ".join(data.caller_city.split())[:120],
            reason=reason,
            outcome=outcome,
            duration_seconds=data.duration_seconds,
            person=person,
            case=case,
            recorded_by=actor,
            note=data.note.strip(),
        )
        audit_record(
            actor=actor,
            action="contact.log",
            obj=contact,
            person_id=person.pk if person else None,
            detail={"reason": reason.code, "outcome": outcome},
        )
    return contact


# ---------------------------------------------------------------- mobile consulates


def _consulate_of(actor: User, code: str) -> Site:
    site = Site.objects.filter(
        code=Site.normal_code(code), kind=Site.Kind.CONSULATE, active=True
    ).first()
    if site is None:
        raise InvalidInput.field("consulate", _("Unknown consulate “%(code)s”.") % {"code": code})
    if site.institution_id != actor.institution_id:
        raise InvalidInput.field("consulate", _("This consulate belongs to another institution."))
    return site


def mobile_consulate_create(
    *,
    actor: User,
    consulate_code: str,
    city: str,
    region: str = "",
    opens_on: date,
    closes_on: date | None = None,
    place: str = "",
) -> Site:
    """A mobile consulate: a site run by a consulate for some days in a city of its district."""
    require(actor, Perm.ASSISTANCE_WRITE)
    errors: dict[str, list[str]] = {}
    closes_on = closes_on or opens_on
    if not city.strip():
        errors["city"] = [_("Write the city where the mobile consulate is held.")]
    if closes_on < opens_on:
        errors["closes_on"] = [_("The last day cannot be before the first.")]
    if (closes_on - opens_on).days > 31:
        errors["closes_on"] = [_("A mobile consulate lasts at most a month.")]
    if errors:
        raise InvalidInput(errors)
    consulate = _consulate_of(actor, consulate_code)
    city = " ".join(city.split())
    code = slugify(f"mc-{consulate.code}-{opens_on:%Y%m%d}-{uuid.uuid4().hex[:6]}")[:60]
    label = place.strip() or city
    with transaction.atomic():
        site = Site.objects.create(
            code=code,
            institution_id=consulate.institution_id,
            kind=Site.Kind.MOBILE_CONSULATE,
            parent=consulate,
            country_id=consulate.country_id,
            city=city[:120],
            region=(region.strip() or consulate.region)[:120],
            name_es=f"Consulado móvil {label} ({opens_on:%d/%m/%Y})"[:200],
            name_en=f"Mobile consulate {label} ({opens_on:%Y-%m-%d})"[:200],
            opens_on=opens_on,
            closes_on=closes_on,
        )
        audit_record(actor=actor, action="mobile_consulate.create", obj=site)
    return site


# ---------------------------------------------------------------- register entries


def _site_for_records(actor: User, code: str) -> Site:
    site = Site.objects.filter(
        code=Site.normal_code(code),
        institution_id=actor.institution_id,
        active=True,
        kind__in=[Site.Kind.CONSULATE, Site.Kind.MOBILE_CONSULATE, Site.Kind.OFFICE],
    ).first()
    if site is None:
        raise InvalidInput.field(
            "site", _("Unknown consulate or office “%(code)s”.") % {"code": code}
        )
    return site


def _visible_person(actor: User, person_id: uuid.UUID | None, name: str = "person") -> Person:
    person = persons_visible_to(actor).filter(pk=person_id).first() if person_id else None
    if person is None:
        raise InvalidInput.field(name, _("No such person in your records."))
    return person


def _past_date(errors: dict[str, list[str]], name: str, value: date | None, today: date) -> None:
    if value is None:
        errors[name] = [_("Enter the date.")]
    elif value > today:
        errors[name] = [_("The date cannot be in the future.")]


@dataclass
class CivilRegistrationInput:
    kind: str
    person_id: uuid.UUID | None
    site: str
    event_date: date | None
    event_country: str
    event_place: str = ""
    other_person_id: uuid.UUID | None = None
    recorded_on: date | None = None


def civil_registration_record(*, actor: User, data: CivilRegistrationInput) -> CivilRegistration:
    """A birth, marriage or death of a national abroad, recorded at a consulate."""
    require(actor, Perm.ASSISTANCE_WRITE)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if data.kind not in CivilRegistration.Kind.values:
        errors["kind"] = [_("Choose birth, marriage or death.")]
    _past_date(errors, "event_date", data.event_date, today)
    recorded_on = data.recorded_on or today
    if recorded_on > today:
        errors["recorded_on"] = [_("The date cannot be in the future.")]
    elif data.event_date and recorded_on < data.event_date:
        errors["recorded_on"] = [_("An act cannot be recorded before it happened.")]
    if not Country.objects.filter(code=data.event_country).exists():
        errors["event_country"] = [_("Unknown country code.")]
    if data.kind == CivilRegistration.Kind.MARRIAGE and data.other_person_id is None:
        errors["other_person"] = [_("A marriage needs the other spouse.")]
    if data.other_person_id is not None and data.other_person_id == data.person_id:
        errors["other_person"] = [_("The spouses must be two different people.")]
    if errors:
        raise InvalidInput(errors)
    now = timezone.now()
    with transaction.atomic():
        site = _site_for_records(actor, data.site)
        person = _visible_person(actor, data.person_id)
        other = (
            _visible_person(actor, data.other_person_id, "other_person")
            if data.other_person_id
            else None
        )
        record = CivilRegistration(
            institution_id=actor.institution_id,
            site=site,
            person=person,
            other_person=other,
            kind=data.kind,
            event_date=data.event_date,
            event_country_id=data.event_country,
            event_place=" ".join(data.event_place.split())[:200],
            recorded_on=recorded_on,
            created_by=actor,
            version=0,
        )
        step_take(record, actor, CivilRegistration.Status.RECORDED, now)
        record.save()
        audit_record(
            actor=actor,
            action="civil_registration.record",
            obj=record,
            person_id=person.pk,
            detail={"kind": data.kind},
        )
    return record


# Who may take each step: the recording institution sends (and resends after a rejection);
# the civil registry acknowledges, rejects and registers.
CIVIL_STEPS: dict[tuple[str, str], str] = {
    ("recorded", "sent"): "owner",
    ("rejected", "sent"): "owner",
    ("sent", "acknowledged"): "registry",
    ("sent", "rejected"): "registry",
    ("acknowledged", "rejected"): "registry",
    ("acknowledged", "registered"): "registry",
}


def civil_registration_advance(
    *,
    actor: User,
    record_id: uuid.UUID,
    status: str,
    reason: str = "",
    registry_reference: str = "",
    version: int | None = None,
) -> CivilRegistration:
    require(actor, Perm.ASSISTANCE_WRITE)
    with transaction.atomic():
        record = locked(civil_registrations_visible_to(actor), record_id, version)
        who = CIVIL_STEPS.get((record.status, status))
        is_registry = actor.institution.code == civil_registry_code()
        if who is None:
            raise InvalidInput.field(
                "status",
                _("This entry cannot go from “%(from)s” to “%(to)s”.")
                % {
                    "from": record.get_status_display(),
                    "to": CivilRegistration.Status(status).label
                    if status in CivilRegistration.Status.values
                    else status,
                },
            )
        if (who == "registry") != is_registry or (
            who == "owner" and record.institution_id != actor.institution_id
        ):
            raise InvalidInput.field(
                "status",
                _("Only the civil registry takes this step.")
                if who == "registry"
                else _("Only the institution that recorded the act takes this step."),
            )
        reason = reason.strip()
        registry_reference = registry_reference.strip()
        if status == CivilRegistration.Status.REJECTED and not reason:
            raise InvalidInput.field("reason", _("Say why the registry rejects the entry."))
        if status == CivilRegistration.Status.REGISTERED and not registry_reference:
            raise InvalidInput.field("registry_reference", _("Enter the registry entry number."))
        if status == CivilRegistration.Status.REJECTED:
            record.rejection_reason = reason
        if registry_reference:
            record.registry_reference = registry_reference[:60]
        step_take(
            record, actor, status, timezone.now(), reason=reason, reference=registry_reference
        )
        record.save()
        audit_record(
            actor=actor,
            action="civil_registration.advance",
            obj=record,
            person_id=record.person_id,
            reason=reason,
            detail={"status": status},
        )
    return record


# ---------------------------------------------------------------- travel documents


@dataclass
class TravelDocumentInput:
    kind: str
    person_id: uuid.UUID | None
    site: str
    requested_on: date | None = None


@dataclass
class ParentConsent:
    name: str
    document: str = ""
    relation: str = "parent"


@dataclass
class TravelCheckInput:
    consent_basis: str
    parents: list[ParentConsent] = field(default_factory=list)
    court_order: str = ""


def travel_document_request(*, actor: User, data: TravelDocumentInput) -> TravelDocument:
    require(actor, Perm.ASSISTANCE_WRITE)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if data.kind not in TravelDocument.Kind.values:
        errors["kind"] = [_("Choose the kind of document.")]
    requested_on = data.requested_on or today
    if requested_on > today:
        errors["requested_on"] = [_("The date cannot be in the future.")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        site = _site_for_records(actor, data.site)
        person = _visible_person(actor, data.person_id)
        record = TravelDocument(
            institution_id=actor.institution_id,
            site=site,
            person=person,
            kind=data.kind,
            requested_on=requested_on,
            created_by=actor,
            version=0,
        )
        step_take(record, actor, TravelDocument.Status.REQUESTED, timezone.now())
        record.save()
        audit_record(
            actor=actor,
            action="travel_document.request",
            obj=record,
            person_id=person.pk,
            detail={"kind": data.kind},
        )
    return record


def age_on(person: Person, day: date) -> int | None:
    if person.birth_date is None:
        if person.age_years is None or person.age_recorded_on is None:
            return None
        return person.age_years + (day - person.age_recorded_on).days // 365
    born = person.birth_date
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def travel_check_errors(check: TravelCheckInput, *, is_child: bool) -> dict[str, list[str]]:
    """A child travels with both parents' consent or a court order; an adult needs neither."""
    errors: dict[str, list[str]] = {}
    basis = check.consent_basis
    if basis not in TravelDocument.ConsentBasis.values:
        return {"consent_basis": [_("Choose how the consent was given.")]}
    if is_child and basis == TravelDocument.ConsentBasis.ADULT:
        errors["consent_basis"] = [
            _("The applicant is a child: both parents' consent or a court order is required.")
        ]
    named = [p for p in check.parents if p.name.strip()]
    if basis == TravelDocument.ConsentBasis.BOTH_PARENTS and len(named) < 2:
        errors["parents"] = [_("Name both parents who gave their consent.")]
    if basis == TravelDocument.ConsentBasis.COURT_ORDER and not check.court_order.strip():
        errors["court_order"] = [_("Enter the court order's reference.")]
    return errors


def _travel_for_update(actor: User, record_id: uuid.UUID, version: int | None) -> TravelDocument:
    return locked(travel_documents_visible_to(actor), record_id, version)


def travel_document_check(
    *,
    actor: User,
    record_id: uuid.UUID,
    check: TravelCheckInput,
    version: int | None = None,
) -> TravelDocument:
    require(actor, Perm.ASSISTANCE_WRITE)
    with transaction.atomic():
        record = _travel_for_update(actor, record_id, version)
        if record.status != TravelDocument.Status.REQUESTED:
            raise InvalidInput.field("status", _("Only a new request can be checked."))
        age = age_on(record.person, record.requested_on)
        # Unknown age counts as a child: the safer reading for a travel document.
        errors = travel_check_errors(check, is_child=age is None or age < ADULT_AGE)
        if errors:
            raise InvalidInput(errors)
        record.consent_basis = check.consent_basis
        record.parents = [
            {
                "name": " ".join(p.name.split()),
                "document": p.document.strip(),
                "relation": p.relation,
            }
            for p in check.parents
            if p.name.strip()
        ]
        record.court_order = check.court_order.strip()[:120]
        step_take(
            record, actor, TravelDocument.Status.CHECKED, timezone.now(), basis=check.consent_basis
        )
        record.save()
        audit_record(
            actor=actor,
            action="travel_document.check",
            obj=record,
            person_id=record.person_id,
            detail={"basis": check.consent_basis},
        )
    return record


def travel_document_decide(
    *,
    actor: User,
    record_id: uuid.UUID,
    issue: bool,
    document_number: str = "",
    reason: str = "",
    version: int | None = None,
) -> TravelDocument:
    """Issue a checked request, or refuse a request at any point before issue, with a reason."""
    require(actor, Perm.ASSISTANCE_WRITE)
    with transaction.atomic():
        record = _travel_for_update(actor, record_id, version)
        reason, document_number = reason.strip(), document_number.strip()
        if issue:
            if record.status != TravelDocument.Status.CHECKED:
                raise InvalidInput.field("status", _("Check the request before issuing."))
            if not document_number:
                raise InvalidInput.field("document_number", _("Enter the document number."))
            record.document_number = document_number[:40]
            status = TravelDocument.Status.ISSUED
        else:
            if record.status not in (
                TravelDocument.Status.REQUESTED,
                TravelDocument.Status.CHECKED,
            ):
                raise InvalidInput.field("status", _("This request is already decided."))
            if not reason:
                raise InvalidInput.field("reason", _("Say why the request is refused."))
            record.refusal_reason = reason
            status = TravelDocument.Status.REFUSED
        step_take(record, actor, status, timezone.now(), reason=reason, number=document_number)
        record.save()
        audit_record(
            actor=actor,
            action=f"travel_document.{'issue' if issue else 'refuse'}",
            obj=record,
            person_id=record.person_id,
            reason=reason,
        )
    return record
