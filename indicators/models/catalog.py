"""The indicator catalog: indicators per collaborative and key area, the breakdowns they
allow (``Dimension`` / ``DimensionValue``), and what one organization's number includes
and excludes (``LocalDefinition``)."""

import uuid
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from reentry.i18n import SPANISH_HELP, localized
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
        return localized(self, "name")


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
        return f"{self.dimension}: {localized(self, 'label')}"


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
    name_es = models.CharField(
        _("name in Spanish"), max_length=200, blank=True, help_text=SPANISH_HELP
    )
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
        return f"{self.code} — {localized(self, 'name')}"

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
