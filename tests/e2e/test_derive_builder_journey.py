"""On a phone (390 px), an organization's admin uploads the Iowa release file on the
upload page, then defines "returned to prison within three years" from it with the
builder: the file's profile first, then the indicator, the rows counted on top, the
fiscal-year column, three breakdowns whose values map onto the collaborative's
dimensions (the guesses checked, the Hispanic variants corrected), a preview, and a save
that lands on the indicator page with a figure, broken down for fiscal year 2012. Real
browser. With ``SHOTS_DIR`` set, each builder step is also photographed at 390 and 1280
px wide."""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from indicators.models import Dataset, DerivedIndicator, Indicator, Observation
from stakeholders.models import Member
from tests.factories import TEST_PASSWORD, MemberFactory
from tests.indicators.upload_helpers import make_indicator

pytestmark = pytest.mark.e2e

IOWA = (
    Path(settings.BASE_DIR).parent
    / "shared/data/iowa-recidivism/3-year-recidivism-released-from-prison-iowa.csv"
)
HISPANIC = (
    "White - Hispanic",
    "Black - Hispanic",
    "American Indian or Alaska Native - Hispanic",
    "Asian or Pacific Islander - Hispanic",
)


def shot(page, name: str) -> None:
    """Photograph the page at 390 and 1280 px when SHOTS_DIR is set (for review)."""
    folder = os.environ.get("SHOTS_DIR")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{folder}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})


@pytest.fixture
def iowa(cast, settings, tmp_path):
    if not IOWA.exists():
        pytest.skip(f"The Iowa file is not at {IOWA}.")
    settings.MEDIA_ROOT = tmp_path / "media"
    admin = MemberFactory(
        collaborative=cast.collab,
        role=Member.Role.ORG_ADMIN,
        organization=cast.org_a,
        user__email="data-manager@example.org",
    )
    indicator = make_indicator(
        cast,
        "IOWA-RETURN-3Y",
        unit=Indicator.Unit.PERCENT,
        name="Returned to prison within three years",
        dims=("race_ethnicity", "sex", "age_group"),
    )
    return admin, indicator


def test_upload_the_iowa_file_and_build_the_indicator_on_a_phone(page, url, sign_in, iowa):
    admin, indicator = iowa
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, admin.user.email, TEST_PASSWORD)

    # The records, uploaded on the upload page (recupload's flow).
    page.goto(url("/c/collab-a/indicators/uploads/new/"))
    page.get_by_label("File", exact=True).set_input_files(str(IOWA))
    page.get_by_role("radio", name=re.compile("Records: one row per person")).check()
    page.get_by_label("Title of the new dataset").fill("Iowa prison releases")
    page.get_by_role("button", name="Upload and check").click()
    # The profile comes before anything is saved: "White -" looks cut short.
    expect(page.get_by_text("Looks cut short").first).to_be_visible(timeout=120_000)
    page.get_by_role("button", name="Save 26,020 records").click(timeout=120_000)
    expect(page.get_by_role("heading", name="Saved")).to_be_visible(timeout=120_000)
    page.get_by_role("link", name="Open the dataset").click()
    dataset = Dataset.objects.get(kind=Dataset.Kind.RECORDS, owner=admin.organization)

    # Its columns and their values, with counts, on the dataset's profile page.
    page.get_by_role("link", name="See the columns and their values").click()
    expect(page.locator("td", has_text="N/A -").first).to_be_attached()
    expect(page.get_by_text("Age At Release").first).to_be_visible()
    page.go_back()

    page.get_by_role("link", name="Define an indicator from these records").click()
    expect(
        page.get_by_role("heading", name="Define an indicator from these records")
    ).to_be_visible()
    shot(page, "1-start")

    # Asking for figures too early says what is missing, next to each field.
    page.get_by_role("button", name="Preview the figures").click()
    expect(page.get_by_role("alert")).to_contain_text("Some choices need a look")
    expect(page.get_by_text("Choose the indicator these figures are for.")).to_be_visible()
    expect(page.get_by_text("Choose the column that says when.")).to_be_visible()
    shot(page, "1b-missing")

    page.get_by_label("Which indicator do these figures feed?").select_option(
        label="Returned to prison within three years (IOWA-RETURN-3Y, percent)"
    )
    page.locator("#id_num-0-column").select_option("Recidivism - Return to Prison")
    page.get_by_label("The column that says when").select_option("Fiscal Year Released")
    page.get_by_label("It holds").select_option("fiscal_year")
    page.get_by_label("Break down by a column").select_option("Race - Ethnicity")
    page.locator("#id_bd-0-dimension").select_option("race_ethnicity")
    page.get_by_role("button", name="Show the values").click()
    shot(page, "2-values")

    # Every value of the race column is listed with its rows; the guesses are there.
    expect(page.locator("#bd-0 tr", has_text="“N/A -”")).to_contain_text("5")
    expect(page.get_by_label("“N/A -”", exact=True)).to_have_value("unknown")
    expect(page.get_by_label("“White -”", exact=True)).to_have_value("white")
    for raw in HISPANIC:
        page.get_by_label(f"“{raw}”", exact=True).select_option("hispanic")
    page.locator("#num-0").get_by_role("checkbox", name=re.compile("^“Yes”")).check()
    page.get_by_label("Break down by another column").select_option("Sex")
    page.locator("#id_bd-1-dimension").select_option("sex")
    page.get_by_role("button", name="Show the values").click()
    expect(page.get_by_label("“Female”", exact=True)).to_have_value("female")
    page.get_by_label("Break down by another column").select_option("Age At Release")
    page.locator("#id_bd-2-dimension").select_option("age_group")
    page.get_by_role("button", name="Show the values").click()
    expect(page.get_by_label("“55 and Older”", exact=True)).to_have_value("55-plus")
    # What was chosen before is still chosen.
    expect(page.get_by_label("“Black - Hispanic”", exact=True)).to_have_value("hispanic")
    shot(page, "3-breakdowns")

    page.get_by_role("button", name="Preview the figures").click()
    preview = page.get_by_role("region", name="Preview")
    expect(preview).to_contain_text(
        "The share of rows where “Recidivism - Return to Prison” is “Yes”"
    )
    expect(preview).to_contain_text("Everyone counted")
    shot(page, "4-preview")

    page.get_by_role("button", name="Save and derive").first.click()
    expect(
        page.get_by_role("heading", name="Returned to prison within three years")
    ).to_be_visible()
    expect(page.get_by_text("is derived from version 1 of the records")).to_be_visible()
    expect(page.get_by_text(re.compile(r"\d+(\.\d)?%")).first).to_be_visible()
    shot(page, "5-indicator")

    # The breakdowns for fiscal year 2012, chosen on the indicator's page.
    page.get_by_label("Period", exact=True).select_option(label="FY2012")
    page.get_by_role("button", name="Show", exact=True).click()
    by_sex = page.locator(".card", has=page.get_by_role("heading", name="By Sex"))
    expect(by_sex.get_by_role("columnheader", name="FY2012")).to_be_visible()
    expect(by_sex.locator("tr:has(td:text-is('Male'))").first).to_contain_text("%")
    by_age = page.locator(".card", has=page.get_by_role("heading", name="By Age group"))
    expect(by_age.locator("tr:has(td:text-is('25 to 34'))").first).to_contain_text("%")
    shot(page, "5b-fy2012")

    definition = DerivedIndicator.objects.get(dataset=dataset, indicator=indicator)
    assert definition.report["rows_counted"] == 26020
    assert Observation.objects.filter(indicator=indicator, breakdown_key="").count() == 6

    # Change it again: the builder comes back filled in.
    page.goto(url(dataset.get_absolute_url()))
    page.get_by_role("link", name="Change the definition").click()
    expect(page.get_by_label("“White - Hispanic”", exact=True)).to_have_value("hispanic")
    shot(page, "6-edit")
