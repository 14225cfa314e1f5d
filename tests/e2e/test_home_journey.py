"""A community member signs in on a 390 px phone and lands on their home in their one
collaborative (no "My collaboratives" hop): it says a poll is waiting for their vote;
they vote in three taps, and the poll leaves their home. The header is one compact row
and its menu is a <details> disclosure that opens with JavaScript off."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from stakeholders.models import Member
from tests.factories import TEST_PASSWORD, CollaborativeFactory, MemberFactory
from workgroups import services
from workgroups.models import GroupMembership
from workgroups.polls import services as polls
from workgroups.polls.models import Poll

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def world(db):
    collaborative = CollaborativeFactory(name="Riverside Reentry Network", slug="riverside")
    backbone = MemberFactory(collaborative=collaborative, role=Member.Role.BACKBONE)
    group = services.group_create(actor=backbone, name="Housing Working Group", chairs=[])
    dana = MemberFactory(
        collaborative=collaborative,
        role=Member.Role.COMMUNITY,
        user__name="Dana Rivers",
        user__email="dana@example.org",
    )
    GroupMembership.objects.create(group=group, member=dana)
    now = timezone.now()
    poll = polls.poll_create(
        actor=backbone,
        group=group,
        title="Which quick win first?",
        method=Poll.Method.APPROVAL,
        opens_at=now - timedelta(minutes=5),
        closes_at=now + timedelta(days=2),
        options=["Bus passes", "ID clinic", "Storage lockers"],
        shuffle_options=False,
    )
    polls.poll_open(actor=backbone, poll=poll)
    return poll


def test_sign_in_on_a_phone_see_the_poll_and_vote_from_home(browser, url, world):
    # JavaScript off: sign-in, the home, voting and the menu all work without it.
    context = browser.new_context(viewport=PHONE, is_mobile=True, java_script_enabled=False)
    page = context.new_page()
    page.goto(url("/accounts/login/"))
    main = page.get_by_role("main")
    main.get_by_label("Email").fill("dana@example.org")
    main.get_by_label("Password").fill(TEST_PASSWORD)
    main.get_by_role("button", name="Sign in").click()

    # Straight in: the home of their one collaborative, saying what needs them.
    expect(page).to_have_url(url("/c/riverside/"))
    expect(page.get_by_role("heading", name="A poll is waiting for your vote")).to_be_visible()

    # The header is one compact row: well under a tenth of the screen.
    header = page.locator("header.site-header").bounding_box()
    assert header is not None and header["height"] < 0.1 * PHONE["height"]

    # The menu is a <details> disclosure, closed until tapped, and opens without JS.
    menu = page.locator("details.site-menu")
    expect(menu).not_to_have_attribute("open", "")
    polls_link = page.get_by_role("navigation", name="Riverside Reentry Network sections")
    expect(polls_link.get_by_role("link", name="Polls")).to_be_hidden()
    menu.locator("summary").click()
    expect(menu).to_have_attribute("open", "")
    expect(polls_link.get_by_role("link", name="Polls")).to_be_visible()
    menu.locator("summary").click()
    expect(polls_link.get_by_role("link", name="Polls")).to_be_hidden()

    # Three taps: the poll, an option, cast.
    page.get_by_role("link", name="Which quick win first?").first.click()
    page.get_by_label("Bus passes").check()
    page.get_by_role("button", name="Cast my ballot").click()
    expect(page.get_by_role("status")).to_contain_text("ballot")

    # Home again: nothing waits for their vote any more.
    page.get_by_role("link", name="Riverside Reentry Network").first.click()
    expect(page).to_have_url(url("/c/riverside/"))
    expect(page.get_by_role("heading", name="A poll is waiting for your vote")).to_have_count(0)
    context.close()
