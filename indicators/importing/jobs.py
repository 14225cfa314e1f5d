"""Upload jobs in the background: check every row, commit, sweep old files.

``indicators.services.uploads`` creates and maps a job and queues the check and the
commit (``indicators.tasks``), which run here; both stream the stored file. The commit is
one transaction: every row is stored, or none. ``import_file`` is the same commit for
``manage.py import_observations``.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from indicators.importing import (
    Context,
    Report,
    make_writer,
    progress_key,
    run_pass,
)
from indicators.models import Dataset, DatasetVersion, ImportJob
from reentry.audit.log import record
from reentry.files import local_path
from reentry.pagecache import DASHBOARD, page_changed
from reentry.sharing.levels import SharingLevel
from stakeholders.models import Collaborative, Organization, User

logger = logging.getLogger(__name__)

PROGRESS_TTL = 3600
NEW_DATASET_LEVELS = (
    SharingLevel.PRIVATE,
    SharingLevel.SECTOR,
    SharingLevel.COLLABORATIVE,
    SharingLevel.PUBLIC,
)


class _Rollback(Exception):  # noqa: N818 - control flow: undo the transaction
    def __init__(self, report: Report):
        self.report = report


def _progress(job: ImportJob, phase: str) -> Callable[[int, float], None]:
    key = progress_key(job.public_id)
    total = job.rows_total

    def report(rows: int, fraction: float) -> None:
        if phase == "commit" and total:
            fraction = rows / total
        cache.set(key, {"rows": rows, "percent": int(min(fraction, 0.99) * 100)}, PROGRESS_TTL)

    return report


Progress = Callable[[int, float], None]
#: Checks a job's file: (report, more for the job's report). Figures by default;
#: record-level uploads pass their own (``indicators.records.jobs``).
Check = Callable[[ImportJob, Progress], tuple[Report, dict[str, Any]]]
#: Saves a job's file: (report, more for the job's report, dataset, version), or
#: (report, more, None, None) when nothing was saved.
Commit = Callable[
    [ImportJob, Progress],
    tuple[Report, dict[str, Any], Dataset | None, DatasetVersion | None],
]


def _check_figures(job: ImportJob, on_progress: Progress) -> tuple[Report, dict[str, Any]]:
    with local_path(job.file) as path:
        report = run_pass(
            path=path,
            fmt=job.file_format,
            headers=job.headers,
            mapping=job.mapping,
            context=Context.load(job.collaborative),
            on_progress=on_progress,
        )
    return report, {}


def _commit_figures(
    job: ImportJob, on_progress: Progress
) -> tuple[Report, dict[str, Any], Dataset | None, DatasetVersion | None]:
    with local_path(job.file) as path:
        report, dataset, version = import_file(
            collaborative=job.collaborative,
            organization=job.organization,
            path=path,
            fmt=job.file_format,
            headers=job.headers,
            mapping=job.mapping,
            created_by=job.created_by,
            dataset=job.dataset,
            dataset_fields=job.dataset_fields,
            reason=job.reason,
            filename=job.original_filename,
            on_progress=on_progress,
        )
    return report, {}, dataset, version


def run_check(job_id: int, *, check: Check | None = None) -> ImportJob | None:
    """Check every row of a job's file (no writes). Idempotent: only a job waiting to be
    checked is checked."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.CHECKING).update(
        started_at=timezone.now()
    )
    if not claimed:
        return None
    job = ImportJob.objects.select_related("collaborative").get(pk=job_id)
    try:
        report, extra = (check or _check_figures)(job, _progress(job, "check"))
    except Exception:  # noqa: BLE001 - logged; the page says nothing was saved
        logger.exception("Checking upload %s failed", job.public_id)
        _fail(job)
        return None
    job.report = {**report.as_dict(), **extra}
    job.rows_total = report.rows
    job.rows_done = 0
    job.error_count = report.problem_count
    job.status = ImportJob.Status.VALID if report.ok else ImportJob.Status.INVALID
    job.finished_at = timezone.now()
    job.save(
        update_fields=["report", "rows_total", "rows_done", "error_count", "status", "finished_at"]
    )
    cache.delete(progress_key(job.public_id))
    return job


def _fail(job: ImportJob) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.FAILED,
        message=_("Something went wrong on our side, and nothing was saved. Please try again."),
        finished_at=timezone.now(),
    )
    cache.delete(progress_key(job.public_id))


def run_commit(job_id: int, *, commit: Commit | None = None) -> ImportJob | None:
    """Store every row of a checked upload as a new dataset version, or none of them.
    Idempotent: only a queued job is claimed, once."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    job = ImportJob.objects.select_related("collaborative", "organization", "created_by").get(
        pk=job_id
    )
    try:
        report, extra, dataset, version = (commit or _commit_figures)(job, _progress(job, "commit"))
    except Exception:  # noqa: BLE001 - logged (and rolled back); the page says so
        logger.exception("Saving upload %s failed", job.public_id)
        _fail(job)
        return None
    job.report = {**report.as_dict(), **extra}
    job.error_count = report.problem_count
    job.finished_at = timezone.now()
    if version is None:
        job.status = ImportJob.Status.INVALID
    else:
        job.status = ImportJob.Status.DONE
        job.dataset = dataset
        job.version = version
        job.rows_done = report.rows
    job.save()
    if job.status == ImportJob.Status.DONE and job.file:
        job.file.delete(save=True)
    cache.delete(progress_key(job.public_id))
    return job


_RESTING = (
    ImportJob.Status.UPLOADED,
    ImportJob.Status.INVALID,
    ImportJob.Status.VALID,
    ImportJob.Status.FAILED,
)


def check_file_kept(job: ImportJob) -> None:
    """Refuse to go on with an upload whose file was removed, or is about to be."""
    days = retention_days()
    if job.file_removed_at is not None or not job.file:
        raise ValidationError(_("This file was removed. Upload it again."))
    if job.created_at < timezone.now() - timedelta(days=days):
        raise ValidationError(
            ngettext(
                "This upload is more than %(days)s day old, so its file is being removed. "
                "Upload it again.",
                "This upload is more than %(days)s days old, so its file is being removed. "
                "Upload it again.",
                days,
            )
            % {"days": days}
        )


def retention_days() -> int:
    """How long an upload that was never saved keeps its file (at least one day)."""
    return max(1, int(getattr(settings, "INDICATOR_UPLOAD_RETENTION_DAYS", 7)))


def upload_files_sweep(*, now: datetime | None = None) -> int:
    """Delete the stored file of every upload that no longer needs it; return how many.

    - Never saved (mapped or not, checked with or without errors, failed, or stuck
      checking or saving): the file goes once the upload is older than
      ``settings.INDICATOR_UPLOAD_RETENTION_DAYS`` days (default 7). Its file holds an
      organization's unpublished figures. A stuck upload is marked "Not saved".
    - Saved: the file goes at once (the commit already deletes it; this catches any left
      over). Saved rows live in the database: versions and restores copy rows there and
      never read the file.

    The row and its report stay; ``file_removed_at`` says when the file went, so the
    upload page can say so. Idempotent (only rows that still name a file are touched,
    each claimed by its file name) and safe when the file is already gone. Run daily by
    beat (``indicators.tasks.sweep_upload_files``); to run it now:
    ``manage.py shell -c "from indicators.tasks import sweep_upload_files; sweep_upload_files()"``.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=retention_days())
    # import_job_map and import_job_commit refuse an upload past the cutoff, so one still
    # checking or saving a day after it has been stuck that long (the tasks' time limits
    # are well under an hour).
    candidates = (
        ImportJob.objects.exclude(file="")
        .filter(
            Q(status=ImportJob.Status.DONE)
            | Q(created_at__lt=cutoff, status__in=_RESTING)
            | Q(created_at__lt=cutoff - timedelta(days=1), status__in=ImportJob.ACTIVE)
        )
        .values_list("pk", "file", "status")
    )
    storage = ImportJob._meta.get_field("file").storage
    removed = 0
    for pk, name, status in candidates.iterator():
        try:
            storage.delete(name)  # no error when the file is already gone
        except OSError:
            logger.exception("Could not delete the file of upload %s", pk)
            continue
        changes: dict[str, Any] = {"file": "", "file_removed_at": now}
        if status in ImportJob.ACTIVE:
            changes.update(
                status=ImportJob.Status.FAILED,
                message=_("Nothing was saved, and the file was removed."),
                finished_at=now,
            )
        removed += ImportJob.objects.filter(pk=pk, file=name).update(**changes)
    logger.info("Removed the stored files of %d upload(s).", removed)
    return removed


def import_file(
    *,
    collaborative: Collaborative,
    organization: Organization,
    path: str | Path,
    fmt: str,
    headers: list[str],
    mapping: dict[str, str],
    created_by: User | None,
    dataset: Dataset | None,
    dataset_fields: dict[str, Any],
    reason: str,
    filename: str,
    on_progress: Callable[[int, float], None] | None = None,
) -> tuple[Report, Dataset | None, DatasetVersion | None]:
    """One transaction: create the dataset (or lock the existing one), a new version, and
    every row. If any row fails its checks, everything is rolled back and the report
    says why; (report, None, None) is returned."""
    try:
        with transaction.atomic():
            created = dataset is None
            dataset, version = open_version(
                organization=organization,
                dataset=dataset,
                dataset_fields=dataset_fields,
                reason=reason,
                filename=filename,
                created_by=created_by,
            )
            context = Context.load(collaborative)  # before COPY holds the connection
            writer = make_writer(dataset, version)
            try:
                report = run_pass(
                    path=path,
                    fmt=fmt,
                    headers=headers,
                    mapping=mapping,
                    context=context,
                    writer=writer,
                    on_progress=on_progress,
                )
            except BaseException:
                _abort(writer)
                raise
            if not report.ok:
                _abort(writer)
                raise _Rollback(report)
            writer.close()
            version.row_count = report.rows
            version.save(update_fields=["row_count"])
            dataset.period_start = report.period_start or dataset.period_start
            dataset.period_end = report.period_end or dataset.period_end
            dataset.current_version = version
            dataset.save(
                update_fields=["period_start", "period_end", "current_version", "updated_at"]
            )
            version_saved(
                dataset,
                version,
                created=created,
                dataset_fields=dataset_fields,
                created_by=created_by,
                rows=report.rows,
                filename=filename,
            )
    except _Rollback as rollback:
        return rollback.report, None, None
    return report, dataset, version


def open_version(
    *,
    organization: Organization,
    dataset: Dataset | None,
    dataset_fields: dict[str, Any],
    reason: str,
    filename: str,
    created_by: User | None,
    kind: str = Dataset.Kind.FIGURES,
) -> tuple[Dataset, DatasetVersion]:
    """Inside the caller's transaction: create the dataset (or lock the existing one,
    which must be the organization's and of the same kind) and its next version."""
    if dataset is None:
        dataset = Dataset(
            owner=organization,
            kind=kind,
            title=dataset_fields.get("title") or Path(filename).stem[:200],
            source=dataset_fields.get("source", ""),
            methodology=dataset_fields.get("methodology", ""),
            licence=dataset_fields.get("licence")
            or Dataset._meta.get_field("licence").get_default(),
            period_start=timezone.localdate(),
            period_end=timezone.localdate(),
            created_by=created_by,
        )
        dataset.full_clean(exclude=["current_version", "accepted_version"])
        dataset.save()
    else:
        dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
        if dataset.owner_id != organization.pk or dataset.kind != kind:
            raise PermissionDenied
    version = DatasetVersion.objects.create(
        dataset=dataset,
        number=dataset.next_version_number(),
        reason=reason.strip(),
        source_filename=filename[:255],
        created_by=created_by,
    )
    return dataset, version


def version_saved(
    dataset: Dataset,
    version: DatasetVersion,
    *,
    created: bool,
    dataset_fields: dict[str, Any],
    created_by: User | None,
    rows: int,
    filename: str,
) -> None:
    """Inside the caller's transaction, once every row of a new version is stored (figures
    or records): a new dataset takes its sharing level, the public dashboard is served
    afresh on commit, and the audit log says who saved what."""
    if created:
        share_new(dataset, dataset_fields, created_by)
    page_changed(DASHBOARD, dataset.collaborative)  # on commit only
    record(
        "dataset.imported",
        actor=created_by,
        collaborative=dataset.collaborative,
        obj=dataset,
        version=version.number,
        rows=rows,
        file=filename[:255],
    )


def share_new(dataset: Dataset, dataset_fields: dict[str, Any], created_by: User | None) -> None:
    """A new dataset takes the sharing level chosen with its first upload."""
    from reentry.sharing.services import sharing_set, sharing_set_from_command

    level = dataset_fields.get("sharing_level", SharingLevel.PRIVATE)
    if level == SharingLevel.PRIVATE:
        return
    if created_by is None:  # manage.py at the server, no person acting
        sharing_set_from_command(obj=dataset, level=level)
        return
    member = created_by.memberships.get(collaborative=dataset.collaborative_id)
    sharing_set(actor=member, obj=dataset, level=level)


def _abort(writer) -> None:
    abort = getattr(writer, "abort", None)
    if abort is not None:
        abort()
