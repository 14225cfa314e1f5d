"""Background work for casework: thin tasks that call a service, safe to run twice."""

from celery import shared_task

from casework.services.referrals import referral_reminders_send


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def send_referral_reminders() -> int:
    """Hourly: remind receiving organizations of referrals left unanswered longer than
    their collaborative's ``referral_reminder_days`` (each referral once per period)."""
    return referral_reminders_send()
