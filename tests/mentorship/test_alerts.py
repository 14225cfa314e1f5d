"""Mentoring alerts (mentorship/alerts.py, mentorship/tasks.py): who hears what, once."""

from datetime import datetime, time, timedelta

import pytest
from django.conf import settings
from django.core import mail

from mentorship import tasks
from mentorship.models import Match, MonitoringContact, Session
from mentorship.services import lifecycle
from stakeholders.models import Member
from tests.reentry.mail_checks import assert_bulk_notice


def _today(w):
    return w.program.collaborative.today()


def _quiet_world(w, days=25):
    """match_1 started 40 days ago, its last session ``days`` ago; match_2 met yesterday."""
    today = _today(w)
    tz = w.program.collaborative.zone
    started = datetime.combine(today - timedelta(days=40), time(12), tzinfo=tz)
    Match.objects.filter(pk__in=[w.match_1.pk, w.match_2.pk]).update(started_at=started)
    Session.objects.filter(pk=w.session_1.pk).update(date=today - timedelta(days=days))
    Session.objects.filter(pk=w.session_2.pk).update(date=today - timedelta(days=1))
    MonitoringContact.objects.all().delete()
    # The fixture's objects still hold the factory's random start; the services read them.
    w.match_1.refresh_from_db()
    w.match_2.refresh_from_db()


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a task as the beat would: its emails are queued when its transaction commits."""

    def _run(task, *args):
        with django_capture_on_commit_callbacks(execute=True):
            task.delay(*args)

    return _run


def _to(address):
    return [m for m in mail.outbox if address in m.to]


def test_the_beat_schedule_runs_the_alerts_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["mentoring-alerts"]
    assert entry["task"] == "mentorship.tasks.send_mentoring_alerts"


def test_quiet_match_alerts_the_mentor_and_the_coordinator_once(mworld, run):
    _quiet_world(mworld)
    MonitoringContact.objects.all().delete()
    run(tasks.send_mentoring_alerts)
    mentor = mworld.mentor_1.applicant.member
    assert len(_to(mentor.user.email)) == 1
    quiet_for_coordinator = [
        m for m in _to(mworld.coordinator.user.email) if "No session" in m.subject
    ]
    assert len(quiet_for_coordinator) == 1
    other_mentor = mworld.mentor_2.applicant.member
    assert _to(other_mentor.user.email) == []  # met yesterday
    n = len(mail.outbox)
    run(tasks.send_mentoring_alerts)  # the next day's run, or a retry
    assert len(mail.outbox) == n


def test_twenty_days_is_not_yet_quiet(mworld, run):
    _quiet_world(mworld, days=20)
    run(tasks.send_program_alerts, mworld.program.pk)
    assert _to(mworld.mentor_1.applicant.member.user.email) == []


def test_people_who_did_not_choose_email_hear_nothing(mworld, run):
    _quiet_world(mworld)
    Member.objects.filter(
        pk__in=[mworld.mentor_1.applicant.member_id, mworld.coordinator.pk]
    ).update(contact_by_email=False)
    run(tasks.send_program_alerts, mworld.program.pk)
    assert mail.outbox == []


def test_release_date_near_goes_to_coordinators_never_the_mentor(mworld, run):
    _quiet_world(mworld, days=1)
    mentee = mworld.match_1.mentee
    mentee.release_date = _today(mworld) + timedelta(days=5)
    mentee.status = "matched"
    mentee.save()
    mworld.waiting.release_date = _today(mworld) + timedelta(days=60)  # too far
    mworld.waiting.save()
    run(tasks.send_program_alerts, mworld.program.pk)
    release = [m for m in mail.outbox if "comes home" in m.subject]
    assert [m.to for m in release] == [[mworld.coordinator.user.email]]
    assert mentee.name in release[0].subject
    assert _to(mworld.mentor_1.applicant.member.user.email) == []
    run(tasks.send_program_alerts, mworld.program.pk)
    assert len([m for m in mail.outbox if "comes home" in m.subject]) == 1


def test_check_ins_due_digest_for_the_coordinator_once_a_day(mworld, run):
    _quiet_world(mworld, days=1)
    today = _today(mworld)
    lifecycle.monitoring_schedule_extend(match=mworld.match_1)
    overdue = MonitoringContact.objects.filter(match=mworld.match_1, due_on__lt=today, done_at=None)
    assert overdue.exists()
    run(tasks.send_program_alerts, mworld.program.pk)
    digest = [m for m in mail.outbox if "Check-ins" in m.subject]
    assert [m.to for m in digest] == [[mworld.coordinator.user.email]]
    assert "overdue" in digest[0].body
    run(tasks.send_program_alerts, mworld.program.pk)
    assert len([m for m in mail.outbox if "Check-ins" in m.subject]) == 1


def test_the_daily_run_keeps_check_ins_written_ahead(mworld, run):
    _quiet_world(mworld, days=1)
    run(tasks.send_program_alerts, mworld.program.pk)
    latest = MonitoringContact.objects.filter(match=mworld.match_1).order_by("-due_on").first()
    assert latest is not None
    assert latest.due_on >= _today(mworld) + timedelta(days=60)


def test_another_collaboratives_coordinator_hears_nothing_of_this_program(mworld, run):
    _quiet_world(mworld)
    run(tasks.send_mentoring_alerts)
    assert _to(mworld.coordinator.user.email)
    for message in _to(mworld.cast.outsider.user.email):
        assert "/c/collab-a/" not in message.body
        assert mworld.match_1.mentee.name not in message.body
    for message in _to(mworld.coordinator.user.email):
        assert "/c/collab-b/" not in message.body


def test_every_alert_is_a_bulk_notice_with_one_click_unsubscribe(mworld, run):
    _quiet_world(mworld)
    lifecycle.monitoring_schedule_extend(match=mworld.match_1)
    mentee = mworld.match_2.mentee
    mentee.release_date = _today(mworld) + timedelta(days=5)
    mentee.status = "matched"
    mentee.save()
    run(tasks.send_program_alerts, mworld.program.pk)
    assert any("comes home" in m.subject for m in mail.outbox)
    assert any("Check-ins" in m.subject for m in mail.outbox)
    assert any("No session" in m.subject for m in mail.outbox)
    for message in mail.outbox:
        assert_bulk_notice(message)
