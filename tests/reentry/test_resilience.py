"""Working when Redis is down: the cache degrades to a miss, a page that queues a
task still succeeds and the task waits in the database outbox until the broker
answers (issue 3). The broker and the cache are pointed at a closed port."""

import json
import os
import socket
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from reentry.cache import ResilientRedisCache
from reentry.celery import app as celery_app
from reentry.outbox import services as outbox_services
from reentry.outbox.models import OutboxMessage
from reentry.outbox.services import outbox_flush, outbox_store
from reentry.outbox.tasks import flush_outbox as flush_outbox_task
from reentry.queue import enqueue
from reentry.tasks import send_email
from stakeholders.models import Member
from tests.factories import TEST_PASSWORD

CLOSED_PORT = "redis://127.0.0.1:1/0"
REAL_REDIS = settings.TEST_REDIS_URL  # this worker's own (tests/settings.py)
SEND_EMAIL = "reentry.tasks.send_email"
DEFAULT_QUEUE = settings.CELERY_TASK_DEFAULT_QUEUE


def _redis_answers() -> bool:
    try:
        return bool(
            redis.Redis.from_url(REAL_REDIS, socket_connect_timeout=0.5, socket_timeout=0.5).ping()
        )
    except (redis.RedisError, OSError):
        return False


needs_redis = pytest.mark.skipif(
    not os.environ.get("REQUIRE_REDIS") and not _redis_answers(),
    reason=f"Redis does not answer at {REAL_REDIS}; set REQUIRE_REDIS=1 to fail instead of skip",
)


def _forget_broker_pools() -> None:
    # Celery caches its connection and producer pools for the broker URL it first
    # saw; drop them so the next publish connects to the URL set now.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def broker_at(url: str):
    """Send tasks to the broker at ``url`` (not eagerly) for the duration."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager
    conf.broker_url, conf.task_always_eager = url, False
    _forget_broker_pools()
    try:
        yield
    finally:
        conf.broker_url, conf.task_always_eager = saved
        _forget_broker_pools()


@contextmanager
def hanging_server():
    """A port that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    try:
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    finally:
        server.close()


def _cache(location: str, prefix: str = "resilience-test") -> ResilientRedisCache:
    return ResilientRedisCache(
        location,
        {
            "KEY_PREFIX": prefix,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    )


def _timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


class TestCacheWhenRedisIsDown:
    @pytest.mark.parametrize(
        ("name", "call", "expected"),
        [
            ("get", lambda c: c.get("k", "fallback"), "fallback"),
            ("get_or_set", lambda c: c.get_or_set("k", "computed"), "computed"),
            ("set", lambda c: c.set("k", 1), None),
            ("add", lambda c: c.add("k", 1), True),
            ("delete", lambda c: c.delete("k"), False),
            ("has_key", lambda c: c.has_key("k"), False),
            ("get_many", lambda c: c.get_many(["a", "b"]), {}),
            ("set_many", lambda c: c.set_many({"a": 1, "b": 2}), ["a", "b"]),
            ("incr", lambda c: c.incr("k"), None),
        ],
    )
    def test_each_call_answers_like_a_miss_within_a_second(self, name, call, expected):
        result, elapsed = _timed(lambda: call(_cache(CLOSED_PORT)))
        assert result == expected
        assert elapsed < 1.0, f"{name} took {elapsed:.2f}s"

    def test_a_redis_that_never_answers_times_out_within_a_second(self):
        with hanging_server() as url:
            result, elapsed = _timed(lambda: _cache(url).get("k", "fallback"))
        assert result == "fallback"
        assert elapsed < 1.0

    def test_the_failure_is_logged(self, caplog):
        _cache(CLOSED_PORT).get("k")
        assert "treating as a miss" in caplog.text

    def test_sign_in_works_and_pages_render_with_the_cache_down(self, cast, client, settings):
        # allauth's sign-in rate limit takes a lock in the cache (cache.add).
        settings.CACHES = {
            "default": {
                "BACKEND": "reentry.cache.ResilientRedisCache",
                "LOCATION": CLOSED_PORT,
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            }
        }
        assert client.get(reverse("account_login")).status_code == 200
        response, elapsed = _timed(
            lambda: client.post(
                reverse("account_login"),
                {"login": cast.staff_a.user.email, "password": TEST_PASSWORD},
            )
        )
        assert response.status_code == 302, response.content[:2000]
        assert elapsed < 3.0
        page = client.get(reverse("stakeholders:organizations", kwargs={"slug": cast.collab.slug}))
        assert page.status_code == 200


class TestRateLimitsWhenRedisIsDown:
    """A limit that counts in the cache alone is no limit during an outage: the
    counters fall back to the database (reentry/ratelimit)."""

    @pytest.fixture(autouse=True)
    def redis_down(self, settings):
        settings.CACHES = {
            "default": {
                "BACKEND": "reentry.cache.ResilientRedisCache",
                "LOCATION": CLOSED_PORT,
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            }
        }

    def test_the_sixth_wrong_password_is_refused(self, cast, client):
        email = cast.staff_a.user.email
        for _ in range(5):
            response = client.post(reverse("account_login"), {"login": email, "password": "no"})
            assert response.status_code == 200
            assert "too many failed login attempts" not in response.text.lower()
        response = client.post(
            reverse("account_login"), {"login": email, "password": TEST_PASSWORD}
        )
        assert response.status_code == 200  # refused, even with the right password
        assert "too many failed login attempts" in response.text.lower()
        assert "_auth_user_id" not in client.session

    def test_a_successful_sign_in_is_not_counted(self, cast, client):
        email = cast.staff_a.user.email
        for _ in range(6):
            response = client.post(
                reverse("account_login"), {"login": email, "password": TEST_PASSWORD}
            )
            assert response.status_code == 302
            client.logout()


@needs_redis
class TestCacheWithRedisUp:
    def test_the_real_redis_works_normally(self):
        cache = _cache(REAL_REDIS, prefix=f"resilience-{uuid.uuid4().hex}")
        try:
            assert cache.get("k", "fallback") == "fallback"
            cache.set("k", {"n": 1})
            assert cache.get("k") == {"n": 1}
            assert cache.add("k", "other") is False
            assert cache.add("new", 5) is True
            assert cache.incr("new") == 6
            assert cache.get_many(["k", "new"]) == {"k": {"n": 1}, "new": 6}
            assert cache.delete("k") is True
            assert cache.get("k") is None
        finally:
            cache.delete_many(["k", "new"])


def _invite(client, cast, email: str):
    return client.post(
        reverse("stakeholders:invitations", kwargs={"slug": cast.collab.slug}),
        {"email": email, "name": "Ana", "role": Member.Role.COMMUNITY, "message": ""},
    )


def _queued_messages(client: redis.Redis, email: str) -> list[bytes]:
    """Raw messages in the default queue (where emails go) for a send_email task to
    ``email``."""
    found = []
    for raw in client.lrange(DEFAULT_QUEUE, 0, -1):
        headers = json.loads(raw).get("headers", {})
        if headers.get("task") == SEND_EMAIL and email in headers.get("kwargsrepr", ""):
            found.append(raw)
    return found


@pytest.mark.django_db(transaction=True)
class TestBrokerDown:
    """``transaction=True``: on-commit callbacks run inside the request, as in production."""

    def test_a_page_that_queues_a_task_succeeds_fast_and_keeps_the_task(self, cast, login, caplog):
        client = login(cast.backbone)
        with broker_at(CLOSED_PORT):
            response, elapsed = _timed(lambda: _invite(client, cast, "ana@example.org"))
        assert response.status_code == 302
        assert elapsed < 3.0, f"the page took {elapsed:.2f}s with the broker down"
        kept = OutboxMessage.objects.get()
        assert kept.task_name == SEND_EMAIL
        assert kept.kwargs["to"] == ["ana@example.org"]
        assert kept.kwargs["subject"] == "You are invited to join Collaborative A"
        assert kept.attempts == 1
        assert "Connection refused" in kept.last_error
        assert "kept in the outbox" in caplog.text

    @needs_redis
    def test_the_kept_task_reaches_the_broker_once_it_answers(self, cast, login):
        client = login(cast.backbone)
        email = f"ana-{uuid.uuid4().hex[:8]}@example.org"
        with broker_at(CLOSED_PORT):
            assert _invite(client, cast, email).status_code == 302
        assert OutboxMessage.objects.count() == 1
        queue = redis.Redis.from_url(REAL_REDIS)
        try:
            with broker_at(REAL_REDIS):
                call_command("flush_outbox", stdout=open(os.devnull, "w"))  # noqa: SIM115
            assert len(_queued_messages(queue, email)) == 1
            assert not OutboxMessage.objects.exists()
        finally:
            for raw in _queued_messages(queue, email):
                queue.lrem(DEFAULT_QUEUE, 0, raw)

    @needs_redis
    def test_with_the_broker_up_the_task_goes_straight_to_it(self, cast, login):
        client = login(cast.backbone)
        email = f"ben-{uuid.uuid4().hex[:8]}@example.org"
        queue = redis.Redis.from_url(REAL_REDIS)
        try:
            with broker_at(REAL_REDIS):
                assert _invite(client, cast, email).status_code == 302
            assert len(_queued_messages(queue, email)) == 1
            assert not OutboxMessage.objects.exists()
        finally:
            for raw in _queued_messages(queue, email):
                queue.lrem(DEFAULT_QUEUE, 0, raw)

    def test_nothing_is_sent_or_kept_when_the_transaction_rolls_back(self, cast):
        with broker_at(CLOSED_PORT), pytest.raises(RuntimeError), transaction.atomic():
            enqueue(send_email, to=["x@example.org"], subject="s", body="b")
            raise RuntimeError
        assert not OutboxMessage.objects.exists()


def _keep(**fields) -> OutboxMessage:
    message = outbox_store(
        task_name=SEND_EMAIL,
        args=[],
        kwargs={"to": ["kept@example.org"], "subject": "s", "body": "b"},
        error=ConnectionError("down"),
    )
    if fields:
        OutboxMessage.objects.filter(pk=message.pk).update(**fields)
        message.refresh_from_db()
    return message


@pytest.mark.django_db
class TestFlush:
    def test_while_the_broker_is_still_down_the_task_stays_and_the_attempt_counts(self):
        kept = _keep()
        with broker_at(CLOSED_PORT):
            assert outbox_flush() == 0
        kept.refresh_from_db()
        assert kept.attempts == 2
        assert "Connection refused" in kept.last_error
        assert kept.claimed_at is None and kept.claim is None

    def test_a_task_claimed_by_another_sender_is_left_alone(self):
        kept = _keep(claimed_at=timezone.now(), claim=uuid.uuid4())
        with broker_at(CLOSED_PORT):
            assert outbox_flush() == 0
        after = OutboxMessage.objects.get(pk=kept.pk)
        assert after.attempts == 1  # never tried
        assert after.claim == kept.claim

    def test_two_senders_never_send_one_task_twice(self, monkeypatch):
        first, second = _keep(), _keep()
        sent: list[int] = []
        nested: list[int] = []

        def publish(task_name, args, kwargs, **options):
            sent.append(len(sent))
            if len(sent) == 1:
                # Another worker flushes while this one is mid-way: it finds nothing.
                nested.append(outbox_flush())
            return "task-id"

        monkeypatch.setattr(outbox_services, "publish", publish)
        assert outbox_flush() == 2
        assert nested == [0]
        assert len(sent) == 2
        assert not OutboxMessage.objects.filter(pk__in=[first.pk, second.pk]).exists()

    def test_a_claim_left_by_a_sender_that_died_is_taken_over(self, monkeypatch):
        stale = timezone.now() - outbox_services.CLAIM_EXPIRES - timedelta(minutes=1)
        _keep(claimed_at=stale, claim=uuid.uuid4())
        monkeypatch.setattr(outbox_services, "publish", lambda *a, **k: "task-id")
        assert outbox_flush() == 1
        assert not OutboxMessage.objects.exists()

    def test_with_eager_tasks_a_kept_task_runs_in_process(self):
        _keep()
        assert outbox_flush() == 1
        assert mail.outbox[-1].to == ["kept@example.org"]
        assert not OutboxMessage.objects.exists()

    def test_flush_runs_every_minute_from_beat(self, settings):
        entry = next(
            e
            for e in settings.CELERY_BEAT_SCHEDULE.values()
            if e["task"] == "reentry.outbox.tasks.flush_outbox"
        )
        assert entry["schedule"] <= 60
        assert entry["task"] == flush_outbox_task.name


@pytest.mark.django_db
def test_with_eager_tasks_enqueue_runs_the_task_on_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(send_email, to=["now@example.org"], subject="s", body="b")
        assert mail.outbox == []
    assert mail.outbox[-1].to == ["now@example.org"]
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_the_admin_lists_waiting_tasks_read_only(admin_client):
    _keep()
    response = admin_client.get(reverse("admin:outbox_outboxmessage_changelist"))
    assert response.status_code == 200
    assert SEND_EMAIL in response.content.decode()
    assert admin_client.get(reverse("admin:outbox_outboxmessage_add")).status_code == 403
