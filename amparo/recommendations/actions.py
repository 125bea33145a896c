"""Writes of the Recommendations Monitoring System. Each checks the role, validates with a
message per field, writes and audits in one transaction. Stale versions are a Conflict."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.core.audit import audit_record
from amparo.core.errors import Conflict, InvalidInput, NotFound
from amparo.core.models import Institution, User
from amparo.core.permissions import Perm, require

from .errors import ParseError
from .models import (
    Assignment,
    Document,
    FocalPoint,
    FollowUpAction,
    Indicator,
    Mechanism,
    Paragraph,
    ProgressUpdate,
    Recommendation,
    RecommendationTag,
    ReportDraft,
    Status,
    Submission,
    Turn,
)
from .parsing import KINDS, ParsedDocument, parse_bytes
from .textutil import fold
from .uhri import ImportResult, apply_batch, content_hash

COORDINATOR_INSTITUTION = "COPADEH"
TEXT_MAX = 20_000
MAX_UPLOAD = 20 * 1024 * 1024

_SYMBOL_MECHANISM = [
    ("CMW/", "CMW"),
    ("CERD/", "CERD"),
    ("CRC/", "CRC"),
    ("CEDAW/", "CEDAW"),
    ("CAT/", "CAT"),
    ("CCPR/", "CCPR"),
    ("E/C.12/", "CESCR"),
    ("A/HRC/", "UPR"),
]


def mechanism_of_symbol(symbol: str) -> str | None:
    for prefix, code in _SYMBOL_MECHANISM:
        if symbol.startswith(prefix):
            return code
    return None


def is_coordinator(user: User) -> bool:
    """The national coordinator: a supervisor of the coordinating institution (COPADEH)."""
    inst = user.institution
    return bool(inst and inst.code == COORDINATOR_INSTITUTION and user.role == "supervisor")


# ---------------------------------------------------------------------------- documents


@dataclass
class DocumentImport:
    document: Document
    parsed: ParsedDocument
    result: ImportResult
    created: bool


def document_import(
    *,
    actor: User | None,
    name: str,
    data: bytes,
    mechanism: str = "",
    kind: str = "",
    symbol: str = "",
    on: date | None = None,
) -> DocumentImport:
    """Parse an uploaded document and store it with its paragraphs, turns and recommendations.
    Importing the same symbol again updates it: unchanged recommendations stay, changed ones
    get a new version, nothing is duplicated."""
    if actor is not None:
        require(actor, Perm.RECS_WRITE)
    if len(data) > MAX_UPLOAD:
        raise InvalidInput.field("file", _("The file is larger than 20 MB."))
    if kind and kind not in KINDS:
        raise InvalidInput.field("kind", _("Unknown kind of document."))
    try:
        parsed = parse_bytes(name, data)
    except ParseError as exc:
        raise InvalidInput.field("file", exc.message) from exc
    if kind:
        parsed.kind = kind
    symbol = " ".join(symbol.split())[:80] or (parsed.symbol or "")
    if not symbol:
        raise InvalidInput.field(
            "symbol", _("The document's symbol was not found in it: type it (e.g. CMW/C/GTM/CO/2).")
        )
    code = mechanism or mechanism_of_symbol(symbol) or ""
    if not code:
        raise InvalidInput.field("mechanism", _("Choose the mechanism that issued the document."))
    if not Mechanism.objects.filter(code=code).exists():
        raise InvalidInput.field("mechanism", _("Unknown mechanism."))
    if parsed.kind in ("concluding_observations", "upr_report") and not parsed.recommendations:
        raise InvalidInput.field(
            "file", _("No recommendation was found in these concluding observations.")
        )
    with transaction.atomic():
        document, created = Document.objects.select_for_update().get_or_create(
            symbol=symbol,
            defaults={
                "mechanism_id": code,
                "kind": parsed.kind,
                "language": parsed.language,
                "title": parsed.title[:2000],
                "date": on,
                "source": name.rsplit(".", 1)[-1].lower()[:20] if "." in name else "text",
                "created_by": actor,
            },
        )
        if not created:
            document.kind, document.language = parsed.kind, parsed.language
            document.title = parsed.title[:2000]
            document.date = on or document.date
            document.mechanism_id = code
            document.version += 1
            document.save()
            document.paragraphs.all().delete()
            document.turns.all().delete()
        Paragraph.objects.bulk_create(
            Paragraph(
                document=document,
                number=p.number,
                heading=p.heading,
                section=p.section,
                category=p.category,
                text=p.text,
                sub_items=[{"label": s.label, "text": s.text} for s in p.sub_items],
            )
            for p in parsed.paragraphs
        )
        Turn.objects.bulk_create(
            Turn(
                document=document,
                paragraph=t.paragraph,
                paragraphs=t.paragraphs,
                speaker=t.speaker,
                country=t.country or "",
                role=t.role,
                function=t.function,
                procedural=t.procedural,
                questions=[
                    {"paragraph": q.paragraph, "text": q.text, "answered_in": q.answered_in}
                    for q in t.questions
                ],
            )
            for t in parsed.turns
        )
        result = ImportResult()
        batch = []
        for r in parsed.recommendations:
            fields: dict[str, Any] = {
                "key": f"{symbol}#{r.paragraph}{r.sub_item or ''}",
                "mechanism_id": code,
                "document_id": document.pk,
                "symbol": symbol,
                "paragraph": r.paragraph,
                "sub_item": r.sub_item or "",
                "chapeau": r.chapeau,
                "text": r.text,
                "published_on": on,
            }
            fields["search_text"] = fold(f"{symbol} {r.chapeau} {r.text}")
            fields["content_hash"] = content_hash(fields)
            batch.append(fields)
        if batch:
            apply_batch(batch, result, "document")
        result.records = len(batch)
        audit_record(
            actor=actor,
            action="recommendations.document_import",
            obj=document,
            detail={
                "symbol": symbol,
                "kind": parsed.kind,
                "paragraphs": len(parsed.paragraphs),
                "created": result.created,
                "changed": result.changed,
            },
        )
    from .tagging import suggest_for

    suggest_for(Recommendation.objects.filter(document=document))
    return DocumentImport(document, parsed, result, created)


# ---------------------------------------------------------------------------- helpers


def _locked(rec_id: Any) -> Recommendation:
    try:
        return Recommendation.objects.select_for_update().get(pk=rec_id)
    except (Recommendation.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound from exc


def _check_version(obj: Any, version: int | None) -> None:
    if version is not None and obj.version != version:
        raise Conflict(
            str(_("Someone else changed this record: reload it.")),
            current_version=obj.version,
            changes={},
        )


def _institution(errors: dict[str, list[str]], name: str, code: str) -> Institution | None:
    inst = Institution.objects.filter(code=(code or "").strip()).first()
    if inst is None:
        errors[name] = [_("Unknown institution.")]
    return inst


def _text(errors: dict[str, list[str]], name: str, value: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[name] = [_("This field is required.")]
    elif len(value) > TEXT_MAX:
        errors[name] = [_("Too long (%(n)s characters at most).") % {"n": f"{TEXT_MAX:,}"}]
    return value


# ---------------------------------------------------------------------------- responsibility


def assignment_set(
    *, actor: User, recommendation_id: Any, institution: str, role: str
) -> Assignment:
    """Make an institution lead or contributing on a recommendation (the coordinator's call)."""
    require(actor, Perm.RECS_VALIDATE)
    if not is_coordinator(actor):
        raise InvalidInput.field(
            "institution", _("Only the national coordinator assigns institutions.")
        )
    errors: dict[str, list[str]] = {}
    inst = _institution(errors, "institution", institution)
    if role not in Assignment.Role.values:
        errors["role"] = [_("Choose lead or contributing.")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        rec = _locked(recommendation_id)
        if role == Assignment.Role.LEAD:
            # One lead: the previous lead becomes contributing.
            rec.assignments.filter(role=Assignment.Role.LEAD).exclude(institution=inst).update(
                role=Assignment.Role.CONTRIBUTING
            )
        assignment, _created = Assignment.objects.update_or_create(
            recommendation=rec,
            institution=inst,
            defaults={"role": role, "assigned_by": actor},
        )
        audit_record(
            actor=actor,
            action="recommendations.assign",
            obj=rec,
            detail={"institution": inst.code, "role": role},  # type: ignore[union-attr]
        )
    return assignment


def assignment_remove(*, actor: User, recommendation_id: Any, institution: str) -> None:
    require(actor, Perm.RECS_VALIDATE)
    if not is_coordinator(actor):
        raise InvalidInput.field(
            "institution", _("Only the national coordinator assigns institutions.")
        )
    with transaction.atomic():
        rec = _locked(recommendation_id)
        deleted, _rows = rec.assignments.filter(institution__code=institution).delete()
        if not deleted:
            raise NotFound
        audit_record(
            actor=actor,
            action="recommendations.unassign",
            obj=rec,
            detail={"institution": institution},
        )


def focal_point_set(*, actor: User, institution: str, kind: str, username: str) -> FocalPoint:
    """Name the principal or alternate focal point of an institution: its own validator (a
    supervisor there) or the national coordinator."""
    require(actor, Perm.RECS_VALIDATE)
    errors: dict[str, list[str]] = {}
    inst = _institution(errors, "institution", institution)
    if kind not in FocalPoint.Kind.values:
        errors["kind"] = [_("Choose principal or alternate.")]
    user = User.objects.filter(username=(username or "").strip(), is_active=True).first()
    if user is None:
        errors["username"] = [_("No active user has this user name.")]
    if inst and not is_coordinator(actor) and actor.institution_id != inst.pk:
        errors["institution"] = [_("You may name focal points of your own institution only.")]
    if user and inst and user.institution_id != inst.pk:
        errors["username"] = [_("The focal point must work at the institution.")]
    if user and Perm.RECS_WRITE not in _perms(user):
        errors["username"] = [_("This user's role cannot write progress updates.")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        fp, _created = FocalPoint.objects.update_or_create(
            institution=inst, kind=kind, defaults={"user": user}
        )
        audit_record(
            actor=actor,
            action="recommendations.focal_point",
            obj=fp,
            detail={"institution": inst.code, "kind": kind, "user": user.username},  # type: ignore[union-attr]
        )
    return fp


def _perms(user: User) -> frozenset[Perm]:
    from amparo.core.permissions import ROLE_PERMISSIONS

    return ROLE_PERMISSIONS.get(user.role, frozenset())


def is_focal_point(user: User, institution_id: Any) -> bool:
    return FocalPoint.objects.filter(institution_id=institution_id, user=user).exists()


def _assigned_institution(actor: User, rec: Recommendation) -> Institution:
    if not rec.assignments.filter(institution_id=actor.institution_id).exists():
        raise InvalidInput.field(
            "recommendation", _("Your institution is not responsible for this recommendation.")
        )
    return actor.institution  # type: ignore[return-value]


def _in_catalogue(code: str) -> bool:
    try:
        from amparo.stats import registry
    except ImportError:  # the statistics app is not installed: keep the code as given
        return True
    return registry.get(code) is not None


def action_add(
    *, actor: User, recommendation_id: Any, description: str, due_on: date | None
) -> FollowUpAction:
    require(actor, Perm.RECS_WRITE)
    errors: dict[str, list[str]] = {}
    description = _text(errors, "description", description)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        rec = _locked(recommendation_id)
        inst = _assigned_institution(actor, rec)
        action = FollowUpAction.objects.create(
            recommendation=rec,
            institution=inst,
            description=description,
            due_on=due_on,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="recommendations.action_add",
            obj=rec,
            detail={"action": action.pk, "due_on": due_on},
        )
    return action


def indicator_add(
    *,
    actor: User,
    recommendation_id: Any,
    name: str,
    frequency: str,
    due_on: date | None,
    stats_indicator: str = "",
    baseline: str = "",
    target: str = "",
) -> Indicator:
    require(actor, Perm.RECS_WRITE)
    errors: dict[str, list[str]] = {}
    name = _text(errors, "name", name)[:300]
    if frequency not in Indicator.Frequency.values:
        errors["frequency"] = [_("Choose how often the indicator is reported.")]
    if due_on is None:
        errors["due_on"] = [_("Give the date the next figure is due.")]
    stats_indicator = stats_indicator.strip()[:80]
    if stats_indicator and not _in_catalogue(stats_indicator):
        errors["stats_indicator"] = [_("No indicator of the statistics catalogue has this code.")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        rec = _locked(recommendation_id)
        inst = _assigned_institution(actor, rec)
        indicator = Indicator.objects.create(
            recommendation=rec,
            institution=inst,
            name=name,
            frequency=frequency,
            due_on=due_on,
            stats_indicator=stats_indicator,
            baseline=baseline.strip()[:200],
            target=target.strip()[:200],
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="recommendations.indicator_add",
            obj=rec,
            detail={"indicator": indicator.pk, "due_on": due_on},
        )
    return indicator


# ---------------------------------------------------------------------------- progress updates


def update_submit(
    *,
    actor: User,
    recommendation_id: Any,
    text: str,
    proposed_status: str,
    evidence: str,
    evidence_url: str = "",
) -> ProgressUpdate:
    """Step 1: a focal point of a responsible institution reports progress, with evidence."""
    require(actor, Perm.RECS_WRITE)
    errors: dict[str, list[str]] = {}
    text = _text(errors, "text", text)
    evidence = _text(errors, "evidence", evidence, required=False)
    evidence_url = (evidence_url or "").strip()[:200]
    if not evidence:
        errors["evidence"] = [
            _(
                "Every step of the implementation status needs evidence: describe the "
                "document, decision or data that shows it."
            )
        ]
    if evidence_url and not evidence_url.startswith(("https://", "http://")):
        errors["evidence_url"] = [_("Give a web address starting with https://.")]
    if proposed_status not in Status.values or proposed_status == Status.NO_INFORMATION:
        errors["proposed_status"] = [_("Choose the implementation status.")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        rec = _locked(recommendation_id)
        inst = _assigned_institution(actor, rec)
        if not is_focal_point(actor, inst.pk):
            raise InvalidInput.field(
                "recommendation",
                _("Only your institution's focal points (principal or alternate) report progress."),
            )
        now = timezone.now()
        update = ProgressUpdate.objects.create(
            recommendation=rec,
            institution=inst,
            author=actor,
            text=text,
            proposed_status=proposed_status,
            evidence=evidence,
            evidence_url=evidence_url,
            history=[{"at": now.isoformat(), "stage": "submitted", "by": actor.username}],
        )
        audit_record(
            actor=actor,
            action="recommendations.update_submit",
            obj=update,
            detail={"recommendation": str(rec.pk), "status": proposed_status},
        )
    return update


def _locked_update(update_id: Any) -> ProgressUpdate:
    try:
        return ProgressUpdate.objects.select_for_update().get(pk=update_id)
    except (ProgressUpdate.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound from exc


def update_decide(
    *, actor: User, update_id: Any, approve: bool, reason: str = "", version: int | None = None
) -> ProgressUpdate:
    """Steps 2 and 3: the institution's validator, then the national coordinator. Either may
    return the update to the focal point with a reason. The coordinator's approval moves the
    recommendation to the proposed status, with the evidence in its history."""
    require(actor, Perm.RECS_VALIDATE)
    reason = (reason or "").strip()[:1000]
    with transaction.atomic():
        update = _locked_update(update_id)
        _check_version(update, version)
        stage = update.stage
        if stage == ProgressUpdate.Stage.SUBMITTED:
            if actor.institution_id != update.institution_id:
                raise InvalidInput.field(
                    "update", _("Only a validator of the reporting institution validates it first.")
                )
        elif stage == ProgressUpdate.Stage.INSTITUTION_VALIDATED:
            if not is_coordinator(actor):
                raise InvalidInput.field(
                    "update", _("The national coordinator gives the final validation.")
                )
        else:
            raise InvalidInput.field("update", _("This update is not awaiting validation."))
        if not approve and not reason:
            raise InvalidInput.field("reason", _("Say why the update is returned."))
        if actor.pk == update.author_id:
            raise InvalidInput.field("update", _("Nobody validates their own update."))
        now = timezone.now()
        if not approve:
            new_stage = ProgressUpdate.Stage.RETURNED
        elif stage == ProgressUpdate.Stage.SUBMITTED:
            new_stage = ProgressUpdate.Stage.INSTITUTION_VALIDATED
        else:
            new_stage = ProgressUpdate.Stage.VALIDATED
        update.stage = new_stage
        update.history = [
            *update.history,
            {"at": now.isoformat(), "stage": new_stage, "by": actor.username, "reason": reason},
        ]
        update.version += 1
        update.save(update_fields=["stage", "history", "version"])
        if new_stage == ProgressUpdate.Stage.VALIDATED:
            rec = _locked(update.recommendation_id)
            rec.history = [
                *rec.history,
                {
                    "at": now.isoformat(),
                    "change": "status",
                    "from": rec.status,
                    "to": update.proposed_status,
                    "update": str(update.pk),
                    "evidence": update.evidence,
                    "evidence_url": update.evidence_url,
                    "by": actor.username,
                },
            ]
            rec.status, rec.status_at = update.proposed_status, now
            rec.version += 1
            rec.save(update_fields=["status", "status_at", "history", "version", "updated_at"])
        audit_record(
            actor=actor,
            action="recommendations.update_decide",
            obj=update,
            reason=reason,
            detail={"stage": new_stage},
        )
    return update


def recommendation_publish(
    *, actor: User, recommendation_id: Any, public: bool, version: int | None = None
) -> Recommendation:
    """Show (or hide) a recommendation, its status and validated evidence on the portal."""
    require(actor, Perm.RECS_VALIDATE)
    if not is_coordinator(actor):
        raise InvalidInput.field("public", _("Only the national coordinator publishes."))
    with transaction.atomic():
        rec = _locked(recommendation_id)
        _check_version(rec, version)
        rec.public = public
        rec.version += 1
        rec.save(update_fields=["public", "version", "updated_at"])
        audit_record(
            actor=actor, action="recommendations.publish", obj=rec, detail={"public": public}
        )
    return rec


# ---------------------------------------------------------------------------- tags


def tag_decide(
    *, actor: User, recommendation_id: Any, vocabulary: str, code: str, confirm: bool
) -> RecommendationTag:
    """A person confirms or rejects a suggested tag, or adds one (confirmed)."""
    require(actor, Perm.RECS_WRITE)
    from .tagging import is_known

    if vocabulary not in RecommendationTag.Vocabulary.values:
        raise InvalidInput.field("vocabulary", _("Unknown kind of tag."))
    if not is_known(vocabulary, code):
        raise InvalidInput.field("code", _("Unknown tag."))
    with transaction.atomic():
        rec = _locked(recommendation_id)
        tag, _created = RecommendationTag.objects.update_or_create(
            recommendation=rec,
            vocabulary=vocabulary,
            code=code,
            defaults={
                "state": (
                    RecommendationTag.State.CONFIRMED
                    if confirm
                    else RecommendationTag.State.REJECTED
                ),
                "decided_by": actor,
                "decided_at": timezone.now(),
            },
        )
        audit_record(
            actor=actor,
            action="recommendations.tag",
            obj=rec,
            detail={"vocabulary": vocabulary, "code": code, "confirm": confirm},
        )
    return tag


def recommendations_group(
    *, actor: User | None, threshold: float = 0.45, limit: int = 20_000
) -> int:
    """Group similar recommendations across mechanisms and cycles (regrouping from scratch)."""
    from .models import RecommendationGroup
    from .tagging import group_similar

    if actor is not None:
        require(actor, Perm.RECS_VALIDATE)
    recs = list(Recommendation.objects.order_by("-published_on", "key")[:limit])
    groups = group_similar(recs, threshold)  # type: ignore[arg-type]
    with transaction.atomic():
        Recommendation.objects.filter(group__isnull=False).update(group=None)
        RecommendationGroup.objects.all().delete()
        for members in groups:
            first = members[0]
            group = RecommendationGroup.objects.create(label=first.text[:300])  # type: ignore[attr-defined]
            Recommendation.objects.filter(pk__in=[m.pk for m in members]).update(group=group)  # type: ignore[attr-defined]
        audit_record(
            actor=actor,
            action="recommendations.group",
            detail={"groups": len(groups), "threshold": threshold},
        )
    return len(groups)


# ---------------------------------------------------------------------------- civil society

SUBMISSIONS_PER_HOUR = 5


def submission_send(
    *,
    recommendation_id: Any,
    organisation: str,
    email: str,
    text: str,
    link: str = "",
    language: str = "es",
    client: str = "",
) -> Submission:
    """Anyone may send information on a published recommendation; it waits for moderation."""
    from django.core.validators import validate_email

    errors: dict[str, list[str]] = {}
    organisation = _text(errors, "organisation", organisation)[:200]
    text = _text(errors, "text", text)
    email = (email or "").strip()[:254]
    try:
        validate_email(email)
    except Exception:
        errors["email"] = [_("Give a valid email address.")]
    link = (link or "").strip()[:200]
    if link and not link.startswith(("https://", "http://")):
        errors["link"] = [_("Give a web address starting with https://.")]
    if errors:
        raise InvalidInput(errors)
    rec = Recommendation.objects.filter(pk=recommendation_id, public=True).first()
    if rec is None:
        raise NotFound
    since = timezone.now() - timezone.timedelta(hours=1)
    with transaction.atomic():
        if client and Submission.objects.filter(client=client, created_at__gte=since).count() >= (
            SUBMISSIONS_PER_HOUR
        ):
            raise InvalidInput.field(
                "text", _("Too many submissions from your connection: try again in an hour.")
            )
        sub = Submission.objects.create(
            recommendation=rec,
            organisation=organisation,
            email=email,
            text=text,
            link=link,
            language=language[:2],
            client=client,
        )
        audit_record(actor=None, action="recommendations.submission", obj=sub)
    return sub


def submission_moderate(
    *, actor: User, submission_id: Any, publish: bool, reason: str = ""
) -> Submission:
    require(actor, Perm.RECS_VALIDATE)
    if not is_coordinator(actor):
        raise InvalidInput.field("submission", _("Only the national coordinator moderates."))
    reason = (reason or "").strip()[:300]
    if not publish and not reason:
        raise InvalidInput.field("reason", _("Say why the information is not published."))
    with transaction.atomic():
        sub = Submission.objects.select_for_update().filter(pk=submission_id).first()
        if sub is None:
            raise NotFound
        if sub.state != Submission.State.PENDING:
            raise InvalidInput.field("submission", _("Already moderated."))
        sub.state = Submission.State.PUBLISHED if publish else Submission.State.REJECTED
        sub.moderated_by, sub.moderated_at, sub.reason = actor, timezone.now(), reason
        sub.save()
        audit_record(
            actor=actor,
            action="recommendations.moderate",
            obj=sub,
            reason=reason,
            detail={"state": sub.state},
        )
    return sub


# ---------------------------------------------------------------------------- report drafts


def draft_create(*, actor: User, loipr_id: Any, title: str) -> ReportDraft:
    require(actor, Perm.RECS_VALIDATE)
    errors: dict[str, list[str]] = {}
    title = _text(errors, "title", title)[:300]
    loipr = Document.objects.filter(pk=loipr_id).first() if loipr_id else None
    if loipr is None or loipr.kind != Document.Kind.LOIPR:
        errors["loipr"] = [_("Choose a list of issues prior to reporting.")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        draft = ReportDraft.objects.create(loipr=loipr, title=title, created_by=actor)
        audit_record(actor=actor, action="recommendations.draft_create", obj=draft)
    return draft


def draft_section_save(
    *, actor: User, draft_id: Any, paragraph: int, text: str, version: int | None = None
) -> ReportDraft:
    require(actor, Perm.RECS_VALIDATE)
    errors: dict[str, list[str]] = {}
    text = _text(errors, "text", text, required=False)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        draft = ReportDraft.objects.select_for_update().filter(pk=draft_id).first()
        if draft is None:
            raise NotFound
        _check_version(draft, version)
        if not draft.loipr.paragraphs.filter(number=paragraph).exists():
            raise InvalidInput.field("paragraph", _("The list of issues has no such paragraph."))
        draft.sections = {**draft.sections, str(paragraph): text}
        draft.version += 1
        draft.save(update_fields=["sections", "version", "updated_at"])
        audit_record(
            actor=actor,
            action="recommendations.draft_edit",
            obj=draft,
            detail={"paragraph": paragraph},
        )
    return draft
