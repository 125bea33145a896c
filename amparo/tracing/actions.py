"""Writes of the tracing registers: missing-person reports and their searches, unidentified
remains and their identification, family tracing and reunification.

Each action checks the role and the scope, refuses bad input with a message per field, and
writes the entry and its audit entry in one transaction. A stale `version` is a Conflict.
Nothing is identified or linked automatically: matching proposes, a person decides.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.cases.actions import case_open
from amparo.core.audit import audit_record
from amparo.core.errors import InvalidInput, NotFound
from amparo.core.models import Country, Site, User
from amparo.core.permissions import Perm, require
from amparo.core.tracked import locked, step_note, step_take
from amparo.people.models import Person
from amparo.people.queries import persons_visible_to

from .models import (
    MissingReport,
    SearchRequest,
    TracingCandidate,
    TracingRequest,
    UnidentifiedRemains,
)
from .queries import (
    forensic_institution,
    is_forensic,
    remains_visible_to,
    reports_visible_to,
    tracing_visible_to,
)

FOUND_ALIVE_PROTOCOL = "assistance_abroad"
MAX_AGE = 120
TEXT_MAX = 4000


def _one_line(value: str, limit: int) -> str:
    return " ".join(value.split())[:limit]


def _text(errors: dict[str, list[str]], name: str, value: str, limit: int = TEXT_MAX) -> str:
    value = value.strip()
    if len(value) > limit:
        errors[name] = [_("Too long (%(n)s characters at most).") % {"n": f"{limit:,}"}]
    return value


def _country(errors: dict[str, list[str]], name: str, code: str | None, required=True) -> str:
    code = (code or "").strip().upper()
    if not code:
        if required:
            errors[name] = [_("Choose the country.")]
        return ""
    if not Country.objects.filter(code=code).exists():
        errors[name] = [_("Unknown country code.")]
    return code


def _past(errors: dict[str, list[str]], name: str, value: date | None, today: date) -> None:
    if value is not None and value > today:
        errors[name] = [_("The date cannot be in the future.")]


def _visible_person(actor: User, person_id: uuid.UUID | None, name: str) -> Person:
    person = persons_visible_to(actor).filter(pk=person_id).first() if person_id else None
    if person is None:
        raise InvalidInput.field(name, _("Find the person in your records and choose them."))
    return person


def _own_site(actor: User, code: str, name: str = "site") -> Site | None:
    if not code.strip():
        return None
    site = Site.objects.filter(
        code=Site.normal_code(code), institution_id=actor.institution_id, active=True
    ).first()
    if site is None:
        raise InvalidInput.field(name, _("Unknown site “%(code)s”.") % {"code": code[:60]})
    return site


# ---------------------------------------------------------------- missing-person reports


@dataclass
class ReportInput:
    person_id: uuid.UUID | None
    channel: str
    last_seen_country: str
    last_seen_place: str = ""
    last_seen_on: date | None = None
    reported_on: date | None = None
    site: str = ""
    reporter_id: uuid.UUID | None = None
    reporter_name: str = ""
    reporter_relation: str = ""
    reporter_contact: str = ""
    route: str = ""
    description: str = ""
    clothing: str = ""
    contacts: str = ""
    reference_sample: bool = False
    sample_held_by: str = ""
    sample_reference: str = ""


def validate_report(data: ReportInput, today: date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if data.person_id is None:
        errors["person"] = [_("Find the missing person, or register them, and choose them.")]
    if data.channel not in MissingReport.Channel.values:
        errors["channel"] = [_("Choose how the report was made.")]
    _country(errors, "last_seen_country", data.last_seen_country)
    _past(errors, "last_seen_on", data.last_seen_on, today)
    _past(errors, "reported_on", data.reported_on, today)
    if data.last_seen_on and data.reported_on and data.reported_on < data.last_seen_on:
        errors["reported_on"] = [_("A report cannot come before the person was last seen.")]
    if data.reporter_id is None and not data.reporter_name.strip():
        errors["reporter_name"] = [_("Choose the reporter, or write their name.")]
    if data.reporter_id is not None and data.reporter_id == data.person_id:
        errors["reporter"] = [_("The reporter cannot be the missing person.")]
    if (
        data.reporter_id is None
        and data.reporter_name.strip()
        and not data.reporter_contact.strip()
    ):
        errors["reporter_contact"] = [_("Write how to reach the reporter.")]
    for name in ("reporter_name", "reporter_contact", "last_seen_place", "sample_held_by"):
        if len(getattr(data, name).strip()) > 200:
            errors[name] = [_("Too long (200 characters at most).")]
    for name in ("route", "description", "clothing", "contacts"):
        _text(errors, name, getattr(data, name))
    if data.reference_sample and not data.sample_held_by.strip():
        errors["sample_held_by"] = [_("Say where the reference sample is held.")]
    if not data.reference_sample and (data.sample_held_by.strip() or data.sample_reference.strip()):
        errors["reference_sample"] = [
            _("Tick that a reference sample was given, or leave its details empty.")
        ]
    if len(data.sample_reference.strip()) > 60:
        errors["sample_reference"] = [_("Too long (60 characters at most).")]
    if len(data.reporter_relation.strip()) > 60:
        errors["reporter_relation"] = [_("Too long (60 characters at most).")]
    return errors


def report_record(*, actor: User, data: ReportInput) -> MissingReport:
    """A person reported missing by their family (in person, by the support line, at a
    consulate)."""
    require(actor, Perm.TRACING_WRITE)
    today = timezone.localdate()
    errors = validate_report(data, today)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        person = _visible_person(actor, data.person_id, "person")
        reporter = (
            _visible_person(actor, data.reporter_id, "reporter") if data.reporter_id else None
        )
        report = MissingReport(
            institution_id=actor.institution_id,
            team_id=actor.team_id,
            site=_own_site(actor, data.site),
            channel=data.channel,
            reported_on=data.reported_on or today,
            person=person,
            reporter=reporter,
            reporter_name=_one_line(data.reporter_name, 200) if reporter is None else "",
            reporter_relation=_one_line(data.reporter_relation, 60),
            reporter_contact=_one_line(data.reporter_contact, 200),
            last_seen_on=data.last_seen_on,
            last_seen_country_id=data.last_seen_country.strip().upper(),
            last_seen_place=_one_line(data.last_seen_place, 200),
            route=data.route.strip(),
            description=data.description.strip(),
            clothing=data.clothing.strip(),
            contacts=data.contacts.strip(),
            reference_sample=data.reference_sample,
            sample_held_by=_one_line(data.sample_held_by, 200),
            sample_reference=_one_line(data.sample_reference, 60),
            created_by=actor,
            version=0,
        )
        step_take(report, actor, MissingReport.Status.MISSING, timezone.now())
        report.save()
        audit_record(
            actor=actor,
            action="missing_report.record",
            obj=report,
            person_id=person.pk,
            detail={"channel": data.channel, "country": report.last_seen_country_id},
        )
    return report


def _report_for_update(actor: User, report_id: uuid.UUID, version: int | None) -> MissingReport:
    return locked(reports_visible_to(actor), report_id, version)


def report_forensic_request(
    *, actor: User, report_id: uuid.UUID, version: int | None = None
) -> MissingReport:
    """Ask the forensic institute to compare the report with unidentified remains: from then on
    the institute sees the report (never a protected person's)."""
    require(actor, Perm.TRACING_WRITE)
    with transaction.atomic():
        report = _report_for_update(actor, report_id, version)
        if report.institution_id != actor.institution_id:
            raise InvalidInput.field(
                "report", _("Only the institution that recorded the report asks for this.")
            )
        if report.person.protected:
            raise InvalidInput.field(
                "report",
                _("The person is protected: refer the case to the forensic institute instead."),
            )
        if report.forensic_requested_at is not None:
            raise InvalidInput.field("report", _("The forensic institute was already asked."))
        now = timezone.now()
        report.forensic_requested_at = now
        step_note(report, actor, now, "forensic_request")
        report.save()
        audit_record(
            actor=actor,
            action="missing_report.forensic_request",
            obj=report,
            person_id=report.person_id,
            detail={"to": forensic_institution()},
        )
    return report


@dataclass
class SearchInput:
    authority: str
    country: str
    site: str
    sent_on: date | None = None


def search_request_send(
    *, actor: User, report_id: uuid.UUID, data: SearchInput, version: int | None = None
) -> SearchRequest:
    """A search sent to a foreign authority through a consulate."""
    require(actor, Perm.TRACING_WRITE)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if not data.authority.strip():
        errors["authority"] = [_("Name the authority the search is sent to.")]
    elif len(data.authority.strip()) > 200:
        errors["authority"] = [_("Too long (200 characters at most).")]
    country = _country(errors, "country", data.country)
    _past(errors, "sent_on", data.sent_on, today)
    site = Site.objects.filter(
        code=Site.normal_code(data.site),
        kind__in=[Site.Kind.CONSULATE, Site.Kind.MOBILE_CONSULATE],
        active=True,
    ).first()
    if site is None:
        errors["site"] = [_("Choose the consulate the search goes through.")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        report = _report_for_update(actor, report_id, version)
        if report.status != MissingReport.Status.MISSING:
            raise InvalidInput.field("report", _("The person is no longer missing."))
        if report.person.protected and site.institution_id != actor.institution_id:  # type: ignore[union-attr]
            raise InvalidInput.field(
                "site", _("The person is protected: only your own consulates may search.")
            )
        sent_on = data.sent_on or today
        if sent_on < report.reported_on:
            raise InvalidInput.field("sent_on", _("A search cannot be sent before the report."))
        search = SearchRequest.objects.create(
            report=report,
            authority=_one_line(data.authority, 200),
            country_id=country,
            site=site,
            sent_on=sent_on,
            created_by=actor,
        )
        step_note(report, actor, timezone.now(), "search_sent", reference=search.authority)
        report.save()
        audit_record(
            actor=actor,
            action="search_request.send",
            obj=search,
            person_id=report.person_id,
            detail={"country": country, "site": site.code},  # type: ignore[union-attr]
        )
    return search


def search_request_answer(
    *, actor: User, search_id: uuid.UUID, answer: str, answered_on: date | None = None
) -> SearchRequest:
    require(actor, Perm.TRACING_WRITE)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    answer = _text(errors, "answer", answer)
    if not answer:
        errors["answer"] = [_("Write the authority's answer.")]
    _past(errors, "answered_on", answered_on, today)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        search = (
            SearchRequest.objects.select_for_update()
            .filter(pk=search_id, report__in=reports_visible_to(actor).values("pk"))
            .first()
        )
        if search is None:
            raise NotFound
        if search.answered_on is not None:
            raise InvalidInput.field("answer", _("This search already has its answer."))
        answered_on = answered_on or today
        if answered_on < search.sent_on:
            raise InvalidInput.field("answered_on", _("An answer cannot come before the search."))
        search.answer, search.answered_on = answer, answered_on
        search.save(update_fields=["answer", "answered_on"])
        report = MissingReport.objects.select_for_update().get(pk=search.report_id)
        step_note(report, actor, timezone.now(), "search_answered", reference=search.authority)
        report.save()
        audit_record(
            actor=actor,
            action="search_request.answer",
            obj=search,
            person_id=report.person_id,
        )
    return search


@dataclass
class FoundInput:
    found_on: date | None
    country: str
    place: str = ""
    note: str = ""
    found_person_id: uuid.UUID | None = None  # another record of the person (a match)


def report_found_alive(
    *, actor: User, report_id: uuid.UUID, data: FoundInput, version: int | None = None
) -> MissingReport:
    """The person was found alive; consular assistance follows (`report_open_case`)."""
    require(actor, Perm.TRACING_WRITE)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if data.found_on is None:
        errors["found_on"] = [_("Enter the date.")]
    _past(errors, "found_on", data.found_on, today)
    country = _country(errors, "country", data.country)
    if len(data.place.strip()) > 200:
        errors["place"] = [_("Too long (200 characters at most).")]
    note = _text(errors, "note", data.note)
    if data.found_person_id is not None and not note:
        errors["note"] = [_("Say why this record is the missing person.")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        report = _report_for_update(actor, report_id, version)
        if report.status != MissingReport.Status.MISSING:
            raise InvalidInput.field("status", _("The outcome is already recorded."))
        if report.last_seen_on and data.found_on < report.last_seen_on:  # type: ignore[operator]
            raise InvalidInput.field(
                "found_on", _("The person cannot be found before they were last seen.")
            )
        found_person = None
        if data.found_person_id is not None:
            found_person = _visible_person(actor, data.found_person_id, "found_person")
        report.found_on, report.found_country_id = data.found_on, country
        report.found_place = _one_line(data.place, 200)
        report.found_person = found_person
        report.outcome_note = note
        step_take(report, actor, MissingReport.Status.FOUND_ALIVE, timezone.now(), reason=note)
        report.save()
        audit_record(
            actor=actor,
            action="missing_report.found_alive",
            obj=report,
            person_id=report.person_id,
            reason=note[:1000],
            detail={
                "country": country,
                "found_person": str(found_person.pk) if found_person else "",
            },
        )
    return report


def report_open_case(*, actor: User, report_id: uuid.UUID) -> MissingReport:
    """Open the consular assistance case that follows a person found alive."""
    require(actor, Perm.CASE_WRITE)
    require(actor, Perm.TRACING_WRITE)
    with transaction.atomic():
        report = _report_for_update(actor, report_id, None)
        if report.status != MissingReport.Status.FOUND_ALIVE:
            raise InvalidInput.field("case", _("A case follows once the person is found alive."))
        if report.case_id is not None:
            raise InvalidInput.field("case", _("The case is already open."))
        person_id = report.found_person_id or report.person_id
        try:
            case = case_open(actor=actor, protocol_code=FOUND_ALIVE_PROTOCOL, person_id=person_id)
        except InvalidInput as exc:
            raise InvalidInput({"case": [m for ms in exc.errors.values() for m in ms]}) from exc
        report.case = case
        step_note(report, actor, timezone.now(), "case_opened")
        report.save()
        audit_record(
            actor=actor,
            action="missing_report.case_open",
            obj=report,
            person_id=report.person_id,
            detail={"case": str(case.pk)},
        )
    return report


# ---------------------------------------------------------------- unidentified remains


@dataclass
class RemainsInput:
    reference: str
    found_on: date | None
    found_country: str
    found_place: str
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    age_min: int | None = None
    age_max: int | None = None
    sex: str = "U"
    descriptors: str = ""
    belongings: str = ""
    burial_place: str = ""
    grave_reference: str = ""


def validate_remains(data: RemainsInput, today: date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.reference.strip():
        errors["reference"] = [_("Enter the forensic reference.")]
    elif len(data.reference.strip()) > 60:
        errors["reference"] = [_("Too long (60 characters at most).")]
    if data.found_on is None:
        errors["found_on"] = [_("Enter the date.")]
    _past(errors, "found_on", data.found_on, today)
    _country(errors, "found_country", data.found_country)
    if not data.found_place.strip():
        errors["found_place"] = [_("Write where the remains were found.")]
    elif len(data.found_place.strip()) > 200:
        errors["found_place"] = [_("Too long (200 characters at most).")]
    if (data.latitude is None) != (data.longitude is None):
        errors["latitude" if data.latitude is None else "longitude"] = [
            _("Give both coordinates, or neither.")
        ]
    if data.latitude is not None and not -90 <= data.latitude <= 90:
        errors["latitude"] = [_("A latitude is between -90 and 90.")]
    if data.longitude is not None and not -180 <= data.longitude <= 180:
        errors["longitude"] = [_("A longitude is between -180 and 180.")]
    for name in ("age_min", "age_max"):
        value = getattr(data, name)
        if value is not None and not 0 <= value <= MAX_AGE:
            errors[name] = [_("An age is between 0 and %(n)s.") % {"n": MAX_AGE}]
    if (
        data.age_min is not None
        and data.age_max is not None
        and "age_min" not in errors
        and "age_max" not in errors
        and data.age_max < data.age_min
    ):
        errors["age_max"] = [_("The upper age cannot be below the lower one.")]
    if data.sex not in UnidentifiedRemains.Sex.values:
        errors["sex"] = [_("Choose female, male or not determined.")]
    for name in ("descriptors", "belongings"):
        _text(errors, name, getattr(data, name))
    if len(data.burial_place.strip()) > 200:
        errors["burial_place"] = [_("Too long (200 characters at most).")]
    if len(data.grave_reference.strip()) > 100:
        errors["grave_reference"] = [_("Too long (100 characters at most).")]
    if data.grave_reference.strip() and not data.burial_place.strip():
        errors["burial_place"] = [_("Name the cemetery of this grave.")]
    return errors


def remains_record(*, actor: User, data: RemainsInput) -> UnidentifiedRemains:
    require(actor, Perm.TRACING_WRITE)
    today = timezone.localdate()
    errors = validate_remains(data, today)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        remains = UnidentifiedRemains(
            institution_id=actor.institution_id,
            team_id=actor.team_id,
            reference=_one_line(data.reference, 60),
            found_on=data.found_on,
            found_country_id=data.found_country.strip().upper(),
            found_place=_one_line(data.found_place, 200),
            latitude=data.latitude,
            longitude=data.longitude,
            age_min=data.age_min,
            age_max=data.age_max,
            sex=data.sex,
            descriptors=data.descriptors.strip(),
            belongings=data.belongings.strip(),
            burial_place=_one_line(data.burial_place, 200),
            grave_reference=_one_line(data.grave_reference, 100),
            created_by=actor,
            version=0,
        )
        step_take(remains, actor, UnidentifiedRemains.Status.UNIDENTIFIED, timezone.now())
        remains.save()
        audit_record(
            actor=actor,
            action="remains.record",
            obj=remains,
            detail={"country": remains.found_country_id},
        )
    return remains


def remains_update_burial(
    *,
    actor: User,
    remains_id: uuid.UUID,
    burial_place: str,
    grave_reference: str = "",
    version: int | None = None,
) -> UnidentifiedRemains:
    """Where the remains are buried (or moved to): kept so identification stays possible."""
    require(actor, Perm.TRACING_WRITE)
    errors: dict[str, list[str]] = {}
    if not burial_place.strip():
        errors["burial_place"] = [_("Name the cemetery or burial place.")]
    elif len(burial_place.strip()) > 200:
        errors["burial_place"] = [_("Too long (200 characters at most).")]
    if len(grave_reference.strip()) > 100:
        errors["grave_reference"] = [_("Too long (100 characters at most).")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        remains = locked(remains_visible_to(actor), remains_id, version)
        if remains.institution_id != actor.institution_id and not is_forensic(actor):
            raise InvalidInput.field(
                "burial_place", _("Only the institution that recorded the remains changes this.")
            )
        remains.burial_place = _one_line(burial_place, 200)
        remains.grave_reference = _one_line(grave_reference, 100)
        step_note(remains, actor, timezone.now(), "burial", reference=remains.burial_place)
        remains.save()
        audit_record(actor=actor, action="remains.burial", obj=remains)
    return remains


@dataclass
class IdentifyInput:
    report_id: uuid.UUID | None
    evidence: list[str] = field(default_factory=list)
    note: str = ""
    identified_on: date | None = None


def remains_identify(
    *, actor: User, remains_id: uuid.UUID, data: IdentifyInput, version: int | None = None
) -> UnidentifiedRemains:
    """Forensic staff identify remains as the person of a missing-person report, on primary
    evidence (fingerprints, dental records, DNA). The report's outcome becomes "found
    deceased"; both are written together."""
    require(actor, Perm.TRACING_IDENTIFY)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if not is_forensic(actor):
        errors["evidence"] = [_("Only forensic staff of the forensic institute identify remains.")]
    if data.report_id is None:
        errors["report"] = [_("Choose the missing-person report.")]
    evidence = list(dict.fromkeys(data.evidence))
    if not evidence:
        errors["evidence"] = [_("Identification rests on primary evidence: choose which.")]
    elif any(e not in UnidentifiedRemains.Evidence.values for e in evidence):
        errors["evidence"] = [_("Choose fingerprints, dental records or DNA.")]
    note = _text(errors, "note", data.note)
    if not note:
        errors["note"] = [_("Say on what the identification rests.")]
    _past(errors, "identified_on", data.identified_on, today)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        remains = locked(remains_visible_to(actor), remains_id, version)
        if remains.status != UnidentifiedRemains.Status.UNIDENTIFIED:
            raise InvalidInput.field("report", _("These remains are already identified."))
        report = reports_visible_to(actor).select_for_update().filter(pk=data.report_id).first()
        if report is None:
            raise InvalidInput.field("report", _("No such report was sent to you for comparison."))
        if report.status != MissingReport.Status.MISSING:
            raise InvalidInput.field("report", _("This person is no longer missing."))
        identified_on = data.identified_on or today
        now = timezone.now()
        remains.report, remains.person_id = report, report.person_id
        remains.evidence = evidence
        remains.identified_on, remains.identified_by = identified_on, actor
        remains.identification_note = note
        step_take(remains, actor, UnidentifiedRemains.Status.IDENTIFIED, now, reason=note)
        remains.save()
        report.found_on, report.found_country_id = identified_on, remains.found_country_id
        report.found_place = remains.found_place
        report.outcome_note = note
        step_take(
            report,
            actor,
            MissingReport.Status.FOUND_DECEASED,
            now,
            reason=note,
            reference=remains.reference,
        )
        report.save()
        audit_record(
            actor=actor,
            action="remains.identify",
            obj=remains,
            person_id=report.person_id,
            reason=note[:1000],
            detail={"evidence": evidence, "report": str(report.pk)},
        )
        audit_record(
            actor=actor,
            action="missing_report.found_deceased",
            obj=report,
            person_id=report.person_id,
            detail={"remains": str(remains.pk)},
        )
    return remains


# ---------------------------------------------------------------- family tracing


@dataclass
class RelativeSought:
    name: str
    relation: str = "other"
    country: str = ""
    place: str = ""


@dataclass
class TracingInput:
    child_id: uuid.UUID | None
    child_where: str
    relatives: list[RelativeSought] = field(default_factory=list)
    requested_on: date | None = None
    site: str = ""
    note: str = ""


def tracing_open(*, actor: User, data: TracingInput) -> TracingRequest:
    """A tracing request for a child's parents or relatives in other countries."""
    require(actor, Perm.TRACING_WRITE)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if data.child_id is None:
        errors["child"] = [_("Find the child, or register them, and choose them.")]
    if data.child_where not in TracingRequest.Where.values:
        errors["child_where"] = [_("Say whether the child has returned or is abroad.")]
    _past(errors, "requested_on", data.requested_on, today)
    relatives = [r for r in data.relatives if r.name.strip()]
    if not relatives:
        errors["relatives"] = [_("Name at least one relative sought.")]
    for r in relatives:
        if r.relation not in TracingCandidate.Relation.values:
            errors["relatives"] = [_("Choose each relative's relation from the list.")]
        elif r.country and not Country.objects.filter(code=r.country.strip().upper()).exists():
            errors["relatives"] = [_("Unknown country code.")]
        elif len(r.name.strip()) > 200 or len(r.place.strip()) > 200:
            errors["relatives"] = [_("Too long (200 characters at most).")]
    note = _text(errors, "note", data.note)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        child = _visible_person(actor, data.child_id, "child")
        request = TracingRequest(
            institution_id=actor.institution_id,
            team_id=actor.team_id,
            site=_own_site(actor, data.site),
            child=child,
            child_where=data.child_where,
            requested_on=data.requested_on or today,
            relatives_sought=[
                {
                    "name": _one_line(r.name, 200),
                    "relation": r.relation,
                    "country": r.country.strip().upper(),
                    "place": _one_line(r.place, 200),
                }
                for r in relatives
            ],
            note=note,
            created_by=actor,
            version=0,
        )
        step_take(request, actor, TracingRequest.Status.OPEN, timezone.now())
        request.save()
        audit_record(
            actor=actor,
            action="tracing.open",
            obj=request,
            person_id=child.pk,
            detail={"relatives": len(relatives)},
        )
    return request


def _tracing_for_update(actor: User, request_id: uuid.UUID, version: int | None) -> TracingRequest:
    return locked(tracing_visible_to(actor), request_id, version)


OPEN_STATUSES = (TracingRequest.Status.OPEN, TracingRequest.Status.IN_PROGRESS)


def tracing_candidate_add(
    *,
    actor: User,
    request_id: uuid.UUID,
    person_id: uuid.UUID | None,
    relation: str,
    how_found: str,
    version: int | None = None,
) -> TracingCandidate:
    """A relative found: a person on record, with how they were found. To be verified."""
    require(actor, Perm.TRACING_WRITE)
    errors: dict[str, list[str]] = {}
    if person_id is None:
        errors["person"] = [_("Find the relative, or register them, and choose them.")]
    if relation not in TracingCandidate.Relation.values:
        errors["relation"] = [_("Choose the relation.")]
    if not how_found.strip():
        errors["how_found"] = [_("Say how the relative was found.")]
    elif len(how_found.strip()) > 200:
        errors["how_found"] = [_("Too long (200 characters at most).")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        request = _tracing_for_update(actor, request_id, version)
        if request.status not in OPEN_STATUSES:
            raise InvalidInput.field("person", _("The tracing request is closed."))
        person = _visible_person(actor, person_id, "person")
        if person.pk == request.child_id:
            raise InvalidInput.field("person", _("The child cannot be their own relative."))
        if request.candidates.filter(person=person).exists():
            raise InvalidInput.field("person", _("This person is already a candidate."))
        candidate = TracingCandidate.objects.create(
            request=request,
            person=person,
            relation=relation,
            how_found=_one_line(how_found, 200),
            created_by=actor,
        )
        step_note(request, actor, timezone.now(), "candidate_added", reference=candidate.how_found)
        request.save()
        audit_record(
            actor=actor,
            action="tracing.candidate_add",
            obj=candidate,
            person_id=person.pk,
            detail={"request": str(request.pk), "relation": relation},
        )
    return candidate


def tracing_candidate_decide(
    *,
    actor: User,
    candidate_id: uuid.UUID,
    verified: bool,
    verification: str = "",
    reason: str = "",
) -> TracingCandidate:
    """Verify a candidate relative (how: documents, interview, DNA reference...) or reject them
    with a reason."""
    require(actor, Perm.TRACING_WRITE)
    errors: dict[str, list[str]] = {}
    verification, reason = verification.strip(), reason.strip()
    if verified and not verification:
        errors["verification"] = [_("Say how the relationship was verified.")]
    if len(verification) > 200:
        errors["verification"] = [_("Too long (200 characters at most).")]
    if not verified and not reason:
        errors["reason"] = [_("Say why the candidate is rejected.")]
    reason = _text(errors, "reason", reason)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        candidate = (
            TracingCandidate.objects.select_for_update()
            .filter(pk=candidate_id, request__in=tracing_visible_to(actor).values("pk"))
            .first()
        )
        if candidate is None:
            raise NotFound
        if candidate.status != TracingCandidate.Status.PROPOSED:
            raise InvalidInput.field("verification", _("This candidate is already decided."))
        request = TracingRequest.objects.select_for_update().get(pk=candidate.request_id)
        if request.status not in OPEN_STATUSES:
            raise InvalidInput.field("verification", _("The tracing request is closed."))
        candidate.status = (
            TracingCandidate.Status.VERIFIED if verified else TracingCandidate.Status.REJECTED
        )
        candidate.verification = verification
        candidate.reason = reason
        candidate.decided_by, candidate.decided_on = actor, timezone.localdate()
        candidate.save()
        what = "candidate_verified" if verified else "candidate_rejected"
        step_note(request, actor, timezone.now(), what, reason=reason or verification)
        request.save()
        audit_record(
            actor=actor,
            action=f"tracing.candidate_{'verify' if verified else 'reject'}",
            obj=candidate,
            person_id=candidate.person_id,
            reason=reason[:1000],
            detail={"request": str(request.pk)},
        )
    return candidate


TRACING_STEPS = {
    TracingRequest.Status.OPEN: {
        TracingRequest.Status.IN_PROGRESS,
        TracingRequest.Status.REUNIFIED,
        TracingRequest.Status.NOT_REUNIFIED,
    },
    TracingRequest.Status.IN_PROGRESS: {
        TracingRequest.Status.REUNIFIED,
        TracingRequest.Status.NOT_REUNIFIED,
    },
}


def tracing_outcome(
    *,
    actor: User,
    request_id: uuid.UUID,
    status: str,
    on: date | None = None,
    reason: str = "",
    version: int | None = None,
) -> TracingRequest:
    """Reunification under way, the family reunified (a verified relative is needed), or not
    reunified with the reason."""
    require(actor, Perm.TRACING_WRITE)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    _past(errors, "on", on, today)
    reason = _text(errors, "reason", reason)
    if status == TracingRequest.Status.NOT_REUNIFIED and not reason:
        errors["reason"] = [_("Say why the family was not reunified.")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        request = _tracing_for_update(actor, request_id, version)
        if status not in TRACING_STEPS.get(request.status, set()):
            labels = dict(TracingRequest.Status.choices)
            raise InvalidInput.field(
                "status",
                _("This request cannot go from “%(from)s” to “%(to)s”.")
                % {"from": request.get_status_display(), "to": labels.get(status, status[:30])},
            )
        verified = request.candidates.filter(status=TracingCandidate.Status.VERIFIED).exists()
        if status in (TracingRequest.Status.IN_PROGRESS, TracingRequest.Status.REUNIFIED) and (
            not verified
        ):
            raise InvalidInput.field("status", _("Verify a relative before reunifying the family."))
        on = on or today
        if on < request.requested_on:
            raise InvalidInput.field("on", _("The date cannot be before the request."))
        if status != TracingRequest.Status.IN_PROGRESS:
            request.outcome_on = on
            request.outcome_reason = reason
        step_take(request, actor, status, timezone.now(), reason=reason)
        request.save()
        audit_record(
            actor=actor,
            action="tracing.outcome",
            obj=request,
            person_id=request.child_id,
            reason=reason[:1000],
            detail={"status": status},
        )
    return request
