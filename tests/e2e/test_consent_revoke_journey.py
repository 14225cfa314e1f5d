"""A returning citizen takes back a consent from their phone: signs in, opens My record
from the collaborative's home, sees who has looked at it, revokes the consent that lets
another organization see their services (after a confirm step), and sees it revoked.
The other organization sees nothing of the record on its next request."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from casework.models import Consent, ServiceLog
from casework.services import consents, logs, participants
from stakeholders.models import Member
from tests.factories import (
    TEST_PASSWORD,
    CollaborativeFactory,
    KeyAreaFactory,
    MemberFactory,
    OrganizationFactory,
)

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def shoot(page, name: str) -> None:
    """Save a full-page screenshot when E2E_SCREENSHOTS names a folder (for review)."""
    folder = os.environ.get("E2E_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def world(db):
    collaborative = CollaborativeFactory(name="Riverside Reentry Network", slug="riverside")
    housing = KeyAreaFactory(collaborative=collaborative, name="Housing", slug="housing")
    shelter = OrganizationFactory(collaborative=collaborative, name="Riverside Housing Partners")
    jobs = OrganizationFactory(collaborative=collaborative, name="Second Shift Employment")
    caseworker = MemberFactory(
        collaborative=collaborative,
        role=Member.Role.PROVIDER_STAFF,
        organization=shelter,
        user__name="Casey Caseworker",
    )
    job_coach = MemberFactory(
        collaborative=collaborative, role=Member.Role.PROVIDER_STAFF, organization=jobs
    )
    person = MemberFactory(
        collaborative=collaborative,
        role=Member.Role.COMMUNITY,
        user__name="Jordan Rivers",
        user__email="jordan@example.org",
    )
    today = collaborative.today()
    enrolment = participants.enrol(
        actor=caseworker,
        needs=[housing],
        identity={"given_name": "Jordan", "family_name": "Rivers"},
    )
    enrolment.participant.user = person.user
    enrolment.participant.save(update_fields=["user"])
    logs.service_log(
        actor=caseworker,
        enrolment=enrolment,
        key_area=housing,
        delivered_on=today,
        notes="Lease signed",
    )
    consent = consents.consent_record(
        actor=caseworker,
        enrolment=enrolment,
        recipient_organizations=[jobs],
        key_areas=[housing],
        shares_service_logs=True,
        purpose="So my job coach knows where I live",
        starts_on=today - timedelta(days=5),
        ends_on=today + timedelta(days=360),
        method=Consent.Method.ON_SCREEN,
        signed_name="Jordan Rivers",
        told_right_to_revoke=True,
    )
    return consent, job_coach, person


def test_a_participant_revokes_a_consent_from_their_phone(browser, url, sign_in, world):
    consent, job_coach, person = world
    assert ServiceLog.objects.visible_to(job_coach.user).exists()

    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = phone.new_page()
    sign_in(page, person.user.email, TEST_PASSWORD)
    page.goto(url("/c/riverside/"))
    page.get_by_role("link", name="My record").click()
    expect(page.get_by_role("heading", name="My record", exact=True)).to_be_visible()
    main = page.get_by_role("main")
    expect(main.get_by_text("Riverside Housing Partners").first).to_be_visible()
    expect(main.get_by_text("Lease signed")).to_be_visible()
    # Who has looked: the caseworker who wrote down the consent, with their organization.
    expect(main.get_by_text("Casey Caseworker").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(page, "my-record-390")

    card = main.locator(".cw-consent").filter(has_text="Second Shift Employment")
    expect(card.get_by_text("In force")).to_be_visible()
    card.get_by_role("link", name="Revoke the consent for Riverside Housing Partners").click()
    expect(page.get_by_role("heading", name="Revoke this consent?")).to_be_visible()
    page.get_by_label("Why (optional)").fill("I found another job coach")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(page, "revoke-confirm-390")
    page.get_by_role("button", name="Yes, revoke it").click()

    expect(page.get_by_text("The consent is revoked.")).to_be_visible()
    card = (
        page.get_by_role("main").locator(".cw-consent").filter(has_text="Second Shift Employment")
    )
    expect(card.get_by_text("Revoked", exact=True)).to_be_visible()
    expect(card.get_by_text("by you")).to_be_visible()
    expect(
        card.get_by_role("link", name="Revoke the consent for Riverside Housing Partners")
    ).to_have_count(0)
    phone.close()

    consent.refresh_from_db()
    assert consent.revoked_by == person.user
    assert consent.revoked_reason == "I found another job coach"
    assert not ServiceLog.objects.visible_to(job_coach.user).exists()
