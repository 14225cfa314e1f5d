"""``Authorization: Token rc_…`` (or ``Bearer rc_…``) for organizations' systems.

The token acts as the person who created it, only within its organization's
collaborative, and only while that person is still an active admin of the
organization. ``last_used_at`` is written at most once a minute per token.
"""

from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from reentry import rowsecurity
from reentry.api.models import LAST_USED_RESOLUTION, TOKEN_PREFIX, ApiToken

KEYWORDS = (b"token", b"bearer")


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the token as “Authorization: Token <your token>”, with no spaces in it.")
            )
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("This token is not valid.")) from None
        return self.authenticate_token(raw)

    def authenticate_token(self, raw: str):
        if not raw.startswith(f"{TOKEN_PREFIX}_"):
            raise exceptions.AuthenticationFailed(_("This token is not valid."))
        token = (
            ApiToken.objects.with_creator_status()
            .select_related("created_by", "organization")
            .by_token(raw)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("This token is not valid."))
        now = timezone.now()
        status = token.status(now)
        if status == ApiToken.Status.REVOKED:
            raise exceptions.AuthenticationFailed(
                _("This token was revoked. Ask an admin of %(org)s for a new one.")
                % {"org": token.organization.name}
            )
        if status == ApiToken.Status.EXPIRED:
            raise exceptions.AuthenticationFailed(
                _("This token expired on %(date)s. Ask an admin of %(org)s for a new one.")
                % {
                    "date": formats.date_format(token.expires_at, "DATE_FORMAT"),
                    "org": token.organization.name,
                }
            )
        if status == ApiToken.Status.CREATOR_LEFT:
            raise exceptions.AuthenticationFailed(
                _(
                    "This token stopped working because the person who created it is no "
                    "longer an admin of %(org)s. Ask a current admin for a new token."
                )
                % {"org": token.organization.name}
            )
        self._touch(token, now)
        # Row-level security: the request sees what the token's creator may see (the
        # middleware, before authentication, saw an anonymous visitor).
        rowsecurity.narrow_to(token.created_by)
        return token.created_by, token

    @staticmethod
    def _touch(token: ApiToken, now) -> None:
        """Record use at most once per LAST_USED_RESOLUTION; concurrent requests race on a
        conditional UPDATE, so at most one of them writes."""
        stale = now - LAST_USED_RESOLUTION
        if token.last_used_at is not None and token.last_used_at > stale:
            return
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at=None) | Q(last_used_at__lte=stale)
        ).update(last_used_at=now)
        token.last_used_at = now

    def authenticate_header(self, request) -> str:
        return self.keyword
