"""The protocol engine: every write to a case. Atomic, audited, and refused with a reason.

A refused attempt (a transition the protocol does not allow, a missing step, a form that
fails its schema, a referral without consent) changes nothing and is itself audited, after
the refused transaction has rolled back.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator

from amparo.core.audit import audit_record
from amparo.core.errors import Conflict, InvalidInput, NotFound
from amparo.core.models import Institution, Site, User
from amparo.core.permissions import Perm, has_perm, require
from amparo.people.models import HouseholdMember, Involvement, Person
from amparo.people.queries import persons_visible_to

from .labels import closure_reason_label, form_title, task_title
from .models import (
    Approval,
    Attachment,
    Case,
    CaseEvent,
    Consent,
    Note,
    Referral,
    ServiceDelivery,
    ServiceKind,
    Task,
)
from .protocol import Protocol, TransitionSpec, protocol_get, text
from .queries import cases_owned_by

T = TypeVar("T")

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ALLOWED_ATTACHMENTS = {
    "application/pdf": b"%PDF",
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG",
}
SHARE_SCOPES = frozenset(Consent.Scope.values)


def _attempt(actor: User, action: str, target: object, body: Callable[[], T]) -> T:
    """Run `body` atomically; if it refuses, audit the attempt once the change rolled back."""
    try:
        with transaction.atomic():
            return body()
    except InvalidInput as exc:
        audit_record(
            actor=actor,
            action=f"{action}_refused",
            detail={"target": str(target), "errors": exc.errors},
        )
        raise


def _event(case: Case, actor: User | None, kind: str, **detail: Any) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        at=timezone.now(),
        actor=actor,
        kind=kind,
        stage_from=detail.pop("stage_from", ""),
        stage_to=detail.pop("stage_to", ""),
        detail=detail,
    )


def _record(
    case: Case,
    actor: User | None,
    event: str,
    *,
    audit: str,
    audit_detail: dict[str, Any] | None = None,
    **event_detail: Any,
) -> None:
    """Write the case's timeline event and the audit entry for one change, together."""
    _event(case, actor, event, **event_detail)
    audit_record(actor=actor, action=audit, obj=case, person_id=case.person_id, detail=audit_detail)


def _protocol(case: Case) -> Protocol:
    protocol = protocol_get(case.protocol_code, case.protocol_version)
    if protocol is None:  # a deployed protocol file was removed: refuse rather than guess
        raise InvalidInput.field("protocol", _("The protocol of this case is not installed."))
    return protocol


def _create_tasks(case: Case, protocol: Protocol, stage: str, now: datetime) -> None:
    existing = set(case.tasks.values_list("code", flat=True))
    Task.objects.bulk_create(
        Task(
            case=case,
            code=t.code,
            stage=stage,
            title_es=t.title["es"],
            title_en=t.title["en"],
            due_at=now + t.due,
        )
        for t in protocol.stages[stage].tasks
        if t.code not in existing
    )


def _owned_for_update(actor: User, case_id: uuid.UUID) -> Case:
    case = cases_owned_by(actor).select_for_update().filter(pk=case_id).first()
    if case is None:
        raise NotFound
    return case


def _check_version(case: Case, version: int | None) -> None:
    if version is not None and case.version != version:
        raise Conflict(
            _("Someone else changed this case while you were working on it."),
            current_version=case.version,
            changes={"stage": {"theirs": case.stage}, "data": {"theirs": case.data}},
        )


def case_open(
    *,
    actor: User,
    protocol_code: str,
    person_id: uuid.UUID,
    household_id: uuid.UUID | None = None,
    assigned_to: User | None = None,
) -> Case:
    """Open a case under the latest version of a protocol, at its initial stage."""
    require(actor, Perm.CASE_WRITE)
    protocol = protocol_get(protocol_code)
    if protocol is None:
        raise InvalidInput.field(
            "protocol", _("Unknown protocol “%(code)s”.") % {"code": protocol_code}
        )
    person = persons_visible_to(actor).filter(pk=person_id).first()
    if person is None:
        raise InvalidInput.field("person", _("No such person in your records."))
    if protocol.owners and actor.institution and actor.institution.code not in protocol.owners:
        raise InvalidInput.field(
            "protocol", _("Your institution does not run this protocol; refer the person instead.")
        )
    if household_id is not None:
        if not HouseholdMember.objects.filter(household_id=household_id, person=person).exists():
            raise InvalidInput.field(
                "household", _("The person is not a member of this household.")
            )
    elif protocol.subject == "household":
        raise InvalidInput.field("household", _("This protocol serves a household: choose it."))
    now = timezone.now()
    with transaction.atomic():
        case = Case.objects.create(
            protocol_code=protocol.code,
            protocol_version=protocol.version,
            person=person,
            household_id=household_id,
            institution_id=actor.institution_id,
            team_id=actor.team_id,
            assigned_to=assigned_to or actor,
            stage=protocol.initial_stage.code,
            sensitive=protocol.sensitive or person.protected,
            opened_at=now,
            opened_by=actor,
        )
        _create_tasks(case, protocol, case.stage, now)
        _record(
            case,
            actor,
            "opened",
            stage_to=case.stage,
            protocol=f"{protocol.code} v{protocol.version}",
            audit="case.open",
            audit_detail={"protocol": protocol.code, "version": protocol.version},
        )
    return case


def _transition_errors(
    actor: User, case: Case, protocol: Protocol, spec: TransitionSpec | None, closure_reason: str
) -> dict[str, list[str]]:
    if case.closed_at is not None:
        return {"transition": [_("The case is closed.")]}
    if spec is None or case.stage not in spec.sources:
        allowed = (
            ", ".join(text(t.name) for t in protocol.transitions_from(case.stage)) or "—"
        )
        return {
            "transition": [
                _("This step is not possible from the current stage. Possible: %(list)s.")
                % {"list": allowed}
            ]
        }
    if actor.role not in spec.roles:
        return {"transition": [_("Your role cannot take this step.")]}
    errors: dict[str, list[str]] = {}
    done = set(
        case.tasks.filter(done_at__isnull=False, cancelled=False).values_list("code", flat=True)
    )
    missing_tasks = [t for t in spec.requires_tasks if t not in done]
    if missing_tasks:
        errors["tasks"] = [
            _("Finish these tasks first: %(list)s.")
            % {"list": ", ".join(task_title(protocol, t) for t in missing_tasks)}
        ]
    missing_forms = [f for f in spec.requires_forms if f not in case.data]
    if missing_forms:
        errors["forms"] = [
            _("Fill in these forms first: %(list)s.")
            % {"list": ", ".join(form_title(protocol, f) for f in missing_forms)}
        ]
    if spec.closure and protocol.closure_reasons and closure_reason not in protocol.closure_reasons:
        errors["closure_reason"] = [
            _("Choose a closure reason: %(list)s.")
            % {
                "list": ", ".join(
                    closure_reason_label(r, protocol) for r in protocol.closure_reasons
                )
            }
        ]
    return errors


def _apply_transition(
    actor: User,
    case: Case,
    protocol: Protocol,
    spec: TransitionSpec,
    closure_reason: str,
    approved_by: User | None = None,
) -> None:
    now = timezone.now()
    before = case.stage
    case.stage = spec.target
    case.version += 1
    if protocol.stages[spec.target].final:
        case.closed_at = now
        case.closure_reason = closure_reason
        case.tasks.filter(done_at__isnull=True).update(done_at=now, cancelled=True)
    case.save(update_fields=["stage", "version", "closed_at", "closure_reason"])
    _create_tasks(case, protocol, spec.target, now)
    _record(
        case,
        actor,
        "transition",
        stage_from=before,
        stage_to=spec.target,
        transition=spec.code,
        approved_by=approved_by.username if approved_by else None,
        closure_reason=closure_reason or None,
        audit="case.transition",
        audit_detail={"transition": spec.code, "from": before, "to": spec.target},
    )


def case_transition(
    *,
    actor: User,
    case_id: uuid.UUID,
    transition: str,
    version: int | None = None,
    closure_reason: str = "",
) -> Case:
    """Take a step of the protocol. A step that needs approval waits for a supervisor, unless
    the actor is one."""
    require(actor, Perm.CASE_WRITE)

    def body() -> Case:
        case = _owned_for_update(actor, case_id)
        _check_version(case, version)
        protocol = _protocol(case)
        spec = protocol.transitions.get(transition)
        errors = _transition_errors(actor, case, protocol, spec, closure_reason)
        if errors:
            raise InvalidInput(errors)
        assert spec is not None
        if spec.approval and not has_perm(actor, Perm.CASE_APPROVE):
            if case.approvals.filter(decided_at__isnull=True).exists():
                raise InvalidInput.field(
                    "transition", _("A request is already waiting for approval.")
                )
            Approval.objects.create(
                case=case,
                transition=spec.code,
                closure_reason=closure_reason,
                requested_by=actor,
                requested_at=timezone.now(),
            )
            _record(
                case,
                actor,
                "approval_requested",
                transition=spec.code,
                audit="case.approval_request",
                audit_detail={"transition": spec.code},
            )
            return case
        _apply_transition(actor, case, protocol, spec, closure_reason)
        return case

    return _attempt(actor, "case.transition", case_id, body)


def approval_decide(*, actor: User, approval_id: int, approve: bool, reason: str = "") -> Approval:
    require(actor, Perm.CASE_APPROVE)

    def body() -> Approval:
        approval = (
            Approval.objects.select_for_update()
            .filter(pk=approval_id, decided_at__isnull=True)
            .first()
        )
        if approval is None:
            raise NotFound
        case = _owned_for_update(actor, approval.case_id)
        if approval.requested_by_id == actor.pk:
            raise InvalidInput.field("approval", _("Someone else must approve your own request."))
        if not approve and not reason.strip():
            raise InvalidInput.field("reason", _("Say why the step is not approved."))
        protocol = _protocol(case)
        spec = protocol.transitions[approval.transition]
        approval.decided_by, approval.decided_at = actor, timezone.now()
        approval.approved, approval.reason = approve, reason.strip()
        approval.save()
        if approve:
            errors = _transition_errors(
                approval.requested_by, case, protocol, spec, approval.closure_reason
            )
            if errors:
                raise InvalidInput(errors)
            _apply_transition(
                approval.requested_by,
                case,
                protocol,
                spec,
                approval.closure_reason,
                approved_by=actor,
            )
        else:
            _event(case, actor, "approval_rejected", transition=spec.code, reason=reason.strip())
        audit_record(
            actor=actor,
            action="case.approval_decide",
            obj=case,
            person_id=case.person_id,
            detail={"transition": spec.code, "approved": approve},
        )
        return approval

    return _attempt(actor, "case.approval_decide", approval_id, body)


def form_errors(schema: dict[str, Any], data: Any) -> dict[str, list[str]]:
    """JSON Schema errors keyed by the field's path (e.g. `interview.rights_violated`)."""
    errors: dict[str, list[str]] = {}
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    for error in validator.iter_errors(data):
        path = list(error.absolute_path)
        if error.validator == "required":
            missing = error.message.split("'")[1] if "'" in error.message else ""
            path.append(missing)
            message = _("This field is required.")
        elif error.validator == "enum":
            message = _("Choose one of: %(e)s.") % {"e": ", ".join(map(str, error.validator_value))}
        elif error.validator == "type":
            message = _("Wrong kind of value (expected %(t)s).") % {"t": error.validator_value}
        elif error.validator in ("maxLength", "maximum"):
            message = _("Must be at most %(n)s.") % {"n": error.validator_value}
        elif error.validator in ("minLength", "minimum"):
            message = _("Must be at least %(n)s.") % {"n": error.validator_value}
        elif error.validator == "format":
            message = _("Enter a valid value (%(f)s).") % {"f": error.validator_value}
        elif error.validator == "additionalProperties":
            message = _("Unknown field.")
        else:
            message = _("Invalid value.")
        errors.setdefault(".".join(str(p) for p in path) or "__all__", []).append(message)
    return errors


def case_form_save(
    *, actor: User, case_id: uuid.UUID, form: str, data: dict[str, Any], version: int | None = None
) -> Case:
    require(actor, Perm.CASE_WRITE)

    def body() -> Case:
        case = _owned_for_update(actor, case_id)
        _check_version(case, version)
        protocol = _protocol(case)
        spec = protocol.forms.get(form)
        if spec is None:
            raise InvalidInput.field("form", _("Unknown form “%(code)s”.") % {"code": form})
        errors = form_errors(spec.schema, data)
        if errors:
            raise InvalidInput({f"{form}.{k}": v for k, v in errors.items()})
        case.data = {**case.data, form: data}
        case.version += 1
        case.save(update_fields=["data", "version"])
        _record(case, actor, "form", form=form, audit="case.form_save", audit_detail={"form": form})
        return case

    return _attempt(actor, "case.form_save", case_id, body)


def task_complete(*, actor: User, task_id: int) -> Task:
    require(actor, Perm.CASE_WRITE)
    with transaction.atomic():
        task = (
            Task.objects.select_for_update()
            .filter(pk=task_id, case__in=cases_owned_by(actor))
            .first()
        )
        if task is None:
            raise NotFound
        if task.done_at is None:
            task.done_at, task.done_by = timezone.now(), actor
            task.save(update_fields=["done_at", "done_by"])
            _record(
                task.case,
                actor,
                "task_done",
                task=task.code,
                audit="case.task_done",
                audit_detail={"task": task.code},
            )
    return task


def note_add(*, actor: User, case_id: uuid.UUID, text: str) -> Note:
    require(actor, Perm.CASE_WRITE)
    text = text.strip()
    if not text:
        raise InvalidInput.field("text", _("Write the note."))
    if len(text) > 10_000:
        raise InvalidInput.field("text", _("The note is too long."))
    with transaction.atomic():
        case = _owned_for_update(actor, case_id)
        note = Note.objects.create(case=case, author=actor, at=timezone.now(), text=text)
        _record(case, actor, "note", note=note.pk, audit="case.note_add")
    return note


def attachment_add(*, actor: User, case_id: uuid.UUID, upload: UploadedFile) -> Attachment:
    """Store a PDF, JPEG or PNG up to 10 MB; the type is read from the file's first bytes."""
    require(actor, Perm.CASE_WRITE)
    if upload.size is None or upload.size > MAX_ATTACHMENT_BYTES:
        raise InvalidInput.field("file", _("Files can be at most 10 MB."))
    head = upload.read(8)
    upload.seek(0)
    kind = next((t for t, magic in ALLOWED_ATTACHMENTS.items() if head.startswith(magic)), None)
    if kind is None:
        raise InvalidInput.field("file", _("Only PDF, JPEG and PNG files are accepted."))
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        case = _owned_for_update(actor, case_id)
        safe_name = "".join(c for c in (upload.name or "file") if c.isalnum() or c in "._- ")[:150]
        attachment = Attachment(
            case=case,
            name=safe_name or "file",
            content_type=kind,
            size=upload.size,
            sha256=digest.hexdigest(),
            uploaded_by=actor,
            at=timezone.now(),
        )
        attachment.file.save(
            f"{uuid.uuid4().hex}{'.pdf' if kind.endswith('pdf') else ''}", upload, save=False
        )
        attachment.save()
        _record(
            case,
            actor,
            "attachment",
            name=attachment.name,
            audit="case.attachment_add",
            audit_detail={"sha256": attachment.sha256, "size": attachment.size},
        )
    return attachment


def consent_record(
    *, actor: User, person_id: uuid.UUID, scopes: list[str], recipient_code: str | None = None
) -> Consent:
    require(actor, Perm.CASE_WRITE)
    unknown = [s for s in scopes if s not in SHARE_SCOPES]
    if not scopes or unknown:
        raise InvalidInput.field("scopes", _("Choose what the person agrees to share."))
    recipient = None
    if recipient_code:
        recipient = Institution.objects.filter(code=recipient_code).first()
        if recipient is None:
            raise InvalidInput.field(
                "recipient", _("Unknown institution “%(code)s”.") % {"code": recipient_code}
            )
    person = persons_visible_to(actor).filter(pk=person_id).first()
    if person is None:
        raise NotFound
    with transaction.atomic():
        consent = Consent.objects.create(
            person=person,
            recipient=recipient,
            scopes=sorted(set(scopes)),
            given_at=timezone.now(),
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            action="consent.record",
            obj=consent,
            person_id=person.pk,
            detail={"scopes": consent.scopes, "recipient": recipient_code},
        )
    return consent


def consent_withdraw(*, actor: User, consent_id: int) -> Consent:
    """Withdrawal stops future sharing: referrals not yet accepted under it cannot be."""
    require(actor, Perm.CASE_WRITE)
    with transaction.atomic():
        consent = (
            Consent.objects.select_for_update()
            .filter(pk=consent_id, person__in=persons_visible_to(actor), withdrawn_at__isnull=True)
            .first()
        )
        if consent is None:
            raise NotFound
        consent.withdrawn_at, consent.withdrawn_by = timezone.now(), actor
        consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
        audit_record(
            actor=actor, action="consent.withdraw", obj=consent, person_id=consent.person_id
        )
    return consent


def _valid_consent(person: Person, recipient: Institution, shares: list[str]) -> Consent | None:
    for consent in person.consents.filter(withdrawn_at__isnull=True).order_by("-given_at"):
        if consent.recipient_id in (None, recipient.pk) and set(shares) <= set(consent.scopes):
            return consent
    return None


def referral_send(
    *,
    actor: User,
    case_id: uuid.UUID,
    to_institution: str,
    reason: str,
    shares: list[str],
    services: list[str] | None = None,
    override_reason: str = "",
) -> Referral:
    require(actor, Perm.CASE_WRITE)
    services = services or []

    def body() -> Referral:
        case = _owned_for_update(actor, case_id)
        protocol = _protocol(case)
        errors: dict[str, list[str]] = {}
        target = Institution.objects.filter(code=to_institution).first()
        if target is None:
            errors["to_institution"] = [
                _("Unknown institution “%(code)s”.") % {"code": to_institution}
            ]
        elif protocol.referral_targets and target.code not in protocol.referral_targets:
            errors["to_institution"] = [_("This institution does not receive this kind of case.")]
        elif target.pk == actor.institution_id:
            errors["to_institution"] = [_("A referral goes to another institution.")]
        if not reason.strip():
            errors["reason"] = [_("Say why you refer the case.")]
        if not shares or any(s not in SHARE_SCOPES for s in shares):
            errors["shares"] = [_("Choose what the referral shares.")]
        if any(s not in ServiceKind.values for s in services):
            errors["services"] = [_("Unknown service.")]
        if errors:
            raise InvalidInput(errors)
        assert target is not None
        consent = _valid_consent(case.person, target, shares)
        if consent is None:
            if not override_reason.strip():
                raise InvalidInput.field("consent", _("No consent on record covers this sharing."))
            if not has_perm(actor, Perm.CONSENT_OVERRIDE):
                raise InvalidInput.field(
                    "consent", _("Only a supervisor can refer without consent.")
                )
        referral = Referral.objects.create(
            case=case,
            from_institution_id=actor.institution_id,
            to_institution=target,
            reason=reason.strip(),
            shares=sorted(set(shares)),
            services_requested=sorted(set(services)),
            consent=consent,
            override_reason=override_reason.strip() if consent is None else "",
            sent_by=actor,
            sent_at=timezone.now(),
        )
        _event(case, actor, "referral_sent", to=target.code, services=referral.services_requested)
        audit_record(
            actor=actor,
            action="referral.send",
            obj=referral,
            person_id=case.person_id,
            reason=referral.override_reason,
            detail={"to": target.code, "override": consent is None},
        )
        return referral

    return _attempt(actor, "referral.send", case_id, body)


def referral_decide(
    *, actor: User, referral_id: uuid.UUID, accept: bool, reason: str = ""
) -> Referral:
    """The recipient accepts (and from then on sees what is shared) or declines with a reason."""
    require(actor, Perm.CASE_WRITE)

    def body() -> Referral:
        referral = (
            Referral.objects.select_for_update()
            .select_related("case__person")
            .filter(
                pk=referral_id, to_institution_id=actor.institution_id, status=Referral.Status.SENT
            )
            .first()
        )
        if referral is None:
            raise NotFound
        if not accept and not reason.strip():
            raise InvalidInput.field("reason", _("Say why you decline the referral."))
        if accept and referral.consent_id:
            consent = Consent.objects.get(pk=referral.consent_id)
            if consent.withdrawn_at is not None:
                raise InvalidInput.field(
                    "consent", _("The person withdrew the consent for this sharing.")
                )
        referral.status = Referral.Status.ACCEPTED if accept else Referral.Status.DECLINED
        referral.decided_by, referral.decided_at = actor, timezone.now()
        referral.decline_reason = "" if accept else reason.strip()
        referral.save()
        if accept and "identity" in referral.shares:
            Involvement.objects.get_or_create(
                person=referral.case.person,
                institution_id=actor.institution_id,
                team_id=actor.team_id,
                defaults={"created_by": actor, "source": Involvement.Source.REFERRAL},
            )
        _event(
            referral.case,
            actor,
            "referral_accepted" if accept else "referral_declined",
            by=actor.institution.code if actor.institution else "",
            reason=referral.decline_reason,
        )
        audit_record(
            actor=actor,
            action="referral.decide",
            obj=referral,
            person_id=referral.case.person_id,
            detail={"accepted": accept},
        )
        return referral

    return _attempt(actor, "referral.decide", referral_id, body)


def _site_closed_on(site: Site, day: date) -> str:
    """Why no service can be given at ``site`` on ``day`` ("" when it is open): a mobile
    consulate serves only between its first and last day."""
    if site.opens_on is None or (
        site.opens_on <= day and (site.closes_on is None or day <= site.closes_on)
    ):
        return ""
    first = date_format(site.opens_on, "SHORT_DATE_FORMAT")
    if site.closes_on is None:
        return _("“%(site)s” opens on %(first)s: the service date cannot be before.") % {
            "site": site.name,
            "first": first,
        }
    last = date_format(site.closes_on, "SHORT_DATE_FORMAT")
    return _(
        "“%(site)s” serves from %(first)s to %(last)s: the service date must be one of those "
        "days."
    ) % {"site": site.name, "first": first, "last": last}


def service_record(
    *,
    actor: User,
    person_id: uuid.UUID,
    kind: str,
    case_id: uuid.UUID | None = None,
    referral_id: uuid.UUID | None = None,
    site_code: str | None = None,
    delivered_at: datetime | None = None,
    note: str = "",
) -> ServiceDelivery:
    """A service given to a person: by whom, where and when. Through a referral, only the
    recipient institution marks its services delivered."""
    require(actor, Perm.CASE_WRITE)
    errors: dict[str, list[str]] = {}
    if kind not in ServiceKind.values:
        errors["kind"] = [_("Unknown service.")]
    # Services are counted per site: an institution records them at its own sites only.
    site = (
        Site.objects.filter(
            code=Site.normal_code(site_code), institution_id=actor.institution_id
        ).first()
        if site_code
        else None
    )
    if site_code and site is None:
        errors["site"] = [_("Unknown site “%(code)s” of your institution.") % {"code": site_code}]
    when = delivered_at or timezone.now()
    if when > timezone.now():
        errors["delivered_at"] = [_("A service cannot be delivered in the future.")]
    elif site is not None and (closed := _site_closed_on(site, timezone.localdate(when))):
        errors["delivered_at"] = [closed]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        referral = None
        if referral_id:
            referral = Referral.objects.filter(
                pk=referral_id,
                to_institution_id=actor.institution_id,
                status=Referral.Status.ACCEPTED,
            ).first()
            if referral is None:
                raise InvalidInput.field("referral", _("No accepted referral to your institution."))
            person_id = referral.case.person_id
            case_id = referral.case_id
        # Through an accepted referral the service is for the referral's person, even when
        # the referral does not share who that is (the recipient still cannot read them).
        people = Person.objects.all() if referral is not None else persons_visible_to(actor)
        person = people.filter(pk=person_id).first()
        if person is None:
            raise InvalidInput.field("person", _("No such person in your records."))
        case = None
        if case_id and referral is None:
            case = cases_owned_by(actor).filter(pk=case_id).first()
            if case is None:
                raise InvalidInput.field("case", _("No such case in your records."))
        elif referral is not None:
            case = referral.case
        service = ServiceDelivery.objects.create(
            person=person,
            case=case,
            referral=referral,
            institution_id=actor.institution_id,
            site=site,
            kind=kind,
            delivered_at=when,
            delivered_by=actor,
            note=note.strip()[:500],
        )
        if case is not None:
            _event(
                case,
                actor,
                "service",
                service=kind,
                institution=actor.institution.code if actor.institution else "",
            )
        audit_record(
            actor=actor,
            action="service.record",
            obj=service,
            person_id=person.pk,
            detail={"kind": kind},
        )
    return service


def deadlines_sweep(*, now: datetime | None = None) -> int:
    """Escalate every overdue task not yet escalated, in one statement; returns how many.

    Supervisors see escalated tasks on their home page (queries.supervisor_dashboard).
    """
    now = now or timezone.now()
    with transaction.atomic():
        count = Task.objects.filter(
            done_at__isnull=True, escalated_at__isnull=True, due_at__lt=now
        ).update(escalated_at=now)
        if count:
            audit_record(actor=None, action="case.deadlines_sweep", detail={"escalated": count})
    return count
