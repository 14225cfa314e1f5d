"""Backbone staff without a second factor sign in and are sent to set one up first."""

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import expect

from stakeholders.models import Member
from tests.factories import TEST_PASSWORD, CollaborativeFactory, MemberFactory

pytestmark = pytest.mark.e2e


def test_backbone_staff_without_a_second_factor_are_sent_to_set_one_up(
    page, url, sign_in, settings, db
):
    settings.MFA_ENFORCE = True
    collaborative = CollaborativeFactory(name="Riverside Reentry Network", slug="riverside")
    backbone = MemberFactory(
        collaborative=collaborative,
        role=Member.Role.BACKBONE,
        user__name="Dana Convener",
        user__email="dana@riverside.example.org",
    )

    sign_in(page, backbone.user.email, TEST_PASSWORD)

    # Straight to the set-up page, with the reason, wherever they try to go.
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(page.get_by_role("main")).to_contain_text("your account needs a second step")
    page.goto(url("/c/riverside/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()

    # The person's phone app would show this code: computed here from the key on the page.
    page.get_by_text("Can't scan it? Type this key instead").click()
    secret = page.locator("#authenticator_secret").inner_text().strip()
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    page.get_by_label("Authenticator code").fill(code)
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery codes")
    expect(
        page.get_by_role("list", name="Your unused recovery codes").get_by_role("listitem")
    ).to_have_count(10)

    # Now the collaborative opens: the person's home in it.
    page.goto(url("/c/riverside/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Dana")
