"""Observations: one value for an indicator, a period and a breakdown, in one dataset
version; never shared row by row, only through its dataset."""

from typing import ClassVar

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from indicators.models.catalog import VALUE_DIGITS, VALUE_PLACES, Indicator
from indicators.models.datasets import Dataset, DatasetVersion
from reentry.sharing.models import ContainedQuerySet


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Calendar year")
    FISCAL_YEAR = "fiscal_year", _("Fiscal year")
    RANGE = "range", _("Date range")


class ObservationQuerySet(ContainedQuerySet["Observation"]):
    def visible_to(self, user) -> "ObservationQuerySet":
        """Rows of datasets the person may see (current and earlier versions alike)."""
        return self.visible_through("dataset", user)

    def current(self) -> "ObservationQuerySet":
        """Only each dataset's current version."""
        return self.filter(version_id=F("dataset__current_version_id"))

    def accepted(self) -> "ObservationQuerySet":
        """Only each dataset's accepted version (what "accepted data only" shows)."""
        return self.filter(version_id=F("dataset__accepted_version_id"))

    def totals(self) -> "ObservationQuerySet":
        """Rows with no breakdown."""
        return self.filter(breakdown_dims="")

    def by_dimension(self, code: str) -> "ObservationQuerySet":
        """Rows broken down by exactly this one dimension."""
        return self.filter(breakdown_dims=code)


class Observation(models.Model):
    """A value for one indicator, period and breakdown, in one version of a dataset.

    ``breakdown`` is ``{dimension code: value code}`` ({} for the total).
    ``breakdown_dims`` is the sorted dimension codes joined by commas ("" for the total,
    "race_ethnicity" for the race breakdown, "age_group,sex" for a cross-tab) and
    ``breakdown_key`` the canonical "dim=value|dim=value" text: both plain indexed
    columns, so "the race breakdown" or "this exact cell" is a DB filter on any database,
    and the same cell cannot be stored twice in one version.
    """

    # No single-column indexes on these: each leads a composite index below (dataset: the
    # (dataset, version) index; version: the unique cell; indicator: the series index),
    # and every index slows the import of a million rows.
    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="observations", db_index=False
    )
    version = models.ForeignKey(
        DatasetVersion, on_delete=models.CASCADE, related_name="observations", db_index=False
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="observations", db_index=False
    )
    period_kind = models.CharField(_("period kind"), max_length=12, choices=PeriodKind.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    breakdown = models.JSONField(_("breakdown"), default=dict, blank=True)
    breakdown_dims = models.CharField(max_length=200, blank=True, default="")
    breakdown_key = models.CharField(max_length=500, blank=True, default="")
    value = models.DecimalField(_("value"), max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES)
    numerator = models.DecimalField(
        _("numerator"), max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, null=True, blank=True
    )
    denominator = models.DecimalField(
        _("denominator"),
        max_digits=VALUE_DIGITS,
        decimal_places=VALUE_PLACES,
        null=True,
        blank=True,
    )

    objects: ClassVar = ObservationQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "period_start", "breakdown_key"]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "indicator", "period_start", "period_end", "breakdown_key"],
                name="observation_unique_cell",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="observation_period_order"
            ),
            # A numerator needs its denominator; a denominator alone is the number of
            # people a measure (days, dollars) is about.
            models.CheckConstraint(
                condition=Q(numerator__isnull=True) | Q(denominator__isnull=False),
                name="observation_numerator_has_denominator",
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gt=0),
                name="observation_denominator_positive",
            ),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True)
                | Q(numerator__gte=0, numerator__lte=F("denominator")),
                name="observation_numerator_le_denominator",
            ),
        ]
        indexes = [
            models.Index(
                fields=["indicator", "breakdown_dims", "period_start"], name="obs_ind_dims_period"
            ),
            models.Index(fields=["dataset", "version"], name="obs_dataset_version"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.period_start}–{self.period_end} {self.breakdown_key}"
