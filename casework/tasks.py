"""Background work for casework: thin tasks that call a service. Scheduled in
``CELERY_BEAT_SCHEDULE`` (reentry/settings.py). Safe to run twice."""

from celery import shared_task

from casework.services import consents, logs
from casework.services.indicators import casework_indicators_derive_all
from casework.services.referrals import referral_reminders_send


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def consents_expire() -> int:
    """Daily: write down, once each, the consents that have ended. Access never waits for
    this job: whether a consent is in force is decided at every request from its dates."""
    return consents.consents_expire()


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def send_referral_reminders() -> int:
    """Hourly: remind receiving organizations of referrals left unanswered longer than
    their collaborative's ``referral_reminder_days`` (each referral once per period)."""
    return referral_reminders_send()


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def idempotency_keys_expire() -> int:
    """Hourly: forget the API's idempotency keys older than a day (the API already
    ignores them; this keeps the table small)."""
    return logs.idempotency_keys_expire()


@shared_task(acks_late=True, soft_time_limit=1500, time_limit=1800)
def derive_casework_indicators() -> int:
    """Daily: each organization that defined casework indicators works them out again from
    its own records (a new version of its casework dataset only when a figure changed)."""
    return casework_indicators_derive_all()
