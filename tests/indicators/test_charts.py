"""Server-drawn SVG charts (indicators/charts.py), read back with ElementTree: the text
alternative, the points and gaps, the target and baseline, the bars against the
overall figure, and escaping of labels people typed."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.utils import translation

from indicators.charts import (
    Bar,
    Point,
    bar_chart,
    format_number,
    nice_scale,
    sparkline,
    time_series,
)

NS = {"svg": "http://www.w3.org/2000/svg"}
EVIL = '<script>alert("x")</script> & Co'


def parse(markup):
    return ET.fromstring(str(markup))  # noqa: S314 - our own output


def texts(root):
    return [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]


def assert_accessible(root, title):
    assert root.get("role") == "img"
    assert root.get("viewBox", "").startswith("0 0 ")
    assert root.get("width") is None and root.get("height") is None
    title_el = root.find("svg:title", NS)
    desc_el = root.find("svg:desc", NS)
    assert title_el.text == title
    assert desc_el.text
    assert root.get("aria-labelledby") == f"{title_el.get('id')} {desc_el.get('id')}"
    for element in root.iter():
        assert element.get("style") is None


def series_points():
    return [
        Point("2021", Decimal("40")),
        Point("2022", Decimal("44.5")),
        Point("2023", None, hidden=True),
        Point("2024", Decimal("48")),
        Point("2025", Decimal("51")),
    ]


# --- time series ------------------------------------------------------------------------


def test_time_series_is_an_image_with_a_text_alternative_listing_every_period():
    root = parse(time_series(series_points(), title="Housed at 90 days", target=55, baseline=38))

    assert_accessible(root, "Housed at 90 days")
    desc = root.find("svg:desc", NS).text
    assert "2021: 40" in desc
    assert "2022: 44.5" in desc
    assert "2023: hidden" in desc
    assert "Target: 55." in desc
    assert "Baseline: 38." in desc


def test_time_series_breaks_the_line_at_a_hidden_period_and_marks_it():
    root = parse(time_series(series_points(), title="t", threshold=11))

    lines = root.findall(".//svg:polyline", NS)
    assert [len(line.get("points").split()) for line in lines] == [2, 2]
    dots = root.findall(".//svg:g[@class='chart-point']/svg:circle", NS)
    assert len(dots) == 4
    hidden = root.findall(".//svg:g[@class='chart-hidden']", NS)
    assert len(hidden) == 1
    assert hidden[0].find("svg:title", NS).text == "2023: hidden"
    assert any("fewer than 11 people" in t for t in texts(root))


def test_time_series_points_rise_with_their_values():
    root = parse(time_series(series_points(), title="t"))

    ys = [float(c.get("cy")) for c in root.findall(".//svg:g[@class='chart-point']/svg:circle", NS)]
    xs = [float(c.get("cx")) for c in root.findall(".//svg:g[@class='chart-point']/svg:circle", NS)]
    assert ys == sorted(ys, reverse=True)  # higher value, smaller y
    assert xs == sorted(xs)


def test_time_series_draws_target_and_baseline_lines_with_a_legend():
    root = parse(
        time_series(series_points(), title="t", target=55, target_label="by 2027", baseline=38)
    )

    target = root.find(".//svg:line[@class='chart-target']", NS)
    baseline = root.find(".//svg:line[@class='chart-baseline']", NS)
    assert target is not None and target.get("stroke-dasharray")
    assert baseline is not None
    assert float(target.get("y1")) < float(baseline.get("y1"))
    legend = [t.text for t in root.findall(".//svg:text[@class='chart-legend']", NS)]
    assert legend[0].endswith("Target 55 (by 2027)")
    assert "Baseline 38" in legend[1]


def test_time_series_without_target_or_hidden_points_has_no_legend():
    root = parse(time_series([Point("2024", 3), Point("2025", 5)], title="t"))

    assert root.findall(".//svg:text[@class='chart-legend']", NS) == []
    assert root.find(".//svg:line[@class='chart-target']", NS) is None


def test_time_series_labels_at_most_about_six_periods_but_names_all_in_the_description():
    points = [Point(f"{y} Q{q}", y + q) for y in range(2015, 2025) for q in range(1, 5)]

    root = parse(time_series(points, title="t"))

    axis_labels = [t for t in texts(root) if " Q" in t]
    assert 2 <= len(axis_labels) <= 8
    assert "2024 Q4" in axis_labels
    assert root.find("svg:desc", NS).text.count(" Q") == 40


def test_time_series_with_no_points_says_so():
    root = parse(time_series([], title="t"))

    assert root.find("svg:desc", NS).text == "No data yet."


# --- sparkline --------------------------------------------------------------------------


def test_sparkline_has_gaps_a_marker_and_a_dot_on_the_latest_value():
    root = parse(sparkline(series_points(), title="Housed"))

    assert_accessible(root, "Housed")
    assert len(root.findall(".//svg:polyline", NS)) == 2
    assert len(root.findall(".//svg:g[@class='chart-hidden']", NS)) == 1
    last = root.findall("svg:circle", NS)[-1]
    first_run = root.findall(".//svg:polyline", NS)[1].get("points").split()
    assert f"{last.get('cx')},{last.get('cy')}" == first_run[-1]


def test_sparkline_of_one_value_or_of_hidden_values_only_is_valid():
    single = parse(sparkline([Point("2024", 7)], title="t"))
    assert single.findall(".//svg:polyline", NS) == []
    assert len(single.findall("svg:circle", NS)) == 1

    hidden = parse(sparkline([Point("2024", None, True), Point("2025", None, True)], title="t"))
    assert len(hidden.findall(".//svg:g[@class='chart-hidden']", NS)) == 2
    assert hidden.findall("svg:circle", NS) == []


# --- bar chart --------------------------------------------------------------------------


def breakdown():
    return [
        Bar("White", Decimal("48.2")),
        Bar("Black or African American", Decimal("39.5")),
        Bar("Hispanic or Latino", None, hidden=True),
        Bar("Asian", Decimal("45.1")),
    ]


def test_bar_chart_shows_each_group_against_the_overall_figure():
    root = parse(bar_chart(breakdown(), title="By race", overall=Decimal("45.1"), threshold=11))

    assert_accessible(root, "By race")
    labels = texts(root)
    assert "48.2 (+3.1)" in labels
    assert "39.5 (−5.6)" in labels
    assert "45.1 (±0)" in labels
    assert "Overall 45.1" in labels
    overall = root.find(".//svg:line[@class='chart-overall']", NS)
    assert overall is not None
    desc = root.find("svg:desc", NS).text
    assert "Black or African American: 39.5 (−5.6 against Overall)" in desc
    assert "Hispanic or Latino: hidden" in desc


def test_bar_chart_draws_no_bar_for_a_hidden_group():
    root = parse(bar_chart(breakdown(), title="t", overall=45, threshold=11))

    rects = root.findall(".//svg:rect", NS)
    assert len(rects) == 3
    widths = [float(r.get("width")) for r in rects]
    assert widths[0] > widths[2] > widths[1]  # 48.2 > 45.1 > 39.5
    groups = root.findall(".//svg:g[@class='chart-bar']", NS)
    hidden_group = groups[2]
    assert hidden_group.find("svg:title", NS).text == "Hispanic or Latino: hidden"
    assert hidden_group.find("svg:rect", NS) is None
    assert hidden_group.find(".//svg:circle", NS) is not None
    assert "hidden" in texts(root)
    assert any("fewer than 11 people" in (t or "") for t in texts(root))


def test_bar_chart_handles_negative_values_and_no_overall():
    root = parse(bar_chart([Bar("Down", -5), Bar("Up", 10)], title="Change"))

    rects = root.findall(".//svg:rect", NS)
    down, up = (float(r.get("x")) for r in rects)
    assert down < up
    assert "-5" in texts(root)


def test_bar_chart_with_no_groups_says_so():
    root = parse(bar_chart([], title="t"))

    assert "No data yet." in texts(root)


# --- escaping ---------------------------------------------------------------------------


@pytest.mark.parametrize("chart", ["series", "spark", "bars"])
def test_labels_people_typed_are_escaped(chart):
    if chart == "series":
        markup = time_series(
            [Point(EVIL, 5), Point("2025", 6)], title=EVIL, target_label=EVIL, target=7
        )
    elif chart == "spark":
        markup = sparkline([Point(EVIL, 5), Point("2025", 6)], title=EVIL)
    else:
        markup = bar_chart([Bar(EVIL, 5)], title=EVIL, overall=4, overall_label=EVIL)

    assert "<script" not in markup
    root = parse(markup)
    assert root.find("svg:title", NS).text == EVIL
    assert EVIL in root.find("svg:desc", NS).text
    assert root.findall(".//svg:script", NS) == []


# --- numbers and scales -------------------------------------------------------------------


def test_numbers_follow_the_active_language():
    assert format_number(Decimal("1234.56")) == "1,234.6"
    assert format_number(12) == "12"
    with translation.override("es"):
        assert format_number(Decimal("1234.5")).replace("\xa0", " ") in ("1.234,5", "1 234,5")


def test_nice_scale_covers_values_and_zero_with_round_ticks():
    low, high, ticks = nice_scale([37.0, 52.0])
    assert low == 0 and high >= 52
    assert ticks[0] == low and ticks[-1] == high
    assert all(float(t).is_integer() for t in ticks)

    low, high, _ticks = nice_scale([37.0, 52.0], zero=False)
    assert 30 <= low <= 37 and 52 <= high <= 60

    low, high, _ticks = nice_scale([5.0, 5.0])
    assert low == 0 and high > 5
