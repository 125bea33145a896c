"""Recruiter names and numbers, normalised so the same agency is found however it is spelled.

"Agencia Laboral Los Altos, S.A.", "AGENCIA LABORAL LOS ALTOS SOCIEDAD ANONIMA" and
"agencia laboral los altos" all become "agencia laboral los altos": accents and case dropped,
punctuation dropped, and the legal form (S.A., Sociedad Anónima, Ltda., S. de R.L., ...)
removed, since it is what people leave out or spell differently.
"""

from __future__ import annotations

import re
import secrets
import unicodedata

from rapidfuzz import fuzz, process

# Legal forms as word sequences after normalisation (dots joined: "s.a." → "sa").
LEGAL_FORMS = [
    "sociedad anonima",
    "sociedad de responsabilidad limitada",
    "sociedad colectiva",
    "sociedad en comandita",
    "de responsabilidad limitada",
    "compania limitada",
    "y compania",
    "y cia",
    "s de rl",
    "sde rl",
    "sderl",
    "ltda",
    "limitada",
    "sa de cv",
    "sa",
    "srl",
    "sas",
    "inc",
    "llc",
    "ltd",
    "corp",
    "cia",
]
_FORMS = re.compile(r"\b(?:" + "|".join(re.escape(f) for f in LEGAL_FORMS) + r")\b")
# Crockford's base32 without I, L, O, U: numbers read aloud or typed by hand stay unambiguous.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
DUPLICATE_SCORE = 90.0


def normalise_name(value: str) -> str:
    text = unicodedata.normalize("NFKD", value)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("&", " y ")
    # Dots inside abbreviations join their letters ("S.A." → "sa"); other punctuation splits.
    text = re.sub(r"(?<=\w)\.(?=\w)", "", text).replace(".", " ")
    text = re.sub(r"[^\w\s]|_", " ", text)
    text = " ".join(text.split())
    stripped = " ".join(_FORMS.sub(" ", text).split())
    # A name that is only a legal form ("S.A.") keeps its words rather than vanish.
    return stripped or text


def normalise_tax_number(value: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", value).upper()


def tax_number_valid(nit: str) -> bool:
    """Guatemala's NIT: digits and a mod-11 check character (K stands for 10)."""
    if not re.fullmatch(r"[0-9]{1,12}[0-9K]", nit):
        return False
    body, check = nit[:-1], nit[-1]
    total = sum(int(d) * (len(body) + 1 - i) for i, d in enumerate(body))
    expected = (11 - total % 11) % 11
    return check == ("K" if expected == 10 else str(expected))


def tax_number_with_check(body: str) -> str:
    """The NIT with its check character (demo data and tests)."""
    total = sum(int(d) * (len(body) + 1 - i) for i, d in enumerate(body))
    expected = (11 - total % 11) % 11
    return body + ("K" if expected == 10 else str(expected))


def new_number(rng: object | None = None) -> str:
    """A registration number like RC-7KQ2-M9XD: 40 random bits, so not guessable."""
    pick = getattr(rng, "choice", None) or secrets.choice
    chars = "".join(pick(ALPHABET) for _ in range(8))
    return f"RC-{chars[:4]}-{chars[4:]}"


def normalise_number(value: str) -> str:
    """What someone typed as a registration number, spaced or lower-cased, in stored form."""
    text = re.sub(r"[^0-9A-Za-z]", "", value).upper()
    text = text.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    if text.startswith("RC"):
        text = text[2:]
    if len(text) != 8:
        return ""
    return f"RC-{text[:4]}-{text[4:]}"


# Words many agencies share: they make different names look alike, so the words that tell
# agencies apart are compared on their own too.
GENERIC = set(
    "agencia agencias reclutamiento reclutadora reclutadores empleo empleos servicios laboral "
    "laborales de del la las los el y en internacional internacionales grupo empresa "
    "consultores consultora recursos humanos personal trabajo".split()
)
TOKEN_SCORE = 85.0


def _distinctive(key: str) -> list[str]:
    return [t for t in key.split() if t not in GENERIC]


def _same_words(a: str, b: str) -> bool:
    """Every distinctive word of each name has a close counterpart in the other
    ("altos"/"alto" yes, "sacatepequez"/"suchitepequez" no)."""
    wa, wb = _distinctive(a), _distinctive(b)
    if not wa or not wb:
        return True
    return all(max(fuzz.ratio(x, y) for y in wb) >= TOKEN_SCORE for x in wa) and all(
        max(fuzz.ratio(y, x) for x in wa) >= TOKEN_SCORE for y in wb
    )


def closest(key: str, choices: dict[object, str]) -> tuple[object, float] | None:
    """The existing name closest to `key` when it is a probable duplicate, else None."""
    if not key or not choices:
        return None
    found = process.extract(
        key, choices, scorer=fuzz.token_sort_ratio, score_cutoff=DUPLICATE_SCORE, limit=10
    )
    for _name, score, pk in found:
        if _same_words(key, choices[pk]):
            return pk, score
    return None
