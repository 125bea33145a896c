"""Indicators over the records of the capabilities built before the stats app: assistance
(support line, consular services, civil registry, travel documents), cases (by protocol and
outcome) and tracing (missing migrants, remains, family tracing).

Apps built later (labour, flows, ...) declare theirs in their own `indicators.py`. Titles and
definitions are English msgids; the Spanish text comes from the catalogue (amparo/locale).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .registry import Indicator, Measure, Unit, register

# The usual person dimensions, for a model whose person is at `p`.


def person_dims(p: str) -> dict[str, str]:
    return {
        "sex": f"{p}__sex",
        "age_group": p,
        "nationality": f"{p}__nationality",
        "department": f"{p}__origin_municipality__department",
    }


CONSULAR_SITES = {"site__kind__in": ["consulate", "mobile_consulate"]}
SERVICE_DIMS = {
    **person_dims("person"),
    "country_of_stay": "site__country",
    "kind": "kind",
    "institution": "institution",
}
CASE_DIMS = {**person_dims("person"), "protocol": "protocol_code", "institution": "institution"}
EVENT_DIMS = {
    **person_dims("case__person"),
    "protocol": "case__protocol_code",
    "institution": "case__institution",
}


def _per_kind(
    prefix: str, model: str, date_field: str, kinds: dict[str, tuple[object, object]], **kw: object
) -> list[Indicator]:
    return [
        Indicator(
            id=f"{prefix}.{kind}",
            title=title,
            definition=definition,
            model=model,
            date_field=date_field,
            unit=Unit.RECORDS,
            filters={"kind": kind},
            **kw,  # type: ignore[arg-type]
        )
        for kind, (title, definition) in kinds.items()
    ]


REGISTER_DIMS = {
    "sex": "person__sex",
    "age_group": "person",
    "country_of_stay": "site__country",
    "status": "status",
    "institution": "institution",
}

INDICATORS = [
    # ------------------------------------------------ nationals abroad (CMW/C/SR.413 para. 5)
    Indicator(
        id="support_line.calls",
        title=_("Calls to the migrant support line"),
        definition=_(
            "Telephone calls received by the “Migrant Support” call centre, counted once each, "
            "by the day they were received."
        ),
        model="assistance.SupportContact",
        date_field="received_at",
        unit=Unit.RECORDS,
        filters={"channel": "call"},
        disaggregations={
            "country_of_stay": "caller_country",
            "reason": "reason",
            "outcome": "outcome",
            "institution": "institution",
        },
        section="nationals_abroad",
    ),
    Indicator(
        id="support_line.contacts",
        title=_("Contacts with the migrant support line"),
        definition=_(
            "Every contact with the support line (calls, messages, web forms and visits), by "
            "the day it was received."
        ),
        model="assistance.SupportContact",
        date_field="received_at",
        unit=Unit.RECORDS,
        disaggregations={
            "channel": "channel",
            "country_of_stay": "caller_country",
            "reason": "reason",
            "outcome": "outcome",
            "institution": "institution",
        },
        section="nationals_abroad",
    ),
    Indicator(
        id="support_line.call_time",
        title=_("Time on the phone with callers"),
        definition=_(
            "The total duration of the support line's calls, in seconds, by the day they were "
            "received (divide by the calls for the average call)."
        ),
        model="assistance.SupportContact",
        date_field="received_at",
        unit=Unit.SECONDS,
        measure=Measure.SUM,
        count_field="duration_seconds",
        filters={"channel": "call"},
        disaggregations={"reason": "reason", "outcome": "outcome", "institution": "institution"},
        section="nationals_abroad",
    ),
    Indicator(
        id="consular.mobile_consulates",
        title=_("Mobile consulates held"),
        definition=_("Mobile consulates that opened in the period, by the day they opened."),
        model="core.Site",
        date_field="opens_on",
        unit=Unit.RECORDS,
        filters={"kind": "mobile_consulate"},
        disaggregations={"country_of_stay": "country", "institution": "institution"},
        section="nationals_abroad",
    ),
    Indicator(
        id="consular.services",
        title=_("Consular services"),
        definition=_(
            "Services given at a consulate or a mobile consulate, each service counted once, "
            "by the day it was given."
        ),
        model="cases.ServiceDelivery",
        date_field="delivered_at",
        unit=Unit.SERVICES,
        filters=CONSULAR_SITES,
        disaggregations=SERVICE_DIMS,
        section="nationals_abroad",
    ),
    Indicator(
        id="consular.people_served",
        title=_("People given consular services"),
        definition=_(
            "Distinct people who received at least one service at a consulate or a mobile "
            "consulate in the period."
        ),
        model="cases.ServiceDelivery",
        date_field="delivered_at",
        unit=Unit.PEOPLE,
        measure=Measure.DISTINCT,
        count_field="person",
        filters=CONSULAR_SITES,
        disaggregations=SERVICE_DIMS,
        section="nationals_abroad",
    ),
    # ------------------------------------------------ civil registry, travel documents (para. 15)
    Indicator(
        id="civil_registry.notifications",
        title=_("Civil acts notified to the civil registry"),
        definition=_(
            "Births, marriages and deaths of nationals abroad recorded at a consulate to be "
            "notified to the National Registry of Persons, by the day they were recorded."
        ),
        model="assistance.CivilRegistration",
        date_field="recorded_on",
        unit=Unit.RECORDS,
        disaggregations={**REGISTER_DIMS, "kind": "kind"},
        section="civil_registry",
    ),
    *_per_kind(
        "civil_registry",
        "assistance.CivilRegistration",
        "recorded_on",
        {
            "birth": (
                _("Births notified to the civil registry"),
                _("Births abroad recorded at a consulate, by the day they were recorded."),
            ),
            "marriage": (
                _("Marriages notified to the civil registry"),
                _("Marriages abroad recorded at a consulate, by the day they were recorded."),
            ),
            "death": (
                _("Deaths notified to the civil registry"),
                _("Deaths abroad recorded at a consulate, by the day they were recorded."),
            ),
        },
        disaggregations=REGISTER_DIMS,
        section="civil_registry",
    ),
    Indicator(
        id="travel_documents.requests",
        title=_("Travel documents applied for"),
        definition=_(
            "Applications for a child's passport, a special travel pass or a travel "
            "authorisation at a consulate, by the day of the application."
        ),
        model="assistance.TravelDocument",
        date_field="requested_on",
        unit=Unit.RECORDS,
        disaggregations={**REGISTER_DIMS, "kind": "kind"},
        section="civil_registry",
    ),
    *_per_kind(
        "travel_documents",
        "assistance.TravelDocument",
        "requested_on",
        {
            "child_passport": (
                _("Passports for children applied for"),
                _("Applications for a child's passport, by the day of the application."),
            ),
            "special_pass": (
                _("Special travel passes applied for"),
                _("Applications for a special travel pass, by the day of the application."),
            ),
            "travel_authorisation": (
                _("Travel authorisations applied for"),
                _("Applications for a travel authorisation, by the day of the application."),
            ),
        },
        disaggregations=REGISTER_DIMS,
        section="civil_registry",
    ),
    # ------------------------------------------------ children (para. 6)
    Indicator(
        id="children.sheltered",
        title=_("Children and adolescents looked after in the reception shelters"),
        definition=_(
            "Distinct children and adolescents with a shelter stay recorded under the national "
            "protocol for migrant children, by the day the stay began."
        ),
        model="cases.ServiceDelivery",
        date_field="delivered_at",
        unit=Unit.PEOPLE,
        measure=Measure.DISTINCT,
        count_field="person",
        filters={"kind": "shelter", "case__protocol_code": "child_reception"},
        disaggregations={**person_dims("person"), "site": "site", "institution": "institution"},
        section="children",
    ),
    # ------------------------------------------------ returnees (paras. 10-11)
    Indicator(
        id="returnees.households",
        title=_("Returning households assisted"),
        definition=_(
            "Distinct households with a reintegration case opened in the period (one case per "
            "household)."
        ),
        model="cases.Case",
        date_field="opened_at",
        unit=Unit.HOUSEHOLDS,
        measure=Measure.DISTINCT,
        count_field="household",
        filters={"protocol_code": "returnee_reintegration"},
        disaggregations={
            "department": "person__origin_municipality__department",
            "institution": "institution",
        },  # fmt: skip
        section="returnees",
    ),
    Indicator(
        id="returnees.people",
        title=_("Returnees assisted"),
        definition=_(
            "Distinct members of the households with a reintegration case opened in the period."
        ),
        model="cases.Case",
        date_field="opened_at",
        unit=Unit.PEOPLE,
        measure=Measure.DISTINCT,
        count_field="household__members",
        filters={"protocol_code": "returnee_reintegration"},
        disaggregations={**person_dims("household__members"), "institution": "institution"},
        section="returnees",
    ),
    Indicator(
        id="returnees.stay_programme",
        title=_("Adolescents in the “Quédate” (Stay) programme"),
        definition=_(
            "Distinct adolescents who received training at a “Quédate” centre, from the "
            "programme's start to the end of the period."
        ),
        model="cases.ServiceDelivery",
        date_field="delivered_at",
        unit=Unit.PEOPLE,
        measure=Measure.DISTINCT,
        count_field="person",
        filters={"kind": "training", "site__detail__programme": "quedate"},
        disaggregations={**person_dims("person"), "site": "site", "institution": "institution"},
        cumulative=True,
        section="returnees",
    ),
    # ------------------------------------------------ trafficking and violence (paras. 17, 53)
    Indicator(
        id="trafficking.complaints",
        title=_("Trafficking complaints filed"),
        definition=_(
            "Complaints filed with the Public Prosecutor under the protocol for victims of "
            "trafficking and sexual violence, by the day the case moved to the prosecution."
        ),
        model="cases.CaseEvent",
        date_field="at",
        unit=Unit.CASES,
        filters={
            "kind": "transition",
            "stage_to": "prosecution",
            "case__protocol_code": "trafficking_victims",
        },
        disaggregations=EVENT_DIMS,
        institution_field="case__institution",
        section="trafficking",
    ),
    Indicator(
        id="trafficking.cases_brought",
        title=_("Trafficking cases brought to court"),
        definition=_(
            "Cases in which the prosecutor filed charges (the case moved to trial), by the day "
            "the charges were recorded."
        ),
        model="cases.CaseEvent",
        date_field="at",
        unit=Unit.CASES,
        filters={
            "kind": "transition",
            "stage_to": "trial",
            "case__protocol_code": "trafficking_victims",
        },
        disaggregations=EVENT_DIMS,
        institution_field="case__institution",
        section="trafficking",
    ),
    Indicator(
        id="violence.health_cases",
        title=_("Migrants cared for by the health services after sexual or psychological violence"),
        definition=_(
            "Cases opened by the Ministry of Public Health under the protocol for victims of "
            "trafficking and sexual violence, by the day the case was opened."
        ),
        model="cases.Case",
        date_field="opened_at",
        unit=Unit.CASES,
        filters={"protocol_code": "trafficking_victims", "institution__code": "MSPAS"},
        disaggregations={**person_dims("person"), "institution": "institution"},
        section="trafficking",
    ),
    # ------------------------------------------------ cases by protocol and outcome
    Indicator(
        id="cases.opened",
        title=_("Protection cases opened"),
        definition=_("Cases opened under any protocol, by the day they were opened."),
        model="cases.Case",
        date_field="opened_at",
        unit=Unit.CASES,
        disaggregations=CASE_DIMS,
        section="other",
    ),
    Indicator(
        id="cases.closed",
        title=_("Protection cases closed, by outcome"),
        definition=_(
            "Cases closed under any protocol, by the day they were closed and the reason "
            "recorded at closure."
        ),
        model="cases.Case",
        date_field="closed_at",
        unit=Unit.CASES,
        disaggregations={**CASE_DIMS, "outcome": "closure_reason"},
        section="other",
    ),
    # ------------------------------------------------ missing migrants (paras. 29, 60, 64)
    Indicator(
        id="missing.nationals_abroad",
        title=_("Nationals reported missing abroad"),
        definition=_(
            "Missing-person reports about Guatemalans last seen outside Guatemala, by the day "
            "of the report."
        ),
        model="tracing.MissingReport",
        date_field="reported_on",
        unit=Unit.PEOPLE,
        measure=Measure.DISTINCT,
        count_field="person",
        filters={"person__nationality": "GT"},
        excludes={"last_seen_country": "GT"},
        disaggregations={
            **person_dims("person"),
            "country_of_stay": "last_seen_country",
            "status": "status",
            "institution": "institution",
        },
        section="missing",
    ),
    Indicator(
        id="missing.migrants_in_country",
        title=_("Migrants reported missing in Guatemala"),
        definition=_(
            "Missing-person reports about foreign nationals last seen in Guatemala, by the day "
            "of the report."
        ),
        model="tracing.MissingReport",
        date_field="reported_on",
        unit=Unit.PEOPLE,
        measure=Measure.DISTINCT,
        count_field="person",
        filters={"last_seen_country": "GT"},
        excludes={"person__nationality": "GT"},
        disaggregations={
            **person_dims("person"),
            "status": "status",
            "institution": "institution",
        },  # fmt: skip
        section="missing",
    ),
    Indicator(
        id="missing.found",
        title=_("Missing people found"),
        definition=_("Missing-person reports closed as found alive or dead, by the day found."),
        model="tracing.MissingReport",
        date_field="found_on",
        unit=Unit.PEOPLE,
        filters={"status__in": ["found_alive", "found_deceased"]},
        disaggregations={
            **person_dims("person"),
            "status": "status",
            "country_of_stay": "found_country",
            "institution": "institution",
        },  # fmt: skip
        section="missing",
    ),
    Indicator(
        id="remains.identified",
        title=_("Remains identified"),
        definition=_("Unidentified remains identified forensically, by the day identified."),
        model="tracing.UnidentifiedRemains",
        date_field="identified_on",
        unit=Unit.RECORDS,
        filters={"status": "identified"},
        disaggregations={
            "sex": "sex",
            "country_of_stay": "found_country",
            "institution": "institution",
        },  # fmt: skip
        section="missing",
    ),
    Indicator(
        id="tracing.families_assisted",
        title=_("Families assisted in tracing a relative"),
        definition=_(
            "Family-tracing requests for a child, one per family, by the day of the request."
        ),
        model="tracing.TracingRequest",
        date_field="requested_on",
        unit=Unit.RECORDS,
        disaggregations={
            **person_dims("child"),
            "status": "status",
            "institution": "institution",
        },  # fmt: skip
        section="missing",
    ),
    Indicator(
        id="tracing.families_reunified",
        title=_("Families reunified"),
        definition=_("Family-tracing requests closed as reunified, by the day of the outcome."),
        model="tracing.TracingRequest",
        date_field="outcome_on",
        unit=Unit.RECORDS,
        filters={"status": "reunified"},
        disaggregations={**person_dims("child"), "institution": "institution"},
        section="missing",
    ),
    # ------------------------------------------------ asylum (paras. 6, 63)
    Indicator(
        id="asylum.applications",
        title=_("Asylum applications"),
        definition=_("Asylum cases opened at the migration institute, by the day of application."),
        model="cases.Case",
        date_field="opened_at",
        unit=Unit.CASES,
        filters={"protocol_code": "asylum"},
        disaggregations={**person_dims("person"), "institution": "institution"},
        section="asylum",
    ),
    Indicator(
        id="asylum.recognitions",
        title=_("Refugee status or international protection granted"),
        definition=_(
            "Asylum cases closed after refugee status was recognised or international "
            "protection granted, by the day the case was closed."
        ),
        model="cases.Case",
        date_field="closed_at",
        unit=Unit.CASES,
        filters={
            "protocol_code": "asylum",
            "closure_reason__in": ["refugee_status_recognised", "international_protection_granted"],
        },
        disaggregations={**person_dims("person"), "outcome": "closure_reason"},
        section="asylum",
    ),
    # ------------------------------------------------ consular lawyers (para. 66)
    Indicator(
        id="consular_lawyers.cases_filed",
        title=_("Cases filed by consular lawyers"),
        definition=_(
            "Assistance cases abroad in which the consulate took legal action in the country "
            "of destination, by the day the legal action was approved."
        ),
        model="cases.CaseEvent",
        date_field="at",
        unit=Unit.CASES,
        filters={
            "kind": "transition",
            "stage_to": "legal_action",
            "case__protocol_code": "assistance_abroad",
        },
        disaggregations=EVENT_DIMS,
        institution_field="case__institution",
        section="nationals_abroad",
    ),
    Indicator(
        id="consular_lawyers.outcomes",
        title=_("Consular legal actions decided, by outcome"),
        definition=_(
            "Assistance cases closed with the court's outcome (successful or not), by the day "
            "they were closed; the success rate is the successful share."
        ),
        model="cases.Case",
        date_field="closed_at",
        unit=Unit.CASES,
        filters={
            "protocol_code": "assistance_abroad",
            "closure_reason__in": ["legal_action_successful", "legal_action_unsuccessful"],
        },
        disaggregations={**person_dims("person"), "outcome": "closure_reason"},
        section="nationals_abroad",
    ),
    # ------------------------------------------------ complaints against officials (31, 34)
    Indicator(
        id="complaints.received",
        title=_("Complaints by migrants against officials received"),
        definition=_(
            "Complaints recorded under the protocol for complaints against public officials, "
            "by the day they were recorded, by the institution that received them."
        ),
        model="cases.Case",
        date_field="opened_at",
        unit=Unit.CASES,
        filters={"protocol_code": "complaint_against_officials"},
        disaggregations={**person_dims("person"), "institution": "institution"},
        section="complaints",
    ),
    Indicator(
        id="complaints.investigations",
        title=_("Investigations of complaints against officials"),
        definition=_(
            "Complaints passed to an administrative or a criminal investigation, by the day "
            "they were passed on (a complaint passed to both counts twice)."
        ),
        model="cases.CaseEvent",
        date_field="at",
        unit=Unit.CASES,
        filters={
            "kind": "transition",
            "stage_to__in": ["administrative_investigation", "criminal_investigation"],
            "case__protocol_code": "complaint_against_officials",
        },
        disaggregations={**EVENT_DIMS, "kind": "stage_to"},
        institution_field="case__institution",
        section="complaints",
    ),
    Indicator(
        id="complaints.sanctions",
        title=_("Complaints against officials ending in a sanction"),
        definition=_(
            "Complaints closed with an administrative or criminal sanction (sentence), by the "
            "day they were closed."
        ),
        model="cases.Case",
        date_field="closed_at",
        unit=Unit.CASES,
        filters={
            "protocol_code": "complaint_against_officials",
            "closure_reason__in": [
                "administrative_sanction",
                "criminal_sanction",
                "administrative_and_criminal_sanction",
            ],
        },
        disaggregations={
            **person_dims("person"),
            "outcome": "closure_reason",
            "institution": "institution",
        },  # fmt: skip
        section="complaints",
    ),
]

register(*INDICATORS, app="stats")
