"""Stipend arithmetic: Decimal only, rounded to cents half-up, one place for every rule.

- A line's quantity is 1 (a fixed amount each time) or hours, rounded half-up to
  hundredths of an hour (90 minutes → 1.50, 50 minutes → 0.83).
- A line's gross amount is quantity × unit amount, rounded half-up to cents, so a
  printed statement can be checked with a pocket calculator (0.83 h × $15.00 = $12.45).
- A monthly cap per person is filled by lines already approved or paid first, then by
  pending lines in date order; a pending line gets what is left of the cap, never less
  than nothing (``cap_reduction`` records what the cap took).
- A month is a calendar month in the collaborative's time zone: a gathering at 11 pm on
  the 31st, local time, belongs to that month even though it is the 1st in UTC.
"""

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def hours_from_minutes(minutes: int) -> Decimal:
    """Whole minutes as hours rounded half-up to hundredths (50 → 0.83, 90 → 1.50)."""
    return to_cents(Decimal(max(0, minutes)) / Decimal(60))


def hours_between(starts_at: datetime, ends_at: datetime) -> Decimal:
    """Whole minutes between two times, as hours rounded half-up to hundredths."""
    return hours_from_minutes(int((ends_at - starts_at).total_seconds() // 60))


def gross_amount(quantity: Decimal, unit_amount: Decimal) -> Decimal:
    return to_cents(quantity * unit_amount)


def local_date(moment: datetime, time_zone: str) -> date:
    """The calendar day of ``moment`` in the collaborative's time zone."""
    return moment.astimezone(zoneinfo.ZoneInfo(time_zone)).date()


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def parse_month(value: str) -> date | None:
    """'2025-03' → date(2025, 3, 1); None for anything else."""
    try:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, 1)
    except (ValueError, TypeError):
        return None


@dataclass
class CapEntry:
    """One line as the cap sees it: ``frozen`` lines (approved or paid) keep their amount."""

    key: object
    gross: Decimal
    amount: Decimal
    frozen: bool


def apply_monthly_cap(entries: Iterable[CapEntry], cap: Decimal | None) -> dict[object, Decimal]:
    """The amount each pending entry may have this month, given the cap (None: no cap).

    ``entries`` are one person's lines of one month, in date order. Returns
    ``{key: amount}`` for the pending entries only.
    """
    entries = list(entries)
    if cap is None:
        return {e.key: e.gross for e in entries if not e.frozen}
    left = cap - sum((e.amount for e in entries if e.frozen), ZERO)
    amounts = {}
    for entry in (e for e in entries if not e.frozen):
        amount = max(ZERO, min(entry.gross, left))
        amounts[entry.key] = amount
        left -= amount
    return amounts
