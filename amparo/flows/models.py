"""Migratory flows: daily counts at border crossing points, other streams, detection runs,
phase changes, contingency-plan activations and their tasks.

Counts are aggregates (no personal data): every signed-in user may read them. A day with no
row is *not reported*, never zero. A count corrected later keeps its previous values in
`history` and its `version` grows (409 on a stale version).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from amparo.core.models import Institution, Site, User


class Direction(models.TextChoices):
    IN = "in", _("Entering Guatemala")
    OUT = "out", _("Leaving Guatemala")


class Group(models.TextChoices):
    ADULTS = "adults", _("Adults")
    FAMILIES = "families", _("Families")
    CHILDREN = "unaccompanied_children", _("Unaccompanied children")


class Phase(models.TextChoices):
    NORMAL = "normal", _("Normal")
    WATCH = "watch", _("Watch")
    ALERT = "alert", _("Alert")
    EMERGENCY = "emergency", _("Emergency")


PHASE_ORDER = [Phase.NORMAL, Phase.WATCH, Phase.ALERT, Phase.EMERGENCY]


class FlowCount(models.Model):
    id = models.BigAutoField(primary_key=True)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    # ISO 3166 alpha-2 code of the nationality; "" = not recorded.
    nationality = models.CharField(_("nationality"), max_length=2, blank=True)
    group = models.CharField(_("group"), max_length=30, choices=Group.choices)
    count = models.PositiveIntegerField(_("count"))
    version = models.PositiveIntegerField(default=1)
    # Earlier values: [{"count": 12, "by": "user", "at": "...", "source": "form"}].
    history = models.JSONField(default=list, blank=True)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    entered_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField()
    source = models.CharField(max_length=80, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["site", "date", "direction", "nationality", "group"],
                name="flowcount_key_unique",
            )
        ]
        indexes = [models.Index(fields=["date", "site"], name="flowcount_date_site")]

    def __str__(self) -> str:
        return f"{self.site_id} {self.date} {self.direction} {self.nationality} {self.group}"


class StreamKind(models.TextChoices):
    OCCUPANCY = "occupancy", _("Shelter occupancy")
    CLINIC = "clinic", _("Clinic attendances")


class StreamValue(models.Model):
    """A daily value of another stream at a site: shelter occupancy, clinic attendances."""

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(_("stream"), max_length=20, choices=StreamKind.choices)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    value = models.PositiveIntegerField(_("value"))
    # The site's capacity on that day (occupancy only), copied so later changes keep history.
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    history = models.JSONField(default=list, blank=True)
    entered_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "site", "date"], name="streamvalue_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.site_id} {self.date}"


class DetectionRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        # No counts to detect on: nothing recorded, the last results stay on the dashboard.
        NO_DATA = "no_data", _("No counts to detect on")
        FAILED = "failed", _("Failed")

    class Stage(models.TextChoices):
        READING = "reading", _("reading the counts")
        DETECTING = "detecting", _("detecting surges")
        RECORDING = "recording", _("recording phases and plans")
        DRAWING = "drawing", _("drawing the charts")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    as_of = models.DateField(_("data up to"))
    false_alarms_per_year = models.FloatField(default=1.0)
    model_version = models.CharField(max_length=200, blank=True)
    threshold_version = models.CharField(max_length=200, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    # Where a queued or running run is, for the progress the dashboard shows while it waits.
    stage = models.CharField(max_length=12, choices=Stage.choices, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)  # percent

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"run {self.as_of} {self.status}"

    @property
    def pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class StreamResult(models.Model):
    """One stream's series from a run (for the dashboard): dates and values as lists."""

    run = models.ForeignKey(DetectionRun, on_delete=models.CASCADE, related_name="streams")
    key = models.CharField(max_length=80)  # "national", a site code, or "<site>:<nat>:<group>"
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    phase = models.CharField(max_length=10, choices=Phase.choices)
    h_low = models.FloatField()
    h_high = models.FloatField()
    series = models.JSONField(default=dict)
    # SVG charts drawn by the worker at the end of the run ("es:90:320" → svg), so no page
    # waits for them; emptied when a newer run has its own.
    charts = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "key"], name="streamresult_key_unique")
        ]

    def __str__(self) -> str:
        return self.key


class PhaseChange(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.CharField(max_length=80)  # "national" or the site code
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    run = models.ForeignKey(DetectionRun, on_delete=models.PROTECT, related_name="changes")
    on = models.DateField(_("date"))
    from_phase = models.CharField(max_length=10, choices=Phase.choices)
    to_phase = models.CharField(max_length=10, choices=Phase.choices)
    at = models.DateTimeField()
    inputs = models.JSONField(default=dict)
    model_version = models.CharField(max_length=200)
    threshold_version = models.CharField(max_length=200)
    acknowledged_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledge_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-on", "-at"]
        constraints = [
            models.UniqueConstraint(fields=["key", "on", "to_phase"], name="phasechange_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.on} {self.from_phase}→{self.to_phase}"

    @property
    def is_raise(self) -> bool:
        return PHASE_ORDER.index(self.to_phase) > PHASE_ORDER.index(self.from_phase)


class PlanActivation(models.Model):
    """A contingency plan set in motion by a phase change; people supported are counted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    change = models.ForeignKey(
        PhaseChange, null=True, blank=True, on_delete=models.PROTECT, related_name="activations"
    )
    phase = models.CharField(max_length=10, choices=Phase.choices)
    plan_code = models.CharField(max_length=60)
    key = models.CharField(max_length=80)
    activated_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    people_supported = models.PositiveIntegerField(_("people supported"), default=0)
    version = models.PositiveIntegerField(default=1)
    history = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-activated_at"]

    def __str__(self) -> str:
        return f"{self.plan_code} {self.key}"


class ContingencyTask(models.Model):
    activation = models.ForeignKey(PlanActivation, on_delete=models.CASCADE, related_name="tasks")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=60)
    title_es = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    due_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["done_at", "due_at"]
        constraints = [
            models.UniqueConstraint(fields=["activation", "code"], name="ctask_code_unique")
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def title(self) -> str:
        from django.utils import translation

        return self.title_en if (translation.get_language() or "es")[:2] == "en" else self.title_es
