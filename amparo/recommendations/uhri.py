"""Import of the UN Universal Human Rights Index (UHRI) JSON export.

The export is a JSON array of records (AnnotationId, Symbol, Body, Text, Themes,
AffectedPersons, Sdgs, PublicationDate, UprCycle, UprRecommendingState, UprPosition, ...).
Files of hundreds of thousands of records are read one record at a time with
`json.JSONDecoder.raw_decode` over a sliding buffer, so memory stays bounded by the batch, and
written in batches inside ONE transaction: a malformed record anywhere means nothing is kept.
Records are keyed by AnnotationId, so importing the same export again changes nothing and a
changed text is detected and versioned.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from django.db import connection, reset_queries, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.core.audit import audit_record
from amparo.core.errors import InvalidInput
from amparo.core.models import User
from amparo.core.permissions import Perm, require

from .models import Mechanism, Recommendation
from .textutil import fold

CHUNK = 1 << 16
BATCH = 2000
MAX_RECORD = 1 << 20  # one record above 1 MB is not a recommendation: refuse, don't buffer

BODIES = {
    "cmw": "CMW",
    "cerd": "CERD",
    "crc": "CRC",
    "cedaw": "CEDAW",
    "cat": "CAT",
    "ccpr": "CCPR",
    "hrc": "CCPR",
    "human rights committee": "CCPR",
    "cescr": "CESCR",
    "upr": "UPR",
    "universal periodic review": "UPR",
    "sp": "SP",
    "special procedures": "SP",
    "iachr": "IACHR",
    "cidh": "IACHR",
    "iacthr": "IACTHR",
    "corte idh": "IACTHR",
}
UPR_FIELDS = ("UprCycle", "UprRecommendingState", "UprPosition", "UprSession", "UprRegion")


@dataclass
class ImportResult:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    records: int = 0


class MalformedExport(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def iter_records(stream: IO[bytes]) -> Iterator[tuple[int, Any]]:
    """Yield (record number, decoded value) from a JSON array, one element at a time."""
    decoder = json.JSONDecoder()
    buf = ""
    pending = b""
    eof = False
    pos = 0
    number = 0
    state = "start"  # start → items → done

    def fill() -> bool:
        nonlocal buf, pending, eof, pos
        if eof:
            return False
        chunk = stream.read(CHUNK)
        if not chunk:
            eof = True
            if pending:
                raise MalformedExport(_("The file is not valid UTF-8 text."))
            return False
        data = pending + chunk
        # Keep an incomplete UTF-8 sequence at the end for the next chunk.
        cut = len(data)
        for back in range(1, min(4, len(data)) + 1):
            byte = data[-back]
            if byte & 0xC0 == 0x80:
                continue
            need = (
                2
                if byte >> 5 == 0b110
                else 3
                if byte >> 4 == 0b1110
                else 4
                if byte >> 3 == 0b11110
                else 1
            )
            if need > back:
                cut = len(data) - back
            break
        pending = data[cut:]
        try:
            text = data[:cut].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedExport(_("The file is not valid UTF-8 text.")) from exc
        buf = buf[pos:] + text
        pos = 0
        return True

    def skip_ws() -> bool:
        nonlocal pos
        while True:
            while pos < len(buf) and buf[pos] in " \t\r\n":
                pos += 1
            if pos < len(buf):
                return True
            if not fill():
                return False

    fill()
    if buf.startswith("\ufeff"):
        pos = 1
    while True:
        if not skip_ws():
            break
        ch = buf[pos]
        if state == "start":
            if ch != "[":
                raise MalformedExport(
                    _("The file does not start a JSON array ('['): not a UHRI export.")
                )
            pos += 1
            state = "first"
            continue
        if state in ("first", "after"):
            if ch == "]":
                pos += 1
                state = "done"
                continue
            if state == "after":
                if ch != ",":
                    raise MalformedExport(
                        _("After record %(n)s a comma or ']' was expected.") % {"n": number}
                    )
                pos += 1
                if not skip_ws():
                    break
            while True:
                try:
                    value, end = decoder.raw_decode(buf, pos)
                except json.JSONDecodeError as exc:
                    if len(buf) - pos > MAX_RECORD or not fill():
                        raise MalformedExport(
                            _("Record %(n)s is not valid JSON: %(error)s.")
                            % {"n": number + 1, "error": exc.msg}
                        ) from exc
                    continue
                # A number or word cut at the chunk's end decodes too early: read on first.
                if end == len(buf) and not eof and fill():
                    continue
                break
            number += 1
            pos = end
            state = "after"
            yield number, value
            continue
        # state == "done": only white space may follow.
        raise MalformedExport(_("Text after the end of the JSON array."))
    if state != "done":
        raise MalformedExport(_("The file ends before the JSON array is closed (']')."))


def _nul_free(value: str) -> str:
    # PostgreSQL stores no NUL character, in text or in JSON: it would fail the whole import.
    return value.replace("\x00", "")


def _strings(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [_nul_free(v).strip()[:200] for v in re.split(r"[;|]", value) if v.strip()]
    if isinstance(value, list):
        out: list[str] = []
        for v in value:
            if isinstance(v, dict):
                v = v.get("Name") or v.get("name") or v.get("Code") or v.get("code") or ""
            if isinstance(v, (str, int, float)) and str(v).strip():
                out.append(_nul_free(str(v)).strip()[:200])
        return out
    return [_nul_free(str(value))[:200]]


def _date(value: Any, number: int) -> date | None:
    if not value:
        return None
    if not isinstance(value, str):
        raise MalformedExport(_("Record %(n)s: PublicationDate is not a date.") % {"n": number})
    try:
        return date.fromisoformat(value[:10])
    except ValueError as exc:
        raise MalformedExport(
            _("Record %(n)s: PublicationDate %(value)s is not a date.")
            % {"n": number, "value": value[:30]}
        ) from exc


_LEAD_NUMBER = re.compile(r"^\s*(\d{1,3})(?:\.(\d{1,3}))?\.?\s")


def record_fields(number: int, rec: Any, mechanisms: set[str]) -> dict[str, Any]:
    """The recommendation's fields from one export record, or MalformedExport naming it."""
    if not isinstance(rec, dict):
        raise MalformedExport(_("Record %(n)s is not a JSON object.") % {"n": number})
    annotation = rec.get("AnnotationId")
    if annotation in (None, "") or not isinstance(annotation, (str, int)):
        raise MalformedExport(_("Record %(n)s has no AnnotationId.") % {"n": number})
    text = rec.get("Text")
    if not isinstance(text, str) or not text.strip():
        raise MalformedExport(_("Record %(n)s has no Text.") % {"n": number})
    body = str(rec.get("Body") or "").strip()
    mechanism = BODIES.get(body.lower(), body.upper())
    if mechanism not in mechanisms:
        raise MalformedExport(
            _("Record %(n)s: unknown Body %(body)s.") % {"n": number, "body": repr(body[:40])}
        )
    symbol = _nul_free(str(rec.get("Symbol") or "")).strip()[:80]
    text = _nul_free(text).strip()
    m = _LEAD_NUMBER.match(text)
    paragraph = int(m.group(1)) if m else None
    sub_item = f"{m.group(1)}.{m.group(2)}" if m and m.group(2) else ""
    fields = {
        "key": _nul_free(f"uhri:{annotation}")[:200],
        "annotation_id": _nul_free(str(annotation))[:60],
        "mechanism_id": mechanism,
        "symbol": symbol,
        "paragraph": paragraph,
        "sub_item": sub_item,
        "text": text,
        "published_on": _date(rec.get("PublicationDate"), number),
        "source_themes": _strings(rec.get("Themes")),
        "source_groups": _strings(rec.get("AffectedPersons")),
        "source_sdgs": _strings(rec.get("Sdgs")),
        "upr": {
            k: _nul_free(rec[k]) if isinstance(rec[k], str) else rec[k]
            for k in UPR_FIELDS
            if rec.get(k) not in (None, "") and isinstance(rec[k], (str, int, float))
        },
    }
    fields["search_text"] = fold(f"{symbol} {text}")
    fields["content_hash"] = content_hash(fields)
    return fields


HASHED = (
    "mechanism_id",
    "symbol",
    "paragraph",
    "sub_item",
    "chapeau",
    "text",
    "published_on",
    "source_themes",
    "source_groups",
    "source_sdgs",
    "upr",
)


def content_hash(fields: dict[str, Any]) -> str:
    payload = json.dumps([fields.get(k) for k in HASHED], default=str, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def apply_batch(batch: list[dict[str, Any]], result: ImportResult, source: str) -> None:
    """Create the new, version the changed, leave the unchanged: three bulk statements."""
    # The same AnnotationId twice in one file: the later record wins.
    by_key = {f["key"]: f for f in batch}
    existing = {r.key: r for r in Recommendation.objects.filter(key__in=list(by_key))}
    now = timezone.now()
    new: list[Recommendation] = []
    changed: list[Recommendation] = []
    for key, fields in by_key.items():
        rec = existing.get(key)
        if rec is None:
            new.append(Recommendation(**fields))
            continue
        if rec.content_hash == fields["content_hash"]:
            result.unchanged += 1
            continue
        rec.history = [
            *rec.history,
            {
                "at": now.isoformat(),
                "change": "text",
                "version": rec.version,
                "symbol": rec.symbol,
                "text": rec.text,
                "source": source,
            },
        ]
        for name, value in fields.items():
            setattr(rec, name, value)
        rec.version += 1
        changed.append(rec)
    Recommendation.objects.bulk_create(new, batch_size=500)
    if changed:
        Recommendation.objects.bulk_update(
            changed, [*fields_of(batch[0]), "history", "version", "updated_at"], batch_size=500
        )
    result.created += len(new)
    result.changed += len(changed)


def fields_of(fields: dict[str, Any]) -> list[str]:
    return [k for k in fields if k != "key"]


def uhri_import(*, actor: User | None, stream: IO[bytes], name: str = "") -> ImportResult:
    """Import a UHRI export. All or nothing; InvalidInput names the record at fault."""
    if actor is not None:
        require(actor, Perm.RECS_VALIDATE)
    mechanisms = set(Mechanism.objects.values_list("code", flat=True))
    result = ImportResult()
    try:
        with transaction.atomic():
            batch: list[dict[str, Any]] = []
            for number, rec in iter_records(stream):
                batch.append(record_fields(number, rec, mechanisms))
                result.records = number
                if len(batch) >= BATCH:
                    apply_batch(batch, result, "uhri")
                    batch = []
                    # With DEBUG on, Django keeps every statement's SQL (9,000 of them, each
                    # holding a batch's rows): memory would grow with the file.
                    reset_queries()
            if batch:
                apply_batch(batch, result, "uhri")
            if result.records == 0:
                raise MalformedExport(_("The export holds no records."))
            audit_record(
                actor=actor,
                action="recommendations.uhri_import",
                detail={
                    "file": name[:200],
                    "records": result.records,
                    "created": result.created,
                    "changed": result.changed,
                    "unchanged": result.unchanged,
                },
            )
    except MalformedExport as exc:
        raise InvalidInput.field("file", exc.message + " " + _("Nothing was imported.")) from exc
    if connection.vendor == "postgresql" and result.created + result.changed > 5000:
        # Fresh statistics at once, not at autovacuum's next pass: with the old ones the
        # planner misjudges how many rows a search matches and picks a slow plan.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE recommendations_recommendation")
    return result
