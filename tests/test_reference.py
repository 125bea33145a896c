from collections import Counter

import pytest

from amparo.core.models import Country, Department, Institution, Language, Municipality, Site
from amparo.core.reference import load_all

pytestmark = pytest.mark.django_db


def test_geography_has_22_departments_and_340_municipalities_with_ine_codes() -> None:
    assert Department.objects.count() == 22
    assert Municipality.objects.count() == 340
    for m in Municipality.objects.all():
        assert len(m.code) == 4 and m.code.startswith(m.department_id)
    assert Municipality.objects.get(code="0901").name == "Quetzaltenango"


def test_consular_network_matches_the_record() -> None:
    consulates = Site.objects.filter(kind=Site.Kind.CONSULATE)
    by_country = Counter(consulates.values_list("country_id", flat=True))
    assert by_country == {"MX": 11, "US": 19, "CA": 1}
    assert consulates.filter(country_id="CA", city="Montreal").exists()
    assert all(c.city for c in consulates)


def test_institutions_named_in_the_record_exist_in_both_languages() -> None:
    for code in [
        "AMN",
        "IGM",
        "CONAMIGUA",
        "MINEX",
        "MINTRAB",
        "SBS",
        "MSPAS",
        "MINGOB",
        "PNC",
        "MP",
        "OJ",
        "INACIF",
        "RENAP",
        "SVET",
        "COPADEH",
    ]:
        inst = Institution.objects.get(code=code)
        assert inst.name_es and inst.name_en and inst.acronym_es
    assert Institution.objects.get(code="PNC").parent.code == "MINGOB"


def test_languages_include_22_mayan_garifuna_and_xinca() -> None:
    assert Language.objects.filter(family="maya", national=True).count() == 22
    assert Language.objects.filter(code__in=["cab", "xin", "quc", "mam", "kek"]).count() == 5
    assert Language.objects.get(code="quc").name_es == "K'iche'"


def test_countries_are_iso_3166_with_spanish_names() -> None:
    assert Country.objects.count() >= 249
    assert Country.objects.get(code="US").name_es == "Estados Unidos"
    assert Country.objects.get(code="GT").alpha3 == "GTM"


def test_sites_of_every_kind_used_by_the_network() -> None:
    kinds = set(Site.objects.values_list("kind", flat=True))
    assert {"consulate", "border_point", "shelter", "reception_centre"} <= kinds


def test_loading_twice_adds_nothing() -> None:
    before = (Site.objects.count(), Institution.objects.count(), Language.objects.count())
    load_all()
    assert (Site.objects.count(), Institution.objects.count(), Language.objects.count()) == before
