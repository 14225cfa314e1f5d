"""An organization's admin decides who sees its dataset, in a real browser: from the
dataset's page to "Who can see this dataset", a mistake (shared with nobody) that keeps
the choice, then one partner organization, then the public (which asks about the licence that still
says "data-sharing agreement only"), each confirmed in plain words."""

import re

import pytest
from playwright.sync_api import expect

from indicators.models import Dataset
from reentry.sharing.services import share_targets
from tests.factories import TEST_PASSWORD
from tests.indicators.dashboard_world import make_dataset

pytestmark = pytest.mark.e2e


def test_owner_changes_who_can_see_a_dataset(page, url, sign_in, cast):
    dataset = make_dataset(cast, cast.org_a, level="private", title="Org A housing figures")
    sign_in(page, cast.admin_a.user.email, TEST_PASSWORD)
    page.goto(url(f"/c/collab-a/indicators/datasets/{dataset.public_id}/"))
    expect(page.get_by_text("Only the people of Org A.")).to_be_visible()

    page.get_by_role("link", name="Who can see this").first.click()
    expect(page.get_by_role("heading", name="Who can see this dataset")).to_be_visible()
    expect(page.get_by_role("radio", name=re.compile("^Only the owner"))).to_be_checked()
    # Never another collaborative's organizations.
    expect(page.get_by_text("Org X")).to_have_count(0)

    chosen = page.get_by_role("radio", name=re.compile("^Chosen organizations"))
    chosen.check()
    page.get_by_role("button", name="Save who can see it").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Choose at least one organization, sector or group to share with."
    )
    expect(chosen).to_be_checked()  # what was chosen is kept

    page.get_by_role("checkbox", name="Org B (Housing)").check()
    page.get_by_role("button", name="Save who can see it").click()
    expect(page.get_by_text("Besides Org A, only these can see")).to_be_visible()
    expect(page.get_by_text("Besides Org A, only: Org B.")).to_be_visible()
    dataset.refresh_from_db()
    assert dataset.sharing_level == "shared" and share_targets(dataset) == [cast.org_b]

    page.get_by_role("link", name="Change who can see it").click()
    expect(page.get_by_role("checkbox", name="Org B (Housing)")).to_be_checked()
    page.get_by_role("radio", name=re.compile("^Anyone, including the public")).check()
    page.get_by_role("button", name="Save who can see it").click()
    # Its licence still says "data-sharing agreement only": which is meant?
    expect(page.get_by_text("Choose which you mean.")).to_be_visible()
    assert Dataset.objects.get(pk=dataset.pk).sharing_level == "shared"
    page.get_by_role("radio", name=re.compile("Creative Commons Attribution 4.0")).check()
    page.get_by_role("button", name="Save who can see it").click()
    expect(page.get_by_text("will appear on the public dashboard")).to_be_visible()
    saved = Dataset.objects.get(pk=dataset.pk)
    assert (saved.sharing_level, saved.licence) == ("public", "cc-by-4.0")
