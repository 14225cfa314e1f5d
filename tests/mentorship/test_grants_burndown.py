"""The burn-down series and chart geometry of a grant (mentorship/burndown.py)."""

from datetime import date
from decimal import Decimal

from mentorship.burndown import chart, months_between, series

D = Decimal


def test_months_cover_the_grant_period_inclusive():
    assert months_between(date(2026, 11, 15), date(2027, 2, 1)) == [
        date(2026, 11, 1),
        date(2026, 12, 1),
        date(2027, 1, 1),
        date(2027, 2, 1),
    ]


def test_series_of_a_four_month_grant():
    rows = series(
        amount=D("1000.00"),
        starts_on=date(2026, 9, 1),
        ends_on=date(2026, 12, 31),
        spending=[
            (date(2026, 9, 10), D("200.00")),
            (date(2026, 9, 30), D("50.00")),
            (date(2026, 10, 2), D("300.00")),
            (date(2026, 8, 31), D("999.00")),  # before the grant: not its money
            (date(2026, 11, 20), D("10.00")),
        ],
        today=date(2026, 11, 28),
    )
    assert [(r.month, r.spent, r.spent_to_date, r.left, r.pace_left) for r in rows] == [
        (date(2026, 9, 1), D("250.00"), D("250.00"), D("750.00"), D("750.00")),
        (date(2026, 10, 1), D("300.00"), D("550.00"), D("450.00"), D("500.00")),
        (date(2026, 11, 1), D("10.00"), D("560.00"), D("440.00"), D("250.00")),
        (date(2026, 12, 1), None, None, None, D("0.00")),  # not yet
    ]
    assert [r.ahead_of_pace for r in rows] == [False, False, True, None]


def test_pace_rounds_to_cents():
    rows = series(
        amount=D("1000.00"),
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 3, 31),
        spending=[],
        today=date(2026, 1, 1),
    )
    assert [r.pace_left for r in rows] == [D("666.67"), D("333.33"), D("0.00")]


def test_chart_points_run_from_full_at_the_start_to_the_month_ends():
    rows = series(
        amount=D("1000"),
        starts_on=date(2026, 9, 1),
        ends_on=date(2026, 12, 31),
        spending=[(date(2026, 9, 10), D("500"))],
        today=date(2026, 9, 30),
    )
    c = chart(rows, D("1000"), width=464, height=236)
    # plot: x 64..448 (96 px a month), y 200 (zero) .. 16 (the full amount)
    assert c.pace_points == "64.0,16.0 160.0,62.0 256.0,108.0 352.0,154.0 448.0,200.0"
    assert c.actual_points == "64.0,16.0 160.0,108.0"
    assert [label for _, label in c.y_ticks] == ["0", "250", "500", "750", "1,000"]


def test_overspending_is_drawn_at_zero_and_kept_in_the_numbers():
    rows = series(
        amount=D("100"),
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 1, 31),
        spending=[(date(2026, 1, 5), D("150"))],
        today=date(2026, 2, 1),
    )
    assert rows[0].left == D("-50")
    assert chart(rows, D("100")).actual_points.endswith(f",{chart(rows, D('100')).plot_bottom}.0")
