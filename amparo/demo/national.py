"""National demo data: the volumes Guatemala's delegation reported to the UN Committee on
Migrant Workers (CMW/C/SR.413, paras. 5, 15 and 42), reproduced exactly.

- 2018: 1,017,564 calls to the migrant support line, 120 mobile consulates, and 85,538
  consular services at them to 54,413 distinct people (para. 5; para. 42 for the mobile
  consulates in the United States).
- January 2018 to March 2019: 15,173 births, 1,774 marriages and 1,222 deaths notified to
  the civil registry, and 5,685 child passports, 130 special travel passes and 83 travel
  authorisations applied for (para. 15).
- 2018: 5,119 children and adolescents looked after in the SBS "Casa Nuestras Raíces" shelters
  (para. 6): a child reception case each, with a shelter stay; 3,784 returnees from 1,692
  households assisted by SOSEP (para. 10): households with their members, a reintegration case
  per household.
- Since 2016: 1,568 adolescents trained in the "Quédate" programme (para. 11).
- 229 trafficking complaints filed January–November 2018 and 119 trafficking cases brought
  January–August 2018 (para. 17): cases of the trafficking protocol at the Public Prosecutor's
  Office, moved to prosecution and to trial.
- 19 cases of sexual or psychological violence (18 women, 1 man) in 2018 and 13 (10 women,
  3 men) in January–March 2019 seen by the health services (para. 53): cases of the same
  protocol opened by the Ministry of Health.

Cases are walked along their protocol's transitions as the engine would (forms saved and tasks
done before each step, the timeline in order, the version counting the changes); the people of
the cases are held by the institution that runs them, children and victims protected. The
statistics app counts all of these through its indicators (docs/stats.md).

Rows are written in bulk like the demo people (COPY on PostgreSQL, executemany on SQLite),
never one action per row, but they hold what the actions would write: the same fields, the
same status paths and history entries, people held by MINEX. Every row has source "demo" and
an external reference ("national/<register>/<n>"), so it looks imported, and a second load is
refused. All randomness comes from the seed.
"""

from __future__ import annotations

import bisect
import itertools
import json
import math
import random
import time as clock
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from amparo.assistance.models import (
    CivilRegistration,
    ContactReason,
    SupportContact,
    TravelDocument,
)
from amparo.cases.models import Case, CaseEvent, ServiceDelivery, Task
from amparo.cases.protocol import protocol_get
from amparo.core.audit import audit_record
from amparo.core.models import Institution, Role, Site, Team, User
from amparo.people.models import Household, HouseholdMember
from amparo.people.text import name_tokens

from . import names as N
from .generator import (
    DEMO_PASSWORD,
    TABLES,
    TODAY,
    Batch,
    PeopleGenerator,
    Weighted,
    _writer,
    create_demo_users,
)

SOURCE = "demo"
REF = "national"
INSTITUTION = "MINEX"

# The figures of CMW/C/SR.413. `served_people` are the distinct people of the services.
VOLUMES: dict[str, int] = {
    "contacts": 1_017_564,
    "mobile_consulates": 120,
    "services": 85_538,
    "served_people": 54_413,
    "births": 15_173,
    "marriages": 1_774,
    "deaths": 1_222,
    "child_passports": 5_685,
    "special_passes": 130,
    "travel_authorisations": 83,
    # Para. 6: children and adolescents in the SBS reception shelters in 2018.
    "sheltered_children": 5_119,
    # Para. 10: returnees and their households assisted by SOSEP in 2018.
    "returnees": 3_784,
    "returnee_households": 1_692,
    # Para. 11: adolescents in the "Quédate" programme since 2016.
    "stay_adolescents": 1_568,
    # Para. 17: trafficking complaints (Jan–Nov 2018) and cases brought (Jan–Aug 2018).
    "trafficking_complaints": 229,
    "trafficking_brought": 119,
    # Para. 53: cases of sexual or psychological violence, by sex, 2018 and Jan–Mar 2019.
    "violence_2018_women": 18,
    "violence_2018_men": 1,
    "violence_2019_women": 10,
    "violence_2019_men": 3,
}
CIVIL_KINDS = {"births": "birth", "marriages": "marriage", "deaths": "death"}
TRAVEL_KINDS = {
    "child_passports": "child_passport",
    "special_passes": "special_pass",
    "travel_authorisations": "travel_authorisation",
}
YEAR = (date(2018, 1, 1), date(2018, 12, 31))
# Para. 15's period. Statuses are as they stood when it closed.
PERIOD = (date(2018, 1, 1), date(2019, 3, 31))


def scaled_volumes(scale: float = 1.0) -> dict[str, int]:
    """Every volume times `scale`, rounded, and at least 1 so each register has entries."""
    if not scale > 0:
        raise ValueError("The scale must be positive.")
    out = {name: max(1, round(n * scale)) for name, n in VOLUMES.items()}
    # Every household has at least one returnee.
    out["returnees"] = max(out["returnees"], out["returnee_households"])
    return out


class AlreadyLoaded(Exception):
    """National demo data is already in the database: a second load would double it."""


def _demo_rows() -> dict[str, int]:
    refs = {"source": SOURCE, "external_ref__startswith": f"{REF}/"}
    return {
        "contacts": SupportContact.objects.filter(**refs).count(),
        "services": ServiceDelivery.objects.filter(**refs).count(),
        "civil_registrations": CivilRegistration.objects.filter(**refs).count(),
        "travel_documents": TravelDocument.objects.filter(**refs).count(),
        "mobile_consulates": Site.objects.filter(
            kind=Site.Kind.MOBILE_CONSULATE, detail__source=SOURCE
        ).count(),
        "cases": CaseEvent.objects.filter(kind="opened", detail__source=SOURCE).count(),
    }


def refuse_if_loaded() -> None:
    """Refuse a second national load, labour and flows included (checked before anything is
    written, so a refused load leaves nothing half-done)."""
    from amparo.flows.models import FlowCount
    from amparo.labour.demo import labour_loaded

    existing = {name: n for name, n in _demo_rows().items() if n}
    if labour_loaded():
        existing["labour_programmes"] = 1
    flow_counts = FlowCount.objects.filter(source="demo").count()
    if flow_counts:
        existing["flow_counts"] = flow_counts
    if existing:
        found = ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in existing.items())
        raise AlreadyLoaded(
            f"National demo data is already loaded ({found}). Load it into a fresh database."
        )


def national_loaded() -> bool:
    return any(_demo_rows().values())


def registers_empty() -> bool:
    """No support contacts, consular services or register entries at all (for --if-empty)."""
    return not (
        SupportContact.objects.exists()
        or ServiceDelivery.objects.filter(
            site__kind__in=[Site.Kind.CONSULATE, Site.Kind.MOBILE_CONSULATE]
        ).exists()
        or CivilRegistration.objects.exists()
        or TravelDocument.objects.exists()
    )


# ---------------------------------------------------------------- distributions

# Calls by weekday (Monday first) and month; June and July 2018 are the months of family
# separations at the US border.
CALL_WEEKDAY = (1.15, 1.1, 1.05, 1.0, 0.95, 0.6, 0.45)
CALL_MONTH = (0.85, 0.9, 0.95, 0.95, 1.0, 1.2, 1.15, 1.05, 1.0, 1.0, 0.95, 0.85)
# Calls by hour of the day (server time): the line runs 24/7, busiest in working hours.
CALL_HOUR = (
    1.0, 0.8, 0.6, 0.5, 0.6, 1.2, 2.5, 4.5, 7.0, 8.5, 9.0, 9.0,
    8.0, 8.0, 8.5, 8.5, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.5,
)  # fmt: skip
# Public holidays in Guatemala in the period (calls halve, consulates close).
HOLIDAYS = {
    date(2018, 1, 1), date(2018, 3, 29), date(2018, 3, 30), date(2018, 5, 1),
    date(2018, 6, 30), date(2018, 9, 15), date(2018, 10, 20), date(2018, 11, 1),
    date(2018, 12, 24), date(2018, 12, 25), date(2018, 12, 31), date(2019, 1, 1),
}  # fmt: skip

CONTACT_REASONS = {
    "information": 26,
    "passport": 15,
    "consular_id": 12,
    "mobile_consulate": 8,
    "legal_advice": 7,
    "deportation": 5,
    "civil_registry": 5,
    "detention": 4,
    "family": 3,
    "travel_documents": 3,
    "missing_person": 1.5,
    "labour_rights": 1.5,
    "remains": 1,
    "medical_emergency": 0.8,
    "violence": 0.6,
    "recruitment_fraud": 0.4,
    "trafficking": 0.2,
    "other": 4,
}
CALLER_COUNTRIES = {"US": 86, "MX": 7, "GT": 3, "CA": 1.5, "": 1.5, "BZ": 0.4, "ES": 0.3}
CALLER_CITIES: dict[str, dict[str, float]] = {
    "US": {
        "Los Angeles": 12, "Houston": 7, "New York": 6, "Miami": 4, "Chicago": 4,
        "Atlanta": 4, "Providence": 3, "Silver Spring": 3, "Phoenix": 3, "San Francisco": 3,
        "Oakland": 2, "Dallas": 3, "Riverside": 2, "Lake Worth": 2, "Raleigh": 2,
        "Charlotte": 2, "Denver": 2, "Omaha": 1.5, "Nashville": 1.5, "Boston": 2,
        "Newark": 2, "Philadelphia": 1.5, "Seattle": 1, "Las Vegas": 1.5, "Oklahoma City": 1,
        "Tucson": 1, "McAllen": 1, "Homestead": 1, "Indianapolis": 1, "Minneapolis": 1,
        "Salt Lake City": 1, "Dalton": 0.5, "Riverhead": 0.5, "New Bedford": 0.5,
    },
    "MX": {
        "Tapachula": 5, "Ciudad de México": 3, "Tijuana": 2, "Monterrey": 1.5,
        "Ciudad Hidalgo": 1, "Tenosique": 1, "Comitán": 1, "Oaxaca": 1, "Veracruz": 1,
        "Mexicali": 1, "Cancún": 0.5,
    },
    "CA": {"Montreal": 3, "Toronto": 2, "Leamington": 1, "Saint-Rémi": 1, "Vancouver": 1},
    "GT": {"Guatemala": 5, "Quetzaltenango": 2, "Huehuetenango": 2, "San Marcos": 1},
    "BZ": {"Belmopan": 1, "Belize City": 1},
    "ES": {"Madrid": 2, "Barcelona": 1},
}  # fmt: skip

# Consulates by size, for services, civil acts and travel documents; others weigh 1.
CONSULATE_WEIGHTS = {
    "us-los-angeles": 14, "us-houston": 10, "us-new-york": 9, "us-atlanta": 6,
    "us-miami": 5, "us-lake-worth": 4, "us-chicago": 5, "us-silver-spring": 5,
    "us-providence": 4, "us-phoenix": 4, "us-san-francisco": 4, "us-raleigh": 4,
    "us-denver": 3, "us-san-bernardino": 3, "us-oklahoma-city": 2, "us-mcallen": 2,
    "mx-tapachula": 3, "mx-ciudad-de-mexico": 2,
}  # fmt: skip
# Cities a consulate's mobile consulates visit (no fixed office there): (city, state).
MOBILE_CITIES: dict[str, list[tuple[str, str]]] = {
    "us-los-angeles": [("Santa Ana", "California"), ("Long Beach", "California"),
                       ("Van Nuys", "California"), ("Oxnard", "California"),
                       ("Bakersfield", "California"), ("Las Vegas", "Nevada")],
    "us-san-francisco": [("San José", "California"), ("Oakland", "California"),
                         ("Fresno", "California"), ("Sacramento", "California"),
                         ("Salinas", "California")],
    "us-san-bernardino": [("Riverside", "California"), ("Indio", "California"),
                          ("Ontario", "California")],
    "us-phoenix": [("Mesa", "Arizona"), ("Albuquerque", "New Mexico"), ("Las Vegas", "Nevada")],
    "us-tucson": [("Yuma", "Arizona"), ("Nogales", "Arizona")],
    "us-houston": [("Dallas", "Texas"), ("San Antonio", "Texas"), ("Austin", "Texas"),
                   ("New Orleans", "Louisiana"), ("Fort Worth", "Texas")],
    "us-mcallen": [("Brownsville", "Texas"), ("Harlingen", "Texas")],
    "us-del-rio": [("Eagle Pass", "Texas"), ("Uvalde", "Texas")],
    "us-denver": [("Salt Lake City", "Utah"), ("Omaha", "Nebraska"), ("Greeley", "Colorado"),
                  ("Kansas City", "Kansas")],
    "us-chicago": [("Milwaukee", "Wisconsin"), ("Indianapolis", "Indiana"),
                   ("Minneapolis", "Minnesota"), ("Detroit", "Michigan"),
                   ("Des Moines", "Iowa")],
    "us-atlanta": [("Nashville", "Tennessee"), ("Birmingham", "Alabama"),
                   ("Gainesville", "Georgia"), ("Dalton", "Georgia"), ("Jackson", "Mississippi")],
    "us-miami": [("Homestead", "Florida"), ("Naples", "Florida"), ("Fort Myers", "Florida")],
    "us-lake-worth": [("Jupiter", "Florida"), ("Orlando", "Florida"), ("Stuart", "Florida")],
    "us-new-york": [("Riverhead", "New York"), ("Newark", "New Jersey"),
                    ("Trenton", "New Jersey"), ("Philadelphia", "Pennsylvania"),
                    ("Stamford", "Connecticut")],
    "us-providence": [("Boston", "Massachusetts"), ("New Bedford", "Massachusetts"),
                      ("Hartford", "Connecticut"), ("Portland", "Maine")],
    "us-silver-spring": [("Baltimore", "Maryland"), ("Richmond", "Virginia"),
                         ("Wilmington", "Delaware")],
    "us-raleigh": [("Charlotte", "North Carolina"), ("Greenville", "South Carolina"),
                   ("Columbia", "South Carolina")],
    "us-oklahoma-city": [("Tulsa", "Oklahoma"), ("Wichita", "Kansas"),
                         ("Little Rock", "Arkansas")],
    "us-washington": [("Seattle", "Washington"), ("Portland", "Oregon")],
    "mx-tapachula": [("Huixtla", "Chiapas"), ("Suchiate", "Chiapas")],
    "mx-ciudad-de-mexico": [("Puebla", "Puebla"), ("Cancún", "Quintana Roo")],
    "mx-tijuana": [("Mexicali", "Baja California"), ("Ensenada", "Baja California")],
    "mx-monterrey": [("Saltillo", "Coahuila"), ("Reynosa", "Tamaulipas")],
    "mx-acayucan": [("Coatzacoalcos", "Veracruz")],
    "ca-montreal": [("Saint-Rémi", "Québec"), ("Leamington", "Ontario")],
}  # fmt: skip
# Who runs the mobile consulates: para. 42 puts them in the United States, para. 5 also in
# Mexico and Canada. Weights per consulate; US consulates not listed weigh 4.
MOBILE_RUNNERS_OTHER = {
    "mx-tapachula": 2, "mx-ciudad-de-mexico": 1.5, "mx-tijuana": 1.5, "mx-monterrey": 1,
    "mx-acayucan": 0.5, "ca-montreal": 1.5,
}  # fmt: skip
SERVICE_KINDS = {
    "passport": 30,
    "consular_id": 28,
    "certification": 12,
    "information": 10,
    "birth_registration": 6,
    "civil_registry": 5,
    "legal_aid": 6,
    "lawyer": 3,
}
MAX_SERVICES_PER_PERSON = 5

REJECTIONS = (
    "Falta el documento de identificación de uno de los padres.",
    "Los nombres no coinciden con el documento de identificación.",
    "Acta incompleta: falta la firma del cónsul.",
    "Copia ilegible del certificado extranjero.",
    "El acta extranjera no está apostillada.",
)
REFUSALS = (
    "Falta el consentimiento de uno de los padres.",
    "La orden judicial no corresponde al menor.",
    "Documentos de identidad del menor incompletos.",
    "El solicitante no acudió a la cita.",
)
COURTS = (
    "Juzgado de la Niñez y la Adolescencia, Guatemala",
    "Juzgado de Paz de Huehuetenango",
    "Juzgado de Primera Instancia de San Marcos",
    "Juzgado de Primera Instancia de Quetzaltenango",
)


# ---------------------------------------------------------------- writing


class Db:
    """Values as the database stores them, so the bulk writer passes them on untouched."""

    def __init__(self) -> None:
        self.pg = connection.vendor == "postgresql"

    def id(self, value: uuid.UUID) -> str:
        return str(value) if self.pg else value.hex

    def ts(self, utc: datetime) -> str:
        """A naive UTC datetime as a timestamp (whole seconds)."""
        return f"{utc}+00:00" if self.pg else str(utc)

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        with connection.cursor() as cursor:
            if self.pg:
                with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as out:
                    for row in rows:
                        out.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows
                )


def _columns(model: type, *names: str) -> tuple[str, ...]:
    return tuple(model._meta.get_field(n).column for n in names)  # type: ignore[attr-defined]


CONTACT_COLUMNS = _columns(
    SupportContact,
    "institution", "received_at", "channel", "caller_country", "caller_city", "reason",
    "outcome", "duration_seconds", "person", "case", "recorded_by", "note", "source",
    "external_ref", "import_job",
)  # fmt: skip
SERVICE_COLUMNS = _columns(
    ServiceDelivery,
    "person", "case", "referral", "institution", "site", "kind", "delivered_at",
    "delivered_by", "note", "source", "external_ref", "import_job",
)  # fmt: skip
TRACKED = (
    "id", "institution", "site", "person", "status", "status_at", "history", "version",
    "created_at", "created_by", "source", "external_ref", "import_job",
)  # fmt: skip
CIVIL_COLUMNS = _columns(
    CivilRegistration,
    *TRACKED, "kind", "other_person", "event_date", "event_country", "event_place",
    "recorded_on", "rejection_reason", "registry_reference",
)  # fmt: skip
TRAVEL_COLUMNS = _columns(
    TravelDocument,
    *TRACKED, "kind", "requested_on", "consent_basis", "parents", "court_order",
    "document_number", "refusal_reason",
)  # fmt: skip


def _days(start: date, end: date) -> Iterator[date]:
    for n in range((end - start).days + 1):
        yield start + timedelta(days=n)


def _allocate(total: int, weights: Sequence[float]) -> list[int]:
    """`total` split in proportion to `weights`, exactly (largest remainders)."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [math.floor(s) for s in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: counts[i] - shares[i])
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


class Clock:
    """Local (server time zone) dates and times as naive UTC datetimes."""

    def __init__(self) -> None:
        self.tz = timezone.get_current_timezone()

    def at(self, day: date, seconds: int = 0) -> datetime:
        local = datetime.combine(day, time.min, tzinfo=self.tz) + timedelta(seconds=seconds)
        return local.astimezone(UTC).replace(tzinfo=None)

    def working(self, rng: random.Random, day: date, first: int = 8, last: int = 17) -> datetime:
        return self.at(day, rng.randrange(first * 3600, last * 3600))


def _iso(utc: datetime) -> str:
    """How the actions write a history entry's time (aware UTC, ISO 8601)."""
    return utc.replace(tzinfo=UTC).isoformat()


# ---------------------------------------------------------------- people


@dataclass(frozen=True)
class Drawn:
    pid: uuid.UUID
    given: str
    first: str
    second: str
    sex: str


class NationalPeople(PeopleGenerator):
    """Guatemalans held by MINEX, drawn like the demo people but born when the register needs
    (a child born abroad, a spouse, a child applying for a passport)."""

    def __init__(self, seed: int, now: datetime) -> None:
        super().__init__(seed)
        self.rng = random.Random(f"national-people-{seed}")
        # A serial block apart from the people of the same seed (see docs/demo-data.md).
        block = 10_000_000 + ((seed + 40) % 80) * 1_000_000
        self.dpi_serial = itertools.count(block)
        self.passport_serial = itertools.count(block)
        self.travel_serial = itertools.count(block + 500_000)
        # Every institution's teams: the new registers are held by SBS, SOSEP, MP and MSPAS.
        self.teams.update(
            {
                (t.institution.code, t.code): (t.institution_id, t.pk)
                for t in Team.objects.select_related("institution")
            }
        )
        self.institution_id, self.team_id = self.teams[(INSTITUTION, "general")]
        self.now = now
        self.pending = Batch([], [], [], [], [])
        self.write = _writer()
        self.written = 0

    def draw(
        self,
        *,
        born: date,
        on: date,
        sex: str | None = None,
        exact: bool = True,
        markers: bool = True,
        holder: tuple[str, str] | None = None,
        nationality: str = "GT",
        protected: bool = False,
        more_markers: Sequence[str] = (),
    ) -> Drawn:
        """One person, `on` being the day of the service or act (for documents by age).
        `holder` is the (institution, team) that holds the record (MINEX's general team by
        default); a protected person (a child, a victim) is seen by that team only."""
        rng, now = self.rng, self.now
        pid = uuid.UUID(int=rng.getrandbits(128), version=4)
        sex = sex or ("F" if rng.random() < 0.45 else "M")
        national = nationality == "GT"
        dept = self.department.draw(rng)
        languages = N.DEPARTMENT_LANGUAGES.get(dept, []) if national else []
        indigenous = bool(languages) and rng.random() < 0.55
        given = self._given(sex)
        first = self._surname(nationality, indigenous)
        second = self._surname(nationality, indigenous)
        if rng.random() < 0.05:
            second = ""
        age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
        municipality = rng.choice(self.municipalities[dept]) if national else None
        b = self.pending
        b.persons.append(
            (
                pid, given, first, second, sex,
                born if exact else None, "exact" if exact else "estimated",
                None if exact else age, None if exact else on,
                nationality, municipality, "", rng.choice(languages) if indigenous else "spa",
                protected, 1, now, now, "",
            )
        )  # fmt: skip
        institution_id, team_id = (
            self.teams[holder] if holder else (self.institution_id, self.team_id)
        )
        b.involvements.append((pid, institution_id, team_id, "import", now))
        b.markers.extend((pid, kind, now) for kind in more_markers)
        tokens = set(name_tokens(given, first, second))
        if national and age >= 18 and rng.random() < 0.6:
            dpi = f"{next(self.dpi_serial):08d}{rng.randrange(10)}{municipality}"
            b.documents.append((pid, "dpi", dpi, dpi, "GT", now))
            tokens.add(dpi.lower())
        elif rng.random() < 0.2:
            passport = f"{rng.choice('ABCDEFGH')}{next(self.passport_serial):08d}"
            b.documents.append((pid, "passport", passport, passport, nationality, now))
            tokens.add(passport.lower())
        b.tokens.extend((pid, t) for t in sorted(tokens))
        if markers and indigenous:
            b.markers.append((pid, "indigenous", now))
        if markers and (TODAY - born).days >= 60 * 365:
            b.markers.append((pid, "older_person", now))
        if len(b.persons) >= 10_000:
            self.flush()
        return Drawn(pid, given, first, second, sex)

    def parent_name(self, sex: str, surname: str) -> str:
        table = self.female if sex == "F" else self.male
        return " ".join(
            p for p in (table.draw(self.rng), surname, self.spanish.draw(self.rng)) if p
        )

    def flush(self) -> None:
        b = self.pending
        if not b.persons:
            return
        with transaction.atomic():
            for attr, table, columns in TABLES:
                self.write(table, columns, getattr(b, attr))
            _audit("people", len(b.persons))
        self.written += len(b.persons)
        self.pending = Batch([], [], [], [], [])


def _audit(register: str, count: int) -> None:
    audit_record(actor=None, action="demo.national", detail={"register": register, "count": count})


def _born(rng: random.Random, on: date, low: float, high: float, mode: float) -> date:
    """A birth date for someone aged about `mode` (between `low` and `high`) on `on`."""
    return on - timedelta(days=int(rng.triangular(low, high, mode) * 365.25))


# ---------------------------------------------------------------- the load


@dataclass
class Context:
    rng: random.Random
    db: Db
    clock: Clock
    people: NationalPeople
    minex: Institution
    operator: User
    consul: User
    registrar: User
    consulates: dict[str, Site]
    volumes: dict[str, int]
    batch_size: int
    progress: Callable[[str, int, int], None]
    cutoff: datetime = field(init=False)

    def __post_init__(self) -> None:
        self.cutoff = self.clock.at(PERIOD[1] + timedelta(days=1)) - timedelta(seconds=1)

    def weighted_sites(self, bonus: dict[str, float] | None = None) -> tuple[list[Site], Weighted]:
        codes = sorted(self.consulates)
        table = {c: CONSULATE_WEIGHTS.get(c, 1) * (bonus or {}).get(c[:2], 1) for c in codes}
        return [self.consulates[c] for c in codes], Weighted(table)  # type: ignore[arg-type]


@dataclass
class NationalSummary:
    volumes: dict[str, int]
    seconds: dict[str, float]
    people: int


def _registrar() -> User:
    """The civil registry's demo account that acknowledges, rejects and registers acts."""
    institution = Institution.objects.get(code="RENAP")
    user, created = User.objects.get_or_create(
        username="registrador.renap",
        defaults={
            "institution": institution,
            "team": Team.objects.get(institution=institution, code="general"),
            "role": Role.CASEWORKER,
            "first_name": "Registrador",
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def generate_national(
    *,
    scale: float = 1.0,
    seed: int = 2019,
    batch_size: int = 50_000,
    progress: Callable[[str, int, int], None] | None = None,
) -> NationalSummary:
    """Load the national demo data; raises AlreadyLoaded if it is there already."""
    volumes = scaled_volumes(scale)
    refuse_if_loaded()
    consulates = {
        s.code: s
        for s in Site.objects.filter(
            kind=Site.Kind.CONSULATE, institution__code=INSTITUTION, active=True
        )
    }
    if not consulates:
        raise RuntimeError("No consulates: run `manage.py seed` first.")
    if User.objects.filter(username__in=["operadora.minex", "consul.minex"]).count() != 2:
        create_demo_users()
    ctx = Context(
        rng=random.Random(f"national-{seed}"),
        db=Db(),
        clock=Clock(),
        people=NationalPeople(seed, timezone.now()),
        minex=Institution.objects.get(code=INSTITUTION),
        operator=User.objects.get(username="operadora.minex"),
        consul=User.objects.get(username="consul.minex"),
        registrar=_registrar(),
        consulates=consulates,
        volumes=volumes,
        batch_size=batch_size,
        progress=progress or (lambda step, done, total: None),
    )
    seconds: dict[str, float] = {}

    def timed(name: str, step: Callable[[], Any]) -> Any:
        started = clock.monotonic()
        result = step()
        ctx.people.flush()
        seconds[name] = clock.monotonic() - started
        return result

    served = timed("consular services", lambda: _services(ctx))
    timed("support contacts", lambda: _contacts(ctx, served))
    timed("civil registrations", lambda: _civil_registrations(ctx))
    timed("travel documents", lambda: _travel_documents(ctx))
    timed("children in shelters", lambda: _sheltered_children(ctx))
    timed("returnees", lambda: _returnees(ctx))
    timed("stay programme", lambda: _stay_programme(ctx))
    timed("trafficking", lambda: _trafficking(ctx))
    timed("violence", lambda: _violence(ctx))
    started = clock.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    seconds["analyze"] = clock.monotonic() - started
    return NationalSummary(volumes=volumes, seconds=seconds, people=ctx.people.written)


# ---------------------------------------------------------------- mobile consulates, services


def _mobile_consulates(ctx: Context) -> list[tuple[Site, float]]:
    """The year's mobile consulates (Sites run by a consulate, 1–2 days), each with a size."""
    rng = ctx.rng
    runners = {
        code: (4 if code.startswith("us-") else 0) + MOBILE_RUNNERS_OTHER.get(code, 0)
        for code in sorted(ctx.consulates)
    }
    runners = {code: w for code, w in runners.items() if w}
    pick = Weighted(runners)  # type: ignore[arg-type]
    weekday = Weighted({"4": 25, "5": 55, "6": 12, "3": 4, "0": 4})
    sites: list[tuple[Site, float]] = []
    for _ in range(ctx.volumes["mobile_consulates"]):
        parent = ctx.consulates[pick.draw(rng)]
        week = date(2018, 1, 1) + timedelta(weeks=rng.randrange(1, 51))
        opens = week + timedelta(days=int(weekday.draw(rng)))
        days = 1 if rng.random() < 0.45 else 2
        city, region = rng.choice(MOBILE_CITIES.get(parent.code, [(parent.city, parent.region)]))
        code = slugify(f"mc-{parent.code}-{opens:%Y%m%d}-{rng.getrandbits(24):06x}")[:60]
        site = Site(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            code=code,
            institution_id=parent.institution_id,
            kind=Site.Kind.MOBILE_CONSULATE,
            parent=parent,
            country_id=parent.country_id,
            city=city,
            region=region,
            name_es=f"Consulado móvil {city} ({opens:%d/%m/%Y})",
            name_en=f"Mobile consulate {city} ({opens:%Y-%m-%d})",
            opens_on=opens,
            closes_on=opens + timedelta(days=days - 1),
            detail={"source": SOURCE},
        )
        sites.append((site, days * rng.uniform(0.5, 1.5)))
    sites.sort(key=lambda s: (s[0].opens_on, s[0].code))
    for n, (site, _) in enumerate(sites, 1):
        site.detail["external_ref"] = f"{REF}/mobile_consulate/{n:03d}"
    with transaction.atomic():
        Site.objects.bulk_create([s for s, _ in sites])
        _audit("mobile_consulates", len(sites))
    ctx.progress("mobile consulates", len(sites), len(sites))
    return sites


def _services(ctx: Context) -> list[str]:
    """Consular services at the mobile consulates to exactly `served_people` people; returns
    the people's ids (as stored) for the support line to link to."""
    rng, db, people, clock_ = ctx.rng, ctx.db, ctx.people, ctx.clock
    events = _mobile_consulates(ctx)
    event = Weighted({str(i): size for i, (_, size) in enumerate(events)})  # type: ignore[dict-item]
    total, persons = ctx.volumes["services"], ctx.volumes["served_people"]
    counts = [1] * persons
    extra = total - persons
    while extra:
        i = rng.randrange(persons)
        if counts[i] < MAX_SERVICES_PER_PERSON:
            counts[i] += 1
            extra -= 1
    kinds = Weighted(SERVICE_KINDS)  # type: ignore[arg-type]
    rows: list[tuple[Any, ...]] = []
    served: list[str] = []
    inst, by = ctx.minex.pk, ctx.consul.pk
    for n in counts:
        site, _ = events[int(event.draw(rng))]
        day = site.opens_on + timedelta(
            days=rng.randrange((site.closes_on - site.opens_on).days + 1)
        )
        person = people.draw(born=_born(rng, day, 0.5, 80, 32), on=day, exact=rng.random() < 0.9)
        pid = db.id(person.pid)
        served.append(pid)
        at = clock_.working(rng, day, 8, 16)
        chosen: list[str] = []
        while len(chosen) < n:
            kind = kinds.draw(rng)
            if kind not in chosen:
                chosen.append(kind)
        for kind in chosen:
            rows.append((at, pid, site.pk, kind))
            at += timedelta(seconds=rng.randrange(300, 1500))
        if len(served) % 10_000 == 0:
            ctx.progress("people served", len(served), persons)
    people.flush()
    rows.sort(key=lambda r: (r[0], r[1], r[3]))
    site_ids = {s.pk: db.id(s.pk) for s, _ in events}
    for start in range(0, len(rows), ctx.batch_size):
        chunk = rows[start : start + ctx.batch_size]
        with transaction.atomic():
            db.write(
                ServiceDelivery._meta.db_table,
                SERVICE_COLUMNS,
                (
                    (
                        pid, None, None, db.id(inst), site_ids[site], kind, db.ts(at), by, "",
                        SOURCE, f"{REF}/service/{start + n + 1:07d}", None,
                    )
                    for n, (at, pid, site, kind) in enumerate(chunk)
                ),
            )  # fmt: skip
            _audit("consular_services", len(chunk))
        ctx.progress("consular services", start + len(chunk), len(rows))
    return served


# ---------------------------------------------------------------- support line


def _contacts(ctx: Context, served: list[str]) -> None:
    """The support line's calls of 2018, exactly `contacts` of them, in time order."""
    rng, db = ctx.rng, ctx.db
    total = ctx.volumes["contacts"]
    days = list(_days(*YEAR))
    weights = [
        CALL_WEEKDAY[d.weekday()]
        * CALL_MONTH[d.month - 1]
        * (0.5 if d in HOLIDAYS else 1)
        * rng.uniform(0.92, 1.08)
        for d in days
    ]
    per_day = _allocate(total, weights)
    active = set(ContactReason.objects.filter(active=True).values_list("code", flat=True))
    reasons = Weighted({code: CONTACT_REASONS.get(code, 1) for code in sorted(active)})  # type: ignore[arg-type]
    serious = set(
        ContactReason.objects.filter(active=True)
        .exclude(protocol="")
        .values_list("code", flat=True)
    )
    countries = Weighted(CALLER_COUNTRIES)  # type: ignore[arg-type]
    cities = {c: Weighted(t) for c, t in CALLER_CITIES.items()}  # type: ignore[arg-type]
    hours = list(itertools.accumulate(CALL_HOUR))
    inst, by = db.id(ctx.minex.pk), ctx.operator.pk
    log190, log420 = math.log(190), math.log(420)
    random_ = rng.random
    done = 0
    pending: list[tuple[Any, ...]] = []

    def flush() -> None:
        nonlocal done, pending
        with transaction.atomic():
            db.write(SupportContact._meta.db_table, CONTACT_COLUMNS, pending)
            _audit("support_contacts", len(pending))
        done += len(pending)
        pending = []
        ctx.progress("support contacts", done, total)

    for day, n in zip(days, per_day, strict=True):
        start = ctx.clock.at(day)
        length = int((ctx.clock.at(day + timedelta(days=1)) - start).total_seconds())
        moments = sorted(
            min(
                bisect.bisect_right(hours, random_() * hours[-1]) * 3600 + rng.randrange(3600),
                length - 1,
            )
            for _ in range(n)
        )
        for second in moments:
            reason = reasons.draw(rng)
            country = countries.draw(rng)
            city = cities[country].draw(rng) if country and random_() < 0.85 else ""
            r = random_()
            if reason in serious:
                outcome = "dropped" if r < 0.05 else "referred" if r < 0.45 else "information"
            else:
                outcome = "dropped" if r < 0.08 else "referred" if r < 0.15 else "information"
            if outcome == "dropped":
                duration = rng.randrange(3, 60)
            elif outcome == "referred":
                duration = int(rng.lognormvariate(log420, 0.5)) + 30
            else:
                duration = int(rng.lognormvariate(log190, 0.55)) + 20
            person = (
                served[rng.randrange(len(served))]
                if outcome != "dropped" and random_() < 0.04
                else None
            )
            pending.append(
                (
                    inst, db.ts(start + timedelta(seconds=second)), "call", country or None,
                    city, reason, outcome, min(duration, 24 * 3600), person, None, by, "",
                    SOURCE, f"{REF}/contact/{done + len(pending) + 1:07d}", None,
                )
            )  # fmt: skip
            if len(pending) >= ctx.batch_size:
                flush()
    if pending:
        flush()


# ---------------------------------------------------------------- registers


def _register_days(ctx: Context, count: int) -> list[date]:
    """`count` working days of the period, drawn (consulates close on Sundays and holidays)."""
    days = [d for d in _days(*PERIOD) if d.weekday() < 6 and d not in HOLIDAYS]
    table = Weighted({d.isoformat(): (0.15 if d.weekday() == 5 else 1) for d in days})  # type: ignore[dict-item]
    return sorted(date.fromisoformat(table.draw(ctx.rng)) for _ in range(count))


class History:
    """A register entry's steps, as the actions append them, stopping at the period's end."""

    def __init__(self, ctx: Context, first: datetime, status: str, by: User) -> None:
        self.ctx = ctx
        self.steps: list[tuple[datetime, dict[str, Any]]] = []
        self.add(first, status, by)

    @property
    def at(self) -> datetime:
        return self.steps[-1][0]

    @property
    def status(self) -> str:
        return self.steps[-1][1]["status"]

    def next(self, status: str, by: User, low: int, high: int, **detail: Any) -> bool:
        """Take the step `low`–`high` days after the last, unless that is after the period."""
        rng = self.ctx.rng
        day = (self.at + timedelta(days=rng.randint(low, high))).date()
        at = self.ctx.clock.working(rng, day)
        if at <= self.at:
            at = self.at + timedelta(minutes=rng.randrange(5, 120))
        if at > self.ctx.cutoff:
            return False
        self.add(at, status, by, **detail)
        return True

    def add(self, at: datetime, status: str, by: User, **detail: Any) -> None:
        entry = {"at": _iso(at), "status": status, "by": by.username}
        self.steps.append((at, {**entry, **{k: v for k, v in detail.items() if v}}))

    def json(self) -> str:
        return json.dumps([entry for _, entry in self.steps])


def _civil_path(ctx: Context, h: History, reference: Callable[[], str]) -> tuple[str, str]:
    """Walk an entry through the civil registry; returns (rejection reason, registry entry)."""
    rng, consul, registry = ctx.rng, ctx.consul, ctx.registrar
    rejection = ""
    if rng.random() < 0.02 or not h.next("sent", consul, 1, 10):
        return rejection, ""
    for _attempt in range(3):
        if rng.random() < 0.07:
            reason = rng.choice(REJECTIONS)
            if not h.next("rejected", registry, 3, 25, reason=reason):
                return rejection, ""
            rejection = reason
            if rng.random() < 0.25 or not h.next("sent", consul, 3, 30):
                return rejection, ""
            continue
        if rng.random() < 0.02 or not h.next("acknowledged", registry, 2, 20):
            return rejection, ""
        if rng.random() < 0.02:
            reason = rng.choice(REJECTIONS)
            if not h.next("rejected", registry, 2, 20, reason=reason):
                return rejection, ""
            rejection = reason
            if rng.random() < 0.25 or not h.next("sent", consul, 3, 30):
                return rejection, ""
            continue
        if rng.random() < 0.02:
            return rejection, ""
        number = reference()
        if h.next("registered", registry, 3, 45, reference=number):
            return rejection, number
        return rejection, ""
    return rejection, ""


def _place(ctx: Context, site: Site) -> str:
    city, region = ctx.rng.choice([(site.city, site.region), *MOBILE_CITIES.get(site.code, [])])
    return f"{city}, {region}" if region else city


def _civil_registrations(ctx: Context) -> None:
    rng, db, people, clock_ = ctx.rng, ctx.db, ctx.people, ctx.clock
    sites, pick = ctx.weighted_sites()
    by_code = {s.code: s for s in sites}
    inst, consul = db.id(ctx.minex.pk), ctx.consul
    serials = {kind: itertools.count(1) for kind in CivilRegistration.Kind.values}
    letter = {"birth": "N", "marriage": "M", "death": "D"}
    done = 0
    grand = sum(ctx.volumes[k] for k in CIVIL_KINDS)
    for volume, kind in CIVIL_KINDS.items():
        rows: list[tuple[Any, ...]] = []
        for recorded_on in _register_days(ctx, ctx.volumes[volume]):
            site = by_code[pick.draw(rng)]
            other = None
            if kind == "birth":
                event = recorded_on - timedelta(days=rng.randint(3, 150))
                person = people.draw(born=event, on=event, sex=rng.choice("FM"), markers=False)
            elif kind == "marriage":
                event = recorded_on - timedelta(days=rng.randint(1, 90))
                person = people.draw(born=_born(rng, event, 18, 50, 27), on=event, sex="F")
                other = people.draw(born=_born(rng, event, 18, 55, 29), on=event, sex="M")
            else:
                event = recorded_on - timedelta(days=rng.randint(1, 30))
                person = people.draw(born=_born(rng, event, 18, 90, 45), on=event, markers=False)
            h = History(ctx, clock_.working(rng, recorded_on), "recorded", consul)
            year = recorded_on.year

            def reference(kind: str = kind, year: int = year) -> str:
                return f"{letter[kind]}-{year}-{next(serials[kind]):06d}"

            rejection, registered = _civil_path(ctx, h, reference)
            rows.append(
                (
                    db.id(uuid.UUID(int=rng.getrandbits(128), version=4)), inst, db.id(site.pk),
                    db.id(person.pid), h.status, db.ts(h.at), h.json(), len(h.steps),
                    db.ts(h.steps[0][0]), consul.pk, SOURCE, None, None,
                    kind, db.id(other.pid) if other else None, event.isoformat(), site.country_id,
                    _place(ctx, site), recorded_on.isoformat(), rejection, registered,
                )
            )  # fmt: skip
        people.flush()
        for start in range(0, len(rows), ctx.batch_size):
            chunk = [
                (*row[:11], f"{REF}/{kind}/{start + i + 1:06d}", *row[12:])
                for i, row in enumerate(rows[start : start + ctx.batch_size])
            ]
            with transaction.atomic():
                db.write(CivilRegistration._meta.db_table, CIVIL_COLUMNS, chunk)
                _audit(f"civil_registrations.{kind}", len(chunk))
            done += len(chunk)
            ctx.progress("civil registrations", done, grand)


def _travel_documents(ctx: Context) -> None:
    rng, db, people, clock_ = ctx.rng, ctx.db, ctx.people, ctx.clock
    inst, consul = db.id(ctx.minex.pk), ctx.consul
    done = 0
    grand = sum(ctx.volumes[k] for k in TRAVEL_KINDS)
    for volume, kind in TRAVEL_KINDS.items():
        # Special passes are mostly asked for in Mexico, on the way home.
        sites, pick = ctx.weighted_sites({"mx": 4} if kind == "special_pass" else None)
        by_code = {s.code: s for s in sites}
        serial = itertools.count(1)
        rows: list[tuple[Any, ...]] = []
        for requested_on in _register_days(ctx, ctx.volumes[volume]):
            site = by_code[pick.draw(rng)]
            child = people.draw(born=_born(rng, requested_on, 0.1, 17.9, 6), on=requested_on)
            h = History(ctx, clock_.working(rng, requested_on), "requested", consul)
            checked = _travel_path(ctx, h, child, kind, serial)
            rows.append(
                (
                    db.id(uuid.UUID(int=rng.getrandbits(128), version=4)), inst, db.id(site.pk),
                    db.id(child.pid), h.status, db.ts(h.at), h.json(), len(h.steps),
                    db.ts(h.steps[0][0]), consul.pk, SOURCE, None, None,
                    kind, requested_on.isoformat(), checked.basis, json.dumps(checked.parents),
                    checked.court_order, checked.number, checked.refusal,
                )
            )  # fmt: skip
        people.flush()
        for start in range(0, len(rows), ctx.batch_size):
            chunk = [
                (*row[:11], f"{REF}/{kind}/{start + i + 1:06d}", *row[12:])
                for i, row in enumerate(rows[start : start + ctx.batch_size])
            ]
            with transaction.atomic():
                db.write(TravelDocument._meta.db_table, TRAVEL_COLUMNS, chunk)
                _audit(f"travel_documents.{kind}", len(chunk))
            done += len(chunk)
            ctx.progress("travel documents", done, grand)


@dataclass
class TravelCheck:
    basis: str = ""
    parents: list[dict[str, str]] = field(default_factory=list)
    court_order: str = ""
    number: str = ""
    refusal: str = ""


def _travel_path(
    ctx: Context, h: History, child: Drawn, kind: str, serial: Iterator[int]
) -> TravelCheck:
    """Check the consent (both parents, or a court order), then issue or refuse."""
    rng, consul, people = ctx.rng, ctx.consul, ctx.people
    out = TravelCheck()
    if rng.random() < 0.03:
        reason = rng.choice(REFUSALS)
        if h.next("refused", consul, 0, 10, reason=reason):
            out.refusal = reason
        return out
    basis = "court_order" if rng.random() < 0.12 else "both_parents"
    if rng.random() < 0.02 or not h.next("checked", consul, 0, 3, basis=basis):
        return out
    father = {
        "name": people.parent_name("M", child.first),
        "document": f"{rng.randrange(10**12, 10**13)}",
        "relation": "father",
    }
    mother = {
        "name": people.parent_name("F", child.second),
        "document": f"{rng.randrange(10**12, 10**13)}",
        "relation": "mother",
    }
    out.basis = basis
    if basis == "both_parents":
        out.parents = [father, mother]
    else:
        out.parents = [rng.choice([father, mother])] if rng.random() < 0.6 else []
        out.court_order = f"{rng.choice(COURTS)}, exp. {rng.randrange(1, 9999):04d}-{h.at.year}"
    if rng.random() < 0.03:
        reason = rng.choice(REFUSALS)
        if h.next("refused", consul, 1, 10, reason=reason):
            out.refusal = reason
    elif rng.random() < 0.98:
        number = _document_number(kind, people, serial, h.at.year, rng)
        if h.next("issued", consul, 2, 20, number=number):
            out.number = number
    return out


def _document_number(
    kind: str, people: NationalPeople, serial: Iterator[int], year: int, rng: random.Random
) -> str:
    if kind == "child_passport":
        return f"{rng.choice('ABCDEFGH')}{next(people.travel_serial):08d}"
    prefix = "PE" if kind == "special_pass" else "AV"
    return f"{prefix}-{year}-{next(serial):05d}"


# ---------------------------------------------------------------- cases (paras. 6, 10-11, 17, 53)


@dataclass(frozen=True)
class Staff:
    """Who works a register's cases: a caseworker, and a supervisor for approved steps."""

    institution: Institution
    team: Team
    worker: User
    supervisor: User


def _staff(code: str, worker: str, supervisor: str) -> Staff:
    institution = Institution.objects.get(code=code)
    team = Team.objects.get(institution=institution, code="protection")
    users = []
    for username, role in ((worker, Role.CASEWORKER), (supervisor, Role.SUPERVISOR)):
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "institution": institution,
                "team": team,
                "role": role,
                "first_name": username.split(".")[0].capitalize(),
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        users.append(user)
    return Staff(institution, team, users[0], users[1])


CASE_COLUMNS = _columns(
    Case,
    "id", "protocol_code", "protocol_version", "person", "household", "institution", "team",
    "assigned_to", "stage", "data", "sensitive", "version", "opened_at", "opened_by",
    "closed_at", "closure_reason",
)  # fmt: skip
EVENT_COLUMNS = _columns(
    CaseEvent, "case", "at", "actor", "kind", "stage_from", "stage_to", "detail"
)  # fmt: skip
TASK_COLUMNS = _columns(
    Task, "case", "code", "stage", "title_es", "title_en", "due_at", "done_at", "done_by",
    "escalated_at", "cancelled",
)  # fmt: skip


class CaseRows:
    """Cases as the engine would leave them: the case row, its timeline (opened, forms saved,
    tasks done, transitions) and its tasks, walked along the protocol's own transitions (each
    step checks that the protocol allows it from the current stage). Written in bulk."""

    def __init__(self, ctx: Context, code: str) -> None:
        protocol = protocol_get(code)
        if protocol is None:
            raise RuntimeError(f"The protocol “{code}” is not installed.")
        self.ctx, self.protocol = ctx, protocol
        self.cases: list[tuple[Any, ...]] = []
        self.events: list[tuple[Any, ...]] = []
        self.tasks: list[tuple[Any, ...]] = []
        self.count = 0

    def add(
        self,
        *,
        staff: Staff,
        person: Drawn,
        opened: datetime,
        steps: Sequence[tuple[str, datetime]],
        forms: dict[str, Any],
        closure_reason: str = "",
        household: uuid.UUID | None = None,
        protected: bool = False,
    ) -> uuid.UUID:
        ctx, p, db, rng = self.ctx, self.protocol, self.ctx.db, self.ctx.rng
        self.count += 1
        case_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        cid = db.id(case_id)
        worker, boss = staff.worker.pk, staff.supervisor.pk
        stage, version, entered = p.initial_stage.code, 1, opened
        detail = {
            "protocol": f"{p.code} v{p.version}",
            "source": SOURCE,
            "external_ref": f"{REF}/case/{p.code}/{self.count:06d}",
        }
        events = [(opened, worker, "opened", "", stage, detail)]
        open_tasks: dict[str, list[Any]] = {}

        def enter(stage_code: str, at: datetime) -> None:
            for t in p.stages[stage_code].tasks:
                open_tasks.setdefault(
                    t.code,
                    [cid, t.code, stage_code, t.title["es"], t.title["en"], at + t.due, None,
                     None, None, False],
                )  # fmt: skip

        enter(stage, opened)
        closed_at: datetime | None = None
        for code, at in steps:
            spec = p.transitions[code]
            if stage not in spec.sources:
                raise RuntimeError(f"{p.code}: “{code}” is not possible from “{stage}”.")
            # The forms the step needs are saved, and the stage's tasks done, before it.
            span = max(60, int((at - entered).total_seconds()))
            for form in spec.requires_forms:
                if form in forms and not any(
                    e[2] == "form" and e[5] == {"form": form} for e in events
                ):
                    events.append((entered + timedelta(seconds=rng.randrange(span)), worker,
                                   "form", "", "", {"form": form}))  # fmt: skip
                    version += 1
            for task in open_tasks.values():
                if (
                    task[6] is None
                    and task[2] == stage
                    and (not spec.closure or task[1] in spec.requires_tasks)
                ):
                    done = entered + timedelta(seconds=rng.randrange(span))
                    task[6], task[7] = done, worker
                    events.append((done, worker, "task_done", "", "", {"task": task[1]}))
            actor = boss if spec.approval else worker
            final = p.stages[spec.target].final
            events.append(
                (at, actor, "transition", stage, spec.target,
                 {"transition": code, "approved_by": None,
                  "closure_reason": (closure_reason if final else "") or None})
            )  # fmt: skip
            version += 1
            stage, entered = spec.target, at
            if final:
                closed_at = at
                for task in open_tasks.values():
                    if task[6] is None:
                        task[6], task[9] = at, True
            else:
                enter(stage, at)
        # Forms saved while resting at the current stage (not yet needed by a step).
        for form in forms:
            if not any(e[2] == "form" and e[5] == {"form": form} for e in events):
                at = entered + timedelta(minutes=rng.randrange(10, 600))
                if at <= ctx.cutoff:
                    events.append((at, worker, "form", "", "", {"form": form}))
                    version += 1
        kept = {f: v for f, v in forms.items() if any(e[5] == {"form": f} for e in events)}
        self.cases.append(
            (
                cid, p.code, p.version, db.id(person.pid), db.id(household) if household else None,
                db.id(staff.institution.pk), staff.team.pk, worker, stage, json.dumps(kept),
                p.sensitive or protected, version, db.ts(opened), worker,
                db.ts(closed_at) if closed_at else None, closure_reason if closed_at else "",
            )
        )  # fmt: skip
        events.sort(key=lambda e: e[0])
        self.events.extend(
            (cid, db.ts(at), actor, kind, s_from, s_to, json.dumps(d))
            for at, actor, kind, s_from, s_to, d in events
        )
        self.tasks.extend(
            (*t[:5], db.ts(t[5]), db.ts(t[6]) if t[6] else None, *t[7:])
            for t in open_tasks.values()
        )
        return case_id

    def flush(self) -> None:
        """Write the cases, then their timelines and tasks (in time order, as they happened)."""
        db = self.ctx.db
        self.ctx.people.flush()
        self.events.sort(key=lambda e: e[1])
        with transaction.atomic():
            db.write(Case._meta.db_table, CASE_COLUMNS, self.cases)
            db.write(CaseEvent._meta.db_table, EVENT_COLUMNS, self.events)
            db.write(Task._meta.db_table, TASK_COLUMNS, self.tasks)
            _audit(f"cases.{self.protocol.code}", len(self.cases))
        self.cases, self.events, self.tasks = [], [], []


def _walk(
    ctx: Context, start: datetime, codes: Sequence[str], low_h: int, high_h: int
) -> list[tuple[str, datetime]]:
    """Transition times `low_h`–`high_h` hours apart, stopping at the period's end."""
    out: list[tuple[str, datetime]] = []
    at = start
    for code in codes:
        at = at + timedelta(hours=ctx.rng.randint(low_h, high_h), minutes=ctx.rng.randrange(60))
        if at > ctx.cutoff:
            break
        out.append((code, at))
    return out


def _forms(protocol_code: str, rng: random.Random, **fixed: dict[str, Any]) -> dict[str, Any]:
    """Every form of the protocol filled with schema-valid values, `fixed` fields overriding."""
    from amparo.demo.cases import sample

    protocol = protocol_get(protocol_code)
    assert protocol is not None
    out = {code: sample(form.schema, rng) for code, form in protocol.forms.items()}
    for code, values in fixed.items():
        out[code] = {**out.get(code, {}), **values}
    return out


def _days_in(ctx: Context, start: date, end: date, count: int) -> list[date]:
    """`count` days between `start` and `end` (weekdays likelier), sorted."""
    days = list(_days(start, end))
    table = Weighted({d.isoformat(): (0.4 if d.weekday() >= 5 else 1) for d in days})  # type: ignore[dict-item]
    return sorted(date.fromisoformat(table.draw(ctx.rng)) for _ in range(count))


def _demo_site(ctx: Context, code: str, institution: Institution, kind: str, **kw: Any) -> Site:
    site, _ = Site.objects.get_or_create(
        code=code,
        defaults={"institution": institution, "kind": kind, "country_id": "GT", **kw},
    )
    return site


def _service_rows(
    ctx: Context, rows: list[tuple[datetime, str, Any, Site, str, str]], register: str, by: int
) -> None:
    """ServiceDelivery rows: (at, person id, case id or None, site, kind, institution id)."""
    db = ctx.db
    rows.sort(key=lambda r: r[0])
    ctx.people.flush()
    with transaction.atomic():
        db.write(
            ServiceDelivery._meta.db_table,
            SERVICE_COLUMNS,
            (
                (pid, case, None, inst, db.id(site.pk), kind, db.ts(at), by, "", SOURCE,
                 f"{REF}/{register}/{n:07d}", None)
                for n, (at, pid, case, site, kind, inst) in enumerate(rows, 1)
            ),
        )  # fmt: skip
        _audit(register, len(rows))


def _sheltered_children(ctx: Context) -> None:
    """Para. 6: children and adolescents looked after in 2018 in the SBS "Casa Nuestras Raíces"
    shelters, each with a case under the national protocol for migrant children and a shelter
    stay (the case's service)."""
    rng, db = ctx.rng, ctx.db
    staff = _staff("SBS", "trabajadora.sbs", "supervisor.sbs")
    shelters = list(
        Site.objects.filter(institution__code="SBS", kind=Site.Kind.SHELTER).order_by("code")
    )
    if not shelters:
        raise RuntimeError("No SBS shelters: run `manage.py seed` first.")
    cases = CaseRows(ctx, "child_reception")
    services: list[tuple[datetime, str, Any, Site, str, str]] = []
    holder = (staff.institution.code, staff.team.code)
    inst = db.id(staff.institution.pk)
    path = ["receive", "start_interview", "determine_best_interests", "close"]
    for day in _days_in(ctx, *YEAR, ctx.volumes["sheltered_children"]):
        arrived = ctx.clock.at(day, rng.randrange(6 * 3600, 22 * 3600))
        child = ctx.people.draw(
            born=_born(rng, day, 6, 17.95, 15.5), on=day, holder=holder, protected=True,
            more_markers=["unaccompanied_child"] if rng.random() < 0.6 else [],
        )  # fmt: skip
        opened = arrived - timedelta(hours=rng.randint(2, 30))
        stop = rng.choices([1, 2, 3, 4], weights=[5, 10, 25, 60])[0]
        steps = [("receive", arrived), *_walk(ctx, arrived, path[1:stop], 1, 72)]
        forms = _forms("child_reception", rng, reception_record={"accompanied": False})
        reason = rng.choice(["reunified_with_family"] * 8 + ["alternative_care", "transferred"])
        cid = cases.add(
            staff=staff,
            person=child,
            opened=opened,
            steps=steps,
            forms=forms,
            closure_reason=reason,
            protected=True,
        )
        services.append(
            (arrived, db.id(child.pid), db.id(cid), rng.choice(shelters), "shelter", inst)
        )
    cases.flush()
    _service_rows(ctx, services, "shelter", staff.worker.pk)
    ctx.progress("children in shelters", len(services), len(services))


def _returnees(ctx: Context) -> None:
    """Para. 10: returnees from Mexico and the United States assisted in 2018 by SOSEP, with
    their households: one reintegration case per household, opened on its head."""
    rng, db = ctx.rng, ctx.db
    staff = _staff("SOSEP", "trabajadora.sosep", "supervisora.sosep")
    holder = (staff.institution.code, staff.team.code)
    households, people = ctx.volumes["returnee_households"], ctx.volumes["returnees"]
    sizes = [1] * households
    extra = people - households
    while extra:
        i = rng.randrange(households)
        if sizes[i] < 8:
            sizes[i] += 1
            extra -= 1
    cases = CaseRows(ctx, "returnee_reintegration")
    house_rows: list[tuple[Any, ...]] = []
    member_rows: list[tuple[Any, ...]] = []
    path = ["assess_household", "draft_plan", "approve_plan", "start_follow_up", "close"]
    now = ctx.people.now
    for day, size in zip(_days_in(ctx, *YEAR, households), sizes, strict=True):
        head = ctx.people.draw(born=_born(rng, day, 18, 65, 32), on=day, holder=holder)
        members = [(head, "")]
        children = 0
        for _n in range(size - 1):
            adult = rng.random() < 0.35
            children += not adult
            # Each member's relation to the head: the first adult a spouse, children sons and
            # daughters, other adults relatives (no draw: the demo stays the same otherwise).
            spouse = adult and all(r != "spouse" for _m, r in members)
            relation = ("spouse" if spouse else "relative") if adult else "child"
            members.append(
                (ctx.people.draw(
                    born=_born(rng, day, 18, 60, 30) if adult else _born(rng, day, 0.2, 17.9, 8),
                    on=day, holder=holder,
                ), relation)
            )  # fmt: skip
        hid = uuid.UUID(int=rng.getrandbits(128), version=4)
        house_rows.append((db.id(hid), f"Hogar {head.first} {head.second}".strip(), now))
        member_rows.extend((db.id(hid), db.id(m.pid), m is head, r) for m, r in members)
        opened = ctx.clock.at(day, rng.randrange(7 * 3600, 20 * 3600))
        stop = rng.choices([0, 1, 2, 3, 4, 5], weights=[5, 10, 10, 30, 25, 20])[0]
        steps = _walk(ctx, opened, path[:stop], 24, 24 * 60)
        forms = _forms(
            "returnee_reintegration", rng,
            reception={"returned_from": rng.choice(["US"] * 6 + ["MX"] * 4),
                       "members_returned": size, "children_returned": children},
        )  # fmt: skip
        cases.add(
            staff=staff, person=head, opened=opened, steps=steps, forms=forms,
            closure_reason="reintegrated", household=hid,
        )  # fmt: skip
    ctx.people.flush()
    with transaction.atomic():
        db.write(
            Household._meta.db_table, _columns(Household, "id", "label", "created_at"), house_rows
        )
        db.write(
            HouseholdMember._meta.db_table,
            _columns(HouseholdMember, "household", "person", "is_head", "relation_to_head"),
            member_rows,
        )
        _audit("households", len(house_rows))
    cases.flush()
    ctx.progress("returnee households", households, households)


# The "Quédate" programme since 2016 (para. 11); its second centre opened in March 2019.
STAY_START = date(2016, 1, 1)
STAY_SECOND_CENTRE = date(2019, 3, 1)


def _stay_programme(ctx: Context) -> None:
    """Para. 11: adolescents who migrated or were at risk of migrating, trained at a "Quédate"
    centre since 2016: an enrolment (a training service) each, some with later sessions."""
    rng, db = ctx.rng, ctx.db
    staff = _staff("SBS", "trabajadora.sbs", "supervisor.sbs")
    holder = (staff.institution.code, staff.team.code)
    first = _demo_site(
        ctx, "sbs-quedate-quetzaltenango", staff.institution, Site.Kind.OFFICE,
        name_es="Centro de Formación Quédate, Quetzaltenango",
        name_en="“Quédate” training centre, Quetzaltenango", city="Quetzaltenango",
        municipality_id="0901", opens_on=STAY_START,
        detail={"source": SOURCE, "programme": "quedate"},
    )  # fmt: skip
    second = _demo_site(
        ctx, "sbs-quedate-huehuetenango", staff.institution, Site.Kind.OFFICE,
        name_es="Centro de Formación Quédate, Huehuetenango",
        name_en="“Quédate” training centre, Huehuetenango", city="Huehuetenango",
        municipality_id="1301", opens_on=STAY_SECOND_CENTRE,
        detail={"source": SOURCE, "programme": "quedate"},
    )  # fmt: skip
    inst = db.id(staff.institution.pk)
    rows: list[tuple[datetime, str, Any, Site, str, str]] = []
    for day in _days_in(ctx, STAY_START, PERIOD[1], ctx.volumes["stay_adolescents"]):
        person = ctx.people.draw(born=_born(rng, day, 12.1, 17.9, 15), on=day, holder=holder)
        site = second if day >= STAY_SECOND_CENTRE and rng.random() < 0.5 else first
        at = ctx.clock.working(rng, day)
        rows.append((at, db.id(person.pid), None, site, "training", inst))
        for _n in range(rng.choices([0, 1, 2], weights=[60, 30, 10])[0]):
            later = at + timedelta(days=rng.randint(7, 120))
            if later <= ctx.cutoff:
                rows.append((later, db.id(person.pid), None, site, "training", inst))
    _service_rows(ctx, rows, "quedate", staff.worker.pk)
    ctx.progress("stay programme", len(rows), len(rows))


# Para. 17: complaints Jan–Nov 2018 (Public Prosecutor), cases brought Jan–Aug 2018 (judiciary).
COMPLAINTS = (date(2018, 1, 1), date(2018, 11, 30))
BROUGHT = (date(2018, 1, 1), date(2018, 8, 31))
VICTIM_NATIONALITIES = {"GT": 55, "HN": 18, "SV": 14, "NI": 8, "MX": 5}


def _trafficking(ctx: Context) -> None:
    """Para. 17: trafficking complaints filed and cases brought, as cases of the protocol for
    victims of trafficking at the Public Prosecutor's Office. Charges in January–August 2018
    come partly from complaints of 2018 and partly from complaints of 2017."""
    rng = ctx.rng
    staff = _staff("MP", "fiscal.mp", "fiscal.jefe.mp")
    holder = (staff.institution.code, staff.team.code)
    nationality = Weighted(VICTIM_NATIONALITIES)  # type: ignore[arg-type]
    cases = CaseRows(ctx, "trafficking_victims")
    complaints, brought = ctx.volumes["trafficking_complaints"], ctx.volumes["trafficking_brought"]
    filed = _days_in(ctx, *COMPLAINTS, complaints)
    early = [i for i, d in enumerate(filed) if d <= BROUGHT[1] - timedelta(days=14)]
    from_2018 = set(rng.sample(early, min(len(early), round(brought * 0.6))))
    plan: list[tuple[date, date | None]] = []
    for i, day in enumerate(filed):
        charged: date | None = None
        if i in from_2018:
            charged = min(day + timedelta(days=rng.randint(14, 90)), BROUGHT[1])
        elif rng.random() < 0.3:
            later = max(day, BROUGHT[1]) + timedelta(days=rng.randint(14, 120))
            charged = later if later <= PERIOD[1] else None
        plan.append((day, charged))
    for _n in range(brought - len(from_2018)):
        day = date(2017, 1, 1) + timedelta(days=rng.randrange(364))
        plan.append(
            (day, date(2018, 1, 1) + timedelta(days=rng.randrange(BROUGHT[1].timetuple().tm_yday)))
        )
    for day, charged in plan:
        identified = ctx.clock.at(
            day - timedelta(days=rng.randint(3, 40)), rng.randrange(8 * 3600, 18 * 3600)
        )
        nat = nationality.draw(rng)
        sex = "F" if rng.random() < 0.8 else "M"
        victim = ctx.people.draw(
            born=_born(rng, day, 13, 45, 22), on=day, sex=sex, holder=holder, nationality=nat,
            protected=True, more_markers=["trafficking_victim"],
        )  # fmt: skip
        complaint_at = ctx.clock.working(rng, day)
        steps = [
            ("identify_as_victim", identified + timedelta(hours=rng.randint(4, 24))),
            ("provide_legal_aid", identified + timedelta(hours=rng.randint(30, 60))),
            ("file_complaint", complaint_at),
        ]
        if charged is not None:
            steps.append(("charges_filed", ctx.clock.working(rng, charged)))
        exploitation = rng.choice(
            ["sexual_exploitation", "labour_exploitation", "forced_begging", "servitude"]
        )
        complaint = {
            "filed_on": day.isoformat(),
            "offences": ["trafficking"],
            "mp_case_number": f"MP001-{day.year}-{rng.randrange(1, 99999):05d}",
        }
        forms = _forms(
            "trafficking_victims",
            rng,
            identification={"exploitation": [exploitation], "is_child": False},
            legal_aid={"complaint_decision": "file_complaint"},
            complaint=complaint,
        )
        if charged is not None:
            forms["charges"] = {
                **forms["charges"],
                "charged_on": charged.isoformat(),
                "offences": ["trafficking"],
            }
        else:
            forms.pop("charges", None)
        for later in ("prosecution_outcome", "reintegration_plan"):
            forms.pop(later, None)
        cases.add(
            staff=staff, person=victim, opened=identified, steps=steps, forms=forms, protected=True
        )
    cases.flush()
    ctx.progress("trafficking cases", len(plan), len(plan))


# Para. 53: (period, women, men) of the cases of sexual or psychological violence.
VIOLENCE = {
    "2018": (YEAR, "violence_2018_women", "violence_2018_men"),
    "2019": ((date(2019, 1, 1), date(2019, 3, 31)), "violence_2019_women", "violence_2019_men"),
}


def _violence(ctx: Context) -> None:
    """Para. 53: migrants who suffered sexual or psychological violence cared for at the health
    services' specialised clinics: cases of the protocol for victims of trafficking and sexual
    violence opened by the Ministry of Health."""
    rng = ctx.rng
    staff = _staff("MSPAS", "medica.mspas", "supervisora.mspas")
    holder = (staff.institution.code, staff.team.code)
    nationality = Weighted(VICTIM_NATIONALITIES)  # type: ignore[arg-type]
    cases = CaseRows(ctx, "trafficking_victims")
    for (start, end), women, men in VIOLENCE.values():
        sexes = ["F"] * ctx.volumes[women] + ["M"] * ctx.volumes[men]
        rng.shuffle(sexes)
        for day, sex in zip(_days_in(ctx, start, end, len(sexes)), sexes, strict=True):
            opened = ctx.clock.at(day, rng.randrange(0, 24 * 3600))
            victim = ctx.people.draw(
                born=_born(rng, day, 18, 50, 26), on=day, sex=sex, holder=holder,
                nationality=nationality.draw(rng), protected=True,
                more_markers=["violence_survivor"],
            )  # fmt: skip
            sexual = rng.random() < 0.7
            stop = rng.choices([1, 2], weights=[40, 60])[0]
            steps = [
                ("identify_as_victim", opened + timedelta(hours=rng.randint(2, 20))),
                ("provide_legal_aid", opened + timedelta(hours=rng.randint(24, 96))),
            ][:stop]
            steps = [(c, at) for c, at in steps if at <= ctx.cutoff]
            care = ["emergency_medical", "psychological"] if sexual else ["psychological"]
            forms = _forms(
                "trafficking_victims",
                rng,
                identification={
                    "exploitation": ["none_identified"],
                    "sexual_violence": sexual,
                    "is_child": False,
                },
                care_plan={
                    "care_received": care,
                    "clinic": "Clínica especializada MSPAS",
                    "plan_agreed": True,
                },
            )
            keep = {"identification", "care_plan"} | ({"legal_aid"} if len(steps) > 1 else set())
            forms = {k: v for k, v in forms.items() if k in keep}
            if len(steps) > 1:
                forms["legal_aid"]["complaint_decision"] = "declines_to_file"
            cases.add(
                staff=staff, person=victim, opened=opened, steps=steps, forms=forms, protected=True
            )
    cases.flush()
    ctx.progress("violence cases", cases.count, cases.count)
