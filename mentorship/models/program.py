"""Programs, their rules and training modules, and the grants that fund them."""

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from reentry.stipends.models import Currency
from stakeholders.models import Collaborative, Member

# The soft-score terms of matching and their default weights (any non-negative number;
# only their proportions matter). ``matching.Weights`` reads the same keys.
DEFAULT_WEIGHTS: dict[str, float] = {
    "key_areas": 3.0,
    "lived_experience": 2.0,
    "distance": 2.0,
    "interests": 1.0,
    "age": 1.0,
}


def default_weights() -> dict[str, float]:
    return dict(DEFAULT_WEIGHTS)


def validate_weights(value: Any) -> None:
    if not isinstance(value, dict):
        raise ValidationError(_("The weights must be a set of named numbers."))
    unknown = set(value) - set(DEFAULT_WEIGHTS)
    if unknown:
        raise ValidationError(
            _("Unknown weights: %(names)s."), params={"names": ", ".join(sorted(unknown))}
        )
    for name, weight in value.items():
        if not isinstance(weight, (int, float)) or isinstance(weight, bool) or weight < 0:
            raise ValidationError(
                _("The weight “%(name)s” must be a number of zero or more."),
                params={"name": name},
            )


class Program(models.Model):
    """A mentoring program a collaborative runs, with its coordinators and rules."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="mentoring_programs"
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("web address name"),
        max_length=60,
        help_text=_("Used in the application form's web address. Letters, numbers and dashes."),
    )
    description = models.TextField(
        _("about the program"),
        blank=True,
        help_text=_("Shown at the top of the public application form. Plain words."),
    )
    coordinators = models.ManyToManyField(
        Member,
        blank=True,
        related_name="coordinated_programs",
        verbose_name=_("coordinators"),
        help_text=_("They screen mentors, make matches and see background notes."),
    )
    accepts_applications = models.BooleanField(
        _("taking applications"),
        default=True,
        help_text=_("When off, the public application form says the program is full."),
    )
    is_active = models.BooleanField(_("running"), default=True)

    # Stipend rules: a rate per session and/or per hour, and a monthly cap per mentor.
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.USD
    )
    stipend_per_session = models.DecimalField(
        _("stipend per session"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text=_("Paid for each approved session. Leave empty for none."),
    )
    stipend_per_hour = models.DecimalField(
        _("stipend per hour"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text=_("Paid for each hour of approved sessions, on top of any per-session amount."),
    )
    monthly_cap = models.DecimalField(
        _("most a mentor can earn in a month"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Leave empty for no limit."),
    )

    # Monitoring cadence (MENTOR: within 48 hours, twice in the first month, then monthly).
    first_contact_hours = models.PositiveSmallIntegerField(
        _("first check-in within (hours)"),
        default=48,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 14)],
    )
    first_month_contacts = models.PositiveSmallIntegerField(
        _("check-ins in the first month"),
        default=2,
        validators=[MaxValueValidator(8)],
    )
    contact_every_days = models.PositiveSmallIntegerField(
        _("then a check-in every (days)"),
        default=30,
        validators=[MinValueValidator(7), MaxValueValidator(120)],
    )
    quiet_alert_days = models.PositiveSmallIntegerField(
        _("alert when no session for (days)"),
        default=21,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    release_alert_days = models.PositiveSmallIntegerField(
        _("alert this many days before a release date"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )

    # Matching.
    weights = models.JSONField(
        _("matching weights"),
        default=default_weights,
        validators=[validate_weights],
        help_text=_("How much each part of a good fit counts when suggesting matches."),
    )
    distance_scale_km = models.PositiveSmallIntegerField(
        _("distance that counts as far (km)"),
        default=25,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
        help_text=_("At this distance or more, the distance part of the fit is zero."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["collaborative", "name"]
        verbose_name = _("mentoring program")
        verbose_name_plural = _("mentoring programs")
        constraints = [
            models.UniqueConstraint(fields=["collaborative", "slug"], name="program_unique_slug"),
            models.CheckConstraint(
                condition=Q(monthly_cap__isnull=True) | Q(monthly_cap__gt=0),
                name="program_cap_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "mentorship:program",
            kwargs={"slug": self.collaborative.slug, "program_id": self.public_id},
        )

    def get_apply_url(self) -> str:
        return reverse(
            "mentorship_apply",
            kwargs={"collab_slug": self.collaborative.slug, "program_slug": self.slug},
        )

    @property
    def effective_weights(self) -> dict[str, float]:
        """The program's weights with the defaults filled in for any left out."""
        merged = default_weights()
        if isinstance(self.weights, dict):
            merged.update({k: float(v) for k, v in self.weights.items() if k in merged})
        return merged


class TrainingModule(models.Model):
    """A piece of mentor training. Required modules must be done before approval."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="modules")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("what it covers"), blank=True)
    hours = models.DecimalField(
        _("hours"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("1.0"),
        validators=[MinValueValidator(Decimal("0.0"))],
    )
    is_required = models.BooleanField(
        _("required before approval"),
        default=True,
        help_text=_("A mentor cannot be approved until every required module is done."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["program", "order", "name"]
        verbose_name = _("training module")
        verbose_name_plural = _("training modules")
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="trainingmodule_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Grant(models.Model):
    """Money from a funder for a program: amount, period, restrictions, budget lines."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="grants")
    funder = models.CharField(_("funder"), max_length=200)
    name = models.CharField(
        _("grant name"), max_length=200, blank=True, help_text=_("As the funder calls it.")
    )
    amount = models.DecimalField(
        _("amount"),
        max_digits=11,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.USD
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    restrictions = models.TextField(
        _("restrictions"),
        blank=True,
        help_text=_("What the money may and may not pay for, in the funder's words."),
    )
    reference = models.CharField(_("funder's reference"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["program", "-starts_on"]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="grant_period_ordered"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="grant_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.funder}: {self.name}" if self.name else self.funder

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The grant must end on or after it starts.")})


class BudgetLine(models.Model):
    """What part of a grant goes to what: coordinator, stipends, training, other."""

    class Category(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator")
        STIPENDS = "stipends", _("Mentor stipends")
        TRAINING = "training", _("Training")
        OTHER = "other", _("Other")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    label = models.CharField(
        _("description"), max_length=200, blank=True, help_text=_("E.g. “Coordinator, half time”.")
    )
    amount = models.DecimalField(
        _("amount"),
        max_digits=11,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"))],
    )

    class Meta:
        ordering = ["grant", "category", "label"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="budgetline_amount_not_negative"
            )
        ]

    def __str__(self) -> str:
        return self.label or str(self.get_category_display())


class Expense(models.Model):
    """Money spent against a budget line, entered by hand (stipends are counted from the
    stipend ledger instead, so they are never entered twice)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="expenses")
    date = models.DateField(_("date"))
    amount = models.DecimalField(
        _("amount"),
        max_digits=11,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    description = models.CharField(_("what for"), max_length=300)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("entered"), auto_now_add=True)
    # A mistaken expense is voided, not deleted: the row stays on the grant page (struck
    # out, with the reason) and out of every total, so the books show what happened.
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    void_reason = models.CharField(_("why it was removed"), max_length=300, blank=True)

    class Meta:
        ordering = ["budget_line", "date", "pk"]
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="expense_amount_positive"),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True) | ~Q(void_reason=""),
                name="expense_void_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["budget_line", "date"], name="expense_line_date")]

    def __str__(self) -> str:
        return f"{self.date} · {self.description}"

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None
