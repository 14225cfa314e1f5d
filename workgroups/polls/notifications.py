"""Emails about polls: a poll opened, a poll closes tomorrow (only to those who have not
voted yet), the results are in.

Called by the Celery tasks in workgroups/tasks.py: "opened" and "results" are queued
by the ``poll_opened`` / ``poll_closed`` signals of ``workgroups.polls`` (sent after the
transaction commits), "closes tomorrow" by an hourly beat task. Each email is claimed
before it is queued, exactly as in ``workgroups.reminders``: a ``SentReminder`` row
(kind, poll, person, date) under a unique constraint, inserted with ON CONFLICT DO
NOTHING in the transaction that queues the email, so a retry or two workers at once
send nothing twice.

Who hears: the poll's eligible voters (``workgroups.polls.electorate``, narrowed to
verified members when the poll asks for them) who chose email, each in their own
language. Who has voted is read from ``Ballot`` (who, never what): no choice is ever
read here.
"""

import zoneinfo
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from reentry.audit.log import record
from reentry.mail import send_templated_email
from reentry.queue import enqueue
from stakeholders.models import Member
from workgroups import polls
from workgroups.models import Ballot, Poll, SentReminder
from workgroups.reminders import _claim
from workgroups.verification import verified_ids

CLOSING_AHEAD = timedelta(hours=24)
Kind = SentReminder.Kind


def _recipients(poll: Poll) -> QuerySet[Member]:
    """Eligible voters who chose email and can still sign in."""
    people = polls.electorate(poll).filter(
        collaborative_id=poll.collaborative_id,
        is_active=True,
        contact_by_email=True,
        user__is_active=True,
    )
    if poll.verified_voters_only:
        people = people.filter(pk__in=verified_ids(poll.collaborative_id))
    return people.select_related("user").order_by("pk")


def _local_date(poll: Poll, moment: datetime) -> date:
    return moment.astimezone(zoneinfo.ZoneInfo(poll.collaborative.time_zone)).date()


def _send(poll: Poll, kind: str, template: str, on_date: date, people: list[Member]) -> int:
    claimed = _claim(kind, str(poll.public_id), on_date, people)
    collaborative = poll.collaborative
    base = settings.SITE_URL
    context = {
        "poll": poll,
        "group": poll.group,
        "collaborative": collaborative,
        "url": base + poll.get_absolute_url(),
        "settings_url": base + reverse("stakeholders:profile", kwargs={"slug": collaborative.slug}),
    }
    sent = 0
    with timezone.override(zoneinfo.ZoneInfo(collaborative.time_zone)):
        for person in people:
            if person.pk not in claimed:
                continue
            send_templated_email(
                template,
                to=person.user.email,
                language=person.user.preferred_language,
                context={**context, "member": person},
            )
            sent += 1
    if sent:
        record(f"poll.notified_{kind.removeprefix('poll_')}", obj=poll, recipients=sent)
    return sent


def _poll(poll_id: int) -> Poll | None:
    return Poll.objects.select_related("group", "collaborative").filter(pk=poll_id).first()


@transaction.atomic
def poll_opened_send(*, poll_id: int) -> int:
    """Tell the eligible voters that the poll is open. Returns how many emails were queued."""
    poll = _poll(poll_id)
    if poll is None or poll.status != Poll.Status.OPEN or poll.opened_at is None:
        return 0
    people = list(_recipients(poll))
    return _send(poll, Kind.POLL_OPENED, "poll-opened", _local_date(poll, poll.opened_at), people)


def poll_closing_due(*, now: datetime | None = None) -> list[int]:
    """Open polls that close within the next day."""
    now = now or timezone.now()
    return list(
        Poll.objects.filter(
            status=Poll.Status.OPEN, closes_at__gt=now, closes_at__lte=now + CLOSING_AHEAD
        )
        .order_by("closes_at", "pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def poll_closing_send(*, poll_id: int, now: datetime | None = None) -> int:
    """Remind the eligible voters who have not voted yet that the poll closes soon."""
    now = now or timezone.now()
    poll = _poll(poll_id)
    if (
        poll is None
        or poll.status != Poll.Status.OPEN
        or not now < poll.closes_at <= now + CLOSING_AHEAD
    ):
        return 0
    voted = Ballot.objects.filter(poll=poll).values("voter_id")
    people = list(_recipients(poll).exclude(pk__in=voted))
    return _send(poll, Kind.POLL_CLOSING, "poll-closing", _local_date(poll, poll.closes_at), people)


@transaction.atomic
def poll_results_send(*, poll_id: int) -> int:
    """Tell the eligible voters that the poll closed and its results are in."""
    poll = _poll(poll_id)
    if poll is None or poll.status != Poll.Status.CLOSED or poll.closed_at is None:
        return 0
    people = list(_recipients(poll))
    return _send(poll, Kind.POLL_RESULTS, "poll-results", _local_date(poll, poll.closed_at), people)


# The polls module sends these after the transaction that opened or closed a poll commits.


@receiver(polls.poll_opened, dispatch_uid="workgroups.poll_notifications.opened")
def _on_poll_opened(sender, poll: Poll, **kwargs) -> None:
    from workgroups.tasks import send_poll_opened

    enqueue(send_poll_opened, poll.pk)


@receiver(polls.poll_closed, dispatch_uid="workgroups.poll_notifications.closed")
def _on_poll_closed(sender, poll: Poll, **kwargs) -> None:
    from workgroups.tasks import send_poll_results

    enqueue(send_poll_results, poll.pk)
