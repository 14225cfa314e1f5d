"""Writes to the indicators app: ``<entity>_<verb>(*, actor, ...)``, atomic, audited.

The upload pipeline (parse, validate, commit) lives in ``indicators.importing``.
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.models import (
    Dataset,
    DatasetVersion,
    Dimension,
    DimensionValue,
    Indicator,
    IndicatorSettings,
    LocalDefinition,
    Observation,
)
from indicators.seeds import DEFAULT_DIMENSIONS
from reentry.audit.log import record
from stakeholders.models import Collaborative, Member, Organization

COPY_BATCH = 5000


# --- settings and dimensions ----------------------------------------------------------


def indicator_settings_for(collaborative: Collaborative) -> IndicatorSettings:
    """The collaborative's indicator settings, created (and dimensions seeded) on first use."""
    found = IndicatorSettings.objects.filter(collaborative=collaborative).first()
    if found is not None and found.dimensions_seeded:
        return found
    with transaction.atomic():
        found, _created = IndicatorSettings.objects.select_for_update().get_or_create(
            collaborative=collaborative
        )
        if not found.dimensions_seeded:
            dimensions_seed(collaborative=collaborative)
            found.dimensions_seeded = True
            found.save(update_fields=["dimensions_seeded"])
    return found


def dimensions_seed(*, collaborative: Collaborative) -> None:
    """Create the default dimensions and values that are missing (never overwrites)."""
    existing = set(
        Dimension.objects.filter(collaborative=collaborative).values_list("code", flat=True)
    )
    for order, (code, name, values) in enumerate(DEFAULT_DIMENSIONS):
        if code in existing:
            continue
        dimension = Dimension.objects.create(
            collaborative=collaborative,
            code=code,
            name=name,
            order=order,
            accepts_any_value=not values,
        )
        DimensionValue.objects.bulk_create(
            DimensionValue(dimension=dimension, code=value_code, label=label, order=i)
            for i, (value_code, label) in enumerate(values)
        )


# --- who may do what -----------------------------------------------------------------


def can_manage_catalog(member: Member) -> bool:
    """Create indicators: backbone staff (chairs edit their group's indicators)."""
    return member.is_active and member.is_backbone


def can_upload_for(member: Member, organization: Organization) -> bool:
    """An organization's admins and staff upload its data."""
    return (
        member.is_active
        and member.role in Member.EDITOR_ROLES
        and member.organization_id == organization.pk
    )


def can_submit(member: Member, dataset: Dataset) -> bool:
    """Only the organization's own admin submits its data."""
    return (
        member.is_active
        and member.role == Member.Role.ORG_ADMIN
        and member.organization_id == dataset.owner_id
    )


def can_accept(member: Member, dataset: Dataset) -> bool:
    """Backbone staff of the dataset's collaborative accept submitted data."""
    return (
        member.is_active
        and member.is_backbone
        and member.collaborative_id == dataset.collaborative_id
    )


# --- the catalog ----------------------------------------------------------------------


@transaction.atomic
def indicator_save(
    *,
    actor: Member,
    indicator: Indicator,
    dimensions: Iterable[Dimension] | None = None,
    request=None,
) -> Indicator:
    """Create or update an indicator (fields already set on ``indicator``)."""
    creating = indicator.pk is None
    if creating:
        if not can_manage_catalog(actor):
            raise PermissionDenied
        indicator.collaborative = actor.collaborative
    elif not Indicator.objects.editable_by(actor.user).filter(pk=indicator.pk).exists():
        raise PermissionDenied
    indicator.full_clean()
    indicator.save()
    if dimensions is not None:
        chosen = [d for d in dimensions if d.collaborative_id == indicator.collaborative_id]
        indicator.dimensions.set(chosen)
    record(
        "indicator.created" if creating else "indicator.changed",
        actor=actor.user,
        request=request,
        collaborative=indicator.collaborative,
        obj=indicator,
        status=indicator.status,
    )
    return indicator


@transaction.atomic
def local_definition_save(
    *, actor: Member, indicator: Indicator, includes: str, excludes: str, request=None
) -> LocalDefinition:
    """An organization's admin or staff state what their number includes and excludes."""
    organization = actor.organization
    if (
        organization is None
        or actor.role not in Member.EDITOR_ROLES
        or indicator.collaborative_id != actor.collaborative_id
    ):
        raise PermissionDenied
    definition, _created = LocalDefinition.objects.get_or_create(
        organization=organization, indicator=indicator
    )
    definition.includes = includes.strip()
    definition.excludes = excludes.strip()
    definition.updated_by = actor
    definition.full_clean()
    definition.save()
    record(
        "indicator.local_definition_changed",
        actor=actor.user,
        request=request,
        collaborative=indicator.collaborative,
        obj=indicator,
        organization=organization.name,
    )
    return definition


# --- datasets: approval and versions ---------------------------------------------------


def _lock_version(version: DatasetVersion) -> DatasetVersion:
    return DatasetVersion.objects.select_for_update().select_related("dataset").get(pk=version.pk)


@transaction.atomic
def dataset_version_submit(
    *, actor: Member, version: DatasetVersion, request=None
) -> DatasetVersion:
    """The organization's own admin submits the current draft version for acceptance."""
    version = _lock_version(version)
    dataset = version.dataset
    if not can_submit(actor, dataset):
        raise PermissionDenied
    if dataset.current_version_id != version.pk:
        raise ValidationError(_("Only the current version can be submitted."))
    if version.status != DatasetVersion.Status.DRAFT:
        raise ValidationError(_("This version is already submitted."))
    version.status = DatasetVersion.Status.SUBMITTED
    version.submitted_by = actor.user
    version.submitted_at = timezone.now()
    version.save(update_fields=["status", "submitted_by", "submitted_at"])
    record(
        "dataset.submitted",
        actor=actor.user,
        request=request,
        collaborative=dataset.collaborative,
        obj=dataset,
        version=version.number,
    )
    return version


@transaction.atomic
def dataset_version_accept(
    *, actor: Member, version: DatasetVersion, request=None
) -> DatasetVersion:
    """Backbone staff accept a submitted version: it is locked and becomes the accepted one."""
    version = _lock_version(version)
    dataset = version.dataset
    if not can_accept(actor, dataset):
        raise PermissionDenied
    if version.status != DatasetVersion.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted version can be accepted."))
    if dataset.current_version_id != version.pk:
        raise ValidationError(_("Only the current version can be accepted."))
    version.status = DatasetVersion.Status.ACCEPTED
    version.accepted_by = actor.user
    version.accepted_at = timezone.now()
    version.save(update_fields=["status", "accepted_by", "accepted_at"])
    Dataset.objects.filter(pk=dataset.pk).update(
        accepted_version=version, updated_at=timezone.now()
    )
    dataset.accepted_version = version
    record(
        "dataset.accepted",
        actor=actor.user,
        request=request,
        collaborative=dataset.collaborative,
        obj=dataset,
        version=version.number,
    )
    return version


@transaction.atomic
def dataset_version_return(
    *, actor: Member, version: DatasetVersion, note: str, request=None
) -> DatasetVersion:
    """Backbone staff send a submitted version back to draft, saying why."""
    version = _lock_version(version)
    dataset = version.dataset
    if not can_accept(actor, dataset):
        raise PermissionDenied
    if version.status != DatasetVersion.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted version can be sent back."))
    if not note.strip():
        raise ValidationError(_("Say what needs to change."))
    version.status = DatasetVersion.Status.DRAFT
    version.submitted_at = None
    version.submitted_by = None
    version.save(update_fields=["status", "submitted_at", "submitted_by"])
    record(
        "dataset.returned",
        actor=actor.user,
        request=request,
        collaborative=dataset.collaborative,
        obj=dataset,
        version=version.number,
        note=note.strip()[:500],
    )
    return version


def next_version_number(dataset: Dataset) -> int:
    last = dataset.versions.order_by("-number").values_list("number", flat=True).first()
    return (last or 0) + 1


@transaction.atomic
def dataset_version_restore(
    *, actor: Member, dataset: Dataset, version: DatasetVersion, reason: str, request=None
) -> DatasetVersion:
    """Make an earlier version's rows current again, as a new draft version (copied in the
    database in batches) with a reason; the history stays as it was."""
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    if not can_upload_for(actor, dataset.owner):
        raise PermissionDenied
    if version.dataset_id != dataset.pk:
        raise ValidationError(_("Choose a version of this dataset."))
    if version.pk == dataset.current_version_id:
        raise ValidationError(_("This version is already the current one."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why this version is being restored.")})
    new = DatasetVersion.objects.create(
        dataset=dataset,
        number=next_version_number(dataset),
        reason=reason.strip(),
        row_count=version.row_count,
        restored_from=version,
        source_filename=version.source_filename,
        created_by=actor.user,
    )
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
    if not can_upload_for(actor, dataset.owner):
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
