"""The upload pipeline's rows: remembered column mappings, and upload jobs."""

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from indicators.models.datasets import Dataset, DatasetVersion
from stakeholders.models import Collaborative, Organization


class ColumnMapping(models.Model):
    """How an organization's file columns map onto the upload fields, remembered per set
    of headers so the next upload of the same export is mapped already."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="indicator_column_mappings"
    )
    headers_key = models.CharField(max_length=64, help_text="SHA-256 of the normalised headers.")
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict, help_text="{file column: upload field}")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organization", "-updated_at"]
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "headers_key"], name="columnmapping_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {', '.join(self.headers)[:80]}"


class ImportJobQuerySet(models.QuerySet["ImportJob"]):
    def visible_to(self, user) -> "ImportJobQuerySet":
        """The uploading organization's admins and staff."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(organization_id__in=Organization.editor_owner_ids(user))


class ImportJob(models.Model):
    """One upload on its way in: file, mapping, validation report, commit progress."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded: map the columns")
        CHECKING = "checking", _("Checking the rows")
        INVALID = "invalid", _("Checked: fix the errors")
        VALID = "valid", _("Checked: ready to save")
        QUEUED = "queued", _("Waiting to save")
        RUNNING = "running", _("Saving")
        DONE = "done", _("Saved")
        FAILED = "failed", _("Not saved")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    ACTIVE = (Status.CHECKING, Status.QUEUED, Status.RUNNING)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(
        max_length=10,
        choices=Dataset.Kind.choices,
        default=Dataset.Kind.FIGURES,
        help_text="Figures are checked against the catalog; records are profiled and kept.",
    )
    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="indicator_imports"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="indicator_imports"
    )
    dataset = models.ForeignKey(
        Dataset,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="imports",
        help_text=_("Empty until saved, for a new dataset; set for a new version."),
    )
    version = models.ForeignKey(
        DatasetVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dataset_fields = models.JSONField(
        default=dict,
        blank=True,
        help_text="For a new dataset: title, source, period, methodology, licence, sharing.",
    )
    reason = models.TextField(_("reason for the new version"), blank=True)
    file = models.FileField(upload_to="indicator-imports/%Y/%m/", max_length=255, blank=True)
    file_removed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the daily sweep deleted the stored file (jobs.upload_files_sweep).",
    )
    original_filename = models.CharField(_("file"), max_length=255)
    file_format = models.CharField(max_length=4, choices=Format.choices)
    file_size = models.PositiveBigIntegerField(default=0)
    headers = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.UPLOADED
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    report = models.JSONField(
        default=dict,
        blank=True,
        help_text="{'errors': [{'row', 'column', 'code', 'message'}], 'by_code': {...}, ...}",
    )
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")
        indexes = [
            models.Index(fields=["organization", "created_at"], name="importjob_org_created")
        ]

    def __str__(self) -> str:
        return f"{self.original_filename} ({self.get_status_display()})"

    @property
    def percent_done(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(100, int(self.rows_done * 100 / self.rows_total))
