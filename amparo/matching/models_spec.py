"""The three matching models as Splink settings, written once for both SQL dialects.

Each comparison level carries a short English label; the explanation of a candidate is the
label of the level reached, translated (see `engine.explain`). The trained parameters (m and
u probabilities) live in amparo/matching/models/<name>_v<VERSION>.json; `settings_for` builds the
comparisons for a dialect and `engine.load_settings` pours the trained values into them.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

MODELS = ("dedupe", "missing", "family")
VERSION = 2


def model_label(model: str) -> str:
    """The trained model's name and version, e.g. "dedupe_v2": its file name and the label
    kept with every candidate it proposed."""
    return f"{model}_v{VERSION}"


def _jw(dialect: str) -> str:
    return "jaro_winkler_similarity" if dialect == "duckdb" else "jaro_winkler"


def _level(sql: str, label: str, **extra: Any) -> dict[str, Any]:
    return {"sql_condition": sql, "label_for_charts": label, **extra}


def _null(sql: str, label: str) -> dict[str, Any]:
    return {"sql_condition": sql, "label_for_charts": label, "is_null_level": True}


def _else(label: str) -> dict[str, Any]:
    return {"sql_condition": "ELSE", "label_for_charts": label}


def given_comparison(dialect: str) -> dict[str, Any]:
    jw = _jw(dialect)
    return {
        "output_column_name": "given_names",
        "comparison_description": "given names",
        "comparison_levels": [
            _null("g1_l IS NULL OR g1_r IS NULL", gettext_noop("given names missing")),
            _level(
                "given_all_l = given_all_r",
                gettext_noop("all given names match"),
                tf_adjustment_column="given_all",
                tf_adjustment_weight=1.0,
            ),
            _level("given_key_l = given_key_r", gettext_noop("all given names sound alike")),
            # A compound name shortened ("María José" / "María") is not a sister with another
            # second name ("María José" / "María Fernanda"): the two weigh differently.
            _level(
                "g1_l = g1_r AND (g2_l IS NULL OR g2_r IS NULL OR g2_l = g2_r)",
                gettext_noop("first given name matches, the others missing on one side"),
                tf_adjustment_column="g1",
                tf_adjustment_weight=1.0,
            ),
            _level(
                "g1_l = g1_r",
                gettext_noop("first given name matches, the others differ"),
                tf_adjustment_column="g1",
                tf_adjustment_weight=1.0,
            ),
            _level(
                "g1_alt_l = g1_r OR g1_l = g1_alt_r",
                gettext_noop("first given name matches through a nickname"),
            ),
            # A misspelt first name (Dulse / Dulce María) before a name in another position,
            # which is weak evidence (brothers share second names).
            _level(f"{jw}(g1_l, g1_r) >= 0.9", gettext_noop("first given name spelled similarly")),
            _level("g1_key_l = g1_key_r", gettext_noop("first given name sounds alike")),
            _level(
                "g1_l = g2_r OR g1_l = g3_r OR g2_l = g1_r OR g3_l = g1_r OR g2_l = g2_r",
                gettext_noop("a given name matches in another position"),
            ),
            _level(f"{jw}(g1_l, g1_r) >= 0.75", gettext_noop("first given name loosely similar")),
            _else(gettext_noop("given names differ")),
        ],
    }


def surname_comparison(dialect: str) -> dict[str, Any]:
    jw = _jw(dialect)
    return {
        "output_column_name": "surnames",
        "comparison_description": "surnames",
        "comparison_levels": [
            _null(
                "(s1_l IS NULL AND s2_l IS NULL) OR (s1_r IS NULL AND s2_r IS NULL)",
                gettext_noop("surnames missing"),
            ),
            _level(
                "s1_l = s1_r AND s2_l = s2_r",
                gettext_noop("both surnames match"),
                tf_adjustment_column="s1",
                tf_adjustment_weight=1.0,
            ),
            _level(
                "s1_l = s2_r AND s2_l = s1_r",
                gettext_noop("both surnames match (swapped)"),
                tf_adjustment_column="s1",
                tf_adjustment_weight=1.0,
            ),
            _level(
                "s1_l = s1_r AND (s2_l IS NULL OR s2_r IS NULL)",
                gettext_noop("first surname matches, second recorded on one side only"),
                tf_adjustment_column="s1",
                tf_adjustment_weight=1.0,
            ),
            _level(
                "s1_l = s1_r AND (s2_married_l = 1 OR s2_married_r = 1)",
                gettext_noop("first surname matches, second perhaps a married name (de ...)"),
                tf_adjustment_column="s1",
                tf_adjustment_weight=1.0,
            ),
            # Weighed by how common the pair of surnames is (Garsía Lopes is a García López).
            _level(
                "sk_pair_l = sk_pair_r",
                gettext_noop("both surnames sound alike"),
                tf_adjustment_column="sk_pair",
                tf_adjustment_weight=1.0,
            ),
            _level(
                f"{jw}(s1_l, s1_r) >= 0.9 AND {jw}(coalesce(s2_l, ''), coalesce(s2_r, '')) >= 0.9",
                gettext_noop("both surnames spelled similarly"),
            ),
            _level(
                "s1_l = s1_r",
                gettext_noop("first surname matches, second differs"),
                tf_adjustment_column="s1",
                tf_adjustment_weight=1.0,
            ),
            _level(
                "s1_l = s2_r OR s2_l = s1_r OR s2_l = s2_r",
                gettext_noop("one surname matches in another position (dropped or moved)"),
            ),
            _level(
                "s1_key_l = s1_key_r OR s1_key_l = s2_key_r OR s2_key_l = s1_key_r "
                "OR s2_key_l = s2_key_r",
                gettext_noop("one surname sounds alike"),
            ),
            _else(gettext_noop("surnames differ")),
        ],
    }


def birth_comparison(model: str) -> dict[str, Any]:
    """Dates compared as dates; an estimated birth (a year, an age at a date) as a range.

    `birth_lo`/`birth_hi` are the first and last possible day of birth (names.birth_range);
    `gap` is how many days apart two ranges are (0 or less: they overlap). An estimate that
    agrees with the other record is as good as a matching year, and an estimate a little off
    (an age given a year wrong, a guessed year) must not weigh like two dates years apart.
    """
    diff = "abs(birth_year_l - birth_year_r)"
    same_year = "birth_year_l = birth_year_r"
    estimated = "(year_exact_l = 0 OR year_exact_r = 0)"
    gap = "greatest(birth_lo_l - birth_hi_r, birth_lo_r - birth_hi_l)"
    levels = [_null("birth_lo_l IS NULL OR birth_lo_r IS NULL", gettext_noop("birth date missing"))]
    levels += [
        _level("birth_date_l = birth_date_r", gettext_noop("same date of birth")),
        _level(
            f"{same_year} AND birth_month_l = birth_day_r AND birth_day_l = birth_month_r",
            gettext_noop("same year, day and month swapped"),
        ),
        _level(
            f"{same_year} AND birth_month_l = birth_month_r", gettext_noop("same year and month")
        ),
        _level(
            f"{estimated} AND {gap} <= 0",
            gettext_noop("estimated birth (age or year) agrees"),
        ),
        _level(same_year, gettext_noop("same year, different day and month")),
        _level(
            f"{estimated} AND {gap} <= 366",
            gettext_noop("estimated birth (age or year) within a year"),
        ),
        _level(
            f"birth_month_l = birth_month_r AND birth_day_l = birth_day_r AND {diff} <= 10",
            gettext_noop("same day and month, year differs"),
        ),
    ]
    if model == "dedupe":
        levels.append(
            _level(
                f"{estimated} AND {gap} <= 731",
                gettext_noop("estimated birth (age or year) within two years"),
            )
        )
        steps = [(1, gettext_noop("birth years 1 apart")), (2, gettext_noop("birth years 2 apart"))]
        steps += [(5, gettext_noop("birth years 3 to 5 apart"))]
    else:
        steps = [
            (2, gettext_noop("birth years up to 2 apart")),
            (5, gettext_noop("birth years 3 to 5 apart")),
        ]
        steps += [(10, gettext_noop("birth years 6 to 10 apart"))]
    levels += [_level(f"{diff} <= {years}", label) for years, label in steps]
    levels.append(_else(gettext_noop("birth years far apart")))
    return {
        "output_column_name": "birth",
        "comparison_description": "date or year of birth",
        "comparison_levels": levels,
    }


def _exact(
    name: str, column: str, description: str, same: str, differ: str, missing: str
) -> dict[str, Any]:
    return {
        "output_column_name": name,
        "comparison_description": description,
        "comparison_levels": [
            _null(f"{column}_l IS NULL OR {column}_r IS NULL", missing),
            _level(f"{column}_l = {column}_r", same),
            _else(differ),
        ],
    }


def document_comparison() -> dict[str, Any]:
    return {
        "output_column_name": "document",
        "comparison_description": "identity document number",
        "comparison_levels": [
            _null("document_l IS NULL OR document_r IS NULL", gettext_noop("document missing")),
            _level("document_l = document_r", gettext_noop("same document number")),
            _level(
                "levenshtein(document_l, document_r) <= 1",
                gettext_noop("document number one character off"),
            ),
            _else(gettext_noop("document numbers differ")),
        ],
    }


def origin_comparison() -> dict[str, Any]:
    return {
        "output_column_name": "origin",
        "comparison_description": "place of origin",
        "comparison_levels": [
            _null(
                "(origin_municipality_l IS NULL AND origin_department_l IS NULL) "
                "OR (origin_municipality_r IS NULL AND origin_department_r IS NULL)",
                gettext_noop("place of origin missing"),
            ),
            _level(
                "origin_municipality_l = origin_municipality_r",
                gettext_noop("same municipality of origin"),
                tf_adjustment_column="origin_municipality",
                tf_adjustment_weight=0.5,
            ),
            _level(
                "origin_department_l = origin_department_r "
                "AND (origin_municipality_l IS NULL OR origin_municipality_r IS NULL)",
                gettext_noop("same department of origin, municipality missing on one side"),
            ),
            _level(
                "origin_department_l = origin_department_r",
                gettext_noop("same department of origin, municipality differs"),
            ),
            _else(gettext_noop("places of origin differ")),
        ],
    }


_ESTIMATED = "(l.year_exact = 0 OR r.year_exact = 0)"


def _estimated_year_rules() -> list[str]:
    """An age or a guessed year may be a year or two off the other record's year.

    Written as equalities on the year plus or minus one (a hash join), and kept to pairs
    where one side is estimated: "abs(l.birth_year - r.birth_year) = 1" would make the
    database join every pair with the same surname and initial first (a million records:
    432 s instead of 164 s).
    """
    rules = []
    # One year off (an age a year wrong, a guessed year): the same surname in the same or
    # the other position and the same initial.
    for left, right in (("s1_key", "s1_key"), ("s2_key", "s2_key"), ("s1_key", "s2_key")):
        for step in (1, -1):
            rules.append(
                f"l.{left} = r.{right} AND l.g_init = r.g_init "
                f"AND l.birth_year + {step} = r.birth_year AND {_ESTIMATED}"
            )
    # Rarer, and costlier to block widely: two years off, or a year off with the surnames
    # moved the other way; these need the first given name to sound alike.
    for left, right, steps in (
        ("s2_key", "s1_key", (1, -1)),
        ("s1_key", "s1_key", (2, -2)),
        ("s2_key", "s2_key", (2, -2)),
    ):
        for step in steps:
            rules.append(
                f"l.{left} = r.{right} AND l.g1_key = r.g1_key "
                f"AND l.birth_year + {step} = r.birth_year AND {_ESTIMATED}"
            )
    # Both surnames mistyped or dropped: the first given name sounds alike, same year, the
    # first surname starts alike.
    rules.append(
        "l.g1_key = r.g1_key AND l.birth_year = r.birth_year "
        f"AND substr(l.s1_key, 1, 1) = substr(r.s1_key, 1, 1) AND {_ESTIMATED}"
    )
    return rules


def blocking_rules(model: str) -> list[str]:
    """Candidate pairs: cheap equi-joins on sound-alike keys, so 1M records stay tractable."""
    if model == "dedupe":
        return [
            # Both surnames in either order and the first given name sounding alike (the initial
            # alone made this the largest block: 82 million pairs in a million records).
            "l.sk_pair = r.sk_pair AND l.g1_key = r.g1_key",
            "l.s1_key = r.s1_key AND l.birth_year = r.birth_year AND l.g_init = r.g_init",
            "l.s2_key = r.s2_key AND l.birth_year = r.birth_year AND l.g_init = r.g_init",
            "l.s1_key = r.s2_key AND l.birth_year = r.birth_year AND l.g_init = r.g_init",
            "l.s2_key = r.s1_key AND l.birth_year = r.birth_year AND l.g_init = r.g_init",
            "l.s1_key = r.s1_key AND l.g1_key = r.g1_key AND l.birth_decade = r.birth_decade",
            "l.birth_date = r.birth_date AND l.g_init = r.g_init",
            "l.document = r.document",
            # A nickname or another first given name: same surnames and year, any initial.
            "l.sk_pair = r.sk_pair AND l.birth_year = r.birth_year",
            *_estimated_year_rules(),
        ]
    # Linking: the left file (reports) is small, so wider blocks are affordable.
    return [
        "l.sk_pair = r.sk_pair AND l.g_init = r.g_init",
        "l.s1_key = r.s1_key AND l.g_init = r.g_init",
        "l.s2_key = r.s2_key AND l.g_init = r.g_init",
        "l.s1_key = r.s2_key AND l.g_init = r.g_init",
        "l.s2_key = r.s1_key AND l.g_init = r.g_init",
        "l.g1_key = r.g1_key AND l.birth_year = r.birth_year",
        "l.g1_key = r.g1_key AND l.sk_pair = r.sk_pair",
        "l.birth_date = r.birth_date",
        "l.document = r.document",
    ]


def settings_for(model: str, dialect: str = "duckdb", link: bool = False) -> dict[str, Any]:
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}")
    comparisons = [
        given_comparison(dialect),
        surname_comparison(dialect),
        birth_comparison(model),
        _exact(
            "sex",
            "sex",
            "sex",
            gettext_noop("same sex"),
            gettext_noop("sex differs"),
            gettext_noop("sex missing"),
        ),
        _exact(
            "nationality",
            "nationality",
            "nationality",
            gettext_noop("same nationality"),
            gettext_noop("nationality differs"),
            gettext_noop("nationality missing"),
        ),
        origin_comparison(),
    ]
    if model != "family":
        comparisons.insert(3, document_comparison())
    return {
        "link_type": "link_only" if link else "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": 1e-4,
        "blocking_rules_to_generate_predictions": blocking_rules(model),
        "comparisons": comparisons,
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "additional_columns_to_retain": [],
        "em_convergence": 0.001,
        "max_iterations": 25,
    }
