"""The fixed cast every view test uses (STYLE.md), and shared fixtures.

``cast`` builds two collaboratives. In collaborative A: sector S1 with
organizations A and B, sector S2 with organization C. People: a backbone staff
member, an admin and a staff member of A, a staff member of B (same sector), a
staff member of C (other sector), a community member with no organization, an
observer; and the backbone staff member of collaborative B. Anonymous is
``client`` unauthenticated.
"""

import zlib
from types import SimpleNamespace

import factory.random
import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from reentry.celery import app as celery_app
from stakeholders.models import Member
from tests.factories import (
    CollaborativeFactory,
    KeyAreaFactory,
    MemberFactory,
    OrganizationFactory,
    SectorFactory,
)


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
def _eager_celery(settings):
    """Unit tests run tasks in-process; integration tests with a worker opt out."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Each test gets its own empty cache: a shared Redis would carry allauth's sign-in
    # rate limits from one test (and one CI run) to the next.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Local-memory caches of one name share their data across instances: empty it.
    caches["default"].clear()
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    yield


@pytest.fixture
def cast(db):
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
def login(client):
    """``login(member)`` signs that member's person in on the test client."""

    def _login(member):
        client.force_login(member.user)
        return client

    return _login


@pytest.fixture
def count_queries():
    """``count_queries(client, url)``: how many queries one GET runs (asserting a 200)."""

    def _count(client, url, **params):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, params)
        assert response.status_code == 200, response.status_code
        return len(ctx.captured_queries)

    return _count
