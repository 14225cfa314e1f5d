"""Denied lookups cannot flood the append-only audit log: per person, action and kind
of object, the first ones in a window are logged one by one, the rest counted and
logged in summary (reentry/audit/log.py ``record_denied``)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reentry.audit.models import AuditEvent
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def limit(settings):
    settings.AUDIT_DENIED_PER_WINDOW = 3
    settings.AUDIT_DENIED_WINDOW = 600
    return 3


def _probe(client, cast, times: int) -> None:
    """Open another collaborative's home page ``times`` times: 404, and audited."""
    url = reverse("stakeholders:home", kwargs={"slug": cast.collab.slug})
    for _ in range(times):
        assert client.get(url).status_code == 404


def _count(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def test_a_run_of_denied_lookups_is_folded(cast, login, limit):
    _probe(login(cast.outsider), cast, 40)
    assert _count("access.not_found") == limit
    throttled = AuditEvent.objects.get(action="access.not_found.throttled")
    assert throttled.actor == cast.outsider.user
    assert throttled.details["seen_so_far"] == limit + 1
    assert throttled.details["object_type"] == "stakeholders.Collaborative"
    repeats = AuditEvent.objects.filter(action="access.not_found.repeats").order_by("id")
    # At 2, 4 and 8 times the limit (6, 12, 24); 48 is not reached.
    assert [e.details["seen_so_far"] for e in repeats] == [6, 12, 24]
    assert AuditEvent.objects.filter(action__startswith="access.").count() == limit + 1 + 3


def test_each_person_is_counted_apart(cast, login, limit):
    _probe(login(cast.outsider), cast, limit + 2)
    other = MemberFactory(collaborative=cast.other_collab)
    _probe(login(other), cast, limit)
    assert AuditEvent.objects.filter(action="access.not_found", actor=other.user).count() == limit


def test_a_new_window_logs_one_by_one_again(cast, login, limit, monkeypatch):
    client = login(cast.outsider)
    _probe(client, cast, limit + 1)
    later = timezone.now() + timedelta(seconds=600)
    monkeypatch.setattr("reentry.ratelimit.counters.timezone.now", lambda: later)
    _probe(client, cast, 1)
    assert _count("access.not_found") == limit + 1


def test_the_log_is_folded_with_redis_down(cast, login, limit, settings):
    client = login(cast.outsider)
    settings.CACHES = {
        "default": {
            "BACKEND": "reentry.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    _probe(client, cast, 10)
    assert _count("access.not_found") == limit
    assert _count("access.not_found.throttled") == 1
