import time
from datetime import UTC, datetime

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator
from django.urls import reverse

PENDING_INVITATION_KEY = "pending_invitation_token"


class AccountAdapter(DefaultAccountAdapter):
    """After signing up or in through an invitation link, go back to that invitation."""

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
