"""A provider's staff member lists a service; a community member finds it by searching and
filtering the directory, and opens it. Real browser, real forms."""

import re

import pytest
from playwright.sync_api import expect

from stakeholders.models import Member, Service
from tests.factories import (
    TEST_PASSWORD,
    CollaborativeFactory,
    KeyAreaFactory,
    MemberFactory,
    OrganizationFactory,
)
from tests.stakeholders.directory_world import make_service

pytestmark = pytest.mark.e2e


@pytest.fixture
def riverside(db):
    collaborative = CollaborativeFactory(name="Riverside Reentry Network", slug="riverside")
    housing = KeyAreaFactory(collaborative=collaborative, name="Housing", slug="housing")
    KeyAreaFactory(collaborative=collaborative, name="Employment", slug="employment")
    provider = OrganizationFactory(collaborative=collaborative, name="Second Chance Housing")
    other = OrganizationFactory(collaborative=collaborative, name="Workforce Center")
    make_service(other, "Deposit loans", key_areas=[housing])  # no referrals, no Spanish
    staff = MemberFactory(
        collaborative=collaborative,
        role=Member.Role.PROVIDER_STAFF,
        organization=provider,
        user__name="Sam Provider",
    )
    community = MemberFactory(
        collaborative=collaborative, role=Member.Role.COMMUNITY, user__name="Jordan Rivers"
    )
    return provider, staff, community


def test_staff_adds_a_service_and_a_community_member_finds_it(
    page, browser, url, sign_in, riverside
):
    provider, staff, community = riverside

    # Staff of the provider list a new service from their organization's page.
    sign_in(page, staff.user.email, TEST_PASSWORD)
    page.goto(url(provider.get_absolute_url()))
    page.get_by_role("link", name="Add a service").click()
    expect(page.get_by_role("heading", name="Add a service")).to_be_visible()
    page.get_by_label(re.compile(r"^Name:?$")).fill("Deposit and first month's rent")
    page.get_by_label(re.compile(r"^Description:?$")).fill(
        "Pays the deposit for people coming home."
    )
    page.get_by_role("group", name="Key areas").get_by_label("Housing").check()
    page.get_by_label("Accepts referrals").check()
    page.get_by_label("Languages").fill("English, Spanish")
    page.get_by_role("group", name="Cannot serve people with").get_by_label(
        "Arson conviction"
    ).check()
    page.get_by_label("Phone").fill("319-555-0199")
    page.get_by_label("Monday opens").fill("09:00")
    page.get_by_label("Monday closes").fill("17:00")
    page.get_by_role("button", name="Add the service").click()

    expect(page.get_by_text("The service is listed.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deposit and first month's rent")
    expect(page.get_by_text("Arson conviction")).to_be_visible()
    assert Service.objects.get(name="Deposit and first month's rent").organization == provider

    # A community member, in their own browser, searches and filters the directory.
    context = browser.new_context()
    guest = context.new_page()
    sign_in(guest, community.user.email, TEST_PASSWORD)
    guest.goto(url("/c/riverside/"))
    guest.get_by_role("navigation", name="Riverside Reentry Network sections").get_by_role(
        "link", name="Directory"
    ).click()
    expect(guest.get_by_role("heading", name="Directory", level=1)).to_be_visible()
    expect(guest.get_by_role("link", name="Deposit loans")).to_be_visible()

    search = guest.get_by_role("search")
    search.get_by_label("Search").fill("deposit")
    search.get_by_label("Key area").select_option(label="Housing")
    search.get_by_label("Language").select_option(label="Spanish")
    search.get_by_label("Accepts referrals").check()
    search.get_by_text("More filters").click()
    search.get_by_label("Serves people with a sex-offense conviction").check()
    search.get_by_role("button", name="Show services").click()

    results = guest.get_by_role("region", name="Services")
    expect(results.get_by_role("article")).to_have_count(1)
    expect(results.get_by_role("link", name="Deposit loans")).to_have_count(0)
    results.get_by_role("link", name="Deposit and first month's rent").click()

    expect(guest.get_by_role("heading", level=1)).to_have_text("Deposit and first month's rent")
    expect(guest.get_by_role("link", name="Call 319-555-0199")).to_be_visible()
    expect(guest.get_by_role("button", name="Mark verified today")).to_have_count(0)
    context.close()
