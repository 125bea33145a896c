"""The protocol engine, driven by a protocol that exists only in the tests and by the child
reception protocol."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from amparo.cases import actions
from amparo.cases.models import Case, CaseEvent, Referral, Task
from amparo.cases.protocol import ProtocolError, parse_protocol, protocol_get
from amparo.cases.queries import case_get, cases_visible_to, supervisor_dashboard
from amparo.core.errors import Conflict, InvalidInput, NotFound
from amparo.core.models import AuditEntry, Role
from amparo.people.queries import person_get

from .conftest import register

pytestmark = pytest.mark.django_db
TEST_PROTOCOLS = Path(__file__).parent / "protocols"


@pytest.fixture(autouse=True)
def test_protocols(settings):  # type: ignore[no-untyped-def]
    settings.AMPARO_EXTRA_PROTOCOL_DIRS = [str(TEST_PROTOCOLS)]


def _done(case: Case, code: str, actor) -> None:  # type: ignore[no-untyped-def]
    actions.task_complete(actor=actor, task_id=case.tasks.get(code=code).pk)


def test_a_new_protocol_is_only_a_file(caseworker, person) -> None:
    case = actions.case_open(actor=caseworker, protocol_code="test_minimal", person_id=person.pk)
    assert case.stage == "open" and case.tasks.get().due_at > timezone.now() + timedelta(hours=1)
    with pytest.raises(InvalidInput) as err:
        actions.case_transition(
            actor=caseworker, case_id=case.pk, transition="finish", closure_reason="done"
        )
    assert set(err.value.errors) == {"tasks", "forms"}
    assert AuditEntry.objects.filter(action="case.transition_refused").count() == 1
    _done(case, "call_back", caseworker)
    actions.case_form_save(actor=caseworker, case_id=case.pk, form="intake", data={"urgent": True})
    closed = actions.case_transition(
        actor=caseworker, case_id=case.pk, transition="finish", closure_reason="done"
    )
    assert closed.stage == "done" and closed.closed_at is not None
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == ["opened", "task_done", "form", "transition"]


def test_form_errors_name_the_field(caseworker, person) -> None:
    case = actions.case_open(actor=caseworker, protocol_code="test_minimal", person_id=person.pk)
    with pytest.raises(InvalidInput) as err:
        actions.case_form_save(
            actor=caseworker, case_id=case.pk, form="intake", data={"note": "x" * 30}
        )
    assert set(err.value.errors) == {"intake.urgent", "intake.note"}
    case.refresh_from_db()
    assert case.data == {} and case.version == 1


def test_roles_and_stages_are_enforced(make_user, person, caseworker) -> None:
    case = actions.case_open(actor=caseworker, protocol_code="child_reception", person_id=person.pk)
    with pytest.raises(InvalidInput, match="transition"):
        actions.case_transition(
            actor=caseworker, case_id=case.pk, transition="close", closure_reason="other"
        )
    with pytest.raises(InvalidInput):
        actions.case_transition(actor=caseworker, case_id=case.pk, transition="teleport")
    case.refresh_from_db()
    assert case.stage == "consular_protection"


def test_child_reception_walk_with_judge_and_approvals(make_user, caseworker) -> None:
    supervisor = make_user(Role.SUPERVISOR, "MINEX")
    child = register(caseworker, given="Ana", markers=["unaccompanied_child"])
    case = actions.case_open(actor=caseworker, protocol_code="child_reception", person_id=child.pk)
    assert case.sensitive
    _done(case, "notify_family", caseworker)
    actions.case_transition(actor=caseworker, case_id=case.pk, transition="receive")
    _done(case, "health_check", caseworker)
    actions.case_form_save(
        actor=caseworker,
        case_id=case.pk,
        form="reception_record",
        data={"accompanied": False, "arrival_point": "La Aurora", "returned_from": "US"},
    )
    actions.case_transition(actor=caseworker, case_id=case.pk, transition="start_interview")
    _done(case, "rights_interview", caseworker)
    actions.case_form_save(
        actor=caseworker,
        case_id=case.pk,
        form="rights_interview",
        data={"rights_violated": True, "violations": ["violence"], "risk_remains": True},
    )
    actions.case_transition(actor=caseworker, case_id=case.pk, transition="refer_to_judge")
    actions.case_form_save(
        actor=caseworker,
        case_id=case.pk,
        form="best_interests",
        data={"decision": "extended_family", "reasons": "Su abuela puede cuidarla."},
    )
    pending = actions.case_transition(
        actor=caseworker, case_id=case.pk, transition="determine_best_interests"
    )
    assert pending.stage == "judicial_protection"
    approval = pending.approvals.get()
    with pytest.raises(InvalidInput):
        actions.approval_decide(actor=supervisor, approval_id=approval.pk, approve=False)
    actions.approval_decide(actor=supervisor, approval_id=approval.pk, approve=True)
    case.refresh_from_db()
    assert case.stage == "reintegration"
    actions.case_transition(
        actor=supervisor,
        case_id=case.pk,
        transition="close",
        closure_reason="reunified_with_family",
    )
    case.refresh_from_db()
    assert case.closed_at and case.closure_reason == "reunified_with_family"


def test_stale_version_is_a_conflict(caseworker, person) -> None:
    case = actions.case_open(actor=caseworker, protocol_code="test_minimal", person_id=person.pk)
    actions.case_form_save(
        actor=caseworker, case_id=case.pk, form="intake", data={"urgent": True}, version=1
    )
    with pytest.raises(Conflict):
        actions.case_form_save(
            actor=caseworker, case_id=case.pk, form="intake", data={"urgent": False}, version=1
        )


def test_deadline_sweep_escalates_overdue_tasks_once(make_user, caseworker, person) -> None:
    supervisor = make_user(Role.SUPERVISOR, "MINEX")
    case = actions.case_open(actor=caseworker, protocol_code="test_minimal", person_id=person.pk)
    later = timezone.now() + timedelta(hours=3)
    assert actions.deadlines_sweep(now=later) == 1
    assert actions.deadlines_sweep(now=later) == 0
    assert Task.objects.get(case=case).escalated_at == later
    board = supervisor_dashboard(actor=supervisor, now=later)
    assert [t.case_id for t in board.overdue_tasks] == [case.pk]


def test_referral_needs_consent_or_a_supervisors_override(make_user, caseworker, person) -> None:
    sbs = make_user(Role.CASEWORKER, "SBS")
    supervisor = make_user(Role.SUPERVISOR, "MINEX")
    case = actions.case_open(actor=caseworker, protocol_code="child_reception", person_id=person.pk)
    with pytest.raises(InvalidInput, match="consent"):
        actions.referral_send(
            actor=caseworker,
            case_id=case.pk,
            to_institution="SBS",
            reason="seguimiento",
            shares=["identity", "case"],
        )
    with pytest.raises(InvalidInput, match="supervisor"):
        actions.referral_send(
            actor=caseworker,
            case_id=case.pk,
            to_institution="SBS",
            reason="seguimiento",
            shares=["identity"],
            override_reason="urgente",
        )
    with pytest.raises(InvalidInput):
        actions.referral_send(
            actor=caseworker, case_id=case.pk, to_institution="INE", reason="x", shares=["case"]
        )
    referral = actions.referral_send(
        actor=supervisor,
        case_id=case.pk,
        to_institution="SBS",
        reason="seguimiento",
        shares=["identity", "case"],
        services=["psychosocial"],
        override_reason="riesgo inminente",
    )
    assert (
        referral.override_reason
        and AuditEntry.objects.filter(action="referral.send", reason="riesgo inminente").exists()
    )
    with pytest.raises(NotFound):
        case_get(actor=sbs, case_id=case.pk)
    actions.referral_decide(actor=sbs, referral_id=referral.pk, accept=True)
    view = case_get(actor=sbs, case_id=case.pk)
    assert not view.owner and view.shares == {"identity", "case"}
    assert person_get(actor=sbs, person_id=person.pk) == person
    with pytest.raises(NotFound):
        actions.case_transition(actor=sbs, case_id=case.pk, transition="receive")
    service = actions.service_record(
        actor=sbs, person_id=person.pk, kind="psychosocial", referral_id=referral.pk
    )
    assert service.case_id == case.pk and service.institution == sbs.institution


def test_withdrawn_consent_stops_future_sharing(make_user, caseworker, person) -> None:
    sbs = make_user(Role.CASEWORKER, "SBS")
    case = actions.case_open(actor=caseworker, protocol_code="child_reception", person_id=person.pk)
    consent = actions.consent_record(
        actor=caseworker, person_id=person.pk, scopes=["identity", "case"], recipient_code="SBS"
    )
    referral = actions.referral_send(
        actor=caseworker,
        case_id=case.pk,
        to_institution="SBS",
        reason="seguimiento",
        shares=["case"],
    )
    assert referral.consent == consent
    actions.consent_withdraw(actor=caseworker, consent_id=consent.pk)
    with pytest.raises(InvalidInput, match="retiró el consentimiento"):
        actions.referral_decide(actor=sbs, referral_id=referral.pk, accept=True)
    assert Referral.objects.get(pk=referral.pk).status == "sent"
    with pytest.raises(InvalidInput, match="consent"):
        actions.referral_send(
            actor=caseworker,
            case_id=case.pk,
            to_institution="SBS",
            reason="otra vez",
            shares=["case"],
        )


def test_sensitive_cases_are_seen_by_the_owning_team_only(make_user, person) -> None:
    protection = make_user(Role.CASEWORKER, "MINEX", "protection")
    general = make_user(Role.CASEWORKER, "MINEX", "general")
    child = register(protection, given="Niño", markers=["unaccompanied_child"])
    case = actions.case_open(actor=protection, protocol_code="child_reception", person_id=child.pk)
    assert cases_visible_to(protection).filter(pk=case.pk).exists()
    assert not cases_visible_to(general).filter(pk=case.pk).exists()


def test_attachments_are_type_and_size_checked(caseworker, person) -> None:
    case = actions.case_open(actor=caseworker, protocol_code="test_minimal", person_id=person.pk)
    pdf = SimpleUploadedFile("acta.pdf", b"%PDF-1.4 contenido", content_type="application/pdf")
    attachment = actions.attachment_add(actor=caseworker, case_id=case.pk, upload=pdf)
    assert attachment.content_type == "application/pdf" and len(attachment.sha256) == 64
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(InvalidInput):
        actions.attachment_add(actor=caseworker, case_id=case.pk, upload=fake)


HEADER = "code: bad\nversion: 1\nname: {es: a, en: b}\n"
TWO_STAGES = (
    "stages:\n"
    "  - {code: a, name: {es: a, en: a}, initial: true}\n"
    "  - {code: b, name: {es: b, en: b}, final: true}\n"
)
GO_TO_C = "transitions:\n  - code: go\n    name: {es: a, en: a}\n    from: [a]\n    to: c\n"


@pytest.mark.parametrize(
    "text, line, reason",
    [
        ("code: x\nversion: [\n", 3, "not valid YAML"),
        (HEADER + "subject: alien\nstages: []\ntransitions: []\n", 4, "subject"),
        (
            HEADER + "subject: person\n" + TWO_STAGES + GO_TO_C + "    roles: [caseworker]\n",
            12,
            "unknown stage c",
        ),
    ],
)
def test_malformed_protocol_files_name_file_line_and_reason(tmp_path, text, line, reason) -> None:
    path = tmp_path / "bad" / "v1.yaml"
    path.parent.mkdir()
    path.write_text(text)
    with pytest.raises(ProtocolError) as err:
        parse_protocol(path)
    assert err.value.line == line and reason in str(err.value) and str(path) in str(err.value)


def test_cases_keep_their_protocol_version() -> None:
    assert protocol_get("child_reception", 1) is not None
    assert protocol_get("child_reception", 99) is None


def test_household_protocols_need_a_household_of_the_person(make_user) -> None:
    from amparo.people.actions import household_create

    worker = make_user(Role.CASEWORKER, "IGM")
    person, other = register(worker, given="Retornada"), register(worker, given="Otro")
    with pytest.raises(InvalidInput) as err:
        actions.case_open(actor=worker, protocol_code="returnee_reintegration", person_id=person.pk)
    assert "household" in err.value.errors
    theirs = household_create(actor=worker, label="Hogar ajeno", member_ids=[other.pk])
    with pytest.raises(InvalidInput) as err:
        actions.case_open(
            actor=worker, protocol_code="test_minimal", person_id=person.pk, household_id=theirs.pk
        )
    assert "household" in err.value.errors


def test_form_formats_are_checked(caseworker, person, tmp_path) -> None:
    from amparo.cases.actions import form_errors

    schema = {"type": "object", "properties": {"day": {"type": "string", "format": "date"}}}
    assert "day" in form_errors(schema, {"day": "ayer"})
    assert form_errors(schema, {"day": "2026-11-27"}) == {}


GRAPH_BASE = HEADER + "subject: person\n"


@pytest.mark.parametrize(
    "body, reason",
    [
        (
            TWO_STAGES
            + "  - {code: c, name: {es: c, en: c}}\n"
            + GO_TO_C.replace("to: c", "to: b")
            + "    roles: [caseworker]\n    closure: true\n",
            "cannot be reached",
        ),
        (
            TWO_STAGES + GO_TO_C.replace("to: c", "to: b") + "    roles: [caseworker]\n",
            "closure must be true",
        ),
        (TWO_STAGES + GO_TO_C.replace("to: c", "to: b") + "    roles: [analyst]\n", "unknown role"),
        (
            "owners: [NOPE]\n"
            + TWO_STAGES
            + GO_TO_C.replace("to: c", "to: b")
            + "    roles: [caseworker]\n    closure: true\n",
            "unknown institution",
        ),
    ],
)
def test_protocol_graph_checks(tmp_path, body, reason) -> None:
    path = tmp_path / "bad" / "v1.yaml"
    path.parent.mkdir()
    path.write_text(GRAPH_BASE + body)
    with pytest.raises(ProtocolError, match=reason):
        parse_protocol(path)


def test_closing_a_case_cancels_its_open_tasks(caseworker, person) -> None:
    case = actions.case_open(actor=caseworker, protocol_code="test_minimal", person_id=person.pk)
    _done(case, "call_back", caseworker)
    Task.objects.create(
        case=case, code="extra", stage="open", title_es="x", title_en="x", due_at=timezone.now()
    )
    actions.case_form_save(actor=caseworker, case_id=case.pk, form="intake", data={"urgent": True})
    actions.case_transition(
        actor=caseworker, case_id=case.pk, transition="finish", closure_reason="done"
    )
    extra = Task.objects.get(case=case, code="extra")
    assert extra.cancelled and extra.done_at is not None
    assert actions.deadlines_sweep(now=timezone.now() + timedelta(days=1)) == 0


def test_recipient_records_services_without_seeing_who(make_user, caseworker, person) -> None:
    sbs = make_user(Role.CASEWORKER, "SBS")
    supervisor = make_user(Role.SUPERVISOR, "MINEX")
    case = actions.case_open(actor=caseworker, protocol_code="test_minimal", person_id=person.pk)
    referral = actions.referral_send(
        actor=supervisor,
        case_id=case.pk,
        to_institution="SBS",
        reason="apoyo",
        shares=["case"],
        services=["psychosocial"],
        override_reason="emergencia",
    )
    actions.referral_decide(actor=sbs, referral_id=referral.pk, accept=True)
    service = actions.service_record(
        actor=sbs, person_id=person.pk, kind="psychosocial", referral_id=referral.pk
    )
    assert service.person == person
    with pytest.raises(NotFound):
        person_get(actor=sbs, person_id=person.pk)


def test_closure_reasons_and_form_fields_carry_names_in_both_languages() -> None:
    from django.utils import translation

    from amparo.cases.forms import choice_label, property_label
    from amparo.cases.labels import closure_reason_label

    protocol = protocol_get("child_reception")
    assert protocol is not None
    assert closure_reason_label("other", protocol) == "Otro motivo"
    with translation.override("en"):
        assert closure_reason_label("other", protocol) == "Other reason"
    assert closure_reason_label("made_up") == "Made up"
    prop = protocol.forms["reception_record"].schema["properties"]["returned_from"]
    assert property_label("returned_from", prop) == "País del que retorna"
    assert choice_label("US", prop) == "Estados Unidos"
