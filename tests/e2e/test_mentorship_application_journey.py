"""A person applies to mentor from a phone, without an account; the coordinator moves the
application through the pipeline, records training, and approves."""

import pytest
from playwright.sync_api import expect

from mentorship.models import Applicant, Stage
from stakeholders.models import Member
from tests.factories import TEST_PASSWORD, CollaborativeFactory, KeyAreaFactory, MemberFactory
from tests.mentorship.factories import ProgramFactory, TrainingModuleFactory

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def program(db):
    collaborative = CollaborativeFactory(name="Riverside Reentry Network", slug="riverside")
    KeyAreaFactory(collaborative=collaborative, name="Employment", slug="employment")
    coordinator = MemberFactory(
        collaborative=collaborative,
        role=Member.Role.COMMUNITY,
        user__name="Casey Coordinator",
        user__email="casey@riverside.example.org",
    )
    program = ProgramFactory(
        collaborative=collaborative,
        name="Second Chances Mentoring",
        slug="second-chances",
        coordinators=[coordinator],
    )
    TrainingModuleFactory(program=program, name="Boundaries and safety")
    return program, coordinator


def test_apply_on_a_phone_then_the_coordinator_approves(browser, url, sign_in, program):
    program, coordinator = program

    # 1. On a phone, no account: the public application form.
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.goto(url("/apply/riverside/second-chances/"))
    expect(
        page.get_by_role("heading", name="Become a mentor with Second Chances Mentoring")
    ).to_be_visible()
    main = page.get_by_role("main")
    main.get_by_label("Your name").fill("Dana Rivers")
    main.get_by_label("Phone").fill("319-555-0101")
    main.get_by_label("Why would you like to be a mentor?").fill(
        "Someone helped me when I came home."
    )
    main.get_by_label("Yes, I have lived experience of incarceration or reentry").check()
    main.get_by_label("Employment").check()
    main.get_by_label("Monday · Evening (5–9)").check()
    main.get_by_label("Which part of town do you live in?").fill("Northside")
    main.get_by_role("button", name="Send my application").click()
    # The consent box was left unticked: the form says so and keeps what was typed.
    expect(main.get_by_text("This field is required.")).to_be_visible()
    expect(main.get_by_label("Your name")).to_have_value("Dana Rivers")
    main.get_by_label("You may contact me about mentoring.").check()
    main.get_by_role("button", name="Send my application").click()
    expect(page.get_by_role("heading", name="Thank you for applying")).to_be_visible()
    # Nothing is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.close()

    applicant = Applicant.objects.get()
    assert applicant.stage == Stage.APPLIED

    # 2. The coordinator moves the card along the board.
    desk = browser.new_context()
    page = desk.new_page()
    sign_in(page, coordinator.user.email, TEST_PASSWORD)
    page.goto(url("/c/riverside/mentoring/"))
    page.get_by_role("link", name="Second Chances Mentoring").click()
    page.get_by_role("link", name="Mentor pipeline").click()
    expect(page.get_by_role("heading", name="Mentor pipeline")).to_be_visible()
    for _ in range(4):  # applied → interviewed → references → background → trained
        page.get_by_role("button", name="Move Dana Rivers to the next step").click()
        expect(page.get_by_text("Dana Rivers moved to")).to_be_visible()
    trained = page.locator("section", has=page.get_by_role("heading", name="Trained"))
    expect(trained.get_by_role("link", name="Dana Rivers")).to_be_visible()

    # 3. Approval waits for the required training.
    page.get_by_role("button", name="Approve Dana Rivers").click()
    expect(page.get_by_text("still needs this training: Boundaries and safety")).to_be_visible()
    page.get_by_role("link", name="Dana Rivers").click()
    page.get_by_text("Record training done").click()
    page.get_by_label("Module").select_option(label="Boundaries and safety")
    page.get_by_label("Completed on").fill("2026-11-20")
    page.get_by_role("button", name="Record", exact=True).click()
    expect(page.get_by_text("Training recorded.")).to_be_visible()
    page.get_by_role("button", name="Approve as a mentor").click()
    expect(page.get_by_text("Dana Rivers is approved as a mentor.")).to_be_visible()
    history = page.locator(".stage-history")
    expect(history).to_contain_text("Approved")
    expect(history).to_contain_text("Casey Coordinator")
    desk.close()

    applicant.refresh_from_db()
    assert applicant.stage == Stage.APPROVED
    assert applicant.stage_changes.count() == 6
