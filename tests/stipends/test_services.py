"""The stipend ledger's services: lines from attendance, caps, approval, payment."""

from datetime import UTC, date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from reentry.audit.models import AuditEvent
from reentry.stipends import selectors, services
from reentry.stipends.models import StipendLine, StipendPayment, Unit
from stakeholders.models import Member
from tests.factories import MemberFactory
from tests.stipends.conftest import local
from tests.workgroups.conftest import make_meeting
from workgroups import ledger
from workgroups import services as wg_services

pytestmark = pytest.mark.django_db
D = Decimal
Status = StipendLine.Status


def _lines(member):
    return list(StipendLine.objects.filter(member=member).order_by("date", "pk"))


def _amounts(member):
    return [line.amount for line in _lines(member)]


class TestLinesFromAttendance:
    def test_a_community_member_present_earns_one_pending_line(self, cast, pay, gathering):
        pay(amount="25.00")
        meeting = gathering(local(2025, 3, 11, 18, 0), present=[cast.community])
        [line] = _lines(cast.community)
        assert line.status == Status.PENDING
        assert line.meeting == meeting
        assert (line.quantity, line.unit_amount, line.amount) == (D("1.00"), D("25.00"), D("25.00"))
        assert line.date.isoformat() == "2025-03-11"
        assert "Housing Working Group" in line.description

    def test_running_again_makes_no_second_line(self, cast, pay, gathering):
        pay()
        meeting = gathering(local(2025, 3, 11, 18, 0), present=[cast.community])
        again = ledger.stipend_lines_for_meeting(actor=cast.backbone, meeting=meeting)
        assert again == services.LineChanges(created=0, removed=0)
        wg_services.attendance_record(
            actor=cast.staff_a, meeting=meeting, statuses={str(cast.community.public_id): "present"}
        )
        assert StipendLine.objects.filter(meeting=meeting).count() == 1

    def test_the_database_refuses_a_second_line_for_the_same_attendance(self, cast, pay, gathering):
        pay()
        meeting = gathering(local(2025, 3, 11, 18, 0), present=[cast.community])
        line = StipendLine.objects.get(meeting=meeting)
        line.pk, line.public_id = None, None
        with pytest.raises(IntegrityError), transaction.atomic():
            line.save()

    def test_staff_absent_people_and_walk_ins_earn_nothing(self, cast, pay, gathering, wg):
        pay()
        meeting = gathering(
            local(2025, 3, 11, 18, 0),
            present=[cast.staff_a, cast.staff_b],
            absent=[cast.community],
        )
        wg_services.attendance_record(
            actor=cast.backbone, meeting=meeting, statuses={}, walk_ins=["Dana Walker"]
        )
        assert not StipendLine.objects.exists()

    def test_nothing_when_stipends_are_off(self, cast, pay, gathering):
        pay(on=False)
        gathering(local(2025, 3, 11, 18, 0), present=[cast.community])
        assert not StipendLine.objects.exists()

    def test_removing_attendance_before_approval_removes_the_pending_line(
        self, cast, pay, gathering
    ):
        pay()
        meeting = gathering(local(2025, 3, 11, 18, 0), present=[cast.community])
        wg_services.attendance_record(
            actor=cast.backbone, meeting=meeting, statuses={str(cast.community.public_id): ""}
        )
        assert not StipendLine.objects.exists()

    def test_marking_absent_removes_the_pending_line_too(self, cast, pay, gathering):
        pay()
        meeting = gathering(local(2025, 3, 11, 18, 0), present=[cast.community])
        wg_services.attendance_record(
            actor=cast.backbone,
            meeting=meeting,
            statuses={str(cast.community.public_id): "absent"},
        )
        assert not StipendLine.objects.exists()

    def test_an_approved_line_stays_when_attendance_changes_later(self, cast, pay, gathering):
        pay()
        meeting = gathering(local(2025, 3, 11, 18, 0), present=[cast.community])
        services.stipend_lines_approve(
            actor=cast.backbone, line_ids=[StipendLine.objects.get().public_id]
        )
        wg_services.attendance_record(
            actor=cast.backbone, meeting=meeting, statuses={str(cast.community.public_id): ""}
        )
        assert StipendLine.objects.get().status == Status.APPROVED

    def test_only_the_groups_managers_may_sync(self, cast, pay, gathering):
        pay()
        meeting = gathering(local(2025, 3, 11, 18, 0))
        with pytest.raises(PermissionDenied):
            ledger.stipend_lines_for_meeting(actor=cast.staff_b, meeting=meeting)
        with pytest.raises(PermissionDenied):
            ledger.stipend_lines_for_meeting(actor=cast.outsider, meeting=meeting)
        ledger.stipend_lines_for_meeting(actor=cast.staff_a, meeting=meeting)  # the chair

    def test_a_new_rate_applies_to_new_lines_only(self, cast, pay, gathering):
        pay(amount="25.00")
        gathering(local(2025, 3, 4, 18, 0), present=[cast.community])
        pay(amount="30.00")
        gathering(local(2025, 3, 11, 18, 0), present=[cast.community])
        assert _amounts(cast.community) == [D("25.00"), D("30.00")]


class TestWorkedExamples:
    def test_hourly_rate_for_a_90_minute_gathering(self, cast, pay, gathering):
        pay(unit=Unit.PER_HOUR, amount="20.00")
        gathering(local(2025, 3, 11, 18, 0), minutes=90, present=[cast.community])
        [line] = _lines(cast.community)
        assert (line.quantity, line.amount) == (D("1.50"), D("30.00"))

    def test_hourly_rate_rounds_hours_then_cents(self, cast, pay, gathering):
        pay(unit=Unit.PER_HOUR, amount="15.00")
        gathering(local(2025, 3, 11, 18, 0), minutes=50, present=[cast.community])
        [line] = _lines(cast.community)
        assert (line.quantity, line.amount) == (D("0.83"), D("12.45"))

    def test_half_a_cent_rounds_up(self, cast, pay, gathering):
        pay(unit=Unit.PER_HOUR, amount="10.03")
        gathering(local(2025, 3, 11, 18, 0), minutes=90, present=[cast.community])
        assert _amounts(cast.community) == [D("15.05")]

    def test_monthly_cap_fills_in_date_order(self, cast, pay, gathering):
        pay(amount="20.00", cap="50.00")
        for day in (4, 11, 18, 25):
            gathering(local(2025, 3, day, 18, 0), present=[cast.community])
        lines = _lines(cast.community)
        assert [line.amount for line in lines] == [D("20.00"), D("20.00"), D("10.00"), D("0.00")]
        assert [line.cap_reduction for line in lines] == [D("0"), D("0"), D("10.00"), D("20.00")]
        statement = selectors.statement_for(cast.community, lines[0].date.replace(day=1))
        assert statement.total == D("50.00")

    def test_the_cap_is_per_person(self, cast, pay, gathering, extra_member):
        other = extra_member()
        pay(amount="20.00", cap="30.00")
        for day in (4, 11):
            gathering(local(2025, 3, day, 18, 0), present=[cast.community, other])
        assert _amounts(cast.community) == _amounts(other) == [D("20.00"), D("10.00")]

    def test_the_cap_starts_again_next_month(self, cast, pay, gathering):
        pay(amount="20.00", cap="30.00")
        gathering(local(2025, 3, 11, 18, 0), present=[cast.community])
        gathering(local(2025, 3, 18, 18, 0), present=[cast.community])
        gathering(local(2025, 4, 1, 18, 0), present=[cast.community])
        assert _amounts(cast.community) == [D("20.00"), D("10.00"), D("20.00")]

    def test_a_gathering_late_on_the_31st_counts_in_that_month_in_local_time(
        self, cast, pay, gathering
    ):
        # 31 March, 11 pm in Chicago = 1 April, 4 am UTC. It belongs to March: March's
        # statement and March's cap.
        pay(amount="20.00", cap="30.00")
        gathering(local(2025, 3, 4, 18, 0), present=[cast.community])
        late = gathering(local(2025, 3, 31, 23, 0), minutes=60, present=[cast.community])
        gathering(local(2025, 4, 1, 18, 0), present=[cast.community])
        assert late.starts_at.astimezone(UTC).day == 1
        march = selectors.statement_for(cast.community, date(2025, 3, 1))
        april = selectors.statement_for(cast.community, date(2025, 4, 1))
        assert [line.meeting for line in march.lines][-1] == late
        assert march.total == D("30.00")  # 20 + 10 (capped)
        assert april.total == D("20.00")

    def test_turning_down_a_line_frees_its_share_of_the_cap(self, cast, pay, gathering):
        pay(amount="20.00", cap="30.00")
        gathering(local(2025, 3, 4, 18, 0), present=[cast.community])
        gathering(local(2025, 3, 11, 18, 0), present=[cast.community])
        first = _lines(cast.community)[0]
        services.stipend_lines_reject(
            actor=cast.backbone, line_ids=[first.public_id], reason="Left after ten minutes"
        )
        assert _amounts(cast.community) == [D("20.00"), D("20.00")]
        assert selectors.statement_for(cast.community, first.date.replace(day=1)).total == D(
            "20.00"
        )

    def test_removing_an_earlier_attendance_gives_the_later_line_its_full_amount(
        self, cast, pay, gathering
    ):
        pay(amount="20.00", cap="30.00")
        first = gathering(local(2025, 3, 4, 18, 0), present=[cast.community])
        gathering(local(2025, 3, 11, 18, 0), present=[cast.community])
        assert _amounts(cast.community) == [D("20.00"), D("10.00")]
        wg_services.attendance_record(
            actor=cast.backbone, meeting=first, statuses={str(cast.community.public_id): ""}
        )
        assert _amounts(cast.community) == [D("20.00")]


class TestApproval:
    @pytest.fixture
    def lines(self, cast, pay, gathering, extra_member):
        pay()
        other = extra_member()
        gathering(local(2025, 3, 11, 18, 0), present=[cast.community, other])
        return list(StipendLine.objects.order_by("pk"))

    def test_backbone_staff_approve_in_bulk(self, cast, lines):
        n = services.stipend_lines_approve(
            actor=cast.backbone, line_ids=[line.public_id for line in lines]
        )
        assert n == 2
        for line in StipendLine.objects.all():
            assert line.status == Status.APPROVED
            assert line.approved_by == cast.backbone
            assert line.approved_at is not None
        assert AuditEvent.objects.filter(action="stipends.lines_approved").count() == 1

    def test_approving_twice_changes_nothing_the_second_time(self, cast, lines):
        ids = [line.public_id for line in lines]
        services.stipend_lines_approve(actor=cast.backbone, line_ids=ids)
        assert services.stipend_lines_approve(actor=cast.backbone, line_ids=ids) == 0

    @pytest.mark.parametrize("who", ["admin_a", "staff_a", "community", "observer"])
    def test_only_backbone_staff_approve(self, cast, lines, who):
        with pytest.raises(PermissionDenied):
            services.stipend_lines_approve(actor=getattr(cast, who), line_ids=[lines[0].public_id])
        assert not StipendLine.objects.exclude(status=Status.PENDING).exists()

    def test_one_id_from_another_collaborative_stops_the_whole_batch(self, cast, lines):
        other_group = wg_services.group_create(actor=cast.outsider, name="Elsewhere")
        foreign_member = MemberFactory(collaborative=cast.other_collab, role=Member.Role.COMMUNITY)
        meeting = make_meeting(cast.outsider, other_group)
        foreign = StipendLine.objects.create(
            collaborative=cast.other_collab,
            member=foreign_member,
            source="gatherings",
            meeting=meeting,
            date=timezone.localdate(),
            description="x",
            unit="each_time",
            quantity=D("1"),
            unit_amount=D("10"),
            amount=D("10"),
        )
        with pytest.raises(ValidationError):
            services.stipend_lines_approve(
                actor=cast.backbone, line_ids=[lines[0].public_id, foreign.public_id]
            )
        assert not StipendLine.objects.filter(status=Status.APPROVED).exists()
        # And collab-b's backbone cannot approve collab-a's lines.
        with pytest.raises(ValidationError):
            services.stipend_lines_approve(actor=cast.outsider, line_ids=[lines[0].public_id])

    def test_backbone_staff_cannot_approve_their_own_line(self, cast, lines):
        # Backbone staff do not earn gathering stipends, but the ledger is shared with
        # mentoring later: no one approves their own money.
        StipendLine.objects.filter(pk=lines[0].pk).update(member=cast.backbone)
        with pytest.raises(ValidationError):
            services.stipend_lines_approve(actor=cast.backbone, line_ids=[lines[0].public_id])

    def test_turning_down_needs_a_reason(self, cast, lines):
        with pytest.raises(ValidationError):
            services.stipend_lines_reject(
                actor=cast.backbone, line_ids=[lines[0].public_id], reason="  "
            )
        services.stipend_lines_reject(
            actor=cast.backbone, line_ids=[lines[0].public_id], reason="Not at this gathering"
        )
        line = StipendLine.objects.get(pk=lines[0].pk)
        assert (line.status, line.rejection_reason) == (Status.REJECTED, "Not at this gathering")


class TestPayment:
    def test_paying_a_month_marks_its_approved_lines_paid(self, cast, pay, gathering, extra_member):
        pay(amount="25.00")
        other = extra_member()
        gathering(local(2025, 3, 4, 18, 0), present=[cast.community, other])
        gathering(local(2025, 3, 11, 18, 0), present=[cast.community])
        gathering(local(2025, 4, 1, 18, 0), present=[cast.community])  # April: not paid
        march = list(StipendLine.objects.filter(date__month=3).order_by("pk"))
        services.stipend_lines_approve(
            actor=cast.backbone, line_ids=[line.public_id for line in march[:2]]
        )
        payment = services.stipend_payment_create(actor=cast.backbone, month=date(2025, 3, 1))
        assert payment.reference == "STIPENDS-2025-03-1"
        assert (payment.line_count, payment.person_count, payment.total) == (2, 2, D("50.00"))
        paid = StipendLine.objects.filter(status=Status.PAID)
        assert set(paid.values_list("pk", flat=True)) == {march[0].pk, march[1].pk}
        assert all(line.paid_at and line.payment_reference == payment.reference for line in paid)
        assert StipendLine.objects.filter(status=Status.PENDING).count() == 2
        rows = selectors.payment_rows(payment)
        assert sorted((r.email, r.lines, r.total) for r in rows) == sorted(
            [(cast.community.user.email, 1, D("25.00")), (other.user.email, 1, D("25.00"))]
        )

    def test_paying_again_finds_nothing_to_pay(self, cast, pay, gathering):
        pay()
        gathering(local(2025, 3, 4, 18, 0), present=[cast.community])
        services.stipend_lines_approve(
            actor=cast.backbone, line_ids=[StipendLine.objects.get().public_id]
        )
        month = date(2025, 3, 1)
        services.stipend_payment_create(actor=cast.backbone, month=month)
        with pytest.raises(ValidationError):
            services.stipend_payment_create(actor=cast.backbone, month=month)
        assert StipendPayment.objects.count() == 1

    def test_one_statement_per_person_per_month_with_totals_by_status(self, cast, pay, gathering):
        pay(amount="25.00")
        for day in (4, 11, 18):
            gathering(local(2025, 3, day, 18, 0), present=[cast.community])
        first, second, third = _lines(cast.community)
        services.stipend_lines_approve(actor=cast.backbone, line_ids=[first.public_id])
        services.stipend_payment_create(actor=cast.backbone, month=first.date.replace(day=1))
        services.stipend_lines_approve(actor=cast.backbone, line_ids=[second.public_id])
        statement = selectors.statement_for(cast.community, first.date.replace(day=1))
        assert statement.totals["paid"] == statement.totals["approved"] == D("25.00")
        assert statement.totals["pending"] == D("25.00")
        assert statement.total == D("75.00")

    def test_rate_settings_are_for_backbone_staff(self, cast):
        with pytest.raises(PermissionDenied):
            services.stipend_rate_set(
                actor=cast.admin_a, is_active=True, unit="each_time", amount=D("10")
            )
