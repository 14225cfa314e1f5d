"""Who must sign in with a second factor, and whether they have one.

The rules are the predicates named in ``settings.MFA_REQUIRED_FOR`` (each
``predicate(user) -> bool``): this floor knows no app, so the apps that know the roles
pass their rules in by name.

The answer costs one or two queries (the person's memberships), and the idle timeout asks
on every signed-in request, so it is remembered twice: on the request (the middleware,
the idle timeout and the pages ask once) and in the session for
``SECOND_FACTOR_RECHECK_SECONDS`` (issue 18: a signed-in request runs no role query). A
role is given in many places (an invitation, a join request, staff changing a member, the
Django admin), most of them by someone else, so no one hook can reach the person's
session: someone who gains a role that needs a second factor is asked for one within
that bound at most (at once when they accept an invitation themselves, or sign in
again). A remembered "required" for someone who lost the role only keeps the idle
timeout and the push to set one up for as long; the session is kept on the server, so
nobody can write their own answer into it.
"""

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.http import HttpRequest
from django.utils.module_loading import import_string

SESSION_KEY = "second_factor_required"


def is_required(request: HttpRequest) -> bool:
    """True when the signed-in person holds a role that must use a second factor."""
    user = request.user
    if not user.is_authenticated:
        return False
    cached = getattr(request, "_second_factor_required", None)
    if cached is None:
        cached = _remembered(request)
        if cached is None:
            cached = any(import_string(path)(user) for path in settings.MFA_REQUIRED_FOR)
            _remember(request, cached)
        request._second_factor_required = cached  # type: ignore[attr-defined]  # a per-request memo
    return cached


def forget(request: HttpRequest) -> None:
    """Ask again on the next question: the person's own roles changed in this request."""
    if hasattr(request, "_second_factor_required"):
        del request._second_factor_required
    session = getattr(request, "session", None)
    if session is not None and SESSION_KEY in session:
        del session[SESSION_KEY]


def _remembered(request: HttpRequest) -> bool | None:
    """The answer the session holds for this person, if it is recent enough."""
    session = getattr(request, "session", None)
    entry = session.get(SESSION_KEY) if session is not None else None
    if not isinstance(entry, dict):
        return None
    user, required, at = entry.get("user"), entry.get("required"), entry.get("at")
    if user != request.user.pk or not isinstance(required, bool) or not isinstance(at, int):
        return None
    age = int(time.time()) - at
    if age < 0 or age >= settings.SECOND_FACTOR_RECHECK_SECONDS:
        return None
    return required


def _remember(request: HttpRequest, required: bool) -> None:
    session = getattr(request, "session", None)
    if session is None or settings.SECOND_FACTOR_RECHECK_SECONDS <= 0:
        return
    session[SESSION_KEY] = {"user": request.user.pk, "required": required, "at": int(time.time())}


def is_set_up(request: HttpRequest) -> bool:
    """True when the signed-in person has an authenticator (recovery codes alone do not count)."""
    return request.user.is_authenticated and is_mfa_enabled(
        request.user, [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    )
