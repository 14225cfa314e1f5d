"""A community member votes in a ranked-choice poll on a phone-sized screen — by tapping
the options in order — then changes their ballot; another votes with JavaScript off,
using the rank menus alone. The poll closes on time (the beat task), and the results
show every round of the count. Real browser, real forms, strict CSP."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from stakeholders.models import Member
from tests.factories import TEST_PASSWORD, CollaborativeFactory, MemberFactory
from workgroups import services
from workgroups.models import GroupMembership
from workgroups.polls import selectors as poll_selectors
from workgroups.polls import services as polls
from workgroups.polls.models import Poll

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def shoot(page, name: str) -> None:
    """Save a full-page screenshot when E2E_SCREENSHOTS names a folder (for review)."""
    folder = os.environ.get("E2E_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def world(db):
    # Four voters: a secret poll shows its count only from the small-number threshold.
    collaborative = CollaborativeFactory(
        name="Riverside Reentry Network", slug="riverside", small_cell_threshold=3
    )
    backbone = MemberFactory(collaborative=collaborative, role=Member.Role.BACKBONE)
    group = services.group_create(actor=backbone, name="Housing Working Group", chairs=[])
    people = {
        name: MemberFactory(
            collaborative=collaborative,
            role=Member.Role.COMMUNITY,
            user__name=name,
            user__email=f"{name.split()[0].lower()}@example.org",
        )
        for name in ("Dana Rivers", "Eli Brooks", "Fran Ortiz", "Gus Lee")
    }
    for person in people.values():
        GroupMembership.objects.create(group=group, member=person)
    now = timezone.now()
    poll = polls.poll_create(
        actor=backbone,
        group=group,
        title="Which quick win first?",
        method=Poll.Method.IRV,
        opens_at=now - timedelta(minutes=5),
        closes_at=now + timedelta(days=2),
        options=["Bus passes", "ID clinic", "Storage lockers"],
        shuffle_options=False,
        is_secret=True,
    )
    polls.poll_open(actor=backbone, poll=poll)
    keys = {o.label: o.key for o in poll.options.all()}
    polls.ballot_cast(actor=people["Eli Brooks"], poll=poll, choices=[keys["Bus passes"]])
    polls.ballot_cast(actor=people["Fran Ortiz"], poll=poll, choices=[keys["ID clinic"]])
    return poll, people, keys


def _sign_in(page, url, email):
    page.goto(url("/accounts/login/"))
    main = page.get_by_role("main")
    main.get_by_label("Email").fill(email)
    main.get_by_label("Password").fill(TEST_PASSWORD)
    main.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_vote_on_a_phone_change_it_and_see_the_rounds(browser, url, world):
    poll, people, keys = world
    dana = people["Dana Rivers"]
    poll_path = f"/c/riverside/polls/{poll.public_id}/"

    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    _sign_in(page, url, dana.user.email)

    page.goto(url(poll_path))
    page.get_by_role("link", name="Vote now").click()
    expect(page.get_by_text("Tap the options in the order you like them")).to_be_visible()
    # Tap to rank: Storage lockers first, ID clinic second.
    page.locator("[data-rank-option]", has_text="Storage lockers").locator(".vote-label").tap()
    page.locator("[data-rank-option]", has_text="ID clinic").locator(".vote-label").tap()
    expect(page.get_by_label("Storage lockers")).to_have_value("1")
    expect(page.get_by_label("ID clinic")).to_have_value("2")
    shoot(page, "voting-phone")
    page.get_by_role("button", name="Cast my ballot").click()
    expect(page.get_by_text("Your ballot is saved. You can change it until")).to_be_visible()
    assert poll_selectors.my_choices(poll, dana) == [keys["Storage lockers"], keys["ID clinic"]]

    # Change it: start again, rank Storage lockers then Bus passes.
    page.get_by_role("button", name="Start again").click()
    expect(page.get_by_label("ID clinic")).to_have_value("")
    page.locator("[data-rank-option]", has_text="Storage lockers").locator(".vote-label").tap()
    page.locator("[data-rank-option]", has_text="Bus passes").locator(".vote-label").tap()
    page.get_by_role("button", name="Save my new ballot").click()
    expect(page.get_by_text("Your ballot is saved.")).to_be_visible()
    assert poll_selectors.my_choices(poll, dana) == [keys["Storage lockers"], keys["Bus passes"]]
    assert problems == []

    # Results stay hidden while the poll is open.
    page.goto(url(poll_path + "results/"))
    expect(page.get_by_text("Results are hidden until the poll closes")).to_be_visible()
    context.close()

    # Gus votes with JavaScript off: the rank menus alone.
    no_js = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = no_js.new_page()
    _sign_in(page, url, people["Gus Lee"].user.email)
    page.goto(url(poll_path + "vote/"))
    page.get_by_label("Storage lockers").select_option("1")
    page.get_by_role("button", name="Cast my ballot").click()
    expect(page.get_by_text("Your ballot is saved.")).to_be_visible()
    no_js.close()

    # The poll's time is up: the beat task closes and counts it.
    Poll.objects.filter(pk=poll.pk).update(
        opens_at=timezone.now() - timedelta(hours=1),
        closes_at=timezone.now() - timedelta(seconds=1),
    )
    assert polls.polls_open_and_close_due() == (0, 1)

    # Round 1: Bus passes 1, ID clinic 1, Storage lockers 2 of 4 — no majority.
    # ID clinic goes out (tie with Bus passes, later on the list); its ballot is
    # exhausted; round 2: Storage lockers 2 of 3 continuing wins.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _sign_in(page, url, dana.user.email)
    page.goto(url(poll_path + "results/"))
    expect(page.get_by_role("heading", name="Round by round")).to_be_visible()
    rounds = page.locator("table.rounds")
    expect(rounds.get_by_role("columnheader", name="Round 2")).to_be_visible()
    expect(rounds.get_by_text("Storage lockers wins with more than half")).to_be_visible()
    expect(page.locator(".poll-winners")).to_contain_text("Storage lockers")
    shoot(page, "results-desktop")
    page.set_viewport_size(PHONE)
    shoot(page, "results-phone")
    context.close()
