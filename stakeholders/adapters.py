from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
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
