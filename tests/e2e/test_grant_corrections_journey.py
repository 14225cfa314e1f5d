"""The coordinator corrects a grant's books in a real browser: fixes an expense amount
(the total follows), removes an expense entered twice with a reason (it stays, struck
out, and the total goes down), and tries to remove a budget line that still has an
expense (the page says why not and offers what to do instead)."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from mentorship.models import BudgetLine, Expense
from stakeholders.models import Member
from tests.factories import TEST_PASSWORD, CollaborativeFactory, MemberFactory
from tests.mentorship.factories import BudgetLineFactory, GrantFactory, ProgramFactory

pytestmark = pytest.mark.e2e

D = Decimal


@pytest.fixture
def books(db):
    """A $12,000 grant; the coordinator line ($6,000) has two expenses: November pay
    ($500, should have been $450) and printer ink ($120, entered twice)."""
    collaborative = CollaborativeFactory(name="Riverside Reentry Network", slug="riverside")
    coordinator = MemberFactory(
        collaborative=collaborative, role=Member.Role.COMMUNITY, user__name="Casey Coordinator"
    )
    program = ProgramFactory(
        collaborative=collaborative,
        name="Second Chances",
        slug="second-chances",
        coordinators=[coordinator],
    )
    today = program.collaborative.today()
    grant = GrantFactory(
        program=program,
        funder="County Community Foundation",
        amount=D("12000"),
        starts_on=today.replace(month=1, day=1),
        ends_on=today.replace(month=12, day=31),
    )
    line = BudgetLineFactory(
        grant=grant, category="coordinator", label="Coordinator, half time", amount=D("6000")
    )
    BudgetLineFactory(grant=grant, category="training", amount=D("1000"))
    pay = Expense.objects.create(
        budget_line=line, date=today, amount=D("500"), description="November pay"
    )
    ink = Expense.objects.create(
        budget_line=line, date=today, amount=D("120"), description="Printer ink"
    )
    return program, coordinator, grant, line, pay, ink


def _spent(page):
    return page.locator(".stat", has=page.locator(".label", has_text=re.compile(r"^Spent$")))


def test_correct_remove_and_keep_a_line(browser, url, sign_in, books):
    program, coordinator, grant, line, pay, ink = books
    page = browser.new_page()
    sign_in(page, coordinator.user.email, TEST_PASSWORD)
    grant_path = f"/c/riverside/mentoring/{program.public_id}/grants/{grant.public_id}/"
    page.goto(url(grant_path))
    expect(page.get_by_role("heading", name="County Community Foundation")).to_be_visible()
    expect(_spent(page).locator(".value")).to_have_text("$620.00")

    # 1. November pay was $450, not $500: correct it and see the new total.
    page.get_by_role("link", name="Correct November pay").click()
    expect(page.get_by_role("heading", name="Correct an expense")).to_be_visible()
    expect(page.get_by_label("Amount")).to_have_value("500.00")
    page.get_by_label("Amount").fill("450")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_text("Expense corrected.")).to_be_visible()
    expect(_spent(page).locator(".value")).to_have_text("$570.00")
    pay.refresh_from_db()
    assert pay.amount == D("450.00")

    # A bad amount is a clear error and the form keeps what was typed.
    page.get_by_role("link", name="Correct November pay").click()
    page.get_by_label("Amount").fill("-3")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_text(re.compile("greater than or equal to 0.01"))).to_be_visible()
    expect(page.get_by_label("Amount")).to_have_value("-3")
    page.get_by_role("link", name="Cancel").click()

    # 2. The printer ink was entered twice: remove it, with a reason.
    page.get_by_role("link", name="Remove Printer ink").click()
    expect(page.get_by_role("heading", name="Remove an expense")).to_be_visible()
    page.get_by_role("button", name="Remove the expense").click()  # no reason yet
    expect(page.get_by_text("This field is required.")).to_be_visible()
    page.get_by_label("Why remove it?").fill("Entered twice")
    page.get_by_role("button", name="Remove the expense").click()
    expect(page.get_by_text("Expense removed. It stays on the record, struck out.")).to_be_visible()
    removed = page.locator("tr.ms-void", has_text="Printer ink")
    expect(removed).to_be_visible()
    expect(removed.locator("del")).to_have_text("$120.00")
    expect(removed).to_contain_text("Entered twice")
    expect(removed.get_by_role("link", name="Remove Printer ink")).to_have_count(0)
    expect(_spent(page).locator(".value")).to_have_text("$450.00")
    ink.refresh_from_db()
    assert ink.voided_at is not None and ink.void_reason == "Entered twice"

    # 3. The coordinator line still has November pay: it cannot be removed.
    page.get_by_role("link", name="Remove Coordinator, half time").click()
    expect(page.get_by_role("heading", name="Remove a budget line")).to_be_visible()
    expect(page.get_by_text("This line cannot be removed.")).to_be_visible()
    expect(page.get_by_text(re.compile("1 expense is entered against this line"))).to_be_visible()
    expect(page.get_by_role("button", name="Remove the line")).to_have_count(0)
    page.get_by_role("link", name="Back to the grant").click()
    expect(page.get_by_role("link", name="Remove Coordinator, half time")).to_be_visible()
    assert BudgetLine.objects.filter(pk=line.pk).exists()
    page.close()
