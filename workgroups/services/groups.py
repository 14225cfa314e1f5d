"""Writes for working groups and their membership: ``<entity>_<verb>(*, actor, ...)``.

``actor`` is the acting person's ``Member`` in the collaborative (``request.member``).
Every service re-checks that the actor may do what it asks (workgroups.access),
whatever the view did.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from reentry.audit.log import record
from stakeholders.models import Collaborative, KeyArea, Member
from workgroups.access import can_convene, can_join_group, check_manage_group
from workgroups.models import (
    WHOLE_COLLABORATIVE_CHARTER,
    WHOLE_COLLABORATIVE_NAME,
    GroupJoinRequest,
    GroupMembership,
    Meeting,
    MeetingGroupObjectPermission,
    WorkingGroup,
)

Role = GroupMembership.Role


def _unique_slug(collaborative: Collaborative, name: str) -> str:
    base = slugify(name)[:70] or "group"
    slug, n = base, 2
    taken = set(
        WorkingGroup.objects.filter(collaborative=collaborative, slug__startswith=base).values_list(
            "slug", flat=True
        )
    )
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def group_create(
    *,
    actor: Member,
    name: str,
    key_area: KeyArea | None = None,
    charter: str = "",
    name_es: str = "",
    charter_es: str = "",
    join_policy: str = WorkingGroup.JoinPolicy.OPEN,
    requires_community_cochair: bool = True,
    minutes_sharing: str = WorkingGroup.MinutesSharing.COLLABORATIVE,
    chairs: Iterable[Member] = (),
    request=None,
) -> WorkingGroup:
    """Backbone staff convene a group; the chairs named get their seats at once."""
    if not can_convene(actor):
        raise PermissionDenied(_("Only backbone staff can start a working group."))
    collaborative = actor.collaborative
    group = WorkingGroup(
        collaborative=collaborative,
        key_area=key_area,
        name=name.strip(),
        slug=_unique_slug(collaborative, name),
        charter=charter.strip(),
        name_es=name_es.strip(),
        charter_es=charter_es.strip(),
        join_policy=join_policy,
        requires_community_cochair=requires_community_cochair,
        minutes_sharing=minutes_sharing,
    )
    group.full_clean()
    group.save()
    for chair in chairs:
        _membership_save(group, chair, Role.COCHAIR)
    record(
        "workgroup.created",
        actor=actor.user,
        request=request,
        obj=group,
        join_policy=join_policy,
        minutes_sharing=minutes_sharing,
        chairs=[str(c.public_id) for c in chairs],
    )
    return group


@transaction.atomic
def group_update(
    *,
    actor: Member,
    group: WorkingGroup,
    name: str,
    key_area: KeyArea | None,
    charter: str,
    join_policy: str,
    requires_community_cochair: bool,
    minutes_sharing: str,
    name_es: str = "",
    charter_es: str = "",
    request=None,
) -> WorkingGroup:
    """Chairs and backbone staff change the group's name, charter and how people join.

    A change of who reads the minutes goes through group_set_minutes_sharing, which
    re-levels every gathering in the same transaction and audits it.
    """
    check_manage_group(actor, group)
    if key_area is not None and key_area.collaborative_id != group.collaborative_id:
        raise ValidationError({"key_area": _("Choose a key area of this collaborative.")})
    before = {
        "name": group.name,
        "key_area": group.key_area.name if group.key_area else "",
        "join_policy": group.join_policy,
        "requires_community_cochair": group.requires_community_cochair,
    }
    group.name = name.strip()
    group.key_area = key_area
    group.charter = charter.strip()
    group.name_es = name_es.strip()
    group.charter_es = charter_es.strip()
    group.join_policy = join_policy
    group.requires_community_cochair = requires_community_cochair
    group.full_clean()
    group.save()
    after = {
        "name": group.name,
        "key_area": group.key_area.name if group.key_area else "",
        "join_policy": group.join_policy,
        "requires_community_cochair": group.requires_community_cochair,
    }
    if before != after:
        record(
            "workgroup.updated",
            actor=actor.user,
            request=request,
            obj=group,
            before=before,
            after=after,
        )
    if minutes_sharing != group.minutes_sharing:
        group_set_minutes_sharing(actor=actor, group=group, level=minutes_sharing, request=request)
    return group


@transaction.atomic
def whole_collaborative_group(*, collaborative: Collaborative) -> WorkingGroup:
    """The collaborative's "Full collaborative" group, made the first time it is needed.
    It owns collaborative-wide gatherings; every active member belongs to it."""
    group = WorkingGroup.objects.filter(
        collaborative=collaborative, is_whole_collaborative=True
    ).first()
    if group is not None:
        return group
    group = WorkingGroup(
        collaborative=collaborative,
        name=WHOLE_COLLABORATIVE_NAME,
        slug=_unique_slug(collaborative, "full-collaborative"),
        charter=WHOLE_COLLABORATIVE_CHARTER,
        join_policy=WorkingGroup.JoinPolicy.INVITATION,
        requires_community_cochair=False,
        minutes_sharing=WorkingGroup.MinutesSharing.COLLABORATIVE,
        is_whole_collaborative=True,
    )
    group.full_clean()
    group.save()
    return group


def _membership_save(group: WorkingGroup, member: Member, role: str) -> GroupMembership:
    membership = GroupMembership.objects.filter(group=group, member=member).first()
    if membership is None:
        membership = GroupMembership(group=group, member=member, role=role)
    else:
        if not membership.is_active:
            membership.joined_at = timezone.now()
        membership.role = role
        membership.is_active = True
    membership.full_clean()
    membership.save()  # the post_save signal puts the person in the group's auth.Group
    return membership


@transaction.atomic
def group_join(
    *, actor: Member, group: WorkingGroup, message: str = "", request=None
) -> GroupMembership | GroupJoinRequest:
    """Open: the person is a member now. On request: a request for the chairs.
    By invitation: refused (the chairs add people)."""
    if not can_join_group(actor, group):
        raise PermissionDenied
    if not group.is_active:
        raise ValidationError(_("This group has closed."))
    if group.is_whole_collaborative or group.has_member(actor):
        raise ValidationError(_("You are already a member of this group."))
    if group.join_policy == WorkingGroup.JoinPolicy.OPEN:
        membership = _membership_save(group, actor, Role.MEMBER)
        record("workgroup.joined", actor=actor.user, request=request, obj=group)
        return membership
    if group.join_policy == WorkingGroup.JoinPolicy.REQUEST:
        existing = GroupJoinRequest.objects.filter(
            group=group, member=actor, status=GroupJoinRequest.Status.PENDING
        ).first()
        if existing is not None:
            return existing
        join_request = GroupJoinRequest(group=group, member=actor, message=message.strip())
        join_request.full_clean()
        join_request.save()
        record("workgroup.join_requested", actor=actor.user, request=request, obj=group)
        return join_request
    raise PermissionDenied(_("People join this group when its chairs invite them."))


@transaction.atomic
def group_join_request_decide(
    *, actor: Member, join_request: GroupJoinRequest, approve: bool, request=None
) -> GroupJoinRequest:
    join_request = GroupJoinRequest.objects.select_for_update().get(pk=join_request.pk)
    group = join_request.group
    check_manage_group(actor, group)
    if join_request.status != GroupJoinRequest.Status.PENDING:
        raise ValidationError(_("This request has already been answered."))
    join_request.status = (
        GroupJoinRequest.Status.APPROVED if approve else GroupJoinRequest.Status.DECLINED
    )
    join_request.decided_at = timezone.now()
    join_request.decided_by = actor
    join_request.save(update_fields=["status", "decided_at", "decided_by"])
    if approve and join_request.member.is_active:
        _membership_save(group, join_request.member, Role.MEMBER)
    record(
        "workgroup.join_request_decided",
        actor=actor.user,
        request=request,
        obj=group,
        member=str(join_request.member.public_id),
        decision=join_request.status,
    )
    return join_request


@transaction.atomic
def group_membership_add(
    *, actor: Member, group: WorkingGroup, member: Member, role: str = Role.MEMBER, request=None
) -> GroupMembership:
    """The chairs (or backbone staff) seat someone, whatever the join policy."""
    check_manage_group(actor, group)
    if member.collaborative_id != group.collaborative_id or not member.is_active:
        raise ValidationError({"member": _("Choose a member of this collaborative.")})
    membership = _membership_save(group, member, role)
    GroupJoinRequest.objects.filter(
        group=group, member=member, status=GroupJoinRequest.Status.PENDING
    ).update(status=GroupJoinRequest.Status.APPROVED, decided_at=timezone.now(), decided_by=actor)
    record(
        "workgroup.member_added",
        actor=actor.user,
        request=request,
        obj=group,
        member=str(member.public_id),
        role=role,
    )
    return membership


def _check_community_cochair_kept(membership: GroupMembership, *, leaving: bool, role: str) -> None:
    """Refuse to take away the group's last community chair or co-chair."""
    group = membership.group
    if not group.requires_community_cochair or not membership.is_community_chair:
        return
    if not leaving and role in GroupMembership.CHAIR_ROLES:
        return
    others = (
        group.memberships.filter(
            is_active=True,
            role__in=GroupMembership.CHAIR_ROLES,
            member__role=Member.Role.COMMUNITY,
            member__is_active=True,
        )
        .exclude(pk=membership.pk)
        .exists()
    )
    if not others:
        raise ValidationError(
            _(
                "This group needs a community co-chair. Make another community member a "
                "co-chair first."
            )
        )


@transaction.atomic
def group_membership_set_role(
    *, actor: Member, membership: GroupMembership, role: str, request=None
) -> GroupMembership:
    membership = (
        GroupMembership.objects.select_for_update()
        .select_related("group", "member")
        .get(pk=membership.pk)
    )
    check_manage_group(actor, membership.group)
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a role.")})
    if not membership.is_active:
        raise ValidationError(_("This person is no longer in the group."))
    _check_community_cochair_kept(membership, leaving=False, role=role)
    before = membership.role
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    record(
        "workgroup.role_changed",
        actor=actor.user,
        request=request,
        obj=membership.group,
        member=str(membership.member.public_id),
        before=before,
        after=role,
    )
    return membership


@transaction.atomic
def group_membership_end(
    *, actor: Member, membership: GroupMembership, request=None
) -> GroupMembership:
    """A person leaves, or the chairs take them off the group."""
    membership = (
        GroupMembership.objects.select_for_update()
        .select_related("group", "member")
        .get(pk=membership.pk)
    )
    if membership.member_id != actor.pk:
        check_manage_group(actor, membership.group)
    if not membership.is_active:
        return membership
    _check_community_cochair_kept(membership, leaving=True, role=membership.role)
    membership.is_active = False
    membership.save(update_fields=["is_active"])  # the signal takes them out of the auth.Group
    record(
        "workgroup.left" if membership.member_id == actor.pk else "workgroup.member_removed",
        actor=actor.user,
        request=request,
        obj=membership.group,
        member=str(membership.member.public_id),
    )
    return membership


@transaction.atomic
def group_set_minutes_sharing(
    *, actor: Member, group: WorkingGroup, level: str, request=None
) -> WorkingGroup:
    """Change who reads the group's minutes, for every gathering, in one transaction."""
    check_manage_group(actor, group)
    if level not in WorkingGroup.MinutesSharing.values:
        raise ValidationError({"minutes_sharing": _("Choose who can read the minutes.")})
    before = group.minutes_sharing
    group.minutes_sharing = level
    group.save(update_fields=["minutes_sharing"])
    meetings = Meeting.objects.filter(owner=group)
    # These levels need no grants: drop any explicit shares and set the level.
    MeetingGroupObjectPermission.objects.filter(content_object__in=meetings).delete()
    meetings.update(sharing_level=level)
    record(
        "sharing.changed",
        actor=actor.user,
        request=request,
        obj=group,
        before={"level": before},
        after={"level": level},
        scope="all gatherings of the group",
    )
    return group
