from django.conf import settings
from django.shortcuts import render
from django.utils import translation


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
