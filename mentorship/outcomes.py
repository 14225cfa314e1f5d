"""Outcomes of a mentoring program, pure over dates: retention, match length, goals met.

- A match's length runs from its start to its close, or to today while it is open.
  A match that never started (a proposal not accepted) has no length and is not counted.
- Retention at N months asks of each match old enough to tell (started at least N
  months before today): did it last N months? A match started on 31 January is three
  months old on 30 April (the same day, or the month's last day when it is shorter —
  the same month arithmetic as the monitoring schedule). A match closed on the day it
  turns N months old counts as retained.
- Goals met: of the matches that started, how many recorded a goal met (a session
  marked so, or closed because the goals were met).

Rates are Decimal percentages rounded half-up to whole numbers (funders read "67%",
not "66.67%"); a rate over nothing is None, shown as "no data yet", never 0%.
"""

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from mentorship.schedule import add_months

RETENTION_MONTHS = (3, 6, 12)
DAYS_PER_MONTH = Decimal("30.4375")  # 365.25 / 12, for lengths shown in months


@dataclass(frozen=True)
class Span:
    """One match as outcomes see it."""

    started: date | None
    ended: date | None = None
    goal_met: bool = False

    def length_days(self, today: date) -> int | None:
        if self.started is None:
            return None
        end = self.ended if self.ended is not None else today
        return max(0, (end - self.started).days)


@dataclass(frozen=True)
class Rate:
    """``part`` of ``whole``, with the percentage."""

    part: int
    whole: int

    @property
    def percent(self) -> Decimal | None:
        if not self.whole:
            return None
        return (Decimal(self.part) * 100 / Decimal(self.whole)).quantize(
            Decimal(1), rounding=ROUND_HALF_UP
        )


def retention(spans: Iterable[Span], months: int, today: date) -> Rate:
    """Of the matches started at least ``months`` months ago, how many lasted that long."""
    whole = part = 0
    for span in spans:
        if span.started is None:
            continue
        mark = add_months(span.started, months)
        if mark > today:
            continue  # too young to tell
        whole += 1
        if span.ended is None or span.ended >= mark:
            part += 1
    return Rate(part=part, whole=whole)


def retention_table(
    spans: Sequence[Span], today: date, months: Iterable[int] = RETENTION_MONTHS
) -> dict[int, Rate]:
    return {m: retention(spans, m, today) for m in months}


@dataclass(frozen=True)
class Lengths:
    count: int
    mean_days: Decimal | None
    median_days: Decimal | None
    closed_count: int

    @property
    def mean_months(self) -> Decimal | None:
        return _months(self.mean_days)

    @property
    def median_months(self) -> Decimal | None:
        return _months(self.median_days)


def _months(days: Decimal | None) -> Decimal | None:
    if days is None:
        return None
    return (days / DAYS_PER_MONTH).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def match_lengths(spans: Iterable[Span], today: date, *, closed_only: bool = False) -> Lengths:
    """Mean and median length in days of the matches that started (open ones to today),
    or of the closed ones only."""
    chosen = [
        s for s in spans if s.started is not None and (s.ended is not None or not closed_only)
    ]
    days = [s.length_days(today) or 0 for s in chosen]
    if not days:
        return Lengths(count=0, mean_days=None, median_days=None, closed_count=0)
    mean = (Decimal(sum(days)) / len(days)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    median = Decimal(str(statistics.median(days))).quantize(Decimal("0.1"))
    return Lengths(
        count=len(days),
        mean_days=mean,
        median_days=median,
        closed_count=sum(1 for s in chosen if s.ended is not None),
    )


def goals_met(spans: Iterable[Span]) -> Rate:
    """Of the matches that started, how many recorded a goal met."""
    started = [s for s in spans if s.started is not None]
    return Rate(part=sum(1 for s in started if s.goal_met), whole=len(started))
