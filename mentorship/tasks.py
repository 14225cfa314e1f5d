"""Background work for the mentoring program: thin tasks that take ids and call a
service (``mentorship/alerts.py``). Scheduled in ``CELERY_BEAT_SCHEDULE``
(reentry/settings.py). Safe to run twice: every email is claimed before it is queued."""

from celery import shared_task

from mentorship import alerts
from reentry.queue import enqueue
from reentry.tasks import NOTICE_TASK


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def send_mentoring_alerts() -> int:
    """Daily: queue one alerts task per running program."""
    program_ids = alerts.active_programs()
    for program_id in program_ids:
        enqueue(send_program_alerts, program_id)
    return len(program_ids)


@shared_task(**NOTICE_TASK)
def send_program_alerts(program_id: int) -> int:
    """One program's alerts: quiet matches, release dates near, check-ins due."""
    return alerts.program_alerts_send(program_id=program_id)
