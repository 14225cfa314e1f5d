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

from collections.abc import Callable
from functools import cache
from typing import Any, ClassVar, Protocol, Self, cast

from django.apps import apps
from django.contrib.auth.models import Permission
from django.db import models
from django.db.models import Q, Subquery
from django.db.models.expressions import RawSQL
from guardian.models import GroupObjectPermissionBase

from reentry.personsql import person_sql
from reentry.sharing.groups import user_group_ids
from reentry.sharing.levels import SharingLevel

GRANTED_LEVELS = (SharingLevel.SECTOR, SharingLevel.SHARED)


class GroupGrant(GroupObjectPermissionBase):
    """Base of the per-model guardian tables, indexed both ways.

    guardian's base has ``unique_together = (group, permission, content_object)``;
    its index leads with the group and serves visible_to ("ids granted to my
    groups"). The per-object questions ("which groups may see this object?": an
    EXISTS for one object, sharing_set's revoke, the admin's permissions page, the
    cascade when an object is deleted) want the object first: hence the second
    index. It is unnamed so that Django names it per concrete table (a
    ``%(class)s`` name passes the 30-character limit). A subclass that declares
    its own Meta must inherit ``GroupGrant.Meta`` to keep both.
    """

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = True
        indexes = [models.Index(fields=["content_object", "permission", "group"])]


class SharingOwner(Protocol):
    """What a shareable's owner model (Organization, WorkingGroup) provides: the ids of
    the owners through which a person sees, and edits, what they own."""

    _default_manager: ClassVar[models.Manager[Any]]

    @staticmethod
    def viewer_owner_ids(user) -> models.QuerySet: ...

    @staticmethod
    def editor_owner_ids(user) -> models.QuerySet: ...


def _member_collaboratives(user) -> models.QuerySet:
    member = apps.get_model("stakeholders", "Member")
    return member.objects.collaborative_ids_of(user)


def _is_signed_in(user) -> bool:
    """Anonymous visitors and deactivated accounts get the public view, nothing more."""
    return user is not None and user.is_authenticated and user.is_active


class ContainedQuerySet[M: models.Model](models.QuerySet[M]):
    """For a child table whose rows are visible through their container's foreign key."""

    def visible_through(self, field: str, user) -> Self:
        """Rows whose container (``field``) the person may see: one query."""
        container = cast(type[Shareable], self.model._meta.get_field(field).related_model)
        if not _is_signed_in(user):
            return self.filter(**{f"{field}__in": container.objects.visible_to(user).values("pk")})
        visible = _person_subquery(
            ("visible", container),
            lambda person: container.objects.visible_to(person).values("pk"),
            user,
            self.db,
        )
        return self.filter(**{f"{field}__in": visible})


class ShareableQuerySet[S: Shareable](ContainedQuerySet[S]):
    def visible_to(self, user) -> Self:
        """Everything this person may see: one query, however many rows and grants.

        Each branch is an uncorrelated subquery that PostgreSQL runs once and hashes
        (owner in my organizations; owner in my collaboratives; id in the grants to
        my groups), so the plan stays cheap at a million rows. A correlated EXISTS per
        folder was measured 3-7x slower than hand-written SQL (bench/README.md).

        The subqueries' SQL is built once per model and database and reused with the
        person's id put in (``_person_subquery``): building and compiling them through
        the ORM on every call cost more than running the query (bench/README.md).
        """
        model = self.model
        public = Q(sharing_level=SharingLevel.PUBLIC)
        if not _is_signed_in(user):
            return self.filter(public)
        owner_model = model.owner_model()
        using = self.db
        return self.filter(
            public
            | Q(
                owner_id__in=_person_subquery(
                    ("viewer_owners", owner_model), owner_model.viewer_owner_ids, user, using
                )
            )
            | (
                Q(sharing_level=SharingLevel.COLLABORATIVE)
                & _in_my_collaboratives(model, user, using)
            )
            | Q(
                sharing_level__in=GRANTED_LEVELS,
                pk__in=_person_subquery(
                    ("granted", model, "view"),
                    lambda person: model.granted_ids(person, "view"),
                    user,
                    using,
                ),
            )
        )

    def editable_by(self, user) -> Self:
        """What this person may change: the owner's editors, or a `change` grant.

        Always a subset of what they may see: a leftover `change` grant on an object
        made private again gives nothing.
        """
        if not _is_signed_in(user):
            return self.none()
        model = self.model
        owner_model = model.owner_model()
        using = self.db
        return self.visible_to(user).filter(
            Q(
                owner_id__in=_person_subquery(
                    ("editor_owners", owner_model), owner_model.editor_owner_ids, user, using
                )
            )
            | Q(
                pk__in=_person_subquery(
                    ("granted", model, "change"),
                    lambda person: model.granted_ids(person, "change"),
                    user,
                    using,
                )
            )
        )


def _in_my_collaboratives(model: "type[Shareable]", user, using: str) -> Q:
    """Rows whose collaborative is one the person is an active member of."""
    head, _, rest = model.sharing_collaborative_path.partition("__")
    if head == "owner" and rest:
        # owner_id IN (owners of my collaboratives): no join in the outer query.
        def owners(person) -> models.QuerySet:
            return (
                model.owner_model()
                ._default_manager.filter(**{f"{rest}__in": _member_collaboratives(person)})
                .values("pk")
            )

        return Q(owner_id__in=_person_subquery(("collab_owners", model), owners, user, using))
    mine = _person_subquery(("my_collaboratives",), _member_collaboratives, user, using)
    return Q(**{f"{model.sharing_collaborative_path}__in": mine})


def _person_subquery(key: tuple, build: Callable[[Any], models.QuerySet], user, using: str):
    """``build(user)`` as a subquery, its SQL compiled once per key and database
    (``reentry.personsql``): building and compiling the nested querysets on every call
    was most of ``visible_to``'s cost. Every value stays a parameter."""
    sql, params = person_sql(key, lambda person: build(person).order_by(), user, using)
    return RawSQL(sql, params)  # noqa: S611 - the ORM's own SQL, compiled by person_sql


class Shareable(models.Model):
    """Owner + sharing level. Subclasses add ``owner`` and a GroupGrant table."""

    sharing_collaborative_path = "owner__collaborative"
    owner: models.Model  # each subclass's own foreign key (Organization or WorkingGroup)

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
    def owner_model(cls) -> type[SharingOwner]:
        return cast(type[SharingOwner], cls._meta.get_field("owner").related_model)

    @classmethod
    def grant_model(cls) -> type[GroupObjectPermissionBase]:
        return _grant_model(cls)

    @classmethod
    def granted_ids(cls, user, action: str) -> models.QuerySet:
        """A subquery of the ids of objects granted ``action`` to any of the user's groups.

        Served by guardian's unique (group, permission, content_object) index.
        """
        permission = (
            Permission.objects.filter(
                content_type__app_label=cls._meta.app_label,
                codename=f"{action}_{cls._meta.model_name}",
            )
            .order_by()
            .values("pk")[:1]
        )
        return (
            cls.grant_model()
            .objects.filter(group_id__in=user_group_ids(user), permission_id=Subquery(permission))
            # Declared by each concrete grant table; the django-stubs plugin sees the base.
            .values("content_object_id")  # type: ignore[misc]
        )

    def sharing_collaborative(self) -> models.Model:
        """The collaborative this object belongs to (the tenant), through its owner."""
        obj = self
        for part in self.sharing_collaborative_path.split("__"):
            obj = getattr(obj, part)
        return obj

    def collaborative_id_value(self) -> int:
        return self.sharing_collaborative().pk

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
