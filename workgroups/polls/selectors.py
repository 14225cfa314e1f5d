"""Reads about polls, already scoped to the person asking.

Nothing here reads what anyone chose, except ``my_choices``: the person's own ballot,
shown only to them.
"""

import hashlib
import hmac
import random

from django.conf import settings
from django.db.models import QuerySet

from stakeholders.models import Member
from workgroups.models import WorkingGroup
from workgroups.polls.access import EDITABLE_STATUSES
from workgroups.polls.models import Ballot, BallotContent, Poll, PollOption


def manageable_groups(member: Member) -> QuerySet[WorkingGroup]:
    """The active groups of this collaborative whose polls this person may set up."""
    return (
        WorkingGroup.objects.managed_by(member.user)
        .filter(collaborative_id=member.collaborative_id, is_active=True)
        .order_by("-is_whole_collaborative", "name")
    )


def my_choices(poll: Poll, member: Member) -> list[str] | dict[str, int] | None:
    """The person's own current choices (only ever shown to that person), or None. A
    secret poll's ballots cannot be read back once it has closed."""
    if poll.is_secret:
        if not poll.ballot_key or not Ballot.objects.filter(poll=poll, voter=member).exists():
            return None
        content = BallotContent.objects.filter(poll=poll, seal=poll.seal_for(member)).first()
    else:
        content = BallotContent.objects.filter(ballot__poll=poll, ballot__voter=member).first()
    return content.choices if content is not None else None


def options_for(poll: Poll, member: Member | None) -> list[PollOption]:
    """The options in the order this person sees them: shuffled per person (always the
    same order for the same person) when the poll says so."""
    if "options" in getattr(poll, "_prefetched_objects_cache", {}):
        options = list(poll.options.all())  # a list page prefetched them: no query here
    else:
        options = list(
            poll.options.select_related("quick_win__collaborative", "indicator__collaborative")
        )
    if poll.shuffle_options and member is not None:
        seed = hmac.new(
            settings.SECRET_KEY.encode(),
            f"shuffle:{poll.public_id}:{member.public_id}".encode(),
            hashlib.sha256,
        ).hexdigest()
        random.Random(seed).shuffle(options)  # noqa: S311 - an order, not a secret
    return options


def electorate(poll: Poll) -> QuerySet[Member]:
    """The Members who may vote (before opening: who would, as things stand)."""
    people: QuerySet[Member]
    if poll.electorate == Poll.Electorate.GROUP and poll.status not in EDITABLE_STATUSES:
        people = Member.objects.filter(pk__in=poll.voters.values("member_id"))
    elif poll.electorate == Poll.Electorate.GROUP:
        people = poll.group.active_people()
    else:
        people = Member.objects.filter(collaborative_id=poll.collaborative_id, is_active=True)
    return people.exclude(role=Member.Role.OBSERVER)
