"""Writes to people. Each action is atomic and writes its own audit entry.

Nothing else saves these models: views and API endpoints parse input and call an action.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.core.audit import audit_record
from amparo.core.errors import Conflict, InvalidInput, NotFound
from amparo.core.models import Country, Language, Municipality, User
from amparo.core.permissions import Perm, require

from .models import (
    PROTECTING_MARKERS,
    BirthDatePrecision,
    ContactPoint,
    DocumentType,
    Household,
    HouseholdMember,
    IdentityDocument,
    Involvement,
    Person,
    PersonMerge,
    PersonName,
    PersonSearchToken,
    Relation,
    RelationKind,
    RelationToHead,
    Sex,
    Vulnerability,
    VulnerabilityMarker,
)
from .queries import households_visible_to, persons_visible_to
from .text import name_tokens, normalize_document_number

MAX_AGE = 120


@dataclass
class PersonInput:
    given_names: str
    first_surname: str = ""
    second_surname: str = ""
    sex: str = Sex.UNKNOWN
    birth_date: date | None = None
    birth_date_precision: str = BirthDatePrecision.EXACT
    age_years: int | None = None
    age_recorded_on: date | None = None
    nationality: str | None = None
    origin_municipality: str | None = None
    origin_place: str = ""
    preferred_language: str | None = None
    other_languages: list[str] = field(default_factory=list)


@dataclass
class DocumentInput:
    doc_type: str
    number: str
    issuing_country: str
    expires_on: date | None = None


PERSON_FIELDS = [f for f in PersonInput.__dataclass_fields__ if f != "other_languages"]


def _clean_text(value: str | None) -> str:
    return " ".join((value or "").split())


def validate_person(data: PersonInput, *, today: date | None = None) -> dict[str, list[str]]:
    """Every rule a person must satisfy, with a message per field in the active language."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    data.given_names = _clean_text(data.given_names)
    data.first_surname = _clean_text(data.first_surname)
    data.second_surname = _clean_text(data.second_surname)
    if not data.given_names and not data.first_surname:
        add("given_names", _("Enter the given names or at least one surname."))
    for name in ("given_names", "first_surname", "second_surname"):
        if len(getattr(data, name)) > (200 if name == "given_names" else 100):
            add(name, _("This name is too long."))
    if data.sex not in Sex.values:
        add("sex", _("Unknown value “%(value)s”.") % {"value": data.sex})
    if data.birth_date_precision not in BirthDatePrecision.values:
        add(
            "birth_date_precision",
            _("Unknown value “%(value)s”.") % {"value": data.birth_date_precision},
        )
    if data.birth_date:
        if data.birth_date > today:
            add("birth_date", _("The date of birth cannot be in the future."))
        elif today.year - data.birth_date.year > MAX_AGE:
            add(
                "birth_date",
                _("The date of birth gives an age over %(max)s years.") % {"max": MAX_AGE},
            )
    if data.age_years is not None:
        if data.age_years < 0 or data.age_years > MAX_AGE:
            add("age_years", _("The age must be between 0 and %(max)s.") % {"max": MAX_AGE})
        if data.age_recorded_on is None:
            data.age_recorded_on = today
        elif data.age_recorded_on > today:
            add("age_recorded_on", _("The date the age was given cannot be in the future."))
        if data.birth_date and not errors.get("birth_date"):
            born = data.birth_date
            at = data.age_recorded_on
            actual = at.year - born.year - ((at.month, at.day) < (born.month, born.day))
            if abs(actual - data.age_years) > 1:
                add("age_years", _("The age does not agree with the date of birth."))
    if data.nationality and not Country.objects.filter(code=data.nationality.upper()).exists():
        add("nationality", _("Unknown country code “%(code)s”.") % {"code": data.nationality})
    elif data.nationality:
        data.nationality = data.nationality.upper()
    if (
        data.origin_municipality
        and not Municipality.objects.filter(code=data.origin_municipality).exists()
    ):
        add(
            "origin_municipality",
            _("Unknown municipality code “%(code)s”.") % {"code": data.origin_municipality},
        )
    languages = [c for c in [data.preferred_language, *data.other_languages] if c]
    known = set(Language.objects.filter(code__in=languages).values_list("code", flat=True))
    for code in languages:
        if code not in known:
            name = "preferred_language" if code == data.preferred_language else "other_languages"
            add(name, _("Unknown language code “%(code)s”.") % {"code": code})
    return errors


def validate_document(doc: DocumentInput, *, index: int | None = None) -> dict[str, list[str]]:
    prefix = f"documents[{index}]." if index is not None else ""
    errors: dict[str, list[str]] = {}
    if doc.doc_type not in DocumentType.values:
        errors[prefix + "doc_type"] = [
            _("Unknown document type “%(value)s”.") % {"value": doc.doc_type}
        ]
    normalized = normalize_document_number(doc.number or "")
    if not normalized:
        errors[prefix + "number"] = [_("Enter the document number.")]
    elif len(normalized) > 40:
        errors[prefix + "number"] = [_("The document number is too long.")]
    elif doc.doc_type == DocumentType.DPI and (len(normalized) != 13 or not normalized.isdigit()):
        errors[prefix + "number"] = [_("A DPI number has 13 digits.")]
    if not Country.objects.filter(code=(doc.issuing_country or "").upper()).exists():
        errors[prefix + "issuing_country"] = [
            _("Unknown country code “%(code)s”.") % {"code": doc.issuing_country}
        ]
    return errors


def _existing_holder(doc: DocumentInput) -> uuid.UUID | None:
    return (
        IdentityDocument.objects.filter(
            doc_type=doc.doc_type,
            issuing_country_id=doc.issuing_country.upper(),
            number_normalized=normalize_document_number(doc.number),
            voided_at__isnull=True,
        )
        .values_list("person_id", flat=True)
        .first()
    )


def _reindex(person: Person) -> None:
    parts = [person.given_names, person.first_surname, person.second_surname]
    for other in person.other_names.filter(voided_at__isnull=True):
        parts += [other.given_names, other.first_surname, other.second_surname]
    tokens = set(name_tokens(*parts))
    tokens |= {
        n.lower()
        for n in person.documents.filter(voided_at__isnull=True).values_list(
            "number_normalized", flat=True
        )
    }
    PersonSearchToken.objects.filter(person=person).delete()
    PersonSearchToken.objects.bulk_create(
        PersonSearchToken(person=person, token=t[:64]) for t in sorted(tokens)
    )


def _refresh_protection(person: Person) -> None:
    protected = person.markers.filter(voided_at__isnull=True, kind__in=PROTECTING_MARKERS).exists()
    if protected != person.protected:
        Person.objects.filter(pk=person.pk).update(protected=protected)
        person.protected = protected


def _create_document(person: Person, doc: DocumentInput) -> IdentityDocument:
    try:
        with transaction.atomic():
            return IdentityDocument.objects.create(
                person=person,
                doc_type=doc.doc_type,
                number=doc.number.strip(),
                number_normalized=normalize_document_number(doc.number),
                issuing_country_id=doc.issuing_country.upper(),
                expires_on=doc.expires_on,
            )
    except IntegrityError as exc:
        same_person = person.documents.filter(
            doc_type=doc.doc_type,
            number_normalized=normalize_document_number(doc.number),
            issuing_country_id=doc.issuing_country.upper(),
            voided_at__isnull=True,
        ).exists()
        message = (
            _("This person already has this document.")
            if same_person
            else _("This document number is already registered to another person.")
        )
        raise InvalidInput.field("number", message) from exc


def _person_values(data: PersonInput) -> dict[str, Any]:
    values = {k: v for k, v in asdict(data).items() if k in PERSON_FIELDS}
    values["nationality_id"] = values.pop("nationality") or None
    values["origin_municipality_id"] = values.pop("origin_municipality") or None
    values["preferred_language_id"] = values.pop("preferred_language") or None
    return values


def person_register(
    *,
    actor: User,
    data: PersonInput,
    documents: list[DocumentInput] | None = None,
    markers: list[str] | None = None,
) -> Person:
    """Register a new person held by the actor's institution and team.

    A document already held by someone else is refused with a pointer to `person_link`, so
    the network keeps one record per person.
    """
    require(actor, Perm.PERSON_WRITE)
    documents = documents or []
    markers = markers or []
    errors = validate_person(data)
    for i, doc in enumerate(documents):
        errors.update(validate_document(doc, index=i))
    for kind in markers:
        if kind not in Vulnerability.values:
            errors.setdefault("markers", []).append(
                _("Unknown vulnerability “%(value)s”.") % {"value": kind}
            )
    if errors:
        raise InvalidInput(errors)
    for i, doc in enumerate(documents):
        if _existing_holder(doc):
            raise InvalidInput.field(
                f"documents[{i}].number",
                _(
                    "This document is already registered to a person in the network. "
                    "Link that record instead of creating a new one."
                ),
            )
    with transaction.atomic():
        person = Person.objects.create(created_by=actor, **_person_values(data))
        person.other_languages.set(data.other_languages)
        Involvement.objects.create(
            person=person,
            institution_id=actor.institution_id,
            team_id=actor.team_id,
            created_by=actor,
            source=Involvement.Source.REGISTERED,
        )
        for i, doc in enumerate(documents):
            try:
                _create_document(person, doc)
            except InvalidInput as exc:
                raise InvalidInput({f"documents[{i}].number": exc.errors["number"]}) from exc
        VulnerabilityMarker.objects.bulk_create(
            VulnerabilityMarker(person=person, kind=k, recorded_by=actor)
            for k in dict.fromkeys(markers)
        )
        _refresh_protection(person)
        _reindex(person)
        audit_record(
            actor=actor,
            action="person.register",
            obj=person,
            person_id=person.pk,
            detail={"documents": len(documents), "markers": sorted(set(markers))},
        )
    return person


def person_link(*, actor: User, document: DocumentInput, reason: str = "") -> Person:
    """Bring an existing person into the actor's institution, proven by an identity document.

    A protected record is never linked this way: its holders must refer the person.
    """
    require(actor, Perm.PERSON_WRITE)
    errors = validate_document(document)
    if errors:
        raise InvalidInput(errors)
    holder = _existing_holder(document)
    if holder is None:
        raise InvalidInput.field("number", _("No person holds this document."))
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=holder)
        if person.protected:
            raise InvalidInput.field(
                "number",
                _(
                    "This person's record is protected. Ask the institution that holds it "
                    "for a referral."
                ),
            )
        Involvement.objects.get_or_create(
            person=person,
            institution_id=actor.institution_id,
            team_id=actor.team_id,
            defaults={"created_by": actor, "source": Involvement.Source.LINKED},
        )
        audit_record(
            actor=actor,
            action="person.link",
            obj=person,
            person_id=person.pk,
            reason=reason,
            detail={"doc_type": document.doc_type},
        )
    return person


def _visible_for_update(actor: User, person_id: uuid.UUID) -> Person:
    person = persons_visible_to(actor).select_for_update().filter(pk=person_id).first()
    if person is None:
        raise NotFound
    return person


def person_update(
    *,
    actor: User,
    person_id: uuid.UUID,
    version: int,
    data: PersonInput,
    markers: list[str] | None = None,
) -> Person:
    """Replace the person's details if nobody changed them since `version` was read.

    With `markers`, the vulnerability markers change in the same transaction.
    """
    require(actor, Perm.PERSON_WRITE)
    errors = validate_person(data)
    unknown = [k for k in markers or [] if k not in Vulnerability.values]
    if unknown:
        errors["markers"] = [_("Unknown vulnerability “%(value)s”.") % {"value": unknown[0]}]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        person = _visible_for_update(actor, person_id)
        values = _person_values(data)
        if person.version != version:
            current = {k: getattr(person, k) for k in values}
            changes = {
                k: {"yours": values[k], "theirs": v} for k, v in current.items() if v != values[k]
            }
            raise Conflict(
                _("Someone else changed this person while you were editing."),
                current_version=person.version,
                changes=changes,
            )
        before = {k: getattr(person, k) for k in values}
        for key, value in values.items():
            setattr(person, key, value)
        person.version += 1
        person.save()
        person.other_languages.set(data.other_languages)
        _reindex(person)
        changed = sorted(k for k in values if before[k] != values[k])
        audit_record(
            actor=actor,
            action="person.update",
            obj=person,
            person_id=person.pk,
            detail={"fields": changed},
        )
        if markers is not None:
            markers_set(actor=actor, person_id=person.pk, kinds=markers)
    return person


def person_void(*, actor: User, person_id: uuid.UUID, reason: str) -> Person:
    """Void a record created in error. Nothing is deleted; the reason is kept."""
    require(actor, Perm.PERSON_VOID)
    reason = reason.strip()
    if not reason:
        raise InvalidInput.field("reason", _("Say why the record is voided."))
    if len(reason) > 1000:
        raise InvalidInput.field("reason", _("At most %(n)s characters.") % {"n": 1000})
    with transaction.atomic():
        person = _visible_for_update(actor, person_id)
        person.voided_at = timezone.now()
        person.void_reason = reason.strip()
        person.version += 1
        person.save(update_fields=["voided_at", "void_reason", "version", "updated_at"])
        audit_record(
            actor=actor, action="person.void", obj=person, person_id=person.pk, reason=reason
        )
    return person


def document_add(*, actor: User, person_id: uuid.UUID, document: DocumentInput) -> IdentityDocument:
    require(actor, Perm.PERSON_WRITE)
    errors = validate_document(document)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        person = _visible_for_update(actor, person_id)
        doc = _create_document(person, document)
        _reindex(person)
        audit_record(
            actor=actor,
            action="person.document_add",
            obj=doc,
            person_id=person.pk,
            detail={"doc_type": doc.doc_type},
        )
    return doc


def contact_add(
    *,
    actor: User,
    person_id: uuid.UUID,
    kind: str,
    value: str,
    country: str | None = None,
    note: str = "",
) -> ContactPoint:
    require(actor, Perm.PERSON_WRITE)
    errors: dict[str, list[str]] = {}
    if kind not in ContactPoint.Kind.values:
        errors["kind"] = [_("Unknown contact kind “%(value)s”.") % {"value": kind}]
    value = value.strip()
    if not value:
        errors["value"] = [_("Enter the contact.")]
    elif len(value) > 300:
        errors["value"] = [_("The contact is too long.")]
    if country and not Country.objects.filter(code=country.upper()).exists():
        errors["country"] = [_("Unknown country code “%(code)s”.") % {"code": country}]
    if len(note.strip()) > 200:
        errors["note"] = [_("At most %(n)s characters.") % {"n": 200}]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        person = _visible_for_update(actor, person_id)
        contact = ContactPoint.objects.create(
            person=person,
            kind=kind,
            value=value,
            country_id=country.upper() if country else None,
            note=note.strip(),
        )
        audit_record(actor=actor, action="person.contact_add", obj=contact, person_id=person.pk)
    return contact


def name_add(
    *,
    actor: User,
    person_id: uuid.UUID,
    kind: str,
    given_names: str = "",
    first_surname: str = "",
    second_surname: str = "",
) -> PersonName:
    require(actor, Perm.PERSON_WRITE)
    if kind not in PersonName.Kind.values:
        raise InvalidInput.field("kind", _("Unknown value “%(value)s”.") % {"value": kind})
    if not (given_names.strip() or first_surname.strip()):
        raise InvalidInput.field("given_names", _("Enter the given names or at least one surname."))
    too_long = {
        name: limit
        for name, value, limit in (
            ("given_names", given_names, 200),
            ("first_surname", first_surname, 100),
            ("second_surname", second_surname, 100),
        )
        if len(_clean_text(value)) > limit
    }
    if too_long:
        raise InvalidInput(
            {k: [_("At most %(n)s characters.") % {"n": n}] for k, n in too_long.items()}
        )
    with transaction.atomic():
        person = _visible_for_update(actor, person_id)
        name = PersonName.objects.create(
            person=person,
            kind=kind,
            given_names=_clean_text(given_names),
            first_surname=_clean_text(first_surname),
            second_surname=_clean_text(second_surname),
        )
        _reindex(person)
        audit_record(actor=actor, action="person.name_add", obj=name, person_id=person.pk)
    return name


def markers_set(*, actor: User, person_id: uuid.UUID, kinds: list[str]) -> list[str]:
    """Make the person's active vulnerability markers exactly `kinds`."""
    require(actor, Perm.PERSON_WRITE)
    unknown = [k for k in kinds if k not in Vulnerability.values]
    if unknown:
        raise InvalidInput.field(
            "markers", _("Unknown vulnerability “%(value)s”.") % {"value": unknown[0]}
        )
    wanted = set(kinds)
    with transaction.atomic():
        person = _visible_for_update(actor, person_id)
        active = {m.kind: m for m in person.markers.filter(voided_at__isnull=True)}
        now = timezone.now()
        removed = [k for k in active if k not in wanted]
        VulnerabilityMarker.objects.filter(pk__in=[active[k].pk for k in removed]).update(
            voided_at=now
        )
        added = [k for k in sorted(wanted) if k not in active]
        VulnerabilityMarker.objects.bulk_create(
            VulnerabilityMarker(person=person, kind=k, recorded_by=actor) for k in added
        )
        _refresh_protection(person)
        audit_record(
            actor=actor,
            action="person.markers_set",
            obj=person,
            person_id=person.pk,
            detail={"added": added, "removed": sorted(removed)},
        )
    return sorted(wanted)


def relation_add(
    *, actor: User, from_person_id: uuid.UUID, to_person_id: uuid.UUID, kind: str
) -> Relation:
    require(actor, Perm.PERSON_WRITE)
    if kind not in RelationKind.values:
        raise InvalidInput.field("kind", _("Unknown relation “%(value)s”.") % {"value": kind})
    if from_person_id == to_person_id:
        raise InvalidInput.field("to_person", _("A person cannot be related to themselves."))
    with transaction.atomic():
        first = _visible_for_update(actor, from_person_id)
        try:
            second = _visible_for_update(actor, to_person_id)
        except NotFound as exc:
            raise InvalidInput.field("to_person", _("No such person in your records.")) from exc
        relation, created = Relation.objects.get_or_create(
            from_person=first, to_person=second, kind=kind, voided_at=None
        )
        if created:
            audit_record(
                actor=actor,
                action="person.relation_add",
                obj=relation,
                person_id=first.pk,
                detail={"kind": kind, "to_person": str(second.pk)},
            )
    return relation


# --- households -----------------------------------------------------------------------------
# A household is shared like a person: whoever holds one of its members may see and manage it
# (people.queries.households_visible_to). Members are people the actor holds; each member but
# the head has a relation to the head. Every change is audited on each member's record, so it
# shows on their timelines.


def _relation_errors(relation: str, *, field: str) -> dict[str, list[str]]:
    if relation and relation not in RelationToHead.values:
        return {field: [_("Unknown relation “%(value)s”.") % {"value": relation}]}
    return {}


def _require_relation(relation: str) -> None:
    """A member other than the head is added or corrected with a known relation to the head."""
    if not relation:
        raise InvalidInput.field(
            "relation", _("Say how this person is related to the head of household.")
        )
    errors = _relation_errors(relation, field="relation")
    if errors:
        raise InvalidInput(errors)


def _household_label(label: str) -> str:
    label = _clean_text(label)
    if not label:
        raise InvalidInput.field("label", _("Name the household."))
    if len(label) > 200:
        raise InvalidInput.field("label", _("At most %(n)s characters.") % {"n": 200})
    return label


def _household_for_update(actor: User, household_id: uuid.UUID) -> Household:
    household = (
        households_visible_to(actor).select_for_update().filter(pk=household_id).first()
    )
    if household is None:
        raise NotFound
    return household


def _member(household: Household, person_id: uuid.UUID) -> HouseholdMember:
    member = HouseholdMember.objects.filter(household=household, person_id=person_id).first()
    if member is None:
        raise InvalidInput.field("person", _("This person is not a member of the household."))
    return member


def _audit_household(
    actor: User, action: str, household: Household, person_ids: list[uuid.UUID], **detail: Any
) -> None:
    for pid in person_ids:
        audit_record(
            actor=actor,
            action=action,
            obj=household,
            person_id=pid,
            detail={"household": str(household.pk), "label": household.label, **detail},
        )


def household_create(
    *,
    actor: User,
    label: str,
    member_ids: list[uuid.UUID],
    head_id: uuid.UUID | None = None,
    relations: dict[uuid.UUID, str] | None = None,
) -> Household:
    """A household of people the actor holds, headed by `head_id` (the first member if not
    given); `relations` gives each other member's relation to the head."""
    require(actor, Perm.PERSON_WRITE)
    label = _household_label(label)
    member_ids = list(dict.fromkeys(member_ids))
    relations = relations or {}
    if not member_ids:
        raise InvalidInput.field("members", _("A household needs at least one member."))
    head_id = head_id or member_ids[0]
    if head_id not in member_ids:
        raise InvalidInput.field("head", _("The head of household must be one of its members."))
    errors: dict[str, list[str]] = {}
    for i, pid in enumerate(member_ids):
        errors.update(_relation_errors(relations.get(pid, ""), field=f"members[{i}].relation"))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        members = []
        for i, pid in enumerate(member_ids):
            try:
                members.append(_visible_for_update(actor, pid))
            except NotFound as exc:
                raise InvalidInput.field(
                    f"members[{i}].person", _("No such person in your records.")
                ) from exc
        household = Household.objects.create(label=label)
        HouseholdMember.objects.bulk_create(
            HouseholdMember(
                household=household,
                person=p,
                is_head=(p.pk == head_id),
                relation_to_head="" if p.pk == head_id else relations.get(p.pk, ""),
            )
            for p in members
        )
        audit_record(
            actor=actor,
            action="household.create",
            obj=household,
            detail={"members": len(members), "head": str(head_id)},
        )
        _audit_household(actor, "household.member_add", household, [p.pk for p in members])
    return household


def household_rename(*, actor: User, household_id: uuid.UUID, label: str) -> Household:
    require(actor, Perm.PERSON_WRITE)
    label = _household_label(label)
    with transaction.atomic():
        household = _household_for_update(actor, household_id)
        if household.label != label:
            before = household.label
            household.label = label
            household.save(update_fields=["label"])
            audit_record(
                actor=actor,
                action="household.rename",
                obj=household,
                detail={"before": before, "after": label},
            )
    return household


def household_member_add(
    *, actor: User, household_id: uuid.UUID, person_id: uuid.UUID, relation: str
) -> HouseholdMember:
    """Add a person the actor holds to the household, with their relation to the head."""
    require(actor, Perm.PERSON_WRITE)
    _require_relation(relation)
    with transaction.atomic():
        household = _household_for_update(actor, household_id)
        try:
            person = _visible_for_update(actor, person_id)
        except NotFound as exc:
            raise InvalidInput.field("person", _("No such person in your records.")) from exc
        if HouseholdMember.objects.filter(household=household, person=person).exists():
            raise InvalidInput.field("person", _("This person is already a member."))
        member = HouseholdMember.objects.create(
            household=household, person=person, relation_to_head=relation
        )
        _audit_household(actor, "household.member_add", household, [person.pk], relation=relation)
    return member


def household_member_relation(
    *, actor: User, household_id: uuid.UUID, person_id: uuid.UUID, relation: str
) -> HouseholdMember:
    """Correct a member's relation to the head (e.g. after the head changed)."""
    require(actor, Perm.PERSON_WRITE)
    _require_relation(relation)
    with transaction.atomic():
        household = _household_for_update(actor, household_id)
        member = _member(household, person_id)
        if member.is_head:
            raise InvalidInput.field(
                "relation", _("The head of household has no relation to themselves.")
            )
        if not persons_visible_to(actor).filter(pk=person_id).exists():
            raise InvalidInput.field("person", _("No such person in your records."))
        before = member.relation_to_head
        if before != relation:
            member.relation_to_head = relation
            member.save(update_fields=["relation_to_head"])
            _audit_household(
                actor, "household.member_relation", household, [person_id],
                before=before, after=relation,
            )  # fmt: skip
    return member


def household_member_remove(
    *, actor: User, household_id: uuid.UUID, person_id: uuid.UUID
) -> Household:
    """Take a person out of the household (they moved away, or were added in error).

    The head is not removed while others remain: name the new head first. The membership row
    goes; the audit entry on the person's record keeps who was in the household and until when.
    """
    require(actor, Perm.PERSON_WRITE)
    with transaction.atomic():
        household = _household_for_update(actor, household_id)
        if not persons_visible_to(actor).filter(pk=person_id).exists():
            raise InvalidInput.field("person", _("No such person in your records."))
        member = _member(household, person_id)
        others = HouseholdMember.objects.filter(household=household).exclude(pk=member.pk)
        if not others.exists():
            raise InvalidInput.field(
                "person", _("A household needs at least one member: this is the last one.")
            )
        if member.is_head:
            raise InvalidInput.field(
                "person", _("Name another head of household before removing this person.")
            )
        relation = member.relation_to_head
        member.delete()
        _audit_household(
            actor, "household.member_remove", household, [person_id], relation=relation
        )
    return household


def household_head_change(
    *,
    actor: User,
    household_id: uuid.UUID,
    head_id: uuid.UUID,
    former_head_relation: str,
) -> Household:
    """Make another member the head; the former head stays, related to the new head as
    `former_head_relation`. The other members' relations are kept: check them."""
    require(actor, Perm.PERSON_WRITE)
    errors = _relation_errors(former_head_relation, field="former_head_relation")
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        household = _household_for_update(actor, household_id)
        if not persons_visible_to(actor).filter(pk=head_id).exists():
            raise InvalidInput.field("head", _("No such person in your records."))
        try:
            new_head = _member(household, head_id)
        except InvalidInput as exc:
            raise InvalidInput.field(
                "head", _("The head of household must be one of its members.")
            ) from exc
        if new_head.is_head:
            return household
        former = HouseholdMember.objects.filter(household=household, is_head=True).first()
        if former is not None and not former_head_relation:
            raise InvalidInput.field(
                "former_head_relation",
                _("Say how the former head is related to the new head of household."),
            )
        if former is not None:
            # One head per household (a unique constraint): step the former head down first.
            former.is_head = False
            former.relation_to_head = former_head_relation
            former.save(update_fields=["is_head", "relation_to_head"])
        new_head.is_head = True
        new_head.relation_to_head = ""
        new_head.save(update_fields=["is_head", "relation_to_head"])
        changed = [head_id] + ([former.person_id] if former is not None else [])
        _audit_household(
            actor, "household.head_change", household, changed,
            head=str(head_id), former_head=str(former.person_id) if former else "",
        )  # fmt: skip
    return household


def person_merge(
    *,
    actor: User,
    survivor_id: uuid.UUID,
    absorbed_id: uuid.UUID,
    reason: str,
    evidence: dict[str, Any] | None = None,
) -> PersonMerge:
    """Record that two records are one person: a person decides, never the matching engine.

    The absorbed record points to the survivor; links to it keep working (person_get follows
    merges), its records (cases, contacts, services) stay where they are and show on the
    survivor's timeline; the survivor is found by the absorbed record's names and documents
    and held by whoever held the absorbed record. `person_unmerge` restores both.
    """
    require(actor, Perm.PERSON_MERGE)
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput.field("reason", _("Say why these records are the same person."))
    if survivor_id == absorbed_id:
        raise InvalidInput.field("absorbed", _("Choose two different records."))
    with transaction.atomic():
        found = {
            p.pk: p
            for p in persons_visible_to(actor)
            .select_for_update()
            .filter(pk__in=[survivor_id, absorbed_id])
        }
        survivor, absorbed = found.get(survivor_id), found.get(absorbed_id)
        if survivor is None:
            raise InvalidInput.field("survivor", _("No such person in your records."))
        if absorbed is None:
            raise InvalidInput.field("absorbed", _("No such person in your records."))
        have = set(
            PersonSearchToken.objects.filter(person=survivor).values_list("token", flat=True)
        )
        tokens = sorted(
            set(PersonSearchToken.objects.filter(person=absorbed).values_list("token", flat=True))
            - have
        )
        PersonSearchToken.objects.bulk_create(
            PersonSearchToken(person=survivor, token=t) for t in tokens
        )
        held = set(
            Involvement.objects.filter(person=survivor, ended_at__isnull=True).values_list(
                "institution_id", "team_id"
            )
        )
        added = [
            Involvement.objects.create(
                person=survivor,
                institution_id=institution_id,
                team_id=team_id,
                source=Involvement.Source.LINKED,
                created_by=actor,
            ).pk
            for institution_id, team_id in Involvement.objects.filter(
                person=absorbed, ended_at__isnull=True
            )
            .values_list("institution_id", "team_id")
            .distinct()
            if (institution_id, team_id) not in held
        ]
        merge = PersonMerge.objects.create(
            survivor=survivor,
            absorbed=absorbed,
            reason=reason[:2000],
            evidence=evidence or {},
            merged_by=actor,
            merged_at=timezone.now(),
            added_tokens=tokens,
            added_involvements=added,
            survivor_was_protected=survivor.protected,
        )
        absorbed.merged_into = survivor
        absorbed.version += 1
        absorbed.save(update_fields=["merged_into", "version", "updated_at"])
        if absorbed.protected and not survivor.protected:
            survivor.protected = True  # one of the two needed protection: the person does
        survivor.version += 1
        survivor.save(update_fields=["protected", "version", "updated_at"])
        detail = {"survivor": str(survivor.pk), "absorbed": str(absorbed.pk), **(evidence or {})}
        for pid in (survivor.pk, absorbed.pk):
            audit_record(
                actor=actor,
                action="person.merge",
                obj=merge,
                person_id=pid,
                reason=reason,
                detail=detail,
            )
    return merge


def person_unmerge(*, actor: User, merge_id: int, reason: str) -> PersonMerge:
    """Undo a merge: both records stand alone again, exactly as before it."""
    require(actor, Perm.PERSON_MERGE)
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput.field("reason", _("Say why the merge is undone."))
    with transaction.atomic():
        merge = (
            PersonMerge.objects.select_for_update()
            .filter(pk=merge_id, undone_at__isnull=True)
            .filter(survivor__in=persons_visible_to(actor))
            .first()
        )
        if merge is None:
            raise NotFound
        survivor = Person.objects.select_for_update().get(pk=merge.survivor_id)
        absorbed = Person.objects.select_for_update().get(pk=merge.absorbed_id)
        PersonSearchToken.objects.filter(person=survivor, token__in=merge.added_tokens).delete()
        Involvement.objects.filter(pk__in=merge.added_involvements).delete()
        absorbed.merged_into = None
        absorbed.version += 1
        absorbed.save(update_fields=["merged_into", "version", "updated_at"])
        survivor.protected = merge.survivor_was_protected
        _refresh_protection(survivor)
        survivor.version += 1
        survivor.save(update_fields=["protected", "version", "updated_at"])
        merge.undone_by, merge.undone_at, merge.undo_reason = actor, timezone.now(), reason[:2000]
        merge.save(update_fields=["undone_by", "undone_at", "undo_reason"])
        for pid in (survivor.pk, absorbed.pk):
            audit_record(
                actor=actor, action="person.unmerge", obj=merge, person_id=pid, reason=reason
            )
    return merge
