"""What the Iowa trial asked of the indicator pages (issue 14): breakdowns for a chosen
period or a pooled range (member and public dashboards), percentage points, breakdown
rows in the dimension's order, hidden cells that say why, how a derived indicator is
computed, and near-duplicate names in the catalog form."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from indicators.dashboards import (
    IndicatorData,
    choose_period,
    format_difference,
    indicator_data,
    pooled_table,
)
from indicators.models import DerivedIndicator, Indicator
from reentry.suppression import Cell, Reason, Relation, suppress
from tests.caches import clear_caches
from tests.indicators.dashboard_world import (
    figures_of,
    indicator_of,
    make_dataset,
    observe,
    year,
)

pytestmark = pytest.mark.django_db

THRESHOLD = 11


def url(cast, indicator, **params):
    target = reverse(
        "indicators:indicator", kwargs={"slug": cast.collab.slug, "public_id": indicator.public_id}
    )
    return target


def token(y):
    return f"{y}-01-01_{y}-12-31"


def rate_year(dataset, indicator, y, groups):
    """A percent by race for year ``y``: ``groups`` is {code: (numerator, denominator)};
    the total is their sum."""
    num = sum(n for n, _d in groups.values())
    den = sum(d for _n, d in groups.values())
    observe(dataset, indicator, year(y), None, numerator=num, denominator=den)
    for code, (n, d) in groups.items():
        observe(
            dataset,
            indicator,
            year(y),
            None,
            breakdown={"race_ethnicity": code},
            numerator=n,
            denominator=d,
        )


@pytest.fixture
def rates(cast):
    """A percent indicator of org A, shared with the collaborative: Asian has 6 people in
    2023 (hidden) and 30 in 2024 (shown), so pooling 2023-2024 gives 36 people, and
    36 - 30 would give 2023's 6 back unless the pooled cell is hidden too."""
    indicator = indicator_of(
        cast,
        "RET-1",
        name="Returned within three years",
        unit=Indicator.Unit.PERCENT,
        dims=("race_ethnicity", "age_group"),
    )
    a = make_dataset(cast, cast.org_a, level="collaborative")
    rate_year(a, indicator, 2022, {"white": (40, 100), "black": (30, 90), "asian": (5, 20)})
    rate_year(a, indicator, 2023, {"white": (50, 120), "black": (35, 80), "asian": (2, 6)})
    rate_year(a, indicator, 2024, {"white": (45, 110), "black": (33, 85), "asian": (12, 30)})
    return indicator, a


def _data(cast, indicator, user, own=()):
    return indicator_data(
        [indicator], user=user, collaborative=cast.collab, own_organization_ids=own
    )[indicator.pk]


def _shown_cells(table):
    return [c for cells in (table.combined, *table.by_dataset.values()) for c in cells.values()]


class TestPooledTable:
    def test_pooled_figures_sum_numerators_and_denominators(self, cast, rates):
        indicator, _a = rates
        data = _data(cast, indicator, cast.staff_b.user)
        pooled = pooled_table(data, data.tables[0], data.tables[-1], threshold=THRESHOLD)

        assert pooled is not None and pooled.pooled == 3
        white = pooled.combined[(("race_ethnicity", "white"),)]
        assert (white.numerator, white.denominator) == (135, 330)
        assert white.value == indicator.derive_value(Decimal(135), Decimal(330))
        assert pooled.label == "2022 to 2024, pooled"

    def test_a_pooled_range_never_shows_a_cell_under_the_threshold(self, cast, rates):
        indicator, _a = rates
        data = _data(cast, indicator, cast.staff_b.user)
        for i, first in enumerate(data.tables):
            for last in data.tables[i:]:
                pooled = pooled_table(data, first, last, threshold=THRESHOLD)
                for cell in _shown_cells(pooled):
                    if cell.hidden:
                        assert cell.value is None and cell.numerator is None
                        continue
                    numbers = [cell.numerator, cell.denominator]
                    numbers.append(cell.denominator - cell.numerator)
                    assert all(n >= THRESHOLD for n in numbers), (first.label, last.label, cell)

    def test_a_pooled_cell_that_would_give_back_a_hidden_period_is_hidden(self, cast, rates):
        indicator, _a = rates
        data = _data(cast, indicator, cast.staff_b.user)
        by_label = {t.label: t for t in data.tables}
        asian = (("race_ethnicity", "asian"),)
        assert by_label["2023"].combined[asian].hidden
        assert not by_label["2024"].combined[asian].hidden  # 12 of 30
        pooled = pooled_table(data, by_label["2023"], by_label["2024"], threshold=THRESHOLD)
        # 14 of 36 pooled is over the threshold, but 36 - 30 gives 2023's 6 back.
        assert pooled.combined[asian].hidden
        assert pooled.combined[asian].why == (
            "hidden so that a small group cannot be worked out by subtraction"
        )
        # Alone (as if the periods were not published), it would have been shown.
        alone = pooled_table(
            IndicatorData(indicator, tables=[by_label["2024"]]),
            by_label["2024"],
            by_label["2024"],
            threshold=THRESHOLD,
        )
        assert not alone.combined[asian].hidden

    def test_the_owner_sees_pooled_figures_exactly(self, cast, rates):
        indicator, a = rates
        data = _data(cast, indicator, cast.staff_a.user, own=[cast.org_a.pk])
        pooled = pooled_table(
            data,
            data.tables[0],
            data.tables[-1],
            threshold=THRESHOLD,
            own_organization_ids=[cast.org_a.pk],
        )
        asian = pooled.by_dataset[a.pk][(("race_ethnicity", "asian"),)]
        assert (asian.numerator, asian.denominator) == (19, 56)

    def test_choose_period_falls_back_to_the_latest_on_an_unknown_period(self, cast, rates):
        indicator, _a = rates
        data = _data(cast, indicator, cast.staff_b.user)
        choice = choose_period(data, {"period": "nonsense"}, threshold=THRESHOLD)
        assert choice.table is data.tables[-1] and choice.period == ""
        choice = choose_period(data, {"from": token(2024), "to": token(2022)}, threshold=THRESHOLD)
        assert choice.table.pooled == 3 and choice.first == token(2022)

    def test_pooled_of_no_period_is_none(self, cast, rates):
        indicator, _a = rates
        empty = IndicatorData(indicator)
        data = _data(cast, indicator, cast.staff_b.user)
        assert pooled_table(empty, data.tables[-1], data.tables[0], threshold=THRESHOLD) is None


class TestSuppressionWithheldElsewhere:
    def test_a_cell_withheld_elsewhere_is_protected_from_subtraction(self):
        cells = [
            Cell("t", 100, is_count=True),
            Cell("a", 50, is_count=True),
            Cell("b", 50, is_count=True),
        ]
        plain = suppress(cells, [Relation("t", ("a", "b"))], threshold=11)
        assert not any(c.hidden for c in plain)
        result = suppress(
            cells, [Relation("t", ("a", "b"))], threshold=11, withheld_elsewhere={"a"}
        )
        assert result["a"].hidden and result["b"].hidden and not result["t"].hidden

    def test_reasons_say_why_with_the_threshold(self):
        assert Reason.SMALL_COUNT.text(11) == "fewer than 11 people"
        assert Reason.SMALL_COUNT.text(1) == "fewer than 1 person"
        assert "worked out by subtraction" in Reason.COMPLEMENTARY.text(11)
        cell = suppress([Cell("x", 3, is_count=True)], threshold=11)["x"]
        assert cell.why == "fewer than 11 people"


def _breakdown_rows(page, start='id="breakdowns"'):
    section = page[page.index(start) :]
    section = section[: section.index("</table>")]
    return re.findall(r'<tr><td data-label="[^"]*">([^<]+)</td><td[^>]*>(.*?)</td></tr>', section)


class TestMemberIndicatorPage:
    def test_the_period_choice_for_another_orgs_member_shows_suppressed_figures_only(
        self, cast, login, rates
    ):
        indicator, _a = rates
        client = login(cast.staff_b)
        page = figures_of(
            client.get(url(cast, indicator), {"period": token(2023)}).content.decode()
        )
        rows = dict(_breakdown_rows(page))
        assert "hidden" in rows["Asian"] and "fewer than 11 people" in rows["Asian"]
        assert "33.3" not in rows["Asian"]  # 2 of 6
        assert 'value="2023-01-01_2023-12-31" selected' in page

    def test_a_pooled_range_on_the_page(self, cast, login, rates):
        indicator, _a = rates
        client = login(cast.staff_b)
        params = {"from": token(2023), "to": token(2024)}
        page = figures_of(client.get(url(cast, indicator), params).content.decode())
        assert "2023 to 2024, pooled" in page
        rows = dict(_breakdown_rows(page))
        assert rows["White"].startswith("41.3%")  # 95 of 230
        # 14 of 36 Asian people pooled, but 2024's 30 are shown: 36 - 30 gives 2023's 6.
        assert "hidden" in rows["Asian"] and "by subtraction" in rows["Asian"]
        assert "38.9" not in page

    def test_a_pooled_range_shows_what_no_subtraction_can_undo(self, cast, login, rates):
        # 2022-2024: Asian 19 of 56. The two hidden years (2022: 5 of 20, 2023: 2 of 6)
        # only ever appear together with Black people of the same years, so no single
        # small group can be worked out: the pooled figure is shown.
        indicator, _a = rates
        params = {"from": token(2022), "to": token(2024)}
        page = figures_of(login(cast.staff_b).get(url(cast, indicator), params).content.decode())
        assert dict(_breakdown_rows(page))["Asian"] == "33.9%"

    def test_breakdown_rows_follow_the_dimension_order(self, cast, login):
        indicator = indicator_of(cast, "AGE-1", dims=("age_group",))
        a = make_dataset(cast, cast.org_a)
        observe(a, indicator, year(2024), 300)
        for code, value in (("55-plus", 40), ("unknown", 60), ("25-34", 100), ("under-25", 100)):
            observe(a, indicator, year(2024), value, breakdown={"age_group": code})
        page = login(cast.staff_b).get(url(cast, indicator)).content.decode()
        labels = [label for label, _cell in _breakdown_rows(page)]
        assert labels == ["Under 25", "25 to 34", "55 and over", "Not recorded"]

    def test_the_export_follows_the_dimension_order(self, cast, login):
        indicator = indicator_of(cast, "AGE-2", dims=("age_group",))
        a = make_dataset(cast, cast.org_a)
        observe(a, indicator, year(2024), 300)
        for code, value in (("unknown", 100), ("under-25", 100), ("35-44", 100)):
            observe(a, indicator, year(2024), value, breakdown={"age_group": code})
        target = reverse(
            "indicators:indicator_export",
            kwargs={"slug": cast.collab.slug, "public_id": indicator.public_id},
        )
        text = b"".join(login(cast.staff_b).get(target, {"format": "csv"}).streaming_content)
        order = re.findall(r"age_group=([\w-]+)", text.decode())
        assert order == ["under-25", "35-44", "unknown"]

    def test_differences_of_percentages_are_percentage_points(self, cast, login, rates):
        indicator, _a = rates
        page = login(cast.staff_b).get(url(cast, indicator)).content.decode()
        assert "percentage points" in page
        assert re.search(r"\((\+|−)[\d.]+ pts\)", page)  # the bars' gaps to everyone
        assert not re.search(r"\((\+|−)[\d.]+%\)", page)
        assert format_difference(indicator, Decimal("2.5")) == "+2.5 percentage points"
        assert format_difference(indicator, Decimal("-2.5"), compact=True) == "−2.5 pts"
        count = indicator_of(cast, "CNT-1")
        assert format_difference(count, 12) == "+12"

    @pytest.mark.parametrize("who", ["staff_b", "staff_c", "community"])
    def test_every_member_gets_the_chosen_period(self, cast, login, rates, who):
        indicator, _a = rates
        response = login(getattr(cast, who)).get(url(cast, indicator), {"period": token(2022)})
        assert response.status_code == 200

    def test_other_collaborative_gets_404_with_a_period_chosen(self, cast, login, rates):
        indicator, _a = rates
        response = login(cast.outsider).get(url(cast, indicator), {"period": token(2022)})
        assert response.status_code == 404

    def test_query_count_with_a_pooled_range_is_the_same_with_one_and_many_periods(
        self, cast, login, count_queries
    ):
        indicator = indicator_of(cast, "POOL-1", unit=Indicator.Unit.PERCENT)
        a = make_dataset(cast, cast.org_a)
        rate_year(a, indicator, 2015, {"white": (40, 100), "black": (30, 90)})
        rate_year(a, indicator, 2016, {"white": (40, 100), "black": (30, 90)})
        client = login(cast.staff_c)
        params = {"from": token(2015), "to": token(2016)}
        one = count_queries(client, url(cast, indicator), **params)
        for y in range(2017, 2025):
            rate_year(a, indicator, y, {"white": (40, 100), "black": (30, 90), "asian": (3, 12)})
        params["to"] = token(2024)
        assert count_queries(client, url(cast, indicator), **params) == one
        assert "2015 to 2024, pooled" in count_queries.page


class TestHowItIsComputed:
    def _derived(self, cast, dataset, indicator, text):
        return DerivedIndicator.objects.create(
            dataset=dataset,
            indicator=indicator,
            description=text,
            derived_version=dataset.current_version,
            derived_at=timezone.make_aware(timezone.datetime(2026, 3, 4)),
        )

    def test_the_page_says_how_and_from_which_version(self, cast, login, rates):
        indicator, a = rates
        self._derived(cast, a, indicator, "Rows where Returned is Yes, among all rows.")
        page = login(cast.staff_b).get(url(cast, indicator)).content.decode()
        assert "How it is computed" in page
        assert "Rows where Returned is Yes, among all rows." in page
        assert f"From version 1 of “{a.title}”" in page and "4 Mar 2026" in page

    def test_a_private_dataset_is_never_named(self, cast, login, rates):
        indicator, _a = rates
        private = make_dataset(cast, cast.org_c, level="private", title="Court secret records")
        self._derived(cast, private, indicator, "Counted from the court's secret file.")

        others = login(cast.staff_b).get(url(cast, indicator)).content.decode()
        assert "Court secret records" not in others
        assert "secret file" not in others and "How it is computed" not in others

        owner = login(cast.staff_c).get(url(cast, indicator)).content.decode()
        assert "Court secret records" in owner and "secret file" in owner


@pytest.fixture
def public_rates(cast):
    clear_caches()
    indicator = indicator_of(
        cast,
        "RET-P",
        name="Returned, public",
        unit=Indicator.Unit.PERCENT,
        dims=("race_ethnicity",),
        is_public=True,
    )
    public = make_dataset(cast, cast.org_a, level="public", title="Public releases")
    rate_year(public, indicator, 2023, {"white": (50, 120), "black": (35, 80), "asian": (2, 6)})
    rate_year(public, indicator, 2024, {"white": (45, 110), "black": (33, 85), "asian": (12, 30)})
    members = make_dataset(cast, cast.org_b, level="collaborative", title="Members only")
    rate_year(members, indicator, 2024, {"white": (77, 177), "black": (66, 166)})
    return indicator


def purl(cast):
    return reverse("public_indicators:dashboard", kwargs={"slug": cast.collab.slug})


class TestPublicDashboardBreakdowns:
    def test_breakdowns_use_public_data_only(self, cast, client, public_rates):
        page = figures_of(client.get(purl(cast)).content.decode())
        assert "For every group of people" in page
        # Public 2024: White 45 of 110 = 40.9%; the members-only data has 77 of 177
        # (43.5%), and with it White would be 122 of 287 (42.5%).
        rows = dict(_breakdown_rows(page, start='id="breakdowns-'))
        assert rows["White"] == "40.9%"
        assert "42.5%" not in page and "43.5%" not in page and "Members only" not in page

    def test_a_chosen_period_and_a_pooled_range(self, cast, client, public_rates):
        indicator = public_rates
        ind = str(indicator.public_id)
        page = figures_of(
            client.get(purl(cast), {"ind": ind, "period": token(2023)}).content.decode()
        )
        assert "fewer than 11 people" in page
        pooled = figures_of(
            client.get(
                purl(cast), {"ind": ind, "from": token(2023), "to": token(2024)}
            ).content.decode()
        )
        assert "2023 to 2024, pooled" in pooled
        rows = dict(_breakdown_rows(pooled, start='id="breakdowns-'))
        assert rows["White"] == "41.3%"  # 95 of 230, public only

    def test_query_count_with_a_pooled_range_is_bounded(self, cast, client, count_queries):
        clear_caches()
        indicator = indicator_of(
            cast, "RET-Z", unit=Indicator.Unit.PERCENT, dims=("race_ethnicity",), is_public=True
        )
        public = make_dataset(cast, cast.org_a, level="public")
        rate_year(public, indicator, 2015, {"white": (40, 100), "black": (30, 90)})
        rate_year(public, indicator, 2016, {"white": (40, 100), "black": (30, 90)})
        params = {"ind": str(indicator.public_id), "from": token(2015), "to": token(2016)}
        one = count_queries(client, purl(cast), **params)
        for y in range(2017, 2025):
            rate_year(public, indicator, y, {"white": (40, 100), "black": (30, 90)})
        clear_caches()
        params["to"] = token(2024)
        assert count_queries(client, purl(cast), **params) == one
        assert "2015 to 2024, pooled" in count_queries.page

    def test_a_non_public_indicator_cannot_be_chosen(self, cast, client, public_rates):
        private = indicator_of(cast, "RET-Q", name="Members' only", dims=("race_ethnicity",))
        response = client.get(purl(cast), {"ind": str(private.public_id), "period": token(2024)})
        assert response.status_code == 200
        assert "Members' only" not in response.content.decode()

    def test_a_bad_choice_is_no_error(self, cast, client, public_rates):
        for params in (
            {"ind": "x", "period": "y"},
            {"ind": str(public_rates.public_id), "from": "z"},
        ):
            assert client.get(purl(cast), params).status_code == 200


class TestNearDuplicateNames:
    def _post(self, client, cast, **extra):
        data = {
            "code": "RET-2",
            "name": "Returned to prison within 3 years",
            "question": "What share went back?",
            "key_area": cast.key_area.pk,
            "kind": "population",
            "unit": "percent",
            "direction": "down",
            "denominator_definition": "Everyone released",
            "frequency": "yearly",
            "status": "candidate",
            **extra,
        }
        return client.post(
            reverse("indicators:indicator_create", kwargs={"slug": cast.collab.slug}), data
        )

    def test_a_near_duplicate_name_is_asked_about_and_the_input_kept(self, cast, login):
        indicator_of(cast, "RET-1", name="Returned to prison within three years")
        client = login(cast.backbone)
        response = self._post(client, cast)
        page = response.content.decode()
        assert response.status_code == 200
        assert "Returned to prison within three years" in page
        assert "Yes, this is a different indicator" in page
        assert 'value="Returned to prison within 3 years"' in page
        assert 'value="RET-2"' in page
        assert not Indicator.objects.filter(code="RET-2").exists()

        confirmed = self._post(client, cast, different_indicator="on")
        assert confirmed.status_code == 302
        assert Indicator.objects.filter(code="RET-2").exists()

    def test_a_distinct_name_is_not_asked_about(self, cast, login):
        indicator_of(cast, "RET-1", name="People housed within 30 days")
        page = self._post(login(cast.backbone), cast)
        assert page.status_code == 302
