"""Reads of cases, scoped: the owning institution (the owning team for sensitive cases), and
institutions that accepted a referral, which see only what the referral shares."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from amparo.core.audit import audit_record
from amparo.core.errors import NotFound
from amparo.core.models import User
from amparo.core.permissions import Perm, has_perm, require

from .models import Approval, Case, Referral, Task


def _owned(actor: User) -> Q:
    team_ok = Q(team__isnull=True) | Q(team_id=actor.team_id)
    return Q(institution_id=actor.institution_id) & (Q(sensitive=False) | team_ok)


def _referred(actor: User) -> Exists:
    return Exists(
        Referral.objects.filter(
            case_id=OuterRef("pk"),
            to_institution_id=actor.institution_id,
            status=Referral.Status.ACCEPTED,
        )
    )


def cases_visible_to(actor: User) -> QuerySet[Case]:
    if not has_perm(actor, Perm.CASE_READ) or actor.institution_id is None:
        return Case.objects.none()
    return Case.objects.filter(_owned(actor) | Q(_referred(actor)))


def cases_owned_by(actor: User) -> QuerySet[Case]:
    if not has_perm(actor, Perm.CASE_READ) or actor.institution_id is None:
        return Case.objects.none()
    return Case.objects.filter(_owned(actor))


@dataclass(frozen=True)
class CaseView:
    case: Case
    owner: bool
    shares: frozenset[str]  # for a referral recipient: what the accepted referrals share


def case_get(*, actor: User, case_id: uuid.UUID | str, purpose: str = "view") -> CaseView:
    require(actor, Perm.CASE_READ)
    try:
        pk = uuid.UUID(str(case_id))
    except ValueError as exc:
        raise NotFound from exc
    case = (
        cases_visible_to(actor)
        .select_related("person", "institution", "assigned_to")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise NotFound
    owner = cases_owned_by(actor).filter(pk=pk).exists()
    shares: set[str] = set()
    if not owner:
        for referral in case.referrals.filter(
            to_institution_id=actor.institution_id, status=Referral.Status.ACCEPTED
        ):
            shares.update(referral.shares)
    audit_record(actor=actor, action=f"case.{purpose}", obj=case, person_id=case.person_id)
    return CaseView(case, owner, frozenset(shares))


def case_list(
    *, actor: User, stage: str = "", protocol: str = "", mine: bool = False, open_only: bool = True
) -> QuerySet[Case]:
    qs = cases_visible_to(actor).select_related("person")
    if stage:
        qs = qs.filter(stage=stage)
    if protocol:
        qs = qs.filter(protocol_code=protocol)
    if mine:
        qs = qs.filter(assigned_to=actor)
    if open_only:
        qs = qs.filter(closed_at__isnull=True)
    return qs.order_by("-opened_at", "id")


def referrals_incoming(*, actor: User, status: str = "") -> QuerySet[Referral]:
    """Referrals sent to the actor's institution; `status` ("sent": waiting for an answer)
    narrows them to one status."""
    if not has_perm(actor, Perm.CASE_READ):
        return Referral.objects.none()
    qs = Referral.objects.filter(to_institution_id=actor.institution_id)
    if status in Referral.Status.values:
        qs = qs.filter(status=status)
    return qs.select_related("from_institution", "case").order_by("-sent_at", "id")


# --- work queues ----------------------------------------------------------------------------


def approvals_waiting_for(*, actor: User) -> QuerySet[Approval]:
    """Steps waiting for the actor's decision: on the open cases the actor's scope owns, asked
    for by someone else (nobody approves their own request), oldest request first."""
    if not has_perm(actor, Perm.CASE_APPROVE):
        return Approval.objects.none()
    return (
        Approval.objects.filter(
            case__in=cases_owned_by(actor).filter(closed_at__isnull=True),
            decided_at__isnull=True,
        )
        .exclude(requested_by=actor)
        .select_related("case__person", "requested_by")
        .order_by("requested_at", "id")
    )


def overdue_tasks(*, actor: User, mine: bool = True, now: datetime | None = None) -> QuerySet[Task]:
    """Tasks past their due time on open cases the actor's scope owns: those of the cases
    assigned to the actor (`mine`), or all of the scope (a supervisor's view of the team)."""
    owned = cases_owned_by(actor).filter(closed_at__isnull=True)
    if mine:
        owned = owned.filter(assigned_to=actor)
    return (
        Task.objects.filter(case__in=owned, done_at__isnull=True, due_at__lt=now or timezone.now())
        .select_related("case__person", "case__assigned_to")
        .order_by("due_at", "id")
    )


@dataclass(frozen=True)
class Dashboard:
    open_cases: int
    overdue_tasks: list[Task]  # the oldest few; overdue_count says how many in all
    overdue_count: int
    by_stage: list[dict[str, object]]
    by_worker: list[dict[str, object]]
    pending_approvals: int


def supervisor_dashboard(*, actor: User, now: datetime | None = None) -> Dashboard:
    """Caseload, overdue and escalated tasks, and cases per stage for the actor's scope."""
    owned = cases_owned_by(actor).filter(closed_at__isnull=True)
    overdue = overdue_tasks(actor=actor, mine=False, now=now)
    return Dashboard(
        open_cases=owned.count(),
        overdue_tasks=list(overdue[:10]),
        overdue_count=overdue.count(),
        by_stage=list(
            owned.values("protocol_code", "stage")
            .annotate(n=Count("id"))
            .order_by("protocol_code", "stage")
        ),
        by_worker=list(
            owned.values("assigned_to__username").annotate(n=Count("id")).order_by("-n")
        ),
        pending_approvals=approvals_waiting_for(actor=actor).count(),
    )


def case_detail(view: CaseView) -> dict[str, object]:
    """What the actor may see of a case, as plain data for the page and the API.

    The owning institution sees everything; a referral recipient sees only what the accepted
    referrals share: "identity" (who), "case" (stage and timeline), "forms" (the form data).
    """
    from .protocol import protocol_get, text

    case = view.case
    protocol = protocol_get(case.protocol_code, case.protocol_version)
    shares = view.shares
    full = view.owner
    stage = protocol.stages.get(case.stage) if protocol else None
    detail: dict[str, object] = {
        "id": case.pk,
        "protocol_code": case.protocol_code,
        "protocol_version": case.protocol_version,
        "protocol_name": text(protocol.name) if protocol else case.protocol_code,
        "owner": full,
        "institution": case.institution.code,
        "sensitive": case.sensitive,
        "opened_at": case.opened_at,
        "closed_at": case.closed_at,
        "closure_reason": case.closure_reason,
        "person_id": case.person_id if full or "identity" in shares else None,
        "person_name": case.person.full_name if full or "identity" in shares else None,
        "stage": case.stage if full or "case" in shares else None,
        "stage_name": text(stage.name) if stage and (full or "case" in shares) else None,
        "version": case.version,
        "data": case.data if full or "forms" in shares else {},
        "assigned_to": case.assigned_to.username if full and case.assigned_to else None,
        "tasks": [],
        "transitions": [],
        "events": [],
        "pending_approval": None,
    }
    if full or "case" in shares:
        detail["events"] = [
            {
                "at": e.at,
                "kind": e.kind,
                "stage_from": e.stage_from,
                "stage_to": e.stage_to,
                "actor": e.actor.username if e.actor else "",
                "detail": e.detail,
            }
            for e in case.events.select_related("actor")
        ]
    if full:
        lang_en = translation_language() == "en"
        detail["tasks"] = [
            {
                "id": t.pk,
                "code": t.code,
                "title": t.title_en if lang_en else t.title_es,
                "stage": t.stage,
                "due_at": t.due_at,
                "done_at": t.done_at,
                "overdue": t.done_at is None and t.due_at < timezone.now(),
                "escalated": t.escalated_at is not None,
            }
            for t in case.tasks.order_by("due_at", "id")
        ]
        if protocol and case.closed_at is None:
            detail["transitions"] = [
                {
                    "code": t.code,
                    "name": text(t.name),
                    "to": t.target,
                    "approval": t.approval,
                    "closure": t.closure,
                    "requires_tasks": list(t.requires_tasks),
                    "requires_forms": list(t.requires_forms),
                }
                for t in protocol.transitions_from(case.stage)
            ]
        pending = (
            case.approvals.filter(decided_at__isnull=True).select_related("requested_by").first()
        )
        if pending:
            detail["pending_approval"] = {
                "id": pending.pk,
                "transition": pending.transition,
                "requested_by": pending.requested_by.username,
                "requested_at": pending.requested_at,
            }
    return detail


def translation_language() -> str:
    from django.utils import translation

    return (translation.get_language() or "es")[:2]
