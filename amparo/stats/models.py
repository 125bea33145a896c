"""Statistics computed by the background worker and kept until the data they read changes.

A `Computation` is one thing asked of the statistics (a page's figures or an export file),
keyed by what was asked: which page or format, the period, the institution, the breakdowns and
the language. It keeps the last good result (`html` for a page, `file` for an export) with the
fingerprint of the data it was computed from, and separately the state of the latest run. A run
that fails never clears the last good result: the page goes on showing it, saying since when it
is stale and why the update failed.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class Computation(models.Model):
    class Kind(models.TextChoices):
        DASHBOARD = "dashboard", _("Statistics dashboard")
        INDICATOR = "indicator", _("Indicator")
        QUESTIONS = "questions", _("The Committee's questions")
        REPORT = "report", _("State report")
        EXPORT = "export", _("State report export")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the background worker")
        RUNNING = "running", _("Being computed")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # sha256 of kind, params and language: one row per distinct question asked.
    key = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    params = models.JSONField(default=dict)
    language = models.CharField(max_length=8)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    steps_done = models.PositiveIntegerField(default=0)
    steps_total = models.PositiveIntegerField(default=0)
    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The data the latest run read (compared on each request: a change means recompute).
    run_fingerprint = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    # The last good result and the data it was computed from.
    html = models.TextField(blank=True)
    file = models.FileField(upload_to="stats/exports/%Y/%m/", max_length=200, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "-requested_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.params}"

    def get_absolute_url(self) -> str:
        """The page (or export link) that asked for this computation."""
        from django.urls import reverse
        from django.utils.http import urlencode

        params = self.params
        query = [("start", params.get("start", "")), ("end", params.get("end", ""))]
        if params.get("institution"):
            query.append(("institution", params["institution"]))
        if self.kind == self.Kind.INDICATOR:
            query += [("by", d) for d in params.get("by", [])]
            return reverse("stats:indicator", args=[params["indicator"]]) + "?" + urlencode(query)
        if self.kind == self.Kind.EXPORT:
            query.append(("lang", self.language))
            return reverse("stats:export", args=[params["fmt"]]) + "?" + urlencode(query)
        if self.kind == self.Kind.DASHBOARD and params.get("by"):
            query.append(("by", params["by"]))
        name = {
            self.Kind.DASHBOARD: "stats:index",
            self.Kind.QUESTIONS: "stats:questions",
        }.get(self.kind, "stats:report")  # type: ignore[call-overload]
        return reverse(name) + "?" + urlencode(query)

    @property
    def has_result(self) -> bool:
        return self.computed_at is not None

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.steps_total:
            return 0
        return min(99, int(100 * self.steps_done / self.steps_total))
