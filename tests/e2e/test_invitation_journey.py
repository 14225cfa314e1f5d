"""An invited person signs up through the emailed link and lands in the collaborative.

These drive a real browser against live_server, through the real forms, and assert what
a person would see on the page.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from stakeholders.models import Member
from tests.factories import (
    TEST_PASSWORD,
    CollaborativeFactory,
    MemberFactory,
    OrganizationFactory,
)

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "river-lantern-orchard-58"


@pytest.fixture
def riverside(db):
    collaborative = CollaborativeFactory(name="Riverside Reentry Network", slug="riverside")
    OrganizationFactory(collaborative=collaborative, name="Second Chance Housing")
    backbone = MemberFactory(
        collaborative=collaborative,
        role=Member.Role.BACKBONE,
        user__name="Dana Convener",
        user__email="dana@riverside.example.org",
    )
    return collaborative, backbone


def test_invited_person_signs_up_through_the_link_and_sees_the_collaborative_home(
    page, browser, url, sign_in, riverside, settings, live_server
):
    collaborative, backbone = riverside
    settings.SITE_URL = live_server.url  # the emailed link points at the live server

    # Backbone staff sign in and invite a new person.
    sign_in(page, backbone.user.email, TEST_PASSWORD)
    # One collaborative: straight into its home, no chooser.
    expect(page).to_have_url(url("/c/riverside/"))
    expect(page.get_by_role("heading", name="Hello, Dana")).to_be_visible()
    sections = page.get_by_role("navigation", name="Riverside Reentry Network sections")
    sections.get_by_text("Manage").click()  # staff tools are folded under "Manage"
    sections.get_by_role("link", name="Invitations").click()
    expect(page.get_by_role("heading", name="Invite someone")).to_be_visible()
    invite = page.get_by_role("main").locator("form", has=page.get_by_label("Email"))
    invite.get_by_label("Email").fill("jordan@example.net")
    invite.get_by_label("Name").fill("Jordan Rivers")
    invite.get_by_label("Role").select_option(label="Community member")
    invite.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to jordan@example.net.")).to_be_visible()
    expect(page.get_by_role("cell", name="jordan@example.net")).to_be_visible()

    # The email carries the link.
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["jordan@example.net"]
    links = re.findall(rf"{re.escape(live_server.url)}/invitations/\S+", email.body)
    assert len(links) == 1, email.body

    # The invited person opens it in their own browser.
    context = browser.new_context()
    guest = context.new_page()
    guest.goto(links[0])
    expect(guest.get_by_role("heading", name="Join Riverside Reentry Network")).to_be_visible()
    expect(guest.get_by_text("invited you as Community member")).to_be_visible()
    guest.get_by_role("link", name="Create your account").click()

    form = guest.get_by_role("main").locator("form")
    expect(form.get_by_label("Email")).to_have_value("jordan@example.net")
    form.get_by_label("Your name").fill("Jordan Rivers")
    form.get_by_label(re.compile(r"^Password:?$")).fill(NEW_PASSWORD)
    form.get_by_label(re.compile(r"^Password \(again\):?$")).fill(NEW_PASSWORD)
    form.get_by_role("button", name="Create an account").click()

    # No verification step: the address is the one the invitation went to.
    expect(guest.get_by_role("heading", name="Join Riverside Reentry Network")).to_be_visible()
    guest.get_by_role("button", name="Join the collaborative").click()

    expect(guest.get_by_text("Welcome to Riverside Reentry Network.")).to_be_visible()
    expect(guest).to_have_url(url("/c/riverside/"))
    expect(guest.get_by_role("heading", name="Hello, Jordan")).to_be_visible()
    guest.get_by_role("link", name="About this collaborative").click()
    expect(guest.get_by_role("heading", level=1)).to_have_text("Riverside Reentry Network")
    expect(guest.get_by_text("Second Chance Housing")).to_be_visible()
    context.close()

    joined = Member.objects.get(user__email="jordan@example.net", collaborative=collaborative)
    assert joined.role == Member.Role.COMMUNITY


def test_person_from_another_collaborative_gets_not_found(page, url, sign_in, riverside):
    outsider = MemberFactory(
        collaborative=CollaborativeFactory(name="Lakeshore Alliance", slug="lakeshore"),
        role=Member.Role.BACKBONE,
        user__name="Lee Outsider",
    )
    sign_in(page, outsider.user.email, TEST_PASSWORD)
    expect(page.get_by_role("link", name="Lakeshore Alliance")).to_be_visible()

    for path in ("/c/riverside/", "/c/riverside/organizations/", "/c/riverside/invitations/"):
        response = page.goto(url(path))
        assert response is not None and response.status == 404, path
        expect(page.get_by_role("heading", name="We can’t find that page")).to_be_visible()
        expect(page.get_by_text("Riverside Reentry Network")).to_have_count(0)


def test_skip_link_comes_first_and_sign_in_works_with_the_keyboard(page, url, riverside):
    _collaborative, backbone = riverside
    page.goto(url("/accounts/login/"))

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # From the main region, Tab reaches the email field before anything else in the form.
    email = page.get_by_role("main").get_by_label("Email")
    for _ in range(10):
        page.keyboard.press("Tab")
        if email.evaluate("el => el === document.activeElement"):
            break
    expect(email).to_be_focused()
    page.keyboard.type(backbone.user.email)
    page.keyboard.press("Tab")
    expect(page.get_by_role("main").get_by_label("Password")).to_be_focused()
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Hello, Dana")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
