"""Writes for working groups, gatherings and action items: ``<entity>_<verb>(*, actor, ...)``.

``actor`` is the acting person's ``Member`` in the collaborative (``request.member``).
Every service re-checks that the actor may do what it asks, whatever the view did.
"""

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from reentry.audit.log import record
from reentry.stipends.services import stipend_lines_for_meeting
from stakeholders.models import Collaborative, KeyArea, Member, Organization
from workgroups.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    Decision,
    GroupJoinRequest,
    GroupMembership,
    Meeting,
    MeetingGroupObjectPermission,
    Update,
    WorkingGroup,
)

Role = GroupMembership.Role
WALK_IN_LIMIT = 50


def _check_manager(actor: Member, group: WorkingGroup) -> None:
    if not group.is_managed_by(actor):
        raise PermissionDenied(_("Only the group's chairs and backbone staff can do that."))


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
    join_policy: str = WorkingGroup.JoinPolicy.OPEN,
    requires_community_cochair: bool = True,
    minutes_sharing: str = WorkingGroup.MinutesSharing.COLLABORATIVE,
    chairs: Iterable[Member] = (),
    request=None,
) -> WorkingGroup:
    """Backbone staff convene a group; the chairs named get their seats at once."""
    if not actor.is_backbone or not actor.is_active:
        raise PermissionDenied(_("Only backbone staff can start a working group."))
    collaborative = actor.collaborative
    group = WorkingGroup(
        collaborative=collaborative,
        key_area=key_area,
        name=name.strip(),
        slug=_unique_slug(collaborative, name),
        charter=charter.strip(),
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
    request=None,
) -> WorkingGroup:
    """Chairs and backbone staff change the group's name, charter and how people join.

    A change of who reads the minutes goes through group_set_minutes_sharing, which
    re-levels every gathering in the same transaction and audits it.
    """
    _check_manager(actor, group)
    if key_area is not None and key_area.collaborative_id != group.collaborative_id:
        raise ValidationError({"key_area": _("Choose a key area of this collaborative.")})
    before = {
        "name": group.name,
        "key_area": str(group.key_area or ""),
        "join_policy": group.join_policy,
        "requires_community_cochair": group.requires_community_cochair,
    }
    group.name = name.strip()
    group.key_area = key_area
    group.charter = charter.strip()
    group.join_policy = join_policy
    group.requires_community_cochair = requires_community_cochair
    group.full_clean()
    group.save()
    after = {
        "name": group.name,
        "key_area": str(group.key_area or ""),
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
        name=_("Full collaborative"),
        slug=_unique_slug(collaborative, "full-collaborative"),
        charter=_("Gatherings of everyone in the collaborative."),
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
    if not actor.is_active or actor.collaborative_id != group.collaborative_id:
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
    _check_manager(actor, group)
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
    _check_manager(actor, group)
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
    _check_manager(actor, membership.group)
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
        _check_manager(actor, membership.group)
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
    _check_manager(actor, group)
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


@transaction.atomic
def meeting_create(
    *,
    actor: Member,
    group: WorkingGroup | None,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    place: str = "",
    video_link: str = "",
    request=None,
) -> Meeting:
    """Schedule a gathering of a group, or (``group=None``) of the whole collaborative.
    Its minutes are shared at the group's minutes level."""
    if group is None:
        if not actor.is_backbone:
            raise PermissionDenied(_("Only backbone staff schedule collaborative gatherings."))
        group = whole_collaborative_group(collaborative=actor.collaborative)
    _check_manager(actor, group)
    meeting = Meeting(
        owner=group,
        collaborative_id=group.collaborative_id,
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        video_link=video_link.strip(),
        sharing_level=group.minutes_sharing,
    )
    meeting.full_clean()
    meeting.save()
    record("meeting.created", actor=actor.user, request=request, obj=meeting, group=str(group))
    return meeting


def _check_meeting_manager(actor: Member, meeting: Meeting) -> None:
    _check_manager(actor, meeting.owner)


@transaction.atomic
def agenda_item_add(
    *,
    actor: Member,
    meeting: Meeting,
    title: str,
    presenter: Member | None = None,
    duration_minutes: int | None = None,
    notes: str = "",
) -> AgendaItem:
    _check_meeting_manager(actor, meeting)
    last = meeting.agenda_items.aggregate(m=Max("order"))["m"]
    item = AgendaItem(
        meeting=meeting,
        order=0 if last is None else last + 1,
        title=title.strip(),
        presenter=presenter,
        duration_minutes=duration_minutes,
        notes=notes.strip(),
    )
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def agenda_item_reorder(*, actor: Member, meeting: Meeting, order: list) -> None:
    """``order`` lists the public ids of all of the gathering's agenda items, in order."""
    _check_meeting_manager(actor, meeting)
    items = {str(i.public_id): i for i in meeting.agenda_items.select_for_update()}
    wanted = [str(x) for x in order]
    if sorted(wanted) != sorted(items):
        raise ValidationError(_("The agenda changed meanwhile. Reload the page and try again."))
    for position, public_id in enumerate(wanted):
        items[public_id].order = position
    AgendaItem.objects.bulk_update(items.values(), ["order"])


@transaction.atomic
def agenda_item_move(*, actor: Member, item: AgendaItem, up: bool) -> None:
    """Swap an item with its neighbour (the buttons on the gathering page)."""
    ids = list(item.meeting.agenda_items.values_list("public_id", flat=True))
    i = ids.index(item.public_id)
    j = i - 1 if up else i + 1
    if 0 <= j < len(ids):
        ids[i], ids[j] = ids[j], ids[i]
    agenda_item_reorder(actor=actor, meeting=item.meeting, order=ids)


@transaction.atomic
def attendance_record(
    *,
    actor: Member,
    meeting: Meeting,
    statuses: Mapping[str, str],
    walk_ins: Iterable[str] = (),
    request=None,
) -> int:
    """Record everyone's attendance in one go (one POST from a phone). ``statuses`` maps a
    member's public id to present/absent/excused; an empty status clears the row.
    ``walk_ins`` are names of people present who are not members yet. Returns the
    number of rows written."""
    _check_meeting_manager(actor, meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("This gathering was cancelled."))
    if meeting.starts_at > timezone.now() + timedelta(hours=12):
        raise ValidationError(_("Attendance can be taken on the day of the gathering."))
    valid = set(Attendance.Status.values)
    cleaned: dict[str, str] = {}
    for public_id, status in statuses.items():
        if status and status not in valid:
            raise ValidationError(_("Choose present, absent or excused."))
        cleaned[str(public_id)] = status
    members = {
        str(m.public_id): m
        for m in Member.objects.filter(
            collaborative_id=meeting.collaborative_id, public_id__in=list(cleaned)
        )
    }
    if len(members) != len(cleaned):
        raise ValidationError(_("Someone on the list is not in this collaborative."))
    existing = {a.member_id: a for a in meeting.attendance.filter(member__isnull=False)}
    to_create, to_update, to_delete = [], [], []
    for public_id, status in cleaned.items():
        member = members[public_id]
        row = existing.get(member.pk)
        if not status:
            if row is not None:
                to_delete.append(row.pk)
        elif row is None:
            to_create.append(
                Attendance(meeting=meeting, member=member, status=status, recorded_by=actor)
            )
        elif row.status != status:
            row.status, row.recorded_by = status, actor
            to_update.append(row)
    names = [n.strip()[:150] for n in walk_ins if n and n.strip()]
    if len(names) > WALK_IN_LIMIT:
        raise ValidationError(_("Add at most %(n)s walk-ins at a time.") % {"n": WALK_IN_LIMIT})
    have = set(
        meeting.attendance.filter(member__isnull=True).values_list("walk_in_name", flat=True)
    )
    to_create.extend(
        Attendance(
            meeting=meeting, walk_in_name=name, status=Attendance.Status.PRESENT, recorded_by=actor
        )
        for name in dict.fromkeys(names)
        if name not in have
    )
    for row in to_create:
        row.full_clean(validate_unique=False, validate_constraints=False)
    Attendance.objects.filter(pk__in=to_delete).delete()
    Attendance.objects.bulk_create(to_create)
    now = timezone.now()
    for row in to_update:
        row.recorded_at = now
    Attendance.objects.bulk_update(to_update, ["status", "recorded_by", "recorded_at"])
    if meeting.status == Meeting.Status.SCHEDULED and any(
        s == Attendance.Status.PRESENT for s in cleaned.values()
    ):
        meeting.status = Meeting.Status.HELD
        meeting.save(update_fields=["status"])
    # Present community members earn a stipend line; one no longer present loses a pending one.
    stipend_lines_for_meeting(actor=actor, meeting=meeting, request=request)
    return len(to_create) + len(to_update) + len(to_delete)


@transaction.atomic
def meeting_record_minutes(
    *, actor: Member, meeting: Meeting, minutes: str, status: str | None = None, request=None
) -> Meeting:
    _check_meeting_manager(actor, meeting)
    meeting.minutes = minutes.strip()
    if status is not None:
        if status not in Meeting.Status.values:
            raise ValidationError({"status": _("Choose a status.")})
        meeting.status = status
    meeting.full_clean()
    meeting.save(update_fields=["minutes", "status"])
    return meeting


@transaction.atomic
def decision_record(
    *,
    actor: Member,
    meeting: Meeting,
    text: str,
    agenda_item: AgendaItem | None = None,
    request=None,
) -> Decision:
    _check_meeting_manager(actor, meeting)
    decision = Decision(
        meeting=meeting,
        agenda_item=agenda_item,
        text=text.strip(),
        decided_at=min(timezone.now(), meeting.ends_at),
        recorded_by=actor,
    )
    decision.full_clean()
    decision.save()
    record("meeting.decision_recorded", actor=actor.user, request=request, obj=meeting)
    return decision


@transaction.atomic
def followup_to_action_item(
    *,
    actor: Member,
    meeting: Meeting,
    title: str,
    decision: Decision | None = None,
    agenda_item: AgendaItem | None = None,
    description: str = "",
    owner_member: Member | None = None,
    owner_organization: Organization | None = None,
    due_date: date | None = None,
    key_area: KeyArea | None = None,
    request=None,
) -> ActionItem:
    """One step from a decision or an agenda item to an owned, dated action item of the
    gathering's group."""
    _check_meeting_manager(actor, meeting)
    for source in (decision, agenda_item):
        if source is not None and source.meeting_id != meeting.pk:
            raise ValidationError(_("Choose a decision or agenda item of this gathering."))
    if owner_member is None and owner_organization is None:
        raise ValidationError(
            _("Give the action item an owner: a person, an organization or both.")
        )
    if decision is not None and agenda_item is None:
        agenda_item = decision.agenda_item
    group = meeting.owner
    item = ActionItem(
        group=group,
        collaborative_id=group.collaborative_id,
        title=title.strip(),
        description=description.strip(),
        key_area=key_area or group.key_area,
        owner_member=owner_member,
        owner_organization=owner_organization,
        due_date=due_date,
        source_meeting=meeting,
        source_decision=decision,
        source_agenda_item=agenda_item,
        created_by=actor,
    )
    item.full_clean()
    item.save()
    record(
        "action_item.created",
        actor=actor.user,
        request=request,
        obj=item,
        meeting=str(meeting.public_id),
        owner_member=str(owner_member.public_id) if owner_member else "",
        owner_organization=str(owner_organization or ""),
    )
    return item


@transaction.atomic
def action_item_set_status(
    *, actor: Member, item: ActionItem, status: str, text: str = "", request=None
) -> ActionItem:
    """The owner (or the group's chairs) move an item along, with a dated progress note."""
    if not ActionItem.objects.editable_by(actor.user).filter(pk=item.pk).exists():
        raise PermissionDenied(_("Only the item's owners and the group's chairs can update it."))
    if status not in ActionItem.Status.values:
        raise ValidationError({"status": _("Choose a status.")})
    before = item.status
    item.status = status
    item.save(update_fields=["status", "updated_at"])
    note = text.strip()
    if not note and before != status:
        note = _("Status: %(before)s → %(after)s") % {
            "before": ActionItem.Status(before).label,
            "after": ActionItem.Status(status).label,
        }
    if note:
        update = Update(item=item, text=note, author=actor)
        update.full_clean()
        update.save()
    return item
