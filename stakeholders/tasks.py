"""Background work for stakeholders: thin tasks that call a service."""

from celery import shared_task

from stakeholders.directory.hsds.uploads import uploads_sweep
from stakeholders.directory.services.reminders import verification_reminders_send


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def send_verification_reminders() -> int:
    """Daily: email admins the listings not verified in 90 days (each at most quarterly)."""
    return verification_reminders_send()


@shared_task(acks_late=True, soft_time_limit=120, time_limit=180)
def sweep_hsds_uploads() -> int:
    """Hourly: delete datapackages uploaded for a preview nobody confirmed or cancelled."""
    return uploads_sweep()
