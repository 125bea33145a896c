"""The labour app's indicators in the statistics catalogue (see docs/stats.md): workers
recruited for work abroad (para. 8: 18,118 in 2018), information pamphlets handed out, the
consulates' workplace inspections and support services (para. 9: 130 and 5,282 in Montreal)."""

from django.utils.translation import gettext_lazy as _

from amparo.stats.registry import Indicator, Measure, Unit, register


def _person(path: str) -> dict[str, str]:
    return {
        "sex": f"{path}__sex",
        "age_group": path,
        "nationality": f"{path}__nationality",
        "department": f"{path}__origin_municipality__department",
    }


register(
    Indicator(
        id="labour.workers_recruited",
        title=_("Workers recruited for temporary work abroad"),
        definition=_(
            "Distinct workers who left for a job offer of a temporary work programme (working "
            "abroad or back), by the day they left."
        ),
        model="labour.Placement",
        date_field="departed_on",
        unit=Unit.PEOPLE,
        measure=Measure.DISTINCT,
        count_field="person",
        filters={"status__in": ["deployed", "returned"]},
        disaggregations={
            **_person("person"),
            "country_of_stay": "offer__country",
            "site": "site",
            "status": "status",
            "institution": "institution",
        },
        section="labour",
    ),
    Indicator(
        id="labour.pamphlets",
        title=_("Information pamphlets handed out"),
        definition=_(
            "Pre-departure information pamphlets handed out at offices and border windows, "
            "by the day they were handed out."
        ),
        model="labour.PamphletDistribution",
        date_field="distributed_on",
        unit=Unit.RECORDS,
        measure=Measure.SUM,
        count_field="quantity",
        disaggregations={
            "country_of_stay": "country",
            "site": "site",
            "institution": "institution",
        },
        section="labour",
    ),
    Indicator(
        id="labour.workplace_inspections",
        title=_("Workplace inspections and visits abroad"),
        definition=_(
            "Consular inspections of and visits to workplaces where nationals work, by the "
            "day of the visit."
        ),
        model="labour.WorkplaceVisit",
        date_field="visited_on",
        unit=Unit.RECORDS,
        disaggregations={
            "kind": "kind",
            "site": "site",
            "country_of_stay": "site__country",
            "institution": "institution",
        },
        section="labour",
    ),
    Indicator(
        id="labour.support_services",
        title=_("Support services to workers abroad"),
        definition=_(
            "Support services given to workers abroad (orientation, legal advice, claims, "
            "health, documents), by the day given."
        ),
        model="labour.SupportService",
        date_field="given_on",
        unit=Unit.SERVICES,
        disaggregations={
            **_person("person"),
            "kind": "kind",
            "site": "site",
            "country_of_stay": "site__country",
            "institution": "institution",
        },
        section="labour",
    ),
    app="labour",
)
