"""Missing migrants, unidentified remains, and family tracing and reunification.

Three registers, each an entry that moves through statuses with its history kept in the row
(as the assistance registers do):

- `MissingReport`: a family reports someone missing; `SearchRequest` rows are the searches sent
  to foreign authorities through consulates. Outcomes: still missing, found alive, found
  deceased (only through a forensic identification of `UnidentifiedRemains`).
- `UnidentifiedRemains`: the forensic institute's record of remains no one has identified,
  with the burial place kept so later identification stays possible.
- `TracingRequest`: a child's relatives sought in other countries; `TracingCandidate` rows are
  relatives found, verified or rejected; the outcome says whether the family was reunified.

No genetic data is stored anywhere: a family reference sample is recorded as given or not,
where it is held and its reference number.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from amparo.cases.models import Case
from amparo.core.models import Country, Institution, Site, Team, User
from amparo.people.models import Person


class Entry(models.Model):
    """A register entry: who holds it (institution and team), its status and its history."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    # The recording team: a protected person's entry is seen by this team only.
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=20, db_index=True)
    status_at = models.DateTimeField(_("status since"))
    history = models.JSONField(default=list)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True

    def get_status_display(self) -> str:
        return str(dict(self.Status.choices).get(self.status, self.status))  # type: ignore[attr-defined]


class MissingReport(Entry):
    """A person reported missing by their family."""

    class Channel(models.TextChoices):
        IN_PERSON = "in_person", _("The family, in person")
        SUPPORT_LINE = "support_line", _("The support line")
        CONSULATE = "consulate", _("At a consulate")

    class Status(models.TextChoices):
        MISSING = "missing", _("Still missing")
        FOUND_ALIVE = "found_alive", _("Found alive")
        FOUND_DECEASED = "found_deceased", _("Found deceased")

    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("reported through"), max_length=20, choices=Channel.choices)
    reported_on = models.DateField(_("reported on"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    # The reporter: a person on record, or a name and a way to reach them.
    reporter = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reporter_name = models.CharField(_("reporter's name"), max_length=200, blank=True)
    reporter_relation = models.CharField(
        _("relation to the missing person"), max_length=60, blank=True
    )
    reporter_contact = models.CharField(_("reporter's contact"), max_length=200, blank=True)
    last_seen_on = models.DateField(_("last seen on"), null=True, blank=True)
    last_seen_country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    last_seen_place = models.CharField(_("last seen at"), max_length=200, blank=True)
    route = models.TextField(_("route"), blank=True)
    description = models.TextField(_("physical description"), blank=True)
    clothing = models.TextField(_("clothing and belongings"), blank=True)
    contacts = models.TextField(_("other contacts"), blank=True)
    # A family reference sample for DNA comparison: whether one was given, where it is held and
    # its reference. Never the genetic data itself.
    reference_sample = models.BooleanField(_("family reference sample given"), default=False)
    sample_held_by = models.CharField(_("sample held by"), max_length=200, blank=True)
    sample_reference = models.CharField(_("sample reference"), max_length=60, blank=True)
    # The forensic institute was asked to compare the report with unidentified remains.
    forensic_requested_at = models.DateTimeField(null=True, blank=True)
    # The outcome.
    found_on = models.DateField(_("found on"), null=True, blank=True)
    found_country = models.ForeignKey(
        Country, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    found_place = models.CharField(_("found at"), max_length=200, blank=True)
    # The record of the person where they were found (sheltered, detained), when it is another.
    found_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome_note = models.TextField(_("outcome"), blank=True)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["institution", "-reported_on"], name="missing_inst_on"),
            models.Index(fields=["status", "last_seen_country"], name="missing_status_country"),
        ]

    def __str__(self) -> str:
        return f"missing {self.reported_on}"


class SearchRequest(models.Model):
    """A search for a missing person asked of a foreign authority through a consulate."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report = models.ForeignKey(
        MissingReport, on_delete=models.PROTECT, related_name="search_requests"
    )
    authority = models.CharField(_("authority"), max_length=200)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    sent_on = models.DateField(_("sent on"))
    answer = models.TextField(_("answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["sent_on", "created_at"]

    def __str__(self) -> str:
        return f"{self.authority} {self.sent_on}"


class UnidentifiedRemains(Entry):
    """Remains no one has identified yet, kept findable: where found, what they look like, and
    where they are buried."""

    class Status(models.TextChoices):
        UNIDENTIFIED = "unidentified", _("Unidentified")
        IDENTIFIED = "identified", _("Identified")

    class Sex(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")
        UNKNOWN = "U", _("Not determined")

    class Evidence(models.TextChoices):
        FINGERPRINTS = "fingerprints", _("Fingerprints")
        DENTAL = "dental", _("Dental records")
        DNA = "dna", _("DNA")

    reference = models.CharField(_("forensic reference"), max_length=60)
    found_on = models.DateField(_("found on"))
    found_country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    found_place = models.CharField(_("found at"), max_length=200)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    age_min = models.PositiveSmallIntegerField(_("estimated age from"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("estimated age to"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    descriptors = models.TextField(_("descriptors"), blank=True)
    belongings = models.TextField(_("belongings"), blank=True)
    burial_place = models.CharField(_("cemetery or burial place"), max_length=200, blank=True)
    grave_reference = models.CharField(_("grave reference"), max_length=100, blank=True)
    # The identification, by forensic staff on primary evidence.
    report = models.ForeignKey(
        MissingReport, null=True, blank=True, on_delete=models.PROTECT, related_name="remains"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evidence = models.JSONField(_("primary evidence"), default=list, blank=True)
    identified_on = models.DateField(_("identified on"), null=True, blank=True)
    identified_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    identification_note = models.TextField(_("identification note"), blank=True)

    class Meta:
        verbose_name_plural = "unidentified remains"
        indexes = [
            models.Index(fields=["institution", "-found_on"], name="remains_inst_on"),
        ]

    def __str__(self) -> str:
        return self.reference


class TracingRequest(Entry):
    """A child's parents or relatives sought in other countries, until the family is reunified
    or the search ends."""

    class Where(models.TextChoices):
        RETURNED = "returned", _("Returned to Guatemala")
        ABROAD = "abroad", _("Abroad")

    class Status(models.TextChoices):
        OPEN = "open", _("Searching")
        IN_PROGRESS = "in_progress", _("Reunification in progress")
        REUNIFIED = "reunified", _("Reunified")
        NOT_REUNIFIED = "not_reunified", _("Not reunified")

    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    child_where = models.CharField(_("the child is"), max_length=10, choices=Where.choices)
    requested_on = models.DateField(_("requested on"))
    # Each relative sought: {"name", "relation", "country", "place"}.
    relatives_sought = models.JSONField(_("relatives sought"), default=list)
    note = models.TextField(_("note"), blank=True)
    outcome_on = models.DateField(_("outcome on"), null=True, blank=True)
    outcome_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["institution", "-requested_on"], name="tracing_inst_on"),
            models.Index(fields=["status", "outcome_on"], name="tracing_status_on"),
        ]

    def __str__(self) -> str:
        return f"tracing {self.requested_on}"


class TracingCandidate(models.Model):
    """A relative found for a tracing request, then verified or rejected by a person."""

    class Relation(models.TextChoices):
        MOTHER = "mother", _("Mother")
        FATHER = "father", _("Father")
        SIBLING = "sibling", _("Brother or sister")
        GRANDPARENT = "grandparent", _("Grandparent")
        UNCLE_AUNT = "uncle_aunt", _("Uncle or aunt")
        OTHER = "other", _("Other relative")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("To verify")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.ForeignKey(TracingRequest, on_delete=models.PROTECT, related_name="candidates")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    how_found = models.CharField(_("how found"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    verification = models.CharField(_("how verified"), max_length=200, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["request", "person"], name="tracing_candidate_once")
        ]

    def __str__(self) -> str:
        return f"{self.relation} {self.status}"
