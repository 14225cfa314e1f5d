"""Who may do what in working groups: one policy per model, written once here.

Each policy is a queryset method on the model (``visible_to(user)``, ``managed_by(user)``,
``editable_by(user)``) and its single-object twin below (``can_*``). Services call the
``check_*`` forms, which raise PermissionDenied; views fetch through ``access_<entity>``,
which answers 404 when the object is not visible to the person (so ids cannot be probed)
and 403 when it is visible but the action is not allowed.

Actions:
- ``view``: the object is visible (``visible_to``);
- ``manage``: the group's chairs and co-chairs, and backbone staff (``managed_by``);
- ``edit`` (action items only): those, plus the person who owns the item and the staff
  of the organization that owns it (``ActionItem.objects.editable_by``).
"""

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from reentry.sharing.access import get_visible_or_404
from stakeholders.access import CollaborativeRequest
from stakeholders.models import Member
from workgroups.models import (
    ActionItem,
    ActionPlan,
    AgendaItem,
    CalendarFeed,
    GroupJoinRequest,
    GroupMembership,
    Meeting,
    PartnerInitiative,
    Priority,
    WorkingGroup,
)

View = Literal["view"]
Manage = Literal["manage"]

# --- Policies -----------------------------------------------------------------------------


def can_view_group(member: Member | None, group: WorkingGroup) -> bool:
    """Twin of ``WorkingGroup.objects.visible_to``, for a member of this collaborative."""
    if member is None or member.collaborative_id != group.collaborative_id:
        return False
    return WorkingGroup.objects.visible_to(member.user).filter(pk=group.pk).exists()


def check_view_group(actor: Member, group: WorkingGroup) -> None:
    if not can_view_group(actor, group):
        raise PermissionDenied


def can_manage_group(member: Member | None, group: WorkingGroup) -> bool:
    """The group's chairs and co-chairs, and backbone staff of its collaborative (twin of
    ``WorkingGroup.objects.managed_by``). Plans, priorities, gatherings and their
    minutes, agenda, attendance and decisions are managed through their group."""
    return group.is_managed_by(member)


def check_manage_group(actor: Member, group: WorkingGroup) -> None:
    if not can_manage_group(actor, group):
        raise PermissionDenied(_("Only the group's chairs and backbone staff can do that."))


def can_convene(member: Member | None) -> bool:
    """Backbone staff start working groups and schedule gatherings of the whole
    collaborative."""
    return member is not None and member.is_active and member.is_backbone


def can_join_group(member: Member | None, group: WorkingGroup) -> bool:
    """Any active member of the group's collaborative may ask (the join policy decides
    what happens next)."""
    return (
        member is not None
        and member.is_active
        and member.collaborative_id == group.collaborative_id
    )


def can_edit_action_item(member: Member | None, item: ActionItem) -> bool:
    """Moving an item along and posting progress: its group's managers, the person who
    owns it and the staff of the organization that owns it (twin of
    ``ActionItem.objects.editable_by``)."""
    if member is None:
        return False
    return ActionItem.objects.editable_by(member.user).filter(pk=item.pk).exists()


def check_edit_action_item(actor: Member, item: ActionItem) -> None:
    if not can_edit_action_item(actor, item):
        raise PermissionDenied(_("Only the item's owners and the group's chairs can update it."))


def can_keep_partner_initiatives(member: Member | None) -> bool:
    """Backbone staff keep the list of partner initiatives (twin of
    ``PartnerInitiative.objects.editable_by``)."""
    return can_convene(member)


def check_keep_partner_initiatives(actor: Member) -> None:
    if not can_keep_partner_initiatives(actor):
        raise PermissionDenied(_("Only backbone staff keep the list of partner initiatives."))


def can_change_calendar_feed(member: Member | None, feed: CalendarFeed) -> bool:
    """A calendar link is its person's alone."""
    return member is not None and feed.member_id == member.pk


def check_change_calendar_feed(actor: Member, feed: CalendarFeed) -> None:
    if not can_change_calendar_feed(actor, feed):
        raise PermissionDenied


# --- Views' access ------------------------------------------------------------------------


def access_group(
    request: CollaborativeRequest, public_id, *, action: View | Manage
) -> WorkingGroup:
    group = get_visible_or_404(
        WorkingGroup.objects.filter(collaborative=request.collaborative),
        WorkingGroup.objects.visible_to(request.user)
        .filter(collaborative=request.collaborative)
        .select_related("key_area"),
        request=request,
        public_id=public_id,
    )
    group.collaborative = request.collaborative  # for its links, without a query
    if action == "manage" and not can_manage_group(request.member, group):
        raise PermissionDenied
    return group


def access_join_request(
    request: CollaborativeRequest, group: WorkingGroup, public_id
) -> GroupJoinRequest:
    """A request to join a group the person manages (``access_group(action="manage")``)."""
    return get_visible_or_404(
        GroupJoinRequest.objects.all(),
        group.join_requests.select_related("member__user"),
        request=request,
        public_id=public_id,
    )


def access_membership(
    request: CollaborativeRequest, group: WorkingGroup, public_id
) -> GroupMembership:
    """A current seat in a group the person manages (``access_group(action="manage")``)."""
    return get_visible_or_404(
        GroupMembership.objects.all(),
        group.memberships.filter(is_active=True).select_related("member__user"),
        request=request,
        public_id=public_id,
    )


def access_meeting(request: CollaborativeRequest, public_id, *, action: View | Manage) -> Meeting:
    meeting = get_visible_or_404(
        Meeting.objects.filter(collaborative=request.collaborative),
        Meeting.objects.visible_to(request.user)
        .filter(collaborative=request.collaborative)
        .select_related("owner", "owner__key_area", "collaborative"),
        request=request,
        public_id=public_id,
    )
    if action == "manage" and not can_manage_group(request.member, meeting.owner):
        raise PermissionDenied
    return meeting


def access_agenda_item(request: CollaborativeRequest, meeting: Meeting, public_id) -> AgendaItem:
    """An item of a gathering's agenda (the gathering is accessed first)."""
    return get_visible_or_404(
        AgendaItem.objects.all(), meeting.agenda_items.all(), request=request, public_id=public_id
    )


def access_plan(request: CollaborativeRequest, public_id, *, action: View | Manage) -> ActionPlan:
    scoped = ActionPlan.objects.filter(group__collaborative=request.collaborative)
    plan = get_visible_or_404(
        scoped,
        scoped.visible_to(request.user).select_related("group__key_area", "group__collaborative"),
        request=request,
        public_id=public_id,
    )
    if action == "manage" and not can_manage_group(request.member, plan.group):
        raise PermissionDenied
    return plan


def access_priority(request: CollaborativeRequest, public_id, *, action: View | Manage) -> Priority:
    """Priorities are seen through their plan; changing them is for the group's managers."""
    scoped = Priority.objects.filter(plan__group__collaborative=request.collaborative)
    priority = get_visible_or_404(
        scoped,
        scoped.filter(plan__in=ActionPlan.objects.visible_to(request.user)).select_related(
            "plan__group__collaborative"
        ),
        request=request,
        public_id=public_id,
    )
    if action == "manage" and not can_manage_group(request.member, priority.plan.group):
        raise PermissionDenied
    return priority


def access_action_item(
    request: CollaborativeRequest, public_id, *, action: View | Manage | Literal["edit"]
) -> ActionItem:
    scoped = ActionItem.objects.filter(collaborative=request.collaborative)
    item = get_visible_or_404(
        scoped,
        ActionItem.objects.visible_to(request.user)
        .filter(collaborative=request.collaborative)
        .select_related(
            "group__collaborative",
            "group__key_area",
            "priority__plan",
            "owner_member__user",
            "owner_member__organization",
            "owner_organization__sector",
            "key_area",
            "source_meeting__collaborative",
        ),
        request=request,
        public_id=public_id,
    )
    if action == "manage" and not can_manage_group(request.member, item.group):
        raise PermissionDenied
    if action == "edit" and not can_edit_action_item(request.member, item):
        raise PermissionDenied
    return item


def editable_action_item_ids(request: CollaborativeRequest, items) -> set[int]:
    """Which of these items this person may edit: one query for a whole page."""
    return set(
        ActionItem.objects.editable_by(request.user)
        .filter(pk__in=[i.pk for i in items])
        .values_list("pk", flat=True)
    )


def access_partner_initiative(
    request: CollaborativeRequest, public_id, *, action: View | Manage
) -> PartnerInitiative:
    initiative = get_visible_or_404(
        PartnerInitiative.objects.filter(collaborative=request.collaborative),
        PartnerInitiative.objects.visible_to(request.user)
        .filter(collaborative=request.collaborative)
        .select_related("collaborative"),
        request=request,
        public_id=public_id,
    )
    if action == "manage" and not can_keep_partner_initiatives(request.member):
        raise PermissionDenied
    return initiative


def access_calendar_feed(
    request: CollaborativeRequest, public_id, *, action: Manage
) -> CalendarFeed:
    """The person's own live calendar link; anyone else's does not exist for them."""
    return get_visible_or_404(
        CalendarFeed.objects.filter(member__collaborative=request.collaborative),
        CalendarFeed.objects.filter(member=request.member, revoked_at__isnull=True),
        request=request,
        public_id=public_id,
    )
