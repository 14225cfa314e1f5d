"""Reminders by email: a gathering tomorrow, and a weekly digest of overdue action items.

Called by the Celery tasks in workgroups/tasks.py. Each email is claimed before it is
queued (``reentry.claims.claim_once``): a ``SentReminder`` row keyed (kind, object,
person, date) under a unique constraint, inserted with ON CONFLICT DO NOTHING under a
fresh claim id, in the same transaction that queues the email (``reentry.queue.enqueue``
sends on commit). Only rows carrying this run's claim id are emailed, so a retry, a
second beat or two workers at once send nothing twice; if the transaction fails,
neither the claim nor the email survives, and the next run tries again.

Only people who chose email (``Member.contact_by_email``) hear from us, and only about
what ``visible_to`` lets them see.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from reentry.audit.log import record
from reentry.claims import claim_once
from reentry.mail import send_templated_email
from stakeholders.access import unsubscribe_url
from stakeholders.models import Collaborative, Member
from workgroups.models import ActionItem, Meeting, SentReminder

REMIND_AHEAD = timedelta(hours=24)
Kind = SentReminder.Kind


# --- Gatherings -----------------------------------------------------------------------


def gathering_reminders_due(*, now: datetime | None = None) -> list[int]:
    """Scheduled gatherings that start within the next day."""
    now = now or timezone.now()
    return list(
        Meeting.objects.filter(
            status=Meeting.Status.SCHEDULED, starts_at__gt=now, starts_at__lte=now + REMIND_AHEAD
        )
        .order_by("starts_at", "pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def gathering_reminder_send(*, meeting_id: int, now: datetime | None = None) -> int:
    """Email the gathering's group members who chose email, once each. Returns how many
    emails were queued (0 when everyone already had theirs)."""
    now = now or timezone.now()
    meeting = Meeting.objects.select_related("owner", "collaborative").filter(pk=meeting_id).first()
    if (
        meeting is None
        or meeting.status != Meeting.Status.SCHEDULED
        or not now < meeting.starts_at <= now + REMIND_AHEAD
    ):
        return 0
    collaborative = meeting.collaborative
    tz = collaborative.zone
    people = [
        person
        for person in meeting.owner.active_people()
        .filter(contact_by_email=True, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        # Read as each person: a reminder never tells anyone of a gathering they may not see.
        if Meeting.objects.visible_to(person.user).filter(pk=meeting.pk).exists()
    ]
    claimed = claim_once(
        SentReminder,
        kind=Kind.GATHERING,
        object_key=str(meeting.public_id),
        on_date=collaborative.local_date(meeting.starts_at),
        members=people,
    )
    url = settings.SITE_URL + meeting.get_absolute_url()
    agenda_url = settings.SITE_URL + reverse(
        "workgroups:meeting_agenda",
        kwargs={"slug": collaborative.slug, "public_id": meeting.public_id},
    )
    settings_url = settings.SITE_URL + reverse(
        "stakeholders:profile", kwargs={"slug": collaborative.slug}
    )
    sent = 0
    with timezone.override(tz):
        for person in people:
            if person.pk not in claimed:
                continue
            send_templated_email(
                "gathering-reminder",
                to=person.user.email,
                language=person.user.preferred_language,
                unsubscribe_url=unsubscribe_url(
                    person, "gathering-reminder", slug=collaborative.slug
                ),
                context={
                    "member": person,
                    "meeting": meeting,
                    "group": meeting.owner,
                    "collaborative": collaborative,
                    "url": url,
                    "agenda_url": agenda_url,
                    "settings_url": settings_url,
                },
            )
            sent += 1
    if sent:
        record(
            "meeting.reminders_sent",
            collaborative=collaborative,
            obj=meeting,
            recipients=sent,
        )
    return sent


# --- Overdue action items -----------------------------------------------------------------


def _overdue(collaborative: Collaborative, today: date):
    return (
        ActionItem.objects.filter(collaborative=collaborative, due_date__lt=today)
        .exclude(status=ActionItem.Status.DONE)
        .order_by("due_date", "pk")
    )


def _digest_recipients(collaborative: Collaborative, today: date) -> list[Member]:
    """Owners of overdue items who chose email: the person who owns an item, or, for an
    item owned by an organization alone, that organization's admins."""
    overdue = _overdue(collaborative, today)
    return list(
        Member.objects.filter(
            collaborative=collaborative,
            is_active=True,
            user__is_active=True,
            contact_by_email=True,
        )
        .filter(
            Q(pk__in=overdue.values("owner_member_id"))
            | Q(
                role=Member.Role.ORG_ADMIN,
                organization_id__in=overdue.filter(owner_member__isnull=True).values(
                    "owner_organization_id"
                ),
            )
        )
        .select_related("user")
        .order_by("pk")
    )


@transaction.atomic
def _digest_one(member: Member, collaborative: Collaborative, today: date, week: date) -> int:
    mine = Q(owner_member=member)
    if member.role == Member.Role.ORG_ADMIN and member.organization_id:
        mine |= Q(owner_member__isnull=True, owner_organization_id=member.organization_id)
    items = list(
        _overdue(collaborative, today)
        .filter(mine)
        .filter(pk__in=ActionItem.objects.visible_to(member.user).values("pk"))
        .select_related("group")
    )
    if not items or member.pk not in claim_once(
        SentReminder, kind=Kind.OVERDUE_DIGEST, object_key="", on_date=week, members=[member]
    ):
        return 0
    base = settings.SITE_URL
    send_templated_email(
        "overdue-digest",
        to=member.user.email,
        language=member.user.preferred_language,
        unsubscribe_url=unsubscribe_url(member, "overdue-digest", slug=collaborative.slug),
        context={
            "member": member,
            "collaborative": collaborative,
            "items": [
                {
                    "title": item.title,
                    "group": item.group.name,
                    "due_date": item.due_date,
                    "days": (today - item.due_date).days,
                    "status": item.get_status_display(),
                }
                for item in items
            ],
            "url": base
            + reverse("workgroups:my_action_items", kwargs={"slug": collaborative.slug}),
            "settings_url": base
            + reverse("stakeholders:profile", kwargs={"slug": collaborative.slug}),
        },
    )
    return 1


def overdue_digest_send(*, now: datetime | None = None) -> int:
    """Once a week (the key is the Monday of the collaborative's week): each owner of
    overdue action items gets one email listing them. Returns how many were queued."""
    now = now or timezone.now()
    sent = 0
    for collaborative in Collaborative.objects.order_by("pk"):
        today = collaborative.local_date(now)
        week = today - timedelta(days=today.weekday())
        for member in _digest_recipients(collaborative, today):
            sent += _digest_one(member, collaborative, today, week)
    return sent
