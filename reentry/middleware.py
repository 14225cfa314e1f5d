from django.conf import settings
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
