"""The API's throttles: 429 with Retry-After per token, per person and per address; and
no 500 when the cache cannot count (the request goes through, and it is logged)."""

import logging

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from reentry import cache as shared_cache
from tests.api.openapi import assert_documented
from tests.caches import clear_caches

pytestmark = pytest.mark.django_db

V1 = "/api/v1"


@pytest.fixture
def small_rates(settings):
    clear_caches()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "3/minute", "person": "2/minute", "anon": "2/minute"},
    }
    yield
    clear_caches()


def test_a_person_over_the_rate_gets_429_with_retry_after(small_rates, cast, login):
    client = login(cast.backbone)
    url = f"{V1}/collaboratives/"
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    response = client.get(url)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert_documented(response)


def test_each_person_has_their_own_budget(small_rates, cast, login, client):
    url = f"{V1}/collaboratives/"
    for _ in range(3):
        login(cast.backbone).get(url)
    client.logout()
    assert login(cast.staff_a).get(url).status_code == 200


def test_a_token_has_its_own_budget_beside_its_creators(
    small_rates, cast, make_token, token_client, login
):
    _t, plain = make_token(cast.admin_a)
    system = token_client(plain)
    url = f"{V1}/collaboratives/{cast.collab.slug}/sectors/"
    assert [system.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert "Retry-After" in system.get(url)
    assert login(cast.admin_a).get(url).status_code == 200


def test_anonymous_visitors_are_throttled_per_address(small_rates, cast, client):
    url = f"{V1}/"
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]
    assert client.get(url, REMOTE_ADDR="10.0.0.9").status_code == 200


def test_when_the_cache_cannot_count_requests_go_through_and_it_is_logged(
    small_rates, cast, login, monkeypatch, caplog
):
    def down(key, **kw):
        return None

    monkeypatch.setattr(shared_cache, "count", down)
    client = login(cast.backbone)
    with caplog.at_level(logging.WARNING, logger="reentry.api.throttling"):
        statuses = [client.get(f"{V1}/collaboratives/").status_code for _ in range(5)]
    assert statuses == [200] * 5
    assert "could not count" in caplog.text


def test_a_redis_outage_under_the_resilient_cache_is_no_500(small_rates, cast, login, monkeypatch):
    """The real path: the cache's own add/incr raise; reentry.cache.count answers None."""
    from django.core.cache.backends.locmem import LocMemCache

    def refuse(*args, **kwargs):
        raise RedisConnectionError("Redis is down")

    monkeypatch.setattr(LocMemCache, "incr", refuse)
    client = login(cast.backbone)
    assert [client.get(f"{V1}/collaboratives/").status_code for _ in range(4)] == [200] * 4
