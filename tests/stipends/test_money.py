"""Worked examples of the stipend arithmetic (reentry/stipends/money.py)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from reentry.stipends import money
from reentry.stipends.money import CapEntry

D = Decimal


@pytest.mark.parametrize(
    ("minutes", "hours"),
    [
        (90, "1.50"),
        (60, "1.00"),
        (50, "0.83"),
        (45, "0.75"),
        (20, "0.33"),
        (100, "1.67"),
        (0, "0.00"),
    ],
)
def test_hours_are_minutes_over_sixty_rounded_half_up_to_hundredths(minutes, hours):
    start = datetime(2025, 3, 4, 18, 0, tzinfo=UTC)
    end = datetime(2025, 3, 4, 18 + minutes // 60, minutes % 60, tzinfo=UTC)
    assert money.hours_between(start, end) == D(hours)


@pytest.mark.parametrize(
    ("quantity", "rate", "amount"),
    [
        ("1.00", "25.00", "25.00"),  # a fixed stipend per gathering
        ("1.50", "20.00", "30.00"),  # a 90-minute gathering at $20 an hour
        ("0.83", "15.00", "12.45"),  # 50 minutes at $15 an hour: 0.83 h × 15
        ("1.50", "10.03", "15.05"),  # 15.045 rounds half-up (bankers' rounding gives 15.04)
        ("0.33", "17.50", "5.78"),  # 5.775 → 5.78
        ("1.67", "12.99", "21.69"),  # 21.6933 → 21.69
    ],
)
def test_amount_is_quantity_times_rate_rounded_to_cents(quantity, rate, amount):
    result = money.gross_amount(D(quantity), D(rate))
    assert result == D(amount)
    assert isinstance(result, Decimal)
    assert result.as_tuple().exponent == -2


def test_a_gathering_at_11pm_on_the_31st_belongs_to_that_month_locally():
    # 11 pm on 31 January in Chicago is 5 am on 1 February in UTC.
    moment = datetime(2025, 2, 1, 5, 0, tzinfo=UTC)
    assert money.local_date(moment, "America/Chicago") == date(2025, 1, 31)
    assert money.local_date(moment, "UTC") == date(2025, 2, 1)


def test_months_roll_over_the_year():
    assert money.next_month(date(2025, 12, 1)) == date(2026, 1, 1)
    assert money.parse_month("2025-03") == date(2025, 3, 1)
    assert money.parse_month("2025-13") is None
    assert money.parse_month("March") is None


def _entries(*spec):
    return [CapEntry(key=i, gross=D(g), amount=D(a), frozen=f) for i, (g, a, f) in enumerate(spec)]


class TestMonthlyCap:
    def test_no_cap_pays_every_line_in_full(self):
        assert money.apply_monthly_cap(_entries(("40", "40", False)), None) == {0: D("40")}

    def test_lines_fill_the_cap_in_date_order(self):
        entries = _entries(("40", "40", False), ("40", "40", False), ("40", "40", False))
        assert money.apply_monthly_cap(entries, D("100")) == {0: D("40"), 1: D("40"), 2: D("20")}

    def test_a_line_past_the_cap_is_worth_nothing_never_less(self):
        entries = _entries(("60", "60", False), ("60", "60", False), ("60", "60", False))
        assert money.apply_monthly_cap(entries, D("100")) == {0: D("60"), 1: D("40"), 2: D("0")}

    def test_approved_lines_use_the_cap_first_whatever_their_date(self):
        # The pending line is earlier in the month, but the approved one is money promised.
        entries = _entries(("40", "40", False), ("90", "90", True))
        assert money.apply_monthly_cap(entries, D("100")) == {0: D("10")}

    def test_approved_lines_above_the_cap_leave_nothing_for_pending_ones(self):
        entries = _entries(("120", "120", True), ("40", "40", False))
        assert money.apply_monthly_cap(entries, D("100")) == {1: D("0")}
