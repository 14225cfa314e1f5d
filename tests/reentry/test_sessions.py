"""Sessions from the cache with the database behind it (reentry/sessions.py, issue 18):
a signed-in request runs no session query while the cache works, and signing in and
signed-in pages still work while Redis is down."""

from unittest import mock

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reentry.sessions import SessionStore
from tests.factories import TEST_PASSWORD

CLOSED_PORT = "redis://127.0.0.1:1/0"


def _organizations(cast) -> str:
    return reverse("stakeholders:organizations", kwargs={"slug": cast.collab.slug})


def _session_queries(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if "django_session" in q["sql"]]


def test_a_signed_in_request_runs_no_session_query(cast, client):
    response = client.post(
        reverse("account_login"), {"login": cast.staff_a.user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    client.get(_organizations(cast))  # the first page after signing in
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(_organizations(cast))
    assert response.status_code == 200
    assert response.wsgi_request.user == cast.staff_a.user
    assert _session_queries(ctx) == []
    # The session is in the database as well, for when the cache is gone.
    assert Session.objects.filter(session_key=client.session.session_key).exists()


def test_with_the_cache_emptied_the_session_is_read_from_the_database(cast, client):
    client.force_login(cast.staff_a.user)
    caches["default"].clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(_organizations(cast))
    assert response.status_code == 200
    assert response.wsgi_request.user == cast.staff_a.user
    assert len(_session_queries(ctx)) == 1
    with CaptureQueriesContext(connection) as ctx:  # and it is in the cache again
        client.get(_organizations(cast))
    assert _session_queries(ctx) == []


class TestRedisDown:
    @pytest.fixture(autouse=True)
    def redis_down(self, settings):
        settings.CACHES = {
            "default": {
                "BACKEND": "reentry.cache.ResilientRedisCache",
                "LOCATION": CLOSED_PORT,
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            }
        }

    def test_signing_in_and_a_signed_in_page_work(self, cast, client):
        response = client.post(
            reverse("account_login"),
            {"login": cast.staff_a.user.email, "password": TEST_PASSWORD},
        )
        assert response.status_code == 302, response.content[:2000]
        key = client.cookies["sessionid"].value
        stored = Session.objects.get(session_key=key).get_decoded()
        assert stored[SESSION_KEY] == str(cast.staff_a.user.pk)
        response = client.get(_organizations(cast))
        assert response.status_code == 200
        assert response.wsgi_request.user == cast.staff_a.user

    def test_signing_out_ends_the_session(self, cast, client):
        client.post(
            reverse("account_login"),
            {"login": cast.staff_a.user.email, "password": TEST_PASSWORD},
        )
        key = client.cookies["sessionid"].value
        assert client.post(reverse("account_logout")).status_code == 302
        assert not Session.objects.filter(session_key=key).exists()
        response = client.get(_organizations(cast))
        assert not response.wsgi_request.user.is_authenticated

    def test_the_second_factor_rules_hold_and_are_remembered_in_the_database(
        self, settings, cast, client
    ):
        settings.MFA_ENFORCE = True
        settings.SESSION_IDLE_TIMEOUT = 1800
        client.force_login(cast.backbone.user)
        for _ in range(2):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(_organizations(cast))
            assert response["Location"] == "/accounts/2fa/totp/activate/"
        # The second time, from the session read from the database: no role query.
        assert [q for q in ctx.captured_queries if "stakeholders_member" in q["sql"]] == []
        stored = Session.objects.get(session_key=client.cookies["sessionid"].value)
        assert stored.get_decoded()["second_factor_required"]["required"] is True


def test_a_session_stays_in_the_cache_a_few_minutes_at_most(db, settings):
    """A copy the cache kept while a sign-out could not delete it expires soon."""
    settings.SESSION_CACHE_SECONDS = 120
    store = SessionStore()
    store["k"] = 1
    store.set_expiry(60 * 60 * 24 * 14)
    cache = caches["default"]
    with mock.patch.object(cache, "set", wraps=cache.set) as spy:
        store.save()
    assert spy.call_args.args[2] == 120
    store.set_expiry(30)
    with mock.patch.object(cache, "set", wraps=cache.set) as spy:
        store.save()
    assert spy.call_args.args[2] == 30
