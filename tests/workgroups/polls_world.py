"""Helpers for the poll tests: a poll on the ``wg`` Housing group (staff_a chairs it,
the community member co-chairs, staff_b is a member), opened now."""

from datetime import timedelta

from django.utils import timezone

from stakeholders.models import Member
from workgroups.models import WorkingGroup
from workgroups.polls import services as polls
from workgroups.polls.models import Poll


def make_poll(
    actor: Member,
    group: WorkingGroup,
    *,
    method: str = Poll.Method.APPROVAL,
    options=("Bus passes", "Storage lockers", "ID clinic"),
    open_now: bool = True,
    hours: float = 24,
    **fields,
) -> Poll:
    now = timezone.now()
    if method == Poll.Method.DOTS:
        fields.setdefault("dots_per_voter", 3)
        fields.setdefault("max_dots_per_option", 2)
    poll = polls.poll_create(
        actor=actor,
        group=group,
        title=fields.pop("title", "What do we do first?"),
        method=method,
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(hours=hours),
        options=options,
        **fields,
    )
    if open_now:
        poll = polls.poll_open(actor=actor, poll=poll)
    return poll


def keys(poll: Poll) -> dict[str, str]:
    """Option label → key."""
    return {o.label: o.key for o in poll.options.all()}


def expire(poll: Poll) -> Poll:
    """Move the poll's closing time into the past (as if time had passed)."""
    Poll.objects.filter(pk=poll.pk).update(
        opens_at=timezone.now() - timedelta(hours=2),
        closes_at=timezone.now() - timedelta(seconds=1),
    )
    poll.refresh_from_db()
    return poll
