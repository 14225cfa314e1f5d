"""Who may do what with a poll: one policy each, and ``access_poll`` for the views.

* see a poll: ``Poll.objects.visible_to`` (every member once it is scheduled; drafts
  only the group's chairs and backbone staff);
* manage it (set up, open, close, type in paper ballots): ``can_manage``;
* vote in it: ``voter_refusal`` (None when this person may vote now);
* see its results: ``workgroups.polls.results.results_visible``.
"""

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from reentry.sharing.access import get_visible_or_404
from stakeholders.access import CollaborativeRequest
from stakeholders.models import Member
from workgroups.polls.models import Poll, PollVoter
from workgroups.verification.selectors import is_verified

#: The statuses in which a poll can still be changed (it has not opened).
EDITABLE_STATUSES = (Poll.Status.DRAFT, Poll.Status.SCHEDULED)


def can_manage(member: Member | None, poll: Poll) -> bool:
    """The owning group's chairs and co-chairs, and backbone staff."""
    return poll.group.is_managed_by(member)


def voter_refusal(poll: Poll, member: Member | None, *, now: datetime | None = None) -> str | None:
    """None when ``member`` may vote in ``poll`` now; otherwise why not, in plain words."""
    now = now or timezone.now()
    if member is None or not member.is_active or member.collaborative_id != poll.collaborative_id:
        return _("Only members of this collaborative can vote.")
    if poll.status in EDITABLE_STATUSES:
        return _("This poll is not open yet.")
    if poll.status == Poll.Status.CLOSED or poll.closes_at <= now:
        return _("This poll has closed.")
    if member.role == Member.Role.OBSERVER:
        return _("Observers follow along but do not vote.")
    if (
        poll.electorate == Poll.Electorate.GROUP
        and not PollVoter.objects.filter(poll=poll, member=member).exists()
    ):
        return _("Only the members of %(group)s when the poll opened can vote in it.") % {
            "group": poll.group.name
        }
    if poll.verified_voters_only and not is_verified(member):
        return _(
            "This poll is for verified members. Backbone staff, or two verified members "
            "who know you, can verify you. No ID is needed."
        )
    return None


def access_poll(
    request: CollaborativeRequest,
    public_id: UUID | str,
    *,
    action: Literal["view", "manage"] = "view",
) -> Poll:
    """The poll if this person sees it (404 otherwise, whether missing or not theirs);
    403 when ``action`` is "manage" and they are not one of its managers."""
    poll = get_visible_or_404(
        Poll.objects.filter(collaborative=request.collaborative),
        Poll.objects.visible_to(request.user)
        .filter(collaborative=request.collaborative)
        .select_related("group", "collaborative"),
        request=request,
        public_id=public_id,
    )
    if action == "manage" and not can_manage(request.member, poll):
        raise PermissionDenied
    return poll
