"""The abstract shareable container and its one permission policy.

A concrete model subclasses ``Shareable``, declares its owner foreign key as
``owner`` (to Organization or WorkingGroup: the owner model provides
``viewer_owner_ids(user)`` and ``editor_owner_ids(user)``), and declares its
guardian direct-FK grant table beside it::

    class Dataset(Shareable):
        owner = models.ForeignKey(Organization, on_delete=models.CASCADE)
        sharing_collaborative_path = "owner__collaborative"

    class DatasetGroupObjectPermission(GroupGrant):
        content_object = models.ForeignKey(Dataset, on_delete=models.CASCADE)

Rows of a large child table (observations, service logs) carry no sharing of
their own: they are visible through their container (``visible_through``).
"""

from functools import cache

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef, Q
from guardian.models import GroupObjectPermissionBase

from reentry.sharing.groups import user_group_ids
from reentry.sharing.levels import SharingLevel

GRANTED_LEVELS = (SharingLevel.SECTOR, SharingLevel.SHARED)


class GroupGrant(GroupObjectPermissionBase):
    """Base of the per-model guardian tables, indexed for the EXISTS in visible_to."""

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = True


def _member_collaboratives(user) -> models.QuerySet:
    member = apps.get_model("stakeholders", "Member")
    return member.objects.filter(user_id=user.pk, is_active=True).values("collaborative_id")


class ShareableQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ShareableQuerySet":
        """Everything this person may see: a constant number of queries (one)."""
        model = self.model
        public = Q(sharing_level=SharingLevel.PUBLIC)
        if user is None or not user.is_authenticated:
            return self.filter(public)
        owner_model = model.owner_model()
        collab_path = f"{model.sharing_collaborative_path}_id__in"
        return self.filter(
            public
            | Q(owner_id__in=owner_model.viewer_owner_ids(user))
            | Q(
                sharing_level=SharingLevel.COLLABORATIVE,
                **{collab_path: _member_collaboratives(user)},
            )
            | (Q(sharing_level__in=GRANTED_LEVELS) & Exists(model.grants_for(user, "view")))
        )

    def editable_by(self, user) -> "ShareableQuerySet":
        """What this person may change: the owner's editors, or a `change` grant."""
        if user is None or not user.is_authenticated:
            return self.none()
        owner_model = self.model.owner_model()
        return self.filter(
            Q(owner_id__in=owner_model.editor_owner_ids(user))
            | Exists(self.model.grants_for(user, "change"))
        )

    def visible_through(self, field: str, user) -> models.QuerySet:
        """For a child table: rows whose container (``field``) the person may see."""
        container = self.model._meta.get_field(field).related_model
        return self.filter(**{f"{field}_id__in": container.objects.visible_to(user).values("pk")})


class Shareable(models.Model):
    """Owner + sharing level. Subclasses add ``owner`` and a GroupGrant table."""

    sharing_collaborative_path = "owner__collaborative"

    sharing_level = models.CharField(
        max_length=20,
        choices=SharingLevel.choices,
        default=SharingLevel.PRIVATE,
        db_index=True,
        verbose_name="who can see this",
    )

    objects = ShareableQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def owner_model(cls) -> type[models.Model]:
        return cls._meta.get_field("owner").related_model

    @classmethod
    def grant_model(cls) -> type[GroupObjectPermissionBase]:
        return _grant_model(cls)

    @classmethod
    def grants_for(cls, user, action: str) -> models.QuerySet:
        """Grant rows for OuterRef('pk') to any of the user's groups, for one action."""
        return cls.grant_model().objects.filter(
            content_object_id=OuterRef("pk"),
            group_id__in=user_group_ids(user),
            permission__codename=f"{action}_{cls._meta.model_name}",
            permission__content_type__app_label=cls._meta.app_label,
        )

    def collaborative_id_value(self) -> int:
        obj = self
        for part in self.sharing_collaborative_path.split("__"):
            obj = getattr(obj, part)
        return obj.pk

    def is_visible_to(self, user) -> bool:
        return type(self).objects.visible_to(user).filter(pk=self.pk).exists()

    def is_editable_by(self, user) -> bool:
        return type(self).objects.editable_by(user).filter(pk=self.pk).exists()


@cache
def _grant_model(model: type[models.Model]) -> type[GroupObjectPermissionBase]:
    for rel in model._meta.related_objects:
        related = rel.related_model
        if issubclass(related, GroupObjectPermissionBase) and rel.field.name == "content_object":
            return related
    raise LookupError(
        f"{model._meta.label} has no direct-FK group permission table; declare "
        f"{model.__name__}GroupObjectPermission(GroupGrant) with content_object."
    )


def shareable_models() -> list[type[Shareable]]:
    return [m for m in apps.get_models() if issubclass(m, Shareable)]
