"""Demo tracing work: missing-person reports with their searches abroad, unidentified remains
at the forensic institute (one identified against a report), and family-tracing requests for
children — every record written through the tracing actions, as staff would, so the pages,
the figures and the person timelines have something to show."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from amparo.core.models import User
from amparo.people.models import Person
from amparo.people.queries import persons_visible_to
from amparo.tracing import actions as T
from amparo.tracing.models import MissingReport, TracingRequest

PLACES = {
    "MX": ["Tapachula, Chiapas", "Arriaga, Chiapas", "Coatzacoalcos, Veracruz", "Reynosa"],
    "US": ["Sásabe, Arizona", "McAllen, Texas", "Houston, Texas", "Sunland Park, Nuevo México"],
}
ROUTES = ["Tecún Umán – Tapachula – Arriaga", "El Ceibo – Tenosique – Coatzacoalcos"]
DESCRIPTIONS = [
    "Cicatriz en la ceja izquierda; 1,60 m; cabello negro corto.",
    "Lunar en la mejilla derecha; diente frontal con corona de metal.",
    "Tatuaje de una cruz en el antebrazo; delgado; 1,70 m.",
]
CLOTHING = ["Pantalón de lona azul, sudadero gris", "Camisa roja a cuadros, botas negras"]
RELATIVES = ["Rosa", "Juana", "Pedro", "Marta", "Tomás"]


def _adults(actor: User, count: int) -> list[Person]:
    people = persons_visible_to(actor).filter(protected=False, birth_date__lt=date(2000, 1, 1))
    return list(people.order_by("created_at")[:count])


def _children(actor: User, count: int) -> list[Person]:
    people = persons_visible_to(actor).filter(protected=False, birth_date__gt=date(2010, 1, 1))
    return list(people.order_by("created_at")[:count])


def _reports(minex: User, rng: random.Random, count: int) -> list[MissingReport]:
    """Reports recorded at the consulates and by the support line; searches sent for half."""
    today = timezone.localdate()
    reports = []
    for i, person in enumerate(_adults(minex, count)):
        country = "MX" if i % 3 else "US"
        site = "mx-tapachula" if country == "MX" else "us-houston"
        report = T.report_record(
            actor=minex,
            data=T.ReportInput(
                person_id=person.pk,
                channel=rng.choice(["consulate", "support_line", "in_person"]),
                last_seen_country=country,
                last_seen_place=rng.choice(PLACES[country]),
                last_seen_on=today - timedelta(days=rng.randint(30, 700)),
                reporter_name=rng.choice(RELATIVES),
                reporter_relation="madre" if i % 2 else "hermano",
                reporter_contact=f"5{rng.randint(1000000, 9999999)}",
                route=rng.choice(ROUTES),
                description=rng.choice(DESCRIPTIONS),
                clothing=rng.choice(CLOTHING),
                reference_sample=i % 4 == 0,
                sample_held_by="INACIF" if i % 4 == 0 else "",
            ),
        )
        if i % 2 == 0:
            T.search_request_send(
                actor=minex,
                report_id=report.pk,
                data=T.SearchInput(
                    authority="Fiscalía General" if country == "MX" else "Sheriff's Office",
                    country=country,
                    site=site,
                ),
            )
        reports.append(report)
    return reports


def _remains(forensic: User, minex: User, rng: random.Random, reports: list[MissingReport]) -> int:
    """Remains found on the route; the first matches a report sent for forensic comparison."""
    today = timezone.localdate()
    made = 0
    for i in range(6):
        record = T.remains_record(
            actor=forensic,
            data=T.RemainsInput(
                reference=f"INACIF-DEMO-{i + 1:03d}",
                found_on=today - timedelta(days=rng.randint(10, 400)),
                found_country="GT",
                found_place=rng.choice(["La Libertad, Petén", "Ayutla, San Marcos"]),
                age_min=20 + i,
                age_max=35 + i,
                sex=rng.choice(["M", "F", "U"]),
                descriptors=rng.choice(DESCRIPTIONS),
                burial_place="Cementerio general de Santa Elena" if i % 2 else "",
            ),
        )
        made += 1
        if i == 0 and reports:
            report = T.report_forensic_request(actor=minex, report_id=reports[0].pk)
            T.remains_identify(
                actor=forensic,
                remains_id=record.pk,
                data=T.IdentifyInput(
                    report_id=report.pk,
                    evidence=["dna", "dental"],
                    note="Perfil genético coincide con la muestra de la madre; ficha dental.",
                ),
            )
    return made


def _tracing(sbs: User, rng: random.Random, count: int) -> list[TracingRequest]:
    """Children returned or abroad looking for relatives; two reunified, one under way."""
    children = _children(sbs, count)
    relatives = _adults(sbs, count)
    requests = []
    for i, child in enumerate(children):
        request = T.tracing_open(
            actor=sbs,
            data=T.TracingInput(
                child_id=child.pk,
                child_where="returned" if i % 2 else "abroad",
                relatives=[
                    T.RelativeSought(
                        name=f"{rng.choice(RELATIVES)} {child.first_surname}",
                        relation="mother" if i % 2 else "father",
                        country="US",
                        place=rng.choice(PLACES["US"]),
                    )
                ],
            ),
        )
        if i < 3 and i < len(relatives):
            candidate = T.tracing_candidate_add(
                actor=sbs,
                request_id=request.pk,
                person_id=relatives[i].pk,
                relation="mother",
                how_found="Llamada al número que dejó la familia",
            )
            T.tracing_candidate_decide(
                actor=sbs,
                candidate_id=candidate.pk,
                verified=True,
                verification="Documentos y entrevista con la trabajadora social",
            )
            status = "in_progress" if i == 2 else "reunified"
            T.tracing_outcome(actor=sbs, request_id=request.pk, status=status)
        requests.append(request)
    return requests


def generate_tracing(*, minex: User, forensic: User, sbs: User, seed: int = 2019) -> int:
    """Write the demo tracing records; returns how many records were made."""
    rng = random.Random(seed)
    with transaction.atomic():
        return _generate(minex, forensic, sbs, rng)


def _generate(minex: User, forensic: User, sbs: User, rng: random.Random) -> int:
    reports = _reports(minex, rng, 12)
    remains = _remains(forensic, minex, rng, reports)
    requests = _tracing(sbs, rng, 6)
    return len(reports) + remains + len(requests)
