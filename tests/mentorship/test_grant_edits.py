"""Correcting a grant's money records: change or remove a budget line, correct or remove
(void) an expense. Managers only; everyone else gets a 404 and nothing changes; every
change is in the audit log with what it said before and after."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from mentorship import reports
from mentorship.models import BudgetLine, Expense, Program, Session
from mentorship.services import grants, sessions
from reentry.audit.models import AuditEvent
from tests.mentorship.factories import BudgetLineFactory, GrantFactory

D = Decimal


def _url(name, w, **kw):
    return reverse(
        f"mentorship:{name}",
        kwargs={"slug": w.collab.slug, "program_id": w.program.public_id, **kw},
    )


@pytest.fixture
def g(mworld):
    """A $12,000 grant: stipends $4,000, coordinator $6,000 with one $500 expense,
    training $1,000 with nothing spent."""
    today = mworld.program.collaborative.today()
    grant = GrantFactory(
        program=mworld.program,
        amount=D("12000"),
        starts_on=today.replace(day=1) - timedelta(days=120),
        ends_on=today + timedelta(days=240),
    )
    stipends = BudgetLineFactory(grant=grant, category="stipends", amount=D("4000"))
    coord = BudgetLineFactory(grant=grant, category="coordinator", amount=D("6000"), label="Half")
    training = BudgetLineFactory(grant=grant, category="training", amount=D("1000"))
    expense = Expense.objects.create(
        budget_line=coord, date=today, amount=D("500"), description="November pay"
    )
    return type(
        "G",
        (),
        {
            "grant": grant,
            "stipends": stipends,
            "coord": coord,
            "training": training,
            "expense": expense,
            "today": today,
        },
    )


def _urls(w, g):
    kw = {"grant_id": g.grant.public_id}
    return [
        (_url("budget_line_edit", w, line_id=g.coord.public_id, **kw), {"amount": "1"}),
        (_url("budget_line_remove", w, line_id=g.training.public_id, **kw), {}),
        (_url("expense_edit", w, expense_id=g.expense.public_id, **kw), {"amount": "1"}),
        (_url("expense_remove", w, expense_id=g.expense.public_id, **kw), {"reason": "x"}),
    ]


def _snapshot(g):
    return (
        list(BudgetLine.objects.filter(grant=g.grant).values_list("pk", "category", "amount")),
        list(
            Expense.objects.filter(budget_line__grant=g.grant).values_list(
                "pk", "amount", "date", "voided_at"
            )
        ),
    )


class TestAccess:
    @pytest.mark.parametrize("who", ["coordinator", "backbone"])
    def test_managers_open_every_correction_page(self, mworld, g, login, who):
        member = mworld.coordinator if who == "coordinator" else mworld.cast.backbone
        client = login(member)
        for url, _data in _urls(mworld, g):
            assert client.get(url).status_code == 200, url

    @pytest.mark.parametrize("who", ["mentor", "staff_a", "community", "outsider"])
    def test_everyone_else_gets_404_and_nothing_changes(self, mworld, g, login, who):
        member = mworld.mentor_1.applicant.member if who == "mentor" else getattr(mworld.cast, who)
        client = login(member)
        before = _snapshot(g)
        for url, data in _urls(mworld, g):
            assert client.get(url).status_code == 404, url
            assert client.post(url, data).status_code == 404, url
        assert _snapshot(g) == before
        assert not AuditEvent.objects.filter(action__startswith="mentorship.budget_line_").exists()
        assert not AuditEvent.objects.filter(action__startswith="mentorship.expense_").exists()

    def test_another_programs_line_is_404_under_this_grant(self, mworld, g, login):
        other = BudgetLineFactory(grant=GrantFactory(program=mworld.program))
        url = _url("budget_line_edit", mworld, grant_id=g.grant.public_id, line_id=other.public_id)
        assert login(mworld.coordinator).get(url).status_code == 404

    def test_the_services_refuse_non_managers(self, mworld, g):
        staff = mworld.cast.staff_a
        with pytest.raises(PermissionDenied):
            grants.budget_line_change(
                actor=staff, line=g.coord, category="coordinator", label="", amount=D("1")
            )
        with pytest.raises(PermissionDenied):
            grants.budget_line_remove(actor=staff, line=g.training)
        with pytest.raises(PermissionDenied):
            grants.expense_void(actor=staff, expense=g.expense, reason="x")


class TestBudgetLines:
    def test_change_a_line_and_the_totals_follow(self, mworld, g, login):
        client = login(mworld.coordinator)
        url = _url(
            "budget_line_edit", mworld, grant_id=g.grant.public_id, line_id=g.coord.public_id
        )
        response = client.post(
            url, {"category": "coordinator", "label": "Half time", "amount": "5000"}
        )
        assert response.status_code == 302
        g.coord.refresh_from_db()
        assert (g.coord.label, g.coord.amount) == ("Half time", D("5000.00"))
        assert reports.spending(g.grant).budgeted == D("10000.00")
        event = AuditEvent.objects.get(action="mentorship.budget_line_changed")
        assert event.actor == mworld.coordinator.user
        assert event.details["before"]["amount"] == "6000.00"
        assert event.details["after"]["amount"] == "5000.00"
        assert event.details["after"]["label"] == "Half time"

    def test_over_the_grant_keeps_what_was_typed(self, mworld, g, login):
        client = login(mworld.coordinator)
        url = _url(
            "budget_line_edit", mworld, grant_id=g.grant.public_id, line_id=g.coord.public_id
        )
        response = client.post(url, {"category": "coordinator", "label": "Typo", "amount": "60000"})
        assert response.status_code == 200
        body = response.content.decode()
        assert "That would budget $65,000.00 of a $12,000.00 grant." in body
        assert 'value="60000"' in body and 'value="Typo"' in body
        g.coord.refresh_from_db()
        assert g.coord.amount == D("6000.00")
        assert not AuditEvent.objects.filter(action="mentorship.budget_line_changed").exists()

    @pytest.mark.parametrize("amount", ["-5", "abc", ""])
    def test_bad_amounts_are_refused_clearly(self, mworld, g, login, amount):
        client = login(mworld.coordinator)
        url = _url(
            "budget_line_edit", mworld, grant_id=g.grant.public_id, line_id=g.coord.public_id
        )
        response = client.post(url, {"category": "coordinator", "label": "", "amount": amount})
        assert response.status_code == 200
        assert 'class="errorlist' in response.content.decode()
        g.coord.refresh_from_db()
        assert g.coord.amount == D("6000.00")

    def test_changing_to_the_same_total_as_the_grant_is_allowed(self, mworld, g):
        # the line's own old amount is not counted twice
        grants.budget_line_change(
            actor=mworld.coordinator,
            line=g.coord,
            category="coordinator",
            label="",
            amount=D("7000"),
        )
        assert reports.spending(g.grant).budgeted == g.grant.amount

    def test_a_line_with_expenses_cannot_become_stipends(self, mworld, g):
        with pytest.raises(ValidationError) as exc:
            grants.budget_line_change(
                actor=mworld.coordinator,
                line=g.coord,
                category="stipends",
                label="",
                amount=D("6000"),
            )
        assert "category" in exc.value.message_dict

    def test_remove_an_unused_line(self, mworld, g, login):
        client = login(mworld.coordinator)
        url = _url(
            "budget_line_remove", mworld, grant_id=g.grant.public_id, line_id=g.training.public_id
        )
        page = client.get(url).content.decode()
        assert "Remove the line" in page and 'method="post"' in page
        assert client.post(url).status_code == 302
        assert not BudgetLine.objects.filter(pk=g.training.pk).exists()
        event = AuditEvent.objects.get(action="mentorship.budget_line_removed")
        assert event.details["before"] == {
            "category": "training",
            "label": "",
            "amount": "1000.00",
        }
        assert reports.spending(g.grant).budgeted == D("10000.00")

    def test_a_line_with_expenses_stays_and_the_page_says_why(self, mworld, g, login):
        client = login(mworld.coordinator)
        url = _url(
            "budget_line_remove", mworld, grant_id=g.grant.public_id, line_id=g.coord.public_id
        )
        page = client.get(url).content.decode()
        assert "1 expense is entered against this line" in page
        assert "Remove the line" not in page
        response = client.post(url)
        assert response.status_code == 200
        assert BudgetLine.objects.filter(pk=g.coord.pk).exists()
        assert not AuditEvent.objects.filter(action="mentorship.budget_line_removed").exists()

    def test_a_line_with_only_removed_expenses_still_stays(self, mworld, g):
        grants.expense_void(actor=mworld.coordinator, expense=g.expense, reason="Twice")
        assert "Removed expenses stay" in (grants.why_line_stays(g.coord) or "")
        with pytest.raises(ValidationError):
            grants.budget_line_remove(actor=mworld.coordinator, line=g.coord)

    def test_a_stipends_line_with_ledger_stipends_stays(self, mworld, g):
        Program.objects.filter(pk=mworld.program.pk).update(stipend_per_session=D("40"))
        Session.objects.filter(pk=mworld.session_1.pk).update(date=g.today)
        sessions.sessions_approve(
            actor=mworld.coordinator,
            program=mworld.program,
            session_ids=[mworld.session_1.public_id],
        )
        assert reports.spending(g.grant).stipends > 0
        assert "stipends from the ledger" in (grants.why_line_stays(g.stipends) or "")
        with pytest.raises(ValidationError):
            grants.budget_line_remove(actor=mworld.coordinator, line=g.stipends)
        with pytest.raises(ValidationError):
            grants.budget_line_change(
                actor=mworld.coordinator,
                line=g.stipends,
                category="other",
                label="",
                amount=D("4000"),
            )


class TestExpenses:
    def _edit(self, w, g):
        return _url("expense_edit", w, grant_id=g.grant.public_id, expense_id=g.expense.public_id)

    def _remove(self, w, g):
        return _url("expense_remove", w, grant_id=g.grant.public_id, expense_id=g.expense.public_id)

    def test_correct_an_expense_and_the_totals_follow(self, mworld, g, login):
        client = login(mworld.coordinator)
        response = client.post(
            self._edit(mworld, g),
            {
                "budget_line": g.training.pk,
                "date": g.today.isoformat(),
                "amount": "50",
                "description": "Workbooks",
            },
        )
        assert response.status_code == 302
        g.expense.refresh_from_db()
        assert (g.expense.budget_line, g.expense.amount) == (g.training, D("50.00"))
        s = reports.spending(g.grant)
        by_line = {row.line.pk: row.spent for row in s.rows}
        assert (by_line[g.coord.pk], by_line[g.training.pk], s.expenses) == (0, D("50"), D("50"))
        assert sum(v for _d, v in s.events) == D("50")
        event = AuditEvent.objects.get(action="mentorship.expense_changed")
        assert event.details["before"]["amount"] == "500.00"
        assert event.details["before"]["category"] == "coordinator"
        assert event.details["after"]["amount"] == "50.00"
        assert event.details["after"]["description"] == "Workbooks"

    def test_a_bad_correction_keeps_what_was_typed(self, mworld, g, login):
        client = login(mworld.coordinator)
        response = client.post(
            self._edit(mworld, g),
            {
                "budget_line": g.coord.pk,
                "date": (g.grant.ends_on + timedelta(days=5)).isoformat(),
                "amount": "55.25",
                "description": "Typed again",
            },
        )
        assert response.status_code == 200
        body = response.content.decode()
        assert "The date must be within the grant" in body
        assert 'value="55.25"' in body and 'value="Typed again"' in body
        g.expense.refresh_from_db()
        assert g.expense.amount == D("500.00")

    def test_an_expense_cannot_move_to_the_stipends_line(self, mworld, g):
        with pytest.raises(ValidationError):
            grants.expense_change(
                actor=mworld.coordinator,
                expense=g.expense,
                budget_line=g.stipends,
                on=g.today,
                amount=D("1"),
                description="x",
            )

    def test_remove_needs_a_reason(self, mworld, g, login):
        client = login(mworld.coordinator)
        response = client.post(self._remove(mworld, g), {"reason": "   "})
        assert response.status_code == 200
        assert "This field is required." in response.content.decode()
        g.expense.refresh_from_db()
        assert g.expense.voided_at is None
        with pytest.raises(ValidationError):
            grants.expense_void(actor=mworld.coordinator, expense=g.expense, reason=" ")

    def test_remove_voids_it_keeps_it_on_the_page_and_out_of_the_totals(self, mworld, g, login):
        client = login(mworld.coordinator)
        assert reports.spending(g.grant).expenses == D("500")
        response = client.post(self._remove(mworld, g), {"reason": "Entered twice"})
        assert response.status_code == 302
        g.expense.refresh_from_db()
        assert g.expense.is_void and g.expense.voided_by == mworld.coordinator.user
        assert g.expense.void_reason == "Entered twice"
        s = reports.spending(g.grant)
        assert (s.expenses, s.total, s.events) == (0, 0, [])
        months = reports.burn_down(g.grant, g.today)
        assert all(not m.spent for m in months)
        event = AuditEvent.objects.get(action="mentorship.expense_removed")
        assert event.details["reason"] == "Entered twice"
        assert event.details["before"]["amount"] == "500.00"
        page = client.get(_url("grant", mworld, grant_id=g.grant.public_id)).content.decode()
        assert "<del>$500.00</del>" in page and "Entered twice" in page
        assert self._edit(mworld, g) not in page
        # a removed expense cannot be changed or removed again
        assert client.get(self._edit(mworld, g)).status_code == 302
        with pytest.raises(ValidationError):
            grants.expense_void(actor=mworld.coordinator, expense=g.expense, reason="again")
        assert AuditEvent.objects.filter(action="mentorship.expense_removed").count() == 1


class TestGrantPage:
    def test_each_line_and_expense_has_its_controls(self, mworld, g, login):
        page = (
            login(mworld.coordinator)
            .get(_url("grant", mworld, grant_id=g.grant.public_id))
            .content.decode()
        )
        kw = {"grant_id": g.grant.public_id}
        for line in (g.stipends, g.coord, g.training):
            assert _url("budget_line_edit", mworld, line_id=line.public_id, **kw) in page
            assert _url("budget_line_remove", mworld, line_id=line.public_id, **kw) in page
        assert _url("expense_edit", mworld, expense_id=g.expense.public_id, **kw) in page
        assert _url("expense_remove", mworld, expense_id=g.expense.public_id, **kw) in page
        assert "<script" not in page.split("<main", 1)[1].split("</main>", 1)[0]

    def test_query_count_is_flat_with_many_lines_and_expenses(
        self, mworld, g, login, count_queries
    ):
        client = login(mworld.coordinator)
        url = _url("grant", mworld, grant_id=g.grant.public_id)
        one = count_queries(client, url)
        g.grant.amount = D("100000")
        g.grant.save()
        for k in range(15):
            line = BudgetLineFactory(grant=g.grant, category="other", amount=D("10"), label=f"L{k}")
            e = Expense.objects.create(
                budget_line=line, date=g.today, amount=D("1"), description=f"e{k}"
            )
            if k % 2:
                grants.expense_void(actor=mworld.coordinator, expense=e, reason="oops")
        assert count_queries(client, url) == one
