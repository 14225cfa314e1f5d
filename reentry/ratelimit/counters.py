"""Fixed-window counters: the shared cache first, the database when the cache cannot
answer.

A limit that counts in the cache alone is no limit while Redis is down (the resilient
cache answers every read with a miss), so ``hit`` falls back to a row per key and
window in ``RateCounter``, incremented with one ``UPDATE ... SET count = count + 1``
inside a transaction: concurrent requests on any host count each other. The fallback
only starts counting when the cache fails, so a window that straddles the start of an
outage may let up to twice the limit through; the limit holds after that.
"""

import hashlib
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from reentry import cache as shared_cache
from reentry.ratelimit.models import RateCounter

MAX_KEY = 200


def _key(key: str) -> str:
    """Keys are stored as given when short, else as a digest (an email address or a
    long action name never overflows the column)."""
    key = f"rl:{key}"
    if len(key) <= MAX_KEY:
        return key
    return "rl:sha256:" + hashlib.sha256(key.encode()).hexdigest()


def window_start(window: int, now: datetime | None = None) -> datetime:
    """The start of the fixed window of ``window`` seconds that holds ``now``."""
    moment = (now or timezone.now()).timestamp()
    return datetime.fromtimestamp(moment - moment % window, tz=UTC)


def _cache_key(key: str, start: datetime) -> str:
    return f"{_key(key)}:{int(start.timestamp())}"


def hit(key: str, *, window: int, now: datetime | None = None) -> int:
    """Count one hit on ``key`` in the current window of ``window`` seconds and return
    the hits so far in it, this one included."""
    start = window_start(window, now)
    counted = shared_cache.count(_cache_key(key, start), timeout=window + 60)
    if counted is not None:
        return counted
    return _db_hit(_key(key), start)


def peek(key: str, *, window: int, now: datetime | None = None) -> int:
    """The hits on ``key`` so far in the window that holds ``now`` (none added). While
    the cache answers it is the cache's count, else the database's."""
    start = window_start(window, now)
    counted = shared_cache.read(_cache_key(key, start))
    if counted is not None:
        return counted
    row = RateCounter.objects.filter(key=_key(key), window_start=start).first()
    return row.count if row is not None else 0


def clear(key: str, *, window: int, now: datetime | None = None) -> None:
    """Forget the hits on ``key`` in the current window, in the cache and the database."""
    start = window_start(window, now)
    shared_cache.forget(_cache_key(key, start))
    RateCounter.objects.filter(key=_key(key)).delete()


def _db_hit(key: str, start: datetime) -> int:
    with transaction.atomic():
        updated = RateCounter.objects.filter(key=key, window_start=start).update(
            count=F("count") + 1
        )
        if not updated:
            try:
                with transaction.atomic():
                    RateCounter.objects.create(key=key, window_start=start, count=1)
            except IntegrityError:  # another request made the row first
                RateCounter.objects.filter(key=key, window_start=start).update(count=F("count") + 1)
        count = RateCounter.objects.get(key=key, window_start=start).count
    # A key's windows of more than a day ago are of no use to anyone: drop them.
    RateCounter.objects.filter(key=key, window_start__lt=start - timedelta(days=1)).delete()
    return count
