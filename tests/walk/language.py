"""Spanish pages, checked mechanically: English words, internal codes and UTC times.

English words: every word of the catalogue's msgids (the English source strings) that no
Spanish msgstr uses. A page text passed through translation shows none of them; a string that
bypassed gettext (or whose translation is missing) shows its English words. Words shorter than
four letters are left out (too many collide with Spanish or with names: "no", "mar", "con").

Codes: snake_case (`no_information`, `in_progress`) and ALL_CAPS with an underscore
(`IN_PROGRESS`) are internal codes wherever they appear in the visible text of a page.

UTC: "UTC", "GMT", "+00:00" and ISO date-times ("2019-03-01T14:00") in visible text; display
times are America/Guatemala (or the consulate's own zone), written for people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

ES_PO = Path(__file__).resolve().parents[2] / "amparo/locale/es/LC_MESSAGES/django.po"

WORD = re.compile(r"[A-Za-zÁÉÍÓÚÜÑáéíóúüñ]+(?:'[a-z]+)?")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]*\}|<[^>]+>|&[a-z]+;")
# Dots allowed inside: indicator codes read "missing.nationals_abroad".
SNAKE_CODE = re.compile(r"(?<![\w/@.-])[a-z][a-z0-9.]*_[a-z0-9_.]*[a-z0-9](?![\w/@-])")
CAPS_CODE = re.compile(r"(?<![\w./@-])[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+(?![\w/@-])")
UTC = re.compile(
    r"\bUTC\b|\bGMT\b|[+-]00:00\b|\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?Z?"
)
# English month and day names (charts and dates formatted outside Django's localisation).
ENGLISH_CALENDAR = frozenset(
    "january february march april june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)

# Words of the English catalogue that are also data or Spanish in their own right. Each entry
# says why; the list stays short on purpose.
NOT_ENGLISH = frozenset(
    {
        "amparo",  # the product's name
        "email",  # "correo electrónico" in labels, but people write "email" in data
        "total",  # the same word in Spanish
        "general",  # the same word in Spanish ("equipo general")
        "final",  # the same word in Spanish
        "normal",  # the same word in Spanish
        "local",  # the same word in Spanish
        "central",  # the same word in Spanish ("Central de Amparo")
        "original",  # the same word in Spanish
        "manual",  # the same word in Spanish
        "digital",  # the same word in Spanish
        "legal",  # the same word in Spanish
        "global",  # the same word in Spanish
        "personal",  # the same word in Spanish
        "social",  # the same word in Spanish
        "dental",  # the same word in Spanish ("ficha dental")
        "internal",  # never alone; kept out of the set to avoid noise from data
        "pending",  # checked as a code instead ("pending" alone is in demo imports' data)
        "city",  # place names in the data: "Oklahoma City", consulates in the United States
        "beach",  # place names in the data: "Long Beach, California"
        "demo",  # the demo UN document's symbol, "CMW/C/GTM/CO/DEMO" (data)
    }
)


@dataclass(frozen=True)
class Finding:
    kind: str  # "English", "code", "UTC"
    word: str  # what was found (one report per page pattern and word)
    text: str  # with its context


@cache
def english_words() -> frozenset[str]:
    """Words of the msgids that no Spanish translation uses (lower case, ≥ 4 letters)."""
    with ES_PO.open("rb") as handle:
        catalogue = read_po(handle)
    source: set[str] = set()
    spanish: set[str] = set()
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not any(strings):
            continue  # untranslated: its words are not known to be English-only
        for text in ids:
            source |= _words(text)
        for text in strings:
            spanish |= _words(text)
    english = {w for w in source - spanish if len(w) >= 4}
    return frozenset((english | ENGLISH_CALENDAR) - NOT_ENGLISH)


def _words(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(PLACEHOLDER.sub(" ", text))}


# User names ("caseworker.minex") and e-mail addresses are data, whatever their words.
ACCOUNT = re.compile(r"[\w-]+(?:\.[\w-]+)*@[\w.-]+|\b[a-z]+(?:\.[a-z]+)+\b")


def findings(text: str, allowed: frozenset[str] = frozenset()) -> list[Finding]:
    """What on a Spanish page's visible text is English, a code or a UTC time."""
    text = ACCOUNT.sub(lambda m: " " * len(m.group(0)), text)
    found: list[Finding] = []
    for pattern, kind in ((SNAKE_CODE, "code"), (CAPS_CODE, "code"), (UTC, "UTC")):
        for match in pattern.finditer(text):
            if match.group(0).lower() in allowed:
                continue
            found.append(Finding(kind, match.group(0), _context(text, match.start(), match.end())))
    # A code's words are reported as the code, not again as English.
    plain = SNAKE_CODE.sub(lambda m: " " * len(m.group(0)), CAPS_CODE.sub(" ", text))
    english = english_words()
    seen: set[str] = set()
    for match in WORD.finditer(plain):
        low = match.group(0).lower()
        if low in english and low not in allowed and low not in seen:
            seen.add(low)
            found.append(Finding("English", low, _context(plain, match.start(), match.end())))
    return found


def _context(text: str, start: int, end: int, width: int = 30) -> str:
    before = text[max(0, start - width) : start].split("\n")[-1]
    after = text[end : end + width].split("\n")[0]
    return f"{before}[{text[start:end]}]{after}".strip()
