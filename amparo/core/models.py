"""The network: code lists, institutions, teams, sites, users, API tokens and the audit trail."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class Bilingual(models.Model):
    """Records named in Spanish (first) and English; `name` follows the active language."""

    name_es = models.CharField(_("name (Spanish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        lang = (translation.get_language() or "es")[:2]
        return self.name_en if lang == "en" and self.name_en else self.name_es


class Country(Bilingual):
    code = models.CharField(_("ISO 3166 alpha-2"), max_length=2, primary_key=True)
    alpha3 = models.CharField(max_length=3, unique=True)

    class Meta:
        ordering = ["name_es"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        return self.name


class Language(Bilingual):
    class Family(models.TextChoices):
        MAYA = "maya", _("Mayan")
        ARAWAK = "arawak", _("Arawakan")
        XINCA = "xinca", _("Xinca")
        INDOEUROPEAN = "indoeuropean", _("Indo-European")
        OTHER = "other", _("Other")

    code = models.CharField(_("ISO 639-3"), max_length=3, primary_key=True)
    family = models.CharField(max_length=20, choices=Family.choices, default=Family.OTHER)
    national = models.BooleanField(
        _("national language of Guatemala"), default=False, db_index=True
    )

    class Meta:
        ordering = ["-national", "name_es"]
        verbose_name = _("language")

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    code = models.CharField(_("INE code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    code = models.CharField(_("INE code"), max_length=4, primary_key=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="municipalities"
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return f"{self.name}, {self.department.name}"


class Institution(Bilingual):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    acronym_es = models.CharField(_("acronym (Spanish)"), max_length=30, blank=True)
    acronym_en = models.CharField(_("acronym (English)"), max_length=30, blank=True)
    sector = models.CharField(_("sector"), max_length=40, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["name_es"]
        verbose_name = _("institution")

    def __str__(self) -> str:
        return self.name

    @property
    def acronym(self) -> str:
        lang = (translation.get_language() or "es")[:2]
        return (self.acronym_en if lang == "en" else self.acronym_es) or self.acronym_es


class Team(Bilingual):
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="teams")
    code = models.SlugField(max_length=40)

    class Meta:
        ordering = ["institution__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "code"], name="team_code_unique")
        ]
        verbose_name = _("team")

    def __str__(self) -> str:
        return f"{self.institution.acronym} · {self.name}"


class Site(Bilingual):
    class Kind(models.TextChoices):
        CONSULATE = "consulate", _("Consulate")
        MOBILE_CONSULATE = "mobile_consulate", _("Mobile consulate")
        SHELTER = "shelter", _("Shelter")
        RECEPTION_CENTRE = "reception_centre", _("Reception centre")
        BORDER_POINT = "border_point", _("Border crossing point")
        OFFICE = "office", _("Office")
        CLINIC = "clinic", _("Clinic")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.SlugField(_("code"), max_length=60, unique=True)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="sites")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, db_index=True)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    city = models.CharField(_("city"), max_length=120, blank=True)
    region = models.CharField(_("state or province"), max_length=120, blank=True)
    municipality = models.ForeignKey(
        Municipality, null=True, blank=True, on_delete=models.PROTECT, related_name="sites"
    )
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    active = models.BooleanField(default=True)
    # A mobile consulate is a site for some days, run by its parent consulate.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    opens_on = models.DateField(_("opens on"), null=True, blank=True)
    closes_on = models.DateField(_("closes on"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "name_es"]
        verbose_name = _("site")

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def normal_code(code: str) -> str:
        """Site codes are lower-case slugs; files often spell them US_LOS_ANGELES."""
        return code.strip().lower().replace("_", "-")


class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator")
    CASEWORKER = "caseworker", _("Caseworker")
    SUPERVISOR = "supervisor", _("Supervisor")
    ANALYST = "analyst", _("Analyst")
    INSTITUTION_ADMIN = "institution_admin", _("Institution administrator")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    AUDITOR = "auditor", _("Auditor")


class User(AbstractUser):
    """A person who works in the network. Belongs to one institution (and maybe a team)."""

    institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, default=Role.OPERATOR)
    language = models.CharField(_("interface language"), max_length=5, default="es")

    class Meta:
        verbose_name = _("user")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def needs_second_factor(self) -> bool:
        return self.role in {Role.SYSTEM_ADMIN, Role.INSTITUTION_ADMIN, Role.AUDITOR}


class ApiToken(models.Model):
    """A bearer token for the API. Only a hash is stored; the secret is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class AuditEntry(models.Model):
    """One append-only, hash-chained record of a write or a read of personal data.

    Entries are spread over `AUDIT_SHARDS` chains; each chain links entry n to entry n-1 by
    hash. The table refuses UPDATE and DELETE at the database level (see the migration).
    """

    shard = models.PositiveSmallIntegerField()
    seq = models.PositiveBigIntegerField()
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_username = models.CharField(max_length=150, blank=True)
    institution = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    person_id = models.UUIDField(null=True, blank=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shard", "seq"], name="audit_shard_seq_unique")
        ]
        indexes = [
            models.Index(fields=["actor", "at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action}"


class AuditShardHead(models.Model):
    """The last entry of one audit chain; locked while an entry is appended to that chain."""

    shard = models.PositiveSmallIntegerField(primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"chain {self.shard} at {self.seq}"
