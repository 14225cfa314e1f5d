"""Beat tasks for polls (scheduled in CELERY_BEAT_SCHEDULE, reentry/settings.py): thin,
they take ids and call a service, and each is safe to run twice. The emails' own tasks
sit beside what they send, in ``workgroups.polls.notifications``."""

from celery import shared_task

from reentry.queue import enqueue
from workgroups.polls import notifications, services


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def open_and_close_polls() -> list[int]:
    """Every minute: open scheduled polls whose time has come, close (and count) open
    polls whose time is up. Safe to run twice: each poll is locked and its status
    checked before it changes."""
    opened, closed = services.polls_open_and_close_due()
    return [opened, closed]


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def send_poll_closing_reminders() -> int:
    """Hourly: queue one reminder task per open poll that closes within the next day."""
    poll_ids = notifications.poll_closing_due()
    for poll_id in poll_ids:
        enqueue(notifications.send_poll_closing, poll_id)
    return len(poll_ids)
