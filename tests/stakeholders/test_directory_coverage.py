"""The coverage grid for backbone staff: counts per key area × sector, and the gaps."""

import pytest

from tests.factories import KeyAreaFactory
from tests.stakeholders.directory_world import c_url, make_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def areas(cast):
    employment = KeyAreaFactory(collaborative=cast.collab, name="Employment", slug="employment")
    transport = KeyAreaFactory(
        collaborative=cast.collab, name="Transportation", slug="transportation"
    )
    return cast.key_area, employment, transport


def rows_by_slug(response) -> dict:
    return {row["area"].slug: row for row in response.context["rows"]}


def test_backbone_sees_counts_per_key_area_and_sector(cast, areas, login):
    housing, employment, _transport = areas
    make_service(cast.org_a, "Beds", key_areas=[housing])
    make_service(cast.org_a, "Deposits", key_areas=[housing, employment])
    make_service(cast.org_b, "Rooms", key_areas=[housing])
    make_service(cast.org_c, "Court jobs", key_areas=[employment])
    make_service(cast.org_c, "Old", key_areas=[employment], status="inactive")  # not counted
    make_service(cast.org_x, "Elsewhere", key_areas=[])  # other collaborative: never counted

    response = login(cast.backbone).get(c_url("coverage", cast.collab))

    assert response.status_code == 200
    sectors = [s.slug for s in response.context["sectors"]]
    cells = {
        (row["area"].slug, sector): (cell["organizations"], cell["services"])
        for row in response.context["rows"]
        for sector, cell in zip(sectors, row["cells"], strict=True)
    }
    assert cells == {
        ("housing", "housing"): (2, 3),
        ("housing", "courts"): (0, 0),
        ("employment", "housing"): (1, 1),
        ("employment", "courts"): (1, 1),
        ("transportation", "housing"): (0, 0),
        ("transportation", "courts"): (0, 0),
    }
    totals = {r["area"].slug: (r["organizations"], r["services"]) for r in response.context["rows"]}
    assert totals == {"housing": (2, 3), "employment": (2, 2), "transportation": (0, 0)}


def test_gaps_name_the_key_areas_without_referrals_evenings_weekends_or_spanish(cast, areas, login):
    housing, employment, transport = areas
    make_service(cast.org_a, "Beds", key_areas=[housing], accepts_referrals=True)
    make_service(
        cast.org_a,
        "Night shelter",
        key_areas=[housing],
        languages=["Spanish"],
        hours={1: ("20:00", "07:00")},
    )
    make_service(cast.org_b, "Saturday jobs", key_areas=[employment], hours={6: ("09:00", "12:00")})
    make_service(
        cast.org_b, "Job club", key_areas=[employment], accepts_referrals=True, languages=["es"]
    )
    make_service(cast.org_c, "Rides", key_areas=[transport], hours={2: ("09:00", "17:00")})

    response = login(cast.backbone).get(c_url("coverage", cast.collab))

    rows = rows_by_slug(response)
    assert rows["housing"]["gaps"] == []
    assert rows["employment"]["gaps"] == []
    assert [str(g) for g in rows["transportation"]["gaps"]] == [
        "No service accepts referrals",
        "No service open evenings or weekends",
        "No Spanish-language service",
    ]
    assert [r["area"].slug for r in response.context["areas_with_gaps"]] == ["transportation"]


def test_inactive_services_do_not_fill_a_gap(cast, areas, login):
    housing, *_ = areas
    make_service(
        cast.org_a, "Closed", key_areas=[housing], accepts_referrals=True, status="inactive"
    )
    response = login(cast.backbone).get(c_url("coverage", cast.collab))
    gaps = [str(g) for g in rows_by_slug(response)["housing"]["gaps"]]
    assert "No service accepts referrals" in gaps


@pytest.mark.parametrize("who", ["admin_a", "staff_a", "community"])
def test_other_members_get_403(cast, login, who):
    assert login(getattr(cast, who)).get(c_url("coverage", cast.collab)).status_code == 403


def test_other_collaborative_gets_404(cast, login):
    assert login(cast.outsider).get(c_url("coverage", cast.collab)).status_code == 404


def test_grid_scrolls_inside_a_labelled_focusable_region(cast, areas, login):
    page = login(cast.backbone).get(c_url("coverage", cast.collab)).content.decode()
    assert 'role="region" aria-labelledby="coverage-caption" tabindex="0"' in page


def test_query_count_is_the_same_for_few_and_many_services(cast, areas, login, count_queries):
    housing, employment, transport = areas
    client = login(cast.backbone)
    url = c_url("coverage", cast.collab)
    make_service(cast.org_a, "One", key_areas=[housing])
    few = count_queries(client, url)
    for n in range(20):
        make_service(
            [cast.org_a, cast.org_b, cast.org_c][n % 3],
            f"Service {n}",
            key_areas=[[housing, employment, transport][n % 3]],
            languages=["Spanish"],
            hours={6: ("09:00", "12:00")},
        )
    assert count_queries(client, url) == few
    # Housing has "One" and every third of the 20; employment and transport the others.
    page = count_queries.page
    assert "8 services" in page and "7 services" in page and "6 services" in page
