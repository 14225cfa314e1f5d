"""An anonymous visitor on a 390 px phone starts at `/` and reaches a collaborative's
public dashboard and its public directory by tapping links alone (no typed addresses):
the home page links the collaborative's landing page, and the public pages link each
other. Real browser, JavaScript off."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from stakeholders.models import Organization
from tests.caches import clear_caches
from tests.indicators.dashboard_world import indicator_of, make_dataset, observe, year

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def public_world(cast):
    clear_caches()
    Organization.objects.filter(pk=cast.org_a.pk).update(sharing_level="public")
    headline = indicator_of(cast, "HOUS-1", name="People housed", is_public=True, is_headline=True)
    data = make_dataset(cast, cast.org_a, level="public", title="Public figures")
    observe(data, headline, year(2024), 1234)
    return cast


def test_visitor_reaches_the_dashboard_and_directory_from_home_by_links(browser, url, public_world):
    cast = public_world
    context = browser.new_context(viewport=PHONE, is_mobile=True, java_script_enabled=False)
    page = context.new_page()
    page.goto(url("/"))
    main = page.get_by_role("main")

    # `/` links the public dashboard of each collaborative that shares one.
    main.get_by_role("link", name="Public dashboard").click()
    expect(page).to_have_url(url(reverse("public_indicators:dashboard", args=[cast.collab.slug])))
    expect(page.get_by_text("People housed").first).to_be_visible()

    # The public pages link each other: from the dashboard to the directory.
    public_nav = page.get_by_role("navigation", name=f"{cast.collab.name}, public pages")
    public_nav.get_by_role("link", name="Directory").click()
    expect(page).to_have_url(url(reverse("directory:directory", args=[cast.collab.slug])))
    expect(page.get_by_role("heading", name="Reentry services directory")).to_be_visible()

    # And back from `/` through the collaborative's landing page, too.
    page.goto(url("/"))
    page.get_by_role("main").get_by_role("link", name=cast.collab.name).click()
    expect(page).to_have_url(url(reverse("public_landing", args=[cast.collab.slug])))
    page.get_by_role("navigation", name=f"{cast.collab.name}, public pages").get_by_role(
        "link", name="Dashboard"
    ).click()
    expect(page).to_have_url(url(reverse("public_indicators:dashboard", args=[cast.collab.slug])))
