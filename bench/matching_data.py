"""Seeded linkage test data for person matching, with known truth (issue 5, "Benchmark").

    .venv/bin/python bench/matching_data.py --records 100000 --seed 5 --out var/matching_bench/data

Population: Guatemalans (Spanish and Mayan names), Hondurans, Salvadorans, Mexicans; children
and adults; brothers and sisters, twins and fathers and sons with the same name (the hard
non-matches). Name tables come from amparo/demo/names.py. Each true person gets 1–6 records,
each written with the corruptions seen in this network (see CORRUPTIONS). Files written:

  records.csv   the dedupe input (the `manage.py match` layout)
  truth.csv     record_id, person_id
  meta.csv      record_id, person_id, group (mayan/spanish), child (0/1), corruptions (a;b)
  left.csv      missing-person reports from families (estimated ages, fewer fields)
  right.csv     people found, detained, sheltered, and unidentified remains
  links.csv     left_id, right_id: the true links between left and right
  left_meta.csv / right_meta.csv   id, person_id, group, child, kind, corruptions

The nickname table is this benchmark's own (not the engine's), so the engine is not graded on
a list it wrote itself. Same seed, same files, byte for byte.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import datetime as dt
import itertools
import random
import sys
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from amparo.demo import names as N  # noqa: E402

COLUMNS = [
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
]
REFERENCE_DATE = dt.date(2026, 6, 1)

# Corruption types, as they happen in this network. Every record lists the ones applied to it
# (meta.csv), so recall can be broken down by type.
CORRUPTIONS = [
    "accent_drop",  # Hernández -> Hernandez (and ñ -> n)
    "accent_add",  # Ruiz -> Ruíz, Maria -> Marìa
    "case",  # UPPER or lower case
    "typo_keyboard",  # one edit with a neighbouring key, a doubled or lost letter
    "typo_phonetic",  # b/v, s/z/c, ll/y, silent h dropped, j/g, x/j
    "drop_surname2",
    "swap_surnames",
    "spouse_surname",  # María Pérez López de García: "de García" in surname2
    "short_compound",  # María José -> María
    "nickname",  # José -> Pepe / Chepe, Guadalupe -> Lupe
    "mayan_orthography",  # K'iche'/Kiche, Tz'/Tz, Q'/Q/K, c/qu -> k
    "day_month_swap",
    "birth_year_only",  # estimated birth year instead of the date (sometimes off by 1-2)
    "age_at",  # age at a date instead of the date (sometimes off by one)
    "missing_fields",  # sex, nationality or origin left empty
    "doc_typo",  # document number mistyped (one digit changed or two swapped)
    "surname_in_given",  # foreign forms: all but the last surname put in given names
    "claimed_mex",  # nationality given as Mexican (detained people, to be returned to Mexico)
]

# Nicknames (hypocorísticos) in Guatemala, Honduras, El Salvador and Mexico. Written for this
# benchmark, independently of the engine's table.
NICKNAMES = {
    "José": ["Pepe", "Chepe", "Chepito"],
    "Josefa": ["Chepa", "Pepa"],
    "Guadalupe": ["Lupe", "Lupita"],
    "Jesús": ["Chuy", "Chucho"],
    "Francisco": ["Paco", "Pancho", "Chico"],
    "Manuel": ["Manolo", "Meme"],
    "Antonio": ["Toño", "Tono"],
    "Santiago": ["Chago"],
    "Domingo": ["Mingo"],
    "Dominga": ["Minga"],
    "Rosa": ["Rosita", "Chayo"],
    "Isabel": ["Chabela", "Chabe"],
    "Catarina": ["Cata", "Caty"],
    "Candelaria": ["Cande", "Lala"],
    "Magdalena": ["Malena", "Nena"],
    "Sebastián": ["Chepe", "Sebas", "Bastián"],
    "Rigoberto": ["Rigo"],
    "Baltazar": ["Balta"],
    "Tomás": ["Tomasito", "Tom"],
    "Luis": ["Lucho", "Güicho"],
    "Pedro": ["Perucho", "Perico"],
    "Gaspar": ["Gaspi"],
    "Jorge": ["Coque"],
    "Juana": ["Juanita"],
    "Juan": ["Juancho", "Juanito"],
    "María": ["Mari", "Maruca"],
    "Carmen": ["Mela", "Carmencita"],
    "Lucía": ["Lucha", "Lucy"],
    "Sofía": ["Sofi"],
    "Valeria": ["Vale"],
    "Miguel": ["Migue", "Mike"],
    "Otoniel": ["Oto"],
    "Erick": ["Kike"],
}
# Compound given names with a nickname of their own.
COMPOUND_NICKNAMES = {
    ("María", "José"): ["Majo"],
    ("José", "María"): ["Chema"],
    ("Juan", "José"): ["Juanjo"],
    ("José", "Luis"): ["Pepe Luis", "Joselo"],
    ("María", "Guadalupe"): ["Lupita"],
    ("María", "Isabel"): ["Maribel"],
}
MAYAN_GIVEN = {"Ixchel", "Nikte'", "Ixmucané", "Tz'unun", "Ixkik'", "Sak'ik"} | {
    "B'alam",
    "Kemel",
    "Ajpop",
    "Tepeu",
    "Kame",
}
NATIONALITY_WEIGHTS = {"GTM": 78, "HND": 11, "SLV": 7, "MEX": 4}
KEYBOARD = {
    row[i]: row[max(0, i - 1) : i] + row[i + 1 : i + 2]
    for row in ("qwertyuiop", "asdfghjklñ", "zxcvbnm")
    for i in range(len(row))
}


class Weighted:
    def __init__(self, table: dict[str, int]) -> None:
        self.items = list(table)
        self.cum = list(itertools.accumulate(table.values()))

    def draw(self, rng: random.Random) -> str:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.cum[-1])]


FEMALE = Weighted(N.FEMALE_GIVEN)
MALE = Weighted(N.MALE_GIVEN)
FEMALE_SPANISH = Weighted({k: v for k, v in N.FEMALE_GIVEN.items() if k not in MAYAN_GIVEN})
MALE_SPANISH = Weighted({k: v for k, v in N.MALE_GIVEN.items() if k not in MAYAN_GIVEN})
FEMALE_MAYAN = Weighted({k: v for k, v in N.FEMALE_GIVEN.items() if k in MAYAN_GIVEN})
MALE_MAYAN = Weighted({k: v for k, v in N.MALE_GIVEN.items() if k in MAYAN_GIVEN})
SPANISH = Weighted(N.SPANISH_SURNAMES)
MAYAN = Weighted(N.MAYAN_SURNAMES)
FOREIGN = {
    "HND": Weighted(N.HONDURAN_SURNAMES),
    "SLV": Weighted(N.SALVADORAN_SURNAMES),
    "MEX": Weighted(N.MEXICAN_SURNAMES),
}
DEPARTMENT = Weighted(N.DEPARTMENT_WEIGHTS)
NATIONALITY = Weighted(NATIONALITY_WEIGHTS)


def _municipalities() -> dict[str, list[str]]:
    by_dept: dict[str, list[str]] = {}
    with open(ROOT / "amparo" / "core" / "data" / "municipalities.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            by_dept.setdefault(row["department_code"], []).append(row["code"])
    return by_dept


MUNICIPALITIES = _municipalities()


@dataclass
class Person:
    person_id: str
    given: list[str]
    surname1: str
    surname2: str
    sex: str
    birth_date: dt.date
    nationality: str
    department: str
    municipality: str
    document: str
    mayan: bool
    spouse: str = ""
    household: str = ""
    relation: str = ""  # to the previous person of the household: sibling, twin, junior

    @property
    def child(self) -> bool:
        return _age(self.birth_date, REFERENCE_DATE) < 18


@dataclass
class Record:
    record_id: str
    person: Person
    given: list[str]
    surname1: str
    surname2: str
    other_names: str = ""
    sex: str = ""
    birth_date: str = ""
    birth_year: str = ""
    age: str = ""
    age_at: str = ""
    nationality: str = ""
    department: str = ""
    municipality: str = ""
    document: str = ""
    kind: str = ""
    corruptions: list[str] = field(default_factory=list)

    def row(self) -> list[str]:
        return [
            self.record_id,
            " ".join(g for g in self.given if g),
            self.surname1,
            self.surname2,
            self.other_names,
            self.sex,
            self.birth_date,
            self.birth_year,
            self.age,
            self.age_at,
            self.nationality,
            self.department,
            self.municipality,
            self.document,
        ]

    def meta(self) -> list[str]:
        p = self.person
        return [
            self.record_id,
            p.person_id,
            "mayan" if p.mayan else "spanish",
            "1" if p.child else "0",
            self.kind,
            ";".join(self.corruptions),
            p.household,
            p.relation,
        ]


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


class PopulationGenerator:
    """Draws true people, in households: brothers and sisters, twins, fathers and sons."""

    def __init__(self, rng: random.Random, prefix: str = "p") -> None:
        self.rng = rng
        self.prefix = prefix
        self.serial = itertools.count(1)
        self.last: Person | None = None

    def _given(self, sex: str, mayan: bool) -> list[str]:
        rng = self.rng
        if mayan and rng.random() < 0.15:
            first = (FEMALE_MAYAN if sex == "F" else MALE_MAYAN).draw(rng)
        else:
            first = (FEMALE_SPANISH if sex == "F" else MALE_SPANISH).draw(rng)
        if rng.random() < 0.55:
            if sex == "F" and first == "María" and rng.random() < 0.15:
                return [first, "José"]
            table = FEMALE_SPANISH if sex == "F" else MALE_SPANISH
            for _ in range(5):
                second = table.draw(rng)
                if second != first:
                    return [first, second]
        return [first]

    def _surname(self, nationality: str, mayan: bool) -> str:
        rng = self.rng
        if nationality != "GTM":
            return FOREIGN[nationality].draw(rng) if rng.random() < 0.35 else SPANISH.draw(rng)
        return MAYAN.draw(rng) if mayan and rng.random() < 0.85 else SPANISH.draw(rng)

    def _birth(self) -> dt.date:
        rng = self.rng
        age = rng.randint(0, 17) if rng.random() < 0.28 else int(rng.triangular(18, 70, 24))
        return REFERENCE_DATE - dt.timedelta(days=age * 365 + rng.randrange(365))

    def _document(self, nationality: str, municipality: str, born: dt.date) -> str:
        rng = self.rng
        if nationality == "GTM":  # CUI/DPI: 8-digit serial, check digit, municipality
            return f"{rng.randrange(10**7, 10**8)}{rng.randrange(10)}{municipality or '0101'}"
        if nationality == "HND":
            place = f"{rng.randint(1, 18):02d}{rng.randint(1, 28):02d}"
            return f"{place}{born.year}{rng.randrange(10**5):05d}"
        if nationality == "SLV":
            return f"{rng.randrange(10**7, 10**8):08d}-{rng.randrange(10)}"
        letters = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4))
        return f"{letters}{born:%y%m%d}{rng.choice('HM')}{rng.choice(['GT', 'CS', 'OC'])}"

    def person(self) -> Person:
        rng = self.rng
        pid = f"{self.prefix}{next(self.serial):07d}"
        prev = self.last
        roll = rng.random()
        if prev is not None and roll < 0.30:
            # Same household: a brother or sister (3% of them twins), or a son named after
            # his father ("junior").
            sex = rng.choice("FM")
            if roll < 0.02 and prev.sex == "M" and not prev.child:
                sex, given = "M", list(prev.given)
                born = prev.birth_date + dt.timedelta(days=rng.randint(18, 35) * 365)
                if born > REFERENCE_DATE:
                    born = REFERENCE_DATE - dt.timedelta(days=rng.randrange(365))
            else:
                given = self._given(sex, prev.mayan)
                while given == prev.given:
                    given = self._given(sex, prev.mayan)
                twins = rng.random() < 0.03
                shift = 0 if twins else rng.choice([-1, 1]) * rng.randint(300, 3650)
                born = prev.birth_date + dt.timedelta(days=shift)
                if born > REFERENCE_DATE:
                    born = prev.birth_date - dt.timedelta(days=abs(shift))
            p = replace(
                prev,
                person_id=pid,
                given=given,
                sex=sex,
                birth_date=born,
                spouse="",
                relation="",
            )
            p.document = self._document(p.nationality, p.municipality, born)
            p.relation = (
                "junior"
                if roll < 0.02 and given == prev.given
                else ("twin" if born == prev.birth_date else "sibling")
            )
        else:
            nationality = NATIONALITY.draw(rng)
            mayan = nationality == "GTM" and rng.random() < 0.45
            sex = rng.choice("FM")
            department = municipality = ""
            if nationality == "GTM":
                department = DEPARTMENT.draw(rng)
                municipality = rng.choice(MUNICIPALITIES[department])
            born = self._birth()
            s1 = self._surname(nationality, mayan)
            s2 = self._surname(nationality, mayan)
            p = Person(
                person_id=pid,
                given=self._given(sex, mayan),
                surname1=s1,
                surname2=s2,
                sex=sex,
                birth_date=born,
                nationality=nationality,
                department=department,
                municipality=municipality,
                document=self._document(nationality, municipality, born),
                mayan=mayan and (s1 in N.MAYAN_SURNAMES or s2 in N.MAYAN_SURNAMES),
                household=pid,
            )
        if p.sex == "F" and not p.child:
            p.spouse = SPANISH.draw(rng) if rng.random() < 0.8 else MAYAN.draw(rng)
        self.last = p
        return p


# --- corruptions --------------------------------------------------------------------------

PHONETIC = [
    ("b", "v"),
    ("v", "b"),
    ("z", "s"),
    ("s", "z"),
    ("ce", "se"),
    ("ci", "si"),
    ("ll", "y"),
    ("y", "ll"),
    ("ge", "je"),
    ("gi", "ji"),
    ("je", "ge"),
    ("ji", "gi"),
    ("x", "j"),
    ("qu", "k"),
]
ACCENTABLE = {"a": "á", "e": "é", "i": "í", "o": "ó", "u": "ú"}


def _phonetic(word: str, rng: random.Random) -> str | None:
    low = word.lower()
    options = [(a, b) for a, b in PHONETIC if a in low[1:] or (a in low and a not in "xqu")]
    if "h" in low:
        options.append(("h", ""))
    if not options:
        return None
    a, b = rng.choice(options)
    i = low.find(a, 1) if a in low[1:] else low.find(a)
    out = word[:i] + b + word[i + len(a) :]
    return out[:1].upper() + out[1:] if word[:1].isupper() else out


def _keyboard(word: str, rng: random.Random) -> str:
    if len(word) < 3:
        return word + word[-1]
    i = rng.randrange(1, len(word))
    op = rng.random()
    c = word[i].lower()
    if op < 0.4 and c in KEYBOARD:
        return word[:i] + rng.choice(KEYBOARD[c]) + word[i + 1 :]
    if op < 0.6:
        return word[:i] + word[i + 1 :]
    if op < 0.8:
        return word[:i] + word[i] + word[i:]
    if i < len(word) - 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + word[i + 1 :]


def _mayan_variant(word: str, rng: random.Random) -> str | None:
    """Mayan spelling variants: apostrophes (glottal stops) lost or added, the old c/qu
    spelling against the current k, q' written as q or k."""
    options = []
    if "'" in word:
        options += ["drop_apostrophe", "q_to_k"] if "q'" in word.lower() else ["drop_apostrophe"]
    low = word.lower()
    if "qu" in low or "c" in low.replace("ch", ""):
        options.append("c_to_k")
    if low.startswith(("tz", "ch", "k")) and "'" not in word:
        options.append("add_apostrophe")
    if not options:
        return None
    op = rng.choice(options)
    if op == "drop_apostrophe":
        return word.replace("'", "").replace("’", "")
    if op == "q_to_k":
        return word.replace("Q'", "K").replace("q'", "k")
    if op == "c_to_k":
        out = word.replace("Qu", "K").replace("qu", "k").replace("Ch", "\0").replace("ch", "\1")
        out = out.replace("C", "K").replace("c", "k")
        return out.replace("\0", "Ch").replace("\1", "ch")
    n = 2 if low[:2] in ("tz", "ch") else 1
    return word[:n] + "'" + word[n:]


def _doc_typo(doc: str, rng: random.Random) -> str:
    digits = [i for i, c in enumerate(doc) if c.isdigit()]
    i = rng.choice(digits)
    if rng.random() < 0.5 and i + 1 < len(doc) and doc[i + 1].isdigit() and doc[i] != doc[i + 1]:
        return doc[:i] + doc[i + 1] + doc[i] + doc[i + 2 :]
    return doc[:i] + str((int(doc[i]) + rng.randint(1, 9)) % 10) + doc[i + 1 :]


def _name_fields(rec: Record) -> list[tuple[str, int]]:
    """(field, index) of every non-empty name part, to pick one to corrupt."""
    out = [("given", i) for i, g in enumerate(rec.given) if g]
    out += [(f, 0) for f in ("surname1", "surname2") if getattr(rec, f)]
    return out


def _get(rec: Record, where: tuple[str, int]) -> str:
    return rec.given[where[1]] if where[0] == "given" else getattr(rec, where[0])


def _set(rec: Record, where: tuple[str, int], value: str) -> None:
    old = _get(rec, where)
    if old.isupper():
        value = value.upper()
    elif old.islower():
        value = value.lower()
    if where[0] == "given":
        rec.given[where[1]] = value
    else:
        setattr(rec, where[0], value)


def apply(rec: Record, kind: str, rng: random.Random) -> bool:
    """Apply one corruption in place; False when it does not apply to this record."""
    p = rec.person
    if kind == "accent_drop":
        if not any(strip_accents(x) != x for x in rec.given + [rec.surname1, rec.surname2]):
            return False
        rec.given = [strip_accents(g) for g in rec.given]
        rec.surname1, rec.surname2 = strip_accents(rec.surname1), strip_accents(rec.surname2)
    elif kind == "accent_add":
        where = rng.choice(_name_fields(rec))
        word = _get(rec, where)
        spots = [i for i, c in enumerate(word) if c in ACCENTABLE]
        if not spots or strip_accents(word) != word:
            return False
        i = rng.choice(spots)
        _set(rec, where, word[:i] + ACCENTABLE[word[i]] + word[i + 1 :])
    elif kind == "case":
        f = str.upper if rng.random() < 0.75 else str.lower
        rec.given = [f(g) for g in rec.given]
        rec.surname1, rec.surname2 = f(rec.surname1), f(rec.surname2)
        rec.other_names = f(rec.other_names)
    elif kind == "typo_keyboard":
        where = rng.choice(_name_fields(rec))
        _set(rec, where, _keyboard(_get(rec, where), rng))
    elif kind == "typo_phonetic":
        fields = _name_fields(rec)
        rng.shuffle(fields)
        for where in fields:
            out = _phonetic(_get(rec, where), rng)
            if out is not None and out.lower() != _get(rec, where).lower():
                _set(rec, where, out)
                return True
        return False
    elif kind == "drop_surname2":
        if not rec.surname2:
            return False
        rec.surname2 = ""
    elif kind == "swap_surnames":
        if not rec.surname2 or rec.surname1 == rec.surname2:
            return False
        rec.surname1, rec.surname2 = rec.surname2, rec.surname1
    elif kind == "spouse_surname":
        if not p.spouse or not rec.surname2:
            return False
        rec.surname2 = f"de {p.spouse}" if rng.random() < 0.5 else f"{rec.surname2} de {p.spouse}"
    elif kind == "short_compound":
        if len(rec.given) < 2:
            return False
        rec.given = rec.given[:1]
    elif kind == "nickname":
        pair = tuple(rec.given[:2])
        if pair in COMPOUND_NICKNAMES and rng.random() < 0.6:
            rec.given = rng.choice(COMPOUND_NICKNAMES[pair]).split()
        else:
            options = [i for i, g in enumerate(rec.given) if g in NICKNAMES]
            if not options:
                return False
            i = options[0]
            nick = rng.choice(NICKNAMES[rec.given[i]])
            rec.given = [nick] if rng.random() < 0.5 else rec.given[:i] + [nick]
    elif kind == "mayan_orthography":
        if not p.mayan:
            return False
        fields = _name_fields(rec)
        rng.shuffle(fields)
        done = False
        for where in fields:
            word = _get(rec, where)
            if word not in N.MAYAN_SURNAMES and word not in MAYAN_GIVEN:
                continue
            out = _mayan_variant(word, rng)
            if out is not None and out != word:
                _set(rec, where, out)
                done = True
                if rng.random() < 0.5:
                    break
        return done
    elif kind == "day_month_swap":
        if not rec.birth_date:
            return False
        y, m, d = rec.birth_date.split("-")
        if int(d) > 12 or d == m or f"{y}-{d}-{m}" > REFERENCE_DATE.isoformat():
            return False
        rec.birth_date = f"{y}-{d}-{m}"
    elif kind == "birth_year_only":
        off = rng.choices([0, 1, 2], [70, 25, 5])[0] * rng.choice([-1, 1])
        rec.birth_date = rec.age = rec.age_at = ""
        rec.birth_year = str(min(p.birth_date.year + off, REFERENCE_DATE.year))
    elif kind == "age_at":
        when = dt.date(rng.randint(2018, 2026), rng.randint(1, 12), rng.randint(1, 28))
        when = min(when, REFERENCE_DATE)
        if when < p.birth_date:
            return False
        off = 0 if rng.random() < 0.7 else rng.choice([-1, 1])
        rec.birth_date = rec.birth_year = ""
        rec.age = str(max(0, _age(p.birth_date, when) + off))
        rec.age_at = when.isoformat()
    elif kind == "missing_fields":
        options = ["sex", "nationality", "origin"]
        for f in rng.sample(options, rng.randint(1, 2)):
            if f == "origin":
                rec.department = rec.municipality = ""
            else:
                setattr(rec, f, "")
    elif kind == "doc_typo":
        if not rec.document:
            return False
        rec.document = _doc_typo(rec.document, rng)
    elif kind == "surname_in_given":
        if not rec.surname2:
            return False
        rec.given = rec.given + [rec.surname1]
        rec.surname1, rec.surname2 = rec.surname2, ""
    elif kind == "claimed_mex":
        if p.nationality == "MEX":
            return False
        rec.nationality = "MEX"
        rec.department = rec.municipality = ""
    else:  # pragma: no cover
        raise ValueError(kind)
    return True


def _base_record(rid: str, p: Person, rng: random.Random, doc_share: float) -> Record:
    # Origin: the department in three records of four, the municipality (which names its
    # department) in 60% of those.
    department = p.department if rng.random() < 0.75 else ""
    municipality = p.municipality if department and rng.random() < 0.6 else ""
    return Record(
        record_id=rid,
        person=p,
        given=list(p.given),
        surname1=p.surname1,
        surname2=p.surname2,
        sex=p.sex,
        birth_date=p.birth_date.isoformat(),
        nationality=p.nationality,
        department=department,
        municipality=municipality,
        document=p.document if rng.random() < doc_share else "",
    )


# Name, date and field corruptions for records of the network (dedupe), with their weights.
DEDUPE_WEIGHTS = {
    "accent_drop": 14,
    "accent_add": 3,
    "case": 8,
    "typo_keyboard": 8,
    "typo_phonetic": 9,
    "drop_surname2": 9,
    "swap_surnames": 4,
    "spouse_surname": 3,
    "short_compound": 7,
    "nickname": 4,
    "mayan_orthography": 8,
    "day_month_swap": 3,
    "missing_fields": 6,
    "doc_typo": 3,
}
# Not drawn as one of k: the form the birth is given in.
DATE_FORM = {"full": 80, "birth_year_only": 7, "age_at": 13}


def corrupt(rec: Record, rng: random.Random, k: int, weights: dict[str, int]) -> Record:
    kinds = list(weights)
    w = list(weights.values())
    tries = 0
    while k > 0 and tries < 20:
        tries += 1
        kind = rng.choices(kinds, w)[0]
        if kind in rec.corruptions:
            continue
        if apply(rec, kind, rng):
            rec.corruptions.append(kind)
            k -= 1
    return rec


def _date_form(rec: Record, rng: random.Random, form: dict[str, int]) -> None:
    kind = rng.choices(list(form), list(form.values()))[0]
    if kind != "full" and apply(rec, kind, rng):
        rec.corruptions.append(kind)


def dedupe_records(
    n: int, rng: random.Random
) -> list[Record]:  # records of the network, shuffled, n of them
    pop = PopulationGenerator(rng, "p")
    out: list[Record] = []
    sizes = [1, 2, 3, 4, 5, 6]
    size_w = [40, 25, 15, 10, 6, 4]
    while len(out) < n:
        p = pop.person()
        m = min(rng.choices(sizes, size_w)[0], n - len(out))
        for j in range(m):
            rec = _base_record("", p, rng, doc_share=0.35 if not p.child else 0.15)
            if j == 0:
                k = rng.choices([0, 1, 2], [50, 35, 15])[0]
            else:
                k = rng.choices([0, 1, 2, 3], [15, 40, 30, 15])[0]
            _date_form(
                rec, rng, DATE_FORM if j else {"full": 85, "birth_year_only": 5, "age_at": 10}
            )
            corrupt(rec, rng, k, DEDUPE_WEIGHTS)
            if rng.random() < 0.03 and rec.given and rec.given[0] in NICKNAMES:
                rec.other_names = rng.choice(NICKNAMES[rec.given[0]])  # "known as"
            out.append(rec)
    rng.shuffle(out)
    for i, rec in enumerate(out, 1):
        rec.record_id = f"r{i:07d}"
    return out


# Family reports: the family knows the name (perhaps a nickname), gives an estimated age.
LEFT_WEIGHTS = {
    "accent_drop": 10,
    "case": 5,
    "typo_phonetic": 8,
    "typo_keyboard": 4,
    "drop_surname2": 6,
    "short_compound": 6,
    "nickname": 6,
    "mayan_orthography": 8,
    "missing_fields": 3,
}
LEFT_DATE = {"full": 35, "birth_year_only": 15, "age_at": 50}
# Found, detained, sheltered: names as told to (often foreign) officials.
RIGHT_WEIGHTS = {
    "accent_drop": 30,
    "case": 12,
    "typo_keyboard": 8,
    "typo_phonetic": 10,
    "drop_surname2": 10,
    "swap_surnames": 5,
    "surname_in_given": 6,
    "short_compound": 6,
    "nickname": 3,
    "mayan_orthography": 8,
    "day_month_swap": 6,
    "missing_fields": 6,
    "doc_typo": 3,
    "claimed_mex": 3,
}
RIGHT_DATE = {"full": 70, "birth_year_only": 10, "age_at": 20}
REMAINS_WEIGHTS = {
    "accent_drop": 20,
    "case": 10,
    "typo_keyboard": 12,
    "drop_surname2": 15,
    "short_compound": 10,
    "doc_typo": 5,
}


def _remains(rec: Record, rng: random.Random) -> None:
    """Unidentified remains: sex and an estimated age range from forensic staff, a name only
    from a document or belongings found with the body (often partial)."""
    p = rec.person
    found = REFERENCE_DATE - dt.timedelta(days=rng.randrange(900))
    true_age = max(0, _age(p.birth_date, found))
    rec.birth_date = rec.birth_year = ""
    rec.age = str(max(0, true_age + rng.randint(-4, 4)))
    rec.age_at = found.isoformat()
    rec.corruptions.append("age_at")
    rec.nationality = rec.nationality if rng.random() < 0.3 else ""
    rec.department = rec.municipality = ""
    rec.document = p.document if rng.random() < 0.4 else ""
    if rng.random() < 0.3:
        rec.given = rec.given[:1]
    if rng.random() < 0.3:
        rec.surname2 = ""


def link_records(
    n_left: int, n_right: int, rng: random.Random
) -> tuple[list[Record], list[Record], list[tuple[str, str]]]:
    pop = PopulationGenerator(rng, "m")
    left: list[Record] = []
    right: list[Record] = []
    missing: list[Person] = []
    while len(left) < n_left:
        p = pop.person()
        missing.append(p)
        for _ in range(1 if rng.random() < 0.9 else 2):  # reported by one or two relatives
            rec = _base_record("", p, rng, doc_share=0.15)
            rec.kind = "report"
            rec.department = p.department if rng.random() < 0.9 else ""
            _date_form(rec, rng, LEFT_DATE)
            corrupt(rec, rng, rng.choices([0, 1, 2], [30, 45, 25])[0], LEFT_WEIGHTS)
            left.append(rec)
        # A brother, sister or cousin who travelled along is the hardest non-match.
        if rng.random() < 0.25 and len(right) < n_right:
            rel = pop.person()
            rec = _right_record(rel, rng)
            right.append(rec)
    for p in missing:
        if rng.random() < 0.8 and len(right) < n_right:
            for _ in range(1 if rng.random() < 0.8 else 2):
                right.append(_right_record(p, rng))
    strangers = PopulationGenerator(rng, "o")
    while len(right) < n_right:
        right.append(_right_record(strangers.person(), rng))
    rng.shuffle(left)
    rng.shuffle(right)
    for i, rec in enumerate(left, 1):
        rec.record_id = f"L{i:07d}"
    for i, rec in enumerate(right, 1):
        rec.record_id = f"F{i:07d}"
    by_person: dict[str, list[str]] = {}
    for rec in right:
        by_person.setdefault(rec.person.person_id, []).append(rec.record_id)
    links = [
        (rec.record_id, rid) for rec in left for rid in by_person.get(rec.person.person_id, [])
    ]
    return left, right, links


def _right_record(p: Person, rng: random.Random) -> Record:
    rec = _base_record("", p, rng, doc_share=0.3)
    rec.kind = rng.choices(["found", "detained", "sheltered", "remains"], [15, 50, 25, 10])[0]
    if rec.kind == "remains":
        _remains(rec, rng)
        corrupt(rec, rng, rng.choices([0, 1, 2], [30, 45, 25])[0], REMAINS_WEIGHTS)
    else:
        _date_form(rec, rng, RIGHT_DATE)
        corrupt(rec, rng, rng.choices([0, 1, 2, 3], [20, 40, 28, 12])[0], RIGHT_WEIGHTS)
    return rec


def _write(path: Path, header: list[str], rows) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


META = ["record_id", "person_id", "group", "child", "kind", "corruptions", "household", "relation"]


def generate(
    out: Path,
    records: int,
    seed: int,
    left: int | None = None,
    right: int | None = None,
    link: bool = True,
) -> dict[str, int]:
    """Write the benchmark files to `out`; returns counts. Deterministic for a seed."""
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    recs = dedupe_records(records, rng)
    _write(out / "records.csv", COLUMNS, (r.row() for r in recs))
    _write(
        out / "truth.csv",
        ["record_id", "person_id"],
        ((r.record_id, r.person.person_id) for r in recs),
    )
    _write(out / "meta.csv", META, (r.meta() for r in recs))
    counts = {"records": len(recs), "persons": len({r.person.person_id for r in recs})}
    if not link:
        return counts
    n_left = left if left is not None else max(20, records // 20)
    n_right = right if right is not None else max(60, records // 4)
    lrecs, rrecs, links = link_records(n_left, n_right, random.Random(seed * 7919 + 1))
    _write(out / "left.csv", COLUMNS, (r.row() for r in lrecs))
    _write(out / "right.csv", COLUMNS, (r.row() for r in rrecs))
    _write(out / "links.csv", ["left_id", "right_id"], links)
    _write(out / "left_meta.csv", META, (r.meta() for r in lrecs))
    _write(out / "right_meta.csv", META, (r.meta() for r in rrecs))
    return counts | {
        "left": len(lrecs),
        "right": len(rrecs),
        "links": len(links),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--left", type=int, default=None, help="family reports (records/20)")
    parser.add_argument("--right", type=int, default=None, help="found people (records/4)")
    parser.add_argument("--no-link", action="store_true", help="records.csv and truth only")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "matching_bench" / "data")
    args = parser.parse_args()
    counts = generate(
        args.out, args.records, args.seed, args.left, args.right, link=not args.no_link
    )
    print(" ".join(f"{k}={v:,}" for k, v in counts.items()), "->", args.out)


if __name__ == "__main__":
    main()
