"""Optional parts of a page (possible matches, a chart): when one fails, the page still answers,
says what is missing and why, and the error goes to the log with its traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import TypeVar

from django.db import connection, transaction

logger = logging.getLogger("amparo.pages")

T = TypeVar("T")


@dataclass(frozen=True)
class Unavailable:
    """An optional part that could not be computed; `message` tells the reader what is missing
    and why, in their language."""

    message: str


def optional_part(compute: Callable[[], T], *, name: str, message: str) -> T | Unavailable:
    """`compute()`, or `Unavailable(message)` if it raises (logged as `name`, with the
    traceback). Inside a transaction the part runs in a savepoint, so a database error in it
    leaves the rest of the page able to read."""
    savepoint = transaction.atomic() if connection.in_atomic_block else nullcontext()
    try:
        with savepoint:
            return compute()
    except Exception:  # noqa: BLE001 - any failure of an optional part is shown, not raised
        logger.exception("optional part of a page failed: %s", name)
        return Unavailable(message)
