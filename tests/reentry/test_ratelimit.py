"""Rate-limit counters (reentry/ratelimit): the cache first, the database when the
cache does not answer."""

from datetime import UTC, datetime, timedelta

import pytest

from reentry.ratelimit import counters
from reentry.ratelimit.models import RateCounter
from tests.caches import clear_caches

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 10, 7, 30, tzinfo=UTC)


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "reentry.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.fixture(autouse=True)
def empty_cache():

    clear_caches()


def test_the_cache_counts_while_it_answers():
    assert [counters.hit("k", window=60, now=NOW) for _ in range(3)] == [1, 2, 3]
    assert counters.peek("k", window=60, now=NOW) == 3
    assert not RateCounter.objects.exists()


def test_the_database_counts_when_the_cache_does_not_answer(redis_down):
    assert [counters.hit("k", window=60, now=NOW) for _ in range(3)] == [1, 2, 3]
    assert counters.peek("k", window=60, now=NOW) == 3
    assert RateCounter.objects.get().count == 3


def test_a_new_window_starts_at_zero(redis_down):
    counters.hit("k", window=60, now=NOW)
    assert counters.hit("k", window=60, now=NOW + timedelta(seconds=60)) == 1
    assert counters.peek("k", window=60, now=NOW) == 1  # the last window is kept


def test_keys_are_counted_apart_and_long_keys_fit(redis_down):
    long = "x" * 500
    counters.hit(long, window=60, now=NOW)
    counters.hit(long, window=60, now=NOW)
    assert counters.hit("short", window=60, now=NOW) == 1
    assert counters.peek(long, window=60, now=NOW) == 2
    assert all(len(k) <= 200 for k in RateCounter.objects.values_list("key", flat=True))


def test_old_windows_are_dropped(redis_down):
    counters.hit("k", window=60, now=NOW - timedelta(days=2))
    counters.hit("k", window=60, now=NOW)
    assert RateCounter.objects.count() == 1


def test_clear_forgets_the_key(redis_down):
    counters.hit("k", window=60, now=NOW)
    counters.clear("k", window=60, now=NOW)
    assert counters.peek("k", window=60, now=NOW) == 0
