"""A group's chair opens the board and moves an action item across it, column by column:
with HTMX in place (the page does not reload), and the card's owner then finds it done
on the item's own page. Real browser, real forms."""

import pytest
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
from workgroups.models import ActionItem, GroupMembership, Update

pytestmark = pytest.mark.e2e


@pytest.fixture
def riverside(db):
    collaborative = CollaborativeFactory(name="Riverside Reentry Network", slug="riverside")
    housing = KeyAreaFactory(collaborative=collaborative, name="Housing", slug="housing")
    courts = SectorFactory(collaborative=collaborative, name="Courts", slug="courts")
    shelters = SectorFactory(collaborative=collaborative, name="Housing", slug="housing")
    backbone = MemberFactory(collaborative=collaborative, role=Member.Role.BACKBONE)
    chair = MemberFactory(
        collaborative=collaborative,
        role=Member.Role.PROVIDER_STAFF,
        organization=OrganizationFactory(collaborative=collaborative, sector=shelters),
        user__name="Casey Chair",
    )
    clerk = MemberFactory(
        collaborative=collaborative,
        role=Member.Role.PROVIDER_STAFF,
        organization=OrganizationFactory(
            collaborative=collaborative, sector=courts, name="County Court"
        ),
        user__name="Robin Clerk",
    )
    group = services.group_create(
        actor=backbone, name="Housing Working Group", key_area=housing, chairs=[]
    )
    GroupMembership.objects.create(group=group, member=chair, role="chair")
    plan = services.action_plan_create(
        actor=chair, group=group, period="2026", title="Housing plan"
    )
    priority = services.priority_add(actor=chair, plan=plan, title="No one to the street")
    item = services.action_item_create(
        actor=chair,
        group=group,
        priority=priority,
        title="Share release dates with shelters",
        owner_member=clerk,
        owner_organization=clerk.organization,
    )
    return group, chair, clerk, item


def column(page, name):
    return page.get_by_role("region", name=name)


def test_a_chair_moves_an_item_across_the_board(page, url, sign_in, riverside):
    group, chair, clerk, item = riverside
    sign_in(page, chair.user.email, TEST_PASSWORD)
    page.goto(url(f"/c/riverside/groups/{group.public_id}/"))
    page.get_by_role("link", name="Board").first.click()
    expect(page.get_by_role("heading", name="Housing Working Group: the board")).to_be_visible()

    card = column(page, "Not started").get_by_role("listitem").filter(has_text=item.title)
    expect(card).to_be_visible()
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads

    card.get_by_role("button", name=f"In progress: {item.title}").click()
    in_progress = column(page, "In progress")
    expect(in_progress.get_by_role("link", name=item.title)).to_be_visible()
    expect(column(page, "Not started").get_by_text(item.title)).to_have_count(0)
    expect(page.locator("#board-status")).to_have_text(f"Moved “{item.title}” to In progress.")

    in_progress.get_by_role("button", name=f"Blocked: {item.title}").click()
    expect(column(page, "Blocked").get_by_role("link", name=item.title)).to_be_visible()
    column(page, "Blocked").get_by_role("button", name=f"Done: {item.title}").click()
    done = column(page, "Done")
    expect(done.get_by_role("link", name=item.title)).to_be_visible()
    expect(done.get_by_role("link", name=item.title)).to_be_focused()
    assert page.evaluate("window.__sameDocument") is True  # HTMX, no reload

    item.refresh_from_db()
    assert item.status == ActionItem.Status.DONE
    assert Update.objects.filter(item=item).count() == 3

    # The owner, from another sector, sees it done with the dated notes.
    page.context.clear_cookies()
    sign_in(page, clerk.user.email, TEST_PASSWORD)
    page.goto(url(f"/c/riverside/groups/action-items/{item.public_id}/"))
    expect(page.get_by_role("heading", name=item.title)).to_be_visible()
    expect(page.get_by_text("Status: Blocked → Done")).to_be_visible()


def test_the_board_works_without_javascript(browser, live_server, sign_in, url, riverside):
    group, chair, clerk, item = riverside
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, chair.user.email, TEST_PASSWORD)
    page.goto(url(f"/c/riverside/groups/{group.public_id}/board/"))
    column(page, "Not started").get_by_role("button", name=f"Done: {item.title}").click()
    expect(column(page, "Done").get_by_role("link", name=item.title)).to_be_visible()
    expect(page.get_by_text(f"Moved “{item.title}” to Done.")).to_be_visible()
    context.close()
