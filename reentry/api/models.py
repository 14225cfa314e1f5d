"""API tokens: an organization's system acts as the organization admin who created the token.

Only a SHA-256 hash of the token is stored, beside a short prefix that people can
recognise in the list. The full token (``rc_<prefix>_<secret>``) is shown once.
"""

import hashlib
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stakeholders.models import Member, Organization

TOKEN_PREFIX = "rc"  # noqa: S105 - the fixed start of every token, not a secret
# last_used_at is written at most this often per token: no write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def managed_by(self, member: Member) -> "ApiTokenQuerySet":
        """Organization admins: their organization's tokens. Backbone staff: every token of
        the collaborative (so they can stop one in an emergency). Everyone else: none."""
        qs = self.filter(organization__collaborative_id=member.collaborative_id)
        if not member.is_active:
            return qs.none()
        if member.role == Member.Role.BACKBONE:
            return qs
        if member.role == Member.Role.ORG_ADMIN:
            return qs.filter(organization_id=member.organization_id)
        return qs.none()

    def with_creator_status(self) -> "ApiTokenQuerySet":
        """Annotate ``creator_is_admin``: the creator is still an active admin of the
        token's organization (one EXISTS, no query per row)."""
        return self.annotate(
            creator_is_admin=Exists(
                Member.objects.filter(
                    user_id=OuterRef("created_by_id"),
                    organization_id=OuterRef("organization_id"),
                    collaborative_id=OuterRef("organization__collaborative_id"),
                    role=Member.Role.ORG_ADMIN,
                    is_active=True,
                    user__is_active=True,
                )
            )
        )

    def by_token(self, token: str) -> "ApiTokenQuerySet":
        return self.filter(token_hash=hash_token(token))


class ApiToken(models.Model):
    """A token an organization's system sends in ``Authorization: Token <token>``."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")
        CREATOR_LEFT = "creator_left", _("Stopped: its creator is no longer an admin")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("organization"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("created by"),
    )
    name = models.CharField(
        _("name"),
        max_length=100,
        help_text=_("What will use this token, e.g. “Case management system”."),
    )
    prefix = models.CharField(_("starts with"), max_length=16, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="apitoken_org_created")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.display_prefix})"

    @property
    def collaborative(self):
        return self.organization.collaborative

    @property
    def display_prefix(self) -> str:
        return f"{TOKEN_PREFIX}_{self.prefix}_…"

    def new_secret(self) -> str:
        """Set a fresh token (only its hash and prefix are kept) and return it, once."""
        self.prefix = secrets.token_hex(4)
        token = f"{TOKEN_PREFIX}_{self.prefix}_{secrets.token_urlsafe(32)}"
        self.token_hash = hash_token(token)
        return token

    def status(self, now=None) -> str:
        """Needs ``creator_is_admin`` from ``with_creator_status()``."""
        now = now or timezone.now()
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.expires_at is not None and self.expires_at <= now:
            return self.Status.EXPIRED
        if not getattr(self, "creator_is_admin", True):
            return self.Status.CREATOR_LEFT
        return self.Status.ACTIVE

    def get_status_display(self) -> str:
        return str(self.Status(self.status()).label)
