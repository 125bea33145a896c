"""Protection cases run by the protocol engine, and what they share with other institutions.

Stage changes only happen in actions.case_transition; nothing assigns `stage` directly.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from amparo.core.models import Institution, Site, Team, User
from amparo.imports.models import Imported
from amparo.people.models import Household, Person


class Case(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    protocol_code = models.CharField(_("protocol"), max_length=60, db_index=True)
    protocol_version = models.PositiveSmallIntegerField()
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_to = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_cases"
    )
    stage = models.CharField(_("stage"), max_length=60)
    data = models.JSONField(_("forms"), default=dict, blank=True)
    sensitive = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    opened_at = models.DateTimeField(db_index=True)
    opened_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    closure_reason = models.CharField(max_length=60, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["institution", "closed_at", "stage"]),
            models.Index(fields=["assigned_to", "closed_at"]),
        ]
        verbose_name = _("case")

    def __str__(self) -> str:
        return f"{self.protocol_code} {str(self.pk)[:8]}"


class CaseEvent(models.Model):
    """The case's timeline: everything that happened, in order."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=40)
    stage_from = models.CharField(max_length=60, blank=True)
    stage_to = models.CharField(max_length=60, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["case", "at"])]
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class Task(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    code = models.CharField(max_length=60)
    stage = models.CharField(max_length=60)
    title_es = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    due_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    # Closed with its case before anyone did it: `done_at` is set so it leaves every open
    # list, and this says it was not done.
    cancelled = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(
                fields=["due_at"],
                name="task_open_due_idx",
                condition=models.Q(done_at__isnull=True),
            )
        ]
        constraints = [models.UniqueConstraint(fields=["case", "code"], name="task_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} ({self.case_id})"


class Approval(models.Model):
    """A transition that waits for a supervisor's decision."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="approvals")
    transition = models.CharField(max_length=60)
    closure_reason = models.CharField(max_length=60, blank=True)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    approved = models.BooleanField(null=True)
    reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(decided_at__isnull=True),
                name="one_pending_approval",
            )
        ]

    def __str__(self) -> str:
        return f"{self.transition} ({self.case_id})"


class Note(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    text = models.TextField()

    def __str__(self) -> str:
        return self.text[:40]


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="cases/%Y/%m/")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class Consent(models.Model):
    """What a person agreed to share, and with whom (None: any institution of the network)."""

    class Scope(models.TextChoices):
        IDENTITY = "identity", _("Identity and contact details")
        CASE = "case", _("Case summary and stage")
        FORMS = "forms", _("Case forms")
        HEALTH = "health", _("Health information")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consents")
    recipient = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scopes = models.JSONField(default=list)
    given_at = models.DateTimeField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.person_id} → {self.recipient_id or '*'}"


class Referral(models.Model):
    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    from_institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    to_institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    shares = models.JSONField(default=list)
    services_requested = models.JSONField(default=list)
    consent = models.ForeignKey(
        Consent, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    override_reason = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SENT)
    sent_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["to_institution", "status"])]

    def __str__(self) -> str:
        return f"{self.from_institution_id} → {self.to_institution_id}"


class ServiceKind(models.TextChoices):
    LEGAL_AID = "legal_aid", _("Legal aid")
    LAWYER = "lawyer", _("Lawyer's assistance")
    MEDICAL = "medical", _("Medical care")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial care")
    SHELTER = "shelter", _("Shelter stay")
    TRAINING = "training", _("Training")
    DOCUMENTS = "documents", _("Identity or travel documents")
    TRANSPORT = "transport", _("Transport")
    FAMILY_TRACING = "family_tracing", _("Family tracing")
    REINTEGRATION = "reintegration", _("Reintegration support")
    INFORMATION = "information", _("Information and guidance")
    # Consular services (CMW/C/SR.413 para. 42).
    PASSPORT = "passport", _("Passport")
    CONSULAR_ID = "consular_id", _("Consular identity card")
    BIRTH_REGISTRATION = "birth_registration", _("Birth registration")
    CIVIL_REGISTRY = "civil_registry", _("Other civil registry act")
    CERTIFICATION = "certification", _("Certification or notarial act")


class ServiceDelivery(Imported):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="services")
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="services"
    )
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="services"
    )
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=30, choices=ServiceKind.choices)
    delivered_at = models.DateTimeField(db_index=True)
    delivered_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "source", "external_ref"], name="service_source_ref"
            )
        ]
        indexes = [models.Index(fields=["delivered_at", "kind"], name="service_at_kind")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.person_id}"
