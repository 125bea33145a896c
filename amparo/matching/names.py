"""Name modelling for matching: the columns the Splink models compare.

A record arrives in the command-line layout (see docs/matching.md) and leaves with derived,
folded columns: given names as a list (nicknames turned into the name they stand for), first
and second surname apart (particles such as "de la" and "viuda de" removed), a Spanish
sound-alike key for each name, and the parts of the date of birth or a birth year estimated
from an age at a date.

Everything here is plain Python on strings, cached per distinct value, so that one million
records are prepared in seconds (names repeat a lot) and the DuckDB and Spark models see
exactly the same values.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from datetime import date
from functools import lru_cache
from pathlib import Path

# The input layout of the command line and the Python API: nothing else is accepted.
INPUT_COLUMNS = (
    "record_id",
    "given_names",
    "surname1",
    "surname2",
    "other_names",
    "sex",
    "birth_date",
    "birth_year",
    "age",
    "age_at",
    "nationality",
    "origin_department",
    "origin_municipality",
    "document_number",
)

# Derived columns, in the order the models receive them.
DERIVED_COLUMNS = (
    "unique_id",
    "given_all",
    "g1",
    "g1_alt",
    "g2",
    "g3",
    "g1_key",
    "given_key",
    "g_init",
    "s1",
    "s2",
    "s1_key",
    "s2_key",
    "sk_pair",
    "s_pair",
    "s2_married",
    "other_tokens",
    "sex",
    "birth_date",
    "birth_year",
    "birth_decade",
    "birth_month",
    "birth_day",
    "year_exact",
    "birth_lo",
    "birth_hi",
    "nationality",
    "origin_department",
    "origin_municipality",
    "document",
)

# Derived columns holding integers (nullable): typed as such for DuckDB and Spark.
INTEGER_COLUMNS = (
    "s2_married",
    "birth_year",
    "birth_decade",
    "birth_month",
    "birth_day",
    "year_exact",
    "birth_lo",
    "birth_hi",
)

NAME_PARTICLES = frozenset({"de", "del", "la", "las", "los", "y", "e", "da", "do", "dos", "van"})
# "viuda de X", "vda. de X", "v. de X": a widow's married name, not a surname of birth.
_WIDOW = re.compile(r"\b(?:viuda|vda|vd|v)\s+(?:de\s+)?\w+.*$")
# Apostrophes, glottal stops and the saltillo ("7" in some Mayan orthographies, inside words).
_APOSTROPHES = re.compile(r"['’‘`´ʼʻ\u02bc\u02c8\u0027\ua78c]|(?<=[a-z])7(?=[a-z]|$)")
# "López de García" in the second surname: a married woman's "de" + her husband's surname.
_MARRIED = re.compile(r"^(?P<own>[a-z]+) de (?P<husband>[a-z]+)$")
_NON_ALPHA = re.compile(r"[^a-z0-9]+")
_DIGITS = re.compile(r"[^0-9A-Z]")

NICKNAMES_FILE = Path(__file__).parent / "data" / "nicknames.csv"


def fold(text: str | None) -> str:
    """Lower-case ASCII, accents removed, apostrophe and glottal-stop variants removed."""
    if not text:
        return ""
    # Apostrophes go first: NFKD turns the acute accent "´" into a space and a combining mark.
    decomposed = unicodedata.normalize("NFKD", _APOSTROPHES.sub("", str(text).casefold()))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_ALPHA.sub(" ", _APOSTROPHES.sub("", stripped)).strip()


@lru_cache(maxsize=1)
def nicknames() -> dict[str, tuple[str, ...]]:
    """Folded nickname -> folded canonical names (a nickname such as Beto may stand for two)."""
    table: dict[str, list[str]] = {}
    with NICKNAMES_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            nick, canonical = fold(row["nickname"]), fold(row["canonical"])
            if nick and canonical and canonical not in table.setdefault(nick, []):
                table[nick].append(canonical)
    return {nick: tuple(names) for nick, names in table.items()}


def name_words(text: str | None) -> list[str]:
    """Folded words without particles: "de la Cruz" -> ["cruz"]."""
    return [w for w in fold(text).split() if w not in NAME_PARTICLES]


@lru_cache(maxsize=200_000)
def given_names(text: str | None) -> tuple[tuple[str, ...], str]:
    """(canonical given names, alternative canonical of the first name).

    "Pepe Luis" -> (("jose", "luis"), "jose"); "Chema" -> (("jose", "maria"), "jose");
    "Beto" -> (("roberto",), "alberto").
    """
    table = nicknames()
    names: list[str] = []
    alt = ""
    for i, word in enumerate(name_words(text)):
        canon = table.get(word)
        if canon:
            if i == 0 and len(canon) > 1:
                alt = canon[1].split()[0]
            expanded = canon[0].split()
        else:
            expanded = [word]
        for w in expanded:
            if w not in names:
                names.append(w)
    first = names[0] if names else ""
    return tuple(names), alt or first


@lru_cache(maxsize=200_000)
def surname(text: str | None) -> str:
    """One surname, folded, particles and a widow's married name removed.

    "de la Cruz" -> "cruz"; "López viuda de Pérez" -> "lopez"; "K'iche'" -> "kiche".
    Compound surnames keep their words joined by a space ("cruz ramirez").
    """
    folded = _WIDOW.sub("", fold(text)).strip()
    return " ".join(w for w in folded.split() if w not in NAME_PARTICLES)


def split_surnames(surname1: str | None, surname2: str | None) -> tuple[str, str]:
    """Both surnames; a whole name written into the first field ("Pérez López") is split."""
    s1, s2, _married = surnames_of_record(surname1, surname2)
    return s1, s2


def surnames_of_record(
    surname1: str | None, surname2: str | None, sex: str | None = None
) -> tuple[str, str, bool]:
    """(first surname, second surname, the second may be a married name).

    A married woman writes her husband's surname after "de": "López de García" keeps
    "lopez" as her second surname (García is not hers by birth); a bare "de García" may be a
    married name standing in for the second surname, or a surname such as "De León", so it is
    kept and flagged (compared as "second surname differs, perhaps a married name").
    """
    s1, s2 = surname(surname1), surname(surname2)
    married = False
    folded2 = _WIDOW.sub("", fold(surname2)).strip()
    if (sex or "").strip().upper() != "M":
        match = _MARRIED.match(folded2)
        if match and match["own"] not in NAME_PARTICLES:
            s2 = match["own"]
        elif folded2.startswith("de ") and len(folded2.split()) == 2:
            married = True
    if not s2 and " " in s1:
        s1, s2 = s1.split(" ", 1)
    return s1, s2, married


_PHONETIC_RULES = [
    (re.compile(r"sh"), "x"),
    (re.compile(r"ch"), "C"),  # keep "ch" apart from "c"
    (re.compile(r"ll"), "y"),
    (re.compile(r"qu"), "k"),
    (re.compile(r"gu(?=[ei])"), "G"),  # hard g: Guevara, Guillermo
    (re.compile(r"g(?=[ei])"), "j"),
    (re.compile(r"c(?=[ei])"), "s"),
    (re.compile(r"[cq]"), "k"),
    (re.compile(r"(?<![C])h"), ""),
    (re.compile(r"v"), "b"),
    (re.compile(r"[zs]"), "s"),
    (re.compile(r"w"), "gu"),
    (re.compile(r"y(?![aeiou])"), "i"),
    (re.compile(r"(.)\1+"), r"\1"),
]


@lru_cache(maxsize=200_000)
def sound_key(word: str) -> str:
    """A Spanish (and Mayan-Spanish) sound-alike key of a folded word.

    Vásquez, Vasques, Basquez -> "baskes"; Q'eqchi', Kekchí -> "kekCi"; Hernández, Ernandes ->
    "ernandes"; Yanes, Llanes -> "yanes".
    """
    key = word.replace(" ", "")
    for pattern, repl in _PHONETIC_RULES:
        key = pattern.sub(repl, key)
    return key


def _int(value: object) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(str(value))
    except ValueError:
        return None


def _date(value: object) -> date | None:
    if not value:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def birth_parts(
    birth_date: object, birth_year: object, age: object, age_at: object
) -> tuple[str | None, int | None, int | None, int | None, int]:
    """(ISO date, year, month, day, year_exact) from a date, a year or an age at a date.

    An age at a date gives the likelier of the two possible years (a person aged 30 on
    2024-03-01 was born in 1993 or 1994, likelier 1993; on 2024-09-01, likelier 1994); the
    comparisons use the whole range (`birth_range`).
    """
    born = _date(birth_date)
    if born:
        return born.isoformat(), born.year, born.month, born.day, 1
    year = _int(birth_year)
    if year is not None:
        return None, year, None, None, 0
    years, seen = _int(age), _date(age_at)
    if years is not None:
        # Born in the year before (seen.year - age) if the birthday is still to come; that is
        # the likelier year when the age was given in the first half of the year.
        seen = seen or date.today()
        early = seen.timetuple().tm_yday < 183
        return None, seen.year - years - (1 if early else 0), None, None, 0
    return None, None, None, None, 0


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def birth_range(
    birth_date: object, birth_year: object, age: object, age_at: object
) -> tuple[int | None, int | None]:
    """The first and last possible day of birth, as proleptic ordinals (days).

    A date is one day; a year is 1 January to 31 December; an age A at a date D means born
    after D minus A + 1 years and on or before D minus A years. Comparing ranges (how many
    days apart, 0 when they overlap) rather than a likely year lets "30 years old on
    2024-03-01" agree exactly with 1993-05-02 and with 1994-01-10.
    """
    born = _date(birth_date)
    if born:
        return born.toordinal(), born.toordinal()
    year = _int(birth_year)
    if year is not None:
        if not 1 <= year <= 9998:
            return None, None
        return date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
    years, seen = _int(age), _date(age_at)
    if years is not None and 0 <= years < 150:
        seen = seen or date.today()
        try:
            latest = _years_before(seen, years)
            earliest = _years_before(seen, years + 1)
        except ValueError:
            return None, None
        return earliest.toordinal() + 1, latest.toordinal()
    return None, None


def document_key(number: object) -> str:
    return _DIGITS.sub("", fold(str(number or "")).upper())


def derive(record: dict) -> dict:
    """The model's columns for one record in the input layout."""
    given, g1_alt = given_names(record.get("given_names") or "")
    s1, s2, married = surnames_of_record(
        record.get("surname1"), record.get("surname2"), record.get("sex")
    )
    k1, k2 = sound_key(s1) if s1 else "", sound_key(s2) if s2 else ""
    other = sorted(set(name_words(record.get("other_names"))))
    bdate, year, month, day, exact = birth_parts(
        record.get("birth_date"), record.get("birth_year"), record.get("age"), record.get("age_at")
    )
    lo, hi = birth_range(
        record.get("birth_date"), record.get("birth_year"), record.get("age"), record.get("age_at")
    )
    g1 = given[0] if given else ""
    return {
        "unique_id": str(record["record_id"]),
        "given_all": " ".join(given) or None,
        "g1": g1 or None,
        "g1_alt": g1_alt or None,
        "g2": given[1] if len(given) > 1 else None,
        "g3": given[2] if len(given) > 2 else None,
        "g1_key": sound_key(g1) if g1 else None,
        "given_key": " ".join(sound_key(w) for w in given) or None,
        "g_init": g1[:1] or None,
        "s1": s1 or None,
        "s2": s2 or None,
        "s1_key": k1 or None,
        "s2_key": k2 or None,
        # Order-free keys: swapped surnames give the same value.
        "sk_pair": " ".join(sorted(k for k in (k1, k2) if k)) or None,
        "s_pair": " ".join(sorted(s for s in (s1, s2) if s)) or None,
        "s2_married": int(married),
        "other_tokens": " ".join(other) or None,
        "sex": (record.get("sex") or "").strip().upper() or None,
        "birth_date": bdate,
        "birth_year": year,
        "birth_decade": None if year is None else year // 10,
        "birth_month": month,
        "birth_day": day,
        "year_exact": exact,
        "birth_lo": lo,
        "birth_hi": hi,
        "nationality": (record.get("nationality") or "").strip().upper() or None,
        "origin_department": fold(record.get("origin_department")) or None,
        "origin_municipality": fold(record.get("origin_municipality")) or None,
        "document": document_key(record.get("document_number")) or None,
    }
