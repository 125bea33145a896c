"""Domain errors raised by actions; views and the API turn them into messages per field."""

from __future__ import annotations


class InvalidInput(Exception):
    """Input the action refuses. `errors` maps a field name to its (translated) messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors

    @classmethod
    def field(cls, name: str, message: str) -> InvalidInput:
        return cls({name: [str(message)]})


class NotFound(Exception):
    """The record does not exist or is outside the actor's scope (both look the same)."""


class Conflict(Exception):
    """Someone else changed the record since the actor read it."""

    def __init__(self, message: str, *, current_version: int, changes: dict[str, object]) -> None:
        super().__init__(message)
        self.current_version = current_version
        self.changes = changes
