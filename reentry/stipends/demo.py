"""Demo stipends for seed_demo: Cedar River pays community members $20 an hour for
gatherings (at most $120 a month each). seed_demo sets the rate here, lets the paying
apps make their lines (``workgroups.demo.seed_meeting_stipends``: every past gathering's
attendance), then decides them here: months before last month are approved and paid
(one payroll file each), last month is approved and waiting for payroll, this month
waits for approval, and one line was turned down. Idempotent: lines are keyed by
gathering and person, and only what is still pending or approved moves on."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from reentry.stipends import money, services
from reentry.stipends.models import Source, StipendLine, StipendRate, Unit
from stakeholders.models import Collaborative, Member

RATE = Decimal("20.00")
MONTHLY_CAP = Decimal("120.00")
TURNED_DOWN = "Arrived after the gathering ended; we paid the bus fare separately."


def _backbone(collaborative: Collaborative) -> Member | None:
    return (
        Member.objects.filter(
            collaborative=collaborative, role=Member.Role.BACKBONE, is_active=True
        )
        .select_related("user", "collaborative")
        .order_by("joined_at", "pk")
        .first()
    )


@transaction.atomic
def seed_stipend_rate(collaborative: Collaborative) -> Member | None:
    """Turn gathering stipends on (once). Returns the backbone member who keeps the
    ledger, or None when the collaborative has none (then there is nothing to seed)."""
    backbone = _backbone(collaborative)
    if backbone is None:
        return None
    if not StipendRate.objects.filter(
        collaborative=collaborative, source=Source.GATHERINGS
    ).exists():
        services.stipend_rate_set(
            actor=backbone,
            is_active=True,
            unit=Unit.PER_HOUR,
            amount=RATE,
            monthly_cap=MONTHLY_CAP,
        )
    return backbone


@transaction.atomic
def seed_stipend_decisions(collaborative: Collaborative) -> int:
    """Approve, turn down and pay the lines the paying apps made. Returns the number of
    stipend lines the collaborative has."""
    backbone = _backbone(collaborative)
    if backbone is None:
        return 0
    this_month = money.month_start(timezone.localdate())
    last_month = money.month_start(this_month - timedelta(days=1))
    lines = StipendLine.objects.filter(collaborative=collaborative)
    if not lines.filter(status=StipendLine.Status.REJECTED).exists():
        first = lines.filter(status=StipendLine.Status.PENDING, date__lt=last_month).first()
        if first is not None:
            services.stipend_lines_reject(
                actor=backbone, line_ids=[first.public_id], reason=TURNED_DOWN
            )
    to_approve = lines.filter(status=StipendLine.Status.PENDING, date__lt=this_month)
    ids = list(to_approve.values_list("public_id", flat=True))
    if ids:
        services.stipend_lines_approve(actor=backbone, line_ids=ids)
    months = (
        lines.filter(status=StipendLine.Status.APPROVED, date__lt=last_month).dates(
            "date", "month"
        )  # ascending, one per month
    )
    for month in months:  # a month once paid has no approved lines left: paid once
        services.stipend_payment_create(actor=backbone, month=month)
    return lines.count()
