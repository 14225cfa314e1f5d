"""Shared measurement: one indicator catalog per collaborative, and the data behind it.

- ``Indicator``: the catalog (per collaborative, per key area), with the disaggregations
  it allows (``Dimension`` / ``DimensionValue``, seeded per collaborative).
- ``LocalDefinition``: what one organization's number includes and excludes.
- ``Dataset``: an organization's upload, a ``Shareable`` container. Its rows live in
  ``DatasetVersion`` s: every re-upload is a new version with a reason; the dataset
  points at its ``current_version`` (what the owner works on) and its
  ``accepted_version`` (the last one backbone staff accepted: what "accepted data only"
  shows). Status draft -> submitted -> accepted is per version.
- ``Observation``: one value for an indicator, a period and a breakdown, in one version.
  Never shared row by row: visible through its dataset (``visible_through``).
- ``ColumnMapping``, ``ImportJob``: the upload pipeline.
- ``StoryNote``, ``IndicatorComment``: the story behind the curve, partners' comments.
- ``DataRequest``: a member asks an organization to share a dataset.
"""

import uuid
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from reentry.sharing.models import ContainedQuerySet, GroupGrant, Shareable, ShareableQuerySet
from stakeholders.models import Collaborative, KeyArea, Member, Organization
from workgroups.models import WorkingGroup

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
    _("Use letters, numbers, dots, dashes and underscores, starting with a letter or number."),
)

# Values: up to 14 digits before the point and 6 after (dollars, rates, percents, counts).
VALUE_DIGITS = 20
VALUE_PLACES = 6


class IndicatorSettings(models.Model):
    """What the indicators app needs to know about a collaborative beyond stakeholders.

    Created on first use by ``services.indicator_settings_for`` (which also seeds the
    default disaggregation dimensions once).
    """

    collaborative = models.OneToOneField(
        Collaborative, on_delete=models.CASCADE, related_name="indicator_settings"
    )
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("fiscal year starts in month"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_(
            "1 is January, 7 is July. Fiscal year 2026 ends in the month before this one, in 2026."
        ),
    )
    dimensions_seeded = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("indicator settings")
        verbose_name_plural = _("indicator settings")

    def __str__(self) -> str:
        return str(self.collaborative)


class Dimension(models.Model):
    """A way data is broken down (race and ethnicity, sex, age group, ...), per collaborative."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="indicator_dimensions"
    )
    code = models.SlugField(
        _("code"),
        max_length=40,
        help_text=_("The column name in uploads, e.g. race_ethnicity. Lowercase, no spaces."),
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    accepts_any_value = models.BooleanField(
        _("any value"),
        default=False,
        help_text=_("Values are not listed in advance (e.g. ZIP codes or neighborhoods)."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["collaborative", "order", "name"]
        verbose_name = _("disaggregation")
        verbose_name_plural = _("disaggregations")
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "code"], name="indicator_dimension_unique_code"
            )
        ]

    def __str__(self) -> str:
        return self.name


class DimensionValue(models.Model):
    """One allowed value of a dimension (e.g. "Black or African American")."""

    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="values")
    code = models.SlugField(_("code"), max_length=60, help_text=_("As written in uploads."))
    label = models.CharField(_("label"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["dimension", "order", "label"]
        verbose_name = _("disaggregation value")
        verbose_name_plural = _("disaggregation values")
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "code"], name="indicator_dimvalue_unique_code"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dimension}: {self.label}"


class IndicatorQuerySet(models.QuerySet):
    def visible_to(self, user) -> "IndicatorQuerySet":
        """The catalog is read by every member of the collaborative; public indicators by
        anyone (their data still follows each dataset's sharing)."""
        public = Q(is_public=True, status=Indicator.Status.ADOPTED)
        if user is None or not user.is_authenticated or not user.is_active:
            return self.filter(public)
        mine = Member.objects.collaborative_ids_of(user)
        return self.filter(public | Q(collaborative_id__in=mine))

    def editable_by(self, user) -> "IndicatorQuerySet":
        """Backbone staff of the collaborative, and the chairs of the owning working group."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        backbone = Member.objects.filter(
            user_id=user.pk, is_active=True, role=Member.Role.BACKBONE
        ).values("collaborative_id")
        return self.filter(
            Q(collaborative_id__in=backbone)
            | Q(working_group_id__in=WorkingGroup.editor_owner_ids(user))
        )


class Indicator(models.Model):
    """One shared measure in the collaborative's catalog."""

    class Kind(models.TextChoices):
        POPULATION = "population", _("Population result")
        HOW_MUCH = "how_much", _("Performance measure: how much did we do?")
        HOW_WELL = "how_well", _("Performance measure: how well did we do it?")
        BETTER_OFF = "better_off", _("Performance measure: is anyone better off?")

    class Unit(models.TextChoices):
        COUNT = "count", _("Count")
        PERCENT = "percent", _("Percent")
        RATE_1000 = "rate_1000", _("Rate per 1,000")
        DAYS = "days", _("Days")
        DOLLARS = "dollars", _("Dollars")

    class Direction(models.TextChoices):
        UP = "up", _("Higher is better")
        DOWN = "down", _("Lower is better")
        NEUTRAL = "neutral", _("Neither: context only")

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        YEARLY = "yearly", _("Yearly (calendar year)")
        FISCAL_YEARLY = "fiscal_yearly", _("Yearly (fiscal year)")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate")
        ADOPTED = "adopted", _("Adopted")
        RETIRED = "retired", _("Retired")

    # For a unit derived from a numerator and a denominator: value = n / d * scale.
    SCALE: ClassVar[dict[str, Decimal]] = {
        Unit.PERCENT: Decimal(100),
        Unit.RATE_1000: Decimal(1000),
    }

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="indicators"
    )
    key_area = models.ForeignKey(
        KeyArea, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("key area")
    )
    code = models.CharField(
        _("code"),
        max_length=40,
        validators=[code_validator],
        help_text=_("A short code used in uploads, e.g. HOUS-90. Unique in the collaborative."),
    )
    name = models.CharField(_("name"), max_length=200)
    question = models.CharField(
        _("the question it answers"),
        max_length=300,
        help_text=_(
            "In plain words, e.g. “How many people have stable housing 90 days after release?”"
        ),
    )
    description = models.TextField(_("more about it"), blank=True)
    kind = models.CharField(
        _("kind"),
        max_length=12,
        choices=Kind.choices,
        default=Kind.POPULATION,
        help_text=_("In Results-Based Accountability terms."),
    )
    unit = models.CharField(_("unit"), max_length=12, choices=Unit.choices, default=Unit.COUNT)
    direction = models.CharField(
        _("which direction is better"),
        max_length=8,
        choices=Direction.choices,
        default=Direction.UP,
    )
    numerator_definition = models.TextField(
        _("numerator"), blank=True, help_text=_("What is counted on top.")
    )
    denominator_definition = models.TextField(
        _("denominator"),
        blank=True,
        help_text=_("What it is counted out of. Leave empty for a plain count."),
    )
    source = models.CharField(
        _("source"), max_length=300, blank=True, help_text=_("Where the numbers come from.")
    )
    frequency = models.CharField(
        _("how often"), max_length=16, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    dimensions = models.ManyToManyField(
        Dimension,
        blank=True,
        related_name="indicators",
        verbose_name=_("allowed breakdowns"),
        help_text=_("The ways this indicator may be broken down in uploads."),
    )
    baseline_value = models.DecimalField(
        _("baseline"),
        max_digits=VALUE_DIGITS,
        decimal_places=VALUE_PLACES,
        null=True,
        blank=True,
    )
    baseline_date = models.DateField(
        _("baseline date"), null=True, blank=True, help_text=_("When the baseline was measured.")
    )
    target_value = models.DecimalField(
        _("target"), max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, null=True, blank=True
    )
    target_date = models.DateField(
        _("target date"), null=True, blank=True, help_text=_("When the target should be met.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CANDIDATE
    )
    working_group = models.ForeignKey(
        WorkingGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("owning working group"),
        help_text=_("Its chairs can edit this indicator."),
    )
    is_headline = models.BooleanField(
        _("headline indicator"),
        default=False,
        help_text=_("Shown first on the collaborative's overview and scorecards."),
    )
    is_public = models.BooleanField(
        _("on the public dashboard"),
        default=False,
        help_text=_(
            "Adopted public indicators appear on the public dashboard, with public data only."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["collaborative", "key_area__order", "-is_headline", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["collaborative", "code"], name="indicator_unique_code"),
            models.CheckConstraint(
                condition=Q(target_value__isnull=True) | Q(target_date__isnull=False),
                name="indicator_target_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["collaborative", "status"], name="indicator_collab_status"),
            models.Index(fields=["key_area", "status"], name="indicator_area_status"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def get_absolute_url(self) -> str:
        return reverse(
            "indicators:indicator",
            kwargs={"slug": self.collaborative.slug, "public_id": self.public_id},
        )

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.collaborative_id:
            if self.key_area_id and self.key_area.collaborative_id != self.collaborative_id:
                errors["key_area"] = _("Choose a key area of this collaborative.")
            if (
                self.working_group is not None
                and self.working_group.collaborative_id != self.collaborative_id
            ):
                errors["working_group"] = _("Choose a working group of this collaborative.")
        if self.target_value is not None and self.target_date is None:
            errors["target_date"] = _("Give the date the target should be met.")
        if self.unit in self.SCALE and not self.denominator_definition.strip():
            errors["denominator_definition"] = _(
                "A percent or a rate needs a denominator: say what it is counted out of."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def is_ratio(self) -> bool:
        """Derived from a numerator and a denominator (percent, rate per 1,000)."""
        return self.unit in self.SCALE

    def derive_value(self, numerator: Decimal, denominator: Decimal) -> Decimal:
        scale = self.SCALE.get(self.unit, Decimal(1))
        return (numerator / denominator * scale).quantize(Decimal(1).scaleb(-VALUE_PLACES))


class LocalDefinition(models.Model):
    """What one organization's number for an indicator includes and excludes, against the
    shared definition (as Justice Counts does for agencies). Shown beside its data."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="indicator_definitions"
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="local_definitions"
    )
    includes = models.TextField(
        _("our number includes"),
        blank=True,
        help_text=_("E.g. “everyone we housed, including people released from county jail”."),
    )
    excludes = models.TextField(
        _("our number leaves out"),
        blank=True,
        help_text=_("E.g. “people who left our program before 30 days”."),
    )
    updated_by = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["indicator", "organization__name"]
        verbose_name = _("local definition")
        verbose_name_plural = _("local definitions")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "indicator"], name="localdefinition_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.indicator.code}"

    def clean(self) -> None:
        if (
            self.organization_id
            and self.indicator_id
            and self.organization.collaborative_id != self.indicator.collaborative_id
        ):
            raise ValidationError(_("Choose an indicator of your own collaborative."))


class Licence(models.TextChoices):
    CC_BY = "cc-by-4.0", _("Creative Commons Attribution 4.0")
    CC0 = "cc0-1.0", _("Public domain (CC0)")
    ODBL = "odbl-1.0", _("Open Database License")
    AGREEMENT = "agreement", _("Collaborative data-sharing agreement only")


class DatasetQuerySet(ShareableQuerySet["Dataset"]):
    def with_versions(self) -> "DatasetQuerySet":
        return self.select_related("owner", "current_version", "accepted_version")

    def reviewable_by(self, user) -> "DatasetQuerySet":
        """What backbone staff review: their collaboratives' datasets that were submitted
        (or accepted once), whatever their sharing. Submitting hands a dataset's
        description and status, not its rows, to backbone staff for acceptance."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        backbone = Member.objects.filter(
            user_id=user.pk, is_active=True, role=Member.Role.BACKBONE
        ).values("collaborative_id")
        handed_over = Q(
            current_version__status__in=[
                DatasetVersion.Status.SUBMITTED,
                DatasetVersion.Status.ACCEPTED,
            ]
        ) | Q(accepted_version__isnull=False)
        return self.filter(handed_over, collaborative_id__in=backbone)

    def visible_or_reviewable(self, user) -> "DatasetQuerySet":
        """``visible_to`` plus, for backbone staff, ``reviewable_by`` (dataset pages only)."""
        return self.filter(
            Q(pk__in=self.model.objects.visible_to(user).values("pk"))
            | Q(pk__in=self.model.objects.reviewable_by(user).values("pk"))
        )


class Dataset(Shareable):
    """An organization's data for one period: a shareable container of observations."""

    sharing_collaborative_path = "collaborative"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="datasets", editable=False
    )
    owner = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="datasets",
        verbose_name=_("organization"),
    )
    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(
        _("source"), max_length=300, blank=True, help_text=_("The system or report it came from.")
    )
    period_start = models.DateField(_("covers from"))
    period_end = models.DateField(_("covers to"))
    methodology = models.TextField(
        _("methodology notes"),
        blank=True,
        help_text=_("How the numbers were counted, and anything a reader should know."),
    )
    licence = models.CharField(
        _("licence"), max_length=20, choices=Licence.choices, default=Licence.AGREEMENT
    )
    current_version = models.ForeignKey(
        "DatasetVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        help_text=_("The version the organization works on (and others see, if shared)."),
    )
    accepted_version = models.ForeignKey(
        "DatasetVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        help_text=_("The last version backbone staff accepted."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects: ClassVar = DatasetQuerySet.as_manager()

    class Meta:
        ordering = ["-period_end", "title", "pk"]
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")
        indexes = [
            models.Index(fields=["owner", "period_end"], name="dataset_owner_period"),
            models.Index(fields=["collaborative", "period_end"], name="dataset_collab_period"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="dataset_period_order"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.owner_id and not self.collaborative_id:
            self.collaborative_id = self.owner.collaborative_id
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(
            "indicators:dataset",
            kwargs={"slug": self.collaborative.slug, "public_id": self.public_id},
        )

    def clean(self) -> None:
        if self.owner_id:
            self.collaborative_id = self.owner.collaborative_id
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The end comes on or after the start.")})

    @property
    def status(self) -> str:
        """The status of the current version ("draft" before any rows are stored)."""
        version = self.current_version
        return version.status if version is not None else DatasetVersion.Status.DRAFT

    @property
    def is_locked(self) -> bool:
        """An accepted current version cannot change: changes need a new version."""
        return self.status == DatasetVersion.Status.ACCEPTED


class DatasetGroupObjectPermission(GroupGrant):
    content_object = models.ForeignKey(Dataset, on_delete=models.CASCADE)


class DatasetVersion(models.Model):
    """One upload of a dataset's rows. Rows never change after the commit; a change is a
    new version with a reason, and an earlier version can be made current again."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted by the organization")
        ACCEPTED = "accepted", _("Accepted")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    reason = models.TextField(
        _("reason for the change"), blank=True, help_text=_("Required from the second version.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    restored_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("restored from"),
        help_text=_("Set when this version is a copy of an earlier one, made current again."),
    )
    source_filename = models.CharField(_("file"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    class Meta:
        ordering = ["dataset", "-number"]
        verbose_name = _("dataset version")
        verbose_name_plural = _("dataset versions")
        constraints = [
            models.UniqueConstraint(fields=["dataset", "number"], name="datasetversion_unique"),
            models.CheckConstraint(
                condition=Q(number=1) | ~Q(reason=""), name="datasetversion_reason_after_first"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dataset} v{self.number}"


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


class StoryNote(models.Model):
    """The story behind the curve: what is driving the numbers, partners, what works.

    The newest note of an indicator is the one shown; earlier ones stay as its history.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="stories")
    body = models.TextField(_("the story behind the curve"), max_length=10000)
    author = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["indicator", "-created_at", "-pk"]
        verbose_name = _("story behind the curve")
        verbose_name_plural = _("stories behind the curve")

    def __str__(self) -> str:
        return f"{self.indicator.code}: {self.body[:60]}"


class IndicatorComment(models.Model):
    """A partner's comment on an indicator, read by the collaborative's members."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(_("comment"), max_length=4000)
    is_hidden = models.BooleanField(
        _("hidden"), default=False, help_text=_("Hidden by backbone staff.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["indicator", "created_at", "pk"]
        verbose_name = _("comment on an indicator")
        verbose_name_plural = _("comments on indicators")

    def __str__(self) -> str:
        return f"{self.author} on {self.indicator.code}"


class DataRequest(models.Model):
    """A member asks an organization to share a dataset with them (or their organization)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="data_requests", editable=False
    )
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="requests")
    requested_by = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    requesting_organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The organization that would see the dataset, if any."),
    )
    reason = models.TextField(_("why you need it"), max_length=4000)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    response = models.TextField(_("answer"), blank=True, max_length=4000)
    decided_by = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("data request")
        verbose_name_plural = _("data requests")
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "requested_by"],
                condition=Q(status="pending"),
                name="datarequest_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.requested_by} → {self.dataset}"

    def save(self, *args, **kwargs):
        if self.dataset_id and not self.collaborative_id:
            self.collaborative_id = self.dataset.collaborative_id
        super().save(*args, **kwargs)
