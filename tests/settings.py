"""Test settings: the project's, plus the test-only shareable app (tests/sharingapp).

Under pytest-xdist each worker (``gw0``, ``gw1``, ...) has its own PostgreSQL database
(pytest-django appends the worker's name to the test database's) and its own Redis
databases: every Redis URL below has its database number raised by the worker's index.
With the defaults, up to three workers never share one (REDIS_URL's 0-2, the real-Redis
tests' 3-5, the Celery worker test's 9-11).
"""

import os
from urllib.parse import urlsplit, urlunsplit

from reentry.settings import *  # noqa: F403
from reentry.settings import CACHES, CELERY_BROKER_URL, INSTALLED_APPS, REDIS_URL

INSTALLED_APPS = [*INSTALLED_APPS, "tests.sharingapp"]
ROOT_URLCONF = "tests.urls"

WORKER_INDEX = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))


def worker_redis_url(url: str) -> str:
    """``url`` with its Redis database number raised by this worker's index."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        return url
    number = int(parts.path.strip("/") or 0) + WORKER_INDEX
    return urlunsplit(parts._replace(path=f"/{number}"))


if REDIS_URL:
    REDIS_URL = worker_redis_url(REDIS_URL)
    CACHES = {"default": {**CACHES["default"], "LOCATION": REDIS_URL}}
CELERY_BROKER_URL = worker_redis_url(CELERY_BROKER_URL)

# The tests that need a real Redis: the cache and broker resilience tests
# (tests/reentry/test_resilience.py) and the real Celery worker, which empties its
# database before it starts (tests/workgroups/test_tasks.py).
TEST_REDIS_URL = worker_redis_url(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/3"))
WORKER_TEST_REDIS_URL = worker_redis_url(
    os.environ.get("WORKER_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
)

# The API's throttles stay out of the way; the throttling tests set small rates themselves.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {
        "token": "100000/minute",
        "person": "100000/minute",
        "anon": "100000/minute",
    },
}

# Most tests sign backbone staff and admins in with force_login: tests that are about the
# second factor or the idle timeout turn these on themselves.
MFA_ENFORCE = False
SESSION_IDLE_TIMEOUT = 0

# On PostgreSQL, the same backend with a flush that costs little when most tables are
# empty, and test databases cloned from a migrated template (tests/postgresql).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"]["ENGINE"] = "tests.postgresql"  # noqa: F405
    # The tests connect as this role, neither a superuser nor the tables' owner, so that
    # row-level security holds for them as in production (tests/postgresql/creation.py).
    # Empty: the login of DATABASE_URL throughout (a superuser passes every policy).
    _app_role = os.environ.get("TEST_DATABASE_APP_ROLE", "")
    if _app_role:
        DATABASES["default"].setdefault("TEST", {})["APP_ROLE"] = _app_role  # noqa: F405
