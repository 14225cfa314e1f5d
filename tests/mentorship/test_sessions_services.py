"""Logging and approving sessions, and their stipend lines in the one ledger."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from mentorship.models import Program, Session
from mentorship.services import lifecycle, sessions
from reentry.audit.models import AuditEvent
from reentry.stipends import selectors as stipend_selectors
from reentry.stipends import services as stipend_services
from reentry.stipends.models import Source, StipendLine
from tests.mentorship.factories import MatchFactory, MentorProfileFactory, SessionFactory
from tests.workgroups.conftest import wg  # noqa: F401 - fixture

D = Decimal


def _today(mworld):
    return mworld.program.collaborative.today()


def _log(mworld, match=None, user=None, days_ago=0, minutes=60, **kw):
    match = match or mworld.match_1
    user = user or match.mentor.applicant.member
    return sessions.session_log(
        actor=user,
        match=match,
        on=_today(mworld) - timedelta(days=days_ago),
        minutes=minutes,
        mode=Session.Mode.PHONE,
        **kw,
    )


def _set_rates(program, per_session=None, per_hour=None, cap=None):
    Program.objects.filter(pk=program.pk).update(
        stipend_per_session=per_session, stipend_per_hour=per_hour, monthly_cap=cap
    )
    program.refresh_from_db()


class TestLog:
    def test_mentor_logs_a_session_of_their_match(self, mworld):
        session = _log(
            mworld,
            notes="Went to the job fair",
            private=True,
            key_areas=[mworld.cast.key_area],
            goals_progress="met",
        )
        assert session.status == Session.Status.LOGGED
        assert session.notes_private_to_coordinator
        assert list(session.key_areas.all()) == [mworld.cast.key_area]
        event = AuditEvent.objects.get(action="mentorship.session_logged")
        assert "job fair" not in str(event.details)

    def test_a_mentor_cannot_log_for_another_mentors_match(self, mworld):
        with pytest.raises(PermissionDenied):
            _log(mworld, match=mworld.match_2, user=mworld.mentor_1.applicant.member)

    @pytest.mark.parametrize("user", ["backbone", "staff_a", "outsider"])
    def test_others_cannot_log(self, mworld, user):
        with pytest.raises(PermissionDenied):
            _log(mworld, user=getattr(mworld.cast, user))

    def test_a_coordinator_can_log_for_the_mentor(self, mworld):
        assert _log(mworld, user=mworld.coordinator).logged_by == mworld.coordinator.user

    def test_not_in_the_future(self, mworld):
        with pytest.raises(ValidationError) as exc:
            _log(mworld, days_ago=-1)
        assert "on" in exc.value.message_dict

    def test_not_before_the_match_started(self, mworld):
        start = lifecycle.start_day(mworld.match_1)
        with pytest.raises(ValidationError):
            _log(mworld, days_ago=(_today(mworld) - start).days + 1)

    def test_length_is_checked(self, mworld):
        with pytest.raises(ValidationError):
            _log(mworld, minutes=2)

    def test_topics_from_another_collaborative_are_refused(self, mworld):
        from tests.factories import KeyAreaFactory

        foreign = KeyAreaFactory(collaborative=mworld.cast.other_collab, slug="x")
        with pytest.raises(ValidationError):
            _log(mworld, key_areas=[foreign])


class TestApprove:
    def test_approval_makes_one_approved_line_for_the_mentor(self, mworld):
        _set_rates(mworld.program, per_session=D("10"), per_hour=D("15"))
        session = _log(mworld, minutes=90)
        result = sessions.sessions_approve(
            actor=mworld.coordinator, program=mworld.program, session_ids=[session.public_id]
        )
        assert (result.approved, result.lines, result.total) == (1, 1, D("32.50"))
        line = StipendLine.objects.get(session=session)
        assert (line.member, line.source, line.status) == (
            mworld.mentor_1.applicant.member,
            Source.MENTORING,
            StipendLine.Status.APPROVED,
        )
        assert (line.unit, line.quantity, line.unit_amount, line.amount) == (
            "each_time",
            D("1.00"),
            D("32.50"),
            D("32.50"),
        )
        assert line.approved_by == mworld.coordinator
        assert mworld.match_1.mentee.name not in line.description
        session.refresh_from_db()
        assert (session.status, session.reviewed_by) == ("approved", mworld.coordinator.user)

    def test_approving_again_makes_no_second_line(self, mworld):
        session = _log(mworld)
        for _ in range(2):
            sessions.sessions_approve(
                actor=mworld.coordinator,
                program=mworld.program,
                session_ids=[session.public_id],
            )
        assert StipendLine.objects.filter(session=session).count() == 1

    def test_the_database_refuses_a_second_line_for_a_session(self, mworld):
        session = _log(mworld)
        sessions.sessions_approve(
            actor=mworld.coordinator, program=mworld.program, session_ids=[session.public_id]
        )
        line = StipendLine.objects.get(session=session)
        line.pk, line.public_id = None, uuid.uuid4()
        with pytest.raises(IntegrityError), transaction.atomic():
            line.save()

    def test_a_line_has_one_source(self, mworld, wg):  # noqa: F811 - the wg fixture
        from workgroups.models import Meeting

        session = _log(mworld)
        sessions.sessions_approve(
            actor=mworld.coordinator, program=mworld.program, session_ids=[session.public_id]
        )
        line = StipendLine.objects.get(session=session)
        meeting = Meeting.objects.create(
            owner=wg.housing,
            title="Gathering",
            starts_at=line.approved_at,
            ends_at=line.approved_at + timedelta(hours=1),
            sharing_level=wg.housing.minutes_sharing,
        )
        with pytest.raises(IntegrityError), transaction.atomic():
            StipendLine.objects.filter(pk=line.pk).update(meeting=meeting)

    def test_monthly_cap_per_mentor_and_program(self, mworld):
        _set_rates(mworld.program, per_session=D("25"), cap=D("40"))
        first, second = _log(mworld, days_ago=0), _log(mworld, days_ago=0)
        third = _log(mworld, match=mworld.match_2)
        sessions.sessions_approve(
            actor=mworld.coordinator,
            program=mworld.program,
            session_ids=[first.public_id, second.public_id, third.public_id],
        )
        amounts = {
            line.session_id: (line.amount, line.cap_reduction)
            for line in StipendLine.objects.filter(source=Source.MENTORING)
        }
        assert amounts[first.pk] == (D("25.00"), D("0.00"))
        assert amounts[second.pk] == (D("15.00"), D("10.00"))
        assert amounts[third.pk] == (D("25.00"), D("0.00"))  # another mentor's own cap
        later = _log(mworld)
        sessions.sessions_approve(
            actor=mworld.coordinator, program=mworld.program, session_ids=[later.public_id]
        )
        assert StipendLine.objects.get(session=later).amount == D("0.00")

    def test_a_program_that_pays_nothing_approves_without_lines(self, mworld):
        _set_rates(mworld.program)
        session = _log(mworld)
        result = sessions.sessions_approve(
            actor=mworld.coordinator, program=mworld.program, session_ids=[session.public_id]
        )
        assert (result.approved, result.lines) == (1, 0)

    def test_a_mentor_without_an_account_is_not_paid_through_the_ledger(self, mworld):
        applicant = mworld.mentor_1.applicant
        applicant.member = None
        applicant.save(update_fields=["member"])
        session = SessionFactory(match=mworld.match_1, date=_today(mworld))
        result = sessions.sessions_approve(
            actor=mworld.coordinator, program=mworld.program, session_ids=[session.public_id]
        )
        assert (result.approved, result.lines, result.without_account) == (1, 0, 1)

    def test_only_a_coordinator_approves_and_never_their_own_session(self, mworld):
        session = _log(mworld)
        for user in (
            mworld.mentor_1.applicant.member,
            mworld.cast.backbone,
            mworld.cast.outsider,
        ):
            with pytest.raises((PermissionDenied, ValidationError)):
                sessions.sessions_approve(
                    actor=user, program=mworld.program, session_ids=[session.public_id]
                )
        # A coordinator who also mentors cannot approve their own session.
        coordinator_mentor = MentorProfileFactory(
            program=mworld.program, applicant__member=mworld.coordinator
        )
        own_match = MatchFactory(program=mworld.program, mentor=coordinator_mentor)
        own = SessionFactory(match=own_match, date=_today(mworld))
        with pytest.raises(ValidationError):
            sessions.sessions_approve(
                actor=mworld.coordinator,
                program=mworld.program,
                session_ids=[own.public_id, session.public_id],
            )
        assert Session.objects.get(pk=session.pk).status == "logged"  # nothing changed

    def test_another_programs_session_is_refused(self, mworld):
        other = SessionFactory(match=mworld.other_match)
        with pytest.raises(ValidationError):
            sessions.sessions_approve(
                actor=mworld.coordinator,
                program=mworld.program,
                session_ids=[other.public_id],
            )

    def test_reject_needs_a_reason_and_makes_no_line(self, mworld):
        session = _log(mworld)
        with pytest.raises(ValidationError):
            sessions.sessions_reject(
                actor=mworld.coordinator,
                program=mworld.program,
                session_ids=[session.public_id],
                reason="",
            )
        n = sessions.sessions_reject(
            actor=mworld.coordinator,
            program=mworld.program,
            session_ids=[session.public_id],
            reason="Same day as another session",
        )
        assert n == 1
        assert not StipendLine.objects.filter(session=session).exists()


class TestOneStatement:
    def test_mentoring_lines_are_on_the_same_statement_and_paid_with_the_month(self, mworld):
        _set_rates(mworld.program, per_session=D("25"))
        session = _log(mworld)
        sessions.sessions_approve(
            actor=mworld.coordinator, program=mworld.program, session_ids=[session.public_id]
        )
        member = mworld.mentor_1.applicant.member
        month = _today(mworld).replace(day=1)
        statement = stipend_selectors.statement_for(member, month)
        assert [line.session_id for line in statement.lines] == [session.pk]
        assert statement.totals["approved"] == D("25.00")
        payment = stipend_services.stipend_payment_create(actor=mworld.cast.backbone, month=month)
        assert payment.total == D("25.00")
        line = StipendLine.objects.get(session=session)
        assert (line.status, line.payment) == ("paid", payment)
