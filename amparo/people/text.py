"""Folding of names and numbers for search: accents, case and Mayan apostrophes ignored."""

from __future__ import annotations

import re
import unicodedata

# Particles carry no identity on their own ("de la Cruz" is found by "cruz").
PARTICLES = frozenset({"de", "del", "la", "las", "los", "y", "e", "van", "von", "da", "do", "dos"})
# Glottal stop and apostrophe variants in Mayan names: K'iche', Kʼicheʼ, K’iche’ fold to kiche.
_APOSTROPHES = re.compile(r"['’‘`´ʼʻ]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
MAX_TOKEN = 64


def fold(text: str) -> str:
    """Lower-case ASCII without accents or apostrophes; other punctuation becomes a space."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", _APOSTROPHES.sub("", stripped)).strip()


def name_tokens(*parts: str) -> list[str]:
    tokens: list[str] = []
    for part in parts:
        for token in fold(part or "").split():
            if token not in PARTICLES and token not in tokens:
                tokens.append(token[:MAX_TOKEN])
    return tokens


def normalize_document_number(number: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", fold(number).upper())
