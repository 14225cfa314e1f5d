"""Emails about polls: a poll opened, a poll closes tomorrow (only to those who have not
voted yet), the results are in; and the Celery tasks that send them.

Opening and closing a poll (``workgroups.polls.services``) queue "opened" and "results"
once their transaction commits; "closes tomorrow" is queued by an hourly beat task
(``workgroups.polls.tasks``). Each email is claimed before it is queued
(``reentry.claims.claim_once`` on ``SentReminder``: kind, poll, person, date), in the
transaction that queues the email, so a retry or two workers at once send nothing twice.

Who hears: the poll's eligible voters (``selectors.electorate``, narrowed to verified
members when the poll asks for them) who chose email, each in their own language. Who
has voted is read from ``Ballot`` (who, never what): no choice is ever read here.
"""

from datetime import date, datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from reentry.audit.log import record
from reentry.claims import claim_once
from reentry.mail import send_templated_email
from stakeholders.access import unsubscribe_url
from stakeholders.models import Member
from workgroups.models import SentReminder
from workgroups.polls.models import Ballot, Poll
from workgroups.polls.selectors import electorate
from workgroups.verification.selectors import verified_ids

CLOSING_AHEAD = timedelta(hours=24)
Kind = SentReminder.Kind


def _recipients(poll: Poll) -> QuerySet[Member]:
    """Eligible voters who chose email and can still sign in."""
    people = electorate(poll).filter(
        collaborative_id=poll.collaborative_id,
        is_active=True,
        contact_by_email=True,
        user__is_active=True,
    )
    if poll.verified_voters_only:
        people = people.filter(pk__in=verified_ids(poll.collaborative_id))
    return people.select_related("user").order_by("pk")


def _send(poll: Poll, kind: str, template: str, on_date: date, people: list[Member]) -> int:
    claimed = claim_once(
        SentReminder, kind=kind, object_key=str(poll.public_id), on_date=on_date, members=people
    )
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
    with timezone.override(collaborative.zone):
        for person in people:
            if person.pk not in claimed:
                continue
            send_templated_email(
                template,
                to=person.user.email,
                language=person.user.preferred_language,
                context={**context, "member": person},
                unsubscribe_url=unsubscribe_url(person, template, slug=collaborative.slug),
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
    return _send(
        poll, Kind.POLL_OPENED, "poll-opened", poll.collaborative.local_date(poll.opened_at), people
    )


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
    return _send(
        poll,
        Kind.POLL_CLOSING,
        "poll-closing",
        poll.collaborative.local_date(poll.closes_at),
        people,
    )


@transaction.atomic
def poll_results_send(*, poll_id: int) -> int:
    """Tell the eligible voters that the poll closed and its results are in."""
    poll = _poll(poll_id)
    if poll is None or poll.status != Poll.Status.CLOSED or poll.closed_at is None:
        return 0
    people = list(_recipients(poll))
    return _send(
        poll,
        Kind.POLL_RESULTS,
        "poll-results",
        poll.collaborative.local_date(poll.closed_at),
        people,
    )


# --- tasks: take ids, call the functions above; safe to run twice (each email is claimed)

NOTIFY = {
    "acks_late": True,
    "soft_time_limit": 120,
    "time_limit": 150,
    "autoretry_for": (OSError,),
    "retry_backoff": True,
    "max_retries": 5,
}


@shared_task(**NOTIFY)
def send_poll_opened(poll_id: int) -> int:
    """A poll opened: email its eligible voters who chose email, each at most once."""
    return poll_opened_send(poll_id=poll_id)


@shared_task(**NOTIFY)
def send_poll_closing(poll_id: int) -> int:
    """A poll closes tomorrow: remind the eligible voters who have not voted yet."""
    return poll_closing_send(poll_id=poll_id)


@shared_task(**NOTIFY)
def send_poll_results(poll_id: int) -> int:
    """A poll closed: tell its eligible voters the results are in."""
    return poll_results_send(poll_id=poll_id)
