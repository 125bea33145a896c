"""What every web form shares: an action's refusal shown next to the fields it names, and the
answer to a posted form (done, refused, or in conflict)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponse

from .errors import Conflict, InvalidInput

if TYPE_CHECKING:
    from django import forms

T = TypeVar("T")


class ActionErrors:
    """Shows an action's `InvalidInput` messages next to the fields they name; messages about
    anything else (or about a hidden field) go to the top of the form."""

    if TYPE_CHECKING:  # provided by forms.Form
        fields: dict[str, forms.Field]

        def add_error(self, field: str | None, error: Any) -> None: ...

    error_prefix = ""  # the engine names a protocol form's fields "<form>.<field>"
    aliases: dict[str, str] = {}  # the action's name for a field → the form's

    def field_for(self, key: str) -> str | None:
        if self.error_prefix:
            if not key.startswith(self.error_prefix + "."):
                return None
            key = key[len(self.error_prefix) + 1 :]
        parts = key.split(".")
        # "number" of "documents[0].number" when the form has no "documents" field.
        for name in (parts[0], parts[-1]):
            name = self.aliases.get(name, name)
            field = self.fields.get(name)
            if field is not None:
                return None if field.widget.is_hidden else name
        return None

    def add_action_errors(self, exc: InvalidInput) -> None:
        for key, texts in exc.errors.items():
            target = self.field_for(key)
            for message in texts:
                self.add_error(target, message)


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What became of a submitted form: done (with the action's result), refused (the messages
    are on the form), or in conflict with a change made meanwhile (shown as 409)."""

    done: bool
    result: T | None = None
    conflict: Conflict | None = None


def submit(form: forms.Form, run: Callable[[dict[str, Any]], T]) -> Outcome[T]:
    """Runs the action on a valid form's cleaned data. The action's refusal goes to the form's
    fields (the form must mix in ActionErrors); a version conflict is handed back."""
    if not form.is_valid():
        return Outcome(False)
    try:
        result = run(form.cleaned_data)
    except InvalidInput as exc:
        form.add_action_errors(exc)  # type: ignore[attr-defined]
        return Outcome(False)
    except Conflict as exc:
        return Outcome(False, conflict=exc)
    return Outcome(True, result=result)


def form_response(
    request: HttpRequest,
    form: forms.Form,
    outcome: Outcome[Any],
    *,
    success: str,
    done: Callable[[], HttpResponse],
    page: Callable[..., HttpResponse],
) -> HttpResponse:
    """The answer to a form posted on a record's page: on to `done` with a message, or the page
    again — 409 with the conflicting change, or 422 with the messages at the fields."""
    if outcome.conflict is not None:
        return page(status=409, conflict=outcome.conflict)
    if outcome.done:
        messages.success(request, success)
        return done()
    return page(status=422, bound=form)
