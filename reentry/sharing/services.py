"""Writes to sharing: set a level (re-granting in one transaction), re-grant an owner."""

from collections.abc import Iterable
from typing import Protocol

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from reentry.audit.log import record
from reentry.sharing.groups import BackedByGroup
from reentry.sharing.levels import SharingLevel
from reentry.sharing.models import Shareable, shareable_models


class Actor(Protocol):
    """The acting person inside a collaborative: a ``stakeholders.models.Member``, as in
    every service. Sharing sits a floor below stakeholders, so it names only what it
    reads of the Member rather than importing it."""

    @property
    def user(self) -> AbstractBaseUser: ...


def _view_permission(model: type[models.Model]) -> Permission:
    ct = ContentType.objects.get_for_model(model)
    return Permission.objects.get(content_type=ct, codename=f"view_{model._meta.model_name}")


def _sector_group_id(owner) -> int | None:
    sector = getattr(owner, "sector", None)
    return sector.group_id if sector is not None else None


def share_targets(obj: Shareable) -> list[models.Model]:
    """The organizations, sectors and working groups an object is explicitly shared with."""
    if obj.sharing_level != SharingLevel.SHARED:
        return []
    # The django-stubs plugin checks lookups against guardian's abstract base, which has no
    # content_object: each concrete grant table declares its own (see GroupGrant).
    group_ids = set(
        obj.grant_model()
        .objects.filter(
            content_object=obj,  # type: ignore[misc]
            permission=_view_permission(type(obj)),
        )
        .values_list("group_id", flat=True)
    )
    from django.apps import apps

    found: list[models.Model] = []
    for model in apps.get_models():
        if issubclass(model, BackedByGroup) and model._meta.model_name != "collaborative":
            found.extend(model._default_manager.filter(group_id__in=group_ids))
    return found


def _grant_group_ids(obj: Shareable, level: str, targets: list[models.Model]) -> set[int]:
    if level == SharingLevel.SECTOR:
        gid = _sector_group_id(obj.owner)
        if gid is None:
            raise ValidationError(
                _("Only an organization's records can be shared with its sector.")
            )
        return {gid}
    if level == SharingLevel.SHARED:
        if not targets:
            raise ValidationError(
                _("Choose at least one organization, sector or group to share with.")
            )
        collab_id = obj.collaborative_id_value()
        group_ids: set[int] = set()
        for target in targets:
            if (
                not isinstance(target, BackedByGroup)
                or target.group_id is None
                or getattr(target, "collaborative_id", None) != collab_id
            ):
                raise ValidationError(_("You can only share with people in this collaborative."))
            group_ids.add(target.group_id)
        return group_ids
    return set()


@transaction.atomic
def sharing_set(
    *,
    actor: Actor,
    obj: Shareable,
    level: str,
    share_with: Iterable[models.Model] = (),
    request=None,
) -> Shareable:
    """Change who can see ``obj``: revoke every view grant and grant anew, atomically.
    ``actor`` is the acting Member; they must be able to edit ``obj``.

    If anything fails, the old level and grants stay, in the database and on ``obj``.
    """
    if level not in SharingLevel.values:
        raise ValidationError(_("Choose who can see this."))
    if not obj.is_editable_by(actor.user):
        raise PermissionDenied
    return _apply_level(obj, level, share_with, user=actor.user, request=request)


@transaction.atomic
def sharing_set_from_command(*, obj: Shareable, level: str) -> Shareable:
    """The same change made by someone at the server (``manage.py import_records
    --share``): no member acts, so nobody's rights are checked; the audit log says no
    person did it. Never call this from a view."""
    if level not in SharingLevel.values or level == SharingLevel.SHARED:
        raise ValidationError(_("Choose who can see this."))
    return _apply_level(obj, level, (), user=None, request=None)


def _apply_level(
    obj: Shareable, level: str, share_with: Iterable[models.Model], *, user, request
) -> Shareable:
    targets = list(share_with) if level == SharingLevel.SHARED else []
    old_level = obj.sharing_level
    before = {"level": old_level, "with": sorted(str(t) for t in share_targets(obj))}
    group_ids = _grant_group_ids(obj, level, targets)
    try:
        _replace_view_grants(obj, group_ids)
        obj.sharing_level = level
        obj.save(update_fields=["sharing_level"])
        record(
            "sharing.changed",
            actor=user,
            request=request,
            collaborative=obj.sharing_collaborative(),
            obj=obj,
            before=before,
            after={"level": level, "with": sorted(str(t) for t in targets)},
        )
    except BaseException:
        obj.sharing_level = old_level
        raise
    return obj


def _replace_view_grants(obj: Shareable, group_ids: set[int]) -> None:
    grant_model = obj.grant_model()
    perm = _view_permission(type(obj))
    # content_object: declared by each concrete grant table, not the abstract base the
    # django-stubs plugin checks against (as in share_targets).
    grant_model.objects.filter(content_object=obj, permission=perm).delete()  # type: ignore[misc]
    grant_model.objects.bulk_create(
        [
            grant_model(content_object=obj, permission=perm, group_id=gid)  # type: ignore[misc]
            for gid in group_ids
        ]
    )


@transaction.atomic
def regrant_owner(owner: models.Model) -> int:
    """After an owner changes sector, move its sector-level grants to the new sector."""
    changed: dict[str, list[str]] = {}
    gid = _sector_group_id(owner)
    for model in shareable_models():
        if model.owner_model() is not type(owner):
            continue
        # owner: declared by each concrete shareable, not the abstract base the plugin sees.
        objs = list(
            model.objects.filter(owner=owner, sharing_level=SharingLevel.SECTOR)  # type: ignore[misc]
        )
        for obj in objs:
            _replace_view_grants(obj, {gid} if gid else set())
        if objs:
            changed[model._meta.label] = [str(getattr(o, "public_id", o.pk)) for o in objs]
    if changed:
        record(
            "sharing.regranted",
            obj=owner,
            sector=str(getattr(owner, "sector", "")),
            objects=changed,
        )
    return sum(len(ids) for ids in changed.values())
