from celery import shared_task

from reentry.outbox.services import outbox_flush


@shared_task(ignore_result=True, soft_time_limit=240, time_limit=300)
def flush_outbox() -> int:
    """Every minute (CELERY_BEAT_SCHEDULE): send tasks kept while the broker was down."""
    return outbox_flush()
