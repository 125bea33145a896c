"""Error responses of the API: 4xx with a message per field, in the user's language."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from .errors import Conflict, InvalidInput, NotFound
from .permissions import Forbidden


def _pydantic_message(error: dict[str, Any]) -> str:
    """Pydantic writes English; say the same thing in the active language."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    messages = {
        "missing": _("This field is required."),
        "string_too_long": _("At most %(n)s characters.") % {"n": ctx.get("max_length")},
        "string_too_short": _("At least %(n)s characters.") % {"n": ctx.get("min_length")},
        "date_from_datetime_parsing": _("Enter a valid date (YYYY-MM-DD)."),
        "date_parsing": _("Enter a valid date (YYYY-MM-DD)."),
        "date_type": _("Enter a valid date (YYYY-MM-DD)."),
        "datetime_parsing": _("Enter a valid date and time."),
        "int_parsing": _("Enter a whole number."),
        "int_type": _("Enter a whole number."),
        "uuid_parsing": _("Enter a valid identifier."),
        "uuid_type": _("Enter a valid identifier."),
        "bool_parsing": _("Enter true or false."),
        "string_type": _("Enter text."),
        "list_type": _("Enter a list."),
        "dict_type": _("Enter an object."),
        "model_attributes_type": _("Enter an object."),
        "json_invalid": _("The body is not valid JSON."),
        "greater_than_equal": _("Must be at least %(n)s.") % {"n": ctx.get("ge")},
        "less_than_equal": _("Must be at most %(n)s.") % {"n": ctx.get("le")},
        "literal_error": _("Choose one of: %(e)s.") % {"e": ctx.get("expected")},
        "enum": _("Choose one of: %(e)s.") % {"e": ctx.get("expected")},
        "extra_forbidden": _("Unknown field."),
        "too_long": _("Too many items."),
    }
    return messages.get(kind, _("Invalid value."))


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    # Drop ninja's "body"/"query"/payload-name prefixes: the user knows the field by its name.
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "data")]
    name = ""
    for part in parts:
        name += f"[{part}]" if part.isdigit() else (f".{part}" if name else part)
    return name or "__all__"


def error_body(errors: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "detail": _("Some fields are not valid."),
        "errors": [{"field": f, "message": m} for f, msgs in errors.items() for m in msgs],
    }


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ValidationError)
    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            errors.setdefault(_field_name(error.get("loc", [])), []).append(
                _pydantic_message(error)
            )
        return api.create_response(request, error_body(errors), status=422)

    @api.exception_handler(InvalidInput)
    def on_invalid(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
        return api.create_response(request, error_body(exc.errors), status=422)

    @api.exception_handler(NotFound)
    def on_not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
        return api.create_response(request, {"detail": _("Not found.")}, status=404)

    @api.exception_handler(Forbidden)
    def on_forbidden(request: HttpRequest, exc: Forbidden) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc)}, status=403)

    @api.exception_handler(Conflict)
    def on_conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
        body = {"detail": str(exc), "current_version": exc.current_version, "changes": exc.changes}
        return api.create_response(request, body, status=409)

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request, {"detail": _("Sign in or send a valid token.")}, status=401
        )

    @api.exception_handler(RequestDataTooBig)
    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return api.create_response(request, {"detail": _("The request is too large.")}, status=413)

    # A large multipart body sent to an endpoint that takes JSON: its fields were already read
    # as a form (NulCharacterMiddleware), so the raw body is gone; it was too large anyway.
    @api.exception_handler(RawPostDataException)
    def on_body_gone(request: HttpRequest, exc: RawPostDataException) -> HttpResponse:
        return api.create_response(request, {"detail": _("The request is too large.")}, status=413)

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)
