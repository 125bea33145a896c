"""Services to nationals abroad: the migrant support line, consular civil registry and travel
documents. Consular services themselves are `cases.ServiceDelivery` rows at a consulate or a
mobile consulate (a `core.Site` with a parent consulate and dates), so every service of the
network is counted in one place.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from amparo.cases.models import Case
from amparo.core.models import Bilingual, Country, Institution, Site, User
from amparo.imports.models import Imported, ImportJob
from amparo.people.models import Person


class ContactReason(Bilingual):
    """Why someone contacted the support line (a code list kept as reference data)."""

    code = models.SlugField(_("code"), max_length=40, primary_key=True)
    # What following it up means: a protocol opened from the contact, if any.
    protocol = models.CharField(_("follow-up protocol"), max_length=60, blank=True)
    # The request form's request_type when a case is opened from the contact.
    request_type = models.CharField(max_length=40, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name_es"]
        verbose_name = _("contact reason")


class SupportContact(Imported):
    """One contact with the migrant support line: a call, a message, a web form, a visit."""

    class Channel(models.TextChoices):
        CALL = "call", _("Phone call")
        MESSAGE = "message", _("Message")
        WEB_FORM = "web_form", _("Web form")
        WALK_IN = "walk_in", _("Walk-in")

    class Outcome(models.TextChoices):
        INFORMATION = "information", _("Information given")
        REFERRED = "referred", _("Referred to another service")
        CASE_OPENED = "case_opened", _("Case opened")
        CASE_UPDATED = "case_updated", _("Case updated")
        MISSING_REPORT = "missing_report", _("Missing-person report")
        DROPPED = "dropped", _("Contact dropped")

    # Indexes are chosen, not one per foreign key: a million rows a year are inserted, and
    # each index costs every insert. Lookups by institution, operator and day use the
    # composite indexes below; by country, reason or import job they scan a period.
    id = models.BigAutoField(primary_key=True)
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    received_at = models.DateTimeField(_("received at"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    caller_country = models.ForeignKey(
        Country, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    caller_city = models.CharField(_("caller's city"), max_length=120, blank=True)
    reason = models.ForeignKey(
        ContactReason, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), default=0)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    note = models.CharField(_("note"), max_length=1000, blank=True)
    import_job = models.ForeignKey(
        ImportJob,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "source", "external_ref"], name="contact_source_ref"
            )
        ]
        indexes = [
            # Lists (newest first, read backwards) and the counts by reason, channel and
            # outcome of a period, answered from the index alone.
            models.Index(
                fields=["institution", "received_at", "reason", "channel", "outcome"],
                name="contact_inst_recv",
            ),
            # "Your latest contacts" after every save, newest first with its tie-break: the
            # whole ORDER BY is in the index, so both databases read 10 entries of it. With
            # (recorded_by, -received_at) alone SQLite scanned and sorted the million rows of
            # the operator who recorded them (1–3 s a page). Also the operator's day count.
            models.Index(
                fields=["recorded_by", "-received_at", "-id"], name="contact_operator_latest"
            ),
            # Most contacts are anonymous: only the others are indexed by person.
            models.Index(
                fields=["person"], name="contact_person", condition=Q(person__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.received_at:%Y-%m-%d %H:%M}"


class Tracked(Imported):
    """A register entry that moves through statuses; `history` keeps each step with who took it
    and why, inside the same row, so the entry and its history are written together."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=20, db_index=True)
    status_at = models.DateTimeField(_("status since"))
    history = models.JSONField(default=list)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True

    def get_status_display(self) -> str:
        """The status in the active language. `status` is declared here, for every register,
        so it has no choices and Django adds no such method: each register's `Status` says."""
        return str(dict(self.Status.choices).get(self.status, self.status))  # type: ignore[attr-defined]


class CivilRegistration(Tracked):
    """A birth, marriage or death of a national abroad, notified to the civil registry (RENAP)
    and followed until it is registered."""

    class Kind(models.TextChoices):
        BIRTH = "birth", _("Birth")
        MARRIAGE = "marriage", _("Marriage")
        DEATH = "death", _("Death")

    class Status(models.TextChoices):
        RECORDED = "recorded", _("Recorded at the consulate")
        SENT = "sent", _("Sent to the civil registry")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged by the registry")
        REJECTED = "rejected", _("Rejected by the registry")
        REGISTERED = "registered", pgettext_lazy("civil registry status", "Registered")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # For a marriage, the other spouse.
    other_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    event_date = models.DateField(_("date of the event"))
    event_country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    event_place = models.CharField(_("place of the event"), max_length=200, blank=True)
    recorded_on = models.DateField(_("recorded on"), db_index=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    registry_reference = models.CharField(_("registry entry"), max_length=60, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "source", "external_ref"], name="civilreg_source_ref"
            )
        ]
        indexes = [
            models.Index(fields=["kind", "recorded_on"], name="civilreg_kind_on"),
            # The register's list, newest first, read in order (no sort of the whole register).
            models.Index(
                fields=["institution", "-recorded_on", "-created_at"], name="civilreg_inst_list"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.event_date}"


class TravelDocument(Tracked):
    """A request for a child's passport, a special travel pass or a travel authorisation."""

    class Kind(models.TextChoices):
        CHILD_PASSPORT = "child_passport", _("Passport for a child")
        SPECIAL_PASS = "special_pass", _("Special travel pass")
        TRAVEL_AUTHORISATION = "travel_authorisation", _("Travel authorisation")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        CHECKED = "checked", _("Checked")
        ISSUED = "issued", _("Issued")
        REFUSED = "refused", _("Refused")

    class ConsentBasis(models.TextChoices):
        ADULT = "adult", _("Adult applicant: no parental consent needed")
        BOTH_PARENTS = "both_parents", _("Consent of both parents")
        COURT_ORDER = "court_order", _("Court order")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    requested_on = models.DateField(_("requested on"), db_index=True)
    consent_basis = models.CharField(
        _("consent"), max_length=20, choices=ConsentBasis.choices, blank=True
    )
    # Each parent who consented: {"name", "document", "relation"}.
    parents = models.JSONField(_("parents who consented"), default=list, blank=True)
    court_order = models.CharField(_("court order"), max_length=120, blank=True)
    document_number = models.CharField(_("document number"), max_length=40, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "source", "external_ref"], name="traveldoc_source_ref"
            )
        ]
        indexes = [
            models.Index(fields=["kind", "requested_on"], name="traveldoc_kind_on"),
            # The register's list, newest first, read in order (no sort of the whole register).
            models.Index(
                fields=["institution", "-requested_on", "-created_at"], name="traveldoc_inst_list"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.requested_on}"
