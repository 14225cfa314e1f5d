"""Emails about polls (workgroups/polls/notifications.py): opened, closing tomorrow (only
to those who have not voted), results. Each person at most once, only those who chose
email, in their own language, never to another collaborative."""

import zoneinfo
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone, translation
from django.utils.formats import date_format

from stakeholders.models import Member
from tests.factories import MemberFactory
from tests.reentry.mail_checks import assert_bulk_notice
from tests.workgroups.polls_world import keys, make_poll
from workgroups import services
from workgroups.models import SentReminder
from workgroups.polls import notifications as poll_notifications
from workgroups.polls import services as polls
from workgroups.polls.models import Poll
from workgroups.polls.notifications import send_poll_closing, send_poll_opened, send_poll_results
from workgroups.polls.tasks import send_poll_closing_reminders

pytestmark = pytest.mark.django_db(transaction=True)  # emails are queued on commit


def _to():
    return sorted(m.to[0] for m in mail.outbox)


def _emails(*members):
    return sorted(m.user.email for m in members)


@pytest.fixture
def housing_voters(cast, wg):
    """Housing members: staff_a (chair), community (co-chair), staff_b, who does not want
    email."""
    Member.objects.filter(pk=cast.staff_b.pk).update(contact_by_email=False)
    return cast


class TestOpened:
    def test_opening_emails_the_eligible_voters_who_chose_email(self, housing_voters, wg):
        cast = housing_voters
        make_poll(cast.backbone, wg.housing)
        assert _to() == _emails(cast.staff_a, cast.community)
        assert "Your vote, please" in mail.outbox[0].subject
        assert SentReminder.objects.filter(kind="poll_opened").count() == 2

    def test_twice_sends_nothing_more(self, housing_voters, wg):
        poll = make_poll(housing_voters.backbone, wg.housing)
        mail.outbox.clear()
        assert send_poll_opened.delay(poll.pk).get() == 0
        assert mail.outbox == []

    def test_a_collaborative_wide_poll_reaches_every_member_but_observers(self, cast, wg):
        whole = services.whole_collaborative_group(collaborative=cast.collab)
        make_poll(cast.backbone, whole, electorate=Poll.Electorate.COLLABORATIVE)
        everyone = [
            cast.backbone,
            cast.admin_a,
            cast.staff_a,
            cast.staff_b,
            cast.staff_c,
            cast.community,
        ]
        assert _to() == _emails(*everyone)
        assert cast.outsider.user.email not in _to()
        assert cast.observer.user.email not in _to()

    def test_in_the_persons_language(self, cast, wg):
        cast.community.user.preferred_language = "es"
        cast.community.user.save()
        poll = make_poll(cast.backbone, wg.housing, hours=30)
        spanish = next(m for m in mail.outbox if m.to == [cast.community.user.email])
        english = next(m for m in mail.outbox if m.to == [cast.staff_a.user.email])
        closes = poll.closes_at.astimezone(zoneinfo.ZoneInfo(cast.collab.time_zone))
        with translation.override("es"):
            dia = date_format(closes, "SHORT_DATE_FORMAT")
        with translation.override("en"):
            day = date_format(closes, "SHORT_DATE_FORMAT")
        assert dia != day
        assert dia in spanish.body and day not in spanish.body
        assert day in english.body

    def test_verified_only_polls_email_only_verified_members(self, cast, wg):
        from workgroups.verification.services import member_verify

        member_verify(actor=cast.backbone, member=cast.community)
        make_poll(cast.backbone, wg.housing, verified_voters_only=True)
        assert _to() == _emails(cast.community)


class TestClosing:
    def test_only_those_who_have_not_voted_hear(self, housing_voters, wg):
        cast = housing_voters
        Member.objects.filter(pk=cast.staff_b.pk).update(contact_by_email=True)
        poll = make_poll(cast.backbone, wg.housing, hours=20)
        polls.ballot_cast(actor=cast.staff_a, poll=poll, choices=[keys(poll)["Bus passes"]])
        mail.outbox.clear()
        assert send_poll_closing_reminders.delay().get() == 1
        assert _to() == _emails(cast.community, cast.staff_b)
        assert "Closes tomorrow" in mail.outbox[0].subject
        mail.outbox.clear()
        assert send_poll_closing.delay(poll.pk).get() == 0  # once each
        assert mail.outbox == []

    def test_a_poll_closing_later_is_not_due(self, cast, wg):
        poll = make_poll(cast.backbone, wg.housing, hours=72)
        assert poll_notifications.poll_closing_due() == []
        assert poll_notifications.poll_closing_send(poll_id=poll.pk) == 0
        later = timezone.now() + timedelta(hours=50)
        assert poll_notifications.poll_closing_due(now=later) == [poll.pk]

    def test_beat_runs_the_closing_task(self):
        entry = settings.CELERY_BEAT_SCHEDULE["poll-closing-reminders"]
        assert entry["task"] == send_poll_closing_reminders.name


class TestResults:
    def test_closing_tells_the_eligible_voters(self, housing_voters, wg):
        cast = housing_voters
        poll = make_poll(cast.backbone, wg.housing)
        polls.ballot_cast(actor=cast.community, poll=poll, choices=[keys(poll)["ID clinic"]])
        mail.outbox.clear()
        polls.poll_close(actor=cast.backbone, poll=poll)
        assert _to() == _emails(cast.staff_a, cast.community)
        assert "The results are in" in mail.outbox[0].subject
        mail.outbox.clear()
        assert send_poll_results.delay(poll.pk).get() == 0
        assert mail.outbox == []

    def test_the_email_never_says_what_anyone_chose(self, housing_voters, wg):
        cast = housing_voters
        poll = make_poll(cast.backbone, wg.housing, options=("Lockers", "Zebra crossing"))
        polls.ballot_cast(actor=cast.community, poll=poll, choices=[keys(poll)["Zebra crossing"]])
        polls.poll_close(actor=cast.backbone, poll=poll)
        assert mail.outbox
        for message in mail.outbox:
            assert "Zebra crossing" not in message.body

    def test_an_open_poll_gets_no_results_email(self, cast, wg):
        poll = make_poll(cast.backbone, wg.housing)
        mail.outbox.clear()
        assert poll_notifications.poll_results_send(poll_id=poll.pk) == 0


def test_a_person_who_left_hears_nothing(cast, wg):
    gone = MemberFactory(collaborative=cast.collab, role=Member.Role.COMMUNITY)
    from tests.workgroups.conftest import seat

    seat(wg.housing, gone)
    Member.objects.filter(pk=gone.pk).update(is_active=False)
    make_poll(cast.backbone, wg.housing)
    assert gone.user.email not in _to()


def test_each_poll_email_is_a_bulk_notice_with_one_click_unsubscribe(housing_voters, wg):
    cast = housing_voters
    poll = make_poll(cast.backbone, wg.housing, hours=20)
    opened = [m for m in mail.outbox if "Your vote, please" in m.subject]
    mail.outbox.clear()
    send_poll_closing_reminders.delay().get()
    closing = [m for m in mail.outbox if "Closes tomorrow" in m.subject]
    mail.outbox.clear()
    polls.poll_close(actor=cast.backbone, poll=poll)
    results = [m for m in mail.outbox if "The results are in" in m.subject]
    for kind in (opened, closing, results):
        assert kind
        for message in kind:
            assert_bulk_notice(message)
    # Each person's link is their own.
    assert len({m.extra_headers["List-Unsubscribe"] for m in results}) == len(results)
