"""The case pages through Django's test client: the list, opening a case, the case page and
its forms (tasks, steps, approvals, protocol forms, notes, files, consent, referrals), incoming
referrals and the home page panels; and the helper that builds forms from JSON Schema."""

from __future__ import annotations

import uuid
from datetime import timedelta
from html import escape
from pathlib import Path
from typing import Any

import pytest
from django.http import QueryDict
from django.test import Client
from django.utils import timezone, translation

from amparo.cases import actions
from amparo.cases.forms import SchemaForm, humanise
from amparo.cases.models import Approval, Case, Referral, ServiceDelivery, Task
from amparo.core.errors import InvalidInput
from amparo.core.models import AuditEntry, Role, User

from .conftest import register

TEST_PROTOCOLS = Path(__file__).parent / "protocols"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def test_protocols(settings):  # type: ignore[no-untyped-def]
    settings.AMPARO_EXTRA_PROTOCOL_DIRS = [str(TEST_PROTOCOLS)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path / "media")


def signed_in(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def es(message: str) -> str:
    """The Spanish the page shows for a source string, escaped as in the HTML."""
    with translation.override("es"):
        text = translation.gettext(message)
    assert text != message, f"the Spanish catalog does not translate {message!r}"
    return escape(text)


def page(response: Any) -> str:
    return response.content.decode()


def open_case(actor: User, person_id: uuid.UUID, protocol: str = "child_reception") -> Case:
    return actions.case_open(actor=actor, protocol_code=protocol, person_id=person_id)


def done(case: Case, code: str, actor: User) -> None:
    actions.task_complete(actor=actor, task_id=case.tasks.get(code=code).pk)


@pytest.fixture
def supervisor(make_user) -> User:  # type: ignore[no-untyped-def]
    return make_user(Role.SUPERVISOR, "MINEX")


@pytest.fixture
def case(caseworker, person) -> Case:  # type: ignore[no-untyped-def]
    return open_case(caseworker, person.pk)


# --- the form-from-schema helper ------------------------------------------------------------

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["accompanied", "arrival_point", "count"],
    "properties": {
        "accompanied": {"type": "boolean", "title": "Accompanied by a parent or guardian"},
        "arrival_point": {"type": "string", "maxLength": 120},
        "returned_from": {"enum": ["MX", "US", "other"], "title": "Country returning from"},
        "violations": {"type": "array", "items": {"enum": ["violence", "abuse", "neglect"]}},
        "notes": {"type": "string", "maxLength": 5000},
        "free_text": {"type": "string"},
        "count": {"type": "integer", "minimum": 0},
        "weight": {"type": "number"},
        "level": {"enum": [1, 2, 3]},
        "seen_on": {"type": "string", "format": "date"},
        "extra": {"type": "object"},
        "decision": {
            "enum": ["family", "care"],
            "x-title": {"es": "Decisión", "en": "Decision"},
            "x-enum-titles": {"family": {"es": "Familia", "en": "Family"}},
        },
    },
}


def _post(**values: Any) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in values.items():
        if isinstance(value, list):
            data.setlist(f"f-{key}", value)
        else:
            data[f"f-{key}"] = value
    return data


def test_schema_form_widgets_follow_the_schema() -> None:
    form = SchemaForm(SCHEMA, prefix="f")
    widgets = {name: form[name].widget_type for name in form.fields}
    assert widgets == {
        "accompanied": "checkbox",
        "arrival_point": "text",
        "returned_from": "select",
        "violations": "checkboxselectmultiple",
        "notes": "textarea",  # maxLength above 200
        "free_text": "textarea",  # no limit
        "count": "number",
        "weight": "number",
        "level": "select",
        "seen_on": "date",
        "extra": "textarea",  # no widget for an object: typed as JSON
        "decision": "select",
    }
    required = {name for name, field in form.fields.items() if field.required}
    # A checkbox is never required: unticked is an answer.
    assert required == {"arrival_point", "count"}
    assert form.fields["arrival_point"].max_length == 120
    assert form["arrival_point"].id_for_label == "f-arrival_point"
    assert form.fields["count"].min_value == 0
    assert form.fields["returned_from"].choices[0] == ("", "—")


def test_schema_form_labels() -> None:
    form = SchemaForm(SCHEMA, prefix="f")
    assert form.fields["accompanied"].label == "Accompanied by a parent or guardian"
    assert form.fields["arrival_point"].label == "Arrival point"  # the name made readable
    with translation.override("es"):
        form = SchemaForm(SCHEMA, prefix="f")
        assert form.fields["decision"].label == "Decisión"
        assert dict(form.fields["decision"].choices)["family"] == "Familia"
        assert dict(form.fields["decision"].choices)["care"] == "Care"
    with translation.override("en"):
        assert SchemaForm(SCHEMA, prefix="f").fields["decision"].label == "Decision"
    assert humanise("reunified_with_family") == "Reunified with family"


def test_schema_form_round_trip_gives_typed_json() -> None:
    form = SchemaForm(
        SCHEMA,
        _post(
            accompanied="on",
            arrival_point="Aeropuerto La Aurora",
            returned_from="MX",
            violations=["violence", "neglect"],
            notes="",
            count="3",
            weight="41.5",
            level="2",
            seen_on="2025-03-01",
            extra='{"a": [1, 2]}',
        ),
        prefix="f",
    )
    assert form.is_valid(), form.errors
    data = form.to_json()
    assert data == {
        "accompanied": True,
        "arrival_point": "Aeropuerto La Aurora",
        "returned_from": "MX",
        "violations": ["violence", "neglect"],
        "count": 3,
        "weight": 41.5,
        "level": 2,  # the enum's own type, not the form's string
        "seen_on": "2025-03-01",
        "extra": {"a": [1, 2]},
    }  # empty optional fields (notes, free_text, decision) are left out
    assert actions.form_errors(SCHEMA, data) == {}

    # Saved JSON shown again and sent back unchanged gives the same JSON.
    again = SchemaForm(SCHEMA, prefix="f", initial_json=data)
    values: dict[str, Any] = {}
    for name in again.fields:
        value = again[name].value()
        if name == "accompanied":
            if value:
                values[name] = "on"
        elif value is not None:
            prepared = again.fields[name].prepare_value(value)
            values[name] = prepared if isinstance(prepared, list) else str(prepared)
    resent = SchemaForm(SCHEMA, _post(**values), prefix="f", initial_json=data)
    assert resent.is_valid(), resent.errors
    assert resent.to_json() == data


def test_schema_form_unticked_box_is_false_and_bad_values_are_refused() -> None:
    form = SchemaForm(SCHEMA, _post(arrival_point="Tecún Umán", count="0"), prefix="f")
    assert form.is_valid(), form.errors
    assert form.to_json() == {"accompanied": False, "arrival_point": "Tecún Umán", "count": 0}

    with translation.override("es"):
        form = SchemaForm(
            SCHEMA,
            _post(count="dos", returned_from="XX", arrival_point="x" * 121, extra="{"),
            prefix="f",
        )
        assert not form.is_valid()
        assert set(form.errors) == {"count", "returned_from", "arrival_point", "extra"}
        assert "número entero" in form.errors["count"][0]
        assert form.errors["extra"] == [translation.gettext("Enter valid JSON.")]


def test_schema_form_keeps_saved_values_it_has_no_field_for() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "boolean"}}}
    form = SchemaForm(schema, _post(a="on"), prefix="f", initial_json={"a": False, "b": 7})
    assert form.is_valid()
    assert form.to_json() == {"a": True, "b": 7}


def test_engine_errors_go_next_to_their_fields() -> None:
    form = SchemaForm(SCHEMA, _post(arrival_point="x", count="1"), prefix="f")
    assert form.is_valid()
    form.add_action_errors(
        InvalidInput(
            {
                "f.arrival_point": ["Must be at most 1."],
                "f.violations.0": ["Invalid value."],
                "f.__all__": ["Whole form."],
                "version": ["Elsewhere."],
            }
        )
    )
    assert form.errors["arrival_point"] == ["Must be at most 1."]
    assert form.errors["violations"] == ["Invalid value."]
    assert form.non_field_errors() == ["Whole form.", "Elsewhere."]


# --- access ---------------------------------------------------------------------------------

CASE_PAGES = ["/cases/", "/cases/new/", "/cases/referrals/"]


@pytest.mark.parametrize("url", CASE_PAGES)
def test_roles_without_case_access_get_403(make_user, url) -> None:  # type: ignore[no-untyped-def]
    analyst = make_user(Role.ANALYST, "MINEX")
    assert signed_in(analyst).get(url).status_code == 403


def test_analyst_cannot_see_or_change_a_case(make_user, case) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(make_user(Role.ANALYST, "MINEX"))
    response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 403
    assert es("You do not have access to this page.") in page(response)
    assert client.post(f"/cases/{case.pk}/notes/", {"text": "x"}).status_code == 403
    assert "case_read" not in str(client.get("/").context["user_perms"])
    assert 'href="/cases/"' not in page(client.get("/"))  # no "Cases" in the navigation


def test_a_case_of_another_institution_is_not_found(other_caseworker, case) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(other_caseworker)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.post(f"/cases/{case.pk}/notes/", {"text": "x"}).status_code == 404
    task = case.tasks.first()
    assert client.post(f"/cases/{case.pk}/tasks/{task.pk}/done/").status_code == 404
    assert client.get(f"/cases/{uuid.uuid4()}/").status_code == 404
    assert not Task.objects.filter(pk=task.pk, done_at__isnull=False).exists()


def test_anonymous_users_are_sent_to_sign_in(case) -> None:  # type: ignore[no-untyped-def]
    for url in [*CASE_PAGES, f"/cases/{case.pk}/"]:
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- the list -------------------------------------------------------------------------------


def test_list_shows_visible_cases_with_filters_and_overdue_badge(caseworker, person, make_user):  # type: ignore[no-untyped-def]
    colleague = make_user(Role.CASEWORKER, "MINEX")
    mine = open_case(caseworker, person.pk)
    other = open_case(colleague, person.pk, "test_minimal")
    Task.objects.filter(case=mine).update(due_at=timezone.now() - timedelta(hours=1))
    client = signed_in(caseworker)

    html = page(client.get("/cases/"))
    assert f'href="/cases/{mine.pk}/"' in html and f'href="/cases/{other.pk}/"' in html
    assert "Recepción y atención de niñez y adolescencia migrante" in html
    assert "Protección consular" in html  # the stage's Spanish name
    assert "María José Tzoc Cux" in html
    assert "2 vencidas" in html  # both tasks of the case are overdue

    html = page(client.get("/cases/?mine=on"))
    assert f"/cases/{mine.pk}/" in html and f"/cases/{other.pk}/" not in html
    html = page(client.get("/cases/?protocol=test_minimal"))
    assert f"/cases/{mine.pk}/" not in html and f"/cases/{other.pk}/" in html
    html = page(client.get("/cases/?stage=consular_protection"))
    assert f"/cases/{mine.pk}/" in html and f"/cases/{other.pk}/" not in html
    assert page(client.get("/cases/?status=closed")).count("/cases/0") == 0
    assert f"/cases/{mine.pk}/" not in page(client.get("/cases/?status=closed"))
    # An unknown filter value is ignored rather than an error.
    assert client.get("/cases/?protocol=nope&status=x").status_code == 200


def test_list_is_paginated(caseworker, person, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from amparo.cases import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for _ in range(3):
        open_case(caseworker, person.pk, "test_minimal")
    client = signed_in(caseworker)
    first = page(client.get("/cases/?protocol=test_minimal"))
    listed = first.split("<main", 1)[1]  # the menu's links to case pages are not rows
    assert listed.count('href="/cases/') - listed.count('href="/cases/referrals') == 2
    assert "protocol=test_minimal&amp;page=2" in first
    second = page(client.get("/cases/?protocol=test_minimal&page=2"))
    assert "Página 2 de 2" in second


# --- opening a case -------------------------------------------------------------------------


def test_open_a_case_for_a_person(caseworker, person) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(caseworker)
    html = page(client.get(f"/cases/new/?person={person.pk}"))
    assert "María José Tzoc Cux" in html
    assert "Recepción y atención de niñez y adolescencia migrante" in html
    assert "Protocolo mínimo de prueba" in html
    response = client.post("/cases/new/", {"person": str(person.pk), "protocol": "child_reception"})
    case = Case.objects.get(person=person)
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert case.stage == "consular_protection" and case.opened_by == caseworker


def test_open_a_case_refuses_bad_input_in_spanish(caseworker, person, other_caseworker) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(caseworker)
    response = client.post("/cases/new/", {"person": str(person.pk)})
    assert response.status_code == 422
    assert escape("Este campo es obligatorio.") in page(response)
    assert 'role="alert"' in page(response)
    assert not Case.objects.exists()
    # No person: the page says where to start.
    assert es("Find a person") in page(client.get("/cases/new/"))
    assert client.get("/cases/new/?person=nope").status_code == 404
    stranger = register(other_caseworker, given="Ajena")
    assert client.get(f"/cases/new/?person={stranger.pk}").status_code == 404
    response = client.post("/cases/new/", {"person": str(stranger.pk), "protocol": "test_minimal"})
    assert response.status_code == 404 and not Case.objects.exists()


# --- the case page, as the owning caseworker ------------------------------------------------


def test_case_page_shows_header_tasks_steps_forms_and_timeline(caseworker, case) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(caseworker).get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    html = page(response)
    assert "<h1>Recepción y atención de niñez y adolescencia migrante</h1>" in html
    assert "Protección consular" in html
    assert f'href="/people/{case.person_id}/"' in html
    assert caseworker.username in html
    assert "Notificar a la familia" in html and "Entrevista consular" in html
    assert html.count(es("Mark done")) == 2
    assert "Recibir en Guatemala" in html  # the step possible now
    assert "Registro de recepción" in html  # a protocol form, drawn from its schema
    assert 'name="reception_record-arrival_point"' in html
    assert 'name="reception_record-health_observations"' in html
    assert '<textarea class="usa-textarea"' in html
    assert es("Case opened") in html  # the timeline, in Spanish
    assert AuditEntry.objects.filter(action="case.view", object_id=str(case.pk)).exists()


def test_task_done_and_step_taken(caseworker, case) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(caseworker)
    step = {"transition": "receive", "version": case.version}
    # The required task is not done: refused, with the engine's message, in Spanish.
    response = client.post(f"/cases/{case.pk}/steps/", step)
    assert response.status_code == 422
    # The task by its title in the protocol file, never its code (notify_family).
    message = es("Finish these tasks first: %(list)s.") % {"list": "Notificar a la familia"}
    assert message in page(response)
    case.refresh_from_db()
    assert case.stage == "consular_protection"

    task = case.tasks.get(code="notify_family")
    response = client.post(f"/cases/{case.pk}/tasks/{task.pk}/done/")
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.done_at is not None and task.done_by == caseworker

    response = client.post(f"/cases/{case.pk}/steps/", step, follow=True)
    case.refresh_from_db()
    assert case.stage == "reception"
    html = page(response)
    assert "Recepción" in html and "Evaluación de salud" in html  # the new stage's tasks
    assert es("Step taken") in html  # timeline


def test_a_stale_version_saves_nothing(caseworker, case) -> None:  # type: ignore[no-untyped-def]
    done(case, "notify_family", caseworker)
    client = signed_in(caseworker)
    stale = case.version
    actions.case_form_save(
        actor=caseworker,
        case_id=case.pk,
        form="reception_record",
        data={"accompanied": True, "arrival_point": "La Aurora"},
    )
    response = client.post(f"/cases/{case.pk}/steps/", {"transition": "receive", "version": stale})
    assert response.status_code == 409
    assert es("Someone else changed this case while you were working on it.") in page(response)
    case.refresh_from_db()
    assert case.stage == "consular_protection"
    # The form to take the step again carries the current version.
    assert f'name="version" value="{case.version}"' in page(response)

    response = client.post(
        f"/cases/{case.pk}/forms/reception_record/",
        {"version": stale, "reception_record-arrival_point": "Tecún Umán"},
    )
    assert response.status_code == 409
    assert 'value="Tecún Umán"' in page(response)  # what was typed is not lost
    case.refresh_from_db()
    assert case.data["reception_record"]["arrival_point"] == "La Aurora"


def test_protocol_form_is_saved_as_typed_json(caseworker, case) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(caseworker)
    response = client.post(
        f"/cases/{case.pk}/forms/reception_record/",
        {
            "version": case.version,
            "reception_record-accompanied": "on",
            "reception_record-arrival_point": "Aeropuerto La Aurora",
            "reception_record-returned_from": "US",
            "reception_record-health_observations": "",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.data == {
        "reception_record": {
            "accompanied": True,
            "arrival_point": "Aeropuerto La Aurora",
            "returned_from": "US",
        }
    }
    html = page(client.get(f"/cases/{case.pk}/"))
    assert 'value="Aeropuerto La Aurora"' in html  # shown again for changes
    assert es("Form saved") in html

    # A required field left empty: refused next to the field, in Spanish; nothing saved.
    response = client.post(
        f"/cases/{case.pk}/forms/best_interests/",
        {"version": case.version, "best_interests-reasons": "Vive con su tía."},
    )
    assert response.status_code == 422
    html = page(response)
    required = escape("Este campo es obligatorio.")
    assert (
        f'<span class="usa-error-message" id="best_interests-decision-error" role="alert">'
        f"{required}</span>"
    ) in html
    assert 'href="#best_interests-decision"' in html  # listed in the summary at the top
    assert 'value="Vive con su tía."' not in html  # a text area keeps it as its content
    assert ">Vive con su tía.</textarea>" in html
    case.refresh_from_db()
    assert "best_interests" not in case.data

    # Ticked boxes of a list come back as a list.
    response = client.post(
        f"/cases/{case.pk}/forms/rights_interview/",
        {
            "version": case.version,
            "rights_interview-rights_violated": "on",
            "rights_interview-violations": ["violence", "detention"],
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.data["rights_interview"] == {
        "rights_violated": True,
        "violations": ["violence", "detention"],
        "risk_remains": False,
    }

    # An unknown form does not exist.
    assert client.post(f"/cases/{case.pk}/forms/nope/", {}).status_code == 404


def test_engine_form_errors_are_shown_next_to_the_field(caseworker, person, tmp_path, settings):  # type: ignore[no-untyped-def]
    # A schema rule the web form does not check itself (a pattern): the engine's message,
    # keyed "form.field", appears next to the field.
    folder = tmp_path / "protocols" / "pattern_check"
    folder.mkdir(parents=True)
    (folder / "v1.yaml").write_text(
        (TEST_PROTOCOLS / "test_minimal" / "v1.yaml")
        .read_text(encoding="utf-8")
        .replace("code: test_minimal", "code: pattern_check")
        .replace(
            "note: {type: string, maxLength: 20}", "note: {type: string, pattern: '^[0-9]+$'}"
        ),
        encoding="utf-8",
    )
    settings.AMPARO_EXTRA_PROTOCOL_DIRS = [str(tmp_path / "protocols")]
    case = open_case(caseworker, person.pk, "pattern_check")
    response = signed_in(caseworker).post(
        f"/cases/{case.pk}/forms/intake/", {"version": case.version, "intake-note": "abc"}
    )
    assert response.status_code == 422
    html = page(response)
    error = escape(translation.gettext("Invalid value."))
    assert (
        f'<span class="usa-error-message" id="intake-note-error" role="alert">{error}</span>'
        in html
    )
    assert 'href="#intake-note"' in html  # the summary at the top links to the field


def test_closure_step_asks_for_a_reason(caseworker, person) -> None:  # type: ignore[no-untyped-def]
    case = open_case(caseworker, person.pk, "test_minimal")
    done(case, "call_back", caseworker)
    actions.case_form_save(actor=caseworker, case_id=case.pk, form="intake", data={"urgent": True})
    case.refresh_from_db()
    client = signed_in(caseworker)
    html = page(client.get(f"/cases/{case.pk}/"))
    assert 'name="closure_reason"' in html and '<option value="done">Done</option>' in html
    step = {"transition": "finish", "version": case.version}
    response = client.post(f"/cases/{case.pk}/steps/", step)
    assert response.status_code == 422
    assert escape("Este campo es obligatorio.") in page(response)
    response = client.post(f"/cases/{case.pk}/steps/", {**step, "closure_reason": "done"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.closed_at is not None and case.closure_reason == "done"
    html = page(client.get(f"/cases/{case.pk}/"))
    assert es("Mark done") not in html and 'name="closure_reason"' not in html  # closed


def test_notes_are_listed_and_added(caseworker, case) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(caseworker)
    response = client.post(f"/cases/{case.pk}/notes/", {"text": "  "})
    assert response.status_code == 422 and escape("Este campo es obligatorio.") in page(response)
    response = client.post(
        f"/cases/{case.pk}/notes/", {"text": "La madre llamó.\nVuelve el lunes."}
    )
    assert response.status_code == 302
    html = page(client.get(f"/cases/{case.pk}/"))
    assert "La madre llamó.<br>Vuelve el lunes." in html
    assert es("Note added") in html


# --- files ----------------------------------------------------------------------------------


def test_files_are_uploaded_listed_and_downloaded_by_the_owner_only(
    caseworker, case, other_caseworker
) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = signed_in(caseworker)
    upload = SimpleUploadedFile("foto.png", PNG, content_type="image/png")
    response = client.post(f"/cases/{case.pk}/files/", {"file": upload})
    assert response.status_code == 302
    attachment = case.attachments.get()
    html = page(client.get(f"/cases/{case.pk}/"))
    assert "foto.png" in html and "72\xa0bytes" in html
    url = f"/cases/{case.pk}/files/{attachment.pk}/"
    assert f'href="{url}"' in html

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="foto.png"'
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG
    assert AuditEntry.objects.filter(action="case.attachment_download").count() == 1

    # Another institution: the file does not exist; nor does a file of another case.
    assert signed_in(other_caseworker).get(url).status_code == 404
    other_case = open_case(caseworker, case.person_id, "test_minimal")
    assert client.get(f"/cases/{other_case.pk}/files/{attachment.pk}/").status_code == 404

    # Not a PDF, JPEG or PNG: refused in Spanish.
    text = SimpleUploadedFile("nota.html", b"<script>alert(1)</script>", content_type="image/png")
    response = client.post(f"/cases/{case.pk}/files/", {"file": text})
    assert response.status_code == 422
    assert es("Only PDF, JPEG and PNG files are accepted.") in page(response)
    assert case.attachments.count() == 1


# --- approvals ------------------------------------------------------------------------------


def _to_interview(case: Case, actor: User) -> None:
    done(case, "notify_family", actor)
    actions.case_transition(actor=actor, case_id=case.pk, transition="receive")
    done(case, "health_check", actor)
    actions.case_form_save(
        actor=actor,
        case_id=case.pk,
        form="reception_record",
        data={"accompanied": False, "arrival_point": "La Aurora"},
    )
    actions.case_transition(actor=actor, case_id=case.pk, transition="start_interview")
    for form, data in (
        ("rights_interview", {"rights_violated": False}),
        ("best_interests", {"decision": "family_reunification", "reasons": "Vive con su tía."}),
    ):
        actions.case_form_save(actor=actor, case_id=case.pk, form=form, data=data)
    case.refresh_from_db()


def test_supervisor_approves_or_rejects_a_step(caseworker, supervisor, case) -> None:  # type: ignore[no-untyped-def]
    _to_interview(case, caseworker)
    worker = signed_in(caseworker)
    step = {"transition": "determine_best_interests", "version": case.version}
    response = worker.post(f"/cases/{case.pk}/steps/", step, follow=True)
    assert es("The step waits for a supervisor's approval.") in page(response)
    approval = Approval.objects.get(case=case)
    assert es("Waiting for approval") in page(response)
    assert es("Do not approve") not in page(response)  # the worker cannot decide
    assert (
        worker.post(
            f"/cases/{case.pk}/approvals/{approval.pk}/", {"decision": "approve"}
        ).status_code
        == 403
    )

    boss = signed_in(supervisor)
    html = page(boss.get(f"/cases/{case.pk}/"))
    assert es("Waiting for approval") in html and es("Do not approve") in html
    url = f"/cases/{case.pk}/approvals/{approval.pk}/"
    response = boss.post(url, {"decision": "reject", "reason": ""})
    assert response.status_code == 422
    assert es("Say why the step is not approved.") in page(response)
    assert boss.post(url, {"decision": "reject", "reason": "Falta oír al niño."}).status_code == 302
    approval.refresh_from_db()
    assert approval.approved is False
    assert es("Step not approved") in page(boss.get(f"/cases/{case.pk}/"))

    case.refresh_from_db()
    worker.post(f"/cases/{case.pk}/steps/", {**step, "version": case.version})
    approval = Approval.objects.get(case=case, decided_at__isnull=True)
    response = boss.post(f"/cases/{case.pk}/approvals/{approval.pk}/", {"decision": "approve"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == "reintegration"
    html = page(boss.get(f"/cases/{case.pk}/"))
    assert "Reintegración social" in html and es("Waiting for approval") not in html


# --- consent, referrals and the recipient's view --------------------------------------------


def test_referral_needs_consent_and_is_limited_to_the_protocols_targets(
    caseworker, supervisor, case
) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(caseworker)
    html = page(client.get(f"/cases/{case.pk}/"))
    assert '<option value="SBS">' in html and '<option value="PGN">' in html
    assert '<option value="PNC">' not in html  # not a target of this protocol
    assert '<option value="MINEX">' not in html  # the caseworker's own institution
    assert 'name="override_reason"' not in html  # only supervisors may refer without consent
    assert 'name="override_reason"' in page(signed_in(supervisor).get(f"/cases/{case.pk}/"))

    referral = {"to_institution": "SBS", "reason": "Seguimiento familiar", "shares": ["case"]}
    response = client.post(f"/cases/{case.pk}/referrals/", referral)
    assert response.status_code == 422
    assert es("No consent on record covers this sharing.") in page(response)
    response = client.post(f"/cases/{case.pk}/referrals/", {"to_institution": "PNC"})
    assert response.status_code == 422 and not Referral.objects.exists()

    response = client.post(f"/cases/{case.pk}/consents/", {"scopes": ["case"], "recipient": "SBS"})
    assert response.status_code == 302
    response = client.post(
        f"/cases/{case.pk}/referrals/", {**referral, "services": ["psychosocial"]}
    )
    assert response.status_code == 302
    sent = Referral.objects.get()
    assert (sent.to_institution.code, sent.shares, sent.services_requested) == (
        "SBS",
        ["case"],
        ["psychosocial"],
    )
    assert es("Case referred") in page(client.get(f"/cases/{case.pk}/"))


def test_recipient_accepts_and_sees_only_what_is_shared(caseworker, other_caseworker, case) -> None:  # type: ignore[no-untyped-def]
    actions.case_form_save(
        actor=caseworker,
        case_id=case.pk,
        form="reception_record",
        data={"accompanied": True, "arrival_point": "Frontera El Carmen"},
    )
    actions.consent_record(actor=caseworker, person_id=case.person_id, scopes=["case"])
    referral = actions.referral_send(
        actor=caseworker,
        case_id=case.pk,
        to_institution="SBS",
        reason="Necesita albergue",
        shares=["case"],
        services=["shelter"],
    )
    recipient = signed_in(other_caseworker)
    assert recipient.get(f"/cases/{case.pk}/").status_code == 404  # not yet accepted

    html = page(recipient.get("/cases/referrals/"))
    assert "Necesita albergue" in html and es("Shelter stay") in html
    url = f"/cases/referrals/{referral.pk}/decide/"
    response = recipient.post(url, {"decision": "decline", "reason": ""})
    assert response.status_code == 422
    assert es("Say why you decline the referral.") in page(response)
    response = recipient.post(url, {"decision": "accept"})
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"

    html = page(recipient.get(f"/cases/{case.pk}/"))
    assert "Protección consular" in html  # the stage: shared
    assert es("Case opened") in html  # the timeline: shared
    assert "María José" not in html  # identity: not shared
    assert "Frontera El Carmen" not in html  # forms: not shared
    assert es("Mark done") not in html and 'action="/cases/' not in html  # nothing to change
    assert recipient.post(f"/cases/{case.pk}/notes/", {"text": "x"}).status_code == 404
    task = case.tasks.first()
    assert recipient.post(f"/cases/{case.pk}/tasks/{task.pk}/done/").status_code == 404
    assert f'href="/cases/{case.pk}/"' in page(recipient.get("/cases/"))
    assert es("not shared") in page(recipient.get("/cases/"))


def test_recipient_with_identity_and_forms_records_a_service(
    caseworker, other_caseworker, case
) -> None:  # type: ignore[no-untyped-def]
    actions.case_form_save(
        actor=caseworker,
        case_id=case.pk,
        form="reception_record",
        data={"accompanied": True, "arrival_point": "Frontera El Carmen", "returned_from": "MX"},
    )
    actions.consent_record(
        actor=caseworker, person_id=case.person_id, scopes=["identity", "case", "forms"]
    )
    referral = actions.referral_send(
        actor=caseworker,
        case_id=case.pk,
        to_institution="SBS",
        reason="Necesita albergue",
        shares=["identity", "case", "forms"],
        services=["shelter"],
    )
    actions.referral_decide(actor=other_caseworker, referral_id=referral.pk, accept=True)
    recipient = signed_in(other_caseworker)
    html = page(recipient.get(f"/cases/{case.pk}/"))
    assert "María José Tzoc Cux" in html
    assert "Frontera El Carmen" in html and "Acompañado por su madre, padre o tutor" in html
    assert 'name="reception_record-arrival_point"' not in html  # read, not changed

    url = f"/cases/referrals/{referral.pk}/services/"
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = recipient.post(url, {"kind": "shelter", "delivered_on": future})
    assert response.status_code == 422
    assert es("A service cannot be delivered in the future.") in page(response)
    response = recipient.post(url, {"kind": "shelter", "note": "Tres noches"})
    assert response.status_code == 302
    service = ServiceDelivery.objects.get()
    assert (service.kind, service.referral_id, service.note) == (
        "shelter",
        referral.pk,
        "Tres noches",
    )
    html = page(recipient.get("/cases/referrals/"))
    assert "Tres noches" in html
    assert es("Service delivered") in page(signed_in(caseworker).get(f"/cases/{case.pk}/"))


# --- home page ------------------------------------------------------------------------------


def test_home_shows_my_open_cases(caseworker, case) -> None:  # type: ignore[no-untyped-def]
    html = page(signed_in(caseworker).get("/"))
    assert es("My open cases") in html
    assert f'href="/cases/{case.pk}/"' in html
    assert 'href="/cases/"' in html  # "Cases" in the navigation
    assert es("Caseload of your team") not in html


def test_home_shows_the_supervisor_dashboard(caseworker, supervisor, case) -> None:  # type: ignore[no-untyped-def]
    Task.objects.filter(case=case, code="notify_family").update(
        due_at=timezone.now() - timedelta(hours=2), escalated_at=timezone.now()
    )
    html = page(signed_in(supervisor).get("/"))
    assert es("Caseload of your team") in html
    assert "Notificar a la familia" in html and f'href="/cases/{case.pk}/"' in html
    assert es("escalated") in html
    assert "Protección consular" in html  # cases by stage


def test_pages_in_english(caseworker, case) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(caseworker)
    client.post("/language/", {"language": "en", "next": "/"})
    html = page(client.get(f"/cases/{case.pk}/"))
    assert "Reception and care of migrant children and adolescents" in html
    assert "Notify the family" in html and "Case opened" in html
