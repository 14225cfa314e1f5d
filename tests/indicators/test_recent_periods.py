"""Pages that show a short history read only each indicator's latest periods
(``indicator_data(recent=…)``), so their cost does not grow with the years of data: the
scorecards' sparklines and the public dashboard's chart and table. The CSV, the API and
the indicator page still have every period."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.dashboards import RECENT_PERIODS, indicator_data
from tests.caches import clear_caches
from tests.indicators.dashboard_world import (
    figures_of,
    indicator_of,
    make_dataset,
    observe,
    race_breakdown,
    year,
)

pytestmark = pytest.mark.django_db

FIRST = 2000
GROUPS = {"white": 517, "black": 710, "asian": 7}


def _years(count: int) -> list[int]:
    return list(range(FIRST, FIRST + count))


@pytest.fixture
def history(cast):
    """Fourteen years of org A's figures shared with the collaborative, each year with a
    breakdown whose small cell is hidden; org C's private figure for a later year."""
    indicator = indicator_of(cast, "HOUS-1", name="People housed")
    shared = make_dataset(cast, cast.org_a, level="collaborative")
    for y in _years(14):
        race_breakdown(shared, indicator, year(y), 1234 + y, GROUPS)
    private = make_dataset(cast, cast.org_c, level="private", title="Court private figures")
    observe(private, indicator, year(FIRST + 20), 333)
    return indicator


def _data(cast, indicator, user, **kwargs):
    return indicator_data([indicator], user=user, collaborative=cast.collab, **kwargs)[indicator.pk]


class TestIndicatorData:
    def test_only_the_latest_periods_are_read_and_the_rest_is_said(self, cast, history):
        every = _data(cast, history, cast.staff_b.user)
        latest = _data(cast, history, cast.staff_b.user, recent=3)

        assert [t.period.start.year for t in latest.tables] == _years(14)[-3:]
        assert latest.earlier is True
        assert every.earlier is False and len(every.tables) == 14

    def test_each_period_is_suppressed_as_in_the_whole_history(self, cast, history):
        every = _data(cast, history, cast.staff_b.user)
        latest = _data(cast, history, cast.staff_b.user, recent=3)

        for short, whole in zip(latest.tables, every.tables[-3:], strict=True):
            assert short.combined == whole.combined
            assert short.label == whole.label
        hidden = [cell for t in latest.tables for cell in t.combined.values() if cell.hidden]
        assert len(hidden) == 6  # in each year, the small cell and the one that gives it away
        assert latest.latest().total.value == Decimal(1234 + FIRST + 13)
        assert latest.compare_with_previous() == every.compare_with_previous()

    def test_periods_a_person_may_not_see_take_no_place(self, cast, history):
        # Org C's private year is the latest for org C's staff, and no one else's.
        outsider = _data(cast, history, cast.staff_b.user, recent=2)
        owner = _data(cast, history, cast.staff_c.user, recent=2)

        assert [t.period.start.year for t in outsider.tables] == [FIRST + 12, FIRST + 13]
        assert [t.period.start.year for t in owner.tables] == [FIRST + 13, FIRST + 20]

    def test_fewer_periods_than_asked_for_are_all_kept(self, cast, history):
        latest = _data(cast, history, cast.staff_b.user, recent=40)

        assert len(latest.tables) == 14
        assert latest.earlier is False

    def test_one_query_for_any_number_of_indicators(self, cast, history):
        other = indicator_of(cast, "EMP-1", name="People working")
        shared = make_dataset(cast, cast.org_b, level="collaborative")
        for y in _years(5):
            observe(shared, other, year(y), 40 + y)

        with CaptureQueriesContext(connection) as queries:
            data = indicator_data(
                [history, other],
                user=cast.staff_b.user,
                collaborative=cast.collab,
                fiscal_month=7,  # else one more query, for the collaborative's settings
                recent=4,
            )

        assert len(queries) == 1
        assert [len(data[history.pk].tables), len(data[other.pk].tables)] == [4, 4]
        assert [data[history.pk].earlier, data[other.pk].earlier] == [True, True]


class TestScorecard:
    def test_the_sparkline_shows_the_latest_periods(self, cast, login, history):
        key_area = history.key_area
        page = login(cast.staff_b).get(
            reverse(
                "indicators:scorecard", kwargs={"slug": cast.collab.slug, "area": key_area.slug}
            )
        )

        assert page.status_code == 200
        text = page.content.decode()
        for y in _years(14)[-RECENT_PERIODS:]:
            assert f"{y}: {1234 + y:,}" in text  # the sparkline's text alternative
        for y in _years(14)[:-RECENT_PERIODS]:
            assert f"{y}:" not in text

    def test_another_collaborative_gets_404(self, cast, login, history):
        page = login(cast.outsider).get(
            reverse(
                "indicators:scorecard",
                kwargs={"slug": cast.collab.slug, "area": history.key_area.slug},
            )
        )
        assert page.status_code == 404


@pytest.fixture
def public_history(cast):
    clear_caches()
    indicator = indicator_of(cast, "HOUS-1", name="People housed", is_public=True)
    public = make_dataset(cast, cast.org_a, level="public", title="Public figures")
    for y in _years(14):
        observe(public, indicator, year(y), 1000 + y)
    return indicator


def _public(name):
    return reverse(f"public_indicators:{name}", kwargs={"slug": "collab-a"})


class TestPublicDashboard:
    def test_the_chart_and_table_show_the_latest_periods_and_point_to_the_csv(
        self, client, public_history
    ):
        page = figures_of(client.get(_public("dashboard")).content.decode())

        for y in _years(14)[-RECENT_PERIODS:]:
            assert f'<td data-label="Period">{y}</td>' in page  # the table
            assert f"{y}: {1000 + y:,}" in page  # the chart's text alternative
        for y in _years(14)[:-RECENT_PERIODS]:
            assert f'<td data-label="Period">{y}</td>' not in page
            assert f"{y}:" not in page
        assert f"The chart and the table show the latest {RECENT_PERIODS} periods." in page
        assert "The CSV has every period." in page

    def test_the_csv_still_has_every_period(self, client, public_history):
        rows = list(
            csv.DictReader(io.StringIO(client.get(_public("csv")).content.decode("utf-8-sig")))
        )
        totals = {r["value"] for r in rows}
        assert {f"{1000 + y}" for y in _years(14)} <= {t.replace(",", "") for t in totals}

    def test_a_short_history_has_no_note(self, cast, client):
        clear_caches()
        indicator = indicator_of(cast, "HOUS-1", name="People housed", is_public=True)
        public = make_dataset(cast, cast.org_a, level="public", title="Public figures")
        for y in _years(3):
            observe(public, indicator, year(y), 1000 + y)

        page = client.get(_public("dashboard")).content.decode()

        assert "The CSV has every period." not in page
        for y in _years(3):
            assert f'<td data-label="Period">{y}</td>' in page

    def test_anyone_reads_the_same_public_periods(self, cast, login, public_history):
        data = indicator_data(
            [public_history],
            user=AnonymousUser(),
            collaborative=cast.collab,
            accepted_only=True,
            recent=RECENT_PERIODS,
        )[public_history.pk]
        assert len(data.tables) == RECENT_PERIODS and data.earlier


def _indicator_page(cast, indicator, query=""):
    return (
        reverse(
            "indicators:indicator",
            kwargs={"slug": cast.collab.slug, "public_id": indicator.public_id},
        )
        + query
    )


def _period_cells(page: str) -> list[str]:
    """The periods in the "figures as a table" of the chart (the first such table)."""
    table = page.split('class="ind-table-details"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<td data-label="Period">([^<]*)</td>', table)


class TestIndicatorPage:
    def test_the_latest_periods_are_shown_with_a_link_to_every_period(self, cast, login, history):
        early = make_dataset(cast, cast.org_b, level="collaborative", title="Early count")
        observe(early, history, year(FIRST), 99)  # reported in the first year only
        client = login(cast.staff_b)

        page = client.get(_indicator_page(cast, history)).content.decode()

        assert _period_cells(page) == [str(y) for y in _years(14)[-RECENT_PERIODS:]]
        assert "The chart, the tables and the breakdowns show the latest 12 periods." in page
        assert 'href="?history=all#trend">Show every period</a>' in page
        data_table = page.split('id="data"', 1)[1]
        assert f">{FIRST}<" not in data_table and f">{FIRST + 13}<" in data_table
        # Where the numbers come from: every dataset, whatever period it reported.
        assert "Early count" in page

    def test_every_period_on_asking_and_the_period_forms_keep_it(self, cast, login, history):
        client = login(cast.staff_b)

        page = client.get(_indicator_page(cast, history, "?history=all")).content.decode()

        assert _period_cells(page) == [str(y) for y in _years(14)]
        assert "Every period is shown." in page
        assert 'href="?#trend">Show the latest 12 periods only</a>' in page
        assert page.count('<input type="hidden" name="history" value="all">') == 2
        assert f'value="{FIRST}-01-01_{FIRST}-12-31"' in page  # the oldest year to choose

    def test_a_short_history_has_no_link(self, cast, login):
        indicator = indicator_of(cast, "HOUS-1", name="People housed")
        shared = make_dataset(cast, cast.org_a, level="collaborative")
        for y in _years(3):
            observe(shared, indicator, year(y), 40 + y)

        page = login(cast.staff_b).get(_indicator_page(cast, indicator)).content.decode()

        assert _period_cells(page) == [str(y) for y in _years(3)]
        assert "Show every period" not in page and "Every period is shown." not in page

    def test_the_queries_do_not_grow_with_the_history(self, cast, login, history):
        client = login(cast.staff_b)
        client.get(_indicator_page(cast, history))  # the session and caches warm
        shared = history.observations.first().dataset

        counts, sizes = [], []
        for more in (0, 10):
            for y in range(FIRST - more, FIRST - more + more):
                race_breakdown(shared, history, year(y - 20), 1234 + y, GROUPS)
            with CaptureQueriesContext(connection) as queries:
                page = client.get(_indicator_page(cast, history)).content.decode()
            counts.append(len(queries))
            sizes.append(len(_period_cells(page)))

        assert counts[0] == counts[1]
        assert sizes == [RECENT_PERIODS, RECENT_PERIODS]

    def test_another_collaborative_gets_404(self, cast, login, history):
        page = login(cast.outsider).get(_indicator_page(cast, history, "?history=all"))
        assert page.status_code == 404
