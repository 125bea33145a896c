"""Deterministic synthetic data: demo users, and people at any scale (up to millions).

People are written in batches straight to the tables (COPY on PostgreSQL, executemany on
SQLite): the per-row ORM would take hours at national scale. Memory stays bounded by the
batch size. The same seed always gives the same people.
"""

from __future__ import annotations

import bisect
import itertools
import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connection, transaction

from amparo.core.audit import audit_record
from amparo.core.bulk import bulk_writer
from amparo.core.models import Institution, Municipality, Role, Team, User
from amparo.people.models import Person
from amparo.people.text import name_tokens

from . import names as N

DEMO_PASSWORD = "amparo-demo-2026"
# A fixed, public TOTP secret for demo administrators and auditors (demo data only).
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"
TODAY = date(2026, 11, 1)


class Weighted:
    """Draw from a {value: weight} table in O(log n)."""

    def __init__(self, table: dict[str, int]) -> None:
        self.values = list(table)
        self.cumulative = list(itertools.accumulate(table.values()))

    def draw(self, rng: random.Random) -> str:
        return self.values[bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])]


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    institution: str
    team: str
    first_name: str


DEMO_USERS = [
    DemoUser("operadora.minex", Role.OPERATOR, "MINEX", "general", "Lucía"),
    DemoUser("consul.minex", Role.CASEWORKER, "MINEX", "protection", "Andrés"),
    DemoUser("supervisora.minex", Role.SUPERVISOR, "MINEX", "protection", "Carmen"),
    DemoUser("trabajadora.sbs", Role.CASEWORKER, "SBS", "protection", "Rosa"),
    DemoUser("supervisor.sbs", Role.SUPERVISOR, "SBS", "protection", "Mario"),
    DemoUser("forense.inacif", Role.CASEWORKER, "INACIF", "protection", "Julia"),
    DemoUser("operador.igm", Role.OPERATOR, "IGM", "general", "Diego"),
    DemoUser("analista.ine", Role.ANALYST, "INE", "general", "Sofía"),
    DemoUser("admin.minex", Role.INSTITUTION_ADMIN, "MINEX", "general", "Elena"),
    DemoUser("admin.sistema", Role.SYSTEM_ADMIN, "MINEX", "general", "Tomás"),
    DemoUser("auditora.minex", Role.AUDITOR, "MINEX", "general", "Isabel"),
    DemoUser("auditor.nacional", Role.AUDITOR, "COPADEH", "general", "Gaspar"),
    # The national coordinator of the recommendations follow-up (a COPADEH supervisor).
    DemoUser("coordinadora.copadeh", Role.SUPERVISOR, "COPADEH", "general", "Marta"),
]

# Which institution holds the people it generates, by share.
HOLDERS = {"MINEX": 60, "IGM": 20, "SBS": 15, "CONAMIGUA": 5}


def create_demo_users() -> list[tuple[DemoUser, bool]]:
    """Create (or reset) the demo accounts; returns each with whether it needs a TOTP code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    out = []
    for spec in DEMO_USERS:
        institution = Institution.objects.get(code=spec.institution)
        team = Team.objects.get(institution=institution, code=spec.team)
        user, _ = User.objects.update_or_create(
            username=spec.username,
            defaults={
                "institution": institution,
                "team": team,
                "role": spec.role,
                "first_name": spec.first_name,
                "is_active": True,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        if user.needs_second_factor:
            TOTPDevice.objects.update_or_create(
                user=user, name="demo", defaults={"key": DEMO_TOTP_KEY, "confirmed": True}
            )
        out.append((spec, user.needs_second_factor))
    return out


@dataclass
class Batch:
    persons: list[tuple[Any, ...]]
    involvements: list[tuple[Any, ...]]
    tokens: list[tuple[Any, ...]]
    documents: list[tuple[Any, ...]]
    markers: list[tuple[Any, ...]]


class PeopleGenerator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.female = Weighted(N.FEMALE_GIVEN)
        self.male = Weighted(N.MALE_GIVEN)
        self.spanish = Weighted(N.SPANISH_SURNAMES)
        self.mayan = Weighted(N.MAYAN_SURNAMES)
        self.foreign = {
            "HN": Weighted(N.HONDURAN_SURNAMES),
            "SV": Weighted(N.SALVADORAN_SURNAMES),
            "MX": Weighted(N.MEXICAN_SURNAMES),
            "NI": Weighted(N.SPANISH_SURNAMES),
        }
        self.nationality = Weighted(N.NATIONALITIES)
        self.department = Weighted(N.DEPARTMENT_WEIGHTS)
        by_dept: dict[str, list[str]] = {}
        for code, dept in Municipality.objects.values_list("code", "department_id"):
            by_dept.setdefault(dept, []).append(code)
        self.municipalities = by_dept
        self.holders = Weighted(HOLDERS)
        self.teams = {
            (t.institution.code, t.code): (t.institution_id, t.pk)
            for t in Team.objects.select_related("institution").filter(
                institution__code__in=list(HOLDERS)
            )
        }
        # Serial numbers, not random ones: document numbers are unique in the network.
        # Each seed owns a block of a million 8-digit serials (80 blocks).
        block = 10_000_000 + (seed % 80) * 1_000_000
        self.dpi_serial = itertools.count(block)
        self.passport_serial = itertools.count(block)

    def _surname(self, nationality: str, indigenous: bool) -> str:
        if nationality != "GT":
            rng = self.rng
            return (
                self.foreign[nationality].draw(rng)
                if rng.random() < 0.3
                else self.spanish.draw(rng)
            )
        return (
            self.mayan.draw(self.rng)
            if indigenous and self.rng.random() < 0.7
            else self.spanish.draw(self.rng)
        )

    def _given(self, sex: str) -> str:
        table = self.female if sex == "F" else self.male
        first = table.draw(self.rng)
        if self.rng.random() < 0.6:
            second = table.draw(self.rng)
            if second != first:
                return f"{first} {second}"
        return first

    def batch(self, size: int, now: datetime) -> Batch:
        rng = self.rng
        b = Batch([], [], [], [], [])
        for _ in range(size):
            pid = uuid.UUID(int=rng.getrandbits(128), version=4)
            sex = "F" if rng.random() < 0.42 else "M"
            nationality = self.nationality.draw(rng)
            dept = self.department.draw(rng) if nationality == "GT" else None
            languages = N.DEPARTMENT_LANGUAGES.get(dept or "", [])
            indigenous = bool(languages) and rng.random() < 0.55
            given = self._given(sex)
            first, second = (
                self._surname(nationality, indigenous),
                self._surname(nationality, indigenous),
            )
            if rng.random() < 0.05:
                second = ""
            age = min(int(rng.triangular(0, 75, 24)), 90)
            born = TODAY - timedelta(days=age * 365 + rng.randrange(365))
            exact = rng.random() < 0.8
            municipality = rng.choice(self.municipalities[dept]) if dept else None
            language = rng.choice(languages) if indigenous else "spa"
            holder = self.holders.draw(rng)
            child = age < 18
            unaccompanied = child and age >= 12 and rng.random() < 0.25
            team = "protection" if unaccompanied or rng.random() < 0.2 else "general"
            institution_id, team_id = self.teams[(holder, team)]
            b.persons.append(
                (
                    pid,
                    given,
                    first,
                    second,
                    sex,
                    born if exact else None,
                    "exact" if exact else "estimated",
                    None if exact else age,
                    None if exact else TODAY,
                    nationality,
                    municipality,
                    "",
                    language,
                    unaccompanied,
                    1,
                    now,
                    now,
                    "",
                )
            )
            b.involvements.append((pid, institution_id, team_id, "registered", now))
            tokens = set(name_tokens(given, first, second))
            if nationality == "GT" and age >= 18 and rng.random() < 0.5:
                dpi = f"{next(self.dpi_serial):08d}{rng.randrange(10)}{municipality or '0101'}"
                b.documents.append((pid, "dpi", dpi, dpi, "GT", now))
                tokens.add(dpi.lower())
            elif rng.random() < 0.15:
                passport = f"{rng.choice('ABCDEFGH')}{next(self.passport_serial):08d}"
                b.documents.append((pid, "passport", passport, passport, nationality, now))
                tokens.add(passport.lower())
            b.tokens.extend((pid, t) for t in sorted(tokens))
            if unaccompanied:
                b.markers.append((pid, "unaccompanied_child", now))
            if indigenous:
                b.markers.append((pid, "indigenous", now))
            if 18 <= age <= 40 and sex == "F" and rng.random() < 0.04:
                b.markers.append((pid, "pregnant", now))
            if age >= 60:
                b.markers.append((pid, "older_person", now))
        return b


PERSON_COLUMNS = (
    "id",
    "given_names",
    "first_surname",
    "second_surname",
    "sex",
    "birth_date",
    "birth_date_precision",
    "age_years",
    "age_recorded_on",
    "nationality_id",
    "origin_municipality_id",
    "origin_place",
    "preferred_language_id",
    "protected",
    "version",
    "created_at",
    "updated_at",
    "void_reason",
)
TABLES: list[tuple[str, str, Sequence[str]]] = [
    ("persons", Person._meta.db_table, PERSON_COLUMNS),
    (
        "involvements",
        "people_involvement",
        ("person_id", "institution_id", "team_id", "source", "created_at"),
    ),
    ("tokens", "people_personsearchtoken", ("person_id", "token")),
    (
        "documents",
        "people_identitydocument",
        (
            "person_id",
            "doc_type",
            "number",
            "number_normalized",
            "issuing_country_id",
            "created_at",
        ),
    ),
    ("markers", "people_vulnerabilitymarker", ("person_id", "kind", "recorded_at")),
]


# Kept under its old name for the demo modules that import it.
_writer = bulk_writer


def generate_people(
    *,
    count: int,
    seed: int = 2019,
    batch_size: int = 10_000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Add `count` synthetic people. Each batch is its own transaction and audit entry."""
    gen = PeopleGenerator(seed)
    write = _writer()
    now = datetime.now(UTC)
    done = 0
    while done < count:
        size = min(batch_size, count - done)
        batch = gen.batch(size, now)
        with transaction.atomic():
            for attr, table, columns in TABLES:
                write(table, columns, getattr(batch, attr))
            audit_record(
                actor=None, action="demo.generate_people", detail={"count": size, "seed": seed}
            )
        done += size
        if progress:
            progress(done)
    # Fresh statistics: without them SQLite's planner walks the wrong index on large tables.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return done
