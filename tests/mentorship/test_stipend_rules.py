"""Worked examples of what approved mentoring sessions earn (mentorship/stipend_rules.py)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from mentorship.stipend_rules import Booked, Rates, SessionFacts, describe, earning, earnings
from reentry.stipends.models import Unit

D = Decimal
CHICAGO = "America/Chicago"


def s(key, day, minutes=60, mentor="ana"):
    return SessionFacts(key=key, mentor=mentor, held=day, minutes=minutes)


class TestOneSession:
    def test_a_fixed_amount_per_session(self):
        e = earning(s(1, date(2026, 3, 3), 45), Rates(per_session=D("25")), CHICAGO)
        assert (e.unit, e.quantity, e.unit_amount, e.amount) == (
            Unit.EACH_TIME,
            D("1.00"),
            D("25.00"),
            D("25.00"),
        )

    def test_per_hour_fifty_minutes_at_fifteen_dollars(self):
        e = earning(s(1, date(2026, 3, 3), 50), Rates(per_hour=D("15.00")), CHICAGO)
        # 50 / 60 = 0.8333 → 0.83 h; 0.83 × 15 = 12.45
        assert (e.unit, e.quantity, e.unit_amount, e.amount) == (
            Unit.PER_HOUR,
            D("0.83"),
            D("15.00"),
            D("12.45"),
        )

    def test_per_hour_rounds_half_up_not_to_even(self):
        e = earning(s(1, date(2026, 3, 3), 90), Rates(per_hour=D("10.03")), CHICAGO)
        assert e.amount == D("15.05")  # 1.50 × 10.03 = 15.045

    def test_both_a_session_amount_and_an_hourly_rate(self):
        e = earning(
            s(1, date(2026, 3, 3), 90), Rates(per_session=D("10"), per_hour=D("15")), CHICAGO
        )
        # $10.00 + 1.50 h × $15.00 = $10.00 + $22.50 = $32.50, one line "each time"
        assert (e.unit, e.quantity, e.unit_amount, e.gross, e.amount) == (
            Unit.EACH_TIME,
            D("1.00"),
            D("32.50"),
            D("32.50"),
            D("32.50"),
        )
        assert e.is_combined
        assert describe(e) == "$10.00 + 1.50 h × $15.00"

    def test_each_part_is_rounded_before_they_are_added(self):
        # 20 minutes = 0.33 h; 0.33 × 17.50 = 5.775 → 5.78; plus 7.50 = 13.28
        e = earning(
            s(1, date(2026, 3, 3), 20), Rates(per_session=D("7.5"), per_hour=D("17.50")), CHICAGO
        )
        assert e.amount == D("13.28")

    def test_a_program_that_pays_nothing_makes_no_line(self):
        assert earning(s(1, date(2026, 3, 3)), Rates(), CHICAGO) is None
        assert earning(s(1, date(2026, 3, 3)), Rates(per_session=D("0")), CHICAGO) is None

    def test_amounts_are_decimal_cents(self):
        e = earning(s(1, date(2026, 3, 3), 100), Rates(per_hour=D("12.99")), CHICAGO)
        assert e.amount == D("21.69")  # 1.67 × 12.99 = 21.6933
        assert e.amount.as_tuple().exponent == -2


class TestMonthBoundaries:
    def test_a_session_late_on_the_31st_locally_is_in_that_month(self):
        # 11 pm on 31 January in Chicago is 5 am on 1 February in UTC.
        moment = datetime(2026, 2, 1, 5, 0, tzinfo=UTC)
        e = earning(s(1, moment), Rates(per_session=D("20")), CHICAGO)
        assert e.day == date(2026, 1, 31)
        assert e.month == date(2026, 1, 1)

    def test_the_cap_starts_again_each_month(self):
        rates = Rates(per_session=D("40"), monthly_cap=D("100"))
        result = earnings(
            [
                s(1, date(2026, 1, 10)),
                s(2, date(2026, 1, 20)),
                s(3, date(2026, 1, 31)),
                s(4, date(2026, 2, 1)),
            ],
            rates,
            CHICAGO,
        )
        assert [(e.key, e.amount, e.cap_reduction) for e in result] == [
            (1, D("40.00"), D("0.00")),
            (2, D("40.00"), D("0.00")),
            (3, D("20.00"), D("20.00")),  # 31 January: what is left of January's $100
            (4, D("40.00"), D("0.00")),  # 1 February: a new month
        ]

    def test_moments_across_midnight_utc_are_capped_in_the_local_month(self):
        rates = Rates(per_session=D("60"), monthly_cap=D("100"))
        result = earnings(
            [s(1, date(2026, 1, 5)), s(2, datetime(2026, 2, 1, 5, 0, tzinfo=UTC))],
            rates,
            CHICAGO,
        )
        assert [e.amount for e in result] == [D("60.00"), D("40.00")]


class TestCaps:
    def test_no_cap_pays_in_full(self):
        result = earnings(
            [s(k, date(2026, 3, k)) for k in range(1, 6)], Rates(per_session=D("50")), CHICAGO
        )
        assert sum(e.amount for e in result) == D("250.00")

    def test_sessions_fill_the_cap_in_date_order_whatever_order_they_come_in(self):
        rates = Rates(per_hour=D("20"), monthly_cap=D("100"))
        result = earnings(
            [
                s("c", date(2026, 3, 20), 120),
                s("a", date(2026, 3, 2), 90),
                s("b", date(2026, 3, 9), 120),
            ],
            rates,
            CHICAGO,
        )
        # a: 1.50 h × 20 = 30; b: 2 h × 20 = 40; c: 40 but only 30 left.
        assert [(e.key, e.gross, e.amount, e.cap_reduction) for e in result] == [
            ("a", D("30.00"), D("30.00"), D("0.00")),
            ("b", D("40.00"), D("40.00"), D("0.00")),
            ("c", D("40.00"), D("30.00"), D("10.00")),
        ]

    def test_lines_already_approved_use_the_cap_first(self):
        rates = Rates(per_session=D("40"), monthly_cap=D("100"))
        booked = [Booked(mentor="ana", day=date(2026, 3, 25), amount=D("90.00"))]
        result = earnings([s(1, date(2026, 3, 3))], rates, CHICAGO, booked=booked)
        assert [(e.amount, e.cap_reduction) for e in result] == [(D("10.00"), D("30.00"))]

    def test_past_the_cap_a_session_earns_nothing_never_less(self):
        rates = Rates(per_session=D("40"), monthly_cap=D("100"))
        booked = [Booked(mentor="ana", day=date(2026, 3, 1), amount=D("100.00"))]
        result = earnings(
            [s(1, date(2026, 3, 3)), s(2, date(2026, 3, 4))], rates, CHICAGO, booked=booked
        )
        assert [e.amount for e in result] == [D("0.00"), D("0.00")]
        assert [e.cap_reduction for e in result] == [D("40.00"), D("40.00")]

    def test_booked_lines_of_another_month_or_mentor_do_not_count(self):
        rates = Rates(per_session=D("40"), monthly_cap=D("100"))
        booked = [
            Booked(mentor="ana", day=date(2026, 2, 28), amount=D("100.00")),
            Booked(mentor="ben", day=date(2026, 3, 5), amount=D("100.00")),
        ]
        result = earnings([s(1, date(2026, 3, 3))], rates, CHICAGO, booked=booked)
        assert [e.amount for e in result] == [D("40.00")]

    def test_each_mentor_has_their_own_cap(self):
        rates = Rates(per_session=D("60"), monthly_cap=D("100"))
        result = earnings(
            [
                s(1, date(2026, 3, 3), mentor="ana"),
                s(2, date(2026, 3, 4), mentor="ana"),
                s(3, date(2026, 3, 4), mentor="ben"),
            ],
            rates,
            CHICAGO,
        )
        assert {e.key: e.amount for e in result} == {1: D("60.00"), 2: D("40.00"), 3: D("60.00")}

    @pytest.mark.parametrize("cap", ["0.01", "33.33", "1000"])
    def test_a_month_never_adds_up_to_more_than_the_cap(self, cap):
        rates = Rates(per_session=D("7.5"), per_hour=D("13.37"), monthly_cap=D(cap))
        result = earnings(
            [s(k, date(2026, 3, k), 25 + k * 7) for k in range(1, 29)], rates, CHICAGO
        )
        total = sum(e.amount for e in result)
        assert total == min(D(cap), sum(e.gross for e in result))
        assert all(e.amount + e.cap_reduction == e.gross for e in result)
