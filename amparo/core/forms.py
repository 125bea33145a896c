"""What every web form shares: an action's refusal shown next to the fields it names."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import InvalidInput

if TYPE_CHECKING:
    from django import forms


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
        for key, messages in exc.errors.items():
            target = self.field_for(key)
            for message in messages:
                self.add_error(target, message)
