"""Clearing the caches in a test: the shared cache, and this process's own copies of
kept pages and of the front door's page versions (reentry/pagecache.py), which would
otherwise still answer for what the shared cache no longer holds."""

from django.core.cache import cache

from reentry.pagecache import forget_recent


def clear_caches() -> None:
    cache.clear()
    forget_recent()
