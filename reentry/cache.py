"""A Redis cache that degrades to a miss when Redis does not answer.

Django's RedisCache raises on a connection error, which turns a Redis outage
into 500s on every page that caches. Here reads return the default, writes are
dropped, and each failure is logged, so pages get slower, never broken.
"""

import logging
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _fallback(name: str, default_from: str | None = None, value: Any = None):
    def method(self, *args, **kwargs):
        try:
            return getattr(super(ResilientRedisCache, self), name)(*args, **kwargs)
        except (RedisError, OSError) as exc:
            logger.warning("cache %s failed, treating as a miss: %s", name, exc)
            if default_from == "default":
                return kwargs.get("default", args[1] if len(args) > 1 else None)
            return value

    method.__name__ = name
    return method


class ResilientRedisCache(RedisCache):
    get = _fallback("get", default_from="default")
    set = _fallback("set", value=None)
    add = _fallback("add", value=False)
    delete = _fallback("delete", value=False)
    touch = _fallback("touch", value=False)
    has_key = _fallback("has_key", value=False)
    get_many = _fallback("get_many", value={})
    set_many = _fallback("set_many", value=[])
    delete_many = _fallback("delete_many", value=None)
    clear = _fallback("clear", value=False)
    incr = _fallback("incr", value=None)
