"""Who may do what with a quick win: one policy each, and ``access_quickwin`` for views.

* see it: ``QuickWin.objects.visible_to`` (every member of the collaborative);
* propose, comment, sign up to help: any active member of the collaborative
  (``check_member``);
* move it along its journey and choose it into a plan: ``can_manage`` (backbone staff,
  and the chairs and co-chairs of the group that owns it).
"""

from typing import Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from reentry.sharing.access import get_visible_or_404
from stakeholders.access import CollaborativeRequest
from stakeholders.models import Member
from workgroups.quickwins.models import QuickWin


def check_member(actor: Member, quick_win: QuickWin | None = None) -> None:
    """PermissionDenied unless ``actor`` is active (and in the quick win's collaborative)."""
    if not actor.is_active:
        raise PermissionDenied(_("Only active members can do that."))
    if quick_win is not None and quick_win.collaborative_id != actor.collaborative_id:
        raise PermissionDenied(_("Only members of this collaborative can do that."))


def can_manage(actor: Member | None, quick_win: QuickWin) -> bool:
    """Backbone staff of the collaborative, or a chair of the group that owns it."""
    if actor is None or not actor.is_active or actor.collaborative_id != quick_win.collaborative_id:
        return False
    if actor.is_backbone:
        return True
    return quick_win.group is not None and quick_win.group.is_managed_by(actor)


def access_quickwin(
    request: CollaborativeRequest,
    public_id: UUID | str,
    *,
    action: Literal["view", "manage"] = "view",
) -> QuickWin:
    """The quick win if this person sees it (404 otherwise, whether missing or not
    theirs); 403 when ``action`` is "manage" and they may not manage it."""
    scoped = QuickWin.objects.filter(collaborative=request.collaborative)
    quick_win = get_visible_or_404(
        scoped,
        scoped.visible_to(request.user).select_related(
            "group__collaborative",
            "group__key_area",
            "owner_organization",
            "proposer__user",
            "priority__plan",
        ),
        request=request,
        public_id=public_id,
    )
    quick_win.collaborative = request.collaborative
    if action == "manage" and not can_manage(request.member, quick_win):
        raise PermissionDenied
    return quick_win
