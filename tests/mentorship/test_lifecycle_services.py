"""Match lifecycle and monitoring services (mentorship/lifecycle.py)."""

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from mentorship import schedule
from mentorship.models import FitCheck, Match, MenteeProfile, MonitoringContact
from mentorship.services import lifecycle, proposals
from reentry.audit.models import AuditEvent
from tests.mentorship.factories import MatchFactory, MentorProfileFactory

With = MonitoringContact.With


def _start(match, days_ago):
    """Make ``match`` have started ``days_ago`` days ago (local noon)."""
    tz = match.program.collaborative.zone
    day = match.program.collaborative.today() - timedelta(days=days_ago)
    match.started_at = datetime.combine(day, time(12), tzinfo=tz)
    match.save(update_fields=["started_at"])
    return day


def _dues(match, person):
    return list(
        MonitoringContact.objects.filter(match=match, with_whom=person)
        .order_by("due_on")
        .values_list("due_on", flat=True)
    )


class TestScheduleOnStart:
    def test_both_accepting_starts_the_match_and_writes_the_check_ins(self, mworld):
        proposal = MatchFactory(
            program=mworld.program,
            mentee=mworld.waiting,
            status=Match.Status.PROPOSED,
            mentor_accepted_at=None,
            mentee_accepted_at=None,
            started_at=None,
        )
        mentor_user = proposal.mentor.applicant.member
        proposals.match_accept(actor=mentor_user, match=proposal, side="mentor")
        assert not MonitoringContact.objects.filter(match=proposal).exists()
        proposals.match_accept(actor=mworld.coordinator, match=proposal, side="mentee")
        proposal.refresh_from_db()
        start = lifecycle.start_day(proposal)
        expected = [p.due for p in schedule.planned_contacts(start, start + timedelta(days=92))]
        assert expected[:3] == [
            start + timedelta(days=2),
            expected[1],
            schedule.add_months(start, 1),
        ]
        assert _dues(proposal, With.MENTOR) == expected
        assert _dues(proposal, With.MENTEE) == expected
        kinds = set(MonitoringContact.objects.filter(match=proposal).values_list("kind", flat=True))
        assert kinds == {"first", "first_month", "monthly"}

    def test_extending_again_writes_nothing_twice(self, mworld):
        _start(mworld.match_1, 0)
        first = lifecycle.monitoring_schedule_extend(match=mworld.match_1)
        assert first > 0
        assert lifecycle.monitoring_schedule_extend(match=mworld.match_1) == 0

    def test_extending_later_adds_the_next_months_on_the_same_day(self, mworld):
        start = _start(mworld.match_1, 0)
        lifecycle.monitoring_schedule_extend(match=mworld.match_1)
        n = len(_dues(mworld.match_1, With.MENTOR))
        lifecycle.monitoring_schedule_extend(
            match=mworld.match_1, today=start + timedelta(days=200)
        )
        dues = _dues(mworld.match_1, With.MENTOR)
        assert len(dues) > n
        assert dues == [
            p.due for p in schedule.planned_contacts(start, start + timedelta(days=292))
        ]

    def test_a_paused_or_closed_match_gets_no_new_check_ins(self, mworld):
        Match.objects.filter(pk=mworld.match_1.pk).update(status=Match.Status.PAUSED)
        mworld.match_1.refresh_from_db()
        assert lifecycle.monitoring_schedule_extend(match=mworld.match_1) == 0


class TestRecordContact:
    def test_settles_the_check_in_of_its_window_and_a_second_is_extra(self, mworld):
        match = mworld.match_1
        start = _start(match, 20)
        lifecycle.monitoring_schedule_extend(match=match)
        actor = mworld.coordinator
        c = lifecycle.monitoring_contact_record(
            actor=actor,
            match=match,
            with_whom=With.MENTOR,
            on=start + timedelta(days=1),
            method="phone",
            notes="All good",
        )
        assert (c.kind, c.due_on) == ("first", start + timedelta(days=2))
        extra = lifecycle.monitoring_contact_record(
            actor=actor,
            match=match,
            with_whom=With.MENTOR,
            on=start + timedelta(days=2),
            method="phone",
        )
        assert extra.kind == "extra"
        assert MonitoringContact.objects.filter(match=match, done_at__isnull=False).count() == 2
        assert AuditEvent.objects.filter(action="mentorship.monitoring_contact").count() == 2

    def test_only_a_coordinator_records(self, mworld):
        _start(mworld.match_1, 5)
        mentor_user = mworld.mentor_1.applicant.member
        for user in (mentor_user, mworld.cast.backbone, mworld.cast.outsider):
            with pytest.raises(PermissionDenied):
                lifecycle.monitoring_contact_record(
                    actor=user,
                    match=mworld.match_1,
                    with_whom=With.MENTEE,
                    on=mworld.program.collaborative.today(),
                    method="phone",
                )

    def test_not_before_the_start_nor_in_the_future(self, mworld):
        start = _start(mworld.match_1, 5)
        for day in (
            start - timedelta(days=1),
            mworld.program.collaborative.today() + timedelta(days=1),
        ):
            with pytest.raises(ValidationError):
                lifecycle.monitoring_contact_record(
                    actor=mworld.coordinator,
                    match=mworld.match_1,
                    with_whom=With.MENTEE,
                    on=day,
                    method="phone",
                )


class TestPauseResumeClose:
    def test_resume_moves_check_ins_still_to_come_by_the_days_paused(self, mworld):
        match = mworld.match_1
        _start(match, 30)
        lifecycle.monitoring_schedule_extend(match=match)
        actor = mworld.coordinator
        lifecycle.match_pause(actor=actor, match=match, reason="Mentee in hospital")
        match.refresh_from_db()
        assert match.status == Match.Status.PAUSED
        paused_on = match.program.collaborative.today() - timedelta(days=10)
        Match.objects.filter(pk=match.pk).update(
            paused_at=datetime.combine(paused_on, time(12), tzinfo=match.program.collaborative.zone)
        )
        before = {
            c.pk: (c.due_on, c.done_at) for c in MonitoringContact.objects.filter(match=match)
        }
        lifecycle.match_resume(actor=actor, match=match)
        match.refresh_from_db()
        assert (match.status, match.paused_at) == (Match.Status.ACTIVE, None)
        for c in MonitoringContact.objects.filter(pk__in=before):
            due, _done = before[c.pk]
            assert c.due_on == (due + timedelta(days=10) if due >= paused_on else due)

    def test_pause_needs_a_reason_and_an_active_match(self, mworld):
        with pytest.raises(ValidationError):
            lifecycle.match_pause(actor=mworld.coordinator, match=mworld.match_1, reason=" ")
        with pytest.raises(ValidationError):
            lifecycle.match_resume(actor=mworld.coordinator, match=mworld.match_1)

    def test_close_keeps_history_removes_check_ins_to_come_and_can_rematch(self, mworld):
        match = mworld.match_1
        _start(match, 20)
        lifecycle.monitoring_schedule_extend(match=match)
        lifecycle.monitoring_contact_record(
            actor=mworld.coordinator,
            match=match,
            with_whom=With.MENTOR,
            on=lifecycle.start_day(match),
            method="phone",
        )
        lifecycle.match_close(
            actor=mworld.coordinator,
            match=match,
            reason="poor_fit",
            conversation="Both said they did not click.",
            find_another=True,
        )
        match.refresh_from_db()
        assert (match.status, match.closure_reason) == ("closed", "poor_fit")
        assert match.closure_notes == "Both said they did not click."
        today = match.program.collaborative.today()
        assert not MonitoringContact.objects.filter(
            match=match, due_on__gt=today, done_at=None
        ).exists()
        assert MonitoringContact.objects.filter(match=match, done_at__isnull=False).count() == 1
        assert match.sessions.count() == 1  # history stays
        assert MenteeProfile.objects.get(pk=match.mentee_id).status == "waiting"
        assert lifecycle.previous_match(match.mentee) == match
        # The mentee can now be proposed another mentor, pointing back at this match.
        another = MentorProfileFactory(program=mworld.program)
        rematch = proposals.match_propose(
            actor=mworld.coordinator,
            program=mworld.program,
            mentor=another,
            mentee=match.mentee,
            rematch_of=match,
        )
        assert (rematch.status, rematch.rematch_of) == ("proposed", match)

    def test_close_without_another_mentor_means_the_mentee_leaves(self, mworld):
        lifecycle.match_close(
            actor=mworld.coordinator,
            match=mworld.match_2,
            reason="goals_met",
            conversation="Found work and a flat; celebrating.",
        )
        assert MenteeProfile.objects.get(pk=mworld.match_2.mentee_id).status == "exited"

    @pytest.mark.parametrize(
        ("reason", "conversation"), [("", "x"), ("declined", "x"), ("poor_fit", " ")]
    )
    def test_close_needs_a_reason_and_the_conversation(self, mworld, reason, conversation):
        with pytest.raises(ValidationError):
            lifecycle.match_close(
                actor=mworld.coordinator,
                match=mworld.match_1,
                reason=reason,
                conversation=conversation,
            )

    def test_a_closed_match_cannot_be_closed_or_paused_again(self, mworld):
        lifecycle.match_close(
            actor=mworld.coordinator, match=mworld.match_1, reason="other", conversation="x"
        )
        with pytest.raises(ValidationError):
            lifecycle.match_close(
                actor=mworld.coordinator,
                match=mworld.match_1,
                reason="other",
                conversation="x",
            )
        with pytest.raises(ValidationError):
            lifecycle.match_pause(actor=mworld.coordinator, match=mworld.match_1, reason="x")

    def test_mentor_cannot_close_their_own_match(self, mworld):
        with pytest.raises(PermissionDenied):
            lifecycle.match_close(
                actor=mworld.mentor_1.applicant.member,
                match=mworld.match_1,
                reason="other",
                conversation="x",
            )


class TestFitCheck:
    def test_poor_fit_after_the_first_session(self, mworld):
        check = lifecycle.fit_check_record(
            actor=mworld.coordinator,
            match=mworld.match_1,
            mentor_fit=FitCheck.Fit.GOOD,
            mentee_fit=FitCheck.Fit.POOR,
            concerns="Mentee wants someone who works nights.",
        )
        assert check.is_poor
        assert check.session == mworld.session_1

    def test_says_something(self, mworld):
        with pytest.raises(ValidationError):
            lifecycle.fit_check_record(
                actor=mworld.coordinator,
                match=mworld.match_1,
                mentor_fit=None,
                mentee_fit=None,
            )

    def test_needs_fit_check_after_a_session_until_one_is_recorded(self, mworld):
        assert lifecycle.needs_fit_check(mworld.match_1, has_session=True, has_fit_check=False)
        assert not lifecycle.needs_fit_check(mworld.match_1, has_session=False, has_fit_check=False)
        assert not lifecycle.needs_fit_check(mworld.match_1, has_session=True, has_fit_check=True)


def test_cadence_of_a_program(mworld):
    assert lifecycle.cadence_for(mworld.program) == schedule.MENTOR
    mworld.program.contact_every_days = 21
    mworld.program.first_contact_hours = 72
    assert lifecycle.cadence_for(mworld.program) == schedule.Cadence(72, 2, 21)
