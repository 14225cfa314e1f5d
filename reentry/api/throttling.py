"""The API's throttles: per token (an organization's system), per person (signed in with a
session) and per address (anonymous visitors), each with its rate in
``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (``API_THROTTLE_*`` in the environment).
Over the rate: 429 with ``Retry-After``.

Counted in fixed windows with one atomic increment in the shared cache
(``reentry.cache.count``), so every host counts the same requests. DRF's own throttles
keep a list of timestamps that concurrent requests overwrite. When the cache does not
answer (Redis down), the request goes through and the failure is logged: a throttle
protects the service, and refusing every request because Redis is down would be the
outage it guards against.
"""

import logging
import time

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from reentry import cache as shared_cache
from reentry.api.models import ApiToken
from reentry.audit.log import client_ip

logger = logging.getLogger(__name__)


class _WindowThrottle(SimpleRateThrottle):
    cache_format = "api-throttle:%(scope)s:%(ident)s"

    def __init__(self) -> None:
        # The rate is read per request, so a changed setting applies (tests, reloads).
        self.rate = None
        self.window_end = 0.0

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        rate = self.get_rate()
        if rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(rate)
        ident = self.get_cache_key(request, view)
        if ident is None:
            return True
        now = time.time()
        window = int(now // self.duration)
        self.window_end = (window + 1) * self.duration
        counted = shared_cache.count(f"{ident}:{window}", timeout=self.duration + 60)
        if counted is None:
            logger.warning(
                "API throttle %s could not count (cache down): request let through", self.scope
            )
            return True
        return counted <= self.num_requests

    def wait(self) -> float:
        return max(1.0, self.window_end - time.time())


class TokenRateThrottle(_WindowThrottle):
    """Requests with an organization's API token, per token."""

    scope = "token"

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class PersonRateThrottle(_WindowThrottle):
    """Requests of a signed-in person (session), per person."""

    scope = "person"

    def get_cache_key(self, request, view) -> str | None:
        if isinstance(request.auth, ApiToken) or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AnonRateThrottle(_WindowThrottle):
    """Requests of people not signed in, per address."""

    scope = "anon"

    def get_cache_key(self, request, view) -> str | None:
        if request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "unknown"}
