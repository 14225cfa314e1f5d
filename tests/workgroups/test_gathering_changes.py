"""Rescheduling and cancelling a gathering from its page (issue 16), with a notice to
everyone invited carrying the updated calendar entry; and walk-ins invited to join from
the attendance screen, whose attendance becomes theirs (and earns a stipend line) once
they accept."""

from datetime import UTC, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from reentry.audit.models import AuditEvent
from reentry.stipends.models import StipendLine
from reentry.stipends.services import stipend_rate_set
from stakeholders.models import Invitation, Member
from stakeholders.services import invitation_accept
from tests.factories import UserFactory
from tests.reentry.mail_checks import assert_bulk_notice, html_part
from tests.workgroups.conftest import make_meeting
from workgroups import services
from workgroups.calendar import event_uid
from workgroups.models import Attendance, Meeting, SentReminder

pytestmark = pytest.mark.django_db

TITLE = "Beds & landlords <2027>"


def url(name, slug="collab-a", **kw):
    return reverse(f"workgroups:{name}", kwargs={"slug": slug, **kw})


def local_input(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def ics_of(message) -> list[str]:
    calendars = [a for a in message.attachments if a[2] == "text/calendar"]
    assert len(calendars) == 1, message.attachments
    return unfold(calendars[0][1])


@pytest.fixture
def ahead(cast, wg):
    """A Housing gathering in a week (members: staff_a chair, community co-chair, staff_b)."""
    return make_meeting(cast.backbone, wg.housing, days=7, title=TITLE)


def _form(moment, hours=2, place="Library, room C", **extra):
    return {
        "starts_at": local_input(moment),
        "ends_at": local_input(moment + timedelta(hours=hours)),
        "place": place,
        "video_link": "",
        **extra,
    }


class TestAccess:
    @pytest.mark.parametrize("name", ["meeting_reschedule", "meeting_cancel"])
    def test_another_collaborative_gets_404(self, cast, wg, login, name):
        client = login(cast.outsider)
        for method in (client.get, client.post):
            response = method(url(name, slug="collab-b", public_id=wg.meeting.public_id))
            assert response.status_code == 404

    @pytest.mark.parametrize("name", ["meeting_reschedule", "meeting_cancel"])
    def test_an_ordinary_group_member_cannot(self, cast, ahead, login, name):
        response = login(cast.staff_b).post(
            url(name, public_id=ahead.public_id), {"reason": "No", **_form(ahead.starts_at)}
        )
        assert response.status_code == 403
        ahead.refresh_from_db()
        assert ahead.sequence == 0 and ahead.status == Meeting.Status.SCHEDULED

    def test_the_page_offers_both_to_managers_only(self, cast, ahead, login):
        page = login(cast.staff_a).get(ahead.get_absolute_url()).content.decode()
        assert url("meeting_reschedule", public_id=ahead.public_id) in page
        assert url("meeting_cancel", public_id=ahead.public_id) in page
        page = login(cast.staff_b).get(ahead.get_absolute_url()).content.decode()
        assert "/reschedule/" not in page and "/cancel/" not in page

    def test_a_past_gathering_offers_neither(self, cast, wg, login):
        page = login(cast.staff_a).get(wg.meeting.get_absolute_url()).content.decode()
        assert "/reschedule/" not in page and "/cancel/" not in page


class TestReschedule:
    def test_moves_it_tells_everyone_invited_with_the_same_event(
        self, cast, ahead, login, django_capture_on_commit_callbacks
    ):
        Member.objects.filter(pk=cast.staff_b.pk).update(contact_by_email=False)
        new = ahead.starts_at + timedelta(days=2)
        with django_capture_on_commit_callbacks(execute=True):
            response = login(cast.staff_a).post(
                url("meeting_reschedule", public_id=ahead.public_id),
                _form(new, note="The library closes early that day"),
            )
        assert response.status_code == 302
        ahead.refresh_from_db()
        assert ahead.sequence == 1 and ahead.place == "Library, room C"
        assert abs(ahead.starts_at - new) < timedelta(minutes=1)
        # The group's members who chose email (staff_b did not).
        assert sorted(m.to[0] for m in mail.outbox) == sorted(
            [cast.staff_a.user.email, cast.community.user.email]
        )
        message = mail.outbox[0]
        assert message.subject.startswith(f"Moved: {TITLE}, now ")  # "&" and "<" as typed
        assert "&amp;" not in message.subject
        assert "The library closes early that day" in message.body
        assert "Beds &amp; landlords" in html_part(message)
        assert_bulk_notice(message)
        lines = ics_of(message)
        assert "METHOD:REQUEST" in lines and "SEQUENCE:1" in lines
        assert "STATUS:CONFIRMED" in lines
        assert f"UID:{event_uid(ahead)}" in lines
        assert any(line.startswith("ATTENDEE;") and message.to[0] in line for line in lines)
        event = AuditEvent.objects.get(action="meeting.rescheduled")
        assert event.actor == cast.staff_a.user and "place" in event.details["changes"]

    def test_the_feed_shows_the_new_time_under_the_same_uid(self, cast, ahead, client):
        new = ahead.starts_at + timedelta(days=1)
        services.meeting_reschedule(
            actor=cast.backbone,
            meeting=ahead,
            starts_at=new,
            ends_at=new + timedelta(hours=1),
            place="Town hall",
        )
        feed = services.calendar_feed_get_or_create(actor=cast.staff_b)
        response = client.get(
            reverse("workgroups:calendar_feed", kwargs={"slug": "collab-a", "token": feed.token()})
        )
        lines = unfold(response.content.decode())
        at = lines.index(f"UID:{event_uid(ahead)}")
        event = lines[at : lines.index("END:VEVENT", at)]
        assert "SEQUENCE:1" in event and "LOCATION:Town hall" in event
        assert f"DTSTART:{new.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}" in event

    def test_not_into_the_past_and_the_form_keeps_what_was_typed(self, cast, ahead, login):
        past = timezone.now() - timedelta(days=1)
        response = login(cast.staff_a).post(
            url("meeting_reschedule", public_id=ahead.public_id),
            _form(past, place="Kept place", note="Kept note"),
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "Choose a time that has not passed yet." in page
        assert 'value="Kept place"' in page and "Kept note" in page
        ahead.refresh_from_db()
        assert ahead.sequence == 0 and len(mail.outbox) == 0

    def test_ends_after_it_starts_and_needs_a_place(self, cast, ahead, login):
        start = ahead.starts_at + timedelta(days=1)
        response = login(cast.staff_a).post(
            url("meeting_reschedule", public_id=ahead.public_id),
            _form(start, hours=-1, place=""),
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert "Give a place, a video link, or both." in page

    def test_nothing_changed_says_so(self, cast, ahead):
        with pytest.raises(Exception, match="Nothing changed"):
            services.meeting_reschedule(
                actor=cast.backbone,
                meeting=ahead,
                starts_at=ahead.starts_at,
                ends_at=ahead.ends_at,
                place=ahead.place,
            )

    def test_a_past_or_cancelled_gathering_cannot_be_moved(self, cast, wg, ahead, login):
        soon = timezone.now() + timedelta(days=3)
        with pytest.raises(Exception, match="already taken place"):
            services.meeting_reschedule(
                actor=cast.backbone,
                meeting=wg.meeting,
                starts_at=soon,
                ends_at=soon + timedelta(hours=1),
                place="Here",
            )
        services.meeting_cancel(actor=cast.backbone, meeting=ahead, reason="Snow")
        with pytest.raises(Exception, match="was cancelled"):
            services.meeting_reschedule(
                actor=cast.backbone,
                meeting=ahead,
                starts_at=soon,
                ends_at=soon + timedelta(hours=1),
                place="Here",
            )
        response = login(cast.staff_a).get(url("meeting_reschedule", public_id=ahead.public_id))
        assert response.status_code == 302


class TestCancel:
    def test_asks_to_confirm_with_a_reason(self, cast, ahead, login):
        client = login(cast.staff_a)
        page = client.get(url("meeting_cancel", public_id=ahead.public_id)).content.decode()
        assert "Cancel the gathering?" in page
        response = client.post(url("meeting_cancel", public_id=ahead.public_id), {"reason": " "})
        assert response.status_code == 200
        assert "Say why, for the people who planned to come." in response.content.decode()
        ahead.refresh_from_db()
        assert ahead.status == Meeting.Status.SCHEDULED

    def test_cancels_keeps_its_history_and_tells_everyone(
        self, cast, ahead, login, django_capture_on_commit_callbacks
    ):
        services.agenda_item_add(actor=cast.staff_a, meeting=ahead, title="Landlord list")
        with django_capture_on_commit_callbacks(execute=True):
            response = login(cast.staff_a).post(
                url("meeting_cancel", public_id=ahead.public_id),
                {"reason": "The room is closed for repairs & painting"},
            )
        assert response.status_code == 302
        ahead.refresh_from_db()
        assert ahead.status == Meeting.Status.CANCELLED and ahead.cancelled_at is not None
        assert ahead.sequence == 1
        assert ahead.agenda_items.count() == 1  # its history stays
        assert len(mail.outbox) == 3  # staff_a, the community co-chair, staff_b
        message = mail.outbox[0]
        day = timezone.localtime(ahead.starts_at, ahead.collaborative.zone)
        assert message.subject == f"Cancelled: {TITLE} on {day.day} {day:%b}"
        assert "repairs & painting" in message.body
        lines = ics_of(message)
        assert "METHOD:CANCEL" in lines and "STATUS:CANCELLED" in lines
        assert "SEQUENCE:1" in lines and f"UID:{event_uid(ahead)}" in lines
        assert AuditEvent.objects.filter(action="meeting.cancelled").exists()

        page = login(cast.staff_b).get(ahead.get_absolute_url()).content.decode()
        assert "This gathering was cancelled on" in page
        assert "repairs &amp; painting" in page
        assert "Landlord list" in page
        manager_page = login(cast.staff_a).get(ahead.get_absolute_url()).content.decode()
        assert "Take attendance" not in manager_page and "/reschedule/" not in manager_page

    def test_a_retry_sends_nothing_twice(self, cast, ahead, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            services.meeting_cancel(actor=cast.backbone, meeting=ahead, reason="Snow")
        sent = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            services.gathering_notice_send(meeting_id=ahead.pk, sequence=1)
        assert len(mail.outbox) == sent == 3
        assert SentReminder.objects.filter(kind=SentReminder.Kind.GATHERING_CHANGED).count() == 3

    def test_a_cancelled_gathering_cannot_be_held_or_take_attendance(self, cast, ahead, login):
        services.meeting_cancel(actor=cast.backbone, meeting=ahead, reason="Snow")
        ahead.refresh_from_db()
        with pytest.raises(Exception, match="cannot be marked held"):
            services.meeting_record_minutes(
                actor=cast.backbone, meeting=ahead, minutes="", status=Meeting.Status.HELD
            )
        with pytest.raises(Exception, match="was cancelled"):
            services.attendance_record(
                actor=cast.backbone,
                meeting=ahead,
                statuses={str(cast.staff_a.public_id): "present"},
            )
        client = login(cast.staff_a)
        assert client.get(url("meeting_attendance", public_id=ahead.public_id)).status_code == 302
        # Its notes can still be written, and it stays cancelled.
        client.post(url("meeting_minutes", public_id=ahead.public_id), {"minutes-minutes": "Why"})
        ahead.refresh_from_db()
        assert ahead.minutes == "Why" and ahead.status == Meeting.Status.CANCELLED

    def test_the_minutes_form_no_longer_cancels(self, cast, ahead):
        with pytest.raises(Exception, match="Cancel the gathering"):
            services.meeting_record_minutes(
                actor=cast.backbone, meeting=ahead, minutes="", status=Meeting.Status.CANCELLED
            )


@pytest.fixture
def walk_in(cast, wg):
    services.attendance_record(
        actor=cast.backbone,
        meeting=wg.meeting,
        statuses={str(cast.staff_a.public_id): "present"},
        walk_ins=["Dana Walker"],
    )
    return wg.meeting.attendance.get(walk_in_name="Dana Walker")


class TestWalkIns:
    def test_the_screen_says_why_no_stipend_and_offers_to_invite(self, cast, wg, walk_in, login):
        page = login(cast.backbone).get(url("meeting_attendance", public_id=wg.meeting.public_id))
        text = page.content.decode()
        assert "Walk-ins get no stipend: stipends are paid to members." in text
        assert url("walk_in_invite", public_id=wg.meeting.public_id, attendance_id=walk_in.pk) in (
            text
        )
        # A chair who is not backbone staff cannot invite, and is told who can.
        text = login(cast.staff_a).get(page.request["PATH_INFO"]).content.decode()
        assert "Backbone staff send invitations" in text and "/invite/" not in text

    def test_access(self, cast, wg, walk_in, login):
        path = url("walk_in_invite", public_id=wg.meeting.public_id, attendance_id=walk_in.pk)
        other = url(
            "walk_in_invite", slug="collab-b", public_id=wg.meeting.public_id, attendance_id=1
        )
        assert login(cast.outsider).get(other).status_code == 404
        assert login(cast.staff_b).post(path, {"email": "d@example.org"}).status_code == 403
        assert login(cast.staff_a).post(path, {"email": "d@example.org"}).status_code == 403
        member_row = wg.meeting.attendance.get(member=cast.staff_a)
        member_path = url(
            "walk_in_invite", public_id=wg.meeting.public_id, attendance_id=member_row.pk
        )
        assert login(cast.backbone).get(member_path).status_code == 404
        assert not Invitation.objects.filter(email="d@example.org").exists()

    def test_invited_walk_in_who_joins_gets_the_attendance_and_a_stipend_line(
        self, cast, wg, walk_in, login, django_capture_on_commit_callbacks
    ):
        stipend_rate_set(actor=cast.backbone, is_active=True, unit="each_time", amount=Decimal(25))
        with django_capture_on_commit_callbacks(execute=True):
            response = login(cast.backbone).post(
                url("walk_in_invite", public_id=wg.meeting.public_id, attendance_id=walk_in.pk),
                {"email": "Dana@Example.org", "message": "Glad you came"},
            )
        assert response.status_code == 302
        invitation = Invitation.objects.get(email="dana@example.org")
        assert invitation.role == Member.Role.COMMUNITY and invitation.name == "Dana Walker"
        walk_in.refresh_from_db()
        assert walk_in.invitation == invitation
        assert [m.to for m in mail.outbox] == [["dana@example.org"]]
        assert not StipendLine.objects.filter(meeting_id=wg.meeting.pk).exclude(member=cast.staff_a)
        page = login(cast.backbone).get(url("meeting_attendance", public_id=wg.meeting.public_id))
        assert "Invited (dana@example.org)" in page.content.decode()

        user = UserFactory(email="dana@example.org", name="Dana Walker")
        token = invitation.new_token()
        invitation.save(update_fields=["token_hash", "expires_at"])
        member = invitation_accept(user=user, token=token)
        walk_in.refresh_from_db()
        assert walk_in.member == member and walk_in.walk_in_name == ""
        assert walk_in.status == Attendance.Status.PRESENT
        assert StipendLine.objects.filter(meeting_id=wg.meeting.pk, member=member).count() == 1
        assert AuditEvent.objects.filter(action="meeting.walk_in_joined").exists()

    def test_an_existing_member_is_linked_at_once(self, cast, wg, walk_in):
        services.walk_in_invite(
            actor=cast.backbone,
            meeting=wg.meeting,
            attendance=walk_in,
            email=cast.community.user.email.upper(),
        )
        row = wg.meeting.attendance.get(member=cast.community)
        assert row.pk == walk_in.pk and row.walk_in_name == ""
        assert not Invitation.objects.filter(email__iexact=cast.community.user.email).exists()

    def test_an_invitation_needs_an_email_and_keeps_the_message(self, cast, wg, walk_in, login):
        response = login(cast.backbone).post(
            url("walk_in_invite", public_id=wg.meeting.public_id, attendance_id=walk_in.pk),
            {"email": "", "message": "Kept words"},
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert "Give their email address: the invitation goes there." in page
        assert "Kept words" in page
        assert not Invitation.objects.exists()
