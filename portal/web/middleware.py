from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def language_for(request) -> str:
    """German unless the person chose otherwise: in their profile, or with the language switch."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.language in SUPPORTED:
        return user.language
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return chosen if chosen in SUPPORTED else settings.LANGUAGE_CODE


def remember_language(response, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        httponly=True,
    )


class LanguageMiddleware:
    """Activates the page language. Unlike Django's LocaleMiddleware it ignores the browser's
    Accept-Language header: the portal speaks German first, English on request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        # Logging in may have changed the language (the account's own); the cookie follows it.
        # Logging out keeps the language the page was in.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = language_for(request)
        remembered = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, settings.LANGUAGE_CODE)
        if language != remembered and settings.LANGUAGE_COOKIE_NAME not in response.cookies:
            # The browser keeps the language of the profile too, so the page after logging out
            # (and its message) speaks the language the person chose.
            remember_language(response, language)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


class PermissionsPolicyMiddleware:
    """Switches off browser features the portal never uses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
