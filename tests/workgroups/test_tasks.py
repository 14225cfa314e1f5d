"""Reminders and digests through Celery (workgroups/tasks.py): eager in the unit tests,
and once with a real worker against Redis. A retry sends nothing twice."""

import os
import threading
import time
from datetime import date, timedelta

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.core import mail
from django.utils import timezone

from reentry.celery import app as celery_app
from reentry.queue import enqueue
from stakeholders.models import Member
from tests.factories import MemberFactory
from tests.reentry.mail_checks import assert_bulk_notice, html_part
from tests.workgroups.conftest import make_meeting
from workgroups import services
from workgroups.models import ActionItem, Meeting, SentReminder
from workgroups.tasks import send_gathering_reminder, send_gathering_reminders, send_overdue_digests

pytestmark = pytest.mark.django_db(transaction=True)  # emails are queued on commit

WORKER_REDIS = settings.WORKER_TEST_REDIS_URL  # this worker's own (tests/settings.py)


def _redis_answers() -> bool:
    try:
        client = redis.Redis.from_url(WORKER_REDIS, socket_connect_timeout=0.5, socket_timeout=0.5)
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False


needs_redis = pytest.mark.skipif(
    not os.environ.get("REQUIRE_REDIS") and not _redis_answers(),
    reason=f"Redis does not answer at {WORKER_REDIS}; set REQUIRE_REDIS=1 to fail instead of skip",
)


@pytest.fixture
def tomorrow(cast, wg):
    """A Housing gathering 20 hours from now. Members: staff_a (chair), the community
    member (co-chair) and staff_b, who does not want email."""
    Member.objects.filter(pk=cast.staff_b.pk).update(contact_by_email=False)
    return make_meeting(cast.backbone, wg.housing, days=20 / 24, title="Beds and landlords")


def _recipients():
    return sorted(m.to[0] for m in mail.outbox)


class TestBeat:
    @pytest.mark.parametrize(
        "task",
        ["workgroups.tasks.send_gathering_reminders", "workgroups.tasks.send_overdue_digests"],
    )
    def test_beat_schedules_the_task_and_a_worker_knows_it(self, task):
        scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
        assert task in scheduled
        celery_app.loader.import_default_modules()
        assert task in celery_app.tasks


class TestGatheringReminders:
    def test_members_who_chose_email_hear_a_day_before(self, cast, wg, tomorrow):
        assert send_gathering_reminders.delay().get() == 1
        assert _recipients() == sorted([cast.staff_a.user.email, cast.community.user.email])
        message = next(m for m in mail.outbox if m.to == [cast.community.user.email])
        assert "Beds and landlords" in message.subject
        assert "Library, room B" in message.body
        assert f"{settings.SITE_URL}{tomorrow.get_absolute_url()}" in message.body
        local = tomorrow.starts_at.astimezone(timezone.get_default_timezone())
        assert local.strftime("%-I:%M") in message.body  # the time in the collaborative's zone

    def test_the_subject_keeps_an_ampersand_and_the_html_part_says_the_same(self, cast, wg):
        make_meeting(cast.backbone, wg.housing, days=20 / 24, title="housing, jobs & IDs")
        send_gathering_reminders.delay().get()
        message = mail.outbox[0]
        assert message.subject.startswith("Tomorrow: housing, jobs & IDs, ")
        assert "&amp;" not in message.subject
        assert "housing, jobs &amp; IDs" in html_part(message)

    def test_the_reminder_is_a_bulk_notice_with_one_click_unsubscribe(self, cast, wg, tomorrow):
        send_gathering_reminders.delay().get()
        for message in mail.outbox:
            assert_bulk_notice(message)

    def test_a_retry_sends_nothing_twice(self, cast, wg, tomorrow):
        assert send_gathering_reminder.delay(tomorrow.pk).get() == 2
        assert send_gathering_reminder.delay(tomorrow.pk).get() == 0
        send_gathering_reminders.delay().get()
        assert len(mail.outbox) == 2
        assert SentReminder.objects.filter(object_key=str(tomorrow.public_id)).count() == 2

    def test_someone_who_joins_after_the_reminders_gets_theirs_and_no_one_else_again(
        self, cast, wg, tomorrow, extra_member
    ):
        send_gathering_reminder.delay(tomorrow.pk).get()
        newcomer = extra_member()
        services.group_join(actor=newcomer, group=wg.housing)
        mail.outbox.clear()
        assert send_gathering_reminder.delay(tomorrow.pk).get() == 1
        assert _recipients() == [newcomer.user.email]

    def test_gatherings_further_off_or_cancelled_or_past_get_no_reminder(self, cast, wg):
        make_meeting(cast.backbone, wg.housing, days=2, title="Later")
        cancelled = make_meeting(cast.backbone, wg.housing, days=0.5, title="Off")
        Meeting.objects.filter(pk=cancelled.pk).update(status=Meeting.Status.CANCELLED)
        assert send_gathering_reminders.delay().get() == 0
        assert send_gathering_reminder.delay(wg.meeting.pk).get() == 0  # yesterday's
        assert mail.outbox == []

    def test_a_private_groups_reminder_goes_to_its_members_only(self, cast, wg):
        private = make_meeting(cast.backbone, wg.private, days=0.5, title="Case review")
        send_gathering_reminder.delay(private.pk).get()
        assert _recipients() == sorted([cast.admin_a.user.email, cast.staff_c.user.email])

    def test_no_email_to_an_inactive_member(self, cast, wg, tomorrow):
        Member.objects.filter(pk=cast.community.pk).update(is_active=False)
        send_gathering_reminder.delay(tomorrow.pk).get()
        assert _recipients() == [cast.staff_a.user.email]


class TestOverdueDigest:
    @pytest.fixture
    def items(self, cast, wg):
        def item(title, due_days, **owners):
            return services.followup_to_action_item(
                actor=cast.staff_a,
                meeting=wg.meeting,
                title=title,
                due_date=timezone.localdate() + timedelta(days=due_days),
                **owners,
            )

        return {
            "late": item("Call the landlords", -3, owner_member=cast.staff_b),
            "later": item("Draft the guide", -10, owner_member=cast.staff_b),
            "future": item("Book the hall", 5, owner_member=cast.staff_b),
            "org": item("Share bed counts", -1, owner_organization=cast.org_c),
            "done": item("Print flyers", -8, owner_member=cast.community),
        }

    def test_owners_get_one_digest_of_their_overdue_items(self, cast, items):
        ActionItem.objects.filter(pk=items["done"].pk).update(status=ActionItem.Status.DONE)
        org_c_admin = MemberFactory(
            collaborative=cast.collab, role=Member.Role.ORG_ADMIN, organization=cast.org_c
        )
        assert send_overdue_digests.delay().get() == 2
        by_recipient = {m.to[0]: m for m in mail.outbox}
        assert set(by_recipient) == {cast.staff_b.user.email, org_c_admin.user.email}
        staff_b = by_recipient[cast.staff_b.user.email]
        assert "2 action items" in staff_b.subject
        assert "Call the landlords" in staff_b.body and "Draft the guide" in staff_b.body
        assert "Book the hall" not in staff_b.body
        assert "Share bed counts" in by_recipient[org_c_admin.user.email].body

    def test_the_digest_is_a_bulk_notice_with_one_click_unsubscribe(self, cast, items):
        assert send_overdue_digests.delay().get() >= 1
        for message in mail.outbox:
            assert_bulk_notice(message)

    def test_a_second_run_in_the_same_week_sends_nothing(self, cast, items):
        first = send_overdue_digests.delay().get()
        assert first >= 1
        assert send_overdue_digests.delay().get() == 0
        assert len(mail.outbox) == first

    def test_next_week_the_digest_comes_again(self, cast, items):
        now = timezone.now()
        services.overdue_digest_send(now=now)
        mail.outbox.clear()
        assert services.overdue_digest_send(now=now + timedelta(days=7)) >= 1
        assert cast.staff_b.user.email in _recipients()

    def test_no_digest_for_someone_who_turned_email_off(self, cast, items):
        Member.objects.filter(pk=cast.staff_b.pk).update(contact_by_email=False)
        send_overdue_digests.delay().get()
        assert cast.staff_b.user.email not in _recipients()


@needs_redis
def test_a_real_worker_sends_each_reminder_once(cast, wg, tomorrow):
    """Through Redis and a Celery worker (solo pool, in a thread): the hourly task fans
    out to the gathering's task, which queues the emails; a retry of the gathering's
    task queued again through the broker sends nothing."""
    redis.Redis.from_url(WORKER_REDIS).flushdb()
    finished: list[tuple[str, object]] = []
    lock = threading.Lock()

    def on_postrun(task=None, retval=None, **kwargs):
        with lock:
            finished.append((task.name, retval))

    def wait_for(condition, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with lock:
                if condition(list(finished)):
                    return
            time.sleep(0.1)
        pytest.fail(f"the worker did not finish in {timeout}s: {finished}")

    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager
    conf.broker_url, conf.task_always_eager = WORKER_REDIS, False
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    task_postrun.connect(on_postrun, weak=False)
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            enqueue(send_gathering_reminders)
            wait_for(
                lambda done: (
                    ("workgroups.tasks.send_gathering_reminder", 2) in done
                    and sum(name == "reentry.tasks.send_email" for name, _ in done) == 2
                )
            )
            assert _recipients() == sorted([cast.staff_a.user.email, cast.community.user.email])

            enqueue(send_gathering_reminder, tomorrow.pk)  # a retry, through the broker
            wait_for(lambda done: ("workgroups.tasks.send_gathering_reminder", 0) in done)
            time.sleep(1.0)  # any email it had queued would have run by now
            assert len(mail.outbox) == 2
            assert SentReminder.objects.count() == 2
    finally:
        task_postrun.disconnect(on_postrun)
        conf.broker_url, conf.task_always_eager = saved
        celery_app._pool = None
        celery_app.amqp._producer_pool = None


def test_the_reminder_key_is_the_gatherings_local_date(cast, wg, tomorrow):
    send_gathering_reminder.delay(tomorrow.pk).get()
    local_day = tomorrow.starts_at.astimezone(timezone.get_default_timezone()).date()
    assert set(SentReminder.objects.values_list("on_date", flat=True)) == {local_day}
    assert isinstance(local_day, date)
