"""Who must sign in with a second factor, and whether they have one.

The rules are the predicates named in ``settings.MFA_REQUIRED_FOR`` (each
``predicate(user) -> bool``): this floor knows no app, so the apps that know the roles
pass their rules in by name. The answer is kept on the request, so the middleware, the
idle timeout and the pages ask the database once.
"""

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.http import HttpRequest
from django.utils.module_loading import import_string


def is_required(request: HttpRequest) -> bool:
    """True when the signed-in person holds a role that must use a second factor."""
    user = request.user
    if not user.is_authenticated:
        return False
    cached = getattr(request, "_second_factor_required", None)
    if cached is None:
        cached = any(import_string(path)(user) for path in settings.MFA_REQUIRED_FOR)
        request._second_factor_required = cached  # type: ignore[attr-defined]  # a per-request memo
    return cached


def is_set_up(request: HttpRequest) -> bool:
    """True when the signed-in person has an authenticator (recovery codes alone do not count)."""
    return request.user.is_authenticated and is_mfa_enabled(
        request.user, [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    )
