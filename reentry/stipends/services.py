"""Writes to the stipend ledger: ``<entity>_<verb>(*, actor, ...)``.

``actor`` is the acting person's ``Member`` in the collaborative. Every service checks
again what the actor may do and, for bulk actions, re-checks every id it is given.
"""

import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from reentry.audit.log import record
from reentry.stipends import money, selectors
from reentry.stipends.models import (
    Currency,
    Source,
    StipendLine,
    StipendPayment,
    StipendRate,
    Unit,
)
from stakeholders.models import Collaborative, Member

Status = StipendLine.Status


def _check_backbone(actor: Member) -> None:
    if not actor.is_active or not actor.is_backbone:
        raise PermissionDenied(_("Only backbone staff manage stipends."))


# --- Rates ----------------------------------------------------------------------------


@transaction.atomic
def stipend_rate_set(
    *,
    actor: Member,
    is_active: bool,
    unit: str,
    amount: Decimal,
    monthly_cap: Decimal | None = None,
    source: str = Source.GATHERINGS,
    currency: str = Currency.USD,
    request=None,
) -> StipendRate:
    """Turn stipends on or off for a source and set the rate. New lines use the new
    rate; lines already made keep theirs."""
    _check_backbone(actor)
    rate = (
        StipendRate.objects.select_for_update()
        .filter(collaborative_id=actor.collaborative_id, source=source)
        .first()
    ) or StipendRate(collaborative_id=actor.collaborative_id, source=source)
    before = {
        "is_active": rate.is_active,
        "unit": rate.unit,
        "amount": str(rate.amount) if rate.amount is not None else None,
        "monthly_cap": str(rate.monthly_cap) if rate.monthly_cap is not None else None,
    }
    rate.is_active = is_active
    rate.unit = unit
    rate.amount = amount
    rate.monthly_cap = monthly_cap
    rate.currency = currency
    rate.updated_by = actor
    rate.full_clean()
    rate.save()
    record(
        "stipends.rate_set",
        actor=actor.user,
        request=request,
        collaborative=actor.collaborative,
        obj=rate,
        before=before,
        after={
            "is_active": is_active,
            "unit": unit,
            "amount": str(amount),
            "monthly_cap": str(monthly_cap) if monthly_cap is not None else None,
        },
    )
    return rate


# --- Lines from gatherings ------------------------------------------------------------
# The ledger is called, it never calls: the app that holds the gatherings
# (``workgroups.ledger``) decides who earns a line and checks that the actor may say so,
# then hands the ledger the payees and the gathering's id, day, length and description.


@dataclass(frozen=True)
class LineChanges:
    created: int = 0
    removed: int = 0


def _gathering_line(
    *,
    collaborative_id: int,
    meeting_id: int,
    member_id: int,
    rate: StipendRate,
    day: date,
    hours: Decimal,
    description: str,
) -> StipendLine:
    quantity = hours if rate.unit == Unit.PER_HOUR else Decimal("1.00")
    gross = money.gross_amount(quantity, rate.amount)
    return StipendLine(
        collaborative_id=collaborative_id,
        member_id=member_id,
        source=Source.GATHERINGS,
        meeting_id=meeting_id,
        date=day,
        description=description[:300],
        unit=rate.unit,
        quantity=quantity,
        unit_amount=rate.amount,
        amount=gross,
        currency=rate.currency,
    )


@transaction.atomic
def stipend_lines_for_gathering(
    *,
    actor: Member,
    meeting_id: int,
    payee_ids: Collection[int],
    day: date,
    hours: Decimal,
    description: str,
    audit_obj: models.Model | None = None,
    request=None,
) -> LineChanges:
    """Bring one gathering's lines in line with the people who earn one. Idempotent.

    Each payee (a ``Member`` id) earns one pending line when the actor's collaborative
    has stipends on for gatherings; running it again makes none. A pending line whose
    person is no longer a payee is removed; an approved or paid line stays, whatever
    happens afterwards. The caller has checked that ``actor`` may decide this for the
    gathering, which belongs to the actor's collaborative.
    """
    collaborative_id = actor.collaborative_id
    rate = StipendRate.objects.filter(
        collaborative_id=collaborative_id, source=Source.GATHERINGS
    ).first()
    present = set(payee_ids)
    existing = {
        line.member_id: line
        for line in StipendLine.objects.select_for_update().filter(meeting_id=meeting_id)
    }
    stale = [
        line
        for member_id, line in existing.items()
        if member_id not in present and line.status == Status.PENDING
    ]
    new: list[StipendLine] = []
    if rate is not None and rate.is_active:
        new = [
            _gathering_line(
                collaborative_id=collaborative_id,
                meeting_id=meeting_id,
                member_id=m,
                rate=rate,
                day=day,
                hours=hours,
                description=description,
            )
            for m in sorted(present)
            if m not in existing
        ]
    if not stale and not new:
        return LineChanges()
    for line in new:
        line.full_clean(validate_unique=False, validate_constraints=False)
    StipendLine.objects.filter(pk__in=[line.pk for line in stale]).delete()
    # The unique constraint (meeting, member) makes a concurrent second run fail here,
    # rolling back, rather than pay anyone twice.
    StipendLine.objects.bulk_create(new)
    _settle_caps(
        collaborative_id=collaborative_id,
        member_ids={line.member_id for line in [*stale, *new]},
        month=money.month_start(day),
        source=Source.GATHERINGS,
        cap=rate.monthly_cap if rate is not None else None,
    )
    record(
        "stipends.lines_synced",
        actor=actor.user,
        request=request,
        collaborative=actor.collaborative,
        obj=audit_obj,
        created=len(new),
        removed=len(stale),
    )
    return LineChanges(created=len(new), removed=len(stale))


def _settle_caps(
    *,
    collaborative_id: int,
    member_ids: Iterable[int],
    month: date,
    source: str,
    cap: Decimal | None,
) -> None:
    """Recompute the pending lines of these people in this month under the cap."""
    lines = list(
        StipendLine.objects.select_for_update()
        .filter(collaborative_id=collaborative_id, member_id__in=list(member_ids), source=source)
        .in_month(month)
        .counted()
        .order_by("member_id", "date", "created_at", "pk")
    )
    by_member: dict[int, list[StipendLine]] = defaultdict(list)
    for line in lines:
        by_member[line.member_id].append(line)
    changed = []
    for member_lines in by_member.values():
        amounts = money.apply_monthly_cap(
            (
                money.CapEntry(
                    key=line.pk, gross=line.gross, amount=line.amount, frozen=line.is_frozen
                )
                for line in member_lines
            ),
            cap,
        )
        for line in member_lines:
            if line.pk in amounts and amounts[line.pk] != line.amount:
                line.amount = amounts[line.pk]
                line.cap_reduction = line.gross - line.amount
                changed.append(line)
    StipendLine.objects.bulk_update(changed, ["amount", "cap_reduction"])


# --- Decisions --------------------------------------------------------------------------


def _lines_for_decision(actor: Member, line_ids: Iterable) -> list[StipendLine]:
    """Every id, re-checked: a line of the actor's collaborative that they may decide on.
    One id that is not answers for all (nothing is changed)."""
    _check_backbone(actor)
    try:
        wanted = {uuid.UUID(str(value)) for value in line_ids}
    except ValueError as exc:
        raise ValidationError(_("Choose lines from the list.")) from exc
    if not wanted:
        raise ValidationError(_("Choose at least one line."))
    lines = list(
        StipendLine.objects.editable_by(actor.user)
        .filter(collaborative_id=actor.collaborative_id, public_id__in=wanted)
        .select_for_update()
        .order_by("pk")
    )
    if len(lines) != len(wanted):
        raise ValidationError(
            _("Some of the lines chosen cannot be changed by you. Nothing was changed.")
        )
    return lines


@transaction.atomic
def stipend_lines_approve(*, actor: Member, line_ids: Iterable, request=None) -> int:
    """Approve pending lines in bulk. Lines already approved, paid or turned down are
    left as they are. Returns how many were approved."""
    lines = [line for line in _lines_for_decision(actor, line_ids) if line.status == Status.PENDING]
    now = timezone.now()
    for line in lines:
        line.status, line.approved_by, line.approved_at = Status.APPROVED, actor, now
    StipendLine.objects.bulk_update(lines, ["status", "approved_by", "approved_at"])
    if lines:
        record(
            "stipends.lines_approved",
            actor=actor.user,
            request=request,
            collaborative=actor.collaborative,
            lines=[str(line.public_id) for line in lines],
            total=str(sum((line.amount for line in lines), money.ZERO)),
        )
    return len(lines)


@transaction.atomic
def stipend_lines_reject(*, actor: Member, line_ids: Iterable, reason: str, request=None) -> int:
    """Turn down pending lines, with a reason the person sees on their statement."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why, so the person knows.")})
    lines = [line for line in _lines_for_decision(actor, line_ids) if line.status == Status.PENDING]
    for line in lines:
        line.status, line.rejection_reason = Status.REJECTED, reason[:300]
        line.approved_by, line.approved_at = actor, timezone.now()
    StipendLine.objects.bulk_update(
        lines, ["status", "rejection_reason", "approved_by", "approved_at"]
    )
    # A line turned down frees its share of the monthly cap for the person's other lines.
    months: dict[tuple[str, date], set[int]] = defaultdict(set)
    for line in lines:
        months[(line.source, money.month_start(line.date))].add(line.member_id)
    rates = {
        r.source: r.monthly_cap
        for r in StipendRate.objects.filter(collaborative_id=actor.collaborative_id)
    }
    for (source, month), member_ids in months.items():
        _settle_caps(
            collaborative_id=actor.collaborative_id,
            member_ids=member_ids,
            month=month,
            source=source,
            cap=rates.get(source),
        )
    if lines:
        record(
            "stipends.lines_rejected",
            actor=actor.user,
            request=request,
            collaborative=actor.collaborative,
            lines=[str(line.public_id) for line in lines],
            reason=reason,
        )
    return len(lines)


# --- Payment --------------------------------------------------------------------------


def _next_reference(collaborative: Collaborative, month: date) -> str:
    taken = set(
        StipendPayment.objects.filter(collaborative=collaborative).values_list(
            "reference", flat=True
        )
    )
    n = 1
    while (reference := f"STIPENDS-{month:%Y-%m}-{n}") in taken:
        n += 1
    return reference


@transaction.atomic
def stipend_payment_create(
    *, actor: Member, month: date, reference: str = "", request=None
) -> StipendPayment:
    """Hand the month's approved lines to payroll: one payment, every line marked paid
    with its reference. The CSV of the payment can be downloaded again at any time."""
    _check_backbone(actor)
    month = money.month_start(month)
    lines = (
        StipendLine.objects.editable_by(actor.user)
        .filter(collaborative_id=actor.collaborative_id, status=Status.APPROVED)
        .in_month(month)
        .select_for_update()
    )
    ids = list(lines.values_list("pk", flat=True))
    if not ids:
        raise ValidationError(_("There are no approved lines in this month to pay."))
    collaborative = actor.collaborative
    reference = reference.strip() or _next_reference(collaborative, month)
    if StipendPayment.objects.filter(collaborative=collaborative, reference=reference).exists():
        raise ValidationError({"reference": _("This reference is already used.")})
    totals = StipendLine.objects.filter(pk__in=ids).aggregate(
        total=Sum("amount"), people=Count("member", distinct=True)
    )
    payment = StipendPayment(
        collaborative=collaborative,
        month=month,
        reference=reference,
        person_count=totals["people"],
        line_count=len(ids),
        total=totals["total"] or money.ZERO,
        created_by=actor,
    )
    payment.full_clean()
    payment.save()
    StipendLine.objects.filter(pk__in=ids).update(
        status=Status.PAID, paid_at=timezone.now(), payment=payment, payment_reference=reference
    )
    # A paid statement is a record: keep who was paid what, as it stands now.
    payment.payees = selectors.frozen_payees(selectors.payment_rows(payment))
    payment.save(update_fields=["payees"])
    record(
        "stipends.paid",
        actor=actor.user,
        request=request,
        collaborative=collaborative,
        obj=payment,
        month=f"{month:%Y-%m}",
        lines=len(ids),
        total=str(payment.total),
    )
    return payment
