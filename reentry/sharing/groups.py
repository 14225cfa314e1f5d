"""The auth.Groups that back Organizations, Sectors, WorkingGroups and Collaboratives.

People are in those groups through their memberships. Membership changes call
``sync_user_groups(user)``, which recomputes the whole set from the sources each
app registers, so the groups can never drift from the memberships.
"""

from collections.abc import Callable, Iterable
from uuid import UUID

from django.contrib.auth.models import Group
from django.db import models, transaction

GROUP_PREFIX = "sharing:"

# Each source takes a user and returns the ids of the sharing groups they belong to.
_sources: list[Callable[[object], Iterable[int]]] = []


def register_group_source(source: Callable[[object], Iterable[int]]) -> None:
    if source not in _sources:
        _sources.append(source)


def new_group(kind: str, public_id: object) -> Group:
    group, _created = Group.objects.get_or_create(name=f"{GROUP_PREFIX}{kind}:{public_id}")
    return group


class BackedByGroup(models.Model):
    """An entity whose members form an auth.Group that grants can be given to."""

    group_kind: str = ""
    public_id: UUID  # each subclass's own UUIDField: it names the group

    group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="+", editable=False, null=True
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.group_id is None:
            self.group = new_group(self.group_kind, self.public_id)
        super().save(*args, **kwargs)


def delete_backing_group(sender, instance: BackedByGroup, **kwargs) -> None:
    """When an organization, sector, group or collaborative goes, its group goes too."""
    if instance.group_id:
        Group.objects.filter(pk=instance.group_id).delete()


@transaction.atomic
def sync_user_groups(user) -> None:
    """Make the user's sharing groups exactly those their memberships give."""
    if user is None or not user.pk:
        return
    wanted: set[int] = set()
    for source in _sources:
        wanted.update(gid for gid in source(user) if gid is not None)
    through = user.groups.through
    current = set(
        through.objects.filter(user_id=user.pk, group__name__startswith=GROUP_PREFIX).values_list(
            "group_id", flat=True
        )
    )
    if stale := current - wanted:
        through.objects.filter(user_id=user.pk, group_id__in=stale).delete()
    if missing := wanted - current:
        through.objects.bulk_create(
            [through(user_id=user.pk, group_id=gid) for gid in missing], ignore_conflicts=True
        )


def user_group_ids(user) -> models.QuerySet:
    """A subquery of the user's group ids (no query runs until it is used)."""
    from django.contrib.auth import get_user_model

    through = get_user_model().groups.through
    return through.objects.filter(user_id=user.pk).values("group_id")
