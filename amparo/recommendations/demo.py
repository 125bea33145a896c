"""Demo of the Recommendations Monitoring System (manage.py demo).

One document in the structure of concluding observations, written for Amparo in its own words
(it is not the Committee's text: its symbol ends in DEMO and its title says so), so that every
page has something to show: recommendations with lead institutions and focal points, actions
and indicators (one late, one linked to the statistics catalogue), a progress update validated
in three steps and published on the portal, one waiting for the institution's signature, and
a civil-society submission waiting for moderation. Idempotent: loaded once.

    from amparo.recommendations.demo import generate_recommendations
    generate_recommendations()   # → number of recommendations, 0 if already loaded
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from amparo.core.models import User

from . import actions
from .models import Document, Recommendation

SYMBOL = "CMW/C/GTM/CO/DEMO"
FILENAME = "CMW-C-GTM-CO-DEMO.txt"
LINES = [  # one line per paragraph or sub-item, as a plain-text import expects
    "CMW/C/GTM/CO/DEMO",
    "Observaciones finales (documento de demostración escrito para Amparo; no es un texto "
    "del Comité)",
    "",
    "A. Aspectos positivos",
    "1. El Comité acoge con satisfacción la línea gratuita de atención a personas "
    "migrantes y los consulados móviles.",
    "",
    "B. Principales motivos de preocupación y recomendaciones",
    "Personas migrantes desaparecidas",
    "2. Al Comité le preocupa que no exista un registro único de personas migrantes "
    "desaparecidas y de restos sin identificar.",
    "3. El Comité recomienda al Estado parte que:",
    "(a) Cree un registro único de personas migrantes desaparecidas, compartido por la "
    "Cancillería, el Ministerio Público y el Instituto Nacional de Ciencias Forenses;",
    "(b) Publique cada año el número de personas migrantes desaparecidas, desglosado por "
    "sexo, edad y país.",
    "Asistencia consular",
    "4. El Comité recomienda al Estado parte que amplíe la asistencia jurídica consular y "
    "que publique cuántos casos llevan los abogados consulares y con qué resultado.",
    "Niñas, niños y adolescentes retornados",
    "5. El Comité recomienda al Estado parte que la Secretaría de Bienestar Social y la "
    "Procuraduría General de la Nación reciban a cada niño retornado no acompañado en un "
    "albergue especializado y documenten su plan de reintegración.",
    "Contratación de trabajadores migrantes",
    "6. El Comité recomienda al Estado parte que adopte el reglamento de registro y "
    "autorización de reclutadores y agencias de contratación y que el Ministerio de "
    "Trabajo publique la lista de agencias autorizadas.",
    "Datos",
    "7. El Comité recomienda al Estado parte que el Instituto Nacional de Estadística "
    "publique datos sobre migración desglosados por sexo, edad, nacionalidad y situación "
    "migratoria.",
    "",
]
TEXT = "\n".join(LINES) + "\n"

# Paragraph (sub-item) → lead institution, contributing institutions.
ASSIGNMENTS: dict[tuple[int, str], tuple[str, list[str]]] = {
    (3, "a"): ("MINEX", ["MP", "INACIF"]),
    (3, "b"): ("MINEX", ["INE"]),
    (4, ""): ("MINEX", []),
    (5, ""): ("SBS", ["PGN"]),
    (6, ""): ("MINTRAB", []),
    (7, ""): ("INE", []),
}


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _rec(paragraph: int, item: str) -> Recommendation:
    return Recommendation.objects.get(document__symbol=SYMBOL, paragraph=paragraph, sub_item=item)


def generate_recommendations() -> int:
    """Load the demo document and its follow-up; needs the demo accounts (create_demo_users)."""
    if Document.objects.filter(symbol=SYMBOL).exists():
        return 0
    coordinator = _user("coordinadora.copadeh")
    consul, operator = _user("consul.minex"), _user("operadora.minex")
    validator, social = _user("supervisora.minex"), _user("trabajadora.sbs")
    today = timezone.localdate()
    with transaction.atomic():
        actions.document_import(actor=coordinator, name=FILENAME, data=TEXT.encode())
        for (paragraph, item), (lead, others) in ASSIGNMENTS.items():
            rec = _rec(paragraph, item)
            for code, role in [(lead, "lead"), *((c, "contributing") for c in others)]:
                actions.assignment_set(
                    actor=coordinator, recommendation_id=rec.pk, institution=code, role=role
                )
        for institution, kind, user in [
            ("MINEX", "principal", consul),
            ("MINEX", "alternate", operator),
            ("SBS", "principal", social),
        ]:
            actions.focal_point_set(
                actor=coordinator, institution=institution, kind=kind, username=user.username
            )
        register, figures = _rec(3, "a"), _rec(3, "b")
        actions.action_add(
            actor=consul,
            recommendation_id=register.pk,
            description="Acuerdo entre Cancillería, MP e INACIF sobre el registro compartido",
            due_on=today - timedelta(days=20),  # late: shows on the coordinator's overview
        )
        actions.indicator_add(
            actor=consul,
            recommendation_id=figures.pk,
            name="Connacionales desaparecidos en el extranjero, según los reportes",
            frequency="yearly",
            due_on=today + timedelta(days=10),  # within the reminders' 14 days
            stats_indicator="missing.nationals_abroad",
        )
        done = actions.update_submit(
            actor=consul,
            recommendation_id=figures.pk,
            text="Las cifras de personas desaparecidas se calculan en Amparo desde los registros.",
            proposed_status="in_progress",
            evidence="Catálogo de indicadores: connacionales desaparecidos fuera del país",
        )
        actions.update_decide(actor=validator, update_id=done.pk, approve=True)
        actions.update_decide(actor=coordinator, update_id=done.pk, approve=True)
        actions.recommendation_publish(actor=coordinator, recommendation_id=figures.pk, public=True)
        actions.update_submit(
            actor=social,
            recommendation_id=_rec(5, "").pk,
            text="Los niños retornados no acompañados se reciben en los albergues de la SBS.",
            proposed_status="in_progress",
            evidence="Informe mensual de albergues de la SBS",
        )
        actions.submission_send(
            recommendation_id=figures.pk,
            organisation="Mesa de la sociedad civil sobre migración (demo)",
            email="mesa@example.org",
            text="Las familias siguen sin saber dónde consultar el estado de sus reportes.",
        )
    return Recommendation.objects.filter(document__symbol=SYMBOL).count()
