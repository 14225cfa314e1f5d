"""Background work for uploads: thin tasks that take ids and run the steps in
``indicators.importing.jobs``; ``indicators.services.uploads`` queues them. All are
idempotent: each claims its job by status (the sweep, by file name)."""

from celery import shared_task

from indicators.importing import jobs
from indicators.models import Dataset, ImportJob
from indicators.records import jobs as record_jobs


def _is_records(job_id: int) -> bool:
    kind = ImportJob.objects.filter(pk=job_id).values_list("kind", flat=True).first()
    return kind == Dataset.Kind.RECORDS


@shared_task(acks_late=True, soft_time_limit=1800, time_limit=1900)
def check_import(job_id: int) -> str | None:
    """Check every row of an upload (records: and profile every column); the job's
    report says what was found."""
    run = record_jobs.run_check if _is_records(job_id) else jobs.run_check
    job = run(job_id)
    return job.status if job is not None else None


@shared_task(acks_late=True, soft_time_limit=1800, time_limit=1900)
def commit_import(job_id: int) -> str | None:
    """Store every row of a checked upload as a new dataset version, or none (records:
    and derive every indicator defined on the dataset again)."""
    run = record_jobs.run_commit if _is_records(job_id) else jobs.run_commit
    job = run(job_id)
    return job.status if job is not None else None


@shared_task(acks_late=True, soft_time_limit=600, time_limit=660)
def sweep_upload_files() -> int:
    """Daily: delete the stored file of uploads saved already, or never saved and older
    than ``INDICATOR_UPLOAD_RETENTION_DAYS``; the upload's row and report stay. Returns how
    many files went (also logged). To run it now, call it directly:
    ``manage.py shell -c "from indicators.tasks import sweep_upload_files as t; print(t())"``.
    """
    return jobs.upload_files_sweep()
