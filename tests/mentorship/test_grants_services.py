"""Grants: writes, spending drawn from the stipend ledger and expenses, the funder report."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from mentorship import reports
from mentorship.models import BudgetLine, Match, Program, Session
from mentorship.services import grants, sessions
from reentry.audit.models import AuditEvent
from stakeholders.models import Collaborative
from tests.mentorship.factories import (
    ApplicantFactory,
    BudgetLineFactory,
    GrantFactory,
    SessionFactory,
)

D = Decimal


def _approve(w, *sessions_):
    sessions.sessions_approve(
        actor=w.coordinator, program=w.program, session_ids=[s.public_id for s in sessions_]
    )


class TestWrites:
    def test_backbone_and_coordinators_manage_grants(self, mworld):
        for user in (mworld.cast.backbone, mworld.coordinator):
            grant = grants.grant_save(
                actor=user,
                program=mworld.program,
                funder="City",
                amount=D("5000"),
                starts_on=date(2026, 1, 1),
                ends_on=date(2026, 12, 31),
            )
            assert grant.program == mworld.program

    def test_the_audit_log_names_who_saved_a_grant(self, mworld):
        grant = grants.grant_save(
            actor=mworld.coordinator,
            program=mworld.program,
            funder="City",
            amount=D("5000"),
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
        )
        grants.grant_save(
            actor=mworld.cast.backbone, program=mworld.program, grant=grant, amount=D("6000")
        )
        events = AuditEvent.objects.filter(object_id=str(grant.public_id)).order_by("pk")
        assert [(e.action, e.actor) for e in events] == [
            ("mentorship.grant_created", mworld.coordinator.user),
            ("mentorship.grant_changed", mworld.cast.backbone.user),
        ]

    @pytest.mark.parametrize("who", ["staff_a", "community", "outsider"])
    def test_others_cannot(self, mworld, who):
        with pytest.raises(PermissionDenied):
            grants.grant_save(
                actor=getattr(mworld.cast, who),
                program=mworld.program,
                funder="City",
                amount=D("5000"),
                starts_on=date(2026, 1, 1),
                ends_on=date(2026, 12, 31),
            )

    def test_a_mentor_cannot(self, mworld):
        with pytest.raises(PermissionDenied):
            grants.grant_save(
                actor=mworld.mentor_1.applicant.member,
                program=mworld.program,
                funder="x",
                amount=D("1"),
                starts_on=date(2026, 1, 1),
                ends_on=date(2026, 1, 2),
            )

    def test_the_period_must_be_in_order(self, mworld):
        with pytest.raises(ValidationError):
            grants.grant_save(
                actor=mworld.coordinator,
                program=mworld.program,
                funder="City",
                amount=D("5000"),
                starts_on=date(2026, 12, 1),
                ends_on=date(2026, 1, 1),
            )

    def test_budget_lines_cannot_add_up_to_more_than_the_grant(self, mworld):
        grant = GrantFactory(program=mworld.program, amount=D("1000"))
        grants.budget_line_add(
            actor=mworld.coordinator,
            grant=grant,
            category="coordinator",
            label="Half time",
            amount=D("700"),
        )
        with pytest.raises(ValidationError):
            grants.budget_line_add(
                actor=mworld.coordinator,
                grant=grant,
                category="training",
                label="",
                amount=D("300.01"),
            )
        with pytest.raises(ValidationError):
            grants.grant_save(
                actor=mworld.coordinator, program=mworld.program, grant=grant, amount=D("600")
            )

    def test_expenses_within_the_period_and_never_for_stipends(self, mworld):
        grant = GrantFactory(program=mworld.program)
        stipends = BudgetLineFactory(grant=grant, category="stipends")
        training = BudgetLineFactory(grant=grant, category="training", amount=D("1000"))
        with pytest.raises(ValidationError):
            grants.expense_add(
                actor=mworld.coordinator,
                budget_line=stipends,
                on=date(2026, 3, 1),
                amount=D("10"),
                description="Stipend",
            )
        with pytest.raises(ValidationError):
            grants.expense_add(
                actor=mworld.coordinator,
                budget_line=training,
                on=date(2027, 3, 1),
                amount=D("10"),
                description="Late",
            )
        expense = grants.expense_add(
            actor=mworld.coordinator,
            budget_line=training,
            on=date(2026, 3, 1),
            amount=D("250"),
            description="Trainer",
        )
        assert expense.entered_by == mworld.coordinator.user


class TestSpending:
    def test_stipends_come_from_the_ledger_and_expenses_from_entries(self, mworld):
        Program.objects.filter(pk=mworld.program.pk).update(stipend_per_session=D("40"))
        mworld.program.refresh_from_db()
        today = mworld.program.collaborative.today()
        grant = GrantFactory(
            program=mworld.program,
            amount=D("10000"),
            starts_on=today - timedelta(days=100),
            ends_on=today + timedelta(days=265),
        )
        BudgetLineFactory(grant=grant, category="stipends", amount=D("5000"))
        other = BudgetLineFactory(grant=grant, category="other", amount=D("1000"))
        Session.objects.filter(pk__in=[mworld.session_1.pk, mworld.session_2.pk]).update(date=today)
        _approve(mworld, mworld.session_1, mworld.session_2)
        rejected = SessionFactory(match=mworld.match_1, date=today)
        sessions.sessions_reject(
            actor=mworld.coordinator,
            program=mworld.program,
            session_ids=[rejected.public_id],
            reason="Duplicate",
        )
        grants.expense_add(
            actor=mworld.coordinator,
            budget_line=other,
            on=today,
            amount=D("99.50"),
            description="Bus passes",
        )
        s = reports.spending(grant)
        assert (s.stipends, s.expenses, s.total, s.left) == (
            D("80.00"),
            D("99.50"),
            D("179.50"),
            D("9820.50"),
        )
        assert {r.line.category: r.spent for r in s.rows} == {
            "stipends": D("80.00"),
            "other": D("99.50"),
        }

    def test_overlapping_grants_count_a_stipend_once(self, mworld):
        Program.objects.filter(pk=mworld.program.pk).update(stipend_per_session=D("40"))
        mworld.program.refresh_from_db()
        today = mworld.program.collaborative.today()
        first = GrantFactory(
            program=mworld.program,
            starts_on=today - timedelta(days=200),
            ends_on=today + timedelta(days=10),
        )
        second = GrantFactory(
            program=mworld.program,
            starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=300),
        )
        for g in (first, second):
            BudgetLineFactory(grant=g, category="stipends")
        Session.objects.filter(pk=mworld.session_1.pk).update(date=today)
        _approve(mworld, mworld.session_1)
        assert reports.spending(first).stipends == D("40.00")
        assert reports.spending(second).stipends == D("0.00")

    def test_a_grant_without_a_stipends_line_pays_no_stipends(self, mworld):
        today = mworld.program.collaborative.today()
        grant = GrantFactory(
            program=mworld.program,
            starts_on=today - timedelta(days=10),
            ends_on=today + timedelta(days=10),
        )
        Session.objects.filter(pk=mworld.session_1.pk).update(date=today)
        _approve(mworld, mworld.session_1)
        assert reports.spending(grant).stipends == D("0.00")

    def test_burn_down_follows_the_spending(self, mworld):
        today = mworld.program.collaborative.today()
        grant = GrantFactory(
            program=mworld.program,
            amount=D("1200"),
            starts_on=today.replace(day=1),
            ends_on=today.replace(day=1) + timedelta(days=330),
        )
        line = BudgetLineFactory(grant=grant, category="training", amount=D("1200"))
        grants.expense_add(
            actor=mworld.coordinator,
            budget_line=line,
            on=today,
            amount=D("200"),
            description="Trainer",
        )
        rows = reports.burn_down(grant, today)
        assert (rows[0].spent, rows[0].left) == (D("200"), D("1000"))
        assert rows[-1].left is None


class TestFunderReport:
    def _world(self, w, threshold):
        Collaborative.objects.filter(pk=w.collab.pk).update(small_cell_threshold=threshold)
        w.program.collaborative.refresh_from_db()
        today = w.program.collaborative.today()
        tz = w.program.collaborative.zone
        start = datetime.combine(today - timedelta(days=200), time(12), tzinfo=tz)
        Match.objects.filter(pk__in=[w.match_1.pk, w.match_2.pk]).update(started_at=start)
        # match_2 closed after two months; match_1 still going with a goal met.
        Match.objects.filter(pk=w.match_2.pk).update(
            status="closed", closed_at=start + timedelta(days=61), closure_reason="mentee_left"
        )
        Session.objects.filter(pk=w.session_1.pk).update(
            date=today - timedelta(days=5), goals_progress="met", minutes=90
        )
        Session.objects.filter(pk=w.session_2.pk).update(date=today - timedelta(days=150))
        ApplicantFactory(program=w.program)
        return today

    def test_exact_figures_with_a_threshold_of_one(self, mworld):
        today = self._world(mworld, 1)
        report = reports.funder_report(
            mworld.program, today - timedelta(days=364), today, today=today
        )
        values = {f.key: f.value for f in report.figures}
        assert values["matches"] == 2
        assert values["sessions"] == 2
        assert values["hours"] == D("2.5")
        assert values["retention_3"] == D(50)  # one of two lasted three months
        assert values["retention_6"] == D(50)
        assert values["retention_12"] is None  # too young to tell
        assert report["retention_3"].numerator == 1
        assert values["goals"] == D(50)
        assert values["recruited"] >= 1
        assert not report["matches"].hidden

    def test_small_numbers_are_hidden_for_the_funder(self, mworld):
        today = self._world(mworld, 11)
        report = reports.funder_report(
            mworld.program, today - timedelta(days=364), today, today=today
        )
        assert report.any_hidden
        for key in ("matches", "sessions", "retention_3", "goals"):
            assert report[key].hidden
            assert report[key].value is None
        assert report["retention_3"].numerator is None


def test_budget_line_categories_are_the_four_of_the_issue():
    assert set(BudgetLine.Category.values) == {"coordinator", "stipends", "training", "other"}
