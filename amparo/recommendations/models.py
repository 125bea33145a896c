"""The Recommendations Monitoring System: UN documents, recommendations, their follow-up.

- `Mechanism` (reference data: treaty bodies, UPR, special procedures, IACHR, IACtHR) and its
  `Document`s (list of issues, State report, summary record, concluding observations, UPR
  report), with their `Paragraph`s and, for summary records, the speakers' `Turn`s.
- `Recommendation`: from a parsed document or from the UN Universal Human Rights Index (UHRI)
  export, keyed so a re-import updates instead of duplicating; earlier texts kept in `history`.
- `RecommendationTag`: themes, affected groups, Convention articles and SDG targets, suggested
  by rules and similarity, confirmed or rejected by a person.
- Follow-up: `Assignment` (lead and contributing institutions), `FocalPoint` (principal and
  alternate per institution), `FollowUpAction`, `Indicator`, `ProgressUpdate` (signed off by the
  focal point, the institution's validator and the national coordinator), `Reminder`.
- `Submission`: information from civil society, moderated before publication.
- `ReportDraft`: the next periodic report, in the order of the list of issues.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from amparo.core.models import Institution, User


class Mechanism(models.Model):
    class Kind(models.TextChoices):
        TREATY_BODY = "treaty_body", _("Treaty body")
        UPR = "upr", _("Universal Periodic Review")
        SPECIAL_PROCEDURE = "special_procedure", _("Special procedure")
        INTER_AMERICAN = "inter_american", _("Inter-American system")

    code = models.CharField(_("code"), max_length=20, primary_key=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name_es = models.CharField(_("name (Spanish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def name(self) -> str:
        return self.name_en if (translation.get_language() or "es")[:2] == "en" else self.name_es


class Document(models.Model):
    class Kind(models.TextChoices):
        LOIPR = "loipr", _("List of issues prior to reporting")
        STATE_REPORT = "state_report", _("State report")
        SUMMARY_RECORD = "summary_record", _("Summary record")
        CONCLUDING_OBSERVATIONS = "concluding_observations", _("Concluding observations")
        UPR_REPORT = "upr_report", _("UPR report")
        OTHER = "other", _("Other")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    mechanism = models.ForeignKey(Mechanism, on_delete=models.PROTECT, related_name="documents")
    symbol = models.CharField(_("symbol"), max_length=80, unique=True)
    title = models.TextField(_("title"), blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=2, default="en")
    cycle = models.CharField(_("cycle"), max_length=20, blank=True)
    source = models.CharField(max_length=20, blank=True)  # text / docx / pdf / uhri
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-date", "symbol"]

    def __str__(self) -> str:
        return self.symbol

    def get_kind_display(self) -> str:  # type: ignore[override]
        return str(dict(self.Kind.choices).get(self.kind, self.kind))


class Paragraph(models.Model):
    class Category(models.TextChoices):
        RECOMMENDATION = "recommendation", _("Recommendation")
        CONCERN = "concern", _("Concern")
        POSITIVE = "positive", _("Positive aspect")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="paragraphs")
    number = models.PositiveIntegerField()
    heading = models.TextField(blank=True)
    section = models.TextField(blank=True)
    category = models.CharField(max_length=20, blank=True)
    text = models.TextField()
    sub_items = models.JSONField(default=list)

    class Meta:
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="recs_paragraph_number")
        ]

    def __str__(self) -> str:
        return f"{self.document.symbol} ¶{self.number}"


class Turn(models.Model):
    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        COMMITTEE = "committee", _("Committee member")
        DELEGATION = "delegation", _("Delegation")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="turns")
    paragraph = models.PositiveIntegerField()
    paragraphs = models.JSONField(default=list)
    speaker = models.CharField(max_length=200)
    country = models.CharField(max_length=100, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices)
    function = models.CharField(max_length=100, blank=True)
    procedural = models.BooleanField(default=False)
    # [{"paragraph": 29, "text": "...", "answered_in": [43]}]
    questions = models.JSONField(default=list)

    class Meta:
        ordering = ["document", "paragraph"]

    def __str__(self) -> str:
        return f"{self.speaker} ¶{self.paragraph}"


class Status(models.TextChoices):
    """The implementation-status scale. Each step is taken by a validated update with evidence."""

    NO_INFORMATION = "no_information", _("No information")
    NOT_STARTED = "not_started", _("Not started")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    PARTIAL = "partially_implemented", _("Partially implemented")
    IMPLEMENTED = "implemented", _("Implemented")


class RecommendationGroup(models.Model):
    """Similar recommendations of several mechanisms and cycles, followed up together."""

    label = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.label


class Recommendation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # "uhri:<AnnotationId>" or "<symbol>#<paragraph><sub-item>": the re-import key.
    key = models.CharField(max_length=200, unique=True)
    mechanism = models.ForeignKey(
        Mechanism, on_delete=models.PROTECT, related_name="recommendations"
    )
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.PROTECT, related_name="recommendations"
    )
    symbol = models.CharField(_("symbol"), max_length=80, blank=True, db_index=True)
    paragraph = models.PositiveIntegerField(_("paragraph"), null=True, blank=True)
    sub_item = models.CharField(_("sub-item"), max_length=12, blank=True)
    chapeau = models.TextField(blank=True)
    text = models.TextField(_("text"))
    annotation_id = models.CharField(max_length=60, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    # The UHRI's own labels, kept as given; our confirmed tags are RecommendationTag rows.
    source_themes = models.JSONField(default=list)
    source_groups = models.JSONField(default=list)
    source_sdgs = models.JSONField(default=list)
    upr = models.JSONField(default=dict)  # UprCycle, UprRecommendingState, UprPosition, ...
    content_hash = models.CharField(max_length=64)
    # Accent-free lower-case text (and symbol): the search column on both databases.
    search_text = models.TextField(blank=True)
    status = models.CharField(
        _("implementation status"),
        max_length=30,
        choices=Status.choices,
        default=Status.NO_INFORMATION,
    )
    status_at = models.DateTimeField(null=True, blank=True)
    public = models.BooleanField(_("published on the portal"), default=False)
    group = models.ForeignKey(
        RecommendationGroup,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recommendations",
    )
    history = models.JSONField(default=list)  # earlier texts and status steps
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["symbol", "paragraph", "sub_item"]
        indexes = [models.Index(fields=["status", "mechanism"], name="recs_status_mech")]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        where = f" ¶{self.paragraph}" if self.paragraph else ""
        sub = f"({self.sub_item})" if self.sub_item else ""
        return f"{self.symbol or self.mechanism_id}{where}{sub}"

    def get_status_display(self) -> str:
        return str(dict(Status.choices).get(self.status, self.status))


class RecommendationTag(models.Model):
    class Vocabulary(models.TextChoices):
        THEME = "theme", _("Theme")
        GROUP = "group", _("Affected group")
        ARTICLE = "article", _("Convention article")
        SDG = "sdg", _("SDG target")

    class State(models.TextChoices):
        SUGGESTED = "suggested", _("Suggested")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="tags"
    )
    vocabulary = models.CharField(max_length=10, choices=Vocabulary.choices)
    code = models.CharField(max_length=60)
    state = models.CharField(max_length=10, choices=State.choices, default=State.SUGGESTED)
    score = models.FloatField(default=0.0)
    source = models.CharField(max_length=20, blank=True)  # rule / similar / person
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["vocabulary", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "vocabulary", "code"], name="recs_tag_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.vocabulary}:{self.code}"


class Assignment(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Lead institution")
        CONTRIBUTING = "contributing", _("Contributing institution")

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="assignments"
    )
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20, choices=Role.choices)
    assigned_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "institution"], name="recs_assignment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.role}"


class FocalPoint(models.Model):
    class Kind(models.TextChoices):
        PRINCIPAL = "principal", _("Principal")
        ALTERNATE = "alternate", _("Alternate")

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    since = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "kind"], name="recs_focal_kind")
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.kind}"


class FollowUpAction(models.Model):
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="actions"
    )
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    description = models.TextField(_("action"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.description[:60]


class Indicator(models.Model):
    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        HALF_YEARLY = "half_yearly", _("Every six months")
        YEARLY = "yearly", _("Yearly")

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="indicators"
    )
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("indicator"), max_length=300)
    # The statistics catalogue's indicator code, when the figure comes from Amparo's records.
    stats_indicator = models.CharField(_("statistics indicator"), max_length=80, blank=True)
    frequency = models.CharField(_("frequency"), max_length=15, choices=Frequency.choices)
    due_on = models.DateField(_("next due on"))
    baseline = models.CharField(_("baseline"), max_length=200, blank=True)
    target = models.CharField(_("target"), max_length=200, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.name


class ProgressUpdate(models.Model):
    class Stage(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted by the focal point")
        INSTITUTION_VALIDATED = "institution_validated", _("Validated by the institution")
        VALIDATED = "validated", _("Validated by the national coordinator")
        RETURNED = "returned", _("Returned for changes")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="updates"
    )
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("progress"))
    proposed_status = models.CharField(
        _("implementation status"), max_length=30, choices=Status.choices
    )
    evidence = models.TextField(_("evidence"))
    evidence_url = models.URLField(_("link to the evidence"), blank=True)
    stage = models.CharField(max_length=30, choices=Stage.choices, default=Stage.SUBMITTED)
    history = models.JSONField(default=list)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.recommendation_id} {self.stage}"

    def get_stage_display(self) -> str:
        return str(dict(self.Stage.choices).get(self.stage, self.stage))

    def get_proposed_status_display(self) -> str:
        return str(dict(Status.choices).get(self.proposed_status, self.proposed_status))


class Reminder(models.Model):
    """One reminder per item and due date, so the daily task never sends it twice."""

    item = models.CharField(max_length=60)  # "indicator:12" or "action:4"
    due_on = models.DateField()
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="reminders"
    )
    recipients = models.JSONField(default=list)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "due_on"], name="recs_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.due_on}"


class Submission(models.Model):
    """Information from a civil-society organisation on a recommendation."""

    class State(models.TextChoices):
        PENDING = "pending", _("Awaiting moderation")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="submissions"
    )
    organisation = models.CharField(_("organisation"), max_length=200)
    email = models.EmailField(_("contact email"))
    text = models.TextField(_("information"))
    link = models.URLField(_("link"), blank=True)
    language = models.CharField(max_length=2, default="es")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    client = models.CharField(max_length=64, blank=True)  # hashed address, for the rate limit
    moderated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.organisation


class ReportDraft(models.Model):
    """The State's next periodic report, one section per paragraph of the list of issues."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    loipr = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="drafts")
    title = models.CharField(_("title"), max_length=300)
    # {"<paragraph number>": "text the coordinator wrote or kept"}
    sections = models.JSONField(default=dict)
    word_limit = models.PositiveIntegerField(default=31_800)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title
