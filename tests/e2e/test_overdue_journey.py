"""A provider's staff member signs in at 1280 px and finds their overdue action item from
their home in one tap: the home lists their open items, overdue first and marked as
overdue, each one link from the item's own page. Real browser, real sign-in form."""

from datetime import timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from stakeholders.models import Member
from tests.factories import (
    TEST_PASSWORD,
    CollaborativeFactory,
    MemberFactory,
    OrganizationFactory,
)
from workgroups import services
from workgroups.models import ActionItem, GroupMembership

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def world(db):
    collaborative = CollaborativeFactory(name="Riverside Reentry Network", slug="riverside")
    backbone = MemberFactory(collaborative=collaborative, role=Member.Role.BACKBONE)
    staff = MemberFactory(
        collaborative=collaborative,
        role=Member.Role.PROVIDER_STAFF,
        organization=OrganizationFactory(collaborative=collaborative, name="Second Step Housing"),
        user__name="Sam Provider",
        user__email="sam@example.org",
    )
    group = services.group_create(actor=backbone, name="Housing Working Group", chairs=[])
    GroupMembership.objects.create(group=group, member=staff, role="chair")
    today = collaborative.today()
    services.action_item_create(
        actor=staff,
        group=group,
        title="Book the library room",
        owner_member=staff,
        due_date=today + timedelta(days=10),
    )
    overdue = services.action_item_create(
        actor=staff,
        group=group,
        title="Invite two landlords to speak",
        owner_member=staff,
        due_date=today - timedelta(days=5),
    )
    return overdue


def test_staff_member_reaches_an_overdue_item_from_home_in_one_tap(browser, sign_in, url, world):
    overdue: ActionItem = world
    page = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(page, "sam@example.org", TEST_PASSWORD)

    # Straight to the home of their one collaborative, which lists their items.
    expect(page).to_have_url(url("/c/riverside/"))
    items = page.locator("section", has=page.get_by_role("heading", name="Your action items"))
    expect(items).to_be_visible()
    # Overdue first, and it says so.
    first = items.locator("li").first
    expect(first).to_contain_text("Invite two landlords to speak")
    expect(first).to_contain_text("overdue since")

    # One tap: the item's own page.
    first.get_by_role("link", name="Invite two landlords to speak").click()
    expect(page).to_have_url(
        url(reverse("workgroups:action_item", args=["riverside", overdue.public_id]))
    )
    expect(page.get_by_role("heading", name="Invite two landlords to speak")).to_be_visible()
    expect(page.get_by_text("Overdue").first).to_be_visible()
