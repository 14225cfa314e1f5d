"""Writes for API tokens: ``api_token_<verb>(*, actor, ...)``."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reentry.api.models import ApiToken
from reentry.audit.log import record
from stakeholders.models import Member


@transaction.atomic
def api_token_create(
    *, actor: Member, name: str, expires_at: datetime | None = None, request=None
) -> tuple[ApiToken, str]:
    """An organization admin creates a token for their organization. Returns the token and
    its plain text, which is never stored and cannot be shown again."""
    if not actor.is_active or actor.role != Member.Role.ORG_ADMIN or not actor.organization_id:
        raise PermissionDenied(_("Only organization admins can create API tokens."))
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("Choose a date in the future.")})
    token = ApiToken(
        organization=actor.organization,
        created_by=actor.user,
        name=name.strip(),
        expires_at=expires_at,
    )
    plain = token.new_secret()
    token.full_clean()
    token.save()
    record(
        "api_token.created",
        actor=actor.user,
        request=request,
        obj=token,
        collaborative=actor.collaborative,
        organization=str(actor.organization),
        prefix=token.prefix,
        expires_at=token.expires_at.isoformat() if token.expires_at else None,
    )
    return token, plain


@transaction.atomic
def api_token_revoke(*, actor: Member, token: ApiToken, request=None) -> ApiToken:
    """Stop a token at once. Its organization's admins and backbone staff may."""
    if not ApiToken.objects.managed_by(actor).filter(pk=token.pk).exists():
        raise PermissionDenied(_("You cannot revoke this token."))
    now = timezone.now()
    # Conditional update: two clicks (or two people) revoke it once.
    if not ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(
        revoked_at=now, revoked_by=actor.user
    ):
        raise ValidationError(_("This token was already revoked."))
    token.revoked_at, token.revoked_by = now, actor.user
    record(
        "api_token.revoked",
        actor=actor.user,
        request=request,
        obj=token,
        collaborative=actor.collaborative,
        organization=str(token.organization),
        prefix=token.prefix,
    )
    return token
