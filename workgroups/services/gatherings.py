"""Writes for gatherings: scheduling, agenda, attendance, minutes, decisions and the
follow-up action items they produce, and the person's calendar links.

Same rules as the other services: ``<entity>_<verb>(*, actor, ...)``, one transaction,
``full_clean()``, and every function re-checks that ``actor`` may do what it asks.
"""

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from reentry.audit.log import record
from reentry.queue import enqueue
from stakeholders.access import require_inviter
from stakeholders.models import Invitation, KeyArea, Member, Organization
from stakeholders.services import invitation_create
from workgroups.access import (
    can_convene,
    check_change_calendar_feed,
    check_manage_group,
    check_view_group,
)
from workgroups.ledger import stipend_lines_for_meeting
from workgroups.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    CalendarFeed,
    Decision,
    Meeting,
    Priority,
    WorkingGroup,
)
from workgroups.services.groups import whole_collaborative_group
from workgroups.services.notices import send_gathering_notice
from workgroups.services.plans import action_item_create

WALK_IN_LIMIT = 50


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
        if not can_convene(actor):
            raise PermissionDenied(_("Only backbone staff schedule collaborative gatherings."))
        group = whole_collaborative_group(collaborative=actor.collaborative)
    check_manage_group(actor, group)
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


def check_changeable(meeting: Meeting) -> None:
    """A gathering may be moved or cancelled only while it is still ahead and not
    cancelled (``Meeting.can_change_time``); otherwise say why."""
    if meeting.is_cancelled:
        raise ValidationError(_("This gathering was cancelled."))
    if meeting.is_over():
        raise ValidationError(_("This gathering has already taken place."))


@transaction.atomic
def meeting_reschedule(
    *,
    actor: Member,
    meeting: Meeting,
    starts_at: datetime,
    ends_at: datetime,
    place: str,
    video_link: str = "",
    note: str = "",
    request=None,
) -> Meeting:
    """Move a gathering that is still ahead: new time and place, a notice to everyone
    invited with the updated calendar entry (same event, SEQUENCE raised)."""
    check_manage_group(actor, meeting.owner)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    check_changeable(meeting)
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("Choose a time that has not passed yet.")})
    before = {
        "starts_at": meeting.starts_at.isoformat(),
        "ends_at": meeting.ends_at.isoformat(),
        "place": meeting.place,
        "video_link": meeting.video_link,
    }
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    meeting.place, meeting.video_link = place.strip(), video_link.strip()
    after = {
        "starts_at": starts_at.isoformat(),
        "ends_at": ends_at.isoformat(),
        "place": meeting.place,
        "video_link": meeting.video_link,
    }
    if after == before:
        raise ValidationError(_("Nothing changed: give a new time or place."))
    meeting.sequence += 1
    meeting.full_clean()
    meeting.save()
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    record("meeting.rescheduled", actor=actor.user, request=request, obj=meeting, changes=changed)
    enqueue(send_gathering_notice, meeting.pk, meeting.sequence, note.strip())
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: Member, meeting: Meeting, reason: str, request=None) -> Meeting:
    """Cancel a gathering that is still ahead. It keeps its agenda and history, shows as
    cancelled, and everyone invited hears why, with a calendar cancellation."""
    check_manage_group(actor, meeting.owner)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    check_changeable(meeting)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why, for the people who planned to come.")})
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancelled_at = timezone.now()
    meeting.cancel_reason = reason
    meeting.sequence += 1
    meeting.full_clean()
    meeting.save()
    record("meeting.cancelled", actor=actor.user, request=request, obj=meeting, reason=reason)
    enqueue(send_gathering_notice, meeting.pk, meeting.sequence, "")
    return meeting


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
    check_manage_group(actor, meeting.owner)
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
def agenda_item_update(
    *,
    actor: Member,
    item: AgendaItem,
    title: str,
    presenter: Member | None = None,
    duration_minutes: int | None = None,
    notes: str = "",
    request=None,
) -> AgendaItem:
    """Change an agenda item: the same people who may add and move items."""
    meeting = item.meeting
    check_manage_group(actor, meeting.owner)
    before = item.title
    item.title = title.strip()
    item.presenter = presenter
    item.duration_minutes = duration_minutes
    item.notes = notes.strip()
    item.full_clean()
    item.save()
    record(
        "meeting.agenda_item_changed",
        actor=actor.user,
        request=request,
        obj=meeting,
        agenda_item=str(item.public_id),
        title=item.title,
        **({"was": before} if before != item.title else {}),
    )
    return item


@transaction.atomic
def agenda_item_remove(*, actor: Member, item: AgendaItem, request=None) -> None:
    """Take an item off the agenda. Decisions and action items that came from it stay
    (they only lose the link to the topic)."""
    meeting = item.meeting
    check_manage_group(actor, meeting.owner)
    public_id, title = str(item.public_id), item.title
    item.delete()
    record(
        "meeting.agenda_item_removed",
        actor=actor.user,
        request=request,
        obj=meeting,
        agenda_item=public_id,
        title=title,
    )


@transaction.atomic
def agenda_item_reorder(*, actor: Member, meeting: Meeting, order: list) -> None:
    """``order`` lists the public ids of all of the gathering's agenda items, in order."""
    check_manage_group(actor, meeting.owner)
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
    check_manage_group(actor, meeting.owner)
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
    """The minutes, and whether it was held. Cancelling has its own step
    (``meeting_cancel``: a reason and a notice); a cancelled gathering stays cancelled."""
    check_manage_group(actor, meeting.owner)
    meeting.minutes = minutes.strip()
    if status is not None and status != meeting.status:
        if status not in Meeting.Status.values:
            raise ValidationError({"status": _("Choose a status.")})
        if meeting.is_cancelled:
            raise ValidationError(
                {"status": _("This gathering was cancelled: it cannot be marked held.")}
            )
        if status == Meeting.Status.CANCELLED:
            raise ValidationError(
                {"status": _("Cancel a gathering with “Cancel the gathering” on its page.")}
            )
        meeting.status = status
    meeting.full_clean()
    meeting.save(update_fields=["minutes", "status", "sequence", "updated_at"])
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
    check_manage_group(actor, meeting.owner)
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
    priority: Priority | None = None,
    request=None,
) -> ActionItem:
    """One step from a decision or an agenda item to an owned, dated action item of the
    gathering's group, made by ``action_item_create`` like every other action item, under
    ``priority`` of the group's action plan when one is given (so the plan counts it)."""
    check_manage_group(actor, meeting.owner)
    for source in (decision, agenda_item):
        if source is not None and source.meeting_id != meeting.pk:
            raise ValidationError(_("Choose a decision or agenda item of this gathering."))
    if owner_member is None and owner_organization is None:
        raise ValidationError(
            _("Give the action item an owner: a person, an organization or both.")
        )
    if decision is not None and agenda_item is None:
        agenda_item = decision.agenda_item
    return action_item_create(
        actor=actor,
        group=meeting.owner,
        title=title,
        description=description,
        key_area=key_area,
        priority=priority,
        owner_member=owner_member,
        owner_organization=owner_organization,
        due_date=due_date,
        source_meeting=meeting,
        source_decision=decision,
        source_agenda_item=agenda_item,
        request=request,
    )


# --- Calendar links -------------------------------------------------------------------


@transaction.atomic
def calendar_feed_get_or_create(
    *, actor: Member, group: WorkingGroup | None = None, request=None
) -> CalendarFeed:
    """The person's live link (for all their groups, or for one group), made if needed."""
    if group is not None:
        check_view_group(actor, group)
    feed = CalendarFeed.objects.filter(member=actor, group=group, revoked_at__isnull=True).first()
    if feed is not None:
        return feed
    feed = CalendarFeed(member=actor, group=group)
    feed.full_clean()
    feed.save()
    record("calendar_feed.created", actor=actor.user, request=request, obj=group or actor)
    return feed


@transaction.atomic
def calendar_feed_revoke(*, actor: Member, feed: CalendarFeed, request=None) -> CalendarFeed:
    """Stop a link for good. Only its person can."""
    feed = CalendarFeed.objects.select_for_update().get(pk=feed.pk)
    check_change_calendar_feed(actor, feed)
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
        record(
            "calendar_feed.revoked",
            actor=actor.user,
            request=request,
            collaborative=actor.collaborative,
            feed=str(feed.public_id),
        )
    return feed


@transaction.atomic
def calendar_feed_regenerate(*, actor: Member, feed: CalendarFeed, request=None) -> CalendarFeed:
    """A new link in place of the old one, which stops working now."""
    calendar_feed_revoke(actor=actor, feed=feed, request=request)
    return calendar_feed_get_or_create(actor=actor, group=feed.group, request=request)


# --- Walk-ins who join --------------------------------------------------------------------


def _walk_in_row(meeting: Meeting, attendance: Attendance) -> Attendance:
    if attendance.meeting_id != meeting.pk or attendance.member_id is not None:
        raise ValidationError(_("Choose a walk-in of this gathering."))
    return attendance


@transaction.atomic
def walk_in_invite(
    *,
    actor: Member,
    meeting: Meeting,
    attendance: Attendance,
    email: str,
    message: str = "",
    request=None,
) -> Attendance:
    """Invite a walk-in to join the collaborative as a community member, through the one
    invitation flow (``invitation_create``: its email, expiry and audit entry). When they
    accept, this attendance becomes theirs (``walk_in_joined``), so it earns a stipend
    line like any member's. Someone already a member is linked at once; someone with an
    invitation waiting is linked to it."""
    check_manage_group(actor, meeting.owner)
    require_inviter(actor, Member.Role.COMMUNITY, None)
    attendance = _walk_in_row(meeting, attendance)
    email = email.strip().lower()
    existing = (
        Member.objects.filter(
            collaborative_id=meeting.collaborative_id, user__email__iexact=email, is_active=True
        )
        .select_related("user")
        .first()
    )
    if existing is not None:
        _link_walk_in(attendance, existing, actor=actor, request=request)
        return attendance
    invitation = (
        Invitation.objects.pending()
        .filter(collaborative_id=meeting.collaborative_id, email__iexact=email)
        .first()
    )
    if invitation is None:
        invitation, _token = invitation_create(
            actor=actor,
            email=email,
            role=Member.Role.COMMUNITY,
            name=attendance.walk_in_name,
            message=message,
            request=request,
        )
    attendance.invitation = invitation
    attendance.save(update_fields=["invitation"])
    record(
        "meeting.walk_in_invited",
        actor=actor.user,
        request=request,
        obj=meeting,
        walk_in=attendance.walk_in_name,
        invitation=str(invitation.public_id),
    )
    return attendance


def _link_walk_in(attendance: Attendance, member: Member, *, actor: Member | None, request=None):
    """The walk-in's row becomes the member's (or goes, when the member already has a row
    for that gathering), then the gathering's stipend lines are brought up to date."""
    meeting = attendance.meeting
    name = attendance.walk_in_name
    if meeting.attendance.filter(member=member).exists():
        attendance.delete()
    else:
        attendance.member, attendance.walk_in_name = member, ""
        attendance.save(update_fields=["member", "walk_in_name"])
    record(
        "meeting.walk_in_joined",
        actor=member.user,
        request=request,
        obj=meeting,
        walk_in=name,
        member=str(member.public_id),
    )
    if actor is not None and meeting.owner.is_managed_by(actor):
        stipend_lines_for_meeting(actor=actor, meeting=meeting, request=request)


@transaction.atomic
def walk_in_joined(*, invitation: Invitation, member: Member) -> int:
    """An invited walk-in accepted: their attendance rows become the new member's and
    the stipend lines follow (made on behalf of whoever invited them, or recorded the
    attendance, while they still manage the group; otherwise at the next save of the
    attendance). Returns how many rows were linked."""
    rows = list(
        Attendance.objects.filter(invitation=invitation, member__isnull=True)
        .select_related("meeting__owner", "recorded_by")
        .select_for_update(of=("self",))
    )
    inviter = (
        Member.objects.filter(
            user_id=invitation.invited_by_id, collaborative_id=invitation.collaborative_id
        ).first()
        if invitation.invited_by_id
        else None
    )
    for row in rows:
        if row.meeting.collaborative_id != member.collaborative_id:
            continue
        managers = [m for m in (inviter, row.recorded_by) if m is not None and m.is_active]
        actor = next((m for m in managers if row.meeting.owner.is_managed_by(m)), None)
        _link_walk_in(row, member, actor=actor)
    return len(rows)
