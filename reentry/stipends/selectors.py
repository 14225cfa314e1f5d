"""Reads of the stipend ledger, already scoped: callers pass what ``visible_to`` allowed."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, cast

from django.db.models import Count, Q, QuerySet, Sum

from reentry.stipends import money
from reentry.stipends.models import Source, StipendLine, StipendPayment
from stakeholders.models import Collaborative, Member

Status = StipendLine.Status


@dataclass
class Statement:
    """One person's month: every line, whatever earned it, and the totals by status."""

    member: Member
    month: date
    lines: list[StipendLine]
    totals: dict[str, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        """What the month is worth to the person: everything not turned down."""
        return sum((v for k, v in self.totals.items() if k != Status.REJECTED), start=money.ZERO)

    @property
    def currency(self) -> str:
        return self.lines[0].currency if self.lines else "USD"


def statement_for(member: Member, month: date) -> Statement:
    lines = list(
        StipendLine.objects.filter(member=member)
        .in_month(month)
        .select_related("meeting", "session", "payment")
        .order_by("date", "created_at", "pk")
    )
    totals = {status: money.ZERO for status in Status.values}
    for line in lines:
        totals[line.status] += line.amount
    return Statement(member=member, month=month, lines=lines, totals=totals)


def months_with_lines(member: Member) -> list[date]:
    """The months a person has lines in, newest first (for the statement's month picker)."""
    days = StipendLine.objects.filter(member=member).dates("date", "month", order="DESC")
    return list(days)


def _sum(status: str):
    return Sum("amount", filter=Q(status=status), default=money.ZERO)


def month_people(collaborative: Collaborative, month: date) -> QuerySet:
    """One row per person with lines this month, totals by status (one query)."""
    return (
        Member.objects.filter(
            stipend_lines__collaborative=collaborative,
            stipend_lines__date__gte=month,
            stipend_lines__date__lt=money.next_month(month),
        )
        .select_related("user")
        .annotate(
            line_count=Count("stipend_lines"),
            pending=Sum(
                "stipend_lines__amount",
                filter=Q(stipend_lines__status=Status.PENDING),
                default=money.ZERO,
            ),
            approved=Sum(
                "stipend_lines__amount",
                filter=Q(stipend_lines__status=Status.APPROVED),
                default=money.ZERO,
            ),
            paid=Sum(
                "stipend_lines__amount",
                filter=Q(stipend_lines__status=Status.PAID),
                default=money.ZERO,
            ),
        )
        .order_by("user__name", "pk")
    )


def month_totals(collaborative: Collaborative, month: date) -> dict[str, Decimal | int]:
    """The month at a glance, for the approval page (one query)."""
    return (
        StipendLine.objects.filter(collaborative=collaborative)
        .in_month(month)
        .aggregate(
            pending=_sum(Status.PENDING),
            approved=_sum(Status.APPROVED),
            paid=_sum(Status.PAID),
            pending_count=Count("pk", filter=Q(status=Status.PENDING)),
            approved_count=Count("pk", filter=Q(status=Status.APPROVED)),
            people=Count("member", distinct=True),
        )
    )


@dataclass
class PaymentRow:
    name: str
    email: str
    member_id: str
    lines: int
    total: Decimal
    #: The total split by what earned it (``Source``), for the grant's books.
    by_source: dict[str, Decimal] = field(default_factory=dict)


def payment_rows(payment: StipendPayment) -> list[PaymentRow]:
    """One row per person paid by this payment, with their total and its split by
    source: gatherings, mentoring (one query)."""
    rows = (
        payment.lines.values("member__public_id", "member__user__name", "member__user__email")
        .annotate(
            lines=Count("pk"),
            total=Sum("amount"),
            **{
                f"source_{source}": Sum("amount", filter=Q(source=source), default=money.ZERO)
                for source in Source.values
            },
        )
        .order_by("member__user__name", "member__public_id")
    )
    return [
        PaymentRow(
            name=row["member__user__name"],
            email=row["member__user__email"],
            member_id=str(row["member__public_id"]),
            lines=row["lines"],
            total=row["total"],
            # Annotations named in a loop: the stubs' typed row cannot name them.
            by_source={
                source: cast(dict[str, Any], row)[f"source_{source}"] for source in Source.values
            },
        )
        for row in rows
    ]


def frozen_payees(rows: list[PaymentRow]) -> list[dict[str, Any]]:
    """``rows`` as kept on the payment (``StipendPayment.payees``): plain JSON."""
    return [
        {
            "name": row.name,
            "email": row.email,
            "member_id": row.member_id,
            "lines": row.lines,
            "total": str(row.total),
            "by_source": {source: str(amount) for source, amount in row.by_source.items()},
        }
        for row in rows
    ]


def paid_rows(payment: StipendPayment) -> list[PaymentRow]:
    """The rows of a payment as they were when it was paid (its ``payees``); for a payment
    made before payees were kept, as the ledger says now."""
    if not payment.payees:
        return payment_rows(payment)
    return [
        PaymentRow(
            name=item["name"],
            email=item["email"],
            member_id=item["member_id"],
            lines=item["lines"],
            total=Decimal(item["total"]),
            by_source={
                source: Decimal(item["by_source"].get(source, "0")) for source in Source.values
            },
        )
        for item in payment.payees
    ]
