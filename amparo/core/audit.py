"""The audit trail: append an entry in the caller's transaction, verify the chains.

Every action that writes personal data, and every read of it, calls `audit_record` inside the
same `transaction.atomic()` block as the change, so an entry exists if and only if the change
does. Entries go to one of `AUDIT_SHARDS` hash chains chosen by the actor, so concurrent
writers by different users lock different chain heads instead of one global row.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from .models import AuditEntry, AuditShardHead, User

GENESIS = "0" * 64


@dataclass(frozen=True)
class RequestOrigin:
    ip: str | None = None


_origin: contextvars.ContextVar[RequestOrigin] = contextvars.ContextVar(
    "amparo_request_origin",
    default=RequestOrigin(),  # noqa: B039 - a frozen dataclass, immutable
)


def set_request_origin(origin: RequestOrigin) -> contextvars.Token[RequestOrigin]:
    return _origin.set(origin)


def reset_request_origin(token: contextvars.Token[RequestOrigin]) -> None:
    _origin.reset(token)


def shard_for(actor: User | None) -> int:
    return (actor.pk or 0) % settings.AUDIT_SHARDS if actor else 0


def entry_digest(
    *,
    prev_hash: str,
    shard: int,
    seq: int,
    at: datetime,
    actor_id: int | None,
    actor_username: str,
    institution_id: Any,
    action: str,
    object_type: str,
    object_id: str,
    person_id: Any,
    ip: str | None,
    reason: str,
    detail: dict[str, Any],
) -> str:
    payload = json.dumps(
        [
            prev_hash,
            shard,
            seq,
            at.isoformat(),
            actor_id,
            actor_username,
            str(institution_id) if institution_id else None,
            action,
            object_type,
            object_id,
            str(person_id) if person_id else None,
            ip,
            reason,
            detail,
        ],
        cls=DjangoJSONEncoder,
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _canonical_detail(detail: dict[str, Any] | None) -> dict[str, Any]:
    # Round-trip through JSON so the hash is computed over exactly what the database stores.
    return json.loads(json.dumps(detail or {}, cls=DjangoJSONEncoder))


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: Any = None,
    person_id: uuid.UUID | None = None,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. Call it inside the transaction of the change it describes."""
    shard = shard_for(actor)
    at = timezone.now()
    with transaction.atomic():
        head = AuditShardHead.objects.select_for_update().filter(shard=shard).first()
        if head is None:
            head, _ = AuditShardHead.objects.get_or_create(shard=shard, defaults={"hash": GENESIS})
            head = AuditShardHead.objects.select_for_update().get(shard=shard)
        fields: dict[str, Any] = {
            "shard": shard,
            "seq": head.seq + 1,
            "at": at,
            "actor_id": actor.pk if actor else None,
            "actor_username": actor.get_username() if actor else "",
            "institution_id": getattr(actor, "institution_id", None) if actor else None,
            "action": action,
            "object_type": type(obj).__name__ if obj is not None else "",
            "object_id": str(obj.pk) if obj is not None else "",
            "person_id": person_id,
            "ip": _origin.get().ip,
            "reason": reason,
            "detail": _canonical_detail(detail),
        }
        digest = entry_digest(prev_hash=head.hash, **fields)
        entry = AuditEntry.objects.create(prev_hash=head.hash, hash=digest, **fields)
        AuditShardHead.objects.filter(shard=shard).update(seq=entry.seq, hash=digest)
    return entry


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    shard: int
    seq: int
    problem: str


def _entries(shard: int) -> Iterator[AuditEntry]:
    return AuditEntry.objects.filter(shard=shard).order_by("seq").iterator(chunk_size=5000)


def audit_verify() -> tuple[int, ChainBreak | None]:
    """Walk every chain; return the number of entries checked and the first break, if any."""
    checked = 0
    first: ChainBreak | None = None
    heads = {h.shard: h for h in AuditShardHead.objects.all()}
    for shard in sorted(set(AuditEntry.objects.values_list("shard", flat=True)) | set(heads)):
        prev, expected_seq = GENESIS, 1
        for entry in _entries(shard):
            checked += 1
            problem = ""
            if entry.seq != expected_seq:
                problem = f"missing entry before sequence {entry.seq}"
            elif entry.prev_hash != prev:
                problem = "link to previous entry does not match"
            elif entry.hash != entry_digest(
                prev_hash=entry.prev_hash,
                shard=entry.shard,
                seq=entry.seq,
                at=entry.at,
                actor_id=entry.actor_id,
                actor_username=entry.actor_username,
                institution_id=entry.institution_id,
                action=entry.action,
                object_type=entry.object_type,
                object_id=entry.object_id,
                person_id=entry.person_id,
                ip=entry.ip,
                reason=entry.reason,
                detail=entry.detail,
            ):
                problem = "content does not match its hash"
            if problem and (first is None or entry.at < _entry_at(first)):
                first = ChainBreak(entry.pk, shard, entry.seq, problem)
            if problem:
                break
            prev, expected_seq = entry.hash, entry.seq + 1
        head = heads.get(shard)
        if head and head.seq != expected_seq - 1 and first is None:
            first = ChainBreak(0, shard, head.seq, "entries removed from the end of the chain")
    return checked, first


def _entry_at(brk: ChainBreak) -> datetime:
    entry = AuditEntry.objects.filter(pk=brk.entry_id).first()
    return entry.at if entry else timezone.now()
