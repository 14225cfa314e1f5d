"""Notices that a gathering moved or was cancelled, with the updated calendar entry.

``meeting_reschedule`` and ``meeting_cancel`` (workgroups.services.gatherings) queue
``send_gathering_notice`` once their transaction commits. It emails the people a
reminder goes to (the group's active members who chose email and may see the
gathering), each in their own language, with an .ics attachment: the same event as the
calendar feed (same UID), its SEQUENCE raised, METHOD:REQUEST when it moved and
METHOD:CANCEL with STATUS:CANCELLED when it was cancelled (RFC 5546), so calendar apps
replace their copy.

Each email is claimed first (``reentry.claims.claim_once`` on ``SentReminder``; the key
is the gathering and its SEQUENCE), so a retry sends nothing twice and a second change
sends a second notice.
"""

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from reentry.audit.log import record
from reentry.claims import claim_once
from reentry.mail import send_templated_email
from reentry.tasks import NOTICE_TASK
from stakeholders.access import unsubscribe_url
from stakeholders.models import Member
from workgroups.calendar import render_notice
from workgroups.models import Meeting, SentReminder


def notice_recipients(meeting: Meeting) -> list[Member]:
    """Who is told: the group's active members who chose email, read as each of them
    (nobody hears of a gathering they may not see)."""
    return [
        person
        for person in meeting.owner.active_people()
        .filter(contact_by_email=True, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        if Meeting.objects.visible_to(person.user).filter(pk=meeting.pk).exists()
    ]


@transaction.atomic
def gathering_notice_send(*, meeting_id: int, sequence: int, note: str = "") -> int:
    """Email everyone invited that the gathering moved or was cancelled, once each per
    change (``sequence``). Returns how many emails were queued. A notice about a change
    already replaced by a newer one is not sent (the newer one is)."""
    meeting = Meeting.objects.select_related("owner", "collaborative").filter(pk=meeting_id).first()
    if meeting is None or meeting.sequence != sequence:
        return 0
    collaborative = meeting.collaborative
    cancelled = meeting.status == Meeting.Status.CANCELLED
    people = notice_recipients(meeting)
    claimed = claim_once(
        SentReminder,
        kind=SentReminder.Kind.GATHERING_CHANGED,
        object_key=f"{meeting.public_id}:{sequence}",
        on_date=collaborative.local_date(meeting.updated_at),
        members=people,
    )
    name = "gathering-cancelled" if cancelled else "gathering-rescheduled"
    url = settings.SITE_URL + meeting.get_absolute_url()
    slug = collaborative.slug
    sent = 0
    with timezone.override(collaborative.zone):
        for person in people:
            if person.pk not in claimed:
                continue
            ics = render_notice(
                meeting, attendee_name=person.user.name, attendee_email=person.user.email
            )
            send_templated_email(
                name,
                to=person.user.email,
                language=person.user.preferred_language,
                unsubscribe_url=unsubscribe_url(person, "gathering-notice", slug=slug),
                context={
                    "member": person,
                    "meeting": meeting,
                    "group": meeting.owner,
                    "collaborative": collaborative,
                    "note": note,
                    "url": url,
                },
                attachments=[
                    ("cancel.ics" if cancelled else "invite.ics", ics, "text/calendar"),
                ],
            )
            sent += 1
    if sent:
        record(
            "meeting.notice_sent",
            collaborative=collaborative,
            obj=meeting,
            recipients=sent,
            kind="cancelled" if cancelled else "rescheduled",
            sequence=sequence,
        )
    return sent


@shared_task(**NOTICE_TASK)
def send_gathering_notice(meeting_id: int, sequence: int, note: str = "") -> int:
    """Tell a gathering's people it moved or was cancelled (with the calendar entry)."""
    return gathering_notice_send(meeting_id=meeting_id, sequence=sequence, note=note)
