"""A referral across two organizations, on phones: Org A's caseworker refers a participant
(with the person's consent) from Org B's directory listing; Org B's caseworker accepts,
records the service delivered and closes; Org A's caseworker sees each step. Real
browser, real forms, 390 × 844."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from casework.models import Consent, Referral
from casework.services import consents, participants
from stakeholders.models import Member
from tests.factories import (
    TEST_PASSWORD,
    CollaborativeFactory,
    KeyAreaFactory,
    MemberFactory,
    OrganizationFactory,
)
from tests.stakeholders.directory_world import make_service

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def riverside(db):
    collaborative = CollaborativeFactory(name="Riverside Reentry Network", slug="riverside")
    housing = KeyAreaFactory(collaborative=collaborative, name="Housing", slug="housing")
    sender = OrganizationFactory(collaborative=collaborative, name="Pathways Reentry")
    receiver = OrganizationFactory(collaborative=collaborative, name="Second Chance Housing")
    service = make_service(
        receiver, "Housing navigation", key_areas=[housing], accepts_referrals=True
    )
    alex = MemberFactory(
        collaborative=collaborative,
        role=Member.Role.PROVIDER_STAFF,
        organization=sender,
        user__name="Alex Caseworker",
    )
    blair = MemberFactory(
        collaborative=collaborative,
        role=Member.Role.PROVIDER_STAFF,
        organization=receiver,
        user__name="Blair Navigator",
    )
    enrolment = participants.enrol(
        actor=alex, identity={"given_name": "Jordan", "family_name": "Rivers"}
    )
    today = collaborative.today()
    consents.consent_record(
        actor=alex,
        enrolment=enrolment,
        recipient_organizations=[receiver],
        key_areas=[housing],
        shares_referrals=True,
        purpose="To find housing after release",
        starts_on=today,
        ends_on=today + timedelta(days=180),
        method=Consent.Method.ON_SCREEN,
        signed_name="Jordan Rivers",
        told_right_to_revoke=True,
    )
    return service, alex, blair, enrolment


def _phone(browser):
    return browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()


def test_sent_accepted_delivered_closed(browser, url, sign_in, riverside):
    service, alex, blair, enrolment = riverside
    code = enrolment.participant.code

    # Org A: from the directory listing, refer Jordan.
    page = _phone(browser)
    sign_in(page, alex.user.email, TEST_PASSWORD)
    page.goto(url(f"/c/riverside/services/{service.public_id}/"))
    page.get_by_role("link", name="Refer a participant").click()
    expect(
        page.get_by_role("heading", name="Refer a participant to Housing navigation")
    ).to_be_visible()
    page.get_by_label("Participant code or name").fill("jordan")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("link", name=f"Choose {code}").click()
    expect(page.get_by_text("A consent in force covers Housing")).to_be_visible()
    page.get_by_label("What the person needs").fill("A room before Friday; works nights.")
    page.get_by_role("button", name="Send the referral").click()
    expect(page.get_by_text("Referral sent to Second Chance Housing")).to_be_visible()
    referral = Referral.objects.get()
    assert referral.status == Referral.Status.SENT
    sender_page = page

    # Org B: the inbox shows it waiting; accept, record the service delivered, close.
    page = _phone(browser)
    sign_in(page, blair.user.email, TEST_PASSWORD)
    page.goto(url("/c/riverside/casework/referrals/"))
    page.get_by_role("link", name=code).click()
    expect(page.get_by_text("A room before Friday; works nights.")).to_be_visible()
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Accepted. The person is now on your list")).to_be_visible()
    page.get_by_label("Short notes").fill("Room at Elm Street from Monday")
    page.get_by_role("button", name="Record the service delivered").click()
    expect(page.get_by_text("Service delivered is recorded.")).to_be_visible()
    page.get_by_text("Close the referral").click()
    page.get_by_role("button", name="Close", exact=True).click()
    expect(page.get_by_text("The referral is closed.")).to_be_visible()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.CLOSED
    assert referral.service_log.notes == "Room at Elm Street from Monday"

    # Org A sees each step.
    sender_page.reload()
    steps = sender_page.get_by_role("list").filter(has_text="Accepted")
    for label in ("Sent", "Accepted", "Service delivered", "Closed"):
        expect(steps.get_by_text(label, exact=True)).to_be_visible()
    sender_page.goto(url("/c/riverside/casework/referrals/?tab=sent"))
    expect(sender_page.get_by_role("cell", name="Closed")).to_be_visible()
