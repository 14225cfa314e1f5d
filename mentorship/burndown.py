"""A grant's burn-down: what is left of the money month by month, against an even pace.

Pure: amounts and dates in, a series and the geometry of a small SVG chart out. The
template draws the SVG from these numbers (no JavaScript, no chart library) and prints
the same numbers as a table, so the chart has a text alternative.

- The months run from the grant's first month to its last, inclusive.
- ``spent`` in a month is what was spent with a date in that month; ``left`` is the
  amount less everything spent up to the end of that month.
- The even pace falls in a straight line from the full amount at the start of the first
  month to zero at the end of the last: after month k of n, amount × (n − k) / n.
- Months after ``today``'s month have no actual figures yet (None), only the pace.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reentry.stipends import money


@dataclass(frozen=True)
class Month:
    month: date
    spent: Decimal | None
    spent_to_date: Decimal | None
    left: Decimal | None
    pace_left: Decimal

    @property
    def ahead_of_pace(self) -> bool | None:
        """True when more is left than the even pace expects (spending is slow)."""
        return None if self.left is None else self.left > self.pace_left


def months_between(first: date, last: date) -> list[date]:
    months, month = [], money.month_start(first)
    while month <= money.month_start(last):
        months.append(month)
        month = money.next_month(month)
    return months


def series(
    *,
    amount: Decimal,
    starts_on: date,
    ends_on: date,
    spending: Iterable[tuple[date, Decimal]],
    today: date,
) -> list[Month]:
    """One row per month of the grant. ``spending`` is (date, amount) pairs; dates
    outside the grant's period are ignored (they are not this grant's money)."""
    months = months_between(starts_on, ends_on)
    by_month: dict[date, Decimal] = {m: money.ZERO for m in months}
    for day, value in spending:
        if starts_on <= day <= ends_on:
            by_month[money.month_start(day)] += value
    n = len(months)
    current = money.month_start(today)
    rows, total = [], money.ZERO
    for k, month in enumerate(months, start=1):
        pace_left = money.to_cents(amount * (n - k) / n)
        if month > current:
            rows.append(Month(month, None, None, None, pace_left))
            continue
        total += by_month[month]
        rows.append(Month(month, by_month[month], total, amount - total, pace_left))
    return rows


@dataclass(frozen=True)
class Chart:
    """Coordinates for the SVG: polylines as "x,y x,y" strings, axis ticks, size."""

    width: int
    height: int
    actual_points: str
    pace_points: str
    y_ticks: list[tuple[float, str]]
    x_ticks: list[tuple[float, date]]
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int


def chart(rows: list[Month], amount: Decimal, *, width: int = 640, height: int = 260) -> Chart:
    """Lay the series out: x from the start of the first month to the end of the last,
    y from zero (bottom) to the grant's amount (top). A point per month end, plus the
    full amount at the start."""
    left, right, top, bottom = 64, width - 16, 16, height - 36
    n = max(1, len(rows))
    top_value = max(amount, Decimal(1))

    def x(k: int) -> float:
        return round(left + (right - left) * k / n, 1)

    def y(value: Decimal) -> float:
        clamped = max(min(value, top_value), Decimal(0))  # overspending shows as zero left
        return round(bottom - (bottom - top) * float(clamped / top_value), 1)

    pace = [f"{x(0)},{y(amount)}"] + [f"{x(k)},{y(r.pace_left)}" for k, r in enumerate(rows, 1)]
    actual = [f"{x(0)},{y(amount)}"] + [
        f"{x(k)},{y(r.left)}" for k, r in enumerate(rows, 1) if r.left is not None
    ]
    y_ticks = [(y(amount * i / 4), f"{money.to_cents(amount * i / 4):,.0f}") for i in range(5)]
    step = max(1, n // 6)
    x_ticks = [(x(k), r.month) for k, r in enumerate(rows) if k % step == 0]
    return Chart(
        width=width,
        height=height,
        actual_points=" ".join(actual),
        pace_points=" ".join(pace),
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        plot_left=left,
        plot_right=right,
        plot_top=top,
        plot_bottom=bottom,
    )
