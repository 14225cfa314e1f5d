"""Background work for working groups: thin tasks that take ids and call a service
(workgroups/services/reminders.py). Scheduled in CELERY_BEAT_SCHEDULE (reentry/settings.py).
Every one is safe to run twice: the services claim each email before queuing it."""

from celery import shared_task

from reentry.queue import enqueue
from reentry.tasks import NOTICE_TASK
from workgroups import services


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def send_gathering_reminders() -> int:
    """Hourly: queue one reminder task per gathering starting within the next day."""
    meeting_ids = services.gathering_reminders_due()
    for meeting_id in meeting_ids:
        enqueue(send_gathering_reminder, meeting_id)
    return len(meeting_ids)


@shared_task(**NOTICE_TASK)
def send_gathering_reminder(meeting_id: int) -> int:
    """Email one gathering's members who chose email, each at most once."""
    return services.gathering_reminder_send(meeting_id=meeting_id)


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def send_overdue_digests() -> int:
    """Weekly: each owner of overdue action items gets one email listing them."""
    return services.overdue_digest_send()
