"""The Committee's data questions in CMW/C/SR.413, each answered by indicators."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Question:
    code: str
    paragraph: str
    text: Promise
    indicators: tuple[str, ...]
    # "rate": the answer is also the share of the first indicator's `outcome` cells that are
    # successful (consular lawyers' success rate).
    rate_of: tuple[str, ...] = ()


QUESTIONS = [
    Question(
        "missing",
        "29, 60",
        _(
            "How many migrants have disappeared in Guatemala, and how many Guatemalans have "
            "disappeared abroad?"
        ),
        (
            "missing.migrants_in_country",
            "missing.nationals_abroad",
            "missing.found",
            "remains.identified",
        ),  # fmt: skip
    ),
    Question(
        "monitoring_complaints",
        "34",
        _(
            "Which institution monitors the migration situation, and how many complaints did "
            "it receive?"
        ),
        ("complaints.received",),
    ),
    Question(
        "asylum",
        "63",
        _(
            "How many migrants sought asylum in Guatemala in the last five years, and how many "
            "received refugee status or international protection?"
        ),
        ("asylum.applications", "asylum.recognitions"),
    ),
    Question(
        "families",
        "64",
        _(
            "How many Guatemalan families received care or attention from the State, and how "
            "many were reunified?"
        ),
        ("tracing.families_assisted", "tracing.families_reunified", "returnees.households"),
    ),
    Question(
        "consular_lawyers",
        "66",
        _(
            "How many cases did the consular lawyers file for Guatemalan migrants in North "
            "America, and what percentage of them succeeded?"
        ),
        ("consular_lawyers.cases_filed", "consular_lawyers.outcomes"),
        rate_of=("legal_action_successful",),
    ),
    Question(
        "extortion",
        "31",
        _(
            "How many investigations, prosecutions and sentences were there for the extortion "
            "of migrants by police and border officials?"
        ),
        ("complaints.received", "complaints.investigations", "complaints.sanctions"),
    ),
]
