"""Small text tools shared by parsing, tag suggestion, grouping and search (pure Python).

A light stemmer for Spanish and English (accents folded, stop words dropped, common suffixes
cut) is enough to compare recommendation texts and to link questions to answers: the goal is
recall of shared topics, not linguistics.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

STOP_EN = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my no nor not now of off on once only or other our ours out over
    own same she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up very was we were what when where which while
    who whom why will with would you your yours""".split()
)
STOP_ES = frozenset(
    """a al algo algunas algunos ante antes como con contra cual cuales cuando de del desde donde
    durante e el ella ellas ellos en entre era eran es esa esas ese eso esos esta estaba estado
    estan estas este esto estos fue fueron ha han hasta hay la las le les lo los mas me mi mis
    mucho muy ni no nos o os otra otras otro otros para pero poco por porque que quien quienes
    se sea ser si sido sin sobre su sus tambien tanto te tiene tienen todo todos tu un una unas
    uno unos y ya""".split()
)
STOP_FR = frozenset(
    """le la les des du de un une et est sont dans pour par sur avec au aux ce cette ces qui que
    il elle ils elles nous vous pas ne se sa son ses leur leurs été être ont fait comité""".split()
)
STOP_PT = frozenset(
    """o os as um uma uns umas e do da dos das no na nos nas em para por com não que se ao aos
    pelo pela é são foi foram seu sua seus suas também mais comitê""".split()
)

_SUFFIXES = (
    "aciones",
    "iciones",
    "amientos",
    "imientos",
    "amiento",
    "imiento",
    "ations",
    "ation",
    "acion",
    "icion",
    "mente",
    "ments",
    "ment",
    "ances",
    "ancia",
    "encia",
    "ness",
    "ing",
    "ies",
    "ed",
    "es",
    "s",
)


def fold(text: str) -> str:
    """Lower case without accents: "Migración" and "migracion" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    # A 7-letter prefix merges most remaining inflections of the two languages.
    return word[:7]


def terms(text: str, stop: frozenset[str] = frozenset()) -> list[str]:
    """Stemmed content words of a Spanish or English text."""
    return [
        stem(w)
        for w in words(text)
        if len(w) > 2 and w not in STOP_EN and w not in STOP_ES and w not in stop
    ]


class TfIdf:
    """TF-IDF vectors over a fixed corpus, compared by cosine similarity."""

    def __init__(self, documents: Sequence[str], stop: frozenset[str] = frozenset()) -> None:
        self.stop = frozenset(fold(w) for w in stop)
        self.doc_terms = [Counter(terms(d, self.stop)) for d in documents]
        df: Counter[str] = Counter()
        for counts in self.doc_terms:
            df.update(counts.keys())
        n = max(len(documents), 1)
        self.idf = {t: math.log((1 + n) / (1 + c)) + 1.0 for t, c in df.items()}
        self.vectors = [self.vector_of(c) for c in self.doc_terms]

    def vector_of(self, counts: Counter[str]) -> dict[str, float]:
        vec = {t: (1 + math.log(c)) * self.idf.get(t, 1.0) for t, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {t: v / norm for t, v in vec.items()}

    def vector(self, text: str) -> dict[str, float]:
        return self.vector_of(Counter(terms(text, self.stop)))


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


def count_words(texts: Iterable[str]) -> int:
    return sum(len(re.findall(r"\S+", t)) for t in texts)
