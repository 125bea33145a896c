"""The flows app's indicators in the statistics catalogue (see docs/stats.md): migrants
entering and leaving at the border crossing points (para. 27: about 11,800 entered in
2018 and 7,998 in January-March 2019) and the people supported under a contingency plan
(para. 27: 6,927 under the health ministry's caravan plan)."""

from django.utils.translation import gettext_lazy as _

from amparo.stats.registry import Indicator, Measure, Unit, register

_COUNTS = {
    "nationality": "nationality",
    "group": "group",
    "site": "site",
    "institution": "institution",
}

register(
    Indicator(
        id="flows.entries",
        title=_("Migrants entering at the border crossing points"),
        definition=_(
            "People counted entering Guatemala at a border crossing point, by the day of the "
            "count. Days a point did not report are missing, not zero."
        ),
        model="flows.FlowCount",
        date_field="date",
        unit=Unit.PEOPLE,
        measure=Measure.SUM,
        count_field="count",
        filters={"direction": "in"},
        disaggregations=_COUNTS,
        section="flows",
    ),
    Indicator(
        id="flows.exits",
        title=_("Migrants leaving at the border crossing points"),
        definition=_(
            "People counted leaving Guatemala at a border crossing point, by the day of the "
            "count. Days a point did not report are missing, not zero."
        ),
        model="flows.FlowCount",
        date_field="date",
        unit=Unit.PEOPLE,
        measure=Measure.SUM,
        count_field="count",
        filters={"direction": "out"},
        disaggregations=_COUNTS,
        section="flows",
    ),
    Indicator(
        id="flows.people_supported",
        title=_("People supported under a contingency plan"),
        definition=_(
            "People the institutions supported under a contingency plan set in motion by an "
            "alert on migratory flows, by the day the plan was activated."
        ),
        model="flows.PlanActivation",
        date_field="activated_at",
        unit=Unit.PEOPLE,
        measure=Measure.SUM,
        count_field="people_supported",
        disaggregations={"kind": "plan_code"},
        # A plan is national: no one institution owns it.
        institution_field="",
        section="flows",
    ),
    app="flows",
)
