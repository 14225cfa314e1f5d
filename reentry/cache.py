"""A Redis cache that degrades to a miss when Redis does not answer.

Django's RedisCache raises on a connection error, which turns a Redis outage
into 500s on every page that caches. Here reads return the default, writes are
dropped, and each failure is logged, so pages get slower, never broken. The
socket timeouts in settings (CACHES OPTIONS) bound each call to well under a second.

"Treat as a miss" is applied consistently: while Redis is down every key is
absent, so ``add`` answers True (a missing key can be added). Code that uses
``add`` as a lock, such as allauth's sign-in rate limit, then goes ahead instead
of waiting for a lock that can never be taken and refusing the sign-in. A miss is
no answer for a counter, so rate limits count through ``count()`` here, which says
when the cache could not count, and ``reentry.ratelimit`` then counts in the
database.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _fallback(name: str, on_error: Callable[[tuple, dict], Any]):
    def method(self, *args, **kwargs):
        try:
            return getattr(super(ResilientRedisCache, self), name)(*args, **kwargs)
        except (RedisError, OSError) as exc:
            logger.warning("cache %s failed, treating as a miss: %s", name, exc)
            return on_error(args, kwargs)

    method.__name__ = name
    return method


def _default(args: tuple, kwargs: dict) -> Any:
    """``get(key, default=None, version=None)``: the caller's default."""
    return kwargs.get("default", args[1] if len(args) > 1 else None)


def _keys_not_set(args: tuple, kwargs: dict) -> list:
    """``set_many`` returns the keys it could not store: all of them."""
    data = kwargs.get("data", args[0] if args else {})
    return list(data)


def _constant(value: Any) -> Callable[[tuple, dict], Any]:
    return lambda args, kwargs: value


class ResilientRedisCache(RedisCache):
    get = _fallback("get", _default)
    set = _fallback("set", _constant(None))
    add = _fallback("add", _constant(True))
    delete = _fallback("delete", _constant(False))
    touch = _fallback("touch", _constant(False))
    has_key = _fallback("has_key", _constant(False))
    get_many = _fallback("get_many", lambda args, kwargs: {})
    set_many = _fallback("set_many", _keys_not_set)
    delete_many = _fallback("delete_many", _constant(None))
    clear = _fallback("clear", _constant(False))
    incr = _fallback("incr", _constant(None))


def _raw(cache: BaseCache) -> type[BaseCache]:
    """The class whose methods raise instead of answering a miss."""
    return RedisCache if isinstance(cache, ResilientRedisCache) else type(cache)


def count(key: str, *, timeout: int, alias: str = "default") -> int | None:
    """Add one to the counter ``key`` (made to live ``timeout`` seconds when new) and
    return its value, or None when the cache could not count (Redis down)."""
    cache = caches[alias]
    raw = _raw(cache)
    try:
        raw.add(cache, key, 0, timeout)
        try:
            return int(raw.incr(cache, key))
        except ValueError:  # expired between add and incr
            raw.set(cache, key, 1, timeout)
            return 1
    except (RedisError, OSError) as exc:
        logger.warning("cache count failed: %s", exc)
        return None


def read(key: str, *, alias: str = "default") -> int | None:
    """The counter ``key`` (0 when absent), or None when the cache could not answer."""
    cache = caches[alias]
    try:
        return int(_raw(cache).get(cache, key, 0) or 0)
    except (RedisError, OSError) as exc:
        logger.warning("cache read failed: %s", exc)
        return None


def forget(key: str, *, alias: str = "default") -> bool:
    """Delete ``key``; False when the cache could not answer."""
    cache = caches[alias]
    try:
        _raw(cache).delete(cache, key)
    except (RedisError, OSError) as exc:
        logger.warning("cache delete failed: %s", exc)
        return False
    return True
