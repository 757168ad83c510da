"""Which language a request is answered in, and the language menu that changes it (issue 22).

The order: the signed-in user's choice (kept in their Profile so that it follows them to another browser, and
copied into the session at login so that no request reads it again), then the cookie an anonymous visitor's choice
left, then the browser's Accept-Language, then English. The APIs (Keystone, Glance, IMS) always answer in English:
their clients parse the messages, and the clouds they imitate answer in English too.
"""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import JavaScriptCatalog

from ims_console.api.errors import is_api
from ims_console.identity.models import Profile
from ims_console.web.http import ConsoleRequest

SESSION_KEY = "ims_language"
CODES = frozenset(code for code, _ in settings.LANGUAGES)


class LanguageMiddleware:
    """Activates the request's language (after the session middleware) and says which one answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: ConsoleRequest) -> HttpResponse:
        language = settings.LANGUAGE_CODE if is_api(request.path_info) else language_of(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            # A thread serves other requests next (and a test's client runs in the test's own thread).
            translation.deactivate()
        if not is_api(request.path_info):
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", getattr(request, "LANGUAGE_CODE", language))
        return response


def language_of(request: ConsoleRequest) -> str:
    chosen = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if chosen in CODES:
        return chosen
    return translation.get_language_from_request(request)


@require_POST
def set_language(request: ConsoleRequest) -> HttpResponse:
    """The language menu: keeps the choice for the user (Profile and session) or the visitor (cookie), and goes
    back to the page it was made on. An unknown language changes nothing."""
    target = local_path(request, request.POST.get("next", ""))
    language = request.POST.get("language", "")
    response = HttpResponseRedirect(target)
    if language not in CODES:
        return response
    if request.user.is_authenticated:
        Profile.objects.update_or_create(user=request.user, defaults={"language": language})
        request.session[SESSION_KEY] = language
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE, path="/",
        secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite="Lax",
    )
    return response


def local_path(request: ConsoleRequest, target: str, default: str = "/") -> str:
    """`target` if it is a path of this console ("/images/?name=web"), else `default`. A bare word is not a path
    (redirect() would take it for a URL name), nor is anything with a scheme or a host."""
    local = target.startswith("/") and not target.startswith(("//", "/\\")) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if local else default


@receiver(user_logged_in)
def language_at_login(sender, request: ConsoleRequest | None, user, **kwargs) -> None:
    """At login the user's kept choice wins; a user with none keeps what this browser chose (and it is kept)."""
    if request is None or not hasattr(request, "session"):
        return
    kept = Profile.objects.filter(user=user).values_list("language", flat=True).first()
    if kept in CODES:
        request.session[SESSION_KEY] = kept
        translation.activate(kept)
        request.LANGUAGE_CODE = kept
        return
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in CODES:
        Profile.objects.update_or_create(user=user, defaults={"language": chosen})
        request.session[SESSION_KEY] = chosen


_catalog = JavaScriptCatalog.as_view(packages=["ims_console"])  # with LOCALE_PATHS: the console's strings only


@cache_control(max_age=86400, public=True)
@require_GET
def javascript_catalog(request: ConsoleRequest, lang: str) -> HttpResponseBase:
    """console.js's strings in `lang` (Django's JavaScript catalog). The language is in the URL, not taken from the
    request, so that a day's caching of it cannot serve one language's strings to a page in another. Every page
    loads it before console.js, so it is made once per language and process (the catalogues change only with a
    deployment), not read from the .mo files on every page."""
    if lang not in CODES:
        raise Http404("No such language.")
    if lang not in _catalogs:
        with translation.override(lang):
            made = cast(HttpResponse, _catalog(request))
        _catalogs[lang] = (made.content, made["Content-Type"])
    content, content_type = _catalogs[lang]
    return HttpResponse(content, content_type=content_type)


_catalogs: dict[str, tuple[bytes, str]] = {}
