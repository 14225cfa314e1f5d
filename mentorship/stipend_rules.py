"""What an approved mentoring session earns the mentor: pure arithmetic, no database.

The ledger's rules (``reentry.stipends.money``) apply unchanged — Decimal only, hours
rounded half-up to hundredths, amounts half-up to cents, a month is a calendar month in
the collaborative's time zone, a monthly cap filled by approved or paid lines first and
then by the rest in date order. This module adds only what is particular to mentoring:

- A program pays per session, per hour, or both. With both, a session earns the
  per-session amount plus hours × the hourly rate, each part rounded to cents
  ($10.00 + 1.50 h × $15.00 = $32.50). A ledger line has one unit and one rate, so
  a session paid both ways is one line of "each time" at its combined amount, and
  the description says how it was made up.
- The cap is per mentor, per program, per month: another program's sessions or the
  gatherings a mentor attends do not count against it (they have their own caps).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from reentry.stipends import money
from reentry.stipends.models import Unit

ONE = Decimal("1.00")


@dataclass(frozen=True)
class Rates:
    """A program's stipend rules. Empty (None) amounts pay nothing for that part."""

    per_session: Decimal | None = None
    per_hour: Decimal | None = None
    monthly_cap: Decimal | None = None

    @property
    def pays(self) -> bool:
        return bool(self.per_session) or bool(self.per_hour)


@dataclass(frozen=True)
class SessionFacts:
    """What the arithmetic needs to know of a session."""

    key: object
    mentor: object
    held: date | datetime  # a date is already local; a moment is turned local
    minutes: int


@dataclass(frozen=True)
class Earning:
    """One ledger line's worth: ``amount`` is ``gross`` less what the cap took."""

    key: object
    mentor: object
    day: date
    unit: str
    quantity: Decimal
    unit_amount: Decimal
    hours: Decimal
    per_session: Decimal
    per_hour: Decimal
    gross: Decimal
    amount: Decimal
    cap_reduction: Decimal

    @property
    def month(self) -> date:
        return money.month_start(self.day)

    @property
    def is_combined(self) -> bool:
        return bool(self.per_session) and bool(self.per_hour)


def local_day(held: date | datetime, time_zone: str) -> date:
    """The session's calendar day in the collaborative's time zone."""
    if isinstance(held, datetime):
        return money.local_date(held, time_zone)
    return held


def earning(session: SessionFacts, rates: Rates, time_zone: str) -> Earning | None:
    """What one session earns before any cap, or None when the program pays nothing."""
    if not rates.pays:
        return None
    hours = money.hours_from_minutes(session.minutes)
    per_session = money.to_cents(rates.per_session or money.ZERO)
    per_hour = money.to_cents(rates.per_hour or money.ZERO)
    if per_hour and not per_session:
        unit, quantity, unit_amount = Unit.PER_HOUR, hours, per_hour
    else:
        unit, quantity = Unit.EACH_TIME, ONE
        unit_amount = per_session + (
            money.gross_amount(hours, per_hour) if per_hour else money.ZERO
        )
    gross = money.gross_amount(quantity, unit_amount)
    return Earning(
        key=session.key,
        mentor=session.mentor,
        day=local_day(session.held, time_zone),
        unit=unit,
        quantity=quantity,
        unit_amount=unit_amount,
        hours=hours,
        per_session=per_session,
        per_hour=per_hour,
        gross=gross,
        amount=gross,
        cap_reduction=money.ZERO,
    )


@dataclass(frozen=True)
class Booked:
    """A line the ledger already holds for the same mentor and program: approved or paid,
    so its amount stays what it is. (Mentoring lines are approved as they are made, and
    lines turned down are not counted, so there is nothing else to book.)"""

    mentor: object
    day: date
    amount: Decimal


def earnings(
    sessions: Iterable[SessionFacts],
    rates: Rates,
    time_zone: str,
    *,
    booked: Iterable[Booked] = (),
) -> list[Earning]:
    """The earnings of newly approved sessions under the monthly cap.

    ``booked`` are the lines already in the ledger for these mentors in the months
    concerned. Each new earning takes what is left of its mentor's monthly cap after the
    booked lines and the earlier new ones (date order), never less than nothing.
    Returns one earning per session that pays, in date order."""
    made = sorted(
        (e for s in sessions if (e := earning(s, rates, time_zone)) is not None),
        key=lambda e: (e.day, str(e.key)),
    )
    if rates.monthly_cap is None:
        return made
    used: dict[tuple[object, date], Decimal] = defaultdict(lambda: money.ZERO)
    for line in booked:
        used[(line.mentor, money.month_start(line.day))] += line.amount
    new: dict[tuple[object, date], list[Earning]] = defaultdict(list)
    for e in made:
        new[(e.mentor, e.month)].append(e)
    capped: dict[object, Decimal] = {}
    for group, group_earnings in new.items():
        entries = [money.CapEntry(key=None, gross=used[group], amount=used[group], frozen=True)]
        entries += [
            money.CapEntry(key=e.key, gross=e.gross, amount=e.gross, frozen=False)
            for e in group_earnings
        ]
        capped.update(money.apply_monthly_cap(entries, rates.monthly_cap))
    return [replace(e, amount=capped[e.key], cap_reduction=e.gross - capped[e.key]) for e in made]


def describe(e: Earning) -> str:
    """How the line was made up, in figures that read the same in every language."""
    parts = []
    if e.per_session:
        parts.append(f"${e.per_session:.2f}")
    if e.per_hour:
        parts.append(f"{e.hours} h × ${e.per_hour:.2f}")
    return " + ".join(parts)
