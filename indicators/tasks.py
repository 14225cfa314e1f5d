"""Background work for uploads: thin tasks that take ids and call the services in
``indicators.importing.jobs``. Both are idempotent: each claims its job by status."""

from celery import shared_task

from indicators.importing import jobs


@shared_task(acks_late=True, soft_time_limit=1800, time_limit=1900)
def check_import(job_id: int) -> str | None:
    """Check every row of an upload; the job's report says what was found."""
    job = jobs.job_check(job_id)
    return job.status if job is not None else None


@shared_task(acks_late=True, soft_time_limit=1800, time_limit=1900)
def commit_import(job_id: int) -> str | None:
    """Store every row of a checked upload as a new dataset version, or none."""
    job = jobs.job_commit(job_id)
    return job.status if job is not None else None
