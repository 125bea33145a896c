"""People: one shared record per person, and what each institution holds about them.

A `Person` is shared across the network. Who may see it is decided by `Involvement`: an
institution (and team) that registered or serves the person. Later capabilities (cases,
referrals, services) add involvements; `people.queries.persons_visible_to` reads them.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

from amparo.core.models import Country, Institution, Language, Municipality, Team, User


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    OTHER = "X", _("Other")
    UNKNOWN = "U", _("Not recorded")


class BirthDatePrecision(models.TextChoices):
    EXACT = "exact", _("Exact date")
    MONTH = "month", _("Month and year")
    YEAR = "year", _("Year only")
    ESTIMATED = "estimated", _("Estimated")


class Person(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    given_names = models.CharField(_("given names"), max_length=200)
    first_surname = models.CharField(_("first surname"), max_length=100, blank=True)
    second_surname = models.CharField(_("second surname"), max_length=100, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_date_precision = models.CharField(
        _("precision of the date of birth"),
        max_length=10,
        choices=BirthDatePrecision.choices,
        default=BirthDatePrecision.EXACT,
    )
    age_years = models.PositiveSmallIntegerField(_("age in years"), null=True, blank=True)
    age_recorded_on = models.DateField(_("age recorded on"), null=True, blank=True)
    nationality = models.ForeignKey(
        Country,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("nationality"),
    )
    origin_municipality = models.ForeignKey(
        Municipality,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("municipality of origin"),
    )
    origin_place = models.CharField(
        _("place of origin (outside Guatemala)"), max_length=200, blank=True
    )
    preferred_language = models.ForeignKey(
        Language,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("preferred language"),
    )
    other_languages = models.ManyToManyField(Language, blank=True, related_name="+")
    protected = models.BooleanField(
        _("protected record"),
        default=False,
        help_text=_("Visible only to the teams that hold the person (children, victims)."),
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="absorbed"
    )
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        # The list's order, ending in the primary key so a page is read straight off the index.
        indexes = [
            models.Index(fields=["first_surname", "second_surname", "id"], name="person_order_idx")
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_names, self.first_surname, self.second_surname) if p)

    def age_on(self, day: date) -> int | None:
        if self.birth_date:
            born = self.birth_date
            return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
        if self.age_years is not None and self.age_recorded_on:
            return self.age_years + (day - self.age_recorded_on).days // 365
        return None


class Involvement(models.Model):
    """An institution (and team) that holds a record of the person: the root of need-to-know."""

    class Source(models.TextChoices):
        REGISTERED = "registered", _("Registered the person")
        LINKED = "linked", _("Linked an existing record")
        REFERRAL = "referral", _("Received a referral")
        IMPORT = "import", _("Imported")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="involvements")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.REGISTERED)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "institution", "team"], name="involvement_unique"
            )
        ]
        indexes = [models.Index(fields=["institution", "person"])]

    def __str__(self) -> str:
        return f"{self.institution_id} → {self.person_id}"


class PersonName(models.Model):
    """Other names the person is known by: aliases, previous or married names, spellings."""

    class Kind(models.TextChoices):
        ALIAS = "alias", _("Alias")
        PREVIOUS = "previous", _("Previous name")
        MARRIED = "married", _("Married name")
        SPELLING = "spelling", _("Other spelling")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="other_names")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ALIAS)
    given_names = models.CharField(_("given names"), max_length=200, blank=True)
    first_surname = models.CharField(_("first surname"), max_length=100, blank=True)
    second_surname = models.CharField(_("second surname"), max_length=100, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return " ".join(p for p in (self.given_names, self.first_surname, self.second_surname) if p)


class DocumentType(models.TextChoices):
    DPI = "dpi", _("Personal identification document (DPI)")
    PASSPORT = "passport", _("Passport")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    CONSULAR_ID = "consular_id", _("Consular identity card")
    NATIONAL_ID = "national_id", _("Foreign national identity card")
    TRAVEL_PASS = "travel_pass", _("Special travel pass")
    OTHER = "other", _("Other document")


class IdentityDocument(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents")
    doc_type = models.CharField(_("document type"), max_length=30, choices=DocumentType.choices)
    number = models.CharField(_("document number"), max_length=40)
    # Upper-case, without spaces or dashes: "1234 56789 0101" and "1234567890101" are one DPI.
    number_normalized = models.CharField(max_length=40, db_index=True)
    issuing_country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="+", verbose_name=_("issuing country")
    )
    expires_on = models.DateField(_("expiry date"), null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["doc_type", "issuing_country", "number_normalized"],
                condition=models.Q(voided_at__isnull=True),
                name="document_number_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} {self.number}"


class ContactPoint(models.Model):
    class Kind(models.TextChoices):
        PHONE = "phone", _("Telephone")
        WHATSAPP = "whatsapp", _("WhatsApp")
        EMAIL = "email", _("E-mail")
        ADDRESS = "address", _("Address")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=300)
    country = models.ForeignKey(
        Country, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class Vulnerability(models.TextChoices):
    UNACCOMPANIED_CHILD = "unaccompanied_child", _("Unaccompanied child")
    SEPARATED_CHILD = "separated_child", _("Separated child")
    PREGNANT = "pregnant", _("Pregnant")
    BREASTFEEDING = "breastfeeding", _("Breastfeeding")
    OLDER_PERSON = "older_person", _("Older person")
    DISABILITY = "disability", _("Disability")
    INDIGENOUS = "indigenous", _("Indigenous")
    LGBTI = "lgbti", _("LGBTI")
    TRAFFICKING_VICTIM = "trafficking_victim", _("Possible victim of trafficking")
    VIOLENCE_SURVIVOR = "violence_survivor", _("Survivor of sexual or gender-based violence")
    CHRONIC_ILLNESS = "chronic_illness", _("Chronic illness")
    INTERNATIONAL_PROTECTION = "international_protection", _("Needs international protection")


# Markers that make a record protected: visible only to the teams holding the person.
PROTECTING_MARKERS = frozenset(
    {
        Vulnerability.UNACCOMPANIED_CHILD,
        Vulnerability.SEPARATED_CHILD,
        Vulnerability.TRAFFICKING_VICTIM,
        Vulnerability.VIOLENCE_SURVIVOR,
    }
)


class VulnerabilityMarker(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="markers")
    kind = models.CharField(_("vulnerability"), max_length=40, choices=Vulnerability.choices)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=models.Q(voided_at__isnull=True),
                name="marker_unique_active",
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class RelationKind(models.TextChoices):
    PARENT = "parent", _("Parent of")
    GUARDIAN = "guardian", _("Legal guardian of")
    SPOUSE = "spouse", _("Spouse or partner of")
    SIBLING = "sibling", _("Sibling of")
    RELATIVE = "relative", _("Other relative of")
    COMPANION = "companion", _("Travelling with")


class Relation(models.Model):
    """`from_person` is <kind> `to_person` (e.g. A is parent of B)."""

    from_person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relations_from")
    to_person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relations_to")
    kind = models.CharField(_("relation"), max_length=20, choices=RelationKind.choices)
    voided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["from_person", "to_person", "kind"],
                condition=models.Q(voided_at__isnull=True),
                name="relation_unique_active",
            ),
            models.CheckConstraint(
                condition=~models.Q(from_person=models.F("to_person")), name="relation_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_person_id} {self.kind} {self.to_person_id}"


class Household(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    label = models.CharField(_("household"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(Person, through="HouseholdMember", related_name="households")

    def __str__(self) -> str:
        return self.label


class RelationToHead(models.TextChoices):
    """How a household member is related to the person who heads it."""

    SPOUSE = "spouse", _("Spouse or partner")
    CHILD = "child", _("Son or daughter")
    STEPCHILD = "stepchild", _("Stepson or stepdaughter")
    PARENT = "parent", _("Father or mother")
    SIBLING = "sibling", _("Brother or sister")
    GRANDCHILD = "grandchild", _("Grandson or granddaughter")
    GRANDPARENT = "grandparent", _("Grandparent")
    OTHER_RELATIVE = "relative", _("Other relative")
    NON_RELATIVE = "non_relative", _("Not related")


class HouseholdMember(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE)
    person = models.ForeignKey(Person, on_delete=models.CASCADE)
    is_head = models.BooleanField(default=False)
    # Empty for the head, and for members loaded in bulk without it ("not recorded"); the
    # database default keeps bulk loaders that name only the columns above working.
    relation_to_head = models.CharField(
        _("relation to the head of household"),
        max_length=20,
        choices=RelationToHead.choices,
        blank=True,
        default="",
        db_default="",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["household", "person"], name="household_member_unique"),
            models.UniqueConstraint(
                fields=["household"], condition=models.Q(is_head=True), name="household_one_head"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.household_id}"


class PersonSearchToken(models.Model):
    """Folded name parts and document numbers, indexed for prefix search."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["token", "person"], name="person_token_idx")]

    def __str__(self) -> str:
        return self.token


class PersonMerge(models.Model):
    """Two records found to be one person. Nothing is moved or deleted: the absorbed record
    points to the survivor (`Person.merged_into`), and what the merge added for the survivor
    (search tokens, the absorbed record's holders) is listed here, so undoing the merge
    restores both records exactly."""

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    absorbed = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    # Where the decision came from, e.g. {"model": "dedupe_v1", "match_probability": 0.98}.
    evidence = models.JSONField(default=dict, blank=True)
    merged_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField()
    added_tokens = models.JSONField(default=list)
    added_involvements = models.JSONField(default=list)
    survivor_was_protected = models.BooleanField()
    undone_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undo_reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["absorbed"],
                condition=models.Q(undone_at__isnull=True),
                name="one_active_merge_per_absorbed",
            )
        ]

    def __str__(self) -> str:
        return f"{self.absorbed_id} → {self.survivor_id}"
