"""Writes to datasets: approval (submit, accept, send back), versions (restore) and the
description. ``<entity>_<verb>(*, actor, ...)``, atomic, audited. Uploads are in
``indicators.services.uploads``."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.access import can_accept_dataset, can_change_dataset, can_submit_dataset
from indicators.models import Dataset, DatasetVersion, Licence, Observation
from reentry.audit.log import record
from reentry.pagecache import DASHBOARD, page_changed
from reentry.sharing.services import sharing_set
from stakeholders.models import Member

COPY_BATCH = 5000


# --- datasets: approval and versions ---------------------------------------------------


def _lock_version(
    version: DatasetVersion, *, actor: Member, may: Callable[[Member, Dataset], bool]
) -> DatasetVersion:
    """The version again, locked, with its dataset; refused unless ``may`` lets the actor."""
    locked = DatasetVersion.objects.select_for_update().select_related("dataset")
    version = locked.get(pk=version.pk)
    if not may(actor, version.dataset):
        raise PermissionDenied
    return version


def _version_move(
    version: DatasetVersion,
    *,
    actor: Member,
    status: str,
    stamps: dict[str, Any],
    action: str,
    request,
    **details: Any,
) -> DatasetVersion:
    """Give the version its new ``status`` and who/when ``stamps``, and log ``action``
    against its dataset: the one step every approval move ends with."""
    version.status = status
    for field, value in stamps.items():
        setattr(version, field, value)
    version.save(update_fields=["status", *stamps])
    dataset = version.dataset
    page_changed(DASHBOARD, dataset.collaborative)  # accepted figures are public ones
    record(
        action,
        actor=actor.user,
        request=request,
        collaborative=dataset.collaborative,
        obj=dataset,
        version=version.number,
        **details,
    )
    return version


@transaction.atomic
def dataset_version_submit(
    *, actor: Member, version: DatasetVersion, request=None
) -> DatasetVersion:
    """The organization's own admin submits the current draft version for acceptance."""
    version = _lock_version(version, actor=actor, may=can_submit_dataset)
    if version.dataset.current_version_id != version.pk:
        raise ValidationError(_("Only the current version can be submitted."))
    if version.status != DatasetVersion.Status.DRAFT:
        raise ValidationError(_("This version is already submitted."))
    return _version_move(
        version,
        actor=actor,
        status=DatasetVersion.Status.SUBMITTED,
        stamps={"submitted_by": actor.user, "submitted_at": timezone.now()},
        action="dataset.submitted",
        request=request,
    )


@transaction.atomic
def dataset_version_accept(
    *, actor: Member, version: DatasetVersion, request=None
) -> DatasetVersion:
    """Backbone staff accept a submitted version: it is locked and becomes the accepted one."""
    version = _lock_version(version, actor=actor, may=can_accept_dataset)
    dataset = version.dataset
    if version.status != DatasetVersion.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted version can be accepted."))
    if dataset.current_version_id != version.pk:
        raise ValidationError(_("Only the current version can be accepted."))
    now = timezone.now()
    Dataset.objects.filter(pk=dataset.pk).update(accepted_version=version, updated_at=now)
    dataset.accepted_version = version
    return _version_move(
        version,
        actor=actor,
        status=DatasetVersion.Status.ACCEPTED,
        stamps={"accepted_by": actor.user, "accepted_at": now},
        action="dataset.accepted",
        request=request,
    )


@transaction.atomic
def dataset_version_return(
    *, actor: Member, version: DatasetVersion, note: str, request=None
) -> DatasetVersion:
    """Backbone staff send a submitted version back to draft, saying why."""
    version = _lock_version(version, actor=actor, may=can_accept_dataset)
    if version.status != DatasetVersion.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted version can be sent back."))
    if not note.strip():
        raise ValidationError(_("Say what needs to change."))
    return _version_move(
        version,
        actor=actor,
        status=DatasetVersion.Status.DRAFT,
        stamps={"submitted_at": None, "submitted_by": None},
        action="dataset.returned",
        request=request,
        note=note.strip()[:500],
    )


@transaction.atomic
def dataset_version_restore(
    *, actor: Member, dataset: Dataset, version: DatasetVersion, reason: str, request=None
) -> DatasetVersion:
    """Make an earlier version's rows current again, as a new draft version (copied in the
    database in batches) with a reason; the history stays as it was."""
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    if not can_change_dataset(actor, dataset):
        raise PermissionDenied
    if version.dataset_id != dataset.pk:
        raise ValidationError(_("Choose a version of this dataset."))
    if version.pk == dataset.current_version_id:
        raise ValidationError(_("This version is already the current one."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why this version is being restored.")})
    new = DatasetVersion.objects.create(
        dataset=dataset,
        number=dataset.next_version_number(),
        reason=reason.strip(),
        row_count=version.row_count,
        restored_from=version,
        source_filename=version.source_filename,
        created_by=actor.user,
    )
    page_changed(DASHBOARD, dataset.collaborative)
    if dataset.is_records:
        _records_restore(dataset, version, new)
        record(
            "dataset.restored",
            actor=actor.user,
            request=request,
            collaborative=dataset.collaborative,
            obj=dataset,
            version=new.number,
            restored_from=version.number,
        )
        return new
    fields = [
        "indicator_id",
        "period_kind",
        "period_start",
        "period_end",
        "breakdown",
        "breakdown_dims",
        "breakdown_key",
        "value",
        "numerator",
        "denominator",
    ]
    batch: list[Observation] = []
    rows = Observation.objects.filter(version=version).order_by("pk").values(*fields)
    for row in rows.iterator(chunk_size=COPY_BATCH):
        batch.append(Observation(dataset_id=dataset.pk, version_id=new.pk, **row))
        if len(batch) >= COPY_BATCH:
            Observation.objects.bulk_create(batch)
            batch.clear()
    if batch:
        Observation.objects.bulk_create(batch)
    Dataset.objects.filter(pk=dataset.pk).update(current_version=new, updated_at=timezone.now())
    dataset.current_version = new
    record(
        "dataset.restored",
        actor=actor.user,
        request=request,
        collaborative=dataset.collaborative,
        obj=dataset,
        version=new.number,
        restored_from=version.number,
    )
    return new


def _records_restore(dataset: Dataset, version: DatasetVersion, new: DatasetVersion) -> None:
    """A record-level version is restored by copying its rows in the database and
    deriving every defined indicator again (definitions may have changed since)."""
    from indicators.models import Record
    from indicators.records.derive import derive_all
    from indicators.records.spec import SpecError

    table = connection.ops.quote_name(Record._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (dataset_id, version_id, row, cells) "  # noqa: S608
            f"SELECT dataset_id, %s, row, cells FROM {table} WHERE version_id = %s",
            [new.pk, version.pk],
        )
    new.columns, new.profile = version.columns, version.profile
    new.save(update_fields=["columns", "profile"])
    Dataset.objects.filter(pk=dataset.pk).update(current_version=new, updated_at=timezone.now())
    dataset.current_version = new
    try:
        derive_all(new)
    except SpecError as exc:
        raise ValidationError(exc.problems) from exc


@transaction.atomic
def dataset_update(
    *, actor: Member, dataset: Dataset, changes: dict[str, Any], request=None
) -> Dataset:
    """Change a dataset's description (title, source, methodology, licence). Locked once
    the current version is accepted: a change then needs a new version."""
    dataset = (
        Dataset.objects.select_for_update(of=("self",))  # not the outer-joined version
        .select_related("current_version")
        .get(pk=dataset.pk)
    )
    if not can_change_dataset(actor, dataset):
        raise PermissionDenied
    if dataset.is_locked:
        raise ValidationError(
            _(
                "This data is accepted and locked. "
                "Upload a new version, with a reason, to change it."
            )
        )
    allowed = {"title", "source", "methodology", "licence", "period_start", "period_end"}
    for name, value in changes.items():
        if name in allowed:
            setattr(dataset, name, value)
    dataset.full_clean()
    dataset.save()
    record(
        "dataset.changed",
        actor=actor.user,
        request=request,
        collaborative=dataset.collaborative,
        obj=dataset,
        fields=sorted(set(changes) & allowed),
    )
    return dataset


@transaction.atomic
def dataset_share(
    *,
    actor: Member,
    dataset: Dataset,
    level: str,
    share_with: list,
    licence: str | None = None,
    request=None,
) -> Dataset:
    """Change who can see a dataset and, when it is made public under an open licence
    chosen at the same time, its licence: both, or neither. Whoever may change who sees
    it (``editable_by``) may change the licence with it, even once its figures are
    accepted (the licence says how others may reuse them, not what they are)."""
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    if licence is not None and licence != dataset.licence:
        if not dataset.is_editable_by(actor.user):
            raise PermissionDenied
        if licence not in Licence.values:
            raise ValidationError({"public_licence": _("Choose a licence from the list.")})
        old = dataset.licence
        dataset.licence = licence
        dataset.save(update_fields=["licence", "updated_at"])
        record(
            "dataset.changed",
            actor=actor.user,
            request=request,
            collaborative=dataset.collaborative,
            obj=dataset,
            fields=["licence"],
            licence_from=old,
            licence_to=licence,
        )
    sharing_set(actor=actor, obj=dataset, level=level, share_with=share_with, request=request)
    page_changed(DASHBOARD, dataset.collaborative)  # public or no longer
    return dataset
