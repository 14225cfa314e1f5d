"""Private iCalendar feeds (workgroups/views/feeds.py, workgroups/calendar.py): RFC 5545
output, token isolation, revocation, and gatherings only as ``Meeting.visible_to`` allows."""

from datetime import UTC

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stakeholders.models import Member
from tests.workgroups.conftest import make_meeting
from workgroups import calendar, services
from workgroups.models import CalendarFeed, Meeting

pytestmark = pytest.mark.django_db


def unfold(text: str) -> list[str]:
    """RFC 5545 §3.1 unfolding: a CRLF followed by one space or tab joins lines."""
    assert "\n" not in text.replace("\r\n", "")  # every line ends in CRLF
    return text.replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")


def get_feed(client, feed, slug=None):
    token = feed.token()
    return client.get(
        reverse(
            "workgroups:calendar_feed",
            kwargs={"slug": slug or feed.member.collaborative.slug, "token": token},
        )
    )


class TestIcalendarFormat:
    def test_text_escapes_backslash_semicolon_comma_and_newlines(self):
        assert calendar.ics_escape("a\\b; c, d\r\ne\nf") == "a\\\\b\\; c\\, d\\ne\\nf"

    def test_control_characters_are_dropped(self):
        assert calendar.ics_escape("bell\x07 tab\tok") == "bell tab\tok"

    def test_long_lines_fold_at_75_octets(self):
        line = "DESCRIPTION:" + "x" * 200
        folded = calendar.ics_fold(line).split("\r\n")
        assert all(len(part.encode()) <= 75 for part in folded)
        assert all(part.startswith(" ") for part in folded[1:])
        assert "".join(p[1:] if i else p for i, p in enumerate(folded)) == line

    def test_folding_never_splits_a_utf8_character(self):
        line = "SUMMARY:" + "Reunión de ñandúes — café ☕ " * 6
        folded = calendar.ics_fold(line).split("\r\n")
        for part in folded:
            assert len(part.encode()) <= 75
            part.encode().decode()  # each piece is valid UTF-8 on its own
        assert "".join(p[1:] if i else p for i, p in enumerate(folded)) == line

    def test_a_calendar_has_utc_times_and_the_required_properties(self, cast, wg):
        meeting = wg.meeting
        meeting.title = "Housing, beds; and \\ more"
        text = calendar.render_calendar("Mine", [meeting])
        lines = unfold(text)
        assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
        assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
        start = meeting.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        end = meeting.ends_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        assert f"DTSTART:{start}" in lines and f"DTEND:{end}" in lines
        stamp = meeting.updated_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        assert f"DTSTAMP:{stamp}" in lines and f"LAST-MODIFIED:{stamp}" in lines
        assert "SEQUENCE:0" in lines
        assert f"UID:{meeting.public_id}@127.0.0.1" in lines or any(
            line.startswith(f"UID:{meeting.public_id}@") for line in lines
        )
        assert "SUMMARY:Housing\\, beds\\; and \\\\ more" in lines
        assert "LOCATION:Library\\, room B" in lines


class TestFeedAccess:
    def test_a_persons_feed_has_their_groups_gatherings(self, cast, wg, client):
        feed = services.calendar_feed_get_or_create(actor=cast.staff_b)
        response = get_feed(client, feed)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        body = response.content.decode()
        assert f"UID:{wg.meeting.public_id}@" in body
        assert wg.other_meeting.title not in body

    def test_a_private_groups_gatherings_are_absent_from_a_non_members_feed(self, cast, wg, client):
        personal = services.calendar_feed_get_or_create(actor=cast.staff_b)
        # The group is browsable, so its link can be made, but its gatherings stay hidden.
        of_group = services.calendar_feed_get_or_create(actor=cast.staff_b, group=wg.private)
        for feed in (personal, of_group):
            assert str(wg.private_meeting.public_id) not in get_feed(client, feed).content.decode()
        member_feed = services.calendar_feed_get_or_create(actor=cast.staff_c, group=wg.private)
        assert str(wg.private_meeting.public_id) in get_feed(client, member_feed).content.decode()

    def test_whole_collaborative_gatherings_are_in_everyones_feed(self, cast, wg, client):
        everyone = make_meeting(cast.backbone, None, days=3, title="All hands")
        feed = services.calendar_feed_get_or_create(actor=cast.observer)
        assert f"UID:{everyone.public_id}@" in get_feed(client, feed).content.decode()

    def test_a_cancelled_gathering_says_so(self, cast, wg, client):
        Meeting.objects.filter(pk=wg.meeting.pk).update(status=Meeting.Status.CANCELLED)
        feed = services.calendar_feed_get_or_create(actor=cast.staff_b)
        assert "STATUS:CANCELLED" in unfold(get_feed(client, feed).content.decode())

    def test_a_forged_token_is_404(self, cast, wg, client):
        feed = services.calendar_feed_get_or_create(actor=cast.staff_b)
        token = feed.token()
        forged = token[:32] + ("0" if token[32] != "0" else "1") + token[33:]
        target = reverse("workgroups:calendar_feed", kwargs={"slug": "collab-a", "token": forged})
        assert client.get(target).status_code == 404

    def test_another_persons_id_with_my_mac_is_404(self, cast, wg, client):
        mine = services.calendar_feed_get_or_create(actor=cast.staff_b)
        theirs = services.calendar_feed_get_or_create(actor=cast.staff_c)
        spliced = theirs.public_id.hex + mine.token()[32:]
        target = reverse("workgroups:calendar_feed", kwargs={"slug": "collab-a", "token": spliced})
        assert client.get(target).status_code == 404

    def test_a_token_under_another_collaboratives_address_is_404(self, cast, wg, client):
        feed = services.calendar_feed_get_or_create(actor=cast.staff_b)
        assert get_feed(client, feed, slug="collab-b").status_code == 404

    def test_a_revoked_link_is_404(self, cast, wg, client):
        feed = services.calendar_feed_get_or_create(actor=cast.staff_b)
        services.calendar_feed_revoke(actor=cast.staff_b, feed=feed)
        assert get_feed(client, feed).status_code == 404

    def test_a_new_link_stops_the_old_one(self, cast, wg, client):
        old = services.calendar_feed_get_or_create(actor=cast.staff_b)
        new = services.calendar_feed_regenerate(actor=cast.staff_b, feed=old)
        assert new.public_id != old.public_id
        assert get_feed(client, old).status_code == 404
        assert get_feed(client, new).status_code == 200

    def test_a_person_who_left_the_collaborative_has_no_feed(self, cast, wg, client):
        feed = services.calendar_feed_get_or_create(actor=cast.staff_b)
        Member.objects.filter(pk=cast.staff_b.pk).update(is_active=False)
        assert get_feed(client, feed).status_code == 404

    def test_leaving_a_group_takes_its_gatherings_out(self, cast, wg, client):
        feed = services.calendar_feed_get_or_create(actor=cast.staff_c)
        assert str(wg.private_meeting.public_id) in get_feed(client, feed).content.decode()
        membership = wg.private.memberships.get(member=cast.staff_c)
        services.group_membership_end(actor=cast.staff_c, membership=membership)
        assert str(wg.private_meeting.public_id) not in get_feed(client, feed).content.decode()

    def test_the_feed_shows_only_the_last_six_months_and_what_is_coming(self, cast, wg, client):
        old = make_meeting(cast.backbone, wg.housing, days=-400, title="Long ago")
        feed = services.calendar_feed_get_or_create(actor=cast.staff_b)
        assert str(old.public_id) not in get_feed(client, feed).content.decode()


class TestCalendarPages:
    def url(self, name, slug="collab-a", **kw):
        return reverse(f"workgroups:{name}", kwargs={"slug": slug, **kw})

    def test_making_and_seeing_my_link(self, cast, wg, login):
        client = login(cast.community)
        response = client.post(self.url("calendar_link_create"))
        assert response.status_code == 302
        feed = CalendarFeed.objects.get(member=cast.community)
        page = client.get(self.url("calendar_links")).content.decode()
        assert feed.token() in page

    def test_making_a_group_link_from_the_group_page(self, cast, wg, login):
        client = login(cast.staff_b)
        client.post(self.url("calendar_link_create"), {"group": str(wg.housing.public_id)})
        assert CalendarFeed.objects.get(member=cast.staff_b).group == wg.housing

    def test_a_group_of_another_collaborative_is_404(self, cast, wg, login):
        response = login(cast.staff_b).post(
            self.url("calendar_link_create"), {"group": str(wg.other_group.public_id)}
        )
        assert response.status_code == 404
        assert not CalendarFeed.objects.exists()

    def test_someone_elses_link_cannot_be_changed(self, cast, wg, login):
        theirs = services.calendar_feed_get_or_create(actor=cast.staff_c)
        target = self.url("calendar_link_change", public_id=theirs.public_id)
        assert login(cast.staff_b).post(target, {"action": "revoke"}).status_code == 404
        assert CalendarFeed.objects.get(pk=theirs.pk).revoked_at is None

    def test_revoking_from_the_page(self, cast, wg, login):
        mine = services.calendar_feed_get_or_create(actor=cast.staff_b)
        target = self.url("calendar_link_change", public_id=mine.public_id)
        assert login(cast.staff_b).post(target, {"action": "revoke"}).status_code == 302
        assert CalendarFeed.objects.get(pk=mine.pk).revoked_at is not None

    def test_another_collaborative_gets_404(self, cast, wg, login):
        assert login(cast.outsider).get(self.url("calendar_links")).status_code == 404

    def test_the_links_page_of_my_own_collaborative(self, cast, wg, login):
        assert (
            login(cast.outsider).get(self.url("calendar_links", slug="collab-b")).status_code == 200
        )

    def test_anonymous_is_sent_to_sign_in(self, cast, client):
        assert client.get(self.url("calendar_links")).status_code == 302

    def test_feed_queries_do_not_grow_with_gatherings(self, cast, wg, client):
        feed = services.calendar_feed_get_or_create(actor=cast.staff_b)
        with CaptureQueriesContext(connection) as few:
            get_feed(client, feed)
        for i in range(24):
            make_meeting(cast.backbone, wg.housing, days=i + 1, title=f"G{i}")
        with CaptureQueriesContext(connection) as many:
            body = get_feed(client, feed).content.decode()
        assert body.count("BEGIN:VEVENT") == 25
        assert len(many.captured_queries) == len(few.captured_queries)


def test_times_are_utc_even_when_the_collaborative_is_not(cast, wg):
    text = calendar.render_calendar("x", [wg.meeting])
    assert "TZID" not in text
    assert all(line.endswith("Z") for line in unfold(text) if line.startswith(("DTSTART", "DTEND")))


class TestRevalidation:
    """Calendar apps and link checkers send HEAD, and revalidate with If-None-Match."""

    def test_head_answers_200_with_no_body(self, cast, wg, client):
        feed = services.calendar_feed_get_or_create(actor=cast.staff_b)
        path = get_feed(client, feed).request["PATH_INFO"]
        response = client.head(path)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        assert response.content == b""

    def test_an_unchanged_feed_answers_304_to_its_etag(self, cast, wg, client):
        feed = services.calendar_feed_get_or_create(actor=cast.staff_b)
        first = get_feed(client, feed)
        etag = first["ETag"]
        path = first.request["PATH_INFO"]
        again = client.get(path, headers={"if-none-match": etag})
        assert again.status_code == 304 and again.content == b""

        # A change the feed shows (its bytes are the ETag: a change only to the second
        # of LAST-MODIFIED could fall in the same second and rightly answer 304).
        make_meeting(cast.backbone, wg.housing, days=3, title="Added to the feed")
        changed = client.get(path, headers={"if-none-match": etag})
        assert changed.status_code == 200 and changed["ETag"] != etag

    def test_cancelling_a_gathering_raises_its_sequence(self, cast, wg, client):
        meeting = make_meeting(cast.backbone, wg.housing, days=3, title="Next month")
        before = meeting.updated_at
        services.meeting_cancel(actor=cast.backbone, meeting=meeting, reason="The room flooded")
        meeting.refresh_from_db()
        assert meeting.sequence == 1 and meeting.updated_at > before
        feed = services.calendar_feed_get_or_create(actor=cast.staff_b)
        lines = unfold(get_feed(client, feed).content.decode())
        assert "SEQUENCE:1" in lines and "STATUS:CANCELLED" in lines
        # Minutes alone do not make calendars replace their copy.
        services.meeting_record_minutes(actor=cast.backbone, meeting=meeting, minutes="Notes")
        meeting.refresh_from_db()
        assert meeting.sequence == 1
