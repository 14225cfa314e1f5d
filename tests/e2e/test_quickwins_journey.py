"""A community member proposes a quick win from a phone, keeping their name private;
backbone staff shortlist it and choose it, which puts a priority and action items in
the Housing group's plan; the journey page shows it chosen. Real browser, real forms."""

import zoneinfo
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from stakeholders.models import Member
from tests.factories import (
    TEST_PASSWORD,
    CollaborativeFactory,
    KeyAreaFactory,
    MemberFactory,
    OrganizationFactory,
    SectorFactory,
)
from workgroups import services
from workgroups.models import ActionItem, ActionPlan
from workgroups.quickwins.models import QuickWin

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def riverside(db):
    collaborative = CollaborativeFactory(name="Riverside Reentry Network", slug="riverside")
    housing = KeyAreaFactory(collaborative=collaborative, name="Housing", slug="housing")
    shelters = SectorFactory(collaborative=collaborative, name="Housing", slug="housing")
    backbone = MemberFactory(
        collaborative=collaborative, role=Member.Role.BACKBONE, user__name="Bea Backbone"
    )
    provider = MemberFactory(
        collaborative=collaborative,
        role=Member.Role.PROVIDER_STAFF,
        organization=OrganizationFactory(
            collaborative=collaborative, sector=shelters, name="Second Step Housing"
        ),
        user__name="Pat Provider",
    )
    neighbor = MemberFactory(
        collaborative=collaborative, role=Member.Role.COMMUNITY, user__name="Dee Community"
    )
    group = services.group_create(
        actor=backbone, name="Housing Working Group", key_area=housing, chairs=[]
    )
    return group, backbone, provider, neighbor


def test_from_a_phone_idea_to_planned_work(browser, url, sign_in, riverside):
    group, backbone, provider, neighbor = riverside

    # A community member proposes on a phone, and keeps their name private.
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = phone.new_page()
    sign_in(page, neighbor.user.email, TEST_PASSWORD)
    page.goto(url("/c/riverside/quick-wins/"))
    page.get_by_role("link", name="Propose a quick win").first.click()
    page.get_by_label("Your idea in a few words").fill("Storage lockers at the shelter")
    page.get_by_label("What problem would it fix?").fill(
        "People carry everything they own to every job interview."
    )
    page.get_by_label("About how many weeks from start to done?").fill("5")
    page.get_by_label("Housing", exact=True).check()
    page.get_by_label("Which working group could own it?").select_option(label=group.name)
    page.get_by_label("Keep my name private").check()
    page.get_by_role("button", name="Send my idea").click()
    expect(page.get_by_role("heading", name="Storage lockers at the shelter")).to_be_visible()
    expect(page.get_by_text("only backbone staff see your name")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.close()
    quick_win = QuickWin.objects.get(title="Storage lockers at the shelter")
    assert quick_win.is_anonymous and quick_win.proposer == neighbor

    # Backbone staff shortlist it, then choose it into the group's plan.
    desk = browser.new_context()
    page = desk.new_page()
    sign_in(page, backbone.user.email, TEST_PASSWORD)
    page.goto(url(f"/c/riverside/quick-wins/{quick_win.public_id}/"))
    expect(page.get_by_text(neighbor.user.name)).to_be_visible()  # backbone may see who
    page.get_by_role("button", name="Shortlist it").click()
    expect(page.get_by_text("Now: shortlisted.")).to_be_visible()
    page.get_by_role("link", name="Choose it and plan the work").click()
    page.get_by_label("First action item").fill("Get a quote for eight lockers")
    page.get_by_label("More action items (optional)").fill("Ask the shelter for wall space")
    page.get_by_label("Person who owns it").select_option(
        label="Pat Provider · Second Step Housing"
    )
    due = timezone.localdate() + timedelta(days=30)
    page.get_by_label("Due").fill(due.isoformat())
    page.get_by_role("button", name="Choose it and add the work to the plan").click()
    expect(
        page.get_by_text("Chosen. Its work is now in the plan of Housing Working Group.")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Get a quote for eight lockers")).to_be_visible()

    quick_win.refresh_from_db()
    assert quick_win.status == QuickWin.Status.SELECTED
    plan = ActionPlan.objects.get(group=group)
    items = ActionItem.objects.filter(priority__plan=plan).order_by("title")
    assert [i.title for i in items] == [
        "Ask the shelter for wall space",
        "Get a quote for eight lockers",
    ]
    assert {i.owner_member for i in items} == {provider}

    # The journey page shows it chosen today.
    page.get_by_role("link", name="Quick wins", exact=True).first.click()
    page.get_by_role("navigation", name="Quick wins").get_by_role("link", name="Journey").click()
    row = page.locator(".qw-row").filter(has_text="Storage lockers at the shelter")
    expect(row.locator(".qw-status")).to_have_text("Chosen")
    reached = row.locator(".qw-step.is-reached")
    expect(reached).to_have_count(2)
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(group.collaborative.time_zone))
    expect(reached.nth(1).locator(".qw-step-label")).to_have_text("Chosen")
    expect(reached.nth(1).locator("time")).to_have_text(f"{today.day} {today:%b %Y}")
    desk.close()
