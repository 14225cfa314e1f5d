"""Writes for action plans: plans, ranked priorities, action items and progress updates.

The same rules as the other services: ``<entity>_<verb>(*, actor, ...)``, one
transaction, ``full_clean()``, and every function re-checks that ``actor`` may do what
it asks (workgroups.access).

Who may do what:
- plans and priorities: the group's chairs and co-chairs, and backbone staff;
- creating an action item and changing what it is, who owns it and when it is due: the
  same people;
- moving an item along (its status) and posting progress: those, plus the person who
  owns it and the staff of the organization that owns it (``ActionItem.editable_by``).
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from reentry.audit.log import record
from stakeholders.models import KeyArea, Member, Organization
from workgroups.access import check_edit_action_item, check_manage_group
from workgroups.models import (
    ActionItem,
    ActionPlan,
    AgendaItem,
    Decision,
    Meeting,
    Priority,
    Update,
    WorkingGroup,
)


@transaction.atomic
def action_plan_create(
    *,
    actor: Member,
    group: WorkingGroup,
    period: str,
    title: str,
    summary: str = "",
    request=None,
) -> ActionPlan:
    check_manage_group(actor, group)
    plan = ActionPlan(group=group, period=period.strip(), title=title.strip(), summary=summary)
    plan.summary = plan.summary.strip()
    plan.full_clean()
    plan.save()
    record(
        "action_plan.created",
        actor=actor.user,
        request=request,
        collaborative=group.collaborative,
        obj=plan,
        group=str(group.public_id),
    )
    return plan


@transaction.atomic
def action_plan_update(
    *, actor: Member, plan: ActionPlan, period: str, title: str, summary: str = "", request=None
) -> ActionPlan:
    check_manage_group(actor, plan.group)
    plan.period, plan.title, plan.summary = period.strip(), title.strip(), summary.strip()
    plan.full_clean()
    plan.save(update_fields=["period", "title", "summary"])
    record(
        "action_plan.changed",
        actor=actor.user,
        request=request,
        collaborative=plan.group.collaborative,
        obj=plan,
    )
    return plan


@transaction.atomic
def priority_add(*, actor: Member, plan: ActionPlan, title: str) -> Priority:
    """A new priority goes to the bottom of the ranking."""
    check_manage_group(actor, plan.group)
    last = plan.priorities.aggregate(m=Max("rank"))["m"]
    priority = Priority(plan=plan, rank=(last or 0) + 1, title=title.strip())
    priority.full_clean()
    priority.save()
    return priority


@transaction.atomic
def priority_update(*, actor: Member, priority: Priority, title: str) -> Priority:
    check_manage_group(actor, priority.plan.group)
    priority.title = title.strip()
    priority.full_clean()
    priority.save(update_fields=["title"])
    return priority


def _renumber(plan: ActionPlan, ordered: list[Priority]) -> None:
    for rank, priority in enumerate(ordered, start=1):
        priority.rank = rank
    Priority.objects.bulk_update(ordered, ["rank"])


@transaction.atomic
def priority_move(*, actor: Member, priority: Priority, up: bool) -> None:
    """Swap a priority with its neighbour in the ranking (the Up and Down buttons).
    Ranks are renumbered 1..n on the way, so ties and gaps heal."""
    plan = priority.plan
    check_manage_group(actor, plan.group)
    ordered = list(plan.priorities.select_for_update().order_by("rank", "pk"))
    i = next(n for n, p in enumerate(ordered) if p.pk == priority.pk)
    j = i - 1 if up else i + 1
    if 0 <= j < len(ordered):
        ordered[i], ordered[j] = ordered[j], ordered[i]
    _renumber(plan, ordered)


@transaction.atomic
def priority_remove(*, actor: Member, priority: Priority, request=None) -> None:
    """Take a priority off the plan. Its action items stay with the group, unranked."""
    plan = priority.plan
    check_manage_group(actor, plan.group)
    title = priority.title
    priority.delete()
    _renumber(plan, list(plan.priorities.select_for_update().order_by("rank", "pk")))
    record(
        "action_plan.priority_removed",
        actor=actor.user,
        request=request,
        collaborative=plan.group.collaborative,
        obj=plan,
        priority=title,
    )


def _check_owner(owner_member: Member | None) -> None:
    """Owners come from any sector of the collaborative (``ActionItem.clean`` checks
    the collaborative); a person who left cannot be given new work."""
    if owner_member is not None and not owner_member.is_active:
        raise ValidationError({"owner_member": _("Choose an active member.")})


@transaction.atomic
def action_item_create(
    *,
    actor: Member,
    group: WorkingGroup,
    title: str,
    description: str = "",
    priority: Priority | None = None,
    key_area: KeyArea | None = None,
    owner_member: Member | None = None,
    owner_organization: Organization | None = None,
    due_date: date | None = None,
    source_meeting: Meeting | None = None,
    source_decision: Decision | None = None,
    source_agenda_item: AgendaItem | None = None,
    request=None,
) -> ActionItem:
    """A chair adds an item to the group's plan. The owner may be a person or an
    organization of any sector in the collaborative, or nobody yet (it then shows as
    an orphan on the key-area page until someone takes it).

    The one place an action item is made: a gathering's follow-up
    (``followup_to_action_item``) and a selected quick win come through here too, with
    the gathering, decision or agenda item it came from."""
    check_manage_group(actor, group)
    _check_owner(owner_member)
    item = ActionItem(
        group=group,
        collaborative_id=group.collaborative_id,
        priority=priority,
        title=title.strip(),
        description=description.strip(),
        key_area=key_area or group.key_area,
        owner_member=owner_member,
        owner_organization=owner_organization,
        due_date=due_date,
        source_meeting=source_meeting,
        source_decision=source_decision,
        source_agenda_item=source_agenda_item,
        created_by=actor,
    )
    item.full_clean()
    item.save()
    source = {"meeting": str(source_meeting.public_id)} if source_meeting else {}
    record(
        "action_item.created",
        actor=actor.user,
        request=request,
        obj=item,
        **source,
        owner_member=str(owner_member.public_id) if owner_member else "",
        owner_organization=str(owner_organization or ""),
    )
    return item


ITEM_FIELDS = (
    "title",
    "description",
    "priority",
    "key_area",
    "owner_member",
    "owner_organization",
    "due_date",
)


@transaction.atomic
def action_item_update(*, actor: Member, item: ActionItem, request=None, **changes) -> ActionItem:
    """Change what an item is, who owns it, or when it is due (chairs and backbone)."""
    check_manage_group(actor, item.group)
    unknown = set(changes) - set(ITEM_FIELDS)
    if unknown:
        raise ValueError(f"Not an action item field: {sorted(unknown)}")
    if "owner_member" in changes and changes["owner_member"] != item.owner_member:
        _check_owner(changes["owner_member"])
    before = {f: str(getattr(item, f) or "") for f in changes}
    for field, value in changes.items():
        setattr(item, field, value.strip() if isinstance(value, str) else value)
    item.full_clean()
    item.save(update_fields=[*changes, "updated_at"])
    after = {f: str(getattr(item, f) or "") for f in changes}
    changed = {f: [before[f], after[f]] for f in changes if before[f] != after[f]}
    if changed:
        record("action_item.changed", actor=actor.user, request=request, obj=item, changes=changed)
    return item


@transaction.atomic
def action_item_set_status(
    *, actor: Member, item: ActionItem, status: str, text: str = "", request=None
) -> ActionItem:
    """The owner (or the group's chairs) move an item along, with a dated progress note."""
    check_edit_action_item(actor, item)
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


@transaction.atomic
def action_item_move(*, actor: Member, item: ActionItem, status: str, request=None) -> ActionItem:
    """Move a card on the board: the status changes and a dated note says so."""
    return action_item_set_status(actor=actor, item=item, status=status, request=request)


@transaction.atomic
def progress_update_add(*, actor: Member, item: ActionItem, text: str) -> Update:
    """A dated note of progress from the item's owners or the group's chairs."""
    check_edit_action_item(actor, item)
    update = Update(item=item, text=text.strip(), author=actor)
    update.full_clean()
    update.save()
    ActionItem.objects.filter(pk=item.pk).update(updated_at=update.created_at)
    return update
