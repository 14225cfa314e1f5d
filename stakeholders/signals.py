"""Keep the sharing groups in step with memberships, whatever path saved them.

This is the one invariant kept by signals rather than services: a Member saved
from the admin, a service or a data migration must never leave a person in (or
out of) an organization's, sector's or collaborative's group.
"""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import Signal, receiver

from reentry.sharing.groups import sync_user_groups
from stakeholders.models import Member, Organization

#: Sent by ``invitation_accept`` inside its transaction, with ``invitation`` and
#: ``member``: apps that stakeholders may not import (working groups) act on it.
invitation_accepted = Signal()


def membership_group_ids(user) -> list[int]:
    rows = Member.objects.of_user(user).values_list(
        "collaborative__group_id", "organization__group_id", "organization__sector__group_id"
    )
    return [gid for row in rows for gid in row if gid is not None]


@receiver(post_save, sender=Member)
@receiver(post_delete, sender=Member)
def _member_changed(sender, instance: Member, **kwargs) -> None:
    sync_user_groups(instance.user)


@receiver(pre_save, sender=Organization)
def _remember_sector(sender, instance: Organization, **kwargs) -> None:
    old_sector_id = (
        Organization.objects.filter(pk=instance.pk).values_list("sector_id", flat=True).first()
        if instance.pk
        else None
    )
    setattr(instance, "_old_sector_id", old_sector_id)  # noqa: B010 (read back in post_save)


@receiver(post_save, sender=Organization)
def _organization_changed(sender, instance: Organization, created: bool, **kwargs) -> None:
    old = getattr(instance, "_old_sector_id", None)
    if not created and old is not None and old != instance.sector_id:
        from reentry.sharing.services import regrant_owner

        for member in instance.members.select_related("user"):
            sync_user_groups(member.user)
        regrant_owner(instance)
