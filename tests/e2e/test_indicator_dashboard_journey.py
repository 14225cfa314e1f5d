"""A provider's staff member reads the shared indicators: from the dashboard to a key
area's scorecard, to an indicator's page with its breakdown (a small group hidden),
leaves a comment and asks another organization for its data; then anyone opens the
public dashboard and its embeddable chart. Real browser, real forms."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from indicators.models import DataRequest, IndicatorComment
from tests.factories import TEST_PASSWORD
from tests.indicators.dashboard_world import (
    indicator_of,
    make_dataset,
    observe,
    race_breakdown,
    year,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def figures(cast):
    indicator = indicator_of(cast, "HOUS-90", name="Stable housing at 90 days", is_public=True)
    public = make_dataset(cast, cast.org_b, level="public", title="Org B housing figures")
    observe(public, indicator, year(2023), 1100)
    race_breakdown(public, indicator, year(2024), 1234, {"white": 517, "black": 710, "asian": 7})
    private = make_dataset(cast, cast.org_c, level="private", title="Court figures")
    observe(private, indicator, year(2024), 55)
    return indicator


def test_a_partner_reads_the_dashboard_comments_and_asks_for_data(
    page, url, sign_in, cast, figures
):
    indicator = figures
    sign_in(page, cast.staff_a.user.email, TEST_PASSWORD)
    page.goto(url("/c/collab-a/indicators/dashboard/"))
    expect(page.get_by_role("heading", name="Are people better off?")).to_be_visible()

    page.get_by_role("link", name="Scorecard: 1 indicator").click()
    expect(page.get_by_role("heading", name="Housing")).to_be_visible()
    page.get_by_role("link", name="Stable housing at 90 days").click()

    expect(page.get_by_role("heading", name="Stable housing at 90 days")).to_be_visible()
    expect(page.get_by_role("img", name="Stable housing at 90 days 2023").first).to_be_visible()
    expect(page.get_by_role("img", name="Stable housing at 90 days by race")).to_be_visible()
    asian = page.get_by_role("row").filter(has_text="Asian")
    expect(asian).to_contain_text("hidden")
    expect(page.get_by_text("517")).to_have_count(0)
    expect(page.get_by_role("cell", name="Org B", exact=True).first).to_be_visible()

    page.get_by_label("Your comment").fill("Our waiting list doubled this year.")
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Your comment is posted.")).to_be_visible()
    expect(page.get_by_text("Our waiting list doubled this year.")).to_be_visible()
    assert IndicatorComment.objects.get().author == cast.staff_a

    page.get_by_text("Ask for data").click()
    page.get_by_label("Why you need it").fill("To see court referrals beside ours.")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("Your request is sent.")).to_be_visible()
    assert DataRequest.objects.get().dataset.title == "Court figures"

    # Anyone, signed out: the public dashboard and the chart to embed.
    page.context.clear_cookies()
    page.goto(url("/dashboard/collab-a/"))
    expect(page.get_by_role("heading", name="Stable housing at 90 days")).to_be_visible()
    expect(page.get_by_text("1,234").first).to_be_visible()
    snippet = page.get_by_label("To show this chart on your site, copy this code into your page:")
    code = snippet.first.input_value()
    assert code.startswith('<iframe src="http') and 'height="320"' in code
    page.get_by_role("link", name="Embed this chart").click()
    expect(page.get_by_role("img", name="Stable housing at 90 days 2023")).to_be_visible()
    assert str(indicator.public_id) in page.url
    # In the snippet's 320 px frame the chart fits: nothing to scroll, nothing cut off.
    for width in (600, 320):
        page.set_viewport_size({"width": width, "height": 320})
        assert page.evaluate("document.documentElement.scrollHeight") <= 320
        caption = page.locator("figcaption").bounding_box()
        assert caption is not None and caption["y"] + caption["height"] <= 320


def test_a_long_history_opens_on_its_latest_periods_and_shows_every_one_on_asking(
    page, url, sign_in, cast
):
    """Fourteen years: the indicator page draws the latest twelve, and a link shows them
    all; choosing an old year for the breakdowns keeps every period on the page."""
    indicator = indicator_of(cast, "EMP-1", name="People working")
    shared = make_dataset(cast, cast.org_b, level="collaborative", title="Work figures")
    for y in range(2000, 2014):
        race_breakdown(shared, indicator, year(y), 1000 + y, {"white": 517, "black": 480})
    sign_in(page, cast.staff_a.user.email, TEST_PASSWORD)
    page.goto(
        url(
            reverse(
                "indicators:indicator",
                kwargs={"slug": cast.collab.slug, "public_id": indicator.public_id},
            )
        )
    )

    chart = page.get_by_role("img", name="People working").first
    expect(chart).to_be_visible()
    expect(page.get_by_text("show the latest 12 periods")).to_be_visible()
    data = page.get_by_role("region", name="The data")
    expect(data.get_by_role("cell", name="2002", exact=True)).to_have_count(1)
    expect(data.get_by_role("cell", name="2001", exact=True)).to_have_count(0)

    page.get_by_role("link", name="Show every period").click()
    expect(page.get_by_text("Every period is shown.")).to_be_visible()
    expect(data.get_by_role("cell", name="2000", exact=True)).to_have_count(1)

    page.locator("#breakdowns").get_by_label("Period").select_option(label="2000")
    page.locator("#breakdowns").get_by_role("button", name="Show").click()
    expect(
        page.get_by_role("img", name=re.compile(r"People working by race.*2000"))
    ).to_be_visible()
    expect(page.get_by_text("Every period is shown.")).to_be_visible()
