"""Request-wide concerns: interface language, audit origin, session lifetime, second factor."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import RequestDataTooBig
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


class NulCharacterMiddleware:
    """Refuse input holding the NUL character: no text in Amparo contains it, and PostgreSQL
    cannot store it (it would be a server error). Files are not inspected, only fields."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = self._field_with_nul(request)
        if field is None:
            return self.get_response(request)
        from django.http import JsonResponse
        from django.utils.translation import gettext as _

        from .apierrors import error_body

        message = _("The text contains a character that is not allowed (NUL).")
        if request.path.startswith("/api/"):
            return JsonResponse(error_body({field: [message]}), status=422)
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")

    @staticmethod
    def _field_with_nul(request: HttpRequest) -> str | None:
        if "\x00" in request.path:
            return "path"
        found = _nul_in_pairs(request.GET.lists())
        if found is not None or request.method not in ("POST", "PUT", "PATCH"):
            return found
        content_type = request.content_type or ""
        if content_type not in (
            "application/json",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            return None
        try:
            body = request.body  # kept: the view reads it again
        except RequestDataTooBig:
            if content_type == "multipart/form-data":
                # A file upload: only its fields are checked; the files may hold any byte.
                return _nul_in_pairs(request.POST.lists())
            return None  # answered by the view's own size check (413)
        if content_type == "multipart/form-data":
            return _nul_in_pairs(request.POST.lists())
        if b"\x00" not in body and b"\\u0000" not in body and b"%00" not in body:
            return None
        if content_type == "application/x-www-form-urlencoded":
            return _nul_in_pairs(request.POST.lists())
        try:
            return _nul_in_json(json.loads(body)) or "body"
        except ValueError:
            return None  # not JSON: the view says so


def _nul_in_pairs(pairs: Iterable[tuple[str, list[str]]]) -> str | None:
    for name, values in pairs:
        if "\x00" in name or any("\x00" in v for v in values):
            return name.replace("\x00", "")
    return None


def _nul_in_json(value: object, name: str = "") -> str | None:
    """The name of the first field whose text holds a NUL (nested names joined by dots)."""
    if isinstance(value, str):
        return (name or "body") if "\x00" in value else None
    if isinstance(value, dict):
        items: Iterable[tuple[str, object]] = ((str(k), v) for k, v in value.items())
    elif isinstance(value, list):
        items = ((str(i), v) for i, v in enumerate(value))
    else:
        return None
    for key, item in items:
        if "\x00" in key:
            return key.replace("\x00", "")
        found = _nul_in_json(item, f"{name}.{key}" if name else key)
        if found is not None:
            return found
    return None
