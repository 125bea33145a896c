"""The national protocols (amparo/protocols): every file checked as a graph, and every protocol
walked end to end through the engine along each of its branches.

A walk is a list of steps (finish tasks, save forms, take transitions, refer), each step a
`partial` applied to the running case; `go` lets the supervisor approve when the protocol asks
for it and checks the stage reached. Together the walks take every transition of every protocol.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

import pytest

from amparo.cases import actions
from amparo.cases.models import Case
from amparo.cases.protocol import PROTOCOLS_DIR, Protocol, parse_protocol, protocol_get
from amparo.core.errors import InvalidInput
from amparo.core.models import Role, User
from amparo.people.actions import household_create

from .conftest import register

pytestmark = pytest.mark.django_db

INSTITUTIONS_CSV = PROTOCOLS_DIR.parent / "core" / "data" / "institutions.csv"
INSTITUTIONS = {row["code"] for row in csv.DictReader(INSTITUTIONS_CSV.open(encoding="utf-8"))}
PROTOCOL_FILES = sorted(PROTOCOLS_DIR.glob("*/v*.yaml"))
WORK_ROLES = {Role.OPERATOR, Role.CASEWORKER, Role.SUPERVISOR}
NATIONAL = {
    "child_reception",
    "vulnerable_women",
    "trafficking_victims",
    "returnee_reintegration",
    "assistance_abroad",
    "complaint_against_officials",
    "asylum",
    "shelter_placement",
}


# --- Walking a case ------------------------------------------------------------------------


@dataclass
class Run:
    case: Case
    worker: User
    boss: User
    make_user: Callable[..., User]


Step = Callable[[Run], None]


def start(make_user: Callable[..., User], code: str, owner: str) -> Run:
    """Open a case as a caseworker of an owning institution; a household protocol gets the
    person's household attached."""
    protocol = protocol_get(code)
    assert protocol is not None
    worker, boss = make_user(Role.CASEWORKER, owner), make_user(Role.SUPERVISOR, owner)
    person = register(worker)
    household = None
    if protocol.subject == "household":
        household = household_create(
            actor=worker, label="Hogar Tzoc Cux", member_ids=[person.pk], head_id=person.pk
        )
    case = actions.case_open(
        actor=worker,
        protocol_code=code,
        person_id=person.pk,
        household_id=household.pk if household else None,
    )
    assert case.stage == protocol.initial_stage.code and case.sensitive == protocol.sensitive
    assert case.household == household
    return Run(case, worker, boss, make_user)


def walk(run: Run, steps: Iterable[Step]) -> None:
    for step in steps:
        step(run)
    run.case.refresh_from_db()


def _done(codes: tuple[str, ...], run: Run) -> None:
    for code in codes:
        actions.task_complete(actor=run.worker, task_id=run.case.tasks.get(code=code).pk)


def _form(code: str, data: dict[str, Any], run: Run) -> None:
    actions.case_form_save(actor=run.worker, case_id=run.case.pk, form=code, data=data)


def _go(transition: str, reason: str, run: Run) -> None:
    protocol = protocol_get(run.case.protocol_code, run.case.protocol_version)
    assert protocol is not None
    spec = protocol.transitions[transition]
    case = actions.case_transition(
        actor=run.worker, case_id=run.case.pk, transition=transition, closure_reason=reason
    )
    if spec.approval:  # a caseworker's request waits for a supervisor
        assert case.stage in spec.sources
        approval = case.approvals.get(decided_at__isnull=True)
        actions.approval_decide(actor=run.boss, approval_id=approval.pk, approve=True)
    run.case.refresh_from_db()
    assert run.case.stage == spec.target
    if protocol.stages[spec.target].final:
        assert run.case.closed_at is not None and run.case.closure_reason == reason


def _refer(to: str, services: tuple[str, ...], run: Run) -> None:
    """The person consents, the case is referred, the recipient accepts and delivers."""
    shares = ["identity", "case"]
    person_id = run.case.person_id
    actions.consent_record(actor=run.worker, person_id=person_id, scopes=shares, recipient_code=to)
    referral = actions.referral_send(
        actor=run.worker,
        case_id=run.case.pk,
        to_institution=to,
        reason="Derivación según el protocolo",
        shares=shares,
        services=list(services),
    )
    recipient = run.make_user(Role.CASEWORKER, to)
    actions.referral_decide(actor=recipient, referral_id=referral.pk, accept=True)
    for kind in services:
        actions.service_record(
            actor=recipient, person_id=person_id, kind=kind, referral_id=referral.pk
        )


def done(*codes: str) -> Step:
    return partial(_done, codes)


def form(code: str, **data: Any) -> Step:
    return partial(_form, code, data)


def go(transition: str, reason: str = "") -> Step:
    return partial(_go, transition, reason)


def refer(to: str, *services: str) -> Step:
    return partial(_refer, to, services)


# --- The walks -------------------------------------------------------------------------------

CHILD_INTERVIEWED = [
    done("notify_family"),
    go("receive"),
    done("health_check"),
    form("reception_record", accompanied=False, arrival_point="La Aurora", returned_from="US"),
    go("start_interview"),
    done("rights_interview"),
]
CHILD_HOME = CHILD_INTERVIEWED + [
    form("rights_interview", rights_violated=False, risk_remains=False),
    form("best_interests", decision="family_reunification", reasons="Sus padres la esperan."),
    go("determine_best_interests"),
    done("school_enrolment"),
    go("close", "reunified_with_family"),
]
CHILD_JUDGE = CHILD_INTERVIEWED + [
    form("rights_interview", rights_violated=True, violations=["violence"], risk_remains=True),
    go("refer_to_judge"),
    refer("PGN", "legal_aid"),
    done("notify_pgn", "court_hearing"),
    form("best_interests", decision="alternative_care", reasons="Medida de abrigo del juez."),
    go("determine_best_interests"),
    go("start_monitoring"),
    done("follow_up_visit"),
    go("close", "alternative_care"),
]

WOMAN_GUIDED = [
    done("needs_assessment"),
    form(
        "needs_assessment",
        needs=["maternal_health", "shelter", "legal_aid"],
        travelling_with_children=True,
        pregnant=True,
        violence_indicators=False,
        trafficking_indicators=False,
    ),
    go("give_guidance"),
    done("rights_guidance"),
    form(
        "rights_guidance",
        rights_explained=["health_care", "legal_aid", "asylum"],
        obligations_explained=["register_entry_at_official_post", "permitted_length_of_stay"],
        language="spa",
        understood=True,
    ),
]
WOMAN_REFERRED = WOMAN_GUIDED + [
    form("service_plan", services=["maternal_health", "shelter", "legal_aid"]),
    go("refer_to_services"),
    refer("MSPAS", "medical"),
    refer("CSO_SCALABRINI", "shelter"),
    refer("IDPP_CNALGV", "legal_aid"),
    done("referrals_sent", "services_confirmed"),
    go("start_follow_up"),
    done("follow_up_contact"),
    go("close", "services_provided"),
]
WOMAN_ONLY_GUIDED = WOMAN_GUIDED + [go("close", "guidance_only_continued_journey")]

VICTIM_IDENTIFIED = [
    done("safe_place", "identification_interview"),
    form(
        "identification",
        exploitation=["sexual_exploitation"],
        sexual_violence=True,
        is_child=False,
        country_of_exploitation="GT",
        informed_of_rights=True,
    ),
]
VICTIM_LEGAL_AID = VICTIM_IDENTIFIED + [
    go("identify_as_victim"),
    refer("MSPAS", "medical", "psychosocial"),
    done("clinic_care", "shelter_placement", "treatment_plan"),
    form(
        "care_plan",
        clinic="Clínica de atención a víctimas, Hospital Roosevelt",
        care_received=["post_exposure_prophylaxis", "emergency_contraception", "psychological"],
        plan_agreed=True,
        shelter="svet_shelter",
    ),
    go("provide_legal_aid"),
    refer("IDPP_CNALGV", "legal_aid"),
    done("assign_legal_aid", "complaint_decision"),
]
VICTIM_REINTEGRATED = [
    done("reintegration_plan"),
    form("reintegration_plan", measures=["family_reunification", "vocational_training"]),
    go("close", "reintegrated"),
]
COMPLAINT_MP = {"mp_case_number": "MP001-2019-1234", "filed_on": "2019-03-02"}
VICTIM_PROSECUTION = (
    VICTIM_LEGAL_AID
    + [
        form("legal_aid", provider="IDPP_CNALGV", complaint_decision="file_complaint"),
        form("complaint", **COMPLAINT_MP, offences=["trafficking", "sexual_violence"]),
        go("file_complaint"),
        done("victim_statement"),
        form("charges", charged_on="2019-06-01", accused=2, offences=["trafficking"]),
        go("charges_filed"),
        done("accompany_hearings"),
        form(
            "prosecution_outcome",
            outcome="conviction",
            decided_on="2020-02-10",
            sentence_years=16,
            reparation_ordered=True,
        ),
        go("prosecution_ended"),
    ]
    + VICTIM_REINTEGRATED
)
VICTIM_NO_COMPLAINT = (
    VICTIM_LEGAL_AID
    + [
        form("legal_aid", provider="IDPP_CNALGV", complaint_decision="declines_to_file"),
        go("no_complaint"),
    ]
    + VICTIM_REINTEGRATED
)
VICTIM_GOES_HOME = VICTIM_LEGAL_AID + [go("close_early", "returned_to_country_of_origin")]
NOT_A_VICTIM = VICTIM_IDENTIFIED + [go("not_a_victim", "not_a_victim")]

RETURNEES_RECEIVED = [
    done("reception_interview", "contact_family"),
    form(
        "reception",
        returned_from="US",
        return_type="deported",
        members_returned=3,
        children_returned=2,
        members_remaining_abroad=True,
        immediate_needs=["transport", "documents"],
    ),
]
RETURNEES_REINTEGRATED = RETURNEES_RECEIVED + [
    go("assess_household"),
    done("home_visit"),
    form(
        "household_assessment",
        skills_learned_abroad=["construction"],
        skills_officially_certified=False,
        employment="unemployed",
        adolescents_at_risk=1,
        wants_to_start_business=True,
    ),
    go("draft_plan"),
    done("agree_plan"),
    form(
        "reintegration_plan",
        programmes=["mintrab_skills_certification", "quedate", "emprende_migrante"],
    ),
    go("approve_plan"),
    refer("MINTRAB", "training"),
    refer("SBS", "training"),
    refer("MINECO", "reintegration"),
    refer("CONAMIGUA", "legal_aid"),
    done("programme_referrals", "follow_up_3_months"),
    go("start_follow_up"),
    done("follow_up_6_months"),
    form(
        "programme_outcomes",
        outcomes=[
            {"programme": "mintrab_skills_certification", "status": "completed"},
            {"programme": "quedate", "status": "ongoing"},
            {"programme": "emprende_migrante", "status": "completed", "business_started": True},
        ],
    ),
    go("close", "reintegrated"),
]
RETURNEES_DECLINE = RETURNEES_RECEIVED + [go("close_without_plan", "declined_support")]


def abroad_request(request_type: str, urgency: str = "urgent") -> list[Step]:
    data = {"request_type": request_type, "country": "US", "channel": "call_centre"}
    return [done("forward_to_consulate"), form("request", **data, urgency=urgency)]


def abroad_consular(*consular_actions: str) -> list[Step]:
    return [
        go("start_consular_action"),
        done("consular_contact", "inform_family"),
        form("consular_assistance", actions=list(consular_actions), contact_made="with_the_person"),
    ]


def abroad_legal_action(outcome: str, reason: str) -> list[Step]:
    return [
        *abroad_request("labour_rights", "ordinary"),
        *abroad_consular("labour_claim_support", "lawyer_assigned"),
        form(
            "legal_action",
            case_type="unpaid_wages",
            court="Superior Court of California, Los Angeles",
            filed_on="2019-04-01",
            represented_by="consular_lawyer",
        ),
        go("take_legal_action"),
        done("file_case", "follow_case"),
        form("legal_outcome", outcome=outcome, decided_on="2019-11-20"),
        go("close_with_outcome", reason),
    ]


ABROAD_DETAINED = [
    *abroad_request("detention", "life_or_liberty"),
    *abroad_consular("detention_visit", "legal_orientation"),
    go("close", "released_from_detention"),
]
ABROAD_REMAINS = [
    *abroad_request("repatriation_of_remains"),
    go("start_repatriation_of_remains"),
    refer("RENAP", "documents"),
    done("register_death", "transport_remains", "deliver_remains"),
    form("remains", identified=True, death_registered=True, costs_covered_by="state"),
    go("close_remains_delivered", "remains_repatriated"),
]
ABROAD_WITHDRAWN = [*abroad_request("documents", "ordinary"), go("withdraw", "withdrawn")]

EXTORTION = {
    "official_type": "police",
    "conduct": ["extortion"],
    "occurred_on": "2019-02-14",
    "place": "Tecún Umán, San Marcos",
    "amount_demanded": 500,
    "currency": "GTQ",
    "no_detention_ensured": True,
}
COMPLAINT_RECEIVED = [
    done("record_complaint", "protection_measures"),
    form("complaint", **EXTORTION),
]


def complaint_outcome(result: str, decided_by: str, **extra: Any) -> list[Step]:
    return [
        form("outcome", result=result, decided_by=decided_by, decided_on="2019-09-30", **extra),
        go("close", result),
    ]


COMPLAINT_ADMINISTRATIVE = [
    *COMPLAINT_RECEIVED,
    go("refer_to_orp"),
    refer("PNC_ORP", "information"),
    done("send_to_orp", "orp_follow_up"),
    *complaint_outcome("administrative_sanction", "PNC_ORP", administrative_sanction="suspension"),
]
COMPLAINT_CRIMINAL = [
    *COMPLAINT_RECEIVED,
    go("refer_to_orp"),
    done("send_to_orp"),
    go("refer_to_prosecutor"),
    done("file_with_mp", "mp_follow_up"),
    *complaint_outcome("criminal_sanction", "court", criminal_sentence_years=6),
]
COMPLAINT_DISMISSED = [
    *COMPLAINT_RECEIVED,
    go("refer_to_prosecutor"),
    done("file_with_mp"),
    *complaint_outcome("dismissed", "MP"),
]
COMPLAINT_WITHDRAWN = [done("record_complaint"), go("withdraw", "withdrawn_by_complainant")]

ASYLUM_APPLIED = [
    done("register_application", "notify_non_refoulement", "provisional_document"),
    form(
        "application",
        nationality="HN",
        entry_date="2019-01-20",
        grounds_summary="Amenazas de una pandilla por negarse a pagar extorsión.",
        dependants=1,
    ),
]
ASYLUM_TO_DECISION = ASYLUM_APPLIED + [
    go("schedule_interview"),
    done("eligibility_interview"),
    form(
        "interview",
        held_on="2019-02-15",
        grounds=["particular_social_group"],
        interpreter_used=False,
    ),
    go("submit_for_decision"),
    done("prepare_decision"),
]
REASONS = {"decided_on": "2019-03-30", "reasons": "Temor fundado de persecución."}


def asylum_closed_with(reason: str) -> list[Step]:
    return [done("notify_decision", "issue_identity_document"), go("close", reason)]


def asylum_granted(outcome: str) -> list[Step]:
    return [
        *ASYLUM_TO_DECISION,
        form("decision", outcome=outcome, **REASONS),
        go("grant_protection"),
        *asylum_closed_with(outcome),
    ]


ASYLUM_REJECTED = ASYLUM_TO_DECISION + [
    form("decision", outcome="rejected", **REASONS),
    go("reject"),
    done("inform_right_to_appeal"),
]
ASYLUM_APPEALED = ASYLUM_REJECTED + [
    form(
        "appeal",
        filed_on="2019-04-03",
        grounds="No se valoró la prueba.",
        legal_representation="IDPP",
    ),
    go("file_appeal"),
    done("review_appeal"),
]
ASYLUM_GRANTED_ON_APPEAL = ASYLUM_APPEALED + [
    form("final_decision", outcome="international_protection_granted", **REASONS),
    go("grant_on_appeal"),
    *asylum_closed_with("international_protection_granted"),
]
ASYLUM_APPEAL_DISMISSED = ASYLUM_APPEALED + [
    form("final_decision", outcome="rejection_upheld", **REASONS),
    go("dismiss_appeal", "rejected_final"),
]
ASYLUM_NOT_APPEALED = ASYLUM_REJECTED + [
    done("appeal_period_over"),
    go("close_rejected", "rejected_final"),
]
ASYLUM_WITHDRAWN = ASYLUM_APPLIED + [go("withdraw", "withdrawn")]

SHELTER_SCREENED = [
    done("screen_protection_needs"),
    form(
        "screening",
        is_child=False,
        fears_return=False,
        trafficking_indicators=False,
        health_needs=False,
        informed_of_rights=True,
    ),
]
PLACEMENT = {
    "reason": "awaiting_voluntary_return",
    "alternatives_considered": [
        {
            "alternative": "community_shelter",
            "rejected_because": "La Casa del Migrante no tenía cupo.",
        },
        {
            "alternative": "release_with_reporting",
            "rejected_because": "Pidió esperar aquí su vuelo.",
        },
    ],
    "person_is_adult": True,
    "consular_notification_offered": True,
}
SHELTER_PLACED = SHELTER_SCREENED + [
    done("consider_alternatives"),
    form("placement", **PLACEMENT),
    go("place"),
    done("offer_consular_notification", "review_24h"),
    form(
        "stay_review", at_hour=24, still_necessary=True, reasons="El vuelo de retorno sale mañana."
    ),
]


def shelter_exit(transition: str, exit_type: str, hours: int) -> list[Step]:
    return [form("exit", exit_type=exit_type, hours_in_shelter=hours), go(transition, exit_type)]


WALKS = [
    pytest.param("child_reception", "MINEX", CHILD_HOME, id="child-home"),
    pytest.param("child_reception", "SBS", CHILD_JUDGE, id="child-judge-monitoring"),
    pytest.param("vulnerable_women", "IGM", WOMAN_REFERRED, id="women-referred"),
    pytest.param("vulnerable_women", "CONAMIGUA", WOMAN_ONLY_GUIDED, id="women-guidance-only"),
    pytest.param("trafficking_victims", "SVET", VICTIM_PROSECUTION, id="trafficking-trial"),
    pytest.param("trafficking_victims", "MP", VICTIM_NO_COMPLAINT, id="trafficking-no-complaint"),
    pytest.param("trafficking_victims", "PNC_DAV", VICTIM_GOES_HOME, id="trafficking-goes-home"),
    pytest.param("trafficking_victims", "PNC", NOT_A_VICTIM, id="trafficking-not-a-victim"),
    pytest.param("returnee_reintegration", "SOSEP", RETURNEES_REINTEGRATED, id="returnee-plan"),
    pytest.param("returnee_reintegration", "CONAMIGUA", RETURNEES_DECLINE, id="returnee-declines"),
    pytest.param(
        "assistance_abroad",
        "MINEX",
        abroad_legal_action("success", "legal_action_successful"),
        id="abroad-lawsuit-won",
    ),
    pytest.param(
        "assistance_abroad",
        "MINEX",
        abroad_legal_action("failure", "legal_action_unsuccessful"),
        id="abroad-lawsuit-lost",
    ),
    pytest.param("assistance_abroad", "MINEX", ABROAD_DETAINED, id="abroad-detention"),
    pytest.param("assistance_abroad", "CONAMIGUA", ABROAD_REMAINS, id="abroad-remains"),
    pytest.param("assistance_abroad", "MINEX", ABROAD_WITHDRAWN, id="abroad-withdrawn"),
    pytest.param(
        "complaint_against_officials", "PDH", COMPLAINT_ADMINISTRATIVE, id="complaint-admin"
    ),
    pytest.param("complaint_against_officials", "PDH", COMPLAINT_CRIMINAL, id="complaint-criminal"),
    pytest.param(
        "complaint_against_officials", "MP", COMPLAINT_DISMISSED, id="complaint-dismissed"
    ),
    pytest.param(
        "complaint_against_officials", "IGM", COMPLAINT_WITHDRAWN, id="complaint-withdrawn"
    ),
    pytest.param(
        "asylum", "IGM", asylum_granted("refugee_status_recognised"), id="asylum-recognised"
    ),
    pytest.param(
        "asylum", "IGM", asylum_granted("international_protection_granted"), id="asylum-protection"
    ),
    pytest.param("asylum", "IGM", ASYLUM_GRANTED_ON_APPEAL, id="asylum-rejected-appeal-granted"),
    pytest.param("asylum", "IGM", ASYLUM_APPEAL_DISMISSED, id="asylum-appeal-dismissed"),
    pytest.param("asylum", "IGM", ASYLUM_NOT_APPEALED, id="asylum-rejected-no-appeal"),
    pytest.param("asylum", "IGM", ASYLUM_WITHDRAWN, id="asylum-withdrawn"),
    pytest.param(
        "shelter_placement",
        "IGM",
        SHELTER_PLACED + shelter_exit("release", "voluntary_return", 30),
        id="shelter-released",
    ),
    pytest.param(
        "shelter_placement",
        "DGM",
        SHELTER_PLACED + shelter_exit("transfer", "transferred_to_asylum_procedure", 20),
        id="shelter-transferred",
    ),
    pytest.param(
        "shelter_placement",
        "IGM",
        SHELTER_SCREENED
        + [
            form("alternative", outcome="community_shelter"),
            go("no_placement", "alternative_to_placement"),
        ],
        id="shelter-alternative",
    ),
]


@pytest.mark.parametrize("code, owner, steps", WALKS)
def test_a_case_walks_to_a_final_stage(make_user, code: str, owner: str, steps) -> None:
    run = start(make_user, code, owner)
    walk(run, steps)
    protocol = protocol_get(code)
    assert protocol is not None and protocol.stages[run.case.stage].final
    assert run.case.closed_at is not None and run.case.closure_reason in protocol.closure_reasons


SAFEGUARDS = [
    pytest.param(
        "shelter_placement",
        "placement",
        {**PLACEMENT, "alternatives_considered": [], "person_is_adult": False},
        {"placement.alternatives_considered", "placement.person_is_adult"},
        id="shelter-no-alternatives-or-a-child",
    ),
    pytest.param(
        "shelter_placement",
        "placement",
        {**PLACEMENT, "alternatives_considered": [{"alternative": "community_shelter"}]},
        {"placement.alternatives_considered.0.rejected_because"},
        id="shelter-alternative-without-reason",
    ),
    pytest.param(
        "complaint_against_officials",
        "complaint",
        {**EXTORTION, "no_detention_ensured": False},
        {"complaint.no_detention_ensured"},
        id="complaint-exposes-to-detention",
    ),
    pytest.param(
        "trafficking_victims",
        "complaint",
        {**COMPLAINT_MP, "filed_on": "ayer", "offences": ["trafficking"]},
        {"complaint.filed_on"},
        id="trafficking-date-not-a-date",
    ),
]


@pytest.mark.parametrize("code, form_code, data, fields", SAFEGUARDS)
def test_safeguards_are_required_by_the_forms(make_user, code, form_code, data, fields) -> None:
    protocol = protocol_get(code)
    assert protocol is not None
    run = start(make_user, code, protocol.owners[0])
    with pytest.raises(InvalidInput) as err:
        actions.case_form_save(actor=run.worker, case_id=run.case.pk, form=form_code, data=data)
    assert set(err.value.errors) == fields


def test_shelter_stay_alerts_come_before_the_maximum(make_user) -> None:
    run = start(make_user, "shelter_placement", "IGM")
    walk(run, SHELTER_SCREENED + [done("consider_alternatives"), form("placement", **PLACEMENT)])
    walk(run, [go("place")])
    placed_at = run.case.events.get(kind="transition").at
    escalated: list[set[str]] = []
    for hours in (25, 49, 61, 73):
        actions.deadlines_sweep(now=placed_at + timedelta(hours=hours))
        codes = run.case.tasks.filter(escalated_at__isnull=False).values_list("code", flat=True)
        escalated.append(set(codes))
    assert escalated == [
        {"offer_consular_notification", "review_24h"},
        {"offer_consular_notification", "review_24h", "review_48h"},
        {"offer_consular_notification", "review_24h", "review_48h", "exit_arranged"},
        {
            "offer_consular_notification",
            "review_24h",
            "review_48h",
            "exit_arranged",
            "maximum_stay",
        },
    ]


# --- The files, checked as graphs ------------------------------------------------------------


def reachable(protocol: Protocol, start: str, without: str = "") -> set[str]:
    """Stages reachable from `start`, optionally never passing through `without`."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        stage = todo.pop()
        if stage in seen or stage == without:
            continue
        seen.add(stage)
        todo += [t.target for t in protocol.transitions_from(stage)]
    return seen


@pytest.fixture(params=PROTOCOL_FILES, ids=lambda path: path.parent.name)
def protocol(request) -> Protocol:  # type: ignore[no-untyped-def]
    return parse_protocol(request.param)


def test_the_national_protocols_are_installed() -> None:
    assert {path.parent.name for path in PROTOCOL_FILES} == NATIONAL


def test_every_stage_is_reachable_and_leads_to_an_end(protocol: Protocol) -> None:
    initial = protocol.initial_stage.code
    assert reachable(protocol, initial) == set(protocol.stages)
    finals = {code for code, stage in protocol.stages.items() if stage.final}
    for code, stage in protocol.stages.items():
        ways_out = protocol.transitions_from(code)
        assert not ways_out if stage.final else ways_out, code
        assert reachable(protocol, code) & finals, f"{code} never reaches a final stage"


def test_transitions_are_consistent(protocol: Protocol) -> None:
    stage_of = {t.code: s.code for s in protocol.stages.values() for t in s.tasks}
    all_tasks = [t.code for s in protocol.stages.values() for t in s.tasks]
    assert len(all_tasks) == len(set(all_tasks)), "a task code is used in two stages"
    initial = protocol.initial_stage.code
    for t in protocol.transitions.values():
        assert t.roles <= WORK_ROLES, t.code
        assert t.closure == protocol.stages[t.target].final, f"{t.code}: closure and final differ"
        assert not t.closure or protocol.closure_reasons, f"{t.code}: no closure reasons"
        for task in t.requires_tasks:
            # The task's stage lies on every path to the transition, so the task exists.
            home = stage_of[task]
            for source in t.sources:
                assert home == source or source not in reachable(protocol, initial, home), (
                    f"{t.code} needs {task}, which {source} can be reached without"
                )


def test_institutions_exist(protocol: Protocol) -> None:
    assert protocol.owners and set(protocol.owners) <= INSTITUTIONS
    assert set(protocol.referral_targets) <= INSTITUTIONS


def test_the_walks_take_every_transition(protocol: Protocol) -> None:
    taken = {
        step.args[0]
        for param in WALKS
        if param.values[0] == protocol.code
        for step in param.values[2]
        if step.func is _go
    }
    assert taken == set(protocol.transitions)
