"""The fixed cast every view test uses (STYLE.md), and shared fixtures.

``cast`` builds two collaboratives. In collaborative A: sector S1 with
organizations A and B, sector S2 with organization C. People: a backbone staff
member, an admin and a staff member of A, a staff member of B (same sector), a
staff member of C (other sector), a community member with no organization, an
observer; and the backbone staff member of collaborative B. Anonymous is
``client`` unauthenticated.

The cast is a world (tests/worlds.py): built once for a run of tests that use it, each
test getting its own copy of the objects. ``build_cast`` is how it is built.
"""

import zlib
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import factory.random
import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import translation

from reentry.celery import app as celery_app
from reentry.pagecache import forget_recent
from stakeholders.models import Member
from tests import worlds
from tests.factories import (
    CollaborativeFactory,
    KeyAreaFactory,
    MemberFactory,
    OrganizationFactory,
    SectorFactory,
)

# The S3-compatible server and a bucket per test (moto): ``s3`` puts uploads in it.
from tests.objectstorage import s3, s3_bucket, s3_server  # noqa: F401

TESTS_DIR = Path(__file__).parent

# Tests that build a world of their own once and start first, being the longest units
# of work: the crawler seeds the demo once per module (``--dist loadscope`` keeps a
# module on one worker), the browser tests share a live server and browser per worker.
XDIST_GROUPS = {
    TESTS_DIR / "security" / "test_crawl.py": "crawl",
    TESTS_DIR / "e2e": "browser",
}


def _xdist_group(item: pytest.Item) -> str | None:
    path = Path(item.path)
    for place, group in XDIST_GROUPS.items():
        if path == place or place in path.parents:
            return group
    return None


def _django_order(item: pytest.Item) -> int:
    """pytest-django's order: per-test transactions first, then tests that commit (their
    flush empties the tables, rows from data migrations included), then no database."""
    if worlds.commits(item):
        return 1
    if item.get_closest_marker("django_db") or "db" in getattr(item, "fixturenames", ()):
        return 0
    return 2


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Keep pytest-django's order; within it, the crawler and the browser tests first (the
    longest units of work start first), then tests that use the same worlds next to each
    other."""
    items.sort(key=lambda item: (_django_order(item), _xdist_group(item) is None, worlds.key(item)))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Open the worlds this test uses before pytest-django opens its transaction."""
    worlds.prepare(item)


@contextmanager
def _test_conditions():
    """What every test runs under: tasks in-process, a fast password hasher, a cache of
    its own in memory, plain static files."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        # A shared Redis would carry allauth's sign-in rate limits from one test (and one
        # CI run) to the next.
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        yield


@pytest.fixture(scope="session")
def _worlds(django_db_setup, django_db_blocker):
    """Worlds are shared once the test database exists, and rolled back before it goes."""
    worlds.attach(django_db_blocker, _test_conditions)
    yield
    worlds.detach()


@pytest.fixture(autouse=True)
def _same_fake_data_every_run(request):
    """Seed factory_boy and Faker from the test's id, so that a test sees the same
    names, dates and choices on every run and in any order: a failure found in CI can
    be replayed, and a passing test cannot fail later on an unlucky draw."""
    factory.random.reseed_random(zlib.crc32(request.node.nodeid.encode()))


@pytest.fixture(autouse=True)
def _no_language_leaks():
    """Django's locale middleware leaves the request's language active in the test
    thread; a test after a Spanish request would otherwise read Spanish text."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _eager_celery():
    """Unit tests run tasks in-process; integration tests with a worker opt out. Each
    test starts with an empty cache (the worlds' rows keep their ids from one test to
    the next, and so would anything cached under them)."""
    with _test_conditions():
        cache.clear()
        forget_recent()  # and this process's copies of kept pages
        yield


@worlds.world()
def build_cast():
    collab = CollaborativeFactory(name="Collaborative A", slug="collab-a")
    other_collab = CollaborativeFactory(name="Collaborative B", slug="collab-b")
    s1 = SectorFactory(collaborative=collab, name="Housing", slug="housing")
    s2 = SectorFactory(collaborative=collab, name="Courts", slug="courts")
    key_area = KeyAreaFactory(collaborative=collab, name="Housing", slug="housing")
    org_a = OrganizationFactory(collaborative=collab, sector=s1, name="Org A", slug="org-a")
    org_b = OrganizationFactory(collaborative=collab, sector=s1, name="Org B", slug="org-b")
    org_c = OrganizationFactory(collaborative=collab, sector=s2, name="Org C", slug="org-c")
    other_sector = SectorFactory(collaborative=other_collab, name="Housing", slug="housing")
    org_x = OrganizationFactory(
        collaborative=other_collab, sector=other_sector, name="Org X", slug="org-x"
    )
    R = Member.Role

    def member(role, org=None, c=collab, **kw):
        return MemberFactory(collaborative=c, role=role, organization=org, **kw)

    people = SimpleNamespace(
        collab=collab,
        other_collab=other_collab,
        sector1=s1,
        sector2=s2,
        key_area=key_area,
        org_a=org_a,
        org_b=org_b,
        org_c=org_c,
        org_x=org_x,
        backbone=member(R.BACKBONE),
        admin_a=member(R.ORG_ADMIN, org_a),
        staff_a=member(R.PROVIDER_STAFF, org_a),
        staff_b=member(R.PROVIDER_STAFF, org_b),
        staff_c=member(R.PROVIDER_STAFF, org_c),
        community=member(R.COMMUNITY),
        observer=member(R.OBSERVER),
        outsider=member(R.BACKBONE, org_x, c=other_collab),
    )
    return people


@pytest.fixture
def cast(request, db, _worlds):
    return worlds.get(request, "cast")


@pytest.fixture
def login(client):
    """``login(member)`` signs that member's person in on the test client."""

    def _login(member):
        client.force_login(member.user)
        return client

    return _login


@pytest.fixture
def count_queries():
    """``count_queries(client, url)``: how many queries one GET runs (asserting a 200).
    ``count_queries.page`` is the text of the page it fetched last: a test of "the same
    queries with 1 row and with 25" checks there that the 25 rows were on it."""

    def _count(client, url, **params):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, params)
        assert response.status_code == 200, response.status_code
        _count.page = response.content.decode()
        return len(ctx.captured_queries)

    _count.page = ""
    return _count
