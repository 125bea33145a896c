"""Labour migration (CMW/C/SR.413, paras. 4, 8, 9, 33, 35, 49, 50).

Three groups of registers:

- The **recruiter register**: recruiters and recruitment agencies apply for registration and
  authorisation; the labour ministry (MINTRAB) authorises them for a period or refuses them with
  reasons, renews, and supervises them (inspections, complaints, sanctions, suspension,
  revocation). Every step is kept in `history`; the status changes only through actions.
  `FraudReport` rows are suspected frauds reported by anyone through the public check.
- **Temporary work programmes**: employers' `JobOffer`s, the workers registered for them
  (`Placement`: registration, pre-selection, selection, pre-departure information, deployment,
  return, readmission for the next season) and the information pamphlets handed out
  (`PamphletDistribution`: counted, never per person).
- **Support abroad**: `WorkplaceVisit` (consular inspections and weekly visits) and
  `SupportService` given to a worker, linked to the employer; a breach of contract opens a
  labour-rights case (the cases app).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from amparo.cases.models import Case
from amparo.core.models import Country, Institution, Site, Team, User
from amparo.people.models import Person


class Sector(models.TextChoices):
    AGRICULTURE = "agriculture", _("Agriculture")
    FOOD_PROCESSING = "food_processing", _("Food processing")
    CONSTRUCTION = "construction", _("Construction")
    HOSPITALITY = "hospitality", _("Hotels and restaurants")
    CARE = "care", _("Care and domestic work")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    OTHER = "other", _("Other")


class Recruiter(models.Model):
    """A recruiter or recruitment agency in the labour ministry's register."""

    class Kind(models.TextChoices):
        ORGANISATION = "organisation", _("Agency (organisation)")
        INDIVIDUAL = "individual", _("Individual recruiter")

    class Status(models.TextChoices):
        APPLIED = "applied", _("Application under review")
        AUTHORISED = "authorised", _("Authorised")
        REFUSED = "refused", _("Refused")
        SUSPENDED = "suspended", _("Suspended")
        REVOKED = "revoked", _("Revoked")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The number shown to the public and searched exactly: random, so no one can walk the
    # register by guessing the next number.
    number = models.CharField(_("registration number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    # The name normalised (accents, case, legal form, punctuation): duplicate detection and
    # the public search use it.
    name_key = models.CharField(max_length=200, db_index=True)
    tax_number = models.CharField(_("tax number (NIT)"), max_length=20, blank=True, db_index=True)
    representative = models.CharField(_("legal representative"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact = models.CharField(_("phone or e-mail"), max_length=200, blank=True)
    countries = models.JSONField(_("countries recruited for"), default=list)
    sectors = models.JSONField(_("sectors recruited for"), default=list)
    documents = models.JSONField(_("documents submitted"), default=list)
    guarantee_amount = models.DecimalField(
        _("guarantee (GTQ)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    guarantee_reference = models.CharField(_("guarantee reference"), max_length=100, blank=True)
    applied_on = models.DateField(_("applied on"))
    valid_from = models.DateField(_("authorised from"), null=True, blank=True)
    valid_until = models.DateField(_("authorised until"), null=True, blank=True)
    # Records a supervisor confirmed are a different recruiter despite a similar name.
    distinct_from = models.JSONField(default=list, blank=True)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, db_index=True)
    status_at = models.DateTimeField(_("status since"))
    history = models.JSONField(default=list)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["name_key"]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"


class SupervisionEvent(models.Model):
    """An inspection, complaint or sanction on a recruiter, with its decision."""

    class Kind(models.TextChoices):
        INSPECTION = "inspection", _("Inspection")
        COMPLAINT = "complaint", _("Complaint")
        SANCTION = "sanction", _("Sanction")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recruiter = models.ForeignKey(Recruiter, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    occurred_on = models.DateField(_("date"))
    summary = models.TextField(_("what happened"))
    decision = models.TextField(_("decision"), blank=True)
    fine_amount = models.DecimalField(
        _("fine (GTQ)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-occurred_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.occurred_on}"


class FraudReport(models.Model):
    """A suspected recruitment fraud reported through the public check (anonymous allowed)."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        REVIEWED = "reviewed", _("Reviewed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recruiter = models.ForeignKey(
        Recruiter, null=True, blank=True, on_delete=models.PROTECT, related_name="fraud_reports"
    )
    recruiter_name = models.CharField(_("recruiter named"), max_length=200)
    description = models.TextField(_("what happened"))
    place = models.CharField(_("where"), max_length=200, blank=True)
    reporter_name = models.CharField(_("your name"), max_length=200, blank=True)
    reporter_contact = models.CharField(_("how to reach you"), max_length=200, blank=True)
    language = models.CharField(max_length=5, default="es")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    received_at = models.DateTimeField(db_index=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_note = models.TextField(_("review"), blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"fraud report {self.received_at:%Y-%m-%d}"


class Employer(models.Model):
    """An employer abroad that offers jobs through the programmes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200)
    name_key = models.CharField(max_length=200, db_index=True)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    region = models.CharField(_("state or province"), max_length=120, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["name_key"]
        constraints = [
            models.UniqueConstraint(fields=["name_key", "country"], name="employer_unique")
        ]

    def __str__(self) -> str:
        return self.name


class JobOffer(models.Model):
    """An employer's job offer in a temporary work programme."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="offers")
    programme = models.CharField(_("programme"), max_length=120)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    positions = models.PositiveIntegerField(_("positions"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    conditions = models.TextField(_("conditions (wage, hours, housing, transport)"))
    # Recruited through an authorised recruiter, or directly by the ministry (null).
    recruiter = models.ForeignKey(
        Recruiter, null=True, blank=True, on_delete=models.PROTECT, related_name="offers"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-starts_on", "employer__name_key"]
        indexes = [models.Index(fields=["institution", "-starts_on"], name="offer_inst_start")]

    def __str__(self) -> str:
        return f"{self.employer} {self.starts_on:%Y}"


class Placement(models.Model):
    """A worker in a job offer, from registration to return."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        PRESELECTED = "preselected", _("Pre-selected")
        SELECTED = "selected", _("Selected")
        PREPARED = "prepared", _("Pre-departure information given")
        DEPLOYED = "deployed", _("Working abroad")
        RETURNED = "returned", _("Returned")
        NOT_SELECTED = "not_selected", _("Not selected")
        WITHDRAWN = "withdrawn", _("Withdrew")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    offer = models.ForeignKey(JobOffer, on_delete=models.PROTECT, related_name="placements")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    # Where the worker registered: a ministry office or a border labour-mobility office.
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    registered_on = models.DateField(_("registered on"))
    departed_on = models.DateField(_("departed on"), null=True, blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    # Readmitted for the next season: the placement of the season before.
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_season"
    )
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, db_index=True)
    status_at = models.DateTimeField(_("status since"))
    history = models.JSONField(default=list)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-registered_on", "created_at"]
        constraints = [models.UniqueConstraint(fields=["offer", "person"], name="placement_unique")]
        indexes = [models.Index(fields=["institution", "status"], name="placement_inst_status")]

    def __str__(self) -> str:
        return f"placement {self.registered_on}"


class PamphletDistribution(models.Model):
    """Information pamphlets handed out: counted per site, programme and day."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="+", verbose_name=_("destination")
    )
    programme = models.CharField(_("programme"), max_length=120)
    distributed_on = models.DateField(_("date"))
    quantity = models.PositiveIntegerField(_("pamphlets"))
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-distributed_on"]

    def __str__(self) -> str:
        return f"{self.quantity} pamphlets {self.distributed_on}"


class WorkplaceVisit(models.Model):
    """A consular inspection of, or a weekly visit to, a workplace where nationals work."""

    class Kind(models.TextChoices):
        INSPECTION = "inspection", _("Inspection")
        VISIT = "visit", _("Visit")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="visits")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    visited_on = models.DateField(_("date"))
    workers_met = models.PositiveIntegerField(_("workers met"), default=0)
    findings = models.TextField(_("findings"))
    follow_up = models.TextField(_("follow-up actions"), blank=True)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-visited_on", "-created_at"]
        indexes = [models.Index(fields=["institution", "-visited_on"], name="visit_inst_on")]

    def __str__(self) -> str:
        return f"{self.kind} {self.visited_on}"


class SupportService(models.Model):
    """A support service given abroad to a worker, linked to the worker and the employer."""

    class Kind(models.TextChoices):
        ORIENTATION = "orientation", _("Orientation and information")
        LEGAL_ADVICE = "legal_advice", _("Legal advice")
        WAGE_CLAIM = "wage_claim", _("Wage or contract claim")
        HEALTH = "health", _("Health or accident")
        DOCUMENTS = "documents", _("Documents")
        HOUSING = "housing", _("Housing conditions")
        RETURN = "return", _("Early return")
        OTHER = "other", _("Other")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    employer = models.ForeignKey(
        Employer, null=True, blank=True, on_delete=models.PROTECT, related_name="services"
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("service"), max_length=20, choices=Kind.choices)
    given_on = models.DateField(_("date"))
    description = models.TextField(_("description"), blank=True)
    breach_of_contract = models.BooleanField(_("breach of contract"), default=False)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-given_on", "-created_at"]
        indexes = [models.Index(fields=["institution", "-given_on"], name="service_inst_on")]

    def __str__(self) -> str:
        return f"{self.kind} {self.given_on}"
