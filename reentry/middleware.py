import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from reentry import rowsecurity, second_factor


class PreferredLanguageMiddleware:
    """Use a signed-in person's saved language when their browser has no choice yet.

    LocaleMiddleware reads the language cookie; on a new device there is none, so the
    account's preferred_language is applied and remembered in the cookie.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None:
            return self.get_response(request)
        adopt = (
            user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and user.preferred_language in dict(settings.LANGUAGES)
        )
        if adopt:
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = user.preferred_language
        response = self.get_response(request)
        # A view that set the cookie itself (the language switcher, the settings page)
        # made a new choice: keep it.
        if adopt and settings.LANGUAGE_COOKIE_NAME not in response.cookies:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                user.preferred_language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
            )
        return response


class RejectNulBytesMiddleware:
    """A NUL byte in the address (``?q=%00``) is never a real link: answer 400.

    PostgreSQL cannot store or compare text holding one, so any search, filter or audit
    entry that used it failed with a 500; forms already refuse it (Django's CharField)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or "\x00" in value
            for key, values in request.GET.lists()
            for value in values
        ):
            return render(request, "400.html", status=400)
        return self.get_response(request)


class IdleTimeoutMiddleware:
    """Sign out people who must use a second factor after SESSION_IDLE_TIMEOUT seconds
    without a request. The time of the last request is kept in the session, rewritten at
    most once a minute so that browsing does not write the session on every page."""

    SESSION_KEY = "last_activity"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = settings.SESSION_IDLE_TIMEOUT
        if timeout and request.user.is_authenticated and second_factor.is_required(request):
            now = int(time.time())
            last = request.session.get(self.SESSION_KEY)
            if isinstance(last, int) and now - last > timeout:
                logout(request)
                messages.info(
                    request,
                    _("You were signed out after %(minutes)d minutes without activity.")
                    % {"minutes": max(1, timeout // 60)},
                )
                return _redirect(request, redirect_to_login(request.get_full_path()).url)
            if not isinstance(last, int) or now - last >= 60:
                request.session[self.SESSION_KEY] = now
        return self.get_response(request)


class SecondFactorRequiredMiddleware:
    """Send a signed-in person who must use a second factor, and has none, to set one up.

    Only the set-up pages themselves (and signing out, confirming an email address,
    changing the language) stay open until then. MFA_ENFORCE turns this on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.MFA_ENFORCE
            and request.user.is_authenticated
            and not request.path_info.startswith(_open_paths())
            and second_factor.is_required(request)
            and not second_factor.is_set_up(request)
        ):
            messages.warning(
                request,
                _(
                    "Your role here lets you see and change other people's information, so "
                    "your account needs a second step at sign-in. Set up an authenticator "
                    "app to continue."
                ),
            )
            return _redirect(request, reverse("mfa_activate_totp"))
        return self.get_response(request)


def _open_paths() -> tuple[str, ...]:
    """Paths a person who still has to set up a second factor may open."""
    return (
        reverse("mfa_index"),  # the set-up pages, recovery codes, re-entering the password
        reverse("account_reauthenticate"),
        reverse("account_logout"),
        reverse("account_email"),
        reverse("account_confirm_email", args=["x"]).removesuffix("x/"),
        reverse("set_language"),
        settings.STATIC_URL or "/static/",
    )


def _redirect(request, url: str) -> HttpResponse:
    """A redirect the browser follows, also from an HTMX request (a whole-page redirect)."""
    if request.headers.get("HX-Request"):
        return HttpResponseClientRedirect(url)
    return redirect(url)


class RowSecurityMiddleware:
    """Narrow the database session to the signed-in person for this request
    (reentry/rowsecurity.py), just before its first query (a request that runs none pays
    nothing): PostgreSQL's policies on person-level tables then admit only their rows,
    whatever a view forgets. The request's end puts the process's default back
    (``request_finished``), after a streamed response has been sent.

    The site's operators read every row: Django superusers, and staff on the Django
    admin's pages (which keep Django's model permissions and casework/admin.py's rules
    on who sees identities)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_active and (
            user.is_superuser
            or (user.is_staff and request.path_info.startswith(reverse("admin:index")))
        ):
            rowsecurity.widen()
        else:
            rowsecurity.narrow_lazily_to(user)
        return self.get_response(request)
