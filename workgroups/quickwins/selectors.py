"""Reads about quick wins, scoped to the person asking."""

from django.db.models import QuerySet

from stakeholders.access import CollaborativeRequest
from workgroups.models import ActionItem, WorkingGroup
from workgroups.quickwins.models import QuickWin


def open_items(quick_win: QuickWin) -> int:
    """Action items of its priority that are not done yet."""
    if quick_win.priority_id is None:
        return 0
    return (
        ActionItem.objects.filter(priority_id=quick_win.priority_id)
        .exclude(status=ActionItem.Status.DONE)
        .count()
    )


def visible_items(request: CollaborativeRequest) -> QuerySet[ActionItem]:
    """The action items of this collaborative this person sees."""
    return ActionItem.objects.visible_to(request.user).filter(collaborative=request.collaborative)


def selectable_groups(request: CollaborativeRequest, quick_win: QuickWin) -> QuerySet[WorkingGroup]:
    """Where the work can go: the quick win's own group, or (when it has none) any active
    group the person manages."""
    groups = WorkingGroup.objects.managed_by(request.user).filter(
        collaborative=request.collaborative, is_active=True
    )
    if quick_win.group_id is not None:
        groups = groups.filter(pk=quick_win.group_id)
    return groups.order_by("-is_whole_collaborative", "name")
