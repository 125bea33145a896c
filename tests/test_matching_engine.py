"""The matching engine: name folding, the three models, explanations, Person rows."""

from __future__ import annotations

import json
from datetime import date

import pytest

from amparo.matching import engine
from amparo.matching.models_spec import MODELS, settings_for
from amparo.matching.names import (
    INPUT_COLUMNS,
    derive,
    fold,
    given_names,
    nicknames,
    sound_key,
    split_surnames,
    surname,
    surnames_of_record,
)
from amparo.matching.records import InputError


def rec(rid: str, given: str, s1: str, s2: str = "", **extra: str) -> dict[str, str]:
    row = dict.fromkeys(INPUT_COLUMNS, "")
    row.update(record_id=rid, given_names=given, surname1=s1, surname2=s2, **extra)
    return row


@pytest.mark.parametrize(
    ("variants", "folded"),
    [
        (
            ["K'iche'", "K’iche’", "K‘iche‘", "K´iche´", "K`iche`", "Kʼicheʼ", "K7iche7", "KICHE"],
            "kiche",
        ),
        (["Tz'ib", "Tzib", "TZ’IB"], "tzib"),
        (["Q'eqchi'", "Qeqchi"], "qeqchi"),
    ],
)
def test_mayan_apostrophes_and_saltillo_fold_alike(variants: list[str], folded: str) -> None:
    assert {fold(v) for v in variants} == {folded}


def test_sound_alike_keys_unify_spanish_and_mayan_spellings() -> None:
    def same(*words: str) -> bool:
        return len({sound_key(fold(w)) for w in words}) == 1

    assert same("Q'eqchi'", "Kekchí", "Qeqchi")
    assert same("K'iche'", "Quiché", "Kiche")
    assert same("Vásquez", "Básquez", "Vasques")
    assert same("Hernández", "Ernandes")
    assert same("Yanes", "Llanes")
    assert same("Jiménez", "Giménez")
    assert not same("Guevara", "Jebara")
    assert not same("Pérez", "López")


def test_particles_and_widow_names() -> None:
    assert surname("de la Cruz") == "cruz"
    assert surname("De León") == "leon"
    assert surname("López viuda de Pérez") == "lopez"
    assert surname("Vda. de Ramírez") == ""
    assert split_surnames("Pérez López", "") == ("perez", "lopez")
    assert split_surnames("de los Santos", "y Gómez") == ("santos", "gomez")
    assert given_names("María de los Ángeles")[0] == ("maria", "angeles")


def test_nicknames_are_data_and_map_to_canonical_names() -> None:
    table = nicknames()
    assert len(table) >= 60
    expected = {
        "pepe": "jose", "chepe": "jose", "lupe": "guadalupe", "chuy": "jesus",
        "paco": "francisco", "pancho": "francisco", "chico": "francisco",
        "concha": "concepcion", "lola": "dolores", "nacho": "ignacio", "meme": "manuel",
        "quique": "enrique", "chayo": "rosario", "cuca": "refugio", "memo": "guillermo",
        "lalo": "eduardo", "lucho": "luis", "tono": "antonio", "meche": "mercedes",
        "chabela": "isabel", "coco": "socorro", "chelo": "consuelo", "goyo": "gregorio",
        "coque": "jorge", "chago": "santiago", "moncho": "ramon", "candy": "candelaria",
    }  # fmt: skip
    for nick, canonical in expected.items():
        assert table[nick][0] == canonical, nick
    assert set(table["beto"]) == {"roberto", "alberto"}
    assert given_names("Toño")[0] == ("antonio",)
    assert given_names("Chema")[0] == ("jose", "maria")


def test_birth_year_from_a_date_a_year_or_an_age_at_a_date() -> None:
    assert derive(rec("1", "A", "B", birth_date="1990-05-12"))["birth_year"] == 1990
    assert derive(rec("1", "A", "B", birth_year="1985"))["birth_year"] == 1985
    row = derive(rec("1", "A", "B", age="30", age_at="2024-09-01"))
    assert (row["birth_year"], row["year_exact"], row["birth_date"]) == (1994, 0, None)
    assert derive(rec("1", "A", "B", age="30", age_at="2024-03-01"))["birth_year"] == 1993


def test_an_estimated_birth_is_a_range_of_days() -> None:
    day = date.fromisoformat
    exact = derive(rec("1", "A", "B", birth_date="1990-05-12"))
    assert exact["birth_lo"] == exact["birth_hi"] == day("1990-05-12").toordinal()
    year = derive(rec("1", "A", "B", birth_year="1985"))
    assert (year["birth_lo"], year["birth_hi"]) == (
        day("1985-01-01").toordinal(),
        day("1985-12-31").toordinal(),
    )
    # Aged 30 on 2024-03-01: born 1993-03-02 .. 1994-03-01, so both dates below agree.
    age = derive(rec("1", "A", "B", age="30", age_at="2024-03-01"))
    assert (age["birth_lo"], age["birth_hi"]) == (
        day("1993-03-02").toordinal(),
        day("1994-03-01").toordinal(),
    )
    for born in ("1993-05-02", "1994-01-10"):
        assert age["birth_lo"] <= day(born).toordinal() <= age["birth_hi"]
    assert derive(rec("1", "A", "B"))["birth_lo"] is None


def test_an_estimated_birth_that_agrees_is_explained_as_such() -> None:
    left = [rec("a", "Rosa", "Tzoc", "Pérez", sex="F", age="30", age_at="2024-03-01")]
    right = [rec("b", "Rosa", "Tzoc", "Pérez", sex="F", birth_date="1994-01-10")]
    (candidate,) = engine.link(left, right, model="missing")
    assert candidate.explanation["birth"] in {
        "estimated birth (age or year) agrees",
        "el nacimiento estimado (edad o año) coincide",
    }


def test_married_names_in_the_second_surname() -> None:
    assert surnames_of_record("Pérez", "López de García", "F") == ("perez", "lopez", False)
    assert surnames_of_record("Pérez", "de García", "F") == ("perez", "garcia", True)
    # A man's "de León" is his surname; so is "de la Cruz" for anyone.
    assert surnames_of_record("Pérez", "de León", "M") == ("perez", "leon", False)
    assert surnames_of_record("Pérez", "de la Cruz", "F") == ("perez", "cruz", False)
    row = derive(rec("1", "María", "Pérez", "de García", sex="F"))
    assert (row["s2"], row["s2_married"]) == ("garcia", 1)


def test_given_names_sound_alike_key() -> None:
    assert (
        derive(rec("1", "Dulse María", "Caal"))["given_key"]
        == (derive(rec("2", "Dulce Maria", "Caal"))["given_key"])
    )


def test_bad_records_name_the_line_and_column() -> None:
    with pytest.raises(InputError) as err:
        engine.prepare([rec("1", "Ana", "Tzoc"), rec("2", "Ana", "Tzoc", sex="Q")])
    assert (err.value.line, err.value.column) == (3, "sex")
    with pytest.raises(InputError) as err:
        engine.prepare([{"record_id": "1", "apodo": "x"}])
    assert err.value.column == "apodo"


# A small population: known duplicates with the usual differences, and distinct people who
# share the most common names.
PEOPLE = [
    # swapped surnames, accents dropped
    rec("a1", "María José", "García", "Tzoc", sex="F", birth_date="1990-03-14", nationality="GTM"),
    rec("a2", "Maria Jose", "Tzoc", "Garcia", sex="F", birth_date="1990-03-14", nationality="GTM"),
    # nickname, dropped second surname, day and month swapped
    rec("b1", "José Luis", "Xitumul", "Pérez", sex="M", birth_date="1985-07-04",
        origin_municipality="Rabinal", origin_department="Baja Verapaz"),
    rec("b2", "Pepe", "Xitumul", "", sex="M", birth_date="1985-04-07",
        origin_municipality="Rabinal", origin_department="Baja Verapaz"),
    # age at a date instead of a date, Mayan apostrophes written differently, same document
    rec("c1", "Juana", "K'iche'", "Ajanel", sex="F", birth_date="1979-11-02",
        document_number="2345 67890 0101"),
    rec("c2", "Juana", "Kiche", "Ajanel", sex="F", age="44", age_at="2024-01-15",
        document_number="2345678900101"),
    # shortened compound given name, second surname with a particle
    rec("d1", "Ana Lucía", "Cux", "de la Cruz", sex="F", birth_date="2008-02-20"),
    rec("d2", "Ana", "Cux", "Cruz", sex="F", birth_date="2008-02-20"),
    # distinct people with the commonest names
    rec("e1", "Juan Carlos", "López", "García", sex="M", birth_date="1992-01-10"),
    rec("e2", "Juan", "López", "Pérez", sex="M", birth_date="1971-09-30"),
    rec("e3", "Carlos", "García", "López", sex="M", birth_date="2001-05-05"),
    rec("e4", "María", "Pérez", "López", sex="F", birth_date="1988-12-01"),
    rec("e5", "Ana María", "García", "Pérez", sex="F", birth_date="1995-06-21"),
]  # fmt: skip
DUPLICATES = {("a1", "a2"), ("b1", "b2"), ("c1", "c2"), ("d1", "d2")}


@pytest.fixture(scope="module")
def deduped() -> tuple[list[engine.Pair], list[engine.Cluster]]:
    return engine.dedupe(PEOPLE, threshold=0.5)


def test_known_duplicates_are_found_with_high_probability(deduped) -> None:  # type: ignore[no-untyped-def]
    pairs, _clusters = deduped
    found = {(p.record_id_l, p.record_id_r): p.match_probability for p in pairs}
    for pair in DUPLICATES:
        assert found.get(pair, 0) >= 0.9, (pair, found)


def test_common_surnames_do_not_make_people_the_same(deduped) -> None:  # type: ignore[no-untyped-def]
    pairs, clusters = deduped
    assert {(p.record_id_l, p.record_id_r) for p in pairs} <= DUPLICATES
    by_cluster: dict[str, set[str]] = {}
    for c in clusters:
        by_cluster.setdefault(c.cluster_id, set()).add(c.record_id)
    assert {c.record_id for c in clusters} == {r["record_id"] for r in PEOPLE}
    assert sorted(len(m) for m in by_cluster.values()) == [1] * 5 + [2] * 4


def test_link_ranks_and_explains_candidates() -> None:
    reports = [
        rec("r1", "Chepe", "Xitumul", sex="M", age="40", age_at="2025-03-01"),
        rec("r2", "Juana", "Kiche", "Ajanel", sex="F", birth_year="1980"),
    ]
    candidates = engine.link(reports, PEOPLE, model="missing", top=3)
    best = {c.left_id: c for c in candidates if c.rank == 1}
    assert best["r1"].right_id in {"b1", "b2"}
    assert best["r2"].right_id in {"c1", "c2"}
    assert all(c.rank <= 3 for c in candidates)
    explanation = best["r2"].explanation
    assert set(explanation) >= {"given_names", "surnames", "birth", "sex"}
    assert all(isinstance(v, str) and v for v in explanation.values())
    swapped = engine.link([PEOPLE[0]], [PEOPLE[1]], model="dedupe")[0]
    assert swapped.explanation["surnames"] in {
        "both surnames match (swapped)",
        "ambos apellidos coinciden (invertidos)",
    }
    assert swapped.match_probability > 0.9


def test_family_model_links_a_reported_parent() -> None:
    # The child says: my father is Juan Xitumul, about 45, from Rabinal.
    reported = [rec("f1", "Juan", "Xitumul", sex="M", age="45", age_at="2026-01-01",
                    origin_municipality="Rabinal")]  # fmt: skip
    abroad = [
        rec("u1", "Juan Pablo", "Xitumul", "Chen", sex="M", birth_date="1979-02-11",
            origin_municipality="Rabinal"),
        rec("u2", "Juan", "López", "Xol", sex="M", birth_date="1981-02-11"),
    ]  # fmt: skip
    candidates = engine.link(reported, abroad, model="family")
    assert candidates[0].right_id == "u1"


@pytest.mark.parametrize("model", MODELS)
def test_models_load_from_the_committed_json(model: str) -> None:
    path = engine.model_path(model)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["amparo"]["model"] == model
    settings = engine.load_settings(model)
    levels = [lv for c in settings["comparisons"] for lv in c["comparison_levels"]]
    assert any("m_probability" in lv for lv in levels)
    labels = [c["output_column_name"] for c in settings_for(model)["comparisons"]]
    assert labels == [c["output_column_name"] for c in saved["comparisons"]]


def test_person_records_from_the_database(caseworker, person) -> None:  # type: ignore[no-untyped-def]
    from amparo.people.models import Person

    records = engine.person_records(Person.objects.filter(pk=person.pk))
    assert records[0]["record_id"] == str(person.pk)
    assert records[0]["surname1"] == "Tzoc"
    assert records[0]["document_number"] == "A1234567"
    assert set(records[0]) == set(INPUT_COLUMNS)
    engine.prepare(records)  # the layout is valid
