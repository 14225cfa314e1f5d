"""Writes for quick wins: proposing, comments, "I'd help with this", moving a quick win
along its journey, and turning a chosen one into work in a group's action plan.

``<entity>_<verb>(*, actor, ...)``, one transaction, ``full_clean()``, an audit event
for every change of state; each function re-checks that ``actor`` may do what it asks.

Who may do what is decided in ``access``: proposing, commenting and signing up to help
are for any active member of the collaborative; moving a quick win along (shortlist,
choose, start, finish, drop, reopen) for backbone staff and the chairs and co-chairs of
the group that owns it.

An anonymous proposer stays anonymous: audit events name the person who acted (the log
is read by backbone staff only, who may see the proposer anyway), but nothing here
writes the proposer into a comment, a plan or an action item.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reentry.audit.log import record
from reentry.pagecache import QUICK_WINS, page_changed
from stakeholders.models import KeyArea, Member, Organization
from workgroups.models import ActionPlan, WorkingGroup
from workgroups.quickwins.access import can_manage, check_member
from workgroups.quickwins.models import QuickWin, QuickWinComment, QuickWinHelper
from workgroups.quickwins.selectors import open_items
from workgroups.services import plans

Status = QuickWin.Status


def _check_manager(actor: Member, quick_win: QuickWin) -> None:
    if not can_manage(actor, quick_win):
        raise PermissionDenied(
            _("Only backbone staff and the chairs of the owning group can do that.")
        )


def _check_group(actor: Member, group: WorkingGroup | None) -> None:
    if group is not None and (
        group.collaborative_id != actor.collaborative_id or not group.is_active
    ):
        raise ValidationError({"group": _("Choose an active group of this collaborative.")})


@transaction.atomic
def quickwin_propose(
    *,
    actor: Member,
    title: str,
    problem: str,
    title_es: str = "",
    problem_es: str = "",
    people_needed: int | None = None,
    money_needed: Decimal | None = None,
    weeks_needed: int | None = None,
    key_areas: Iterable[KeyArea] = (),
    owner_organization: Organization | None = None,
    group: WorkingGroup | None = None,
    is_anonymous: bool = False,
    request=None,
) -> QuickWin:
    """Anyone in the collaborative proposes a quick win, community members included."""
    check_member(actor)
    _check_group(actor, group)
    areas = list(key_areas)
    if any(area.collaborative_id != actor.collaborative_id for area in areas):
        raise ValidationError({"key_areas": _("Choose key areas of this collaborative.")})
    quick_win = QuickWin(
        collaborative_id=actor.collaborative_id,
        title=title.strip(),
        problem=problem.strip(),
        title_es=title_es.strip(),
        problem_es=problem_es.strip(),
        people_needed=people_needed,
        money_needed=money_needed,
        weeks_needed=weeks_needed,
        owner_organization=owner_organization,
        group=group,
        proposer=actor,
        is_anonymous=is_anonymous,
        status=Status.PROPOSED,
        proposed_at=timezone.now(),
    )
    quick_win.full_clean()
    quick_win.save()
    quick_win.key_areas.set(areas)
    record(
        "quick_win.proposed",
        actor=actor.user,
        request=request,
        collaborative=actor.collaborative,
        obj=quick_win,
        anonymous=is_anonymous,
        group=str(group.public_id) if group else "",
    )
    return quick_win


@transaction.atomic
def quickwin_comment_add(*, actor: Member, quick_win: QuickWin, text: str) -> QuickWinComment:
    check_member(actor, quick_win)
    comment = QuickWinComment(quick_win=quick_win, author=actor, text=text.strip())
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def quickwin_helper_toggle(
    *, actor: Member, quick_win: QuickWin, note: str = "", request=None
) -> bool:
    """Sign up to help, or take the sign-up back. Returns True when now signed up."""
    check_member(actor, quick_win)
    existing = QuickWinHelper.objects.select_for_update().filter(quick_win=quick_win, member=actor)
    if existing.exists():
        existing.delete()
        record("quick_win.helper_left", actor=actor.user, request=request, obj=quick_win)
        return False
    if quick_win.status in (Status.DONE, Status.DROPPED):
        raise ValidationError(_("This quick win is closed: it needs no more helpers."))
    helper = QuickWinHelper(quick_win=quick_win, member=actor, note=note.strip())
    helper.full_clean(validate_constraints=False)
    _helper, created = QuickWinHelper.objects.get_or_create(
        quick_win=quick_win, member=actor, defaults={"note": helper.note}
    )
    if created:
        record("quick_win.helper_joined", actor=actor.user, request=request, obj=quick_win)
    return True


@transaction.atomic
def quickwin_move(
    *, actor: Member, quick_win: QuickWin, status: str, reason: str = "", request=None
) -> QuickWin:
    """Move a quick win one step: shortlist, start, finish, drop (with a reason) or reopen.
    Choosing one goes through ``quickwin_select``, which puts the work in a plan."""
    _check_manager(actor, quick_win)
    quick_win = QuickWin.objects.select_for_update().get(pk=quick_win.pk)
    if status == Status.SELECTED:
        raise ValidationError(_("Choose a quick win with the form that puts it in a plan."))
    if not quick_win.can_move_to(status):
        raise ValidationError(
            _("A quick win that is %(now)s cannot become %(next)s.")
            % {"now": quick_win.get_status_display().lower(), "next": Status(status).label.lower()}
            if status in Status.values
            else _("Choose a status.")
        )
    if status == Status.DONE and (still_open := open_items(quick_win)):
        raise ValidationError(
            _("%(n)s of its action items are not done yet. Finish them first.") % {"n": still_open}
        )
    before = quick_win.status
    now = timezone.now()
    quick_win.status = status
    fields = ["status", "updated_at"]
    if status == Status.DROPPED:
        quick_win.dropped_reason = reason.strip()
        fields.append("dropped_reason")
    elif before == Status.DROPPED:
        # Reopened: the reason and date of the drop stay in the audit log.
        quick_win.dropped_reason, quick_win.dropped_at = "", None
        fields += ["dropped_reason", "dropped_at"]
    if status != Status.PROPOSED:
        stamp = QuickWin.STATUS_TIMESTAMP[status]
        setattr(quick_win, stamp, now)
        fields.append(stamp)
    quick_win.full_clean()
    quick_win.save(update_fields=fields)
    if Status.DONE in (before, status):
        page_changed(QUICK_WINS, actor.collaborative)  # the public page lists the done ones
    record(
        "quick_win.status_changed",
        actor=actor.user,
        request=request,
        obj=quick_win,
        before=before,
        after=status,
        **({"reason": quick_win.dropped_reason} if status == Status.DROPPED else {}),
    )
    return quick_win


@dataclass(frozen=True)
class Step:
    """One action item to create when a quick win is chosen."""

    title: str
    owner_member: Member | None
    owner_organization: Organization | None
    due_date: date


@transaction.atomic
def quickwin_select(
    *,
    actor: Member,
    quick_win: QuickWin,
    group: WorkingGroup,
    steps: list[Step],
    plan: ActionPlan | None = None,
    priority_title: str = "",
    request=None,
) -> QuickWin:
    """Choose a quick win: in one transaction, a priority in the group's action plan (a
    plan for this year is created when the group has none, or when none is given), its
    action items with their owners and due dates, and the quick win linked to it."""
    _check_manager(actor, quick_win)
    quick_win = QuickWin.objects.select_for_update().get(pk=quick_win.pk)
    if not quick_win.can_move_to(Status.SELECTED):
        raise ValidationError(_("Only a proposed or shortlisted quick win can be chosen."))
    _check_group(actor, group)
    if quick_win.group_id is not None and quick_win.group_id != group.pk:
        raise ValidationError({"group": _("This quick win already belongs to another group.")})
    if not group.is_managed_by(actor):
        raise PermissionDenied(_("Only the group's chairs and backbone staff can do that."))
    if not steps:
        raise ValidationError(_("Give at least one action item."))
    for step in steps:
        if step.owner_member is None and step.owner_organization is None:
            raise ValidationError({"owner_member": _("Give each action item an owner.")})
    if plan is not None and plan.group_id != group.pk:
        raise ValidationError({"plan": _("Choose a plan of this group.")})
    if plan is None:
        year = str(timezone.localdate().year)
        plan = ActionPlan.objects.filter(group=group, period=year).first()
        if plan is None:
            plan = plans.action_plan_create(
                actor=actor,
                group=group,
                period=year,
                title=_("%(group)s: plan for %(year)s") % {"group": group.name, "year": year},
                request=request,
            )
    priority = plans.priority_add(
        actor=actor, plan=plan, title=(priority_title.strip() or quick_win.title)[:200]
    )
    areas = list(quick_win.key_areas.all()[:1])
    for step in steps:
        plans.action_item_create(
            actor=actor,
            group=group,
            title=step.title,
            description=_("For the quick win “%(title)s”.") % {"title": quick_win.title},
            priority=priority,
            key_area=group.key_area or (areas[0] if areas else None),
            owner_member=step.owner_member,
            owner_organization=step.owner_organization,
            due_date=step.due_date,
            request=request,
        )
    quick_win.group = group
    quick_win.priority = priority
    quick_win.status = Status.SELECTED
    quick_win.selected_at = timezone.now()
    quick_win.full_clean()
    quick_win.save(update_fields=["group", "priority", "status", "selected_at", "updated_at"])
    record(
        "quick_win.selected",
        actor=actor.user,
        request=request,
        obj=quick_win,
        group=str(group.public_id),
        plan=str(plan.public_id),
        priority=str(priority.public_id),
        action_items=len(steps),
    )
    return quick_win
