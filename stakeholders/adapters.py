import hashlib
import time
from datetime import UTC, datetime
from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records

# allauth 65 keeps its rate parsing and client-address helpers here; no public twin.
from allauth.core.internal.ratelimit import Rate, get_ip, parse_rates
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.urls import reverse

from reentry.ratelimit import counters

PENDING_INVITATION_KEY = "pending_invitation_token"


class AccountAdapter(DefaultAccountAdapter):
    """After signing up or in through an invitation link, go back to that invitation.

    Failed sign-ins are also counted through ``reentry.ratelimit`` (the cache, or the
    database while Redis is down), with the rates of ``ACCOUNT_RATE_LIMITS
    ["login_failed"]``: allauth counts in the cache alone, and the resilient cache
    answers every read with a miss during an outage, which would let every password
    be tried."""

    def _pending_invitation_url(self, request) -> str | None:
        token = request.session.get(PENDING_INVITATION_KEY)
        if token:
            return reverse("invitation_accept", kwargs={"token": token})
        return None

    def get_login_redirect_url(self, request) -> str:
        return self._pending_invitation_url(request) or super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request) -> str:
        return self._pending_invitation_url(request) or super().get_signup_redirect_url(request)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth names the site from the request's host ("Hello from 127.0.0.1:8106!"):
        name it from ``SITE_NAME`` and ``SITE_URL`` instead."""
        site = SimpleNamespace(
            name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc or "localhost"
        )
        super().send_mail(template_prefix, email, {"current_site": site, **context})

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.name = form.cleaned_data.get("name", "").strip()
        language = getattr(request, "LANGUAGE_CODE", "") or "en"
        user.preferred_language = language[:2]
        if commit:
            user.save()
        return user

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Setting up a first second factor just after signing in with the password
        (where people who must have one are sent), and seeing the recovery codes it made,
        does not ask for the password again. Changes to a second factor that existed
        before this sign-in (turning it off, new codes) still do."""
        request = self.request
        if app == "allauth.mfa" and request is not None and request.user.is_authenticated:
            records = get_authentication_records(request, request.user)
            signed_in_at = records[-1].get("at", 0) if records else 0
            if time.time() - signed_in_at < account_settings.REAUTHENTICATION_TIMEOUT:
                older = Authenticator.objects.filter(
                    user=request.user,
                    created_at__lt=datetime.fromtimestamp(signed_in_at, tz=UTC),
                )
                if not older.exists():
                    return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def _login_failed_counters(self, request, **credentials) -> list[tuple[str, Rate]]:
        """One counter per rate: by client address, or by the login tried."""
        tried = self._get_login_attempts_cache_key(request, **credentials)
        digest = hashlib.sha256(tried.encode()).hexdigest()
        found = []
        for rate in parse_rates(account_settings.RATE_LIMITS.get("login_failed")):
            if rate.per == "ip":
                found.append((f"login_failed:{rate}:ip:{get_ip(request)}", rate))
            elif rate.per == "key":
                found.append((f"login_failed:{rate}:key:{digest}", rate))
        return found

    def pre_authenticate(self, request, **credentials) -> None:
        super().pre_authenticate(request, **credentials)
        for key, rate in self._login_failed_counters(request, **credentials):
            if counters.peek(key, window=int(rate.duration)) >= rate.amount:
                raise self.validation_error("too_many_login_attempts")

    def authentication_failed(self, request, **credentials) -> None:
        super().authentication_failed(request, **credentials)
        for key, rate in self._login_failed_counters(request, **credentials):
            counters.hit(key, window=int(rate.duration))

    def _delete_login_attempts_cached_email(self, request, **credentials) -> None:
        super()._delete_login_attempts_cached_email(request, **credentials)
        for key, rate in self._login_failed_counters(request, **credentials):
            if rate.per == "key":
                counters.clear(key, window=int(rate.duration))
