"""Keep each working group's auth.Group in step with its memberships, whatever path
saved them (services, the admin, a data migration), as stakeholders.signals does for
Member. People are in a group's auth.Group exactly while their membership is active;
everyone active in a collaborative is in its "Full collaborative" group."""

from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from reentry.sharing.groups import sync_user_groups
from stakeholders.models import Member
from stakeholders.signals import invitation_accepted
from workgroups import services
from workgroups.models import GroupMembership, WorkingGroup


def working_group_ids(user) -> list[int]:
    """The sharing-group ids a person's working-group memberships give (one query)."""
    mine = Member.objects.of_user(user)
    return list(
        WorkingGroup.objects.filter(
            Q(
                memberships__member__in=mine,
                memberships__is_active=True,
            )
            | Q(is_whole_collaborative=True, collaborative_id__in=mine.values("collaborative_id"))
        )
        .exclude(group_id__isnull=True)
        .values_list("group_id", flat=True)
        .distinct()
    )


@receiver(post_save, sender=GroupMembership)
@receiver(post_delete, sender=GroupMembership)
def _membership_changed(sender, instance: GroupMembership, **kwargs) -> None:
    sync_user_groups(instance.member.user)


@receiver(post_save, sender=WorkingGroup)
def _whole_collaborative_created(sender, instance: WorkingGroup, created: bool, **kwargs) -> None:
    if created and instance.is_whole_collaborative:
        for member in Member.objects.filter(
            collaborative_id=instance.collaborative_id, is_active=True
        ).select_related("user"):
            sync_user_groups(member.user)


@receiver(invitation_accepted)
def _walk_in_accepted(sender, invitation, member, **kwargs) -> None:
    """A walk-in invited from an attendance screen joined: their attendance becomes theirs."""
    if invitation.walk_in_attendance.exists():
        services.walk_in_joined(invitation=invitation, member=member)
