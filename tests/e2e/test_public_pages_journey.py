"""An anonymous visitor on a 390 px phone starts at `/` and reaches a collaborative's
public dashboard and its public directory by tapping links alone (no typed addresses):
the home page links the collaborative's landing page, and the public pages link each
other. Real browser, JavaScript off."""

from pathlib import Path

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


def test_a_long_history_shows_its_latest_periods_and_the_csv_has_them_all(
    browser, url, public_world
):
    """Fourteen years of figures: the chart's table shows the latest twelve and says so;
    the link it gives downloads every year."""
    cast = public_world
    indicator = indicator_of(cast, "EMP-1", name="People working", is_public=True)
    data = make_dataset(cast, cast.org_b, level="public", title="Work figures")
    for y in range(2000, 2014):
        observe(data, indicator, year(y), 500 + y)
    context = browser.new_context(viewport=PHONE, is_mobile=True, java_script_enabled=False)
    page = context.new_page()
    page.goto(url(reverse("public_indicators:dashboard", args=[cast.collab.slug])))

    card = page.get_by_role("article", name="People working")
    card.get_by_text("The figures as a table").click()
    rows = card.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(1 + 12)  # the header and the latest twelve years
    expect(rows.nth(1)).to_contain_text("2002")
    expect(card.get_by_text("The chart and the table show the latest 12 periods.")).to_be_visible()

    with page.expect_download() as download:
        card.get_by_role("link", name="The CSV has every period.").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    for y in range(2000, 2014):
        assert f"{500 + y}" in text
    context.close()
