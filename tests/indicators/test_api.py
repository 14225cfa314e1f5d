"""/api/v1/collaboratives/<slug>/indicators/, /datasets/, /observations/: isolation,
sharing, suppression on every filter, tokens, query counts."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from reentry.api.services import api_token_create
from stakeholders.models import Member
from tests.indicators.dashboard_world import (
    indicator_of,
    make_dataset,
    observe,
    race_breakdown,
    year,
)

pytestmark = pytest.mark.django_db

V1 = "/api/v1/collaboratives"
GROUPS = {"white": 517, "black": 710, "asian": 7}


@pytest.fixture
def world(cast):
    indicator = indicator_of(cast, "HOUS-1", name="People housed")
    a = make_dataset(cast, cast.org_a, title="A figures")
    observe(a, indicator, year(2023), 1100)
    race_breakdown(a, indicator, year(2024), 1234, GROUPS)
    private = make_dataset(cast, cast.org_c, level="private", title="C private")
    observe(private, indicator, year(2024), 333)
    return indicator, a, private


def observations(client, indicator, slug="collab-a", **params):
    response = client.get(
        f"{V1}/{slug}/observations/", {"indicator": indicator.public_id, **params}
    )
    return response


def results(response):
    assert response.status_code == 200, response.content[:500]
    return response.json()["results"]


def cell(rows, breakdown, organization=None):
    return next(
        r
        for r in rows
        if r["breakdown"] == breakdown
        and (organization is None or r["organization"] == str(organization.public_id))
    )


class TestObservations:
    def test_another_organization_gets_hidden_figures_as_null(self, cast, login, world):
        indicator, _a, _c = world
        rows = results(observations(login(cast.staff_b), indicator))

        asian = cell(rows, {"race_ethnicity": "asian"}, cast.org_a)
        white = cell(rows, {"race_ethnicity": "white"}, cast.org_a)
        assert asian["hidden"] and asian["value"] is None and asian["denominator"] is None
        assert white["hidden"] and white["value"] is None
        assert cell(rows, {"race_ethnicity": "black"}, cast.org_a)["value"] == "710.000000"
        assert not any(r["organization"] == str(cast.org_c.public_id) for r in rows)

    def test_filtering_never_uncovers_a_hidden_figure(self, cast, login, world):
        indicator, _a, _c = world
        client = login(cast.staff_b)
        for params in (
            {"disaggregation": "race_ethnicity"},
            {"organization": str(cast.org_a.public_id)},
            {"period_from": "2024-01-01", "period_to": "2024-12-31"},
        ):
            rows = results(observations(client, indicator, **params))
            small = [
                row
                for row in rows
                if row["breakdown"] in ({"race_ethnicity": "asian"}, {"race_ethnicity": "white"})
            ]
            assert small, params
            for row in small:
                assert row["hidden"] and row["value"] is None, params

    def test_filters_pick_rows(self, cast, login, world):
        indicator, _a, _c = world
        client = login(cast.staff_c)
        totals = results(observations(client, indicator, disaggregation="total"))
        assert all(r["breakdown"] == {} for r in totals)
        combined = results(
            observations(client, indicator, organization="combined", disaggregation="total")
        )
        assert [r["value"] for r in combined] == ["1567.000000"]
        early = results(observations(client, indicator, period_to="2023-12-31"))
        assert [r["period"] for r in early] == ["2023"]

    def test_the_owner_gets_its_exact_figures(self, cast, login, world):
        indicator, _a, _c = world
        rows = results(observations(login(cast.staff_a), indicator))
        asian = cell(rows, {"race_ethnicity": "asian"}, cast.org_a)
        assert asian["value"] == "7.000000"
        assert not asian["hidden"] and asian["hidden_from_others"]

    def test_a_token_sees_as_its_organization(self, cast, world):
        indicator, _a, _c = world
        admin = Member.objects.select_related("organization", "collaborative").get(
            pk=cast.admin_a.pk
        )
        _token, plain = api_token_create(actor=admin, name="Case system")
        client = Client(headers={"Authorization": f"Token {plain}"})
        rows = results(observations(client, indicator))
        assert cell(rows, {"race_ethnicity": "asian"}, cast.org_a)["value"] == "7.000000"

    def test_bad_parameters_get_400(self, cast, login, world):
        indicator, _a, _c = world
        client = login(cast.staff_b)
        assert client.get(f"{V1}/collab-a/observations/").status_code == 400
        assert observations(client, indicator, period_from="soon").status_code == 400
        assert observations(client, indicator, organization="nope").status_code == 400

    def test_other_collaborative_gets_404(self, cast, login, world):
        indicator, _a, _c = world
        client = login(cast.outsider)
        assert observations(client, indicator).status_code == 404
        assert observations(client, indicator, slug="collab-b").status_code == 404

    def test_anonymous_gets_no_figures(self, cast, client, world):
        indicator, _a, _c = world
        assert observations(client, indicator).status_code in (401, 403, 404)

    def test_query_count_is_the_same_with_one_and_many_observations(self, cast, login):
        indicator = indicator_of(cast, "Q-1")
        a = make_dataset(cast, cast.org_a)
        observe(a, indicator, year(2019), 50)
        client = login(cast.staff_b)

        def count():
            with CaptureQueriesContext(connection) as ctx:
                assert observations(client, indicator).status_code == 200
            return len(ctx.captured_queries)

        one = count()
        for y in range(2020, 2026):
            race_breakdown(a, indicator, year(y), 1234, GROUPS)
        assert count() == one


class TestCatalogAndDatasets:
    def test_members_list_indicators_and_the_datasets_they_may_see(self, cast, login, world):
        indicator, a, private = world
        client = login(cast.staff_b)
        indicators = results(client.get(f"{V1}/collab-a/indicators/"))
        assert [i["code"] for i in indicators] == ["HOUS-1"]
        datasets = results(client.get(f"{V1}/collab-a/datasets/"))
        assert [d["title"] for d in datasets] == ["A figures"]
        assert client.get(f"{V1}/collab-a/datasets/{private.public_id}/").status_code == 404
        own = results(login(cast.staff_c).get(f"{V1}/collab-a/datasets/"))
        assert {d["title"] for d in own} == {"A figures", "C private"}

    def test_other_collaborative_gets_404(self, cast, login, world):
        indicator, a, _c = world
        client = login(cast.outsider)
        assert client.get(f"{V1}/collab-a/indicators/").status_code == 404
        assert client.get(f"{V1}/collab-a/datasets/{a.public_id}/").status_code == 404
        assert client.get(f"{V1}/collab-b/datasets/{a.public_id}/").status_code == 404

    def test_a_figure_has_no_address_of_its_own(self, cast, login, world):
        indicator, _a, _c = world
        url = f"{V1}/collab-a/observations/{indicator.public_id}/"
        assert login(cast.staff_b).get(url).status_code == 404
