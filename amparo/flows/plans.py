"""Contingency plans per phase: which institution does what, within how many hours.

Declared as data (like protocols): a plan is activated when a stream enters its phase, and
each task lands in its institution's queue (/flows/tasks/). Institutions are referred to by
their code in amparo/core/data/institutions.csv; a code missing from the database is skipped
(and said in the activation's history), so a partial reference set never blocks an alert.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import Phase


@dataclass(frozen=True)
class PlanTask:
    code: str
    institution: str
    title_es: str
    title_en: str
    due_hours: int


@dataclass(frozen=True)
class Plan:
    code: str
    phase: str
    title_es: str
    title_en: str
    tasks: tuple[PlanTask, ...]


PLANS: dict[str, Plan] = {
    Phase.WATCH: Plan(
        "watch-2019",
        Phase.WATCH,
        "Vigilancia reforzada del flujo",
        "Reinforced flow monitoring",
        (
            PlanTask(
                "igm-daily-report",
                "IGM",
                "Reportar los conteos del punto fronterizo cada día antes de las 10:00",
                "Report the crossing point's counts every day before 10:00",
                24,
            ),
            PlanTask(
                "sbs-capacity",
                "SBS",
                "Confirmar la capacidad disponible en los albergues",
                "Confirm the capacity available in the shelters",
                48,
            ),
        ),
    ),
    Phase.ALERT: Plan(
        "caravan-2019",
        Phase.ALERT,
        "Plan de contingencia ante caravanas de migrantes",
        "Contingency plan for migrant caravans",
        (
            PlanTask(
                "mspas-health-posts",
                "MSPAS",
                "Instalar puestos de salud en la ruta y en los albergues",
                "Set up health posts on the route and in the shelters",
                24,
            ),
            PlanTask(
                "sbs-shelters",
                "SBS",
                "Abrir albergues temporales y registrar la ocupación diaria",
                "Open temporary shelters and record daily occupancy",
                24,
            ),
            PlanTask(
                "pgn-children",
                "PGN_PNA",
                "Desplegar personal de protección de la niñez en el punto",
                "Deploy child-protection staff at the point",
                12,
            ),
            PlanTask(
                "minex-consular",
                "MINEX",
                "Coordinar con los consulados de los países de origen",
                "Coordinate with the consulates of the countries of origin",
                24,
            ),
            PlanTask(
                "pnc-route",
                "PNC",
                "Protección policial en la ruta de la caravana",
                "Police protection along the caravan's route",
                12,
            ),
            PlanTask(
                "igm-registration",
                "IGM",
                "Reforzar el registro en el punto de control",
                "Reinforce registration at the checkpoint",
                12,
            ),
        ),
    ),
    Phase.EMERGENCY: Plan(
        "emergency-2019",
        Phase.EMERGENCY,
        "Emergencia: capacidad de albergue superada",
        "Emergency: shelter capacity exceeded",
        (
            PlanTask(
                "sbs-overflow",
                "SBS",
                "Habilitar espacios adicionales de albergue",
                "Open additional shelter space",
                6,
            ),
            PlanTask(
                "mspas-mobile",
                "MSPAS",
                "Enviar brigadas médicas móviles",
                "Send mobile medical teams",
                12,
            ),
            PlanTask(
                "conamigua-coordination",
                "CONAMIGUA",
                "Convocar la mesa interinstitucional de emergencia",
                "Convene the inter-institutional emergency table",
                6,
            ),
        ),
    ),
}


def plan_for(phase: str) -> Plan | None:
    return PLANS.get(phase)
