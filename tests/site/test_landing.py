"""Public pages people can find (reentry/site/landing.py): the landing page per
collaborative, links between the public pages, and from the anonymous home page."""

import pytest
from django.urls import reverse

from stakeholders.models import Organization
from tests.caches import clear_caches
from tests.indicators.dashboard_world import indicator_of, make_dataset, observe, year
from workgroups.quickwins.models import QuickWin

pytestmark = pytest.mark.django_db


def landing(slug="collab-a"):
    return reverse("public_landing", args=[slug])


@pytest.fixture
def public_world(cast):
    clear_caches()
    Organization.objects.filter(pk=cast.org_a.pk).update(sharing_level="public")
    headline = indicator_of(cast, "HOUS-1", name="People housed", is_public=True, is_headline=True)
    private = indicator_of(cast, "PRIV-1", name="Members-only measure")
    data = make_dataset(cast, cast.org_a, level="public", title="Public figures")
    observe(data, headline, year(2024), 1234)
    observe(data, private, year(2024), 4321)
    return headline


class TestLanding:
    def test_anyone_sees_what_it_is_and_its_headline_figures(self, client, cast, public_world):
        response = client.get(landing())
        assert response.status_code == 200
        page = response.content.decode()
        assert "Collaborative A" in page
        assert "People housed" in page and "1,234" in page
        assert "Members-only measure" not in page and "4,321" not in page
        assert cast.key_area.name in page

    def test_small_numbers_stay_hidden(self, client, cast):
        clear_caches()
        indicator = indicator_of(cast, "HOUS-2", name="Tiny count", is_public=True)
        data = make_dataset(cast, cast.org_a, level="public", title="Tiny")
        observe(data, indicator, year(2024), 3)
        page = client.get(landing()).content.decode()
        assert "Tiny count" in page
        assert ">3<" not in page
        assert "hidden" in page

    def test_signed_in_members_see_only_public_too(self, login, cast, public_world):
        page = login(cast.backbone).get(landing()).content.decode()
        assert "Members-only measure" not in page

    def test_links_to_the_other_public_pages(self, client, cast, public_world):
        page = client.get(landing()).content.decode()
        assert reverse("public_indicators:dashboard", args=["collab-a"]) in page
        assert reverse("directory:directory", args=["collab-a"]) in page
        assert reverse("public_quickwins:list", args=["collab-a"]) not in page  # none done

    def test_nothing_public_is_404(self, client, cast):
        cast.other_collab.accepts_join_requests = False
        cast.other_collab.save(update_fields=["accepts_join_requests"])
        assert client.get(landing("collab-b")).status_code == 404
        assert client.get(landing("no-such-place")).status_code == 404

    def test_how_to_join(self, client, cast):
        cast.collab.accepts_join_requests = True
        cast.collab.save(update_fields=["accepts_join_requests"])
        page = client.get(landing()).content.decode()
        assert reverse("stakeholders:join", args=["collab-a"]) in page


class TestLinkedFromEachOther:
    def test_dashboard_links_back_to_the_landing_and_directory(self, client, cast, public_world):
        page = client.get(reverse("public_indicators:dashboard", args=["collab-a"])).content
        assert landing().encode() in page
        assert reverse("directory:directory", args=["collab-a"]).encode() in page

    def test_directory_links_to_the_dashboard(self, client, cast, public_world):
        page = client.get(reverse("directory:directory", args=["collab-a"])).content
        assert reverse("public_indicators:dashboard", args=["collab-a"]).encode() in page

    def test_public_quick_wins_link_back(self, client, cast, public_world):
        QuickWin.objects.create(
            collaborative=cast.collab, title="Done thing", problem="x", status="done"
        )
        page = client.get(reverse("public_quickwins:list", args=["collab-a"])).content
        assert landing().encode() in page

    def test_member_pages_have_no_public_links(self, login, cast, public_world):
        page = login(cast.community).get(reverse("collaborative_home", args=["collab-a"]))
        assert b'class="public-pages"' not in page.content


class TestAnonymousHome:
    def test_anonymous_home_links_the_public_pages(self, client, cast, public_world):
        page = client.get(reverse("home")).content.decode()
        assert landing() in page
        assert reverse("public_indicators:dashboard", args=["collab-a"]) in page
        assert reverse("directory:directory", args=["collab-a"]) in page

    def test_a_collaborative_with_nothing_public_is_not_listed(self, client, cast, public_world):
        cast.other_collab.accepts_join_requests = False
        cast.other_collab.save(update_fields=["accepts_join_requests"])
        assert landing("collab-b") not in client.get(reverse("home")).content.decode()
