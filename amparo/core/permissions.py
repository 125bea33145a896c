"""What each role may do. The one table every view, endpoint and test reads."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from .models import Role, User


class Perm(StrEnum):
    PERSON_READ = "person.read"
    PERSON_WRITE = "person.write"
    PERSON_VOID = "person.void"
    PERSON_MERGE = "person.merge"
    AUDIT_READ = "audit.read"
    AUDIT_READ_ALL = "audit.read_all"
    USER_MANAGE = "user.manage"
    REFERENCE_READ = "reference.read"
    STATS_READ = "stats.read"
    CASE_READ = "case.read"
    CASE_WRITE = "case.write"
    CASE_APPROVE = "case.approve"
    CONSENT_OVERRIDE = "consent.override"
    BREAK_GLASS = "person.break_glass"
    # Support line, consular services, civil registry and travel documents.
    ASSISTANCE_READ = "assistance.read"
    ASSISTANCE_WRITE = "assistance.write"
    IMPORT_RUN = "import.run"
    # Missing migrants, unidentified remains and family tracing; identification of remains
    # (forensic staff: caseworkers and supervisors of the forensic institute, INACIF).
    TRACING_READ = "tracing.read"
    TRACING_WRITE = "tracing.write"
    TRACING_IDENTIFY = "tracing.identify"
    # Labour migration: recruiter register, job offers and workers, workplace visits; deciding
    # on a recruiter's authorisation or sanction is a supervisor's call.
    LABOUR_READ = "labour.read"
    LABOUR_WRITE = "labour.write"
    LABOUR_DECIDE = "labour.decide"
    # Migratory flows: counts entered at border points; the alert phases are acknowledged and
    # the false-alarm budget set by supervisors (the coordinator's institution, checked there).
    FLOWS_READ = "flows.read"
    FLOWS_WRITE = "flows.write"
    FLOWS_COORDINATE = "flows.coordinate"
    # Statistics: STATS_READ sees tables; the records behind a figure name people, so opening
    # them is a supervisor's right only.
    STATS_RECORDS = "stats.records"
    # Recommendations monitoring: read by every signed-in user; focal points write updates;
    # validators and the national coordinator sign them off; moderation of civil society input.
    RECS_READ = "recs.read"
    RECS_WRITE = "recs.write"
    RECS_VALIDATE = "recs.validate"


_EVERYONE = {Perm.REFERENCE_READ, Perm.RECS_READ, Perm.FLOWS_READ}
_CASEWORK = {
    Perm.LABOUR_READ,
    Perm.LABOUR_WRITE,
    Perm.FLOWS_WRITE,
    Perm.RECS_WRITE,
    Perm.PERSON_READ,
    Perm.PERSON_WRITE,
    Perm.CASE_READ,
    Perm.CASE_WRITE,
    Perm.ASSISTANCE_READ,
    Perm.ASSISTANCE_WRITE,
    Perm.TRACING_READ,
    Perm.TRACING_WRITE,
}

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.OPERATOR: frozenset(_EVERYONE | _CASEWORK),
    Role.CASEWORKER: frozenset(_EVERYONE | _CASEWORK | {Perm.TRACING_IDENTIFY}),
    Role.SUPERVISOR: frozenset(
        _EVERYONE
        | _CASEWORK
        | {
            Perm.PERSON_VOID,
            Perm.PERSON_MERGE,
            Perm.STATS_READ,
            Perm.CASE_APPROVE,
            Perm.TRACING_IDENTIFY,
            Perm.CONSENT_OVERRIDE,
            Perm.BREAK_GLASS,
            # Bulk imports write many people's records at once: a supervisor's call.
            Perm.IMPORT_RUN,
            Perm.LABOUR_DECIDE,
            Perm.FLOWS_COORDINATE,
            Perm.STATS_RECORDS,
            Perm.RECS_VALIDATE,
        }
    ),
    # Analysts work with figures, never with named people.
    Role.ANALYST: frozenset(_EVERYONE | {Perm.STATS_READ, Perm.RECS_WRITE}),
    # Administrators manage accounts; they do not read case files by virtue of the role.
    Role.INSTITUTION_ADMIN: frozenset(_EVERYONE | {Perm.USER_MANAGE}),
    Role.SYSTEM_ADMIN: frozenset(_EVERYONE | {Perm.USER_MANAGE}),
    # Auditors read the trail of their institution; the national auditor reads all of it.
    Role.AUDITOR: frozenset(_EVERYONE | {Perm.AUDIT_READ}),
}


def has_perm(user: User | None, perm: Perm) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return perm in ROLE_PERMISSIONS.get(user.role, frozenset())


class Forbidden(Exception):
    """The actor's role does not allow the action (shown as 403)."""

    def __init__(self, perm: Perm) -> None:
        super().__init__(str(_("Your role does not allow this action.")))
        self.perm = perm


def require(user: User | None, perm: Perm) -> None:
    if not has_perm(user, perm):
        raise Forbidden(perm)
