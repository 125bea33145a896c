"""One bulk import of a file: what was asked, how far it got, and what it wrote.

Every row an import writes points back to its job (`import_job`), so any figure can be traced
to the file it came from.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from amparo.core.models import Institution, User


class ImportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        REFUSED = "refused", _("Refused")

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all", _("All or nothing")
        VALID_ROWS = "valid", _("Valid rows; rejected rows to a reject file")

    class DateOrder(models.TextChoices):
        DAY_MONTH = "dmy", _("Day/month/year")
        MONTH_DAY = "mdy", _("Month/day/year")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=40)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=200)
    original_name = models.CharField(max_length=200)
    # Rows are unique per (institution, source, ref): the same file twice adds nothing.
    source = models.CharField(_("source system"), max_length=40)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.ALL_OR_NOTHING)
    date_order = models.CharField(max_length=3, choices=DateOrder.choices, default="dmy")
    sheet = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    phase = models.CharField(max_length=20, blank=True)
    total_bytes = models.PositiveBigIntegerField(default=0)
    processed_bytes = models.PositiveBigIntegerField(default=0)
    rows_seen = models.PositiveIntegerField(default=0)
    rows_valid = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    rows_inserted = models.PositiveIntegerField(default=0)
    rows_existing = models.PositiveIntegerField(default=0)
    encoding = models.CharField(max_length=20, blank=True)
    delimiter = models.CharField(max_length=4, blank=True)
    # The first errors found, each {"line", "column", "message"}; the reject file has them all.
    errors = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    reject_file = models.FileField(upload_to="imports/rejects/%Y/%m/", max_length=200, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["institution", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.original_name}"

    @property
    def progress_percent(self) -> int:
        if self.status in (self.Status.DONE, self.Status.REFUSED):
            return 100
        if not self.total_bytes:
            return 0
        return min(99, int(100 * self.processed_bytes / self.total_bytes))


class Imported(models.Model):
    """Where a row came from. (institution, source, external_ref) is unique, so importing the
    same file twice adds nothing; rows typed in Amparo have no external reference."""

    source = models.CharField(_("source system"), max_length=40, blank=True, default="amparo")
    # NULL, not "", for rows typed in Amparo: NULLs never collide in the unique constraint.
    external_ref = models.CharField(  # noqa: DJ001
        _("reference in the source"), max_length=80, null=True, blank=True
    )
    import_job = models.ForeignKey(
        ImportJob, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True
