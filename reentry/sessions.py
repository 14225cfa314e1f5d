"""Sessions from the cache, with the database behind it (issue 18).

Django's ``cached_db`` backend: a signed-in request reads its session from the cache
(no query) and every change is written to the database first, so that while Redis is
down (the cache then answers a miss: reentry/cache.py) sessions are read from the
database and signing in still works.

One difference from Django's: a session is kept in the cache for at most
SESSION_CACHE_SECONDS, not for its whole life. When a host cannot reach Redis, a
sign-out there deletes the session from the database but cannot delete the cached copy;
once Redis answers again that copy would sign the person back in, on any host, until it
expired. Bounding the copy's life bounds that window, for one query per session every
few minutes.
"""

from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache


class _BoundedCache:
    """The session cache, with every timeout cut to SESSION_CACHE_SECONDS."""

    def __init__(self, cache: BaseCache, seconds: int):
        self._cache = cache
        self._seconds = seconds

    def _bounded(self, timeout: Any) -> int:
        if timeout is None or timeout > self._seconds:
            return self._seconds
        return timeout

    def set(self, key: str, value: Any, timeout: Any = None, version: int | None = None):
        return self._cache.set(key, value, self._bounded(timeout), version)

    async def aset(self, key: str, value: Any, timeout: Any = None, version: int | None = None):
        return await self._cache.aset(key, value, self._bounded(timeout), version)

    def __contains__(self, key: str) -> bool:
        return key in self._cache

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cache, name)


class SessionStore(CachedDBStore):
    _cache: Any

    def __init__(self, session_key: str | None = None):
        super().__init__(session_key)
        self._cache = _BoundedCache(
            caches[settings.SESSION_CACHE_ALIAS], settings.SESSION_CACHE_SECONDS
        )
