"""Seeded synthetic records to train the three models (no personal data, no labels needed).

Splink's training is unsupervised: it needs records with duplicates in them, not the truth.
These records use the demo name tables (amparo/demo/names.py) and the corruptions seen in the
network's registers: typos, accents dropped, Mayan apostrophes written four ways, swapped or
dropped surnames, nicknames, a shortened compound given name, day and month swapped, an age
at a date instead of a date (a year off now and then), a guessed birth year, a married
woman's "de" + her husband's surname, a different document or none.

`manage.py match train MODEL` uses `training_records(MODEL)`; the model files committed in
amparo/matching/models/ were made that way and are reproduced exactly by running it again.
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

from amparo.demo import names as demo
from amparo.matching.names import INPUT_COLUMNS, nicknames

MUNICIPALITIES = Path(__file__).resolve().parents[1] / "core" / "data" / "municipalities.csv"
DEPARTMENTS = Path(__file__).resolve().parents[1] / "core" / "data" / "departments.csv"
TODAY = date(2026, 11, 1)
NATIONALITY3 = {"GT": "GTM", "HN": "HND", "SV": "SLV", "MX": "MEX", "NI": "NIC"}


def _places() -> list[tuple[str, str]]:
    with DEPARTMENTS.open(encoding="utf-8") as handle:
        departments = {r["code"]: r.get("name_es") or r.get("name") for r in csv.DictReader(handle)}
    with MUNICIPALITIES.open(encoding="utf-8") as handle:
        return [
            (departments.get(r["department_code"], ""), r["name"]) for r in csv.DictReader(handle)
        ]


def _pick(rng: random.Random, table: dict[str, int]) -> str:
    return rng.choices(list(table), weights=list(table.values()))[0]


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    op = rng.randrange(3)
    if op == 0:
        return word[:i] + word[i + 1 :]
    if op == 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + rng.choice("aeioulnrst") + word[i + 1 :]


_SOUNDS = [
    ("v", "b"),
    ("b", "v"),
    ("z", "s"),
    ("s", "z"),
    ("ll", "y"),
    ("y", "ll"),
    ("ce", "se"),
    ("ci", "si"),
    ("qu", "k"),
    ("h", ""),
    ("j", "g"),
    ("x", "j"),
]


def _sound_alike(rng: random.Random, text: str) -> str:
    """A spelling that sounds the same in Spanish: Vásquez / Básquez, Yolanda / Llolanda."""
    lower = text.casefold()
    options = [(a, b) for a, b in _SOUNDS if a in lower]
    if not options:
        return text
    a, b = rng.choice(options)
    i = lower.index(a)
    out = text[:i] + b + text[i + len(a) :]
    return out[:1].upper() + out[1:]


_ACCENTS = str.maketrans("áéíóúÁÉÍÓÚñÑ", "aeiouAEIOUnN")


def _person(rng: random.Random, places: list[tuple[str, str]], n: int) -> dict[str, str]:
    sex = rng.choice("FM")
    table = demo.FEMALE_GIVEN if sex == "F" else demo.MALE_GIVEN
    given = [_pick(rng, table)]
    if rng.random() < 0.55:
        given.append(_pick(rng, table))
    mayan = rng.random() < 0.35
    surnames = demo.MAYAN_SURNAMES if mayan else demo.SPANISH_SURNAMES
    nationality = _pick(rng, demo.NATIONALITIES)
    if nationality == "HN":
        surnames = {**demo.SPANISH_SURNAMES, **demo.HONDURAN_SURNAMES}
    elif nationality == "SV":
        surnames = {**demo.SPANISH_SURNAMES, **demo.SALVADORAN_SURNAMES}
    elif nationality == "MX":
        surnames = {**demo.SPANISH_SURNAMES, **demo.MEXICAN_SURNAMES}
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 70))
    department, municipality = rng.choice(places) if nationality == "GT" else ("", "")
    return {
        "record_id": f"p{n}",
        "given_names": " ".join(dict.fromkeys(given)),
        "surname1": _pick(rng, surnames),
        "surname2": _pick(rng, surnames) if rng.random() < 0.95 else "",
        "other_names": "",
        "sex": sex,
        "birth_date": born.isoformat(),
        "birth_year": "",
        "age": "",
        "age_at": "",
        "nationality": NATIONALITY3[nationality],
        "origin_department": department,
        "origin_municipality": municipality,
        "document_number": str(rng.randrange(10**12, 10**13)) if rng.random() < 0.5 else "",
    }


def _corrupt(
    rng: random.Random, base: dict[str, str], reverse_nick: dict[str, list[str]], style: str
) -> dict[str, str]:
    rec = dict(base)
    given = rec["given_names"].split()
    r = rng.random
    if r() < 0.25:
        rec["surname1"], rec["surname2"] = rec["surname2"], rec["surname1"]
    if r() < 0.15:
        rec["surname2"] = ""
    if r() < 0.15 and rec["surname2"]:
        rec["surname1"], rec["surname2"] = rec["surname2"], ""
    if len(given) > 1 and r() < 0.3:
        given = given[:1]
    first = given[0].casefold()
    if r() < 0.2 and first in reverse_nick:
        given[0] = rng.choice(reverse_nick[first])
    rec["given_names"] = " ".join(given)
    for column in ("given_names", "surname1", "surname2"):
        if rec[column] and r() < 0.1:
            rec[column] = _sound_alike(rng, rec[column])
        if rec[column] and r() < 0.15:
            rec[column] = _typo(rng, rec[column])
        if r() < 0.3:
            rec[column] = rec[column].translate(_ACCENTS)
        if "'" in rec[column] and r() < 0.5:
            rec[column] = rec[column].replace("'", rng.choice(["", "’", "7", "´"]))
    if rec["sex"] == "F" and rec["surname2"] and r() < 0.06:
        # A married woman: "de" + her husband's surname, alone or after her own second one.
        husband = _pick(rng, demo.SPANISH_SURNAMES)
        own = rec["surname2"] if r() < 0.5 else ""
        rec["surname2"] = f"{own} de {husband}".strip()
    born = date.fromisoformat(base["birth_date"])
    if style == "dedupe":
        if r() < 0.05 and born.day <= 12:
            rec["birth_date"] = date(born.year, born.day, born.month).isoformat()
        elif r() < 0.15:
            # An age at a date, a year wrong three times in ten.
            seen = max(TODAY - timedelta(days=rng.randrange(0, 3000)), born)
            age = seen.year - born.year - ((seen.month, seen.day) < (born.month, born.day))
            age = max(0, age + (rng.choice([-1, 1]) if r() < 0.3 else 0))
            rec.update(birth_date="", age=str(age), age_at=seen.isoformat())
        elif r() < 0.1:
            # A year only, guessed: one off a quarter of the time, two off now and then.
            off = rng.choices([0, 1, 2], [70, 25, 5])[0] * rng.choice([-1, 1])
            rec.update(birth_date="", birth_year=str(min(born.year + off, TODAY.year)))
        elif r() < 0.03:
            rec["birth_date"] = ""
    else:  # a family's report: estimated age or year, few documents
        spread = 2 if style == "missing" else 6
        seen = max(TODAY - timedelta(days=rng.randrange(0, 1500)), born)
        age = seen.year - born.year + rng.randint(-spread, spread)
        if r() < 0.5:
            rec.update(birth_date="", age=str(max(age, 0)), age_at=seen.isoformat())
        elif r() < 0.8:
            rec.update(birth_date="", birth_year=str(born.year + rng.randint(-spread, spread)))
        if r() < 0.8:
            rec["document_number"] = ""
        if style == "family":
            rec["given_names"] = given[0]
            if r() < 0.5:
                rec["surname2"] = ""
    if r() < 0.2:
        rec["document_number"] = ""
    elif rec["document_number"] and r() < 0.1:
        rec["document_number"] = _typo(rng, rec["document_number"])
    if r() < 0.1:
        rec["origin_municipality"] = ""
    if r() < 0.05:
        rec["sex"] = ""
    return rec


def training_records(model: str, people: int = 12_000, seed: int = 5) -> list[dict[str, str]]:
    """About 2.2 records a person, in the input layout; ids are unique."""
    rng = random.Random(f"{model}-{seed}")
    places = _places()
    reverse_nick: dict[str, list[str]] = {}
    for nick, canon in nicknames().items():
        for name in canon:
            reverse_nick.setdefault(name.split()[0], []).append(nick.capitalize())
    records: list[dict[str, str]] = []
    for n in range(people):
        base = _person(rng, places, n)
        records.append(base)
        for k in range(rng.choice([0, 0, 1, 1, 2, 3])):
            rec = _corrupt(rng, base, reverse_nick, model)
            rec["record_id"] = f"p{n}-{k}"
            records.append(rec)
    for rec in records:
        for column in INPUT_COLUMNS:
            rec.setdefault(column, "")
    return records
