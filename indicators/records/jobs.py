"""Record-level uploads in the background: the check profiles the file (no column
mapping: every column is kept), the commit saves every row as a new version and derives
every indicator defined on the dataset again, or saves nothing. The claiming, progress
and bookkeeping are the figure uploads' own (``indicators.importing.jobs``)."""

from typing import Any

from indicators.importing import jobs
from indicators.importing.checks import Report
from indicators.models import Dataset, DatasetVersion, ImportJob
from indicators.records.load import load_version, scan
from reentry.files import local_path


def check_records(job: ImportJob, on_progress: jobs.Progress) -> tuple[Report, dict[str, Any]]:
    """Read the whole file: its shape, and each column's profile (kept in the report, for
    the owner to look at before saving)."""
    with local_path(job.file) as path:
        report, _headers, profile = scan(path, job.file_format, on_progress=on_progress)
    return report, {"profile": profile}


def commit_records(
    job: ImportJob, on_progress: jobs.Progress
) -> tuple[Report, dict[str, Any], Dataset | None, DatasetVersion | None]:
    """All or nothing: the rows, then every derived indicator (a definition that no
    longer fits the new rows is a problem in the report, and nothing is saved)."""
    with local_path(job.file) as path:
        report, profile, dataset, version = load_version(
            collaborative=job.collaborative,
            organization=job.organization,
            path=path,
            fmt=job.file_format,
            created_by=job.created_by,
            dataset=job.dataset,
            dataset_fields=job.dataset_fields,
            reason=job.reason,
            filename=job.original_filename,
            on_progress=on_progress,
        )
    return report, {"profile": profile}, dataset, version


def run_check(job_id: int) -> ImportJob | None:
    return jobs.run_check(job_id, check=check_records)


def run_commit(job_id: int) -> ImportJob | None:
    return jobs.run_commit(job_id, commit=commit_records)
