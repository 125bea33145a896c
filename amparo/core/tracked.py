"""Register entries that move through steps (civil registry entries, travel documents,
missing-person reports, tracing requests, ...): each step is kept in the row's `history`, the
row's `version` guards against two people taking a step at once, and every change is made on
a row locked for the rest of the transaction."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from .errors import Conflict, NotFound
from .models import User

M = TypeVar("M", bound=Model)


def _entry(record: Any, actor: User | None, now: datetime, **detail: Any) -> dict[str, Any]:
    entry = {"at": now.isoformat(), "status": record.status, "by": actor.username if actor else ""}
    return {**entry, **{k: v for k, v in detail.items() if v}}


def step_take(record: Any, actor: User | None, status: str, now: datetime, **detail: Any) -> None:
    """Move the record to `status`, keeping the step (who, when, why) in its history."""
    record.status, record.status_at = status, now
    record.history = [*record.history, _entry(record, actor, now, **detail)]
    record.version += 1


def step_note(record: Any, actor: User, now: datetime, what: str, **detail: Any) -> None:
    """A step that does not change the status (a search sent, a candidate verified)."""
    record.history = [*record.history, _entry(record, actor, now, what=what, **detail)]
    record.version += 1


def version_check(record: Any, version: int | None) -> None:
    """Refuse a step taken on an old copy of the record (the page was open meanwhile)."""
    if version is not None and record.version != version:
        raise Conflict(
            _("Someone else changed this record while you were working on it."),
            current_version=record.version,
            changes={"status": {"theirs": record.status}},
        )


def locked(records: QuerySet[M], pk: uuid.UUID | int, version: int | None = None) -> M:
    """The record among those the actor may see, locked until the transaction ends; NotFound
    outside the actor's scope, Conflict when `version` is stale."""
    record = records.select_for_update().filter(pk=pk).first()
    if record is None:
        raise NotFound
    version_check(record, version)
    return record
