"""Hand-worked outcomes: retention at 3/6/12 months, match length, goals met."""

from datetime import date
from decimal import Decimal

from mentorship.outcomes import Rate, Span, goals_met, match_lengths, retention, retention_table

D = date
TODAY = D(2026, 11, 28)


class TestRetention:
    def test_a_match_closed_on_the_day_it_turns_three_months_is_retained(self):
        spans = [Span(D(2026, 1, 31), D(2026, 4, 30)), Span(D(2026, 1, 31), D(2026, 4, 29))]
        # 31 January + 3 months = 30 April (April has 30 days).
        assert retention(spans, 3, TODAY) == Rate(part=1, whole=2)

    def test_matches_too_young_to_tell_are_left_out(self):
        spans = [
            Span(D(2026, 8, 28)),  # three months old today: counted, open → retained
            Span(D(2026, 8, 29)),  # a day short: not counted
            Span(D(2026, 6, 1), D(2026, 7, 1)),  # closed after one month: not retained
        ]
        assert retention(spans, 3, TODAY) == Rate(part=1, whole=2)

    def test_matches_that_never_started_do_not_count(self):
        assert retention([Span(None)], 3, TODAY) == Rate(part=0, whole=0)

    def test_table_for_three_six_and_twelve_months(self):
        spans = [
            Span(D(2025, 1, 15), D(2026, 3, 1)),  # 13.5 months: retained at 3, 6, 12
            Span(D(2025, 6, 1), D(2025, 10, 1)),  # 4 months: at 3 only
            Span(D(2025, 11, 28)),  # open, exactly 12 months today
            Span(D(2026, 7, 1)),  # open, 5 months: only the 3-month question applies
            Span(D(2026, 2, 1), D(2026, 3, 1)),  # 1 month
        ]
        table = retention_table(spans, TODAY)
        assert table == {
            3: Rate(part=4, whole=5),
            6: Rate(part=2, whole=4),
            12: Rate(part=2, whole=3),
        }
        assert [table[m].percent for m in (3, 6, 12)] == [Decimal(80), Decimal(50), Decimal(67)]

    def test_a_rate_over_nothing_is_none_not_zero(self):
        assert Rate(0, 0).percent is None
        assert Rate(0, 3).percent == Decimal(0)
        assert Rate(1, 8).percent == Decimal(13)  # 12.5 rounds half-up


class TestLengths:
    def test_open_matches_run_to_today(self):
        result = match_lengths([Span(D(2026, 11, 1)), Span(D(2026, 1, 1), D(2026, 1, 31))], TODAY)
        assert (result.count, result.mean_days, result.median_days) == (
            2,
            Decimal("28.5"),
            Decimal("28.5"),
        )  # 27 and 30 days
        assert result.closed_count == 1

    def test_closed_only(self):
        spans = [
            Span(D(2026, 1, 1), D(2026, 4, 1)),
            Span(D(2026, 1, 1), D(2026, 2, 1)),
            Span(D(2026, 1, 1)),
        ]
        result = match_lengths(spans, TODAY, closed_only=True)
        assert (result.count, result.median_days) == (2, Decimal("60.5"))  # 90 and 31 days
        assert result.mean_months == Decimal("2.0")  # 60.5 / 30.4375 = 1.99

    def test_median_of_an_odd_count_and_lengths_in_months(self):
        spans = [
            Span(D(2026, 1, 1), D(2026, 1, 1)),
            Span(D(2025, 1, 1), D(2026, 1, 1)),
            Span(D(2026, 1, 1), D(2026, 1, 11)),
        ]
        result = match_lengths(spans, TODAY)
        assert result.median_days == Decimal("10.0")
        assert result.mean_days == Decimal("125.0")  # (0 + 365 + 10) / 3
        assert result.median_months == Decimal("0.3")

    def test_no_matches_no_figures(self):
        result = match_lengths([Span(None)], TODAY)
        assert (result.count, result.mean_days, result.mean_months) == (0, None, None)


def test_goals_met_counts_matches_that_started():
    spans = [Span(D(2026, 1, 1), goal_met=True), Span(D(2026, 2, 1)), Span(None, goal_met=True)]
    assert goals_met(spans) == Rate(part=1, whole=2)
    assert goals_met(spans).percent == Decimal(50)
