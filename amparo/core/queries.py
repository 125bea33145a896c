"""Reads of the network and of the audit trail, scoped to the actor."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db.models import QuerySet

from .models import AuditEntry, Role, User
from .permissions import Perm, has_perm


def audit_entries_visible_to(actor: User) -> QuerySet[AuditEntry]:
    if not has_perm(actor, Perm.AUDIT_READ):
        return AuditEntry.objects.none()
    # Auditors of the institutions named in settings read the whole network's trail.
    national = settings.AMPARO_NATIONAL_AUDIT_INSTITUTIONS
    if actor.role == Role.AUDITOR and actor.institution and actor.institution.code in national:
        return AuditEntry.objects.all()
    return AuditEntry.objects.filter(institution_id=actor.institution_id)


def audit_search(
    *,
    actor: User,
    username: str = "",
    action: str = "",
    person_id: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEntry]:
    qs = audit_entries_visible_to(actor)
    if username:
        qs = qs.filter(actor_username=username)
    if action:
        qs = qs.filter(action__startswith=action)
    if person_id:
        qs = qs.filter(person_id=person_id)
    if since:
        qs = qs.filter(at__gte=since)
    if until:
        qs = qs.filter(at__lt=until)
    return qs.order_by("-at", "-id")


def break_glass_reads(*, actor: User) -> QuerySet[AuditEntry]:
    """Break-glass reads in the auditor's scope, newest first: each one is to be reviewed."""
    return audit_search(actor=actor, action="person.break_glass")
