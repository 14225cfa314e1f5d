"""A mentor logs a session from a phone; the coordinator approves it; the stipend shows
on the mentor's monthly statement. Real browser, real forms, phone-sized screen."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from mentorship.models import Session
from reentry.stipends.models import StipendLine
from stakeholders.models import Member
from tests.factories import TEST_PASSWORD, CollaborativeFactory, KeyAreaFactory, MemberFactory
from tests.mentorship.factories import MatchFactory, MentorProfileFactory, ProgramFactory

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def program(db):
    collaborative = CollaborativeFactory(name="Riverside Reentry Network", slug="riverside")
    KeyAreaFactory(collaborative=collaborative, name="Employment", slug="employment")
    coordinator = MemberFactory(
        collaborative=collaborative, role=Member.Role.BACKBONE, user__name="Casey Coordinator"
    )
    program = ProgramFactory(
        collaborative=collaborative,
        name="Second Chances",
        slug="second-chances",
        coordinators=[coordinator],
        stipend_per_session=Decimal("15.00"),
        stipend_per_hour=Decimal("10.00"),
    )
    mentor = MentorProfileFactory(
        program=program,
        applicant__name="Marcus Mentor",
        applicant__member__user__name="Marcus Mentor",
    )
    match = MatchFactory(
        program=program,
        mentor=mentor,
        mentee__name="Jamal",
        started_at=datetime(2026, 1, 5, 17, tzinfo=UTC),
    )
    return program, coordinator, mentor.applicant.member, match


def test_log_on_a_phone_approve_and_see_the_stipend(browser, url, sign_in, program):
    program, coordinator, mentor, match = program
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in(page, mentor.user.email, TEST_PASSWORD)
    page.goto(url("/c/riverside/mentoring/log/"))
    expect(page.get_by_role("heading", name="Log a session")).to_be_visible()
    expect(page.get_by_text("With Jamal")).to_be_visible()
    # Today, an hour and in person are already chosen: pick 90 minutes and a topic.
    page.get_by_text("1½ hours").click()
    page.get_by_role("checkbox", name="Employment").check()
    page.get_by_label("Anything else you talked about").fill("The interview on Tuesday")
    page.get_by_text("Good progress").click()
    page.get_by_role("button", name="Save the session").click()
    expect(page.get_by_text("Session logged")).to_be_visible()
    session = Session.objects.get(match=match)
    assert (session.minutes, session.status) == (90, "logged")
    context.close()

    page = browser.new_page()
    sign_in(page, coordinator.user.email, TEST_PASSWORD)
    page.goto(url(f"/c/riverside/mentoring/{program.public_id}/sessions/"))
    page.get_by_role("checkbox", name=f"Marcus Mentor, {session.date:%-d %b}").check()
    page.get_by_role("button", name="Approve ticked sessions").click()
    expect(page.get_by_text("Approved 1 session: $30.00 in stipends")).to_be_visible()
    line = StipendLine.objects.get(session=session)
    assert line.amount == Decimal("30.00")  # $15 + 1.50 h × $10

    # The mentor finds it on their statement, with the gatherings' lines if any.
    page.context.clear_cookies()
    sign_in(page, mentor.user.email, TEST_PASSWORD)
    page.goto(url("/c/riverside/stipends/me/"))
    expect(page.get_by_role("heading", name="Stipend statement")).to_be_visible()
    expect(page.get_by_text("Mentoring session · Second Chances · 90 min")).to_be_visible()
    expect(page.get_by_role("cell", name="$30.00").first).to_be_visible()
