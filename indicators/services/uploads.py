"""Uploads, as the person does them: store the file and read its headers, say which
column is which (then the check is queued), and ask for a checked upload to be saved
(then the commit is queued). The check and the commit themselves run as Celery tasks
(``indicators.tasks``) over ``indicators.importing.jobs``."""

from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from indicators import tasks
from indicators.access import can_change_upload, can_upload_for
from indicators.importing import (
    check_size,
    file_format,
    guess_mapping,
    mapping_problems,
    progress_key,
    read_headers,
    remember_mapping,
)
from indicators.importing.jobs import check_file_kept
from indicators.models import Dataset, Dimension, ImportJob
from reentry.files import local_path
from reentry.queue import enqueue
from stakeholders.models import Member


def import_job_create(
    *,
    actor: Member,
    upload: UploadedFile,
    dataset: Dataset | None,
    dataset_fields: dict[str, Any],
    reason: str,
    kind: str = Dataset.Kind.FIGURES,
) -> ImportJob:
    """Store an uploaded file and read its headers. Raises ``FileProblem`` (nothing kept)
    for a file that is too large, of the wrong kind, unreadable, or with bad headers.

    ``kind`` says what a new dataset holds: figures (then the person says which column is
    which) or records, one row per person (every column is kept, so the check is queued
    at once). A new version keeps its dataset's kind, whatever ``kind`` says."""
    organization = actor.organization
    if organization is None or not can_upload_for(actor, organization.pk):
        raise PermissionDenied
    if dataset is not None and dataset.owner_id != organization.pk:
        raise PermissionDenied
    if dataset is not None and not reason.strip():
        raise ValidationError({"reason": _("Say why this new version replaces the current one.")})
    check_size(upload.size or 0)
    name = Path(upload.name or "upload").name[:200]
    fmt = file_format(name)
    if dataset is not None:
        kind = dataset.kind
    elif kind not in Dataset.Kind.values:
        raise ValidationError({"kind": _("Choose what the file holds.")})
    job = ImportJob(
        kind=kind,
        collaborative=actor.collaborative,
        organization=organization,
        dataset=dataset,
        dataset_fields=dataset_fields if dataset is None else {},
        reason=reason.strip(),
        original_filename=name,
        file_format=fmt,
        file_size=upload.size or 0,
        created_by=actor.user,
    )
    # The headers from the upload as received (no download back from object storage);
    # a file whose headers do not read is never stored.
    with local_path(upload) as path:
        job.headers = read_headers(path, fmt)
    job.file.save(f"upload.{fmt}", upload, save=False)
    if kind == Dataset.Kind.RECORDS:
        # Every column is kept as it is: nothing to map, so the check starts now.
        with transaction.atomic():
            job.status = ImportJob.Status.CHECKING
            job.save()
            enqueue(tasks.check_import, job.pk)
        return job
    dimensions = list(Dimension.objects.filter(collaborative=actor.collaborative))
    job.mapping = guess_mapping(job.headers, dimensions, organization)
    job.save()
    return job


@transaction.atomic
def import_job_map(*, actor: Member, job: ImportJob, mapping: dict[str, str]) -> ImportJob:
    """Save the column mapping (remembered for the organization) and queue the check."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if not can_change_upload(actor, job):
        raise PermissionDenied
    if job.kind == Dataset.Kind.RECORDS:
        raise ValidationError(_("Records keep every column: there are no columns to choose."))
    if job.status not in (
        ImportJob.Status.UPLOADED,
        ImportJob.Status.INVALID,
        ImportJob.Status.VALID,
    ):
        raise ValidationError(_("This upload is already being saved."))
    check_file_kept(job)
    mapping = {h: mapping.get(h, "") for h in job.headers}
    problems = mapping_problems(mapping)
    if problems:
        raise ValidationError(problems)
    remember_mapping(
        organization=job.organization, headers=job.headers, mapping=mapping, user=actor.user
    )
    job.mapping = mapping
    job.status = ImportJob.Status.CHECKING
    job.rows_done = 0
    job.error_count = 0
    job.report = {}
    job.save(update_fields=["mapping", "status", "rows_done", "error_count", "report"])
    cache.delete(progress_key(job.public_id))
    enqueue(tasks.check_import, job.pk)
    return job


@transaction.atomic
def import_job_commit(*, actor: Member, job: ImportJob, request=None) -> ImportJob:
    """Queue the commit of a checked upload."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if not can_change_upload(actor, job):
        raise PermissionDenied
    if job.status != ImportJob.Status.VALID:
        raise ValidationError(_("Only a checked upload with no errors can be saved."))
    check_file_kept(job)
    job.status = ImportJob.Status.QUEUED
    job.rows_done = 0
    job.save(update_fields=["status", "rows_done"])
    enqueue(tasks.commit_import, job.pk)
    return job
