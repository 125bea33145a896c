"""Labour-migration demo data for 2018 at the volumes of CMW/C/SR.413 (paras. 8, 9, 49, 50).

- 18,118 workers recruited for Canada and Mexico, mostly men, each with their placement from
  registration to return (and people not selected or who withdrew, who are not counted);
- 130 workplace inspections and 5,282 support services by the consulate in Montreal;
- 6,000 information pamphlets for Canada and 2,500 for southern Mexico;
- employers, their offers, and recruiters in the register (for the public check).

Like amparo/demo/national.py: people drawn by its generator and written in bulk, placements and
services written by its bulk writer (COPY on PostgreSQL, executemany on SQLite) holding what
the actions would write (statuses, history, version), every row with source "demo", all
randomness from the seed, and a second load refused. Call `generate_labour()` after the
reference data (`manage.py seed`); it runs on its own or after `generate_national()`.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from amparo.core.audit import audit_record
from amparo.core.models import Institution, Role, Site, Team, User
from amparo.demo.generator import DEMO_PASSWORD, TODAY
from amparo.demo.national import AlreadyLoaded, Clock, Db, NationalPeople, _allocate, _columns

from .actions import ServiceInput, service_record
from .models import (
    Employer,
    JobOffer,
    PamphletDistribution,
    Placement,
    Recruiter,
    SupportService,
    WorkplaceVisit,
)
from .names import new_number, normalise_name, tax_number_with_check
from .queries import public_invalidate

SOURCE = "demo"
YEAR = 2018
VOLUMES: dict[str, int] = {
    "recruited": 18_118,
    "inspections": 130,
    "services": 5_282,
    "pamphlets_canada": 6_000,
    "pamphlets_mexico": 2_500,
}
# Not given by the delegation: Canada's programme is the older and larger one.
CANADA_SHARE = 0.55
MEN_SHARE = 0.94
# Registered but not recruited (not selected, withdrew), per recruited worker.
NOT_RECRUITED = 0.12
BREACH_CASES = 12  # services that found a breach of contract: opened through the action

CANADA_REGIONS = [
    ("Québec", 0.55),
    ("Ontario", 0.25),
    ("British Columbia", 0.12),
    ("Alberta", 0.08),
]
CANADA_CITIES = {
    "Québec": ["Saint-Rémi", "Sherrington", "Saint-Jean-sur-Richelieu", "Mirabel", "Joliette"],
    "Ontario": ["Leamington", "Simcoe", "Niagara-on-the-Lake", "Bradford"],
    "British Columbia": ["Abbotsford", "Kelowna", "Oliver"],
    "Alberta": ["Brooks", "Taber"],
}
CANADA_NAMES = ["Ferme", "Fermes", "Serres", "Vergers", "Jardins", "Les Cultures", "Maraîchers"]
CANADA_FAMILIES = [
    "Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie", "Fortin",
    "Gagné", "Ouellet", "Pelletier", "Bélanger", "Lévesque", "Bergeron", "Leblanc", "Girard",
    "Simard", "Boucher", "Caron", "Beaulieu", "Cloutier", "Dubé", "Poirier", "Fournier",
    "Smith", "Brown", "Wilson", "Taylor", "Campbell", "Anderson", "Martin", "Thompson",
]  # fmt: skip
MEXICO_CITIES = [("Chiapas", "Tapachula", 0.5), ("Chiapas", "Huixtla", 0.15),
                 ("Chiapas", "Cacahoatán", 0.15), ("Tabasco", "Tenosique", 0.1),
                 ("Quintana Roo", "Chetumal", 0.1)]  # fmt: skip
MEXICO_NAMES = ["Finca", "Rancho", "Plantación", "Agrícola"]
MEXICO_FAMILIES = [
    "La Esperanza", "San Juan", "Santa Rita", "El Retiro", "Argovia", "Hamburgo", "Irlanda",
    "La Chiripa", "Maravillas", "San Cristóbal", "El Platanar", "Los Cocos", "Santa Anita",
    "Guadalupe", "La Victoria", "El Progreso", "San Francisco", "Las Nubes", "Chiripa",
]  # fmt: skip
SERVICE_KINDS = [("orientation", 40), ("legal_advice", 12), ("wage_claim", 10), ("health", 15),
                 ("documents", 12), ("housing", 6), ("return", 3), ("other", 2)]  # fmt: skip
FINDINGS = [
    "Vivienda adecuada; contratos firmados y entregados a los trabajadores.",
    "Horas extra sin registro; se pidió al empleador el detalle de horas.",
    "Falta de equipo de protección para aplicar plaguicidas.",
    "Vivienda con hacinamiento; se solicitó corrección al empleador.",
    "Sin novedades; trabajadores informados de los servicios consulares.",
    "Descuentos salariales no previstos en el contrato.",
]
OFFICES = [
    ("mintrab-central", "MINTRAB", "Ministerio de Trabajo, oficinas centrales",
     "Ministry of Labour, head office", "Ciudad de Guatemala", "Guatemala"),
    ("dml-tecun-uman", "MINTRAB_DML", "Ventanilla de movilidad laboral Tecún Umán",
     "Labour mobility office Tecún Umán", "Ayutla", "San Marcos"),
    ("dml-la-mesilla", "MINTRAB_DML", "Ventanilla de movilidad laboral La Mesilla",
     "Labour mobility office La Mesilla", "La Democracia", "Huehuetenango"),
]  # fmt: skip
# The two labour-mobility offices opened on the Mexican border (para. 49).
BORDER_OFFICES = ["dml-tecun-uman", "dml-la-mesilla"]
MONTREAL = "ca-montreal"
DECIDED = {"suspended": "suspend", "revoked": "revoke", "refused": "refuse"}

PLACEMENT_COLUMNS = _columns(
    Placement,
    "id", "offer", "person", "site", "registered_on", "departed_on", "returned_on",
    "previous", "institution", "team", "status", "status_at", "history", "version",
    "created_at", "created_by", "source",
)  # fmt: skip
SERVICE_COLUMNS = _columns(
    SupportService,
    "id", "person", "employer", "site", "kind", "given_on", "description",
    "breach_of_contract", "case", "institution", "team", "created_at", "created_by", "source",
)  # fmt: skip


def scaled_volumes(scale: float = 1.0) -> dict[str, int]:
    if not scale > 0:
        raise ValueError("The scale must be positive.")
    return {name: max(1, round(n * scale)) for name, n in VOLUMES.items()}


class LabourAlreadyLoaded(AlreadyLoaded):
    """Labour demo data is already in the database."""


def labour_loaded() -> bool:
    return (
        Placement.objects.filter(source=SOURCE).exists()
        or SupportService.objects.filter(source=SOURCE).exists()
        or PamphletDistribution.objects.filter(source=SOURCE).exists()
    )


@dataclass
class LabourSummary:
    volumes: dict[str, int]
    people: int
    employers: int
    offers: int
    recruiters: int


def _user(username: str, institution: str, role: str, first_name: str) -> User:
    inst = Institution.objects.get(code=institution)
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "institution": inst,
            "team": Team.objects.get(institution=inst, code="general"),
            "role": role,
            "first_name": first_name,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _offices() -> dict[str, Site]:
    sites = {}
    for code, inst, name_es, name_en, city, region in OFFICES:
        sites[code], _ = Site.objects.get_or_create(
            code=code,
            defaults={
                "institution": Institution.objects.get(code=inst),
                "kind": Site.Kind.OFFICE,
                "country_id": "GT",
                "city": city,
                "region": region,
                "name_es": name_es,
                "name_en": name_en,
                "detail": {"source": SOURCE},
            },
        )
    return sites


def _weighted(rng: random.Random, pairs: list[tuple[Any, float]]) -> Any:
    return rng.choices([p[0] for p in pairs], [p[1] for p in pairs])[0]


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _iso(clock: Clock, day: date, rng: random.Random) -> tuple[datetime, str]:
    at = clock.working(rng, day)
    return at, at.replace(tzinfo=UTC).isoformat()


def generate_labour(
    *,
    scale: float = 1.0,
    seed: int = 2018,
    batch_size: int = 50_000,
    progress: Callable[[str, int, int], None] | None = None,
) -> LabourSummary:
    """Load the labour demo data for 2018; raises LabourAlreadyLoaded on a second load."""
    if labour_loaded():
        raise LabourAlreadyLoaded(
            "Labour demo data is already loaded. Load it into a fresh database."
        )
    montreal = Site.objects.filter(code=MONTREAL).first()
    if montreal is None:
        raise RuntimeError("No consulate in Montreal: run `manage.py seed` first.")
    report = progress or (lambda step, done, total: None)
    volumes = scaled_volumes(scale)
    rng = random.Random(f"labour-{seed}")
    db, clock = Db(), Clock()
    now = timezone.now().replace(microsecond=0)
    selector = _user("seleccion.mintrab", "MINTRAB", Role.CASEWORKER, "Marta")
    chief = _user("supervisora.mintrab", "MINTRAB", Role.SUPERVISOR, "Beatriz")
    consul = _user("consul.montreal", "MINEX", Role.CASEWORKER, "Raúl")
    offices = _offices()
    people = NationalPeople(seed + 7, now.replace(tzinfo=None))
    with transaction.atomic():
        recruiters = _recruiters(rng, chief, now)
        employers = _employers(rng, selector, volumes["recruited"])
        offers = _offers(rng, selector, employers, recruiters)
    transaction.on_commit(public_invalidate)  # the public check sees the new register
    public_invalidate()
    report("register", 1, 1)

    # Workers: recruited ones per country, then those registered and not recruited.
    mintrab = Institution.objects.get(code="MINTRAB")
    team = Team.objects.get(institution=mintrab, code="general")
    minex = montreal.institution
    minex_team = Team.objects.get(institution=minex, code="general")
    canada = _allocate(volumes["recruited"], [CANADA_SHARE, 1 - CANADA_SHARE])
    montreal_workers: list[tuple[uuid.UUID, uuid.UUID]] = []  # (person, employer)
    rows: list[tuple[Any, ...]] = []
    positions: dict[uuid.UUID, int] = {}
    total = volumes["recruited"] + round(volumes["recruited"] * NOT_RECRUITED)
    for country, recruited in zip(("CA", "MX"), canada, strict=True):
        pool = [o for o in offers if o.country_id == country]
        extra = round(recruited * NOT_RECRUITED)
        for n in range(recruited + extra):
            offer = rng.choice(pool)
            counted = n < recruited
            sex = "M" if rng.random() < MEN_SHARE else "F"
            born = offer.starts_on - timedelta(days=int(rng.triangular(19, 50, 29) * 365.25))
            person = people.draw(
                born=born, on=offer.starts_on, sex=sex, holder=("MINTRAB", "general")
            )
            site = (
                offices["mintrab-central"]
                if country == "CA"
                else offices[rng.choice(BORDER_OFFICES)]
            )
            registered = offer.starts_on - timedelta(days=rng.randint(30, 120))
            history, status, departed, returned, last = _path(
                rng, clock, selector, offer, registered, counted
            )
            rows.append(
                (
                    db.id(uuid.UUID(int=rng.getrandbits(128), version=4)), db.id(offer.pk),
                    db.id(person.pid), db.id(site.pk), registered.isoformat(),
                    departed.isoformat() if departed else None,
                    returned.isoformat() if returned else None, None, db.id(mintrab.pk),
                    team.pk, status, db.ts(last), json.dumps(history), len(history),
                    db.ts(clock.at(registered, 9 * 3600)), selector.pk, SOURCE,
                )
            )  # fmt: skip
            if counted:
                positions[offer.pk] = positions.get(offer.pk, 0) + 1
            if counted and country == "CA" and offer.employer.region == "Québec":
                montreal_workers.append((person.pid, offer.employer_id))
            if len(rows) >= batch_size:
                people.flush()
                db.write(Placement._meta.db_table, PLACEMENT_COLUMNS, rows)
                rows = []
                report("workers", people.written, total)
    # The consulate in Montreal holds the records of the workers it served.
    served = _served(rng, montreal_workers, volumes["services"])
    people.pending.involvements.extend(
        (pid, minex.pk, minex_team.pk, "import", now.replace(tzinfo=None)) for pid, _e in served
    )
    people.flush()
    with transaction.atomic():
        db.write(Placement._meta.db_table, PLACEMENT_COLUMNS, rows)
        _audit("placements", volumes["recruited"])
        for offer in offers:  # the positions offered: those filled and a few left open
            offer.positions = positions.get(offer.pk, 0) + rng.randint(0, 3) or 1
        JobOffer.objects.bulk_update(offers, ["positions"], batch_size=1000)
    report("workers", total, total)

    _pamphlets(rng, selector, offices, volumes)
    _visits(rng, consul, montreal, employers, volumes["inspections"])
    _services(rng, db, clock, consul, montreal, served, volumes["services"], minex_team)
    report("support", 1, 1)
    return LabourSummary(
        volumes=volumes,
        people=people.written,
        employers=len(employers),
        offers=len(offers),
        recruiters=len(recruiters),
    )


def _audit(register: str, count: int) -> None:
    audit_record(actor=None, action="demo.labour", detail={"register": register, "count": count})


def _recruiters(rng: random.Random, chief: User, now: datetime) -> list[Recruiter]:
    """Forty agencies and recruiters: most authorised, some suspended, revoked, refused or
    still under review. Those authorised in 2018 recruited for Mexico."""
    words = ["Servicios Laborales", "Agencia de Empleo", "Reclutamiento", "Oportunidades"]
    places = [
        "Quetzaltenango", "Huehuetenango", "San Marcos", "Chimaltenango", "Sololá",
        "Totonicapán", "Retalhuleu", "Mazatenango", "Cobán", "Jutiapa", "Escuintla", "Petén",
        "Zacapa", "Chiquimula", "Jalapa", "Izabal", "Quiché", "Baja Verapaz", "Antigua",
        "Mixco",
    ]  # fmt: skip
    rows = []
    for i in range(40):
        name = f"{words[i % len(words)]} {places[i % len(places)]}" + (", S.A." if i % 3 else "")
        if i >= len(places):
            name = f"{name.split(',')[0]} del Occidente{', Sociedad Anónima' if i % 2 else ''}"
        status = _weighted(
            rng,
            [("authorised", 0.65), ("suspended", 0.08), ("revoked", 0.07), ("refused", 0.08),
             ("applied", 0.12)],
        )  # fmt: skip
        applied = date(2017, 1, 9) + timedelta(days=rng.randint(0, 2400))
        start = applied + timedelta(days=rng.randint(20, 90))
        if i < 10:  # those that recruited for Mexico in 2018
            status, applied, start = "authorised", date(2017, 3, 1), date(2017, 6, 1)
        authorised = status in ("authorised", "suspended", "revoked")
        at = now.isoformat()
        history = [{"at": at, "status": "applied", "by": chief.username}]
        until = start + timedelta(days=3 * 365)
        if authorised:
            history.append(
                {"at": at, "status": "authorised", "by": chief.username, "what": "authorise",
                 "valid_from": start.isoformat(), "valid_until": until.isoformat()}
            )  # fmt: skip
            # Renewed in time, term after term, except about one in ten (expired today).
            while until < TODAY and (i < 10 or rng.random() < 0.9):
                until += timedelta(days=3 * 365)
                history.append(
                    {"at": at, "status": "authorised", "by": chief.username, "what": "renew",
                     "valid_from": start.isoformat(), "valid_until": until.isoformat()}
                )  # fmt: skip
        if status in ("suspended", "revoked", "refused"):
            history.append(
                {"at": at, "status": status, "by": chief.username, "what": DECIDED[status],
                 "reason": "Cobros indebidos a trabajadores" if authorised else "Sin fianza"}
            )  # fmt: skip
        rows.append(
            Recruiter(
                number=new_number(rng),
                kind="organisation" if i % 5 else "individual",
                name=name,
                name_key=normalise_name(name),
                tax_number=tax_number_with_check(str(4_100_000 + i * 7_919)),
                representative=rng.choice(["Ana López", "Carlos Pérez", "Julio Ramírez"]),
                countries=["MX"] if i < 10 else rng.sample(["CA", "MX", "US"], rng.randint(1, 2)),
                sectors=["agriculture"]
                if i < 10
                else rng.sample(
                    ["agriculture", "food_processing", "construction", "hospitality"], 2
                ),
                documents=["Escritura constitutiva", "Patente de comercio", "Fianza"],
                guarantee_amount=50_000,
                applied_on=min(applied, TODAY),
                valid_from=start if authorised else None,
                valid_until=until if authorised else None,
                institution_id=chief.institution_id,
                status=status,
                status_at=now,
                history=history,
                version=len(history),
                created_by=chief,
                source=SOURCE,
            )
        )
    Recruiter.objects.bulk_create(rows)
    _audit("recruiters", len(rows))
    return rows


def _employers(rng: random.Random, actor: User, recruited: int) -> list[Employer]:
    """About one employer per 60 workers (a farm takes tens of seasonal workers)."""
    count = max(2, round(recruited / 60))
    canada, mexico = _allocate(count, [CANADA_SHARE, 1 - CANADA_SHARE])
    seen: set[tuple[str, str]] = set()
    rows = []
    while len(rows) < canada + mexico:
        if len(rows) < canada:
            # The first in Québec: the consulate in Montreal always has workplaces to visit.
            region = _weighted(rng, CANADA_REGIONS) if rows else "Québec"
            name = f"{rng.choice(CANADA_NAMES)} {rng.choice(CANADA_FAMILIES)}"
            name += f" {rng.choice(['Inc.', 'Ltée', 'et Fils', ''])}".rstrip()
            country, city = "CA", rng.choice(CANADA_CITIES[region])
            sector = "agriculture" if rng.random() < 0.85 else "food_processing"
        else:
            region, city = _weighted(rng, [((r, c), w) for r, c, w in MEXICO_CITIES])
            name = f"{rng.choice(MEXICO_NAMES)} {rng.choice(MEXICO_FAMILIES)}"
            country = "MX"
            sector = "agriculture" if rng.random() < 0.8 else "construction"
        key = normalise_name(name)
        if (key, country) in seen:
            name, key = f"{name} {city}", normalise_name(f"{name} {city}")
            if (key, country) in seen:
                continue
        seen.add((key, country))
        rows.append(
            Employer(
                name=name, name_key=key, country_id=country, region=region, city=city,
                sector=sector, created_by=actor, source=SOURCE,
            )
        )  # fmt: skip
    Employer.objects.bulk_create(rows)
    _audit("employers", len(rows))
    return rows


def _offers(
    rng: random.Random, actor: User, employers: list[Employer], recruiters: list[Recruiter]
) -> list[JobOffer]:
    """One 2018 season per employer: Canada from February to June, for 4 to 8 months; Mexico's
    harvests (January to April, September to December)."""
    mexico_recruiters = [r for r in recruiters[:10]]
    rows = []
    for employer in employers:
        if employer.country_id == "CA":
            start = _day(rng, date(YEAR, 2, 1), date(YEAR, 6, 15))
            end = min(start + timedelta(days=rng.randint(120, 240)), date(YEAR, 12, 15))
            programme = "Programa de trabajadores agrícolas temporales, Canadá"
            conditions = (
                f"Salario CAD {rng.choice(['12.50', '13.00', '14.00', '15.00'])} por hora, "
                "40 a 60 horas semanales; vivienda provista por el empleador; boleto aéreo "
                "pagado por el empleador; seguro médico provincial."
            )
            recruiter = None  # the ministry runs the selection for Canada itself (para. 8)
        else:
            start = rng.choice([date(YEAR, 1, 8), date(YEAR, 9, 3), date(YEAR, 10, 1)])
            end = start + timedelta(days=rng.randint(60, 110))
            programme = "Trabajo temporal en el sur de México"
            conditions = (
                f"Jornal MXN {rng.choice(['150', '170', '190'])}; vivienda y alimentación en "
                "la finca; tarjeta de visitante trabajador fronterizo tramitada por el empleador."
            )
            recruiter = rng.choice(mexico_recruiters) if rng.random() < 0.3 else None
        rows.append(
            JobOffer(
                employer=employer, programme=programme, country_id=employer.country_id,
                sector=employer.sector, positions=1, starts_on=start, ends_on=end,
                conditions=conditions, recruiter=recruiter, status=JobOffer.Status.CLOSED,
                institution_id=actor.institution_id, created_by=actor, source=SOURCE,
            )
        )  # fmt: skip
    JobOffer.objects.bulk_create(rows)
    _audit("job_offers", len(rows))
    return rows


def _path(
    rng: random.Random,
    clock: Clock,
    by: User,
    offer: JobOffer,
    registered: date,
    counted: bool,
) -> tuple[list[dict[str, Any]], str, date | None, date | None, datetime]:
    """A worker's steps as `placement_step` writes them. A recruited worker left and came
    back (a few early); the others were not selected or withdrew."""
    steps: list[tuple[str, date, str]] = [("registered", registered, "")]
    pre = registered + timedelta(days=rng.randint(5, 15))
    steps.append(("preselected", pre, ""))
    departed = returned = None
    if counted:
        selected = pre + timedelta(days=rng.randint(3, 10))
        room = max(0, (offer.starts_on - selected).days - 1)
        prepared = selected + timedelta(days=rng.randint(0, room))
        departed = offer.starts_on
        returned = offer.ends_on
        if rng.random() < 0.03:  # an early return (illness, accident, family)
            returned = departed + timedelta(days=rng.randint(10, (offer.ends_on - departed).days))
        steps += [
            ("selected", selected, ""),
            ("prepared", prepared, ""),
            ("deployed", departed, ""),
            ("returned", returned, ""),
        ]
    elif rng.random() < 0.8:
        steps.append(
            ("not_selected", pre + timedelta(days=7), "No cumple con el perfil del empleador")
        )
    else:
        steps.append(("withdrawn", pre + timedelta(days=3), ""))
    history = []
    last = clock.at(registered)
    for status, day, note in steps:
        last, at = _iso(clock, day, rng)
        entry: dict[str, Any] = {"at": at, "status": status, "by": by.username}
        if status == "registered":
            entry["what"] = "registered"
        else:
            entry["on"] = day.isoformat()
        if note:
            entry["note"] = note
        history.append(entry)
    return history, steps[-1][0], departed, returned, last


def _served(
    rng: random.Random, workers: list[tuple[uuid.UUID, uuid.UUID]], services: int
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """The workers in Québec who asked the consulate for support (some more than once)."""
    if not workers:
        return []
    distinct = min(len(workers), max(1, round(services * 0.7)))
    return rng.sample(workers, distinct)


def _pamphlets(
    rng: random.Random, actor: User, offices: dict[str, Site], volumes: dict[str, int]
) -> None:
    """Pamphlets for Canada at the selection sessions in the capital; for southern Mexico at
    the border labour-mobility offices."""
    rows = []
    plans = [
        ("CA", "Programa de trabajadores agrícolas temporales, Canadá", ["mintrab-central"],
         volumes["pamphlets_canada"], 24),
        ("MX", "Trabajo temporal en el sur de México",
         BORDER_OFFICES, volumes["pamphlets_mexico"], 30),
    ]  # fmt: skip
    for country, programme, sites, total, sessions in plans:
        sessions = max(1, min(sessions, total))
        for quantity in _allocate(total, [rng.uniform(0.5, 1.5) for _ in range(sessions)]):
            if quantity == 0:
                continue
            rows.append(
                PamphletDistribution(
                    site=offices[rng.choice(sites)], country_id=country, programme=programme,
                    distributed_on=_day(rng, date(YEAR, 1, 8), date(YEAR, 11, 30)),
                    quantity=quantity, institution_id=actor.institution_id, created_by=actor,
                    source=SOURCE,
                )
            )  # fmt: skip
    PamphletDistribution.objects.bulk_create(rows)
    _audit("pamphlets", len(rows))


def _visits(
    rng: random.Random, consul: User, montreal: Site, employers: list[Employer], count: int
) -> None:
    quebec = [e for e in employers if e.region == "Québec"] or employers
    rows = [
        WorkplaceVisit(
            employer=rng.choice(quebec), site=montreal, kind=WorkplaceVisit.Kind.INSPECTION,
            visited_on=_day(rng, date(YEAR, 3, 1), date(YEAR, 11, 30)),
            workers_met=rng.randint(3, 40), findings=rng.choice(FINDINGS),
            follow_up=rng.choice(["", "Carta al empleador", "Nueva visita en un mes"]),
            institution_id=consul.institution_id, created_by=consul, source=SOURCE,
        )
        for _ in range(count)
    ]  # fmt: skip
    WorkplaceVisit.objects.bulk_create(rows)
    _audit("workplace_visits", len(rows))


def _services(
    rng: random.Random,
    db: Db,
    clock: Clock,
    consul: User,
    montreal: Site,
    served: list[tuple[uuid.UUID, uuid.UUID]],
    count: int,
    team: Team,
) -> None:
    """Support services in Montreal; the few that found a breach of contract go through the
    action, which opens the labour-rights case as a caseworker would."""
    if not served:
        return
    breaches = min(BREACH_CASES, count // 100)
    kinds = SERVICE_KINDS
    rows = []
    for n in range(count - breaches):
        pid, employer = served[n] if n < len(served) else rng.choice(served)
        day = _day(rng, date(YEAR, 3, 1), date(YEAR, 12, 15))
        rows.append(
            (
                db.id(uuid.UUID(int=rng.getrandbits(128), version=4)), db.id(pid),
                db.id(employer), db.id(montreal.pk), _weighted(rng, kinds), day.isoformat(),
                "", False, None, db.id(consul.institution_id), team.pk,
                db.ts(clock.working(rng, day)), consul.pk, SOURCE,
            )
        )  # fmt: skip
    with transaction.atomic():
        db.write(SupportService._meta.db_table, SERVICE_COLUMNS, rows)
        _audit("support_services", len(rows))
    for pid, employer in rng.sample(served, min(breaches, len(served))):
        service = service_record(
            actor=consul,
            data=ServiceInput(
                person_id=pid,
                site=montreal.code,
                kind="wage_claim",
                employer_id=employer,
                given_on=_day(rng, date(YEAR, 5, 1), date(YEAR, 11, 30)),
                description="Horas extra no pagadas y retención de pasaporte por el empleador.",
                breach_of_contract=True,
            ),
        )
        SupportService.objects.filter(pk=service.pk).update(source=SOURCE)
