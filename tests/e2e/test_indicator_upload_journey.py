"""An organization's staff member uploads a file with mistakes, reads the row-by-row
report, uploads the fixed file (the column choices are remembered), saves it, and watches
the progress bar reach "Saved". Then the live bar of a running save, driven by
indicators/static/indicators/progress.js, follows the job to the end. Real browser."""

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from indicators.importing import progress_key
from indicators.models import Dataset, ImportJob, Observation
from stakeholders.models import Member
from tests.factories import TEST_PASSWORD, MemberFactory
from tests.indicators.upload_helpers import make_indicator

pytestmark = pytest.mark.e2e

BAD = (
    "Indicator,Period,Sex,Count\n"
    "HOUS-1,2025-Q1,,30\n"
    "HOUS-1,2025-Q1,female,12\n"
    "HOUS-1,2025-Q1,male,18\n"
    "HOUS-9,2025-Q1,,4\n"
    "HOUS-1,2025-Q2,,thirty\n"
)
FIXED = (
    "Indicator,Period,Sex,Count\n"
    "HOUS-1,2025-Q1,,30\n"
    "HOUS-1,2025-Q1,female,12\n"
    "HOUS-1,2025-Q1,male,18\n"
    "HOUS-1,2025-Q2,,31\n"
)


@pytest.fixture
def staff(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_indicator(cast, "HOUS-1", dims=("sex",))
    return MemberFactory(
        collaborative=cast.collab,
        role=Member.Role.PROVIDER_STAFF,
        organization=cast.org_a,
        user__email="uploader@example.org",
    )


def choose_file(page, name, text):
    page.get_by_label("File").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": text.encode()}
    )


def test_upload_with_errors_fix_save_and_progress(page, url, sign_in, staff, cast):
    sign_in(page, staff.user.email, TEST_PASSWORD)
    page.goto(url("/c/collab-a/indicators/uploads/new/"))
    choose_file(page, "housing.csv", BAD)
    page.get_by_label("Title of the new dataset").fill("Housing placements 2025")
    page.get_by_role("button", name="Upload and check").click()

    expect(page.get_by_role("heading", name="Which column is which?")).to_be_visible()
    expect(page.get_by_label("Sex", exact=True)).to_have_value("dim:sex")
    expect(page.get_by_label("Count", exact=True)).to_have_value("value")
    page.get_by_role("button", name="Check every row").click()

    expect(page.get_by_text("We found 2 problems. Nothing was saved.")).to_be_visible()
    errors = page.get_by_role("table", name="Problems, row by row")
    expect(errors).to_contain_text("“HOUS-9” is not an indicator")
    expect(errors).to_contain_text("“thirty” is not a number")
    assert not Dataset.objects.exists()

    page.get_by_role("link", name="Upload a fixed file").click()
    choose_file(page, "housing-fixed.csv", FIXED)
    page.get_by_label("Title of the new dataset").fill("Housing placements 2025")
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_label("Count", exact=True)).to_have_value("value")
    page.get_by_role("button", name="Check every row").click()

    expect(page.get_by_role("heading", name="Every row is fine")).to_be_visible()
    page.get_by_role("button", name="Save 4 rows").click()

    expect(page.get_by_role("heading", name="Saved")).to_be_visible()
    expect(page.locator("progress")).to_have_attribute("value", "100")
    page.get_by_role("link", name="Open the dataset").click()
    expect(page.get_by_role("heading", name="Housing placements 2025")).to_be_visible()
    expect(page.get_by_role("table", name="Rows")).to_contain_text("2025-Q2")
    assert Observation.objects.current().count() == 4


def test_the_progress_bar_follows_a_running_save(page, url, sign_in, staff, cast):
    job = ImportJob.objects.create(
        collaborative=cast.collab,
        organization=cast.org_a,
        original_filename="big.csv",
        file_format="csv",
        status=ImportJob.Status.RUNNING,
        rows_total=1000,
        created_by=staff.user,
    )
    cache.set(progress_key(job.public_id), {"rows": 400, "percent": 40})
    sign_in(page, staff.user.email, TEST_PASSWORD)
    page.goto(url(f"/c/collab-a/indicators/uploads/{job.public_id}/"))
    bar = page.locator("progress")
    expect(bar).to_have_attribute("value", "40")
    cache.set(progress_key(job.public_id), {"rows": 700, "percent": 70})
    expect(bar).to_have_attribute("value", "70", timeout=5000)
    expect(page.locator(".ind-progress-percent")).to_have_text("70%")
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.DONE, rows_done=1000)
    expect(page.get_by_role("heading", name="Saved")).to_be_visible(timeout=5000)
    expect(page.locator("progress")).to_have_attribute("value", "100")
