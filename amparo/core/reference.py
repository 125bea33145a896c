"""Load the network's reference data from the CSV files in core/data and from pycountry.

Idempotent: running it again updates names and adds what is new, and never deletes.
"""

from __future__ import annotations

import csv
import gettext
from collections.abc import Callable, Iterator
from pathlib import Path

import pycountry
from django.db import transaction

from .models import Country, Department, Institution, Language, Municipality, Site, Team

DATA = Path(__file__).resolve().parent / "data"

# Teams every institution starts with; institutions add their own in the admin pages.
DEFAULT_TEAMS = {
    "general": ("Equipo general", "General team"),
    "protection": ("Equipo de protección", "Protection team"),
}


def rows(name: str) -> Iterator[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _spanish(domain: str) -> gettext.NullTranslations:
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=["es"], fallback=True)


def load_countries() -> int:
    es = _spanish("iso3166-1")
    for c in pycountry.countries:
        name_en = getattr(c, "common_name", None) or c.name
        Country.objects.update_or_create(
            code=c.alpha_2,
            defaults={"alpha3": c.alpha_3, "name_en": name_en, "name_es": es.gettext(c.name)},
        )
    return len(pycountry.countries)


def load_languages() -> int:
    """Every ISO 639-3 living language, plus Guatemala's own with their Spanish names."""
    existing = set(Language.objects.values_list("code", flat=True))
    es = _spanish("iso639-3")
    Language.objects.bulk_create(
        [
            Language(code=lang.alpha_3, name_en=lang.name, name_es=es.gettext(lang.name))
            for lang in pycountry.languages
            if lang.alpha_3 not in existing and getattr(lang, "type", "L") == "L"
        ],
        batch_size=1000,
    )
    national = list(rows("languages.csv"))
    for row in national:
        Language.objects.update_or_create(
            code=row["code"],
            defaults={
                "name_es": row["name_es"],
                "name_en": row["name_en"],
                "family": row["family"],
                "national": row["code"] != "eng",
            },
        )
    return Language.objects.count()


def load_geography() -> tuple[int, int]:
    for row in rows("departments.csv"):
        Department.objects.update_or_create(code=row["code"], defaults={"name": row["name"]})
    for row in rows("municipalities.csv"):
        Municipality.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "department_id": row["department_code"]},
        )
    return Department.objects.count(), Municipality.objects.count()


def load_institutions() -> int:
    data = list(rows("institutions.csv"))
    for row in data:
        Institution.objects.update_or_create(
            code=row["code"],
            defaults={
                "acronym_es": row["acronym_es"],
                "acronym_en": row["acronym_en"],
                "name_es": row["name_es"],
                "name_en": row["name_en"],
                "sector": row["sector"],
            },
        )
    by_code = {i.code: i for i in Institution.objects.all()}
    for row in data:
        if row["parent_code"]:
            Institution.objects.filter(code=row["code"]).update(parent=by_code[row["parent_code"]])
    for institution in by_code.values():
        for code, (name_es, name_en) in DEFAULT_TEAMS.items():
            Team.objects.get_or_create(
                institution=institution,
                code=code,
                defaults={"name_es": name_es, "name_en": name_en},
            )
    return len(by_code)


def _site(code: str, institution: str, kind: str, defaults: dict[str, object]) -> None:
    inst = Institution.objects.get(code=institution)
    Site.objects.update_or_create(
        code=Site.normal_code(code),
        defaults={"institution": inst, "kind": kind, **defaults},
    )


def load_sites() -> int:
    for row in rows("consulates.csv"):
        _site(
            row["code"],
            "MINEX",
            Site.Kind.CONSULATE,
            {
                "name_es": row["name_es"],
                "name_en": row["name_en"],
                "country_id": row["country"],
                "city": row["city"],
                "region": row["state_or_province"],
                "detail": {"consular_kind": row["kind"]},
            },
        )
    for row in rows("border_points.csv"):
        _site(
            row["code"],
            "IGM",
            Site.Kind.BORDER_POINT,
            {
                "name_es": row["name"],
                "name_en": row["name"],
                "country_id": "GT",
                "municipality_id": row["municipality_code"],
                "city": Municipality.objects.get(code=row["municipality_code"]).name,
                "detail": {"neighbour": row["neighbour_country"], "mode": row["kind"]},
            },
        )
    for row in rows("shelters.csv"):
        _site(
            row["code"],
            row["institution_code"],
            row["kind"],
            {
                "name_es": row["name"],
                "name_en": row["name"],
                "country_id": "GT",
                "municipality_id": row["municipality_code"],
                "capacity": int(row["capacity"]),
                "city": Municipality.objects.get(code=row["municipality_code"]).name,
            },
        )
    return Site.objects.count()


# Code lists of other apps, registered from their AppConfig.ready() (core does not import them).
EXTRA_LOADERS: dict[str, Callable[[], int]] = {}


def register_loader(name: str, loader: Callable[[], int]) -> None:
    EXTRA_LOADERS[name] = loader


@transaction.atomic
def load_all() -> dict[str, int]:
    departments, municipalities = load_geography()
    counts = {
        "countries": load_countries(),
        "languages": load_languages(),
        "departments": departments,
        "municipalities": municipalities,
        "institutions": load_institutions(),
        "sites": load_sites(),
    }
    counts.update({name: loader() for name, loader in EXTRA_LOADERS.items()})
    return counts
