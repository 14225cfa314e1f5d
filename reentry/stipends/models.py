"""One stipend ledger for the whole product: what community members earn for their time.

Gatherings of working groups earn lines, and so do mentoring sessions approved by a
program's coordinator (``mentorship.ledger``): one table, so a person has one monthly
statement, one payroll row and one payment whatever earned the lines.

A line names its source with an explicit nullable foreign key per kind of source
(``meeting``, ``session``) rather than a generic content-type pair: the database then
enforces "one line per person per gathering" and "one line per session" with unique
constraints (the idempotence of the services does not rest on code alone), a gathering
or session that earned money cannot be deleted from under the ledger (``PROTECT``), a
line has at most one source, and reports join to the source without a content-type
lookup. The price is one migration per new kind of source, which happens about once.
"""

import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from reentry.stipends import money
from stakeholders.models import Collaborative, Member


def _backbone_collaboratives(user) -> models.QuerySet:
    return Member.objects.filter(user_id=user.pk, is_active=True, role=Member.Role.BACKBONE).values(
        "collaborative_id"
    )


class Source(models.TextChoices):
    """What earns a stipend. One rate per collaborative and source."""

    GATHERINGS = "gatherings", _("Gatherings of working groups")
    MENTORING = "mentoring", _("Mentoring sessions")


class Unit(models.TextChoices):
    EACH_TIME = "each_time", _("A fixed amount each time")
    PER_HOUR = "per_hour", _("Per hour")


class Currency(models.TextChoices):
    USD = "USD", _("US dollars")


class StipendRate(models.Model):
    """How a collaborative pays for one source of stipends, and whether it does."""

    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="stipend_rates"
    )
    source = models.CharField(
        _("paid for"), max_length=20, choices=Source.choices, default=Source.GATHERINGS
    )
    is_active = models.BooleanField(
        _("stipends are on"),
        default=False,
        help_text=_("When on, community members who attend earn a stipend line."),
    )
    unit = models.CharField(_("paid"), max_length=10, choices=Unit.choices, default=Unit.EACH_TIME)
    amount = models.DecimalField(
        _("amount"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("For each gathering, or for each hour."),
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.USD
    )
    monthly_cap = models.DecimalField(
        _("most a person can earn in a month"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Leave empty for no limit."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("stipend rate")
        verbose_name_plural = _("stipend rates")
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "source"], name="stipendrate_one_per_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.collaborative}: {self.get_source_display()}"


class StipendPayment(models.Model):
    """One payment export: the approved lines of a month handed to payroll, now paid."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="stipend_payments"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month paid."))
    reference = models.CharField(_("payment reference"), max_length=60)
    person_count = models.PositiveIntegerField(_("people"), default=0)
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    total = models.DecimalField(_("total"), max_digits=11, decimal_places=2, default=money.ZERO)
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.USD
    )
    created_by = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("made"), auto_now_add=True)
    # What was paid, to whom, as it stood when it was paid: one entry per person (name,
    # email, member id, lines, total and its split by source, amounts as strings). The
    # payroll file is made from this, so renaming a person later never changes a paid
    # statement. Written once by ``stipend_payment_create``.
    payees = models.JSONField(_("paid to"), default=list, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("stipend payment")
        verbose_name_plural = _("stipend payments")
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "reference"], name="stipendpayment_unique_reference"
            )
        ]

    def __str__(self) -> str:
        return self.reference


class StipendLineQuerySet(models.QuerySet):
    def visible_to(self, user) -> "StipendLineQuerySet":
        """A person's own lines, in every collaborative; every line of a collaborative to
        its backbone staff. Nobody else: not their organization, not a chair."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(
            Q(member__user_id=user.pk, member__is_active=True)
            | Q(collaborative_id__in=_backbone_collaboratives(user))
        )

    def editable_by(self, user) -> "StipendLineQuerySet":
        """Backbone staff approve, reject and pay, never their own lines."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(collaborative_id__in=_backbone_collaboratives(user)).exclude(
            member__user_id=user.pk
        )

    def in_month(self, month) -> "StipendLineQuerySet":
        return self.filter(date__gte=month, date__lt=money.next_month(month))

    def counted(self) -> "StipendLineQuerySet":
        """Lines that are money owed or paid (not rejected)."""
        return self.exclude(status=StipendLine.Status.REJECTED)


def statement_people_visible_to(user) -> models.QuerySet:
    """Whose monthly statement a person may open: their own; everyone's for backbone staff."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Member.objects.none()
    return Member.objects.filter(
        Q(user_id=user.pk, is_active=True) | Q(collaborative_id__in=_backbone_collaboratives(user))
    )


class StipendLine(models.Model):
    """One thing a person was paid (or will be) for: a gathering attended, a mentoring
    session approved."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        PAID = "paid", _("Paid")
        REJECTED = "rejected", _("Not approved")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="stipend_lines"
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="stipend_lines", verbose_name=_("person")
    )
    source = models.CharField(_("paid for"), max_length=20, choices=Source.choices)
    meeting = models.ForeignKey(
        "workgroups.Meeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stipend_lines",
        verbose_name=_("gathering"),
    )
    session = models.ForeignKey(
        "mentorship.Session",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stipend_lines",
        verbose_name=_("mentoring session"),
    )
    date = models.DateField(_("date"), help_text=_("In the collaborative's time zone."))
    description = models.CharField(_("what for"), max_length=300)
    unit = models.CharField(_("paid"), max_length=10, choices=Unit.choices)
    quantity = models.DecimalField(
        _("quantity"), max_digits=7, decimal_places=2, validators=[MinValueValidator(0)]
    )
    unit_amount = models.DecimalField(
        _("rate"), max_digits=8, decimal_places=2, validators=[MinValueValidator(0)]
    )
    cap_reduction = models.DecimalField(
        _("over the monthly limit"), max_digits=9, decimal_places=2, default=money.ZERO
    )
    amount = models.DecimalField(_("amount"), max_digits=9, decimal_places=2)
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.USD
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    rejection_reason = models.CharField(_("why not approved"), max_length=300, blank=True)
    approved_by = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    payment = models.ForeignKey(
        StipendPayment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lines",
    )
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = StipendLineQuerySet.as_manager()

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("stipend line")
        verbose_name_plural = _("stipend lines")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"],
                condition=Q(meeting__isnull=False),
                name="stipendline_one_per_gathering",
            ),
            # A session is the mentor's alone: one line for it, whoever the member.
            models.UniqueConstraint(
                fields=["session"],
                condition=Q(session__isnull=False),
                name="stipendline_one_per_session",
            ),
            models.CheckConstraint(
                condition=Q(meeting__isnull=True) | Q(session__isnull=True),
                name="stipendline_one_source",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(cap_reduction__gte=0),
                name="stipendline_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_at__isnull=False),
                name="stipendline_paid_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="stipendline_rejected_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["collaborative", "date"], name="stipendline_collab_date"),
            models.Index(fields=["member", "date"], name="stipendline_member_date"),
            models.Index(fields=["collaborative", "status", "date"], name="stipendline_status"),
        ]

    # A mentoring session's line is stored as "Mentoring session · <program> · <n> min
    # (<how the amount was reached>)", in English; the words the product wrote are
    # translated when shown (``shown_description``), the rest is the program's own name
    # and figures.
    MENTORING_SESSION = gettext_noop("Mentoring session")

    def __str__(self) -> str:
        return f"{self.member.user} · {self.date} · {self.amount}"

    @property
    def shown_description(self) -> str:
        """The description in the reader's language, where the product wrote it."""
        prefix = f"{self.MENTORING_SESSION} · "
        if self.source == Source.MENTORING and self.description.startswith(prefix):
            return f"{gettext(self.MENTORING_SESSION)} · {self.description[len(prefix) :]}"
        return self.description

    @property
    def gross(self) -> Decimal:
        return money.gross_amount(self.quantity, self.unit_amount)

    @property
    def is_frozen(self) -> bool:
        """Approved and paid lines keep their amount whatever happens after."""
        return self.status in (self.Status.APPROVED, self.Status.PAID)

    def clean(self) -> None:
        if (
            self.member_id
            and self.collaborative_id
            and self.member.collaborative_id != self.collaborative_id
        ):
            raise ValidationError({"member": _("Choose a member of this collaborative.")})
        if self.meeting is not None and self.meeting.collaborative_id != self.collaborative_id:
            raise ValidationError({"meeting": _("Choose a gathering of this collaborative.")})
        if (
            self.session is not None
            and self.session.match.program.collaborative_id != self.collaborative_id
        ):
            raise ValidationError({"session": _("Choose a session of this collaborative.")})
        if (
            self.quantity is not None
            and self.unit_amount is not None
            and self.amount != self.gross - self.cap_reduction
        ):
            raise ValidationError(_("The amount must be quantity × rate, less any cap."))
