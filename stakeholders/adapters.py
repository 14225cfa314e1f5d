import hashlib

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter

# allauth 65 keeps its rate parsing and client-address helpers here; no public twin.
from allauth.core.internal.ratelimit import Rate, get_ip, parse_rates
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

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.name = form.cleaned_data.get("name", "").strip()
        language = getattr(request, "LANGUAGE_CODE", "") or "en"
        user.preferred_language = language[:2]
        if commit:
            user.save()
        return user

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
