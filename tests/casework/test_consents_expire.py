"""The daily expiry job: it writes down each ended consent once, however often it runs,
and nobody's access ever waits for it (a consent's dates decide at every request)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from casework import tasks
from casework.models import Consent, Enrolment, ServiceLog
from reentry.audit.models import AuditEvent
from reentry.celery import app
from tests.casework.conftest import give_consent


def expiry_events():
    return AuditEvent.objects.filter(action="casework.consent_expired")


def test_running_it_twice_records_one_event_per_ended_consent(casebook):
    c = casebook.cast
    also_ended = give_consent(
        c.staff_c,
        casebook.quinn_c,
        days=(-60, -2),
        recipient_organizations=[c.org_a],
        key_areas=[casebook.housing],
        shares_needs=True,
    )
    assert tasks.consents_expire.delay().get() == 2
    assert tasks.consents_expire.delay().get() == 0
    events = expiry_events()
    assert sorted(e.details["consent"] for e in events) == sorted(
        [str(casebook.expired_to_s2.public_id), str(also_ended.public_id)]
    )
    assert {e.object_id for e in events} == {
        str(casebook.pat.public_id),
        str(casebook.quinn_c.participant.public_id),
    }
    # A revoked consent is not "ended" a second time; one in force is left alone.
    recorded = Consent.objects.filter(expiry_recorded_at__isnull=False)
    assert set(recorded) == {casebook.expired_to_s2, also_ended}


def test_access_never_depended_on_the_job(casebook):
    c = casebook.cast
    # Before the job ran, the ended consent already showed nothing to Org C.
    assert not Enrolment.objects.visible_to(c.staff_c.user).filter(pk=casebook.pat_a.pk).exists()
    assert (
        not ServiceLog.objects.visible_to(c.staff_c.user).filter(participant=casebook.pat).exists()
    )
    # And a consent in force stays in force even if it were marked as ended by mistake.
    Consent.objects.filter(pk=casebook.to_b.pk).update(expiry_recorded_at=timezone.now())
    assert casebook.log_housing in ServiceLog.objects.visible_to(c.staff_b.user)
    tasks.consents_expire.delay()
    assert casebook.log_housing in ServiceLog.objects.visible_to(c.staff_b.user)
    assert not Enrolment.objects.visible_to(c.staff_c.user).filter(pk=casebook.pat_a.pk).exists()


def test_a_consent_on_its_last_day_is_not_ended_yet(casebook):
    c = casebook.cast
    last_day = give_consent(
        c.staff_a,
        casebook.pat_a,
        days=(-10, 0),
        recipient_organizations=[c.org_c],
        key_areas=[casebook.housing],
        shares_needs=True,
    )
    tasks.consents_expire.delay()
    last_day.refresh_from_db()
    assert last_day.expiry_recorded_at is None
    assert last_day.ends_on == casebook.collab.today()
    assert Enrolment.objects.visible_to(c.staff_c.user).filter(pk=casebook.pat_a.pk).exists()
    assert (
        not Enrolment.objects.visible_to(c.staff_c.user, today=last_day.ends_on + timedelta(days=1))
        .filter(pk=casebook.pat_a.pk)
        .exists()
    )


def test_the_job_runs_every_day():
    entries = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "casework.tasks.consents_expire"
    ]
    assert len(entries) == 1
    assert "casework.tasks.consents_expire" in app.tasks
    schedule = entries[0]["schedule"]
    assert schedule.hour == {6} and schedule.day_of_week == set(range(7))
