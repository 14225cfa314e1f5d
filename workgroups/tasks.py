"""Background work for working groups: thin tasks that take ids and call a service
(workgroups/services/reminders.py). Scheduled in CELERY_BEAT_SCHEDULE (reentry/settings.py).
Every one is safe to run twice: the services claim each email before queuing it."""

from celery import shared_task

from reentry.queue import enqueue
from workgroups import poll_notifications, polls, services


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def send_gathering_reminders() -> int:
    """Hourly: queue one reminder task per gathering starting within the next day."""
    meeting_ids = services.gathering_reminders_due()
    for meeting_id in meeting_ids:
        enqueue(send_gathering_reminder, meeting_id)
    return len(meeting_ids)


@shared_task(
    acks_late=True,
    soft_time_limit=120,
    time_limit=150,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_gathering_reminder(meeting_id: int) -> int:
    """Email one gathering's members who chose email, each at most once."""
    return services.gathering_reminder_send(meeting_id=meeting_id)


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def send_overdue_digests() -> int:
    """Weekly: each owner of overdue action items gets one email listing them."""
    return services.overdue_digest_send()


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def open_and_close_polls() -> list[int]:
    """Every minute: open scheduled polls whose time has come, close (and count) open
    polls whose time is up (workgroups.polls). Safe to run twice: each poll is locked
    and its status checked before it changes."""
    opened, closed = polls.polls_open_and_close_due()
    return [opened, closed]


# --- Poll notifications (workgroups/poll_notifications.py) ---------------------------------

NOTIFY = {
    "acks_late": True,
    "soft_time_limit": 120,
    "time_limit": 150,
    "autoretry_for": (OSError,),
    "retry_backoff": True,
    "max_retries": 5,
}


@shared_task(**NOTIFY)
def send_poll_opened(poll_id: int) -> int:
    """A poll opened: email its eligible voters who chose email, each at most once."""
    return poll_notifications.poll_opened_send(poll_id=poll_id)


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def send_poll_closing_reminders() -> int:
    """Hourly: queue one reminder task per open poll that closes within the next day."""
    poll_ids = poll_notifications.poll_closing_due()
    for poll_id in poll_ids:
        enqueue(send_poll_closing, poll_id)
    return len(poll_ids)


@shared_task(**NOTIFY)
def send_poll_closing(poll_id: int) -> int:
    """A poll closes tomorrow: remind the eligible voters who have not voted yet."""
    return poll_notifications.poll_closing_send(poll_id=poll_id)


@shared_task(**NOTIFY)
def send_poll_results(poll_id: int) -> int:
    """A poll closed: tell its eligible voters the results are in."""
    return poll_notifications.poll_results_send(poll_id=poll_id)
