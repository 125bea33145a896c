"""Request-wide concerns: interface language, audit origin, session lifetime, second factor."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.cache import patch_cache_control

from .audit import RequestOrigin, reset_request_origin, set_request_origin

Handler = Callable[[HttpRequest], HttpResponse]
SUPPORTED = {code for code, _ in settings.LANGUAGES}


def _requested_language(request: HttpRequest) -> str:
    """Spanish unless the user chose otherwise (session) or the client asks (Accept-Language)."""
    chosen = request.session.get("language") if hasattr(request, "session") else None
    if chosen in SUPPORTED:
        return chosen
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.language in SUPPORTED:
        return user.language
    accept = request.headers.get("Accept-Language", "")
    for part in accept.split(","):
        code = part.split(";")[0].strip()[:2].lower()
        if code in SUPPORTED:
            return code
    return settings.LANGUAGE_CODE


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind N trusted reverse proxies (AMPARO_TRUSTED_PROXIES=N) it is
    the N-th address from the right of X-Forwarded-For: the ones to its left are the client's
    own claims and cannot be trusted."""
    proxies = settings.AMPARO_TRUSTED_PROXIES
    if proxies > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


class LanguageMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = _requested_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


class AuditContextMiddleware:
    """Makes the client address available to `audit_record` without threading it through."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = set_request_origin(RequestOrigin(ip=client_ip(request)))
        try:
            return self.get_response(request)
        finally:
            reset_request_origin(token)


OPEN_PATHS = ("/accounts/", "/static/", "/api/", "/language/", "/healthz", "/public/")


class SecondFactorRequiredMiddleware:
    """Administrators and auditors must verify a TOTP code before anything else.

    Also ends any session older than SESSION_ABSOLUTE_SECONDS, idle or not.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.setdefault("started_at", int(time.time()))
            if time.time() - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect(settings.LOGIN_URL)
            if (
                user.needs_second_factor
                and not user.is_verified()
                and not request.path.startswith(OPEN_PATHS)
            ):
                return redirect("otp_verify")
        return self.get_response(request)


class DomainErrorMiddleware:
    """A page that runs into a role or scope refusal answers 403 or 404, never 500."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from .errors import NotFound
        from .permissions import Forbidden
        from .views import forbidden, not_found

        if isinstance(exception, Forbidden):
            return forbidden(request)
        if isinstance(exception, NotFound):
            return not_found(request)
        return None


class PrivateResponsesMiddleware:
    """Nothing shown to a signed-in user is kept by browsers or proxies (shared computers at
    consulates and shelters)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
