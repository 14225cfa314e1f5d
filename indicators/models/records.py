"""Record-level datasets: an organization's person-level rows (a release file, housing
placements), kept for it alone, and the indicators derived from them.

``Record`` rows belong to one ``DatasetVersion`` of a ``Dataset`` whose kind is
"records". They are never shared: ``Record.objects.visible_to`` admits only the owning
organization's admins and staff (DESIGN.md rule 7, last sentence), whatever the
dataset's sharing level. What the dataset shares is its description and the
observations derived from the rows (``DerivedIndicator``), stored in the same version
as any uploaded figures are, so they reach others only through the dataset's sharing
and the one suppression entry point (rule 8), like every other figure.
"""

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from indicators.models.catalog import Indicator
from indicators.models.datasets import Dataset, DatasetVersion
from stakeholders.models import Organization


class RecordQuerySet(models.QuerySet["Record"]):
    def visible_to(self, user) -> "RecordQuerySet":
        """Only the owning organization's admins and staff, for every dataset sharing
        level: record rows are never shown row by row beyond their owner."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(dataset__owner_id__in=Organization.editor_owner_ids(user))


class Record(models.Model):
    """One person-level row of a record-level dataset version.

    ``cells`` holds the row's cells as a JSON array of trimmed text, in the order of
    the version's ``columns``: a compact row (no repeated keys) that the database reads
    by position (``cells ->> 3``) when it derives an indicator.
    """

    id = models.BigAutoField(primary_key=True)
    # Only the version is indexed: derivation reads one version; the dataset is there
    # for visibility filters. Every index slows the load of a million rows.
    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="records", db_index=False
    )
    version = models.ForeignKey(DatasetVersion, on_delete=models.CASCADE, related_name="records")
    row = models.PositiveIntegerField(_("row in the file"))
    cells = models.JSONField(_("cells"), default=list)

    objects: ClassVar = RecordQuerySet.as_manager()

    class Meta:
        ordering = ["version", "row"]
        verbose_name = _("record")
        verbose_name_plural = _("records")
        default_permissions = ()  # never edited by hand, in the admin or elsewhere

    def __str__(self) -> str:
        return f"{self.version_id}:{self.row}"


class DerivedIndicatorQuerySet(models.QuerySet["DerivedIndicator"]):
    def editable_by(self, user) -> "DerivedIndicatorQuerySet":
        """The owning organization's admins and staff define what is derived."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(dataset__owner_id__in=Organization.editor_owner_ids(user))


class DerivedIndicator(models.Model):
    """How one indicator is computed from a record-level dataset: a count, or a rate of
    rows meeting numerator conditions among rows meeting denominator conditions, by a
    period column, broken down by mapped columns (``indicators.records.spec``).

    Derived again into every new version of the dataset, and into the current version
    whenever the definition changes.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="derived_indicators"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="derivations")
    spec = models.JSONField(
        _("definition"), default=dict, help_text=_("The definition, as in the JSON file format.")
    )
    description = models.TextField(
        _("how it is computed"), blank=True, help_text=_("The definition, in words.")
    )
    derived_version = models.ForeignKey(
        DatasetVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The dataset version the figures were last derived from."),
    )
    derived_at = models.DateTimeField(_("derived"), null=True, blank=True)
    report = models.JSONField(
        default=dict,
        blank=True,
        help_text="Rows counted, rows left out (no period), observations written.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects: ClassVar = DerivedIndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["dataset", "indicator__code"]
        verbose_name = _("derived indicator")
        verbose_name_plural = _("derived indicators")
        constraints = [
            models.UniqueConstraint(fields=["dataset", "indicator"], name="derivedindicator_unique")
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} ← {self.dataset}"
