"""The parser's error, usable with or without Django configured."""

from __future__ import annotations


def _(message: str) -> str:
    """Translate when Django is configured (web, API, command); the English text otherwise."""
    try:
        from django.utils.translation import gettext

        return gettext(message)
    except Exception:  # settings not configured: plain Python use of the parser
        return message


class ParseError(Exception):
    """A document the parser cannot read, with a message for the person who sent it."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
