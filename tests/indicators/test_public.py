"""The public dashboard (indicators/views/public.py): public indicators, public accepted
datasets, small numbers hidden on every path (page, CSV, embed, SVG), cached, safe with
the cache down, and framing allowed on the embed only."""

import csv
import io
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import translation

from indicators.views import public as public_views
from tests.caches import clear_caches
from tests.indicators.dashboard_world import (
    figures_of,
    indicator_of,
    make_dataset,
    observe,
    race_breakdown,
    year,
)
from tests.reentry.test_resilience import CLOSED_PORT

pytestmark = pytest.mark.django_db

GROUPS = {"white": 517, "black": 710, "asian": 7}


def purl(name, slug="collab-a", indicator=None):
    kwargs = {"slug": slug}
    if indicator is not None:
        kwargs["public_id"] = indicator.public_id
    return reverse(f"public_indicators:{name}", kwargs=kwargs)


@pytest.fixture
def world(cast):
    clear_caches()  # local memory caches outlive a test
    indicator = indicator_of(cast, "HOUS-1", name="People housed", is_public=True)
    public = make_dataset(cast, cast.org_a, level="public", title="Public figures")
    observe(public, indicator, year(2023), 1100)
    race_breakdown(public, indicator, year(2024), 1234, GROUPS)
    members_only = make_dataset(cast, cast.org_b, level="collaborative", title="Members only")
    observe(members_only, indicator, year(2024), 999)
    draft = make_dataset(cast, cast.org_c, level="public", accepted=False, title="Draft")
    observe(draft, indicator, year(2024), 888)
    hidden_indicator = indicator_of(cast, "PRIV-1", name="Not for the public")
    observe(public, hidden_indicator, year(2024), 4321)
    return indicator, hidden_indicator


class TestPublicDashboard:
    def test_anyone_sees_public_indicators_with_public_accepted_data(self, client, world):
        page = figures_of(client.get(purl("dashboard")).content.decode())

        assert "People housed" in page
        assert "1,234" in page
        assert "Not for the public" not in page and "4,321" not in page
        assert "999" not in page and "888" not in page

    def test_a_signed_in_member_sees_the_same_public_page(self, cast, login, world):
        page = figures_of(login(cast.staff_b).get(purl("dashboard")).content.decode())
        assert "999" not in page and "1,234" in page

    def test_a_collaborative_without_public_indicators_gets_404(self, client, cast, world):
        assert client.get(purl("dashboard", slug="collab-b")).status_code == 404
        assert client.get(purl("dashboard", slug="nope")).status_code == 404

    def test_small_numbers_are_hidden_on_the_page(self, client, cast, world):
        indicator, _h = world
        # The page shows the total series; the breakdown is in the CSV and API.
        page = figures_of(client.get(purl("dashboard")).content.decode())
        assert "517" not in page

    def test_the_csv_has_no_hidden_figure(self, client, world):
        response = client.get(purl("csv"))
        assert response.status_code == 200
        # Read out whole (not streamed), so the ETag is the bytes' own.
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        asian = next(r for r in rows if r["breakdown"] == "race_ethnicity=asian")
        white = next(r for r in rows if r["breakdown"] == "race_ethnicity=white")
        assert asian["value"] == "" and asian["note"] == "hidden"
        assert white["value"] == "" and white["note"] == "hidden"
        assert {r["organization"] for r in rows} == {"Org A"}
        assert not any(r["indicator_code"] == "PRIV-1" for r in rows)

    def test_the_page_may_not_be_framed(self, client, world):
        response = client.get(purl("dashboard"))
        assert response["X-Frame-Options"] in ("DENY", "SAMEORIGIN")


class TestEmbed:
    def test_the_embed_may_be_framed_anywhere(self, client, world):
        indicator, _h = world
        response = client.get(purl("embed", indicator=indicator))

        assert response.status_code == 200
        assert "X-Frame-Options" not in response
        assert "frame-ancestors *" in response["Content-Security-Policy"]
        assert "script-src" not in response["Content-Security-Policy"]
        assert 'role="img"' in response.content.decode()

    def test_the_svg_chart_is_an_image_with_a_text_alternative(self, client, world):
        indicator, _h = world
        response = client.get(purl("chart", indicator=indicator))

        assert response["Content-Type"].startswith("image/svg+xml")
        root = ET.fromstring(response.content)  # noqa: S314 - our own output
        desc = root.find("{http://www.w3.org/2000/svg}desc").text
        assert "2024: 1,234" in desc
        assert "X-Frame-Options" not in response

    def test_a_non_public_indicator_has_no_embed(self, client, world):
        _indicator, hidden = world
        assert client.get(purl("embed", indicator=hidden)).status_code == 404
        assert client.get(purl("chart", indicator=hidden)).status_code == 404

    def test_a_small_total_is_a_gap_in_the_embedded_chart(self, client, cast, world):
        indicator, _h = world
        dataset = make_dataset(cast, cast.org_a, level="public", title="Small year")
        observe(dataset, indicator, year(2025), 4)
        root = ET.fromstring(client.get(purl("chart", indicator=indicator)).content)  # noqa: S314
        desc = root.find("{http://www.w3.org/2000/svg}desc").text
        assert "2025: hidden" in desc
        response = client.get(purl("chart", indicator=indicator))
        assert response.status_code == 200
        assert ">4<" not in response.content.decode()


class TestCache:
    def test_the_second_visit_reads_the_cache(self, client, world, django_assert_max_num_queries):
        client.get(purl("dashboard"))
        # Only the collaborative lookup (and the session) remain.
        with django_assert_max_num_queries(3):
            assert client.get(purl("dashboard")).status_code == 200

    def test_each_language_has_its_own_entry(self, cast, world):
        with translation.override("en"):
            english = public_views.cache_key(cast.collab)
        with translation.override("es"):
            spanish = public_views.cache_key(cast.collab)
        assert english != spanish and str(cast.collab.pk) in english

    def test_with_the_cache_down_the_page_still_renders(self, client, world, settings):
        settings.CACHES = {
            "default": {
                "BACKEND": "reentry.cache.ResilientRedisCache",
                "LOCATION": CLOSED_PORT,
                "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
            }
        }
        indicator, _h = world
        assert client.get(purl("dashboard")).status_code == 200
        assert client.get(purl("embed", indicator=indicator)).status_code == 200


PUBLIC_VIEWS = ["dashboard", "csv", "embed", "chart"]


def _public_url(name, world):
    return purl(name, indicator=world[0] if name in ("embed", "chart") else None)


class TestRevalidation:
    """Link checkers and caches send HEAD, and revalidate with If-None-Match."""

    @pytest.mark.parametrize("name", PUBLIC_VIEWS)
    def test_head_answers_200_with_no_body(self, client, world, name):
        response = client.head(_public_url(name, world))
        assert response.status_code == 200
        assert response.content == b""

    @pytest.mark.parametrize("name", PUBLIC_VIEWS)
    def test_an_unchanged_response_answers_304_to_its_etag(self, client, world, name):
        url = _public_url(name, world)
        first = client.get(url)
        assert first.status_code == 200
        again = client.get(url, headers={"if-none-match": first["ETag"]})
        assert again.status_code == 304
        assert again.content == b""

    def test_new_figures_change_the_etag(self, client, cast, world):
        indicator, _h = world
        etags = {}
        for name in PUBLIC_VIEWS:
            etags[name] = client.get(_public_url(name, world))["ETag"]
        dataset = make_dataset(cast, cast.org_a, level="public", title="New year")
        observe(dataset, indicator, year(2025), 1500)
        clear_caches()
        for name in PUBLIC_VIEWS:
            url = _public_url(name, world)
            assert client.get(url, headers={"if-none-match": etags[name]}).status_code == 200


class TestEmbedSnippet:
    def test_the_dashboard_offers_an_iframe_snippet_to_copy(self, client, world):
        indicator, _h = world
        page = client.get(purl("dashboard")).content.decode()
        embed = f"http://testserver{purl('embed', indicator=indicator)}"
        assert (
            f'readonly>&lt;iframe src="{embed}" title="People housed" width="100%" height="320"'
            in page
        )
        assert f'<label for="embed-{indicator.public_id}">' in page

    def test_the_embed_fills_its_frame(self, client, world):
        indicator, _h = world
        page = client.get(purl("embed", indicator=indicator)).content.decode()
        assert 'class="ind-embed-root"' in page
