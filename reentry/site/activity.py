"""Recent activity in a collaborative, as one person may see it.

Gatherings held, decisions taken, quick wins that moved, polls opened and closed, and
datasets accepted: each read through its model's ``visible_to`` (a decision through its
gathering's), the newest few of each, merged by date. Five queries whatever the size
of the collaborative; another organization's private things never appear, because
nothing here reads around ``visible_to``.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, Q
from django.db.models.functions import Coalesce

from indicators.models import Dataset
from stakeholders.models import Member
from workgroups.models import Decision, Meeting
from workgroups.polls.models import Poll
from workgroups.quickwins.models import QuickWin

#: How many events the list shows.
LIMIT = 8


@dataclass(frozen=True)
class Event:
    """One thing that happened: when, what kind (the template words it), and the object."""

    at: datetime
    kind: str
    obj: Any


def recent_activity(
    member: Member, *, now: datetime, since: datetime | None = None, limit: int = LIMIT
) -> list[Event]:
    """The newest ``limit`` events this person may see, newest first (after ``since``
    when given)."""
    user = member.user
    collaborative_id = member.collaborative_id

    def after(field: str) -> Q:
        return Q(**{f"{field}__gt": since}) if since else Q()

    events: list[Event] = []

    held = (
        Meeting.objects.visible_to(user)
        .filter(collaborative_id=collaborative_id, status=Meeting.Status.HELD, ends_at__lte=now)
        .filter(after("ends_at"))
        .select_related("owner", "collaborative")
        .order_by("-ends_at", "-pk")[:limit]
    )
    events += [Event(m.ends_at, "gathering_held", m) for m in held]

    decisions = (
        Decision.objects.visible_to(user)
        .filter(meeting__collaborative_id=collaborative_id, decided_at__lte=now)
        .filter(after("decided_at"))
        .select_related("meeting__collaborative", "meeting__owner")
        .order_by("-decided_at", "-pk")[:limit]
    )
    events += [Event(d.decided_at, "decision", d) for d in decisions]

    quick_wins = (
        QuickWin.objects.visible_to(user)
        .filter(collaborative_id=collaborative_id)
        .filter(after("updated_at"))
        .select_related("collaborative")
        .order_by("-updated_at", "-pk")[:limit]
    )
    for qw in quick_wins:
        moved = getattr(qw, QuickWin.STATUS_TIMESTAMP[qw.status]) or qw.updated_at
        if since is None or moved > since:
            events.append(Event(moved, f"quick_win_{qw.status}", qw))

    polls = (
        Poll.objects.visible_to(user)
        .filter(collaborative_id=collaborative_id, opened_at__isnull=False)
        .filter(after("opened_at") | after("closed_at") if since else Q())
        .select_related("group", "collaborative")
        .order_by(Coalesce("closed_at", "opened_at").desc(), "-pk")[:limit]
    )
    for poll in polls:
        if poll.closed_at and (since is None or poll.closed_at > since):
            events.append(Event(poll.closed_at, "poll_closed", poll))
        if poll.opened_at and (since is None or poll.opened_at > since):
            events.append(Event(poll.opened_at, "poll_opened", poll))

    accepted = (
        Dataset.objects.visible_to(user)
        .filter(collaborative_id=collaborative_id, accepted_version__accepted_at__isnull=False)
        .filter(after("accepted_version__accepted_at"))
        .select_related("owner", "collaborative", "accepted_version")
        .order_by(F("accepted_version__accepted_at").desc(nulls_last=True), "-pk")[:limit]
    )
    for dataset in accepted:
        version = dataset.accepted_version
        if version is not None and version.accepted_at is not None:
            events.append(Event(version.accepted_at, "dataset_accepted", dataset))

    events.sort(key=lambda e: e.at, reverse=True)
    return events[:limit]
